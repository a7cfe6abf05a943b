//! [`SamedayError`], the one error of this crate, and its classification as
//! [`flux_core::ProviderError`].
//!
//! Sameday answers errors with HTTP status codes (SDK `SamedayClient::sendRequest`):
//!
//! | status | variant | [`ErrorKind`] |
//! |---|---|---|
//! | 400 with an `errors.children` tree | [`SamedayError::BadRequest`] with field paths | `Validation` (`Conflict` for `awb.not_unique`) |
//! | 400 without a tree (`{"code":400,"message":"No data found for current user."}`) | [`SamedayError::BadRequest`] | `Validation` |
//! | 401 / 403 (after one re-login) | [`SamedayError::Auth`] | `Auth` |
//! | 404 | [`SamedayError::NotFound`] | `NotFound` |
//! | 429, 5xx, timeouts, decode failures, anything else | [`SamedayError::Http`] | as [`flux_http::HttpError::into_provider_error`] |

use flux_core::{ErrorKind, FieldError, ProviderError};
use flux_http::HttpError;
use serde_json::Value;

use crate::PROVIDER;
use crate::form::FormError;

/// Everything that can go wrong talking to Sameday.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum SamedayError {
    /// HTTP 400: Sameday rejected the input. `fields` is the flattened `errors.children`
    /// tree: one entry per message, with a dotted path such as `awbRecipient.cityString`.
    #[error("Sameday rejected the request: {message}{}", fields_note(.fields))]
    BadRequest {
        /// The top-level `message` (`"Validation Failed"`).
        message: String,
        /// One entry per rejected field and message.
        fields: Vec<FieldError>,
    },

    /// HTTP 401 or 403 even after logging in again, or a failed login: the username or
    /// password is wrong, or the account may not use this resource.
    #[error("Sameday refused the credentials (HTTP {status}): {message}")]
    Auth {
        /// 401 or 403.
        status: u16,
        /// Sameday's message, if it gave one.
        message: String,
    },

    /// HTTP 404: the AWB, parcel or pickup point does not exist (for this account).
    #[error("not found at Sameday: {message}")]
    NotFound {
        /// What was asked for, and Sameday's message.
        message: String,
    },

    /// Input this crate refused before sending anything (a locker service without a
    /// locker id, an unknown service code, an address Sameday cannot route).
    #[error("invalid input: {}", fields_list(.fields))]
    InvalidInput {
        /// The offending fields, named as in the flux-core request.
        fields: Vec<FieldError>,
    },

    /// The client is misconfigured (a bad base URL, empty credentials).
    #[error("configuration error: {0}")]
    Configuration(String),

    /// The transport failed, Sameday answered an unexpected status (429, 5xx, ...), or the
    /// answer did not decode. Ask it [`HttpError::maybe_sent`] and friends.
    #[error(transparent)]
    Http(#[from] HttpError),
}

fn fields_list(fields: &[FieldError]) -> String {
    fields
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

fn fields_note(fields: &[FieldError]) -> String {
    if fields.is_empty() {
        String::new()
    } else {
        format!(" ({})", fields_list(fields))
    }
}

impl SamedayError {
    /// A validation error on one field of our own input.
    pub(crate) fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        SamedayError::InvalidInput {
            fields: vec![FieldError::new(field, message)],
        }
    }

    /// The rejected fields, for [`BadRequest`](Self::BadRequest) and
    /// [`InvalidInput`](Self::InvalidInput).
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            SamedayError::BadRequest { fields, .. } | SamedayError::InvalidInput { fields } => {
                fields
            }
            _ => &[],
        }
    }

    /// Whether Sameday said `clientInternalReference` (or another unique field) is taken.
    pub fn is_duplicate(&self) -> bool {
        self.field_errors()
            .iter()
            .any(|f| f.message.contains("not_unique"))
    }
}

impl From<FormError> for SamedayError {
    fn from(err: FormError) -> Self {
        SamedayError::Configuration(err.to_string())
    }
}

/// Flattens a Sameday 400 body into field errors, the way the PHP SDK's `parseErrors`
/// walks it: every `errors.children` / `children` level adds a path segment, and every
/// `errors` list holds the messages for that path.
///
/// ```text
/// {"code":400,"message":"Validation Failed","errors":{"children":{
///    "pickupPoint":{"errors":["The given pickupPoint is invalid!"]},
///    "thirdParty":{"children":{"city":{"errors":["Invalid city."]}}}}}}
/// ```
/// gives `pickupPoint: The given pickupPoint is invalid!` and `thirdParty.city: Invalid city.`.
/// Numeric segments (list positions) are written as `parcels[0].weight`.
pub fn flatten_validation_errors(body: &Value) -> Vec<FieldError> {
    let mut out = Vec::new();
    walk(body, &mut Vec::new(), &mut out);
    out
}

fn walk(node: &Value, path: &mut Vec<String>, out: &mut Vec<FieldError>) {
    let Some(obj) = node.as_object() else {
        return;
    };
    if let Some(errors) = obj.get("errors") {
        match errors {
            Value::Object(e) if e.contains_key("children") => {
                walk_children(e.get("children"), path, out);
            }
            Value::Object(e) => {
                // Form-level messages may sit beside children: {"errors":["..."],"children":{}}.
                if let Some(list) = e.get("errors") {
                    push_messages(list, path, out);
                }
            }
            other => push_messages(other, path, out),
        }
    }
    if obj.contains_key("children") {
        walk_children(obj.get("children"), path, out);
    }
}

