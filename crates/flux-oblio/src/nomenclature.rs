//! Nomenclatures (`GET /api/nomenclature/...`): companies, VAT rates, clients, products,
//! series, languages and stock rooms. Clients and products come 250 rows per page.

use crate::client::{Limit, OblioClient};
use crate::error::OblioError;
use crate::types::{
    ClientFilter, Company, Language, Management, NomenclatureClient, Product, ProductFilter,
    Series, VatRate,
};

/// Rows per page of the paginated nomenclatures.
pub const NOMENCLATURE_PAGE_SIZE: u32 = 250;

impl OblioClient {
    async fn nomenclature<T: serde::de::DeserializeOwned>(
        &self,
        name: &str,
        with_cif: bool,
        extra: Vec<(&'static str, String)>,
    ) -> Result<Vec<T>, OblioError> {
        let path = format!("api/nomenclature/{name}");
        let mut query: Vec<(&'static str, String)> = Vec::new();
        if with_cif {
            query.push(("cif", self.cif().to_owned()));
        }
        query.extend(extra);
        let (_, rows) = self
            .call(Limit::Other, |http| http.get(&path).query(&query))
            .await?;
        Ok(rows)
    }

    /// The companies this login can issue for (the only call without `cif`).
    ///
    /// # Errors
    /// [`OblioError::Auth`] for refused credentials; transport errors.
    pub async fn companies(&self) -> Result<Vec<Company>, OblioError> {
        self.nomenclature("companies", false, Vec::new()).await
    }

    /// The VAT rates configured in the account. Read them rather than hard-coding: the
    /// names stay (`Normala`, `Redusa`) while the percentages change (21/11 from
    /// 1 August 2025).
    ///
    /// # Errors
    /// As [`companies`](Self::companies).
    pub async fn vat_rates(&self) -> Result<Vec<VatRate>, OblioError> {
        self.nomenclature("vat_rates", true, Vec::new()).await
    }

    /// One page (250 rows) of stored clients.
    ///
    /// # Errors
    /// As [`companies`](Self::companies).
    pub async fn clients(
        &self,
        filter: &ClientFilter,
    ) -> Result<Vec<NomenclatureClient>, OblioError> {
        self.nomenclature("clients", true, filter.to_query()).await
    }

    /// One page (250 rows) of stored products, with stock when stock is enabled.
    ///
    /// # Errors
    /// As [`companies`](Self::companies).
    pub async fn products(&self, filter: &ProductFilter) -> Result<Vec<Product>, OblioError> {
        self.nomenclature("products", true, filter.to_query()).await
    }

    /// The document series.
    ///
    /// # Errors
    /// As [`companies`](Self::companies).
    pub async fn series(&self) -> Result<Vec<Series>, OblioError> {
        self.nomenclature("series", true, Vec::new()).await
    }

    /// The document languages.
    ///
    /// # Errors
    /// As [`companies`](Self::companies).
    pub async fn languages(&self) -> Result<Vec<Language>, OblioError> {
        self.nomenclature("languages", true, Vec::new()).await
    }

    /// The stock rooms (*gestiuni*); Oblio answers only when stock is enabled.
    ///
    /// # Errors
    /// As [`companies`](Self::companies); Oblio's refusal when stock is not enabled.
    pub async fn management(&self) -> Result<Vec<Management>, OblioError> {
        self.nomenclature("management", true, Vec::new()).await
    }
}
