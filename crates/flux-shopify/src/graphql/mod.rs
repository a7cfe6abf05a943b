//! The Admin GraphQL client: cost-aware throttling, typed errors, cursor pagination as
//! a stream, and bulk operations.

mod bulk;
mod client;
mod errors;
mod throttle;

pub use bulk::{BulkOperation, BulkOperationStatus, parse_jsonl};
pub use client::{AdminClient, GraphqlResponse};
pub use errors::{GraphqlError, UserError};
pub(crate) use throttle::ShopThrottles;
pub use throttle::{QueryCost, ThrottleStatus};
