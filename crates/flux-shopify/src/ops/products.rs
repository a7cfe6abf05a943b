//! Products and their variants.

use futures::Stream;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::ShopifyError;
use crate::graphql::AdminClient;
use crate::ops::orders::VariantInventoryItem;
use crate::types::Connection;

/// A `ProductVariant`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProductVariant {
    /// GID.
    pub id: String,
    /// Title.
    pub title: String,
    /// SKU.
    #[serde(default)]
    pub sku: Option<String>,
    /// Barcode.
    #[serde(default)]
    pub barcode: Option<String>,
    /// Price in the shop currency.
    pub price: Decimal,
    /// Total available across locations.
    #[serde(default)]
    pub inventory_quantity: Option<i64>,
    /// Inventory item with weight.
    #[serde(default)]
    pub inventory_item: Option<VariantInventoryItem>,
}

/// A `Product`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Product {
    /// GID.
    pub id: String,
    /// Title.
    pub title: String,
    /// Handle.
    pub handle: String,
    /// `ACTIVE`, `ARCHIVED`, `DRAFT`, `UNLISTED`.
    pub status: String,
    /// Vendor.
    #[serde(default)]
    pub vendor: Option<String>,
    /// Variants (first 100).
    pub variants: Connection<ProductVariant>,
}

const PRODUCT_FIELDS: &str = "id title handle status vendor variants(first: 100) { nodes { id title sku barcode price inventoryQuantity inventoryItem { id measurement { weight { unit value } } } } pageInfo { hasNextPage endCursor } }";

impl AdminClient {
    /// One product by GID.
    ///
    /// # Errors
    /// Those of [`graphql`](Self::graphql).
    pub async fn product(&self, id: &str) -> Result<Option<Product>, ShopifyError> {
        let query =
            format!("query FluxProduct($id: ID!) {{ product(id: $id) {{ {PRODUCT_FIELDS} }} }}");
        self.query_at(&query, json!({ "id": id }), &["product"])
            .await
    }

    /// Products matching a search query (e.g. `"sku:ABC*"`), 10 per page.
    pub fn products(
        &self,
        search: Option<&str>,
    ) -> impl Stream<Item = Result<Product, ShopifyError>> + Send + 'static + use<> {
        let query = format!(
            "query FluxProducts($after: String, $query: String) {{ products(first: 10, after: $after, query: $query) {{ nodes {{ {PRODUCT_FIELDS} }} pageInfo {{ hasNextPage endCursor }} }} }}"
        );
        self.paginate(&query, json!({ "query": search }), &["products"])
    }
}
