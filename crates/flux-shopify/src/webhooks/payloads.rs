//! Typed webhook bodies. They are REST-shaped (snake_case, numeric ids plus
//! `admin_graphql_api_id`, money as decimal strings). Fields Shopify may null or redact
//! (without protected customer data approval) are `Option`.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::types::null_default;

/// A typed webhook body, by topic.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum WebhookPayload {
    /// `orders/create`.
    OrdersCreate(Box<OrderWebhook>),
    /// `orders/updated`.
    OrdersUpdated(Box<OrderWebhook>),
    /// `orders/paid`.
    OrdersPaid(Box<OrderWebhook>),
    /// `orders/cancelled`.
    OrdersCancelled(Box<OrderWebhook>),
    /// `fulfillments/create`.
    FulfillmentsCreate(Box<FulfillmentWebhook>),
    /// `fulfillments/update`.
    FulfillmentsUpdate(Box<FulfillmentWebhook>),
    /// `app/uninstalled`.
    AppUninstalled(Box<AppUninstalledWebhook>),
    /// `customers/data_request`.
    CustomersDataRequest(CustomersDataRequestWebhook),
    /// `customers/redact`.
    CustomersRedact(CustomersRedactWebhook),
    /// `shop/redact`.
    ShopRedact(ShopRedactWebhook),
    /// Any other topic, as raw JSON.
    Other(serde_json::Value),
}

/// `{"amount": "…", "currency_code": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct WebhookMoney {
    /// Amount.
    pub amount: Decimal,
    /// Currency.
    pub currency_code: String,
}

/// `*_set`: the amount in shop and presentment currencies.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct WebhookMoneySet {
    /// Shop currency.
    pub shop_money: WebhookMoney,
    /// Presentment currency.
    pub presentment_money: WebhookMoney,
}

/// An address in a webhook body.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
#[non_exhaustive]
pub struct WebhookAddress {
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Full name.
    pub name: Option<String>,
    /// Company.
    pub company: Option<String>,
    /// Street line 1.
    pub address1: Option<String>,
    /// Street line 2.
    pub address2: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Province name.
    pub province: Option<String>,
    /// Province code.
    pub province_code: Option<String>,
    /// Postal code.
    pub zip: Option<String>,
    /// Country name.
    pub country: Option<String>,
    /// ISO country code.
    pub country_code: Option<String>,
    /// Phone.
    pub phone: Option<String>,
}

/// The customer of an order webhook.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct WebhookCustomer {
    /// Numeric id.
    pub id: u64,
    /// Email (may be null or redacted).
    #[serde(default)]
    pub email: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// GID.
    #[serde(default)]
    pub admin_graphql_api_id: Option<String>,
}

/// A tax line.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct WebhookTaxLine {
    /// Name of the tax.
    pub title: String,
    /// Amount.
    pub price: Decimal,
    /// Rate as a fraction (0.19).
    pub rate: Decimal,
}

/// A line item of an order webhook.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct WebhookLineItem {
    /// Numeric id.
    pub id: u64,
    /// GID.
    #[serde(default)]
    pub admin_graphql_api_id: Option<String>,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// Full name (title and variant).
    #[serde(default)]
    pub name: Option<String>,
    /// SKU (may be `""`).
    #[serde(default)]
    pub sku: Option<String>,
    /// Quantity ordered.
    pub quantity: i64,
    /// Quantity after edits/removals.
    #[serde(default)]
    pub current_quantity: Option<i64>,
    /// Unit price.
    pub price: Decimal,
    /// Weight in grams.
    #[serde(default)]
    pub grams: Option<i64>,
    /// Whether it ships.
    #[serde(default)]
    pub requires_shipping: Option<bool>,
    /// Whether it is taxable.
    #[serde(default)]
    pub taxable: Option<bool>,
    /// Variant id.
    #[serde(default)]
    pub variant_id: Option<u64>,
    /// Product id.
    #[serde(default)]
    pub product_id: Option<u64>,
    /// Quantity left to fulfil.
    #[serde(default)]
    pub fulfillable_quantity: Option<i64>,
    /// `fulfilled`, `partial`, or null.
    #[serde(default)]
    pub fulfillment_status: Option<String>,
    /// Tax lines.
    #[serde(default, deserialize_with = "null_default")]
    pub tax_lines: Vec<WebhookTaxLine>,
    /// Discounts applied to this line.
    #[serde(default, deserialize_with = "null_default")]
    pub discount_allocations: Vec<WebhookDiscountAllocation>,
}

