//! Building QuickBooks queries safely.
//!
//! ```
//! use flux_quickbooks::query::Query;
//!
//! let q = Query::from("Customer")
//!     .include_inactive()
//!     .where_eq("DisplayName", "Amy's Bird Sanctuary")
//!     .to_string();
//! assert_eq!(q, r"SELECT * FROM Customer WHERE Active IN (true, false) AND DisplayName = 'Amy\'s Bird Sanctuary'");
//! ```

use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};

/// A `SELECT` over one entity. Conditions are AND-ed (QuickBooks has no `OR`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    entity: String,
    extra_columns: Vec<String>,
    conditions: Vec<String>,
    order_by: Option<String>,
}

impl Query {
    /// `SELECT * FROM <entity>`.
    pub fn from(entity: impl Into<String>) -> Self {
        Self {
            entity: entity.into(),
            extra_columns: Vec::new(),
            conditions: Vec::new(),
            order_by: None,
        }
    }

    /// Adds a column after `*` (`SELECT *, Sku FROM Item` returns SKUs).
    #[must_use]
    pub fn also_select(mut self, column: impl Into<String>) -> Self {
        self.extra_columns.push(column.into());
        self
    }

    /// Returns inactive records too (`Active IN (true, false)`); plain queries return only
    /// active ones.
    #[must_use]
    pub fn include_inactive(mut self) -> Self {
        self.conditions.push("Active IN (true, false)".to_owned());
        self
    }

    /// `field = 'value'` (quoted and escaped).
    #[must_use]
    pub fn where_eq(mut self, field: &str, value: &str) -> Self {
        self.conditions.push(format!("{field} = {}", quote(value)));
        self
    }

    /// `MetaData.LastUpdatedTime > '<since>'`.
    #[must_use]
    pub fn updated_after(mut self, since: DateTime<Utc>) -> Self {
        self.conditions.push(format!(
            "MetaData.LastUpdatedTime > '{}'",
            since.to_rfc3339_opts(SecondsFormat::Secs, false)
        ));
        self
    }

    /// A raw condition, AND-ed with the others. Quote values with [`quote`].
    #[must_use]
    pub fn where_raw(mut self, condition: impl Into<String>) -> Self {
        self.conditions.push(condition.into());
        self
    }

    /// `ORDERBY <field>`.
    #[must_use]
    pub fn order_by(mut self, field: impl Into<String>) -> Self {
        self.order_by = Some(field.into());
        self
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SELECT *")?;
        for column in &self.extra_columns {
            write!(f, ", {column}")?;
        }
        write!(f, " FROM {}", self.entity)?;
        if !self.conditions.is_empty() {
            write!(f, " WHERE {}", self.conditions.join(" AND "))?;
        }
        if let Some(order) = &self.order_by {
            write!(f, " ORDERBY {order}")?;
        }
        Ok(())
    }
}

/// Quotes a string for a query: `'…'` with `\` and `'` escaped by a backslash.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if c == '\'' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
    out
}
