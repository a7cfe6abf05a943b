//! Inventory: levels at a location, `inventorySetQuantities` and
//! `inventoryAdjustQuantities` with `changeFromQuantity` and an `@idempotent` key
//! (both required from API version 2026-04).

use futures::Stream;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::error::ShopifyError;
use crate::graphql::AdminClient;

/// A named quantity of an inventory level.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct InventoryQuantity {
    /// `available`, `on_hand`, `committed`, `incoming`, `reserved`, ...
    pub name: String,
    /// The quantity.
    pub quantity: i64,
}

/// The item of an inventory level.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct InventoryLevelItem {
    /// GID.
    pub id: String,
    /// SKU.
    #[serde(default)]
    pub sku: Option<String>,
}

/// An `InventoryLevel`: one item's quantities at one location.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct InventoryLevel {
    /// GID.
    pub id: String,
    /// Quantities (`available`, `on_hand`, `committed`).
    pub quantities: Vec<InventoryQuantity>,
    /// The item.
    pub item: InventoryLevelItem,
}

impl InventoryLevel {
    /// The quantity named `name`.
    pub fn quantity(&self, name: &str) -> Option<i64> {
        self.quantities
            .iter()
            .find(|q| q.name == name)
            .map(|q| q.quantity)
    }
}

/// `InventoryQuantityInput` of `inventorySetQuantities`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct InventoryQuantityInput {
    /// Item GID.
    pub inventory_item_id: String,
    /// Location GID.
    pub location_id: String,
    /// The new absolute quantity.
    pub quantity: i64,
    /// The quantity you expect Shopify to have now (compare-and-swap). `None` is sent as
    /// an explicit `null` (opting out of the check); it is never omitted.
    pub change_from_quantity: Option<i64>,
}

/// `InventorySetQuantitiesInput`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct InventorySetQuantitiesInput {
    /// `available` or `on_hand`.
    pub name: String,
    /// Reason, e.g. `correction`, `cycle_count_available`, `received`.
    pub reason: String,
    /// URI of the document behind the change, e.g. `gid://fluxsales/StockSync/42`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_document_uri: Option<String>,
    /// The quantities.
    pub quantities: Vec<InventoryQuantityInput>,
}

/// `InventoryChangeInput` of `inventoryAdjustQuantities`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct InventoryChangeInput {
    /// Item GID.
    pub inventory_item_id: String,
    /// Location GID.
    pub location_id: String,
    /// The change.
    pub delta: i64,
    /// The quantity you expect before the change (compare-and-swap); `None` is sent as
    /// an explicit `null`.
    pub change_from_quantity: Option<i64>,
    /// Ledger document URI (required for quantity names other than `available`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ledger_document_uri: Option<String>,
}

/// `InventoryAdjustQuantitiesInput`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct InventoryAdjustQuantitiesInput {
    /// Quantity name, e.g. `available`.
    pub name: String,
    /// Reason, e.g. `correction`, `restock`.
    pub reason: String,
    /// URI of the document behind the change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_document_uri: Option<String>,
    /// The changes.
    pub changes: Vec<InventoryChangeInput>,
}

/// One change of an `InventoryAdjustmentGroup`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct InventoryChange {
    /// Quantity name.
    pub name: String,
    /// Delta applied.
    pub delta: i64,
    /// The quantity after the change.
    #[serde(default)]
    pub quantity_after_change: Option<i64>,
}

/// The `InventoryAdjustmentGroup` a write produced.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct InventoryAdjustmentGroup {
    /// GID.
    pub id: String,
    /// Reason.
    #[serde(default)]
    pub reason: Option<String>,
    /// Reference document URI.
    #[serde(default)]
    pub reference_document_uri: Option<String>,
    /// Changes.
    #[serde(default)]
    pub changes: Vec<InventoryChange>,
}

const GROUP_FIELDS: &str = "inventoryAdjustmentGroup { id reason referenceDocumentUri changes { name delta quantityAfterChange } } userErrors { field message code }";

/// A new idempotency key for an inventory write. Keep it with the job and reuse it only
/// to retry the identical write.
pub fn new_idempotency_key() -> Uuid {
    Uuid::new_v4()
}