/// A discount allocated to a line.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct WebhookDiscountAllocation {
    /// Amount.
    pub amount: Decimal,
    /// Index into `discount_applications`.
    #[serde(default)]
    pub discount_application_index: Option<u32>,
}

/// A shipping line.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct WebhookShippingLine {
    /// Numeric id.
    #[serde(default)]
    pub id: Option<u64>,
    /// Title shown to the customer.
    #[serde(default)]
    pub title: Option<String>,
    /// Code.
    #[serde(default)]
    pub code: Option<String>,
    /// Price.
    pub price: Decimal,
    /// Tax lines.
    #[serde(default, deserialize_with = "null_default")]
    pub tax_lines: Vec<WebhookTaxLine>,
}

/// A discount code used on the order.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct WebhookDiscountCode {
    /// The code.
    pub code: String,
    /// Amount.
    pub amount: Decimal,
    /// `fixed_amount`, `percentage`, `shipping`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// A checkout note attribute (`name`/`value`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct WebhookNoteAttribute {
    /// Name.
    pub name: String,
    /// Value (`null` is kept as `None`).
    #[serde(default)]
    pub value: Option<String>,
}

/// The body of `orders/create`, `orders/updated`, `orders/paid`, `orders/cancelled`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct OrderWebhook {
    /// Numeric id.
    pub id: u64,
    /// GID (`gid://shopify/Order/…`).
    pub admin_graphql_api_id: String,
    /// Name, e.g. `#1071`.
    pub name: String,
    /// Order number.
    #[serde(default)]
    pub order_number: Option<u64>,
    /// Email (may be `""` or null).
    #[serde(default)]
    pub email: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Shop currency.
    pub currency: String,
    /// `pending`, `authorized`, `paid`, `partially_paid`, `refunded`, `voided`, ...
    #[serde(default)]
    pub financial_status: Option<String>,
    /// `fulfilled`, `partial`, `restocked` or null.
    #[serde(default)]
    pub fulfillment_status: Option<String>,
    /// Payment gateways (`"Cash on Delivery (COD)"`, `"manual"`, ...).
    #[serde(default, deserialize_with = "null_default")]
    pub payment_gateway_names: Vec<String>,
    /// Where the order came from (`web`, `shopify_draft_order`, ...).
    #[serde(default)]
    pub source_name: Option<String>,
    /// Comma-separated tags.
    #[serde(default)]
    pub tags: Option<String>,
    /// The order note.
    #[serde(default)]
    pub note: Option<String>,
    /// Note attributes.
    #[serde(default, deserialize_with = "null_default")]
    pub note_attributes: Vec<WebhookNoteAttribute>,
    /// Whether prices include taxes.
    #[serde(default)]
    pub taxes_included: Option<bool>,
    /// Total.
    pub total_price: Decimal,
    /// Current total after edits and refunds.
    #[serde(default)]
    pub current_total_price: Option<Decimal>,
    /// Subtotal.
    #[serde(default)]
    pub subtotal_price: Option<Decimal>,
    /// Total tax.
    #[serde(default)]
    pub total_tax: Option<Decimal>,
    /// Total discounts.
    #[serde(default)]
    pub total_discounts: Option<Decimal>,
    /// Total weight in grams.
    #[serde(default)]
    pub total_weight: Option<i64>,
    /// Total in both currencies.
    #[serde(default)]
    pub total_price_set: Option<WebhookMoneySet>,
    /// The customer (null for some draft orders, or without data access).
    #[serde(default)]
    pub customer: Option<WebhookCustomer>,
    /// Shipping address.
    #[serde(default)]
    pub shipping_address: Option<WebhookAddress>,
    /// Billing address.
    #[serde(default)]
    pub billing_address: Option<WebhookAddress>,
    /// Line items.
    #[serde(default, deserialize_with = "null_default")]
    pub line_items: Vec<WebhookLineItem>,
    /// Shipping lines.
    #[serde(default, deserialize_with = "null_default")]
    pub shipping_lines: Vec<WebhookShippingLine>,
    /// Tax lines.
    #[serde(default, deserialize_with = "null_default")]
    pub tax_lines: Vec<WebhookTaxLine>,
    /// Discount codes.
    #[serde(default, deserialize_with = "null_default")]
    pub discount_codes: Vec<WebhookDiscountCode>,
    /// Fulfillments so far.
    #[serde(default, deserialize_with = "null_default")]
    pub fulfillments: Vec<FulfillmentWebhook>,
    /// Created at.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// Updated at (compare it to skip stale retries).
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    /// Processed at.
    #[serde(default)]
    pub processed_at: Option<DateTime<Utc>>,
    /// Cancelled at.
    #[serde(default)]
    pub cancelled_at: Option<DateTime<Utc>>,
    /// `customer`, `fraud`, `inventory`, `declined`, `other`.
    #[serde(default)]
    pub cancel_reason: Option<String>,
}

