//! Typed request and response bodies, named and shaped as SmartBill's JSON.

mod config;
mod document;
mod email;
pub(crate) mod num;
mod payment;
pub(crate) mod responses;

pub use config::{Series, SeriesType, StockProduct, StockQuery, Tax, Warehouse, WarehouseStock};
pub(crate) use config::{SeriesResponse, StocksResponse, TaxesResponse};
pub use document::{
    DiscountAmount, DiscountLine, Document, DocumentClient, DocumentEmail, DocumentLine,
    InvoicePayment, ProductLine, ReverseRequest, SeriesNumber,
};
pub use email::{EmailDocumentType, EmailStatus, EmailStatusCode, SendDocument};
pub(crate) use email::{EmailResponse, SendDocumentWire};
pub use payment::{DeletePayment, PaymentRequest, PaymentResponse, PaymentStatus, PaymentType};
pub use responses::{CreatedDocument, EstimateInvoices, InvoiceRef};
