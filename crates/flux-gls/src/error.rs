//! Errors: MyGLS answers HTTP 200 with a method-specific error list
//! (`PrintLabelsErrorList`, `PrepareLabelsError`, `GetPrintedLabelsErrorList`,
//! `DeleteLabelsErrorList`, `ModifyCODError`, `GetParcelStatusErrors`,
//! `GetParcelListErrors`, `GetPrintDataErrorList`, `GetParcelListStatusesErrors`).
//! Every call checks its list; the codes of the documentation's Appendix A become
//! [`ErrorCode`] and then specific [`GlsError`] variants.
//!
//! | code | meaning | [`flux_core::ErrorKind`] |
//! |---|---|---|
//! | -1, 14 | login refused (or account locked) | `Auth`, never retried |
//! | 15, 27 | not authorised | `Auth` |
//! | 4, 9, 10, 26 | parcel id / number unknown, not assigned yet, not found | `NotFound` |
//! | 5 | the parcel belongs to another account | `NotFound` |
//! | 6 | parcel not in PRINTED state (already picked up, or already deleted) | `Conflict` |
//! | 18 | label already generated (printed once) | `Conflict` |
//! | 8, 13, 22, 23, 28, 29, 32, 33, 34, 48 | input rejected | `Validation`, with the GLS field |
//! | 31 | the same request sent too often; wait 5 minutes | `RateLimited` (retry after 300 s) |
//! | 1000, 1001 | internal error | `Unavailable` |
//! | 16, 19, 20, 21 | label/parcel number generation failed | `Rejected` |
//!
//! On the methods that create parcels (`PrintLabels`, `PrepareLabels`), codes 16, 19,
//! 20, 21, 31, 1000 and 1001 leave the outcome unknown (the parcel record may exist), so
//! they are `maybe_sent`.

use std::fmt;
use std::time::Duration;

use flux_core::{ErrorKind, FieldError, ProviderError};
use flux_http::HttpError;
use serde::{Deserialize, Serialize};

use crate::PROVIDER;

/// One entry of a MyGLS error list (`ErrorInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ErrorInfo {
    /// The Appendix A code.
    pub error_code: i64,
    /// GLS's description, in the account's language.
    #[serde(default, deserialize_with = "crate::wire::string_option::deserialize")]
    pub error_description: Option<String>,
    /// Our references of the parcels concerned.
    #[serde(default, deserialize_with = "crate::wire::null_default")]
    pub client_reference_list: Vec<String>,
    /// The `ParcelId`s concerned.
    #[serde(default, deserialize_with = "crate::wire::id_list::deserialize")]
    pub parcel_id_list: Vec<i64>,
}

impl ErrorInfo {
    /// An error entry (for tests and fakes).
    pub fn new(code: i64, description: impl Into<String>) -> Self {
        Self {
            error_code: code,
            error_description: Some(description.into()),
            client_reference_list: Vec::new(),
            parcel_id_list: Vec::new(),
        }
    }

    /// The code, classified.
    pub fn code(&self) -> ErrorCode {
        ErrorCode::from_code(self.error_code)
    }

    /// The description, or a placeholder.
    pub fn description(&self) -> &str {
        self.error_description
            .as_deref()
            .unwrap_or("(no description)")
    }
}

impl fmt::Display for ErrorInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error {}: {}", self.error_code, self.description())?;
        if !self.client_reference_list.is_empty() {
            write!(f, " (references {})", self.client_reference_list.join(", "))?;
        }
        if !self.parcel_id_list.is_empty() {
            write!(f, " (parcel ids {:?})", self.parcel_id_list)?;
        }
        Ok(())
    }
}

