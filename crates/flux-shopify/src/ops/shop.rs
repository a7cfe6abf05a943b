//! The `shop` query.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::ShopifyError;
use crate::graphql::AdminClient;

/// The shop's primary domain.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct ShopPrimaryDomain {
    /// Host.
    pub host: String,
    /// URL.
    pub url: String,
}

/// The `Shop`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Shop {
    /// GID.
    pub id: String,
    /// Name.
    pub name: String,
    /// Contact email.
    #[serde(default)]
    pub email: Option<String>,
    /// `{shop}.myshopify.com`.
    pub myshopify_domain: String,
    /// Primary domain.
    #[serde(default)]
    pub primary_domain: Option<ShopPrimaryDomain>,
    /// Shop currency.
    pub currency_code: String,
    /// IANA time zone, e.g. `Europe/Bucharest`.
    #[serde(default)]
    pub iana_timezone: Option<String>,
    /// Default weight unit.
    #[serde(default)]
    pub weight_unit: Option<crate::types::WeightUnit>,
}

impl AdminClient {
    /// The shop.
    ///
    /// # Errors
    /// Those of [`graphql`](Self::graphql).
    pub async fn shop_info(&self) -> Result<Shop, ShopifyError> {
        const QUERY: &str = "query FluxShop { shop { id name email myshopifyDomain primaryDomain { host url } currencyCode ianaTimezone weightUnit } }";
        self.query_at(QUERY, json!({}), &["shop"]).await
    }
}
