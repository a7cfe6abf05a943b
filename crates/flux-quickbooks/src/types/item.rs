//! `Item` (products and services).

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::common::{MetaData, Ref};
use super::{NameListEntity, entity};

/// An item's type. Unknown types are kept in `Other`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ItemType {
    /// Tracked stock.
    Inventory,
    /// A product not tracked.
    NonInventory,
    /// A service.
    Service,
    /// A bundle.
    Group,
    /// A category.
    Category,
    /// A type this crate does not know.
    Other(String),
}

impl ItemType {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Inventory => "Inventory",
            Self::NonInventory => "NonInventory",
            Self::Service => "Service",
            Self::Group => "Group",
            Self::Category => "Category",
            Self::Other(s) => s,
        }
    }
}

impl Serialize for ItemType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ItemType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(match s.as_str() {
            "Inventory" => Self::Inventory,
            "NonInventory" => Self::NonInventory,
            "Service" => Self::Service,
            "Group" => Self::Group,
            "Category" => Self::Category,
            _ => Self::Other(s),
        })
    }
}

/// A product or service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct Item {
    /// Id (absent before creation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Version for optimistic locking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_token: Option<String>,
    /// `true` for a sparse update.
    #[serde(default, rename = "sparse", skip_serializing_if = "Option::is_none")]
    pub sparse: Option<bool>,
    /// Unique name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Full name with parents (`Parent:Child`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fully_qualified_name: Option<String>,
    /// SKU (returned by `SELECT *, Sku FROM Item`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// Sales description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Type.
    #[serde(default, rename = "Type", skip_serializing_if = "Option::is_none")]
    pub item_type: Option<ItemType>,
    /// Sales price.
    #[serde(
        default,
        with = "rust_decimal::serde::arbitrary_precision_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub unit_price: Option<Decimal>,
    /// Purchase cost.
    #[serde(
        default,
        with = "rust_decimal::serde::arbitrary_precision_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub purchase_cost: Option<Decimal>,
    /// Quantity on hand (inventory).
    #[serde(
        default,
        with = "rust_decimal::serde::arbitrary_precision_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub qty_on_hand: Option<Decimal>,
    /// Whether quantity is tracked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track_qty_on_hand: Option<bool>,
    /// US only: whether the item is taxable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taxable: Option<bool>,
    /// Sales tax code (non-US).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sales_tax_code_ref: Option<Ref>,
    /// Income account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub income_account_ref: Option<Ref>,
    /// Whether the item is active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Creation and update times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta_data: Option<MetaData>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

entity!(Item, "Item", "item");
impl NameListEntity for Item {}
