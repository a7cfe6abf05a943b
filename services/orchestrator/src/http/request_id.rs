//! Request ids and request metrics.
//!
//! Every response carries `x-request-id`: the caller's own when it sent a sane one, a new
//! UUID otherwise. The id is in the request's tracing span and in JSON error bodies.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;

/// The header.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being handled, if called inside one.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

fn sane(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}

/// The middleware: assigns the id, opens the span, counts and times the request.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, actix_web::Error> {
    let id = req
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| sane(v))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let method = req.method().to_string();
    let span = tracing::info_span!("http", request_id = %id, %method, path = %req.path(), route = tracing::field::Empty, status = tracing::field::Empty);
    let started = Instant::now();
    let result = REQUEST_ID
        .scope(id.clone(), next.call(req))
        .instrument(span.clone())
        .await;
    let elapsed = started.elapsed().as_secs_f64();
    match result {
        Ok(mut res) => {
            let status = res.status().as_u16();
            // Routing happened inside the call: the matched pattern is known now.
            let route = res
                .request()
                .match_pattern()
                .unwrap_or_else(|| "unmatched".to_owned());
            span.record("status", status);
            span.record("route", route.as_str());
            if let Ok(value) = HeaderValue::from_str(&id) {
                res.headers_mut()
                    .insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
            }
            metrics::counter!("flux_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status.to_string()).increment(1);
            metrics::histogram!("flux_http_request_duration_seconds", "method" => method, "route" => route).record(elapsed);
            tracing::debug!(parent: &span, status, elapsed_ms = started.elapsed().as_millis() as u64, "request handled");
            Ok(res)
        }
        Err(e) => Err(e),
    }
}