/// The MyGLS error codes this crate knows (Appendix A). Unknown codes are kept as
/// [`ErrorCode::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// -1 "Unauthorized." (wrong user or password), also "Too many failed login
    /// attempts. Your account has been locked until …".
    Unauthorized,
    /// 4: no parcel with this `ParcelId`.
    ParcelIdNotFound,
    /// 5: access denied for this `ParcelId` (another account's parcel).
    ParcelAccessDenied,
    /// 6: the parcel is not in PRINTED state (picked up already, or already deleted).
    NotInPrintedState,
    /// 8: the COD amount must be zero or more.
    InvalidCodAmount,
    /// 9: no parcel with this `ParcelNumber`.
    ParcelNumberNotFound,
    /// 10: the parcel number is not assigned yet.
    ParcelNumberNotAssigned,
    /// 13: a required value is missing or invalid.
    InvalidValue,
    /// 14: the user does not exist.
    UserNotFound,
    /// 15 or 27: the user is not authorised for this.
    NotAuthorised(i64),
    /// 16: the label is empty.
    LabelEmpty,
    /// 18: the label was already generated; a label can be printed only once.
    LabelAlreadyPrinted,
    /// 19: the parcel number generator failed.
    ParcelNumberGeneratorFailed,
    /// 20: parcel numbers were not generated.
    ParcelNumbersNotGenerated,
    /// 21: there are no printable labels.
    NoPrintableLabels,
    /// 22: too many items in one request.
    TooManyItems,
    /// 23: the house number is 0 or missing.
    InvalidHouseNumber,
    /// 26: parcel not found with the current settings.
    ParcelNotFound,
    /// 28: the INS service allows only one parcel.
    InsuranceSingleParcelOnly,
    /// 29: the parcel count must be 1–99.
    InvalidParcelCount,
    /// 31: the same request was sent too many times; wait 5 minutes.
    RequestRepeatedTooOften,
    /// 32: the client reference is missing.
    ReferenceMissing,
    /// 33: the content is missing.
    ContentMissing,
    /// 34: `TypeOfPrinter` is not accepted.
    InvalidPrinterType,
    /// 48: the COD currency is not accepted.
    InvalidCodCurrency,
    /// 1000 or 1001: internal error at GLS.
    Internal(i64),
    /// A code this crate does not know.
    Other(i64),
}

impl ErrorCode {
    /// Classifies a numeric code.
    pub fn from_code(code: i64) -> Self {
        match code {
            -1 => Self::Unauthorized,
            4 => Self::ParcelIdNotFound,
            5 => Self::ParcelAccessDenied,
            6 => Self::NotInPrintedState,
            8 => Self::InvalidCodAmount,
            9 => Self::ParcelNumberNotFound,
            10 => Self::ParcelNumberNotAssigned,
            13 => Self::InvalidValue,
            14 => Self::UserNotFound,
            15 | 27 => Self::NotAuthorised(code),
            16 => Self::LabelEmpty,
            18 => Self::LabelAlreadyPrinted,
            19 => Self::ParcelNumberGeneratorFailed,
            20 => Self::ParcelNumbersNotGenerated,
            21 => Self::NoPrintableLabels,
            22 => Self::TooManyItems,
            23 => Self::InvalidHouseNumber,
            26 => Self::ParcelNotFound,
            28 => Self::InsuranceSingleParcelOnly,
            29 => Self::InvalidParcelCount,
            31 => Self::RequestRepeatedTooOften,
            32 => Self::ReferenceMissing,
            33 => Self::ContentMissing,
            34 => Self::InvalidPrinterType,
            48 => Self::InvalidCodCurrency,
            1000 | 1001 => Self::Internal(code),
            other => Self::Other(other),
        }
    }

    /// The numeric code.
    pub fn code(self) -> i64 {
        match self {
            Self::Unauthorized => -1,
            Self::ParcelIdNotFound => 4,
            Self::ParcelAccessDenied => 5,
            Self::NotInPrintedState => 6,
            Self::InvalidCodAmount => 8,
            Self::ParcelNumberNotFound => 9,
            Self::ParcelNumberNotAssigned => 10,
            Self::InvalidValue => 13,
            Self::UserNotFound => 14,
            Self::NotAuthorised(c) | Self::Internal(c) | Self::Other(c) => c,
            Self::LabelEmpty => 16,
            Self::LabelAlreadyPrinted => 18,
            Self::ParcelNumberGeneratorFailed => 19,
            Self::ParcelNumbersNotGenerated => 20,
            Self::NoPrintableLabels => 21,
            Self::TooManyItems => 22,
            Self::InvalidHouseNumber => 23,
            Self::ParcelNotFound => 26,
            Self::InsuranceSingleParcelOnly => 28,
            Self::InvalidParcelCount => 29,
            Self::RequestRepeatedTooOften => 31,
            Self::ReferenceMissing => 32,
            Self::ContentMissing => 33,
            Self::InvalidPrinterType => 34,
            Self::InvalidCodCurrency => 48,
        }
    }

    /// Whether this is a refused login (counts towards the account lock-out).
    pub fn is_login_failure(self) -> bool {
        matches!(self, Self::Unauthorized | Self::UserNotFound)
    }

    /// Whether the parcel asked for does not exist (for this account).
    pub fn is_not_found(self) -> bool {
        matches!(
            self,
            Self::ParcelIdNotFound
                | Self::ParcelAccessDenied
                | Self::ParcelNumberNotFound
                | Self::ParcelNumberNotAssigned
                | Self::ParcelNotFound
        )
    }

