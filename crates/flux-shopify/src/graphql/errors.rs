//! GraphQL error shapes: top-level `errors` and mutation `userErrors`.

use serde::{Deserialize, Serialize};

/// One entry of a GraphQL response's top-level `errors`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct GraphqlError {
    /// The message.
    pub message: String,
    /// `extensions` (Shopify puts `code`, e.g. `THROTTLED`, `ACCESS_DENIED`, here).
    #[serde(default)]
    pub extensions: Option<serde_json::Value>,
    /// The path of the field that failed.
    #[serde(default)]
    pub path: Option<Vec<serde_json::Value>>,
}

impl GraphqlError {
    /// `extensions.code`, e.g. `THROTTLED`, `ACCESS_DENIED`, `MAX_COST_EXCEEDED`.
    pub fn code(&self) -> Option<&str> {
        self.extensions.as_ref()?.get("code")?.as_str()
    }
}

/// A mutation `userErrors` entry: what was wrong with the input, and where.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct UserError {
    /// The input field path, e.g. `["input", "quantities", "0", "changeFromQuantity"]`.
    #[serde(default, deserialize_with = "crate::types::null_default")]
    pub field: Vec<String>,
    /// The message.
    pub message: String,
    /// The typed error code when the payload has one (e.g. `CHANGE_FROM_QUANTITY_STALE`).
    #[serde(default)]
    pub code: Option<String>,
}

impl UserError {
    /// The field path joined with dots, e.g. `input.quantities.0.changeFromQuantity`.
    pub fn field_path(&self) -> Option<String> {
        (!self.field.is_empty()).then(|| self.field.join("."))
    }
}
