//! Locations.

use futures::Stream;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::ShopifyError;
use crate::graphql::AdminClient;

/// A location's address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct LocationAddress {
    /// Street line 1.
    pub address1: Option<String>,
    /// Street line 2.
    pub address2: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Province.
    pub province: Option<String>,
    /// Province code.
    pub province_code: Option<String>,
    /// Postal code.
    pub zip: Option<String>,
    /// Country code.
    pub country_code: Option<String>,
    /// Phone.
    pub phone: Option<String>,
}

/// A `Location`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Location {
    /// GID.
    pub id: String,
    /// Name.
    pub name: String,
    /// Whether it is active.
    pub is_active: bool,
    /// Whether it fulfils online orders.
    #[serde(default)]
    pub fulfills_online_orders: bool,
    /// Address.
    #[serde(default)]
    pub address: LocationAddress,
}

impl AdminClient {
    /// All locations (needs `read_locations`), 50 per page.
    pub fn locations(
        &self,
    ) -> impl Stream<Item = Result<Location, ShopifyError>> + Send + 'static + use<> {
        const QUERY: &str = "query FluxLocations($after: String) { locations(first: 50, after: $after) { nodes { id name isActive fulfillsOnlineOrders address { address1 address2 city province provinceCode zip countryCode phone } } pageInfo { hasNextPage endCursor } } }";
        self.paginate(QUERY, json!({}), &["locations"])
    }
}
