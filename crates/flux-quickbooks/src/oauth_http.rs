//! The `oauth2` crate's HTTP client, implemented over [`flux_http::HttpClient`] so token
//! calls get the same TLS, timeouts, tracing and secret handling as API calls.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use flux_http::{HttpClient, HttpError, Url};
use http::header::CONTENT_TYPE;

/// What the adapter saw of the last response (for errors: status and `intuit_tid`).
#[derive(Debug, Clone, Default)]
pub(crate) struct SeenResponse {
    pub(crate) status: Option<u16>,
    pub(crate) intuit_tid: Option<String>,
}

/// One OAuth call's HTTP client.
pub(crate) struct OAuthHttp<'a> {
    client: &'a HttpClient,
    /// Send `x-include-refresh-token-hard-expires-in: true` (token calls).
    include_hard_expiry: bool,
    /// Send the revocation as Intuit documents it (`{"token": "…"}` as JSON) instead of
    /// the RFC 7009 form body the `oauth2` crate builds.
    revoke_as_json: bool,
    /// Send here instead of the URL the `oauth2` crate built (loopback test servers).
    url_override: Option<Url>,
    seen: Mutex<SeenResponse>,
}

impl<'a> OAuthHttp<'a> {
    pub(crate) fn token(client: &'a HttpClient) -> Self {
        Self {
            client,
            include_hard_expiry: true,
            revoke_as_json: false,
            url_override: None,
            seen: Mutex::new(SeenResponse::default()),
        }
    }

    pub(crate) fn revoke(client: &'a HttpClient, url_override: Option<Url>) -> Self {
        Self {
            client,
            include_hard_expiry: false,
            revoke_as_json: true,
            url_override,
            seen: Mutex::new(SeenResponse::default()),
        }
    }

    pub(crate) fn seen(&self) -> SeenResponse {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }

    async fn execute(
        &self,
        request: oauth2::HttpRequest,
    ) -> Result<oauth2::HttpResponse, HttpError> {
        let (parts, body) = request.into_parts();
        let url = match &self.url_override {
            Some(url) => url.clone(),
            None => Url::parse(&parts.uri.to_string()).map_err(|e| HttpError::InvalidBaseUrl {
                url: "(OAuth endpoint)".to_owned(),
                reason: e.to_string(),
            })?,
        };
        let content_type = parts
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/x-www-form-urlencoded")
            .to_owned();
        let mut builder = self.client.request_url(parts.method.clone(), url);
        for (name, value) in &parts.headers {
            if name == CONTENT_TYPE {
                continue;
            }
            let mut value = value.clone();
            if name == http::header::AUTHORIZATION {
                value.set_sensitive(true);
            }
            builder = builder.header(name.clone(), value);
        }
        if self.include_hard_expiry {
            builder = builder.header("x-include-refresh-token-hard-expires-in", "true");
        }
        if self.revoke_as_json && content_type.starts_with("application/x-www-form-urlencoded") {
            let token = url::form_urlencoded::parse(&body)
                .find(|(k, _)| k == "token")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            let json =
                serde_json::to_vec(&serde_json::json!({ "token": token })).unwrap_or_default();
            builder = builder.body_bytes(json, "application/json");
        } else if !body.is_empty() {
            builder = builder.body_bytes(body, &content_type);
        }
        let response = builder.send_raw().await?;
        if let Ok(mut seen) = self.seen.lock() {
            seen.status = Some(response.status().as_u16());
            seen.intuit_tid = response
                .headers()
                .get("intuit_tid")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
        }
        let mut out = http::Response::builder().status(response.status());
        for (name, value) in response.headers() {
            out = out.header(name, value);
        }
        out.body(response.bytes().to_vec())
            .map_err(|e| HttpError::InvalidRequest {
                message: "could not rebuild the OAuth response".to_owned(),
                source: Some(std::sync::Arc::new(e)),
            })
    }
}

impl<'c> oauth2::AsyncHttpClient<'c> for OAuthHttp<'_> {
    type Error = HttpError;
    type Future =
        Pin<Box<dyn Future<Output = Result<oauth2::HttpResponse, HttpError>> + Send + 'c>>;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(self.execute(request))
    }
}
