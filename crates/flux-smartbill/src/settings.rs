//! Account configuration: VAT rates, series and stock.

use flux_http::Method;

use crate::client::SmartBillClient;
use crate::error::SmartBillError;
use crate::types::{
    Series, SeriesResponse, SeriesType, StockQuery, StocksResponse, Tax, TaxesResponse,
    WarehouseStock,
};

impl SmartBillClient {
    /// The VAT rates configured in the account (`GET /tax`).
    ///
    /// # Errors
    /// [`SmartBillError::Api`] when SmartBill refuses.
    pub async fn taxes(&self) -> Result<Vec<Tax>, SmartBillError> {
        let req = self
            .request(Method::GET, "tax")
            .query(&[("cif", self.cif.as_str())]);
        let resp: TaxesResponse = self.send_json(req).await?;
        Ok(resp.taxes)
    }

    /// The document series (`GET /series`), of one type or all.
    ///
    /// # Errors
    /// [`SmartBillError::Api`] when SmartBill refuses.
    pub async fn series(
        &self,
        series_type: Option<SeriesType>,
    ) -> Result<Vec<Series>, SmartBillError> {
        let mut req = self
            .request(Method::GET, "series")
            .query(&[("cif", self.cif.as_str())]);
        if let Some(t) = &series_type {
            req = req.query(&[("type", t.as_str())]);
        }
        let resp: SeriesResponse = self.send_json(req).await?;
        Ok(resp.list)
    }

    /// Stock per warehouse at a date (`GET /stocks`). Spaces in names are sent as `+`.
    ///
    /// # Errors
    /// [`SmartBillError::Api`] when SmartBill refuses.
    pub async fn stocks(&self, query: &StockQuery) -> Result<Vec<WarehouseStock>, SmartBillError> {
        let req = self
            .request(Method::GET, "stocks")
            .query(&[("cif", self.cif.as_str())])
            .query(query);
        let resp: StocksResponse = self.send_json(req).await?;
        Ok(resp.list)
    }
}
