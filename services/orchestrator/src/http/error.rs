//! The API's one error type: JSON bodies with a stable snake_case `error` code, a message,
//! the offending field when there is one, and the request id.
//!
//! ```json
//! {"error": "validation_failed", "message": "must be https", "field": "public_url", "request_id": "0193…"}
//! ```

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use super::request_id::current_request_id;

/// The body of every error response.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code, snake_case.
    #[schema(example = "validation_failed")]
    pub error: String,
    /// What went wrong, for people.
    pub message: String,
    /// The offending field, as a dotted path, when one is to blame.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The request's id (also in the `x-request-id` header), for support.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// An error answered to an API client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// The input is invalid (422).
    #[error("{message}")]
    Validation {
        /// Dotted path of the field.
        field: Option<String>,
        /// Why.
        message: String,
    },
    /// The request is malformed (400): bad JSON, a bad query string.
    #[error("{0}")]
    BadRequest(String),
    /// No or bad credentials (401).
    #[error("{0}")]
    Unauthorized(String),
    /// Authenticated but not allowed (403).
    #[error("{0}")]
    Forbidden(String),
    /// Not found, or not visible to this caller (404).
    #[error("{0}")]
    NotFound(String),
    /// Conflicts with the current state (409).
    #[error("{0}")]
    Conflict(String),
    /// The body is too large (413).
    #[error("{0}")]
    PayloadTooLarge(String),
    /// Too many requests (429).
    #[error("{0}")]
    RateLimited(String),
    /// A dependency is unavailable (503).
    #[error("{0}")]
    Unavailable(String),
    /// Something unexpected; the details are logged, not returned (500).
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    /// A validation error on `field`.
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Validation {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// An unexpected error: logs `cause` with its chain and answers an opaque 500.
    #[track_caller]
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        let location = std::panic::Location::caller();
        tracing::error!(%location, error = %cause, "internal error");
        ApiError::Internal(cause.to_string())
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Validation { .. } => "validation_failed",
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::Conflict(_) => "conflict",
            ApiError::PayloadTooLarge(_) => "payload_too_large",
            ApiError::RateLimited(_) => "rate_limited",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal_error",
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let field = match self {
            ApiError::Validation { field, .. } => field.clone(),
            _ => None,
        };
        HttpResponse::build(self.status_code()).json(ErrorBody {
            error: self.code().to_owned(),
            message: self.to_string(),
            field,
            request_id: current_request_id(),
        })
    }
}

impl From<sea_orm::DbErr> for ApiError {
    #[track_caller]
    fn from(e: sea_orm::DbErr) -> Self {
        ApiError::internal(e)
    }
}

impl From<flux_core::ProviderError> for ApiError {
    fn from(e: flux_core::ProviderError) -> Self {
        use flux_core::ErrorKind;
        match e.kind() {
            ErrorKind::Validation => ApiError::Validation {
                field: e.field_errors().first().map(|f| f.field.clone()),
                message: e.to_string(),
            },
            ErrorKind::Auth => ApiError::Validation {
                field: Some("credentials".into()),
                message: e.to_string(),
            },
            ErrorKind::NotFound => ApiError::NotFound(e.to_string()),
            ErrorKind::Conflict => ApiError::Conflict(e.to_string()),
            ErrorKind::RateLimited => ApiError::RateLimited(e.to_string()),
            _ if e.is_retryable() => ApiError::Unavailable(e.to_string()),
            _ => ApiError::Validation {
                field: None,
                message: e.to_string(),
            },
        }
    }
}

/// Turns actix's JSON extractor failures into our error shape.
pub fn json_error(
    err: actix_web::error::JsonPayloadError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as E;
    let api = match &err {
        E::OverflowKnownLength { length, limit } => {
            ApiError::PayloadTooLarge(format!("the body is {length} bytes; the limit is {limit}"))
        }
        E::Overflow { limit } => {
            ApiError::PayloadTooLarge(format!("the body exceeds the limit of {limit} bytes"))
        }
        E::ContentType => ApiError::BadRequest("expected Content-Type: application/json".into()),
        E::Deserialize(e) => ApiError::Validation {
            field: None,
            message: format!("invalid JSON body: {e}"),
        },
        other => ApiError::BadRequest(format!("could not read the body: {other}")),
    };
    api.into()
}

/// Turns query-string extractor failures into our error shape.
pub fn query_error(
    err: actix_web::error::QueryPayloadError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    ApiError::BadRequest(format!("invalid query string: {err}")).into()
}

/// Turns path extractor failures into our error shape.
pub fn path_error(
    err: actix_web::error::PathError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    ApiError::NotFound(format!("invalid path: {err}")).into()
}