    /// The GLS request field a validation code is about.
    pub fn field(self) -> Option<&'static str> {
        Some(match self {
            Self::InvalidCodAmount => "CODAmount",
            Self::InvalidHouseNumber => "HouseNumber",
            Self::InsuranceSingleParcelOnly => "ServiceList",
            Self::InvalidParcelCount => "Count",
            Self::ReferenceMissing => "ClientReference",
            Self::ContentMissing => "Content",
            Self::InvalidPrinterType => "TypeOfPrinter",
            Self::InvalidCodCurrency => "CODCurrency",
            Self::TooManyItems => "ParcelIdList",
            _ => return None,
        })
    }

    /// The trait-level kind.
    pub fn kind(self) -> ErrorKind {
        match self {
            Self::Unauthorized | Self::UserNotFound | Self::NotAuthorised(_) => ErrorKind::Auth,
            c if c.is_not_found() => ErrorKind::NotFound,
            Self::NotInPrintedState | Self::LabelAlreadyPrinted => ErrorKind::Conflict,
            Self::RequestRepeatedTooOften => ErrorKind::RateLimited,
            Self::Internal(_) => ErrorKind::Unavailable,
            Self::InvalidValue => ErrorKind::Validation,
            c if c.field().is_some() => ErrorKind::Validation,
            _ => ErrorKind::Rejected,
        }
    }

    /// Whether, on a method that creates parcels, this code leaves open whether the
    /// parcel record was created.
    pub fn outcome_unknown_on_create(self) -> bool {
        matches!(
            self,
            Self::LabelEmpty
                | Self::ParcelNumberGeneratorFailed
                | Self::ParcelNumbersNotGenerated
                | Self::NoPrintableLabels
                | Self::RequestRepeatedTooOften
                | Self::Internal(_)
        )
    }
}

/// How long MyGLS asks callers to wait after error 31.
pub const REPEATED_REQUEST_WAIT: Duration = Duration::from_secs(300);

/// Everything that can go wrong with a MyGLS call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GlsError {
    /// MyGLS refused the login. It is never retried: about five failed logins lock the
    /// account, and later calls are held back by the client for a cool-down.
    #[error(
        "MyGLS refused the login on {method} (error {code}: {description}); not retried, because about five failed logins lock the MyGLS account: check the username and password"
    )]
    Unauthorized {
        /// The method called.
        method: &'static str,
        /// -1 or 14.
        code: i64,
        /// GLS's description (may say the account is locked and until when).
        description: String,
    },

    /// The call was not sent because an earlier login was refused (see
    /// [`GlsClient::reset_auth_guard`](crate::GlsClient::reset_auth_guard)).
    #[error(
        "MyGLS call {method} not sent: a login was refused earlier ({description}) and repeated failed logins lock the account; fix the credentials and call reset_auth_guard(), or wait {remaining:?}"
    )]
    LoginBlocked {
        /// The method that was not called.
        method: &'static str,
        /// Why the earlier login failed.
        description: String,
        /// How long calls stay blocked.
        remaining: Duration,
    },

    /// Error 18: a parcel's label was already generated. MyGLS prints a label once: keep
    /// the PDF returned by `PrintLabels`, or create parcels with `PrepareLabels` and print
    /// (and reprint) them with `GetPrintedLabels`.
    #[error(
        "MyGLS {method}: the label of parcels {parcel_ids:?} was already generated ({description}); a label can be printed only once: keep the PDF from PrintLabels, or create with PrepareLabels and print with GetPrintedLabels"
    )]
    LabelAlreadyPrinted {
        /// The method called.
        method: &'static str,
        /// The `ParcelId`s concerned.
        parcel_ids: Vec<i64>,
        /// GLS's description.
        description: String,
    },

    /// Errors 4, 5, 9, 10, 26: the parcel is unknown to this account.
    #[error("MyGLS {method}: parcel not found (error {}: {description}){}", code.code(), ids_note(parcel_ids))]
    NotFound {
        /// The method called.
        method: &'static str,
        /// The code.
        code: ErrorCode,
        /// GLS's description.
        description: String,
        /// The `ParcelId`s concerned.
        parcel_ids: Vec<i64>,
    },

    /// Error 6: the parcel is no longer in PRINTED state (GLS already scanned it, or it
    /// was deleted by an earlier call).
    #[error(
        "MyGLS {method}: parcel not in PRINTED state (error 6: {description}){}",
        ids_note(parcel_ids)
    )]
    WrongParcelState {
        /// The method called.
        method: &'static str,
        /// GLS's description.
        description: String,
        /// The `ParcelId`s concerned.
        parcel_ids: Vec<i64>,
    },

    /// Error 31: the same request was sent too often; wait five minutes.
    #[error(
        "MyGLS {method}: the same request was sent too many times (error 31: {description}); wait 5 minutes"
    )]
    RequestRepeatedTooOften {
        /// The method called.
        method: &'static str,
        /// GLS's description.
        description: String,
        /// Whether earlier copies of a create may have succeeded.
        maybe_sent: bool,
    },

    /// Any other error list: validation codes, internal errors, unknown codes.
    #[error("MyGLS {method} failed: {}", join(errors))]
    Rejected {
        /// The method called.
        method: &'static str,
        /// The entries GLS returned.
        errors: Vec<ErrorInfo>,
        /// Whether a parcel may have been created anyway (see the module docs).
        maybe_sent: bool,
    },

    /// MyGLS answered without errors but without the result either (no label, no
    /// parcel, `Successful: false`).
    #[error("MyGLS {method} did not confirm: {message}")]
    NotConfirmed {
        /// The method called.
        method: &'static str,
        /// What was missing.
        message: String,
        /// Whether the call may have had its effect.
        maybe_sent: bool,
    },

    /// Our own check refused the input before anything was sent.
    #[error("invalid {field}: {message}")]
    InvalidInput {
        /// The field, as a dotted path.
        field: String,
        /// Why.
        message: String,
    },

    /// The client is misconfigured.
    #[error("GLS client configuration: {0}")]
    Configuration(String),

    /// The HTTP exchange failed (connect, timeout, non-2xx such as the HTML 404 of an
    /// unknown method, undecodable body).
    #[error("MyGLS {method}: {source}")]
    Http {
        /// The method called.
        method: &'static str,
        /// The transport error.
        #[source]
        source: Box<HttpError>,
    },
}