impl AdminClient {
    /// Inventory levels at a location (GID), with `available`, `on_hand` and
    /// `committed`, 100 per page.
    pub fn inventory_levels(
        &self,
        location_id: &str,
    ) -> impl Stream<Item = Result<InventoryLevel, ShopifyError>> + Send + 'static + use<> {
        const QUERY: &str = "query FluxInventoryLevels($id: ID!, $after: String) { location(id: $id) { inventoryLevels(first: 100, after: $after) { nodes { id quantities(names: [\"available\", \"on_hand\", \"committed\"]) { name quantity } item { id sku } } pageInfo { hasNextPage endCursor } } } }";
        self.paginate(
            QUERY,
            json!({ "id": location_id }),
            &["location", "inventoryLevels"],
        )
    }

    /// Sets absolute quantities (`inventorySetQuantities`) with an `@idempotent` key.
    /// Shopify deduplicates by the key, so the request is retried on timeouts and 5xx.
    ///
    /// # Errors
    /// [`ShopifyError::UserErrors`] (e.g. `CHANGE_FROM_QUANTITY_STALE`, mapped to a
    /// conflict), and those of [`graphql`](Self::graphql).
    pub async fn set_inventory_quantities(
        &self,
        input: &InventorySetQuantitiesInput,
        idempotency_key: Uuid,
    ) -> Result<InventoryAdjustmentGroup, ShopifyError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Payload {
            inventory_adjustment_group: InventoryAdjustmentGroup,
        }
        let query = format!(
            "mutation FluxInventorySet($input: InventorySetQuantitiesInput!) {{ inventorySetQuantities(input: $input) @idempotent(key: \"{idempotency_key}\") {{ {GROUP_FIELDS} }} }}"
        );
        let p: Payload = self
            .idempotent_mutation(&query, json!({ "input": input }), "inventorySetQuantities")
            .await?;
        Ok(p.inventory_adjustment_group)
    }

    /// Adjusts quantities by deltas (`inventoryAdjustQuantities`) with an `@idempotent`
    /// key.
    ///
    /// # Errors
    /// As [`set_inventory_quantities`](Self::set_inventory_quantities).
    pub async fn adjust_inventory_quantities(
        &self,
        input: &InventoryAdjustQuantitiesInput,
        idempotency_key: Uuid,
    ) -> Result<InventoryAdjustmentGroup, ShopifyError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Payload {
            inventory_adjustment_group: InventoryAdjustmentGroup,
        }
        let query = format!(
            "mutation FluxInventoryAdjust($input: InventoryAdjustQuantitiesInput!) {{ inventoryAdjustQuantities(input: $input) @idempotent(key: \"{idempotency_key}\") {{ {GROUP_FIELDS} }} }}"
        );
        let p: Payload = self
            .idempotent_mutation(
                &query,
                json!({ "input": input }),
                "inventoryAdjustQuantities",
            )
            .await?;
        Ok(p.inventory_adjustment_group)
    }
}

impl InventoryQuantityInput {
    /// Set `inventory_item_id` at `location_id` to `quantity`, expecting
    /// `change_from_quantity` now (`None`: explicit opt-out of the check).
    pub fn new(
        inventory_item_id: impl Into<String>,
        location_id: impl Into<String>,
        quantity: i64,
        change_from_quantity: Option<i64>,
    ) -> Self {
        Self {
            inventory_item_id: inventory_item_id.into(),
            location_id: location_id.into(),
            quantity,
            change_from_quantity,
        }
    }
}

impl InventorySetQuantitiesInput {
    /// Set the `name` quantity (`available` or `on_hand`) for `reason`.
    pub fn new(
        name: impl Into<String>,
        reason: impl Into<String>,
        quantities: Vec<InventoryQuantityInput>,
    ) -> Self {
        Self {
            name: name.into(),
            reason: reason.into(),
            reference_document_uri: None,
            quantities,
        }
    }

    /// The document behind the change.
    pub fn with_reference_document_uri(mut self, uri: impl Into<String>) -> Self {
        self.reference_document_uri = Some(uri.into());
        self
    }
}

impl InventoryChangeInput {
    /// Change `inventory_item_id` at `location_id` by `delta`, expecting
    /// `change_from_quantity` now (`None`: explicit opt-out of the check).
    pub fn new(
        inventory_item_id: impl Into<String>,
        location_id: impl Into<String>,
        delta: i64,
        change_from_quantity: Option<i64>,
    ) -> Self {
        Self {
            inventory_item_id: inventory_item_id.into(),
            location_id: location_id.into(),
            delta,
            change_from_quantity,
            ledger_document_uri: None,
        }
    }

    /// The ledger document (required for quantity names other than `available`).
    pub fn with_ledger_document_uri(mut self, uri: impl Into<String>) -> Self {
        self.ledger_document_uri = Some(uri.into());
        self
    }
}

impl InventoryAdjustQuantitiesInput {
    /// Adjust the `name` quantity for `reason`.
    pub fn new(
        name: impl Into<String>,
        reason: impl Into<String>,
        changes: Vec<InventoryChangeInput>,
    ) -> Self {
        Self {
            name: name.into(),
            reason: reason.into(),
            reference_document_uri: None,
            changes,
        }
    }

    /// The document behind the change.
    pub fn with_reference_document_uri(mut self, uri: impl Into<String>) -> Self {
        self.reference_document_uri = Some(uri.into());
        self
    }
}
