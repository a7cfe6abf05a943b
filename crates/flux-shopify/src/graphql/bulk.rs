//! Bulk operations: start a bulk query, poll it, download and parse the JSONL.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::client::AdminClient;
use crate::error::ShopifyError;

open_enum! {
    /// `BulkOperationStatus`.
    BulkOperationStatus {
        /// Cancelled.
        Canceled = "CANCELED",
        /// Cancellation started.
        Canceling = "CANCELING",
        /// Finished; `url` holds the results.
        Completed = "COMPLETED",
        /// Created, not started.
        Created = "CREATED",
        /// The result URL expired.
        Expired = "EXPIRED",
        /// Failed; see `errorCode`.
        Failed = "FAILED",
        /// Running.
        Running = "RUNNING",
    }
}

impl BulkOperationStatus {
    /// Whether the operation will not change any more.
    pub fn is_final(&self) -> bool {
        !matches!(self, Self::Created | Self::Running | Self::Canceling)
    }
}

/// A `BulkOperation`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BulkOperation {
    /// The GID.
    pub id: String,
    /// The status.
    pub status: BulkOperationStatus,
    /// `errorCode` of a failed operation (`ACCESS_DENIED`, `INTERNAL_SERVER_ERROR`, `TIMEOUT`).
    #[serde(default)]
    pub error_code: Option<String>,
    /// When it was created.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// When it completed.
    #[serde(default)]
    pub completed_at: Option<DateTime<Utc>>,
    /// Objects processed so far (an `UnsignedInt64` sent as a string).
    #[serde(default)]
    pub object_count: Option<String>,
    /// Size of the result file in bytes.
    #[serde(default)]
    pub file_size: Option<String>,
    /// The JSONL result URL (expires after 7 days).
    #[serde(default)]
    pub url: Option<String>,
    /// Partial results of a failed operation.
    #[serde(default)]
    pub partial_data_url: Option<String>,
}

const BULK_FIELDS: &str =
    "id status errorCode createdAt completedAt objectCount fileSize url partialDataUrl";

/// Parses JSONL (one JSON object per line; children of nested connections are separate
/// lines carrying `__parentId`). Blank lines are skipped.
///
/// # Errors
/// [`ShopifyError::Decode`] naming the line that failed.
pub fn parse_jsonl<T: DeserializeOwned>(text: &str) -> Result<Vec<T>, ShopifyError> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            let de = &mut serde_json::Deserializer::from_str(line);
            serde_path_to_error::deserialize(de).map_err(|e| ShopifyError::Decode {
                path: format!("line {}: {}", i + 1, e.path()),
                message: e.inner().to_string(),
            })
        })
        .collect()
}

impl AdminClient {
    /// Starts a bulk query (`bulkOperationRunQuery`, `groupObjects: false`). The query
    /// must contain at least one connection.
    ///
    /// # Errors
    /// [`ShopifyError::UserErrors`] (e.g. another bulk query is already running), and
    /// those of [`graphql`](Self::graphql).
    pub async fn run_bulk_query(&self, query: &str) -> Result<BulkOperation, ShopifyError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Payload {
            bulk_operation: BulkOperation,
        }
        let document = format!(
            "mutation RunBulk($query: String!) {{ bulkOperationRunQuery(query: $query, groupObjects: false) {{ bulkOperation {{ {BULK_FIELDS} }} userErrors {{ field message code }} }} }}"
        );
        let payload: Payload = self
            .mutation(
                &document,
                json!({ "query": query }),
                "bulkOperationRunQuery",
            )
            .await?;
        Ok(payload.bulk_operation)
    }

    /// The current state of a bulk operation.
    ///
    /// # Errors
    /// [`ShopifyError::Graphql`] with `NOT_FOUND`-like errors when the id is unknown,
    /// and those of [`graphql`](Self::graphql).
    pub async fn bulk_operation(&self, id: &str) -> Result<BulkOperation, ShopifyError> {
        let document = format!(
            "query BulkOp($id: ID!) {{ node(id: $id) {{ ... on BulkOperation {{ {BULK_FIELDS} }} }} }}"
        );
        let op: Option<BulkOperation> = self
            .query_at(&document, json!({ "id": id }), &["node"])
            .await?;
        op.ok_or_else(|| ShopifyError::BulkOperationFailed {
            id: id.to_owned(),
            status: "NOT_FOUND".into(),
            error_code: None,
        })
    }

    /// Polls until the operation reaches a final status (every `poll_every`, at most
    /// `timeout`).
    ///
    /// # Errors
    /// [`ShopifyError::BulkOperationFailed`] when it ends other than `COMPLETED` or does
    /// not finish in time.
    pub async fn wait_for_bulk_operation(
        &self,
        id: &str,
        poll_every: Duration,
        timeout: Duration,
    ) -> Result<BulkOperation, ShopifyError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let op = self.bulk_operation(id).await?;
            if op.status == BulkOperationStatus::Completed {
                return Ok(op);
            }
            if op.status.is_final() {
                return Err(ShopifyError::BulkOperationFailed {
                    id: op.id,
                    status: op.status.to_string(),
                    error_code: op.error_code,
                });
            }
            if tokio::time::Instant::now() + poll_every > deadline {
                return Err(ShopifyError::BulkOperationFailed {
                    id: op.id,
                    status: format!("{} (still running after {timeout:?})", op.status),
                    error_code: None,
                });
            }
            tokio::time::sleep(poll_every).await;
        }
    }

    /// Downloads a completed operation's JSONL and parses each line into `T`. An
    /// operation that returned no data has no URL: the result is empty.
    ///
    /// # Errors
    /// [`ShopifyError::Http`] for the download, [`ShopifyError::Decode`] per line.
    pub async fn download_bulk_results<T: DeserializeOwned>(
        &self,
        operation: &BulkOperation,
    ) -> Result<Vec<T>, ShopifyError> {
        let Some(url) = &operation.url else {
            return Ok(Vec::new());
        };
        let url = url::Url::parse(url).map_err(|e| ShopifyError::Decode {
            path: "url".into(),
            message: e.to_string(),
        })?;
        let bytes = self.download(url).await?;
        parse_jsonl(&String::from_utf8_lossy(&bytes))
    }
}
