//! Webhooks (`/api/webhooks`): create, list, read, delete, and the endpoint verification.

use base64::Engine;
use flux_http::Method;
use serde::Serialize;

use crate::client::{Limit, OblioClient};
use crate::error::OblioError;
use crate::types::{Webhook, WebhookTopic};

/// The header Oblio sends when it verifies (and calls) an endpoint.
pub const REQUEST_ID_HEADER: &str = "X-Oblio-Request-Id";

/// The body your endpoint must answer (with HTTP 200) when Oblio verifies it: the base64
/// of the `X-Oblio-Request-Id` header.
///
/// ```
/// assert_eq!(flux_oblio::webhooks::verification_response("abc"), "YWJj");
/// ```
pub fn verification_response(request_id: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(request_id.as_bytes())
}

#[derive(Serialize)]
struct CreateWebhook<'a> {
    cif: &'a str,
    topic: &'a WebhookTopic,
    endpoint: &'a str,
}

fn webhook_path(id: &str) -> Result<String, OblioError> {
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(OblioError::invalid(
            "id",
            format!("{id:?} is not a webhook id"),
        ));
    }
    Ok(format!("api/webhooks/{id}"))
}

impl OblioClient {
    /// Registers `endpoint` for `topic` (`POST /api/webhooks`; Oblio answers 201). Oblio
    /// verifies the endpoint first: see [`verification_response`].
    ///
    /// # Errors
    /// [`OblioError::InvalidInput`] for a non-https endpoint; Oblio's refusal as
    /// [`OblioError::Rejected`].
    pub async fn create_webhook(
        &self,
        topic: &WebhookTopic,
        endpoint: &str,
    ) -> Result<Webhook, OblioError> {
        if !endpoint.starts_with("https://") {
            return Err(OblioError::invalid("endpoint", "must be an https URL"));
        }
        let body = CreateWebhook {
            cif: self.cif(),
            topic,
            endpoint,
        };
        let (_, hook) = self
            .call(Limit::Other, |http| {
                http.request(Method::POST, "api/webhooks").json(&body)
            })
            .await?;
        Ok(hook)
    }

    /// Lists this company's webhooks, optionally for one topic.
    ///
    /// # Errors
    /// Transport and auth errors.
    pub async fn list_webhooks(
        &self,
        topic: Option<&WebhookTopic>,
    ) -> Result<Vec<Webhook>, OblioError> {
        let mut query = vec![("cif", self.cif().to_owned())];
        if let Some(t) = topic {
            query.push(("topic", t.as_str().to_owned()));
        }
        let (_, hooks) = self
            .call(Limit::Other, |http| http.get("api/webhooks").query(&query))
            .await?;
        Ok(hooks)
    }

    /// Reads one webhook.
    ///
    /// # Errors
    /// [`OblioError::NotFound`] for an unknown id.
    pub async fn get_webhook(&self, id: &str) -> Result<Webhook, OblioError> {
        let path = webhook_path(id)?;
        let (_, hook) = self.call(Limit::Other, |http| http.get(&path)).await?;
        Ok(hook)
    }

    /// Deletes a webhook.
    ///
    /// # Errors
    /// [`OblioError::NotFound`] for an unknown id.
    pub async fn delete_webhook(&self, id: &str) -> Result<(), OblioError> {
        let path = webhook_path(id)?;
        let (_, _): (String, Option<serde_json::Value>) =
            self.call(Limit::Other, |http| http.delete(&path)).await?;
        Ok(())
    }
}