fn walk_children(children: Option<&Value>, path: &mut Vec<String>, out: &mut Vec<FieldError>) {
    match children {
        Some(Value::Object(map)) => {
            for (name, child) in map {
                path.push(name.clone());
                walk(child, path, out);
                path.pop();
            }
        }
        Some(Value::Array(list)) => {
            for (i, child) in list.iter().enumerate() {
                path.push(i.to_string());
                walk(child, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn push_messages(list: &Value, path: &[String], out: &mut Vec<FieldError>) {
    let field = join_path(path);
    match list {
        Value::Array(items) => {
            for item in items {
                let message = match item {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                out.push(FieldError::new(field.clone(), message));
            }
        }
        Value::String(s) => out.push(FieldError::new(field, s.clone())),
        _ => {}
    }
}

fn join_path(path: &[String]) -> String {
    let mut s = String::new();
    for seg in path {
        if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
            s.push('[');
            s.push_str(seg);
            s.push(']');
        } else {
            if !s.is_empty() {
                s.push('.');
            }
            s.push_str(seg);
        }
    }
    if s.is_empty() {
        "(request)".to_owned()
    } else {
        s
    }
}

/// Builds the error for a 400 body.
pub(crate) fn bad_request(body: &[u8]) -> SamedayError {
    let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let message = json
        .get("message")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| String::from_utf8_lossy(body).chars().take(300).collect());
    SamedayError::BadRequest {
        message,
        fields: flatten_validation_errors(&json),
    }
}

/// Sameday's `message` from an error body, or a piece of the body.
pub(crate) fn body_message(body: &[u8]) -> String {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_else(|| String::from_utf8_lossy(body).chars().take(300).collect())
}

impl From<SamedayError> for ProviderError {
    fn from(err: SamedayError) -> Self {
        match err {
            SamedayError::Http(http) => http.into_provider_error(PROVIDER),
            SamedayError::BadRequest {
                ref message,
                ref fields,
            } => {
                let duplicate = err.is_duplicate();
                let kind = if duplicate {
                    ErrorKind::Conflict
                } else {
                    ErrorKind::Validation
                };
                let text = if fields.is_empty() {
                    message.clone()
                } else {
                    fields_list(fields)
                };
                let mut out = ProviderError::new(kind, PROVIDER, text)
                    .with_http_status(400)
                    .with_provider_code(if duplicate { "not_unique" } else { "400" });
                for f in fields {
                    out = out.with_field_error(f.clone());
                }
                out.with_source(err)
            }
            SamedayError::InvalidInput { fields } => {
                ProviderError::validation_fields(PROVIDER, fields)
            }
            SamedayError::Auth { status, .. } => {
                ProviderError::new(ErrorKind::Auth, PROVIDER, err.to_string())
                    .with_http_status(status)
                    .with_source(err)
            }
            SamedayError::NotFound { .. } => {
                ProviderError::new(ErrorKind::NotFound, PROVIDER, err.to_string())
                    .with_http_status(404)
                    .with_source(err)
            }
            SamedayError::Configuration(_) => {
                ProviderError::new(ErrorKind::Configuration, PROVIDER, err.to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flattens_the_symfony_tree() {
        let body = json!({"code":400,"message":"Validation Failed","errors":{"children":{
            "pickupPoint":{"errors":["The given pickupPoint is invalid!"]},
            "service":{},
            "thirdParty":{"children":{"city":{"errors":["Invalid city."]}}},
            "parcels":{"children":[{"children":{"weight":{"errors":["Too heavy.","Really."]}}}]}
        }}});
        let fields = flatten_validation_errors(&body);
        let mut pairs: Vec<(String, String)> =
            fields.into_iter().map(|f| (f.field, f.message)).collect();
        pairs.sort();
        assert_eq!(
            pairs,
            vec![
                ("parcels[0].weight".to_owned(), "Really.".to_owned()),
                ("parcels[0].weight".to_owned(), "Too heavy.".to_owned()),
                (
                    "pickupPoint".to_owned(),
                    "The given pickupPoint is invalid!".to_owned()
                ),
                ("thirdParty.city".to_owned(), "Invalid city.".to_owned()),
            ]
        );
    }

    #[test]
    fn a_bare_message_has_no_fields() {
        let err = bad_request(br#"{"code":400,"message":"No data found for current user."}"#);
        assert!(err.field_errors().is_empty());
        let p: ProviderError = err.into();
        assert!(p.is_validation());
        assert_eq!(p.message(), "No data found for current user.");
    }

    #[test]
    fn not_unique_reference_is_a_conflict() {
        let err = bad_request(
            br#"{"code":400,"message":"Validation Failed","errors":{"children":{"clientInternalReference":{"errors":["awb.not_unique"]}}}}"#,
        );
        assert!(err.is_duplicate());
        let p: ProviderError = err.into();
        assert_eq!(p.kind(), ErrorKind::Conflict);
        assert_eq!(p.field_errors()[0].field, "clientInternalReference");
        assert!(!p.is_retryable());
    }
}
