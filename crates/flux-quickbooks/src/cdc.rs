//! Change data capture: every record of the listed entities changed since a time (at
//! most 30 days back; at most 1,000 objects per response, shared by all entities).

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;

use crate::client::{DeletedRecord, QuickBooksClient, check_id, from_value};
use crate::error::QuickBooksError;
use crate::types::Entity;

/// How far back CDC reaches.
pub const CDC_MAX_DAYS: i64 = 30;
/// The most objects one CDC response holds.
pub const CDC_MAX_OBJECTS: usize = 1000;

/// The changes a CDC call returned.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ChangeSet {
    changed: BTreeMap<String, Vec<Value>>,
    deleted: Vec<DeletedRecord>,
}

impl ChangeSet {
    /// The changed (created, updated, deactivated) records of entity `E`.
    ///
    /// # Errors
    /// [`QuickBooksError::Decode`] when a record does not decode.
    pub fn changed<E: Entity>(&self) -> Result<Vec<E>, QuickBooksError> {
        self.changed
            .get(E::NAME)
            .map(|rows| rows.iter().cloned().map(from_value).collect())
            .unwrap_or_else(|| Ok(Vec::new()))
    }

    /// Deleted records (stubs with `"status": "Deleted"`).
    pub fn deleted(&self) -> &[DeletedRecord] {
        &self.deleted
    }

    /// How many objects came back (changed and deleted); at
    /// [`CDC_MAX_OBJECTS`] the window was probably cut short.
    pub fn len(&self) -> usize {
        self.changed.values().map(Vec::len).sum::<usize>() + self.deleted.len()
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl QuickBooksClient {
    /// Records of `entities` (`["Customer", "Item"]`) changed since `since`.
    ///
    /// # Errors
    /// [`QuickBooksError::InvalidInput`] when `since` is more than 30 days ago or no entity
    /// is named.
    pub async fn cdc(
        &self,
        entities: &[&str],
        since: DateTime<Utc>,
    ) -> Result<ChangeSet, QuickBooksError> {
        if entities.is_empty() {
            return Err(QuickBooksError::invalid(
                "entities",
                "name at least one entity",
            ));
        }
        for entity in entities {
            check_id(entity).map_err(|_| {
                QuickBooksError::invalid("entities", format!("{entity:?} is not an entity name"))
            })?;
        }
        if Utc::now() - since > chrono::Duration::days(CDC_MAX_DAYS) {
            return Err(QuickBooksError::invalid(
                "changed_since",
                "change data capture reaches back 30 days at most; use a query",
            ));
        }
        let body = self
            .get_cdc(
                &entities.join(","),
                &since.to_rfc3339_opts(SecondsFormat::Secs, false),
            )
            .await?;
        Ok(parse_change_set(&body))
    }
}

pub(crate) fn parse_change_set(body: &Value) -> ChangeSet {
    let mut set = ChangeSet::default();
    let responses = body
        .get("CDCResponse")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    for response in responses {
        let queries = response
            .get("QueryResponse")
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        for query in queries {
            let Some(object) = query.as_object() else {
                continue;
            };
            for (name, rows) in object {
                let Some(rows) = rows.as_array() else {
                    continue;
                };
                for row in rows {
                    let status = row.get("status").and_then(Value::as_str);
                    if status == Some("Deleted") {
                        set.deleted.push(DeletedRecord {
                            entity: name.clone(),
                            id: id_of(row),
                            status: "Deleted".to_owned(),
                        });
                    } else {
                        set.changed
                            .entry(name.clone())
                            .or_default()
                            .push(row.clone());
                    }
                }
            }
        }
    }
    set
}

fn id_of(row: &Value) -> String {
    match row.get("Id") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}