impl OrderWebhook {
    /// Whether a payment gateway name looks like cash on delivery.
    pub fn is_cash_on_delivery(&self) -> bool {
        self.payment_gateway_names.iter().any(|g| {
            let g = g.to_ascii_lowercase();
            g.contains("cash on delivery") || g.contains("(cod)") || g == "cod"
        })
    }

    /// Total weight in grams: `total_weight`, or the sum of line `grams × quantity`.
    pub fn weight_grams(&self) -> i64 {
        self.total_weight.unwrap_or_else(|| {
            self.line_items
                .iter()
                .map(|l| l.grams.unwrap_or(0) * l.current_quantity.unwrap_or(l.quantity))
                .sum()
        })
    }
}

/// A line item of a fulfillment webhook.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct WebhookFulfillmentLineItem {
    /// Order line item id.
    pub id: u64,
    /// Quantity in this fulfillment.
    pub quantity: i64,
    /// SKU.
    #[serde(default)]
    pub sku: Option<String>,
}

/// The body of `fulfillments/create` and `fulfillments/update`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct FulfillmentWebhook {
    /// Numeric id.
    pub id: u64,
    /// GID.
    #[serde(default)]
    pub admin_graphql_api_id: Option<String>,
    /// The order id.
    pub order_id: u64,
    /// `pending`, `open`, `success`, `cancelled`, `error`, `failure`.
    #[serde(default)]
    pub status: Option<String>,
    /// `in_transit`, `delivered`, ... or null.
    #[serde(default)]
    pub shipment_status: Option<String>,
    /// Name, e.g. `#1001.1`.
    #[serde(default)]
    pub name: Option<String>,
    /// Location id.
    #[serde(default)]
    pub location_id: Option<u64>,
    /// Carrier.
    #[serde(default)]
    pub tracking_company: Option<String>,
    /// Tracking number.
    #[serde(default)]
    pub tracking_number: Option<String>,
    /// Tracking numbers.
    #[serde(default, deserialize_with = "null_default")]
    pub tracking_numbers: Vec<String>,
    /// Tracking URL.
    #[serde(default)]
    pub tracking_url: Option<String>,
    /// Tracking URLs.
    #[serde(default, deserialize_with = "null_default")]
    pub tracking_urls: Vec<String>,
    /// Lines.
    #[serde(default, deserialize_with = "null_default")]
    pub line_items: Vec<WebhookFulfillmentLineItem>,
    /// Created at.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// Updated at.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
}

/// The body of `app/uninstalled` (the shop object).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct AppUninstalledWebhook {
    /// Shop id.
    pub id: u64,
    /// Shop name.
    #[serde(default)]
    pub name: Option<String>,
    /// Shop email.
    #[serde(default)]
    pub email: Option<String>,
    /// Primary domain.
    #[serde(default)]
    pub domain: Option<String>,
    /// `{shop}.myshopify.com`.
    #[serde(default)]
    pub myshopify_domain: Option<String>,
    /// Plan.
    #[serde(default)]
    pub plan_name: Option<String>,
}

/// The customer in a compliance webhook.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct ComplianceCustomer {
    /// Numeric id (REST).
    pub id: u64,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
}

/// The data-request id.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct DataRequest {
    /// Id.
    pub id: u64,
}

/// `customers/data_request`: send the merchant the customer's data within 30 days.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct CustomersDataRequestWebhook {
    /// Shop id.
    pub shop_id: u64,
    /// Shop domain.
    pub shop_domain: String,
    /// Orders the customer asked about.
    #[serde(default, deserialize_with = "null_default")]
    pub orders_requested: Vec<u64>,
    /// The customer.
    pub customer: ComplianceCustomer,
    /// The request.
    #[serde(default)]
    pub data_request: Option<DataRequest>,
}

/// `customers/redact`: erase the customer's data within 30 days.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct CustomersRedactWebhook {
    /// Shop id.
    pub shop_id: u64,
    /// Shop domain.
    pub shop_domain: String,
    /// The customer.
    pub customer: ComplianceCustomer,
    /// Orders to redact.
    #[serde(default, deserialize_with = "null_default")]
    pub orders_to_redact: Vec<u64>,
}

/// `shop/redact`: erase the shop's data (sent 48 h after uninstall).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct ShopRedactWebhook {
    /// Shop id.
    pub shop_id: u64,
    /// Shop domain.
    pub shop_domain: String,
}
