//! [`CargusError`]: every way a Cargus call fails, and its classification as a
//! [`flux_core::ProviderError`].
//!
//! Cargus answers failures with a meaningful HTTP status and a body in one of several
//! shapes, all of which are read here:
//!
//! - `{"message": "…"}` from the Azure API Management gateway (bad subscription key, 401, 429);
//! - `{"Error": "…"}` from the API itself;
//! - ASP.NET's `{"Message": "…", "ModelState": {"awb.Recipient.Name": ["…"]}}`, whose keys
//!   become field paths;
//! - a JSON array of messages (strings or objects with a message);
//! - a bare JSON string (`"Failed to authenticate!"`) or plain text.

use std::time::Duration;

use flux_core::{ErrorKind, FieldError, ProviderError};
use flux_http::{HttpError, Response};
use serde_json::Value;

use crate::PROVIDER;

/// The body Cargus sends instead of (or with) a 401 when the token is no longer valid.
pub(crate) const FAILED_TO_AUTHENTICATE: &str = "Failed to authenticate!";

/// An error from the Cargus API or from this crate's checks before calling it.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum CargusError {
    /// Cargus answered with a non-success status. The body's message and field paths are
    /// kept.
    #[error("Cargus answered HTTP {status}: {message}")]
    Api {
        /// The HTTP status.
        status: u16,
        /// The message(s) from the body, joined with `; `.
        message: String,
        /// Fields Cargus named (from an ASP.NET `ModelState`).
        fields: Vec<FieldError>,
        /// The `Retry-After` wait, on 429.
        retry_after: Option<Duration>,
        /// The gateway's request id, for support tickets.
        request_id: Option<String>,
    },
    /// The subscription key, the user name or the password was refused (also after one
    /// fresh login following a 401).
    #[error("Cargus refused the credentials (HTTP {status}): {message}")]
    Auth {
        /// The HTTP status (401 or 403, or 400 from `LoginUser`).
        status: u16,
        /// Cargus's message.
        message: String,
    },
    /// The request breaks a Cargus rule that this crate checks before sending (too many
    /// pieces or envelopes, a pallet service with several parcels, a missing pickup
    /// location, a non-RON amount…).
    #[error("invalid Cargus request: {}", join_fields(.fields))]
    Validation {
        /// Every problem found, with the field path.
        fields: Vec<FieldError>,
    },
    /// `DELETE Awbs` answered `false`: the AWB already has a checkpoint (the courier has
    /// scanned it), so it can no longer be deleted.
    #[error(
        "AWB {barcode} cannot be deleted: Cargus answered false because it already has a checkpoint (the courier has scanned it)"
    )]
    AwbAlreadyMoved {
        /// The AWB barcode.
        barcode: String,
    },
    /// Cargus answered 200 with a body this crate could not use (an empty barcode, a
    /// label that is not base64…).
    #[error("unexpected Cargus response: {message}")]
    UnexpectedResponse {
        /// What was wrong.
        message: String,
        /// Whether the call may have had its effect (true for AWB creation).
        maybe_sent: bool,
    },
    /// The operation or option is not offered by Cargus (or by this crate).
    #[error("Cargus does not support {operation}")]
    Unsupported {
        /// What was asked.
        operation: String,
    },
    /// The transport failed (connect, timeout, decode…); see [`HttpError`].
    #[error(transparent)]
    Http(#[from] HttpError),
}

fn join_fields(fields: &[FieldError]) -> String {
    fields
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl CargusError {
    /// A validation error on one field.
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation {
            fields: vec![FieldError::new(field, message)],
        }
    }

    /// The HTTP status Cargus answered with, if any.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } | Self::Auth { status, .. } => Some(*status),
            Self::Http(e) => e.status().map(|s| s.as_u16()),
            _ => None,
        }
    }

    /// Builds the error for a non-success response, reading every body shape.
    pub(crate) fn from_response(response: &Response) -> Self {
        let status = response.status().as_u16();
        let parsed = ErrorBody::parse(&response.text());
        if status == 401 || status == 403 || parsed.is_auth_failure() {
            return Self::Auth {
                status,
                message: parsed.message_or(response.status().canonical_reason()),
            };
        }
        Self::Api {
            status,
            message: parsed.message_or(response.status().canonical_reason()),
            fields: parsed.fields,
            retry_after: response.retry_after(),
            request_id: response.request_id().map(str::to_owned),
        }
    }
}

/// The message and field errors read from an error body.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct ErrorBody {
    pub(crate) messages: Vec<String>,
    pub(crate) fields: Vec<FieldError>,
}

impl ErrorBody {
    /// Reads `{"message"}`, `{"Message","ModelState"}`, `{"Error"}`, arrays, bare JSON
    /// strings and plain text.
    pub(crate) fn parse(body: &str) -> Self {
        let body = body.trim();
        let mut out = ErrorBody::default();
        if body.is_empty() {
            return out;
        }
        match serde_json::from_str::<Value>(body) {
            Ok(value) => out.collect(&value),
            Err(_) => out.messages.push(truncate(body, 500)),
        }
        out
    }

