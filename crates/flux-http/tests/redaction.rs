//! Secrets never show up in `Debug` output or in tracing output.

use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use flux_http::secret::SecretString;
use flux_http::{HttpClient, RetryPolicy, StatusCode, Token};
use tracing_subscriber::fmt::MakeWriter;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const BEARER: &str = "BEARER-SECRET-1b7e";
const API_KEY: &str = "HEADER-SECRET-93fa";
const DEFAULT_KEY: &str = "DEFAULT-SECRET-55c1";
const PASSWORD: &str = "PASSWORD-SECRET-0d2a";
const QUERY_KEY: &str = "QUERY-SECRET-7731";
const TOKEN: &str = "TOKEN-SECRET-c4e0";
const SECRETS: [&str; 6] = [BEARER, API_KEY, DEFAULT_KEY, PASSWORD, QUERY_KEY, TOKEN];

/// Everything the subscriber writes, in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

fn assert_no_secret(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} leaks {secret}:\n{text}");
    }
}

/// Current-thread runtime: the thread-local subscriber sees every span and event.
#[tokio::test]
async fn secrets_never_reach_debug_or_tracing_output() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    // Only a request carrying every secret gets the 503, so the final status proves the
    // secrets were really sent.
    Mock::given(method("GET"))
        .and(path("/v1/secret-test"))
        .and(query_param("api_key", QUERY_KEY))
        .and(header("authorization", format!("Bearer {BEARER}").as_str()))
        .and(header("x-api-key", API_KEY))
        .and(header("x-default-key", DEFAULT_KEY))
        .respond_with(ResponseTemplate::new(503).set_body_string("try later"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/login"))
        .and(header(
            "authorization",
            // base64("user:PASSWORD-SECRET-0d2a")
            "Basic dXNlcjpQQVNTV09SRC1TRUNSRVQtMGQyYQ==",
        ))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;

    let client = HttpClient::builder("redaction-test")
        .base_url(format!("{}/v1", server.uri()))
        .default_sensitive_header("x-default-key", &SecretString::from(DEFAULT_KEY))
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(2)
                .with_initial_backoff(Duration::from_millis(5)),
        )
        .build()
        .unwrap();
    assert_no_secret("client Debug", &format!("{client:?}"));

    let request = client
        .get("secret-test")
        .query(&[("api_key", QUERY_KEY), ("page", "1")])
        .bearer(&SecretString::from(BEARER))
        .sensitive_header("x-api-key", &SecretString::from(API_KEY));
    let request_debug = format!("{request:?}");
    assert_no_secret("request Debug", &request_debug);
    assert!(request_debug.contains("/v1/secret-test"), "{request_debug}");

    let error = request.send().await.unwrap_err();
    assert_eq!(
        error.status(),
        Some(StatusCode::SERVICE_UNAVAILABLE),
        "{error:?}"
    );
    assert_no_secret("error Debug", &format!("{error:?}"));
    assert_no_secret("error Display", &error.to_string());

    let login = client
        .post("login")
        .basic_auth("user", &SecretString::from(PASSWORD));
    assert_no_secret("basic-auth request Debug", &format!("{login:?}"));
    let response = login.send().await.unwrap();
    assert_no_secret("response Debug", &format!("{response:?}"));

    let token = Token::expires_in(SecretString::from(TOKEN), Duration::from_secs(60));
    assert_no_secret("token Debug", &format!("{token:?}"));

    let logs = captured.text();
    assert_no_secret("tracing output", &logs);
    assert!(
        logs.contains("/v1/secret-test"),
        "the span lacks the path:\n{logs}"
    );
    assert!(
        logs.contains("redaction-test"),
        "the span lacks the provider:\n{logs}"
    );
    assert!(logs.contains("retrying request"), "no retry event:\n{logs}");
    assert!(
        !logs.contains("page=1"),
        "the query string was logged:\n{logs}"
    );
}