fn ids_note(ids: &[i64]) -> String {
    if ids.is_empty() {
        String::new()
    } else {
        format!(" for parcel ids {ids:?}")
    }
}

fn join(errors: &[ErrorInfo]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl GlsError {
    /// Builds the error for a non-empty error list of `method`. `creates` is true for
    /// methods that create parcels (`PrintLabels`, `PrepareLabels`).
    pub(crate) fn from_list(method: &'static str, errors: Vec<ErrorInfo>, creates: bool) -> Self {
        let first = errors
            .first()
            .cloned()
            .unwrap_or_else(|| ErrorInfo::new(0, "empty error list"));
        let code = first.code();
        let description = first.description().to_owned();
        let ids: Vec<i64> = errors
            .iter()
            .flat_map(|e| e.parcel_id_list.iter().copied())
            .collect();
        let maybe_sent = creates && errors.iter().any(|e| e.code().outcome_unknown_on_create());
        if let Some(login) = errors.iter().find(|e| e.code().is_login_failure()) {
            return Self::Unauthorized {
                method,
                code: login.error_code,
                description: login.description().to_owned(),
            };
        }
        // Several different codes: only a uniform list gets a specific variant.
        let uniform = errors.iter().all(|e| e.error_code == first.error_code);
        match code {
            ErrorCode::LabelAlreadyPrinted if uniform => Self::LabelAlreadyPrinted {
                method,
                parcel_ids: ids,
                description,
            },
            c if c.is_not_found() && uniform => Self::NotFound {
                method,
                code: c,
                description,
                parcel_ids: ids,
            },
            ErrorCode::NotInPrintedState if uniform => Self::WrongParcelState {
                method,
                description,
                parcel_ids: ids,
            },
            ErrorCode::RequestRepeatedTooOften if uniform => Self::RequestRepeatedTooOften {
                method,
                description,
                maybe_sent,
            },
            _ => Self::Rejected {
                method,
                errors,
                maybe_sent,
            },
        }
    }

    /// The error entries GLS returned, when the error came from a list.
    pub fn gls_code(&self) -> Option<i64> {
        match self {
            Self::Unauthorized { code, .. } => Some(*code),
            Self::LabelAlreadyPrinted { .. } => Some(18),
            Self::NotFound { code, .. } => Some(code.code()),
            Self::WrongParcelState { .. } => Some(6),
            Self::RequestRepeatedTooOften { .. } => Some(31),
            Self::Rejected { errors, .. } => errors.first().map(|e| e.error_code),
            _ => None,
        }
    }

    /// Whether the request may have had its effect although an error came back.
    pub fn maybe_sent(&self) -> bool {
        match self {
            Self::RequestRepeatedTooOften { maybe_sent, .. }
            | Self::Rejected { maybe_sent, .. }
            | Self::NotConfirmed { maybe_sent, .. } => *maybe_sent,
            Self::Http { source, .. } => source.provider_maybe_sent(),
            _ => false,
        }
    }

    /// Whether the login was refused (now or earlier).
    pub fn is_auth(&self) -> bool {
        matches!(self, Self::Unauthorized { .. } | Self::LoginBlocked { .. })
            || matches!(self, Self::Rejected { errors, .. } if errors.iter().any(|e| e.code().kind() == ErrorKind::Auth))
    }
}

impl From<GlsError> for ProviderError {
    fn from(err: GlsError) -> Self {
        let message = err.to_string();
        let maybe_sent = err.maybe_sent();
        let code = err.gls_code();
        let base = |kind: ErrorKind| {
            let e = ProviderError::new(kind, PROVIDER, message.clone()).with_maybe_sent(maybe_sent);
            match code {
                Some(c) => e.with_provider_code(c.to_string()),
                None => e,
            }
        };
        match err {
            GlsError::Unauthorized { .. } | GlsError::LoginBlocked { .. } => {
                base(ErrorKind::Auth).with_source(err)
            }
            GlsError::LabelAlreadyPrinted { .. } | GlsError::WrongParcelState { .. } => {
                base(ErrorKind::Conflict).with_source(err)
            }
            GlsError::NotFound { .. } => base(ErrorKind::NotFound).with_source(err),
            GlsError::RequestRepeatedTooOften { .. } => base(ErrorKind::RateLimited)
                .with_retry_after(REPEATED_REQUEST_WAIT)
                .with_source(err),
            GlsError::Rejected { ref errors, .. } => {
                let kinds: Vec<ErrorKind> = errors.iter().map(|e| e.code().kind()).collect();
                let kind = if kinds.contains(&ErrorKind::Auth) {
                    ErrorKind::Auth
                } else if !kinds.is_empty() && kinds.iter().all(|k| *k == ErrorKind::Validation) {
                    ErrorKind::Validation
                } else if kinds.contains(&ErrorKind::Unavailable) {
                    ErrorKind::Unavailable
                } else {
                    kinds.first().copied().unwrap_or(ErrorKind::Rejected)
                };
                let mut out = base(kind);
                for e in errors {
                    let field = e.code().field().unwrap_or("parcel");
                    out = out.with_field_error(FieldError::new(
                        field,
                        format!("{} (GLS error {})", e.description(), e.error_code),
                    ));
                }
                out.with_source(err)
            }
            GlsError::NotConfirmed { .. } => base(ErrorKind::Rejected).with_source(err),
            GlsError::InvalidInput { field, message } => {
                ProviderError::validation(PROVIDER, field, message)
            }
            GlsError::Configuration(_) => base(ErrorKind::Configuration),
            GlsError::Http { source, .. } => source.into_provider_error(PROVIDER),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_code_round_trips() {
        for code in [
            -1, 4, 5, 6, 8, 9, 10, 13, 14, 15, 16, 18, 19, 20, 21, 22, 23, 26, 27, 28, 29, 31, 32,
            33, 34, 48, 1000, 1001, 77,
        ] {
            assert_eq!(ErrorCode::from_code(code).code(), code);
        }
        assert_eq!(ErrorCode::from_code(77), ErrorCode::Other(77));
    }

    #[test]
    fn validation_lists_keep_gls_fields() {
        let err = GlsError::from_list(
            "PrintLabels",
            vec![
                ErrorInfo::new(23, "House number is 0"),
                ErrorInfo::new(33, "Content is missing"),
            ],
            true,
        );
        assert!(!err.maybe_sent());
        let err = ProviderError::from(err);
        assert!(err.is_validation());
        let fields: Vec<_> = err
            .field_errors()
            .iter()
            .map(|f| f.field.as_str())
            .collect();
        assert_eq!(fields, ["HouseNumber", "Content"]);
        assert_eq!(err.provider_code(), Some("23"));
    }

    #[test]
    fn internal_errors_on_create_are_maybe_sent_and_retryable() {
        let err = ProviderError::from(GlsError::from_list(
            "PrintLabels",
            vec![ErrorInfo::new(1000, "Object reference not set")],
            true,
        ));
        assert!(err.is_retryable() && err.maybe_sent());
        let err = ProviderError::from(GlsError::from_list(
            "GetParcelList",
            vec![ErrorInfo::new(1000, "x")],
            false,
        ));
        assert!(!err.maybe_sent());
    }
}
