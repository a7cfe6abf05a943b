//! Parsing QuickBooks error bodies, which come in three shapes:
//!
//! 1. `{"Fault":{"Error":[{"Message","Detail","code","element"}],"type":"ValidationFault"},"time":…}`
//!    (validation and business faults; sometimes with HTTP 200, always inside batch items);
//! 2. the gateway's lower-case `{"fault":{"error":[{"message","detail","code","element"}],"type":"AUTHENTICATION"}}`
//!    (401/403);
//! 3. XML `<IntuitResponse><Fault type="SERVICE"><Error code="3001"><Message>…</Message><Detail>…</Detail></Error></Fault></IntuitResponse>`
//!    (throttling and older authentication errors, even when JSON was asked for).

use serde::{Deserialize, Serialize};

/// One error inside a QuickBooks fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub struct FaultError {
    /// The short message (`"Stale Object Error"`).
    #[serde(default, alias = "message", rename = "Message")]
    pub message: String,
    /// The longer explanation, often naming the record or the field.
    #[serde(default, alias = "detail", rename = "Detail")]
    pub detail: Option<String>,
    /// The QuickBooks error code, as a string (`"5010"`).
    #[serde(default, alias = "Code")]
    pub code: Option<String>,
    /// The element (field) the error is about, when QuickBooks names one.
    #[serde(default, alias = "Element")]
    pub element: Option<String>,
}

/// A QuickBooks fault: its type and its errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub struct Fault {
    /// `ValidationFault`, `SystemFault`, `AuthenticationFault`, `SERVICE`, `AUTHENTICATION`, …
    #[serde(default, rename = "type")]
    pub fault_type: Option<String>,
    /// The errors (at least one in practice).
    #[serde(default, alias = "error", rename = "Error")]
    pub errors: Vec<FaultError>,
}

impl Fault {
    /// The first error's code.
    pub fn code(&self) -> Option<&str> {
        self.errors.first().and_then(|e| e.code.as_deref())
    }

    /// A one-line summary: `"code: message: detail"` of the first error.
    pub fn summary(&self) -> String {
        match self.errors.first() {
            Some(e) => {
                let mut s = String::new();
                if let Some(code) = &e.code {
                    s.push_str(code);
                    s.push_str(": ");
                }
                s.push_str(&e.message);
                if let Some(detail) = e.detail.as_deref().filter(|d| !d.is_empty()) {
                    s.push_str(": ");
                    s.push_str(detail);
                }
                s
            }
            None => self
                .fault_type
                .clone()
                .unwrap_or_else(|| "fault".to_owned()),
        }
    }
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "Fault")]
    upper: Option<Fault>,
    #[serde(rename = "fault")]
    lower: Option<Fault>,
}

/// Finds a fault in a response body in any of the three shapes; `None` when the body holds
/// no fault.
pub(crate) fn parse_fault(body: &[u8]) -> Option<Fault> {
    let trimmed = trim_ascii_start(body);
    if trimmed.first() == Some(&b'<') {
        return parse_xml_fault(&String::from_utf8_lossy(trimmed));
    }
    let envelope: Envelope = serde_json::from_slice(body).ok()?;
    envelope
        .upper
        .or(envelope.lower)
        .filter(|f| !f.errors.is_empty() || f.fault_type.is_some())
        .map(normalize_codes)
}

/// Gateway errors put the code in the message too (`message=AuthenticationFailed;
/// errorCode=003200; statusCode=401`); fill `code` from it when missing.
fn normalize_codes(mut fault: Fault) -> Fault {
    for error in &mut fault.errors {
        if error.code.as_deref().is_none_or(str::is_empty)
            && let Some(code) = error_code_in_message(&error.message)
        {
            error.code = Some(code);
        }
        if error.element.as_deref() == Some("") {
            error.element = None;
        }
    }
    fault
}

fn error_code_in_message(message: &str) -> Option<String> {
    let start = message.find("errorCode=")? + "errorCode=".len();
    let digits: String = message[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let trimmed = digits.trim_start_matches('0');
    (!digits.is_empty()).then(|| {
        if trimmed.is_empty() {
            "0".to_owned()
        } else {
            trimmed.to_owned()
        }
    })
}

fn trim_ascii_start(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    &bytes[start..]
}

/// A small, forgiving reader for Intuit's XML faults (no general XML support needed).
fn parse_xml_fault(xml: &str) -> Option<Fault> {
    let fault_start = xml.find("<Fault")?;
    let fault_xml = &xml[fault_start..];
    let fault_tag_end = fault_xml.find('>')?;
    let fault_type = attribute(&fault_xml[..fault_tag_end], "type");
    let mut errors = Vec::new();
    let mut rest = &fault_xml[fault_tag_end..];
    while let Some(pos) = rest.find("<Error") {
        let after = &rest[pos..];
        let Some(tag_end) = after.find('>') else {
            break;
        };
        let tag = &after[..tag_end];
        let close = after.find("</Error>").unwrap_or(after.len());
        let inner = &after[tag_end.saturating_add(1).min(close)..close];
        errors.push(FaultError {
            message: element_text(inner, "Message").unwrap_or_default(),
            detail: element_text(inner, "Detail"),
            code: attribute(tag, "code"),
            element: attribute(tag, "element").filter(|e| !e.is_empty()),
        });
        rest = &after[close.min(after.len())..];
        if close == after.len() {
            break;
        }
        rest = &rest["</Error>".len().min(rest.len())..];
    }
    Some(normalize_codes(Fault { fault_type, errors }))
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let needle = format!("{name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = tag[start..].find('"')? + start;
    Some(unescape(&tag[start..end]))
}

fn element_text(xml: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&close)? + start;
    Some(unescape(xml[start..end].trim()))
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_upper_case_json() {
        let body = br#"{"Fault":{"Error":[{"Message":"Stale Object Error","Detail":"x","code":"5010","element":""}],"type":"ValidationFault"},"time":"t"}"#;
        let fault = parse_fault(body).unwrap();
        assert_eq!(fault.code(), Some("5010"));
        assert_eq!(fault.fault_type.as_deref(), Some("ValidationFault"));
        assert_eq!(fault.errors[0].element, None);
    }

    #[test]
    fn parses_gateway_json_and_code_in_message() {
        let body = br#"{"fault":{"error":[{"message":"message=AuthorizationFailed; errorCode=003100; statusCode=403","detail":"d","code":null,"element":null}],"type":"SERVICE"}}"#;
        let fault = parse_fault(body).unwrap();
        assert_eq!(fault.code(), Some("3100"));
    }

    #[test]
    fn parses_xml() {
        let body = br#"<?xml version="1.0"?><IntuitResponse time="t"><Fault type="SERVICE"><Error code="3001" element=""><Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message><Detail>The request limit was reached.  Try again later</Detail></Error></Fault></IntuitResponse>"#;
        let fault = parse_fault(body).unwrap();
        assert_eq!(fault.code(), Some("3001"));
        assert_eq!(fault.fault_type.as_deref(), Some("SERVICE"));
        assert_eq!(
            fault.errors[0].detail.as_deref(),
            Some("The request limit was reached.  Try again later")
        );
    }

    #[test]
    fn no_fault_in_success_body() {
        assert!(parse_fault(br#"{"Customer":{"Id":"1"},"time":"t"}"#).is_none());
        assert!(parse_fault(b"%PDF-1.4").is_none());
    }
}