    fn collect(&mut self, value: &Value) {
        match value {
            Value::String(s) if !s.trim().is_empty() => self.messages.push(s.trim().to_owned()),
            Value::Array(items) => items.iter().for_each(|v| self.collect(v)),
            Value::Object(map) => {
                let mut found = false;
                for (key, v) in map {
                    let lower = key.to_ascii_lowercase();
                    match lower.as_str() {
                        "message" | "error" | "errormessage" | "exceptionmessage"
                        | "error_description" | "detail" | "title" => {
                            if let Some(s) = v.as_str() {
                                if !s.trim().is_empty()
                                    && !self.messages.iter().any(|m| m == s.trim())
                                {
                                    self.messages.push(s.trim().to_owned());
                                }
                                found = true;
                            } else if v.is_object() || v.is_array() {
                                self.collect(v);
                                found = true;
                            }
                        }
                        "modelstate" | "errors" => {
                            if let Value::Object(fields) = v {
                                for (field, msgs) in fields {
                                    let path = field_path(field);
                                    let mut texts = Vec::new();
                                    collect_strings(msgs, &mut texts);
                                    for text in texts {
                                        self.fields.push(FieldError::new(path.clone(), text));
                                    }
                                }
                                found = true;
                            } else {
                                self.collect(v);
                                found = true;
                            }
                        }
                        _ => {}
                    }
                }
                if !found {
                    self.messages.push(truncate(&value.to_string(), 500));
                }
            }
            Value::Null => {}
            other => self.messages.push(other.to_string()),
        }
    }

    /// Whether the body says the token was refused.
    pub(crate) fn is_auth_failure(&self) -> bool {
        self.messages
            .iter()
            .any(|m| m.eq_ignore_ascii_case(FAILED_TO_AUTHENTICATE))
    }

    /// All messages (and field errors) joined, or `fallback`.
    pub(crate) fn message_or(&self, fallback: Option<&str>) -> String {
        let mut parts = self.messages.clone();
        parts.extend(self.fields.iter().map(ToString::to_string));
        if parts.is_empty() {
            fallback.unwrap_or("no details").to_owned()
        } else {
            parts.join("; ")
        }
    }
}

fn collect_strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| collect_strings(v, out)),
        Value::Null => {}
        other => out.push(other.to_string()),
    }
}

/// `awb.Recipient.Name` / `model.ParcelCodes[0].Weight` → `Recipient.Name` /
/// `ParcelCodes[0].Weight`.
fn field_path(key: &str) -> String {
    let key = key.trim();
    for prefix in ["awb.", "model.", "request.", "value."] {
        if key.len() > prefix.len() && key[..prefix.len()].eq_ignore_ascii_case(prefix) {
            return key[prefix.len()..].to_owned();
        }
    }
    key.to_owned()
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

impl From<CargusError> for ProviderError {
    fn from(err: CargusError) -> Self {
        match err {
            CargusError::Api {
                status,
                ref message,
                ref fields,
                retry_after,
                ..
            } => {
                let (kind, maybe_sent) = match status {
                    400 | 422 => (ErrorKind::Validation, false),
                    401 | 403 => (ErrorKind::Auth, false),
                    404 | 410 => (ErrorKind::NotFound, false),
                    409 => (ErrorKind::Conflict, false),
                    429 => (ErrorKind::RateLimited, false),
                    408 | 503 => (ErrorKind::Unavailable, false),
                    500..=599 => (ErrorKind::Unavailable, true),
                    _ => (ErrorKind::Rejected, false),
                };
                let mut out = ProviderError::new(kind, PROVIDER, message.clone())
                    .with_http_status(status)
                    .with_maybe_sent(maybe_sent);
                for field in fields {
                    out = out.with_field_error(field.clone());
                }
                if let Some(wait) = retry_after {
                    out = out.with_retry_after(wait);
                }
                out.with_source(err)
            }
            CargusError::Auth { status, .. } => {
                ProviderError::new(ErrorKind::Auth, PROVIDER, err.to_string())
                    .with_http_status(status)
                    .with_source(err)
            }
            CargusError::Validation { fields } => {
                ProviderError::validation_fields(PROVIDER, fields)
            }
            CargusError::AwbAlreadyMoved { .. } => {
                ProviderError::new(ErrorKind::Conflict, PROVIDER, err.to_string()).with_source(err)
            }
            CargusError::UnexpectedResponse { maybe_sent, .. } => {
                ProviderError::new(ErrorKind::Decode, PROVIDER, err.to_string())
                    .with_maybe_sent(maybe_sent)
                    .with_source(err)
            }
            CargusError::Unsupported { ref operation } => {
                ProviderError::unsupported(PROVIDER, operation)
            }
            CargusError::Http(http) => http.into_provider_error(PROVIDER),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_body_shape() {
        assert_eq!(
            ErrorBody::parse(r#"{"message":"Access denied due to invalid subscription key."}"#)
                .messages,
            vec!["Access denied due to invalid subscription key."]
        );
        assert_eq!(
            ErrorBody::parse(r#"{"Error":"Localitatea nu exista"}"#).messages,
            vec!["Localitatea nu exista"]
        );
        assert_eq!(
            ErrorBody::parse(r#"["Greutatea este obligatorie","Telefon invalid"]"#).messages,
            vec!["Greutatea este obligatorie", "Telefon invalid"]
        );
        assert!(ErrorBody::parse(r#""Failed to authenticate!""#).is_auth_failure());
        assert_eq!(
            ErrorBody::parse("Bad Gateway").messages,
            vec!["Bad Gateway"]
        );
        let model = ErrorBody::parse(
            r#"{"Message":"The request is invalid.","ModelState":{"awb.Recipient.PhoneNumber":["Phone is required"]}}"#,
        );
        assert_eq!(model.messages, vec!["The request is invalid."]);
        assert_eq!(model.fields[0].field, "Recipient.PhoneNumber");
        assert!(ErrorBody::parse("").messages.is_empty());
    }
}
