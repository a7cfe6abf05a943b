//! Walks the OAuth flow against a local callback, then syncs customers and items.
//!
//! ```text
//! QBO_CLIENT_ID=… QBO_CLIENT_SECRET=… QBO_REDIRECT_URI=http://localhost:8080/callback \
//! QBO_ENVIRONMENT=sandbox cargo run -p flux-quickbooks --example connect_and_sync
//! ```
//!
//! The redirect URI must be registered for the app in the Intuit developer portal
//! (sandbox apps may use `http://localhost`).
#![allow(clippy::print_stdout)]

use std::sync::Arc;

use flux_core::Accounting;
use flux_http::secret::SecretString;
use flux_quickbooks::oauth::SCOPE_ACCOUNTING;
use flux_quickbooks::{
    Environment, MemoryTokenStore, QuickBooksClient, QuickBooksOAuth, TokenManager,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

fn env(name: &str) -> Result<String, Box<dyn std::error::Error>> {
    std::env::var(name).map_err(|_| format!("set {name}").into())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let redirect_uri = std::env::var("QBO_REDIRECT_URI")
        .unwrap_or_else(|_| "http://localhost:8080/callback".to_owned());
    let environment = match std::env::var("QBO_ENVIRONMENT").as_deref() {
        Ok("production") => Environment::Production,
        _ => Environment::Sandbox,
    };
    let oauth = QuickBooksOAuth::builder(
        env("QBO_CLIENT_ID")?,
        SecretString::from(env("QBO_CLIENT_SECRET")?),
        redirect_uri.clone(),
    )
    .environment(environment)
    .build()?;

    let request = oauth.authorization_url(&[SCOPE_ACCOUNTING]);
    println!("Open this URL to connect a company:\n{}\n", request.url);

    // Wait for Intuit to redirect the browser to the local callback.
    let port = url::Url::parse(&redirect_uri)?
        .port_or_known_default()
        .unwrap_or(8080);
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let (mut socket, _) = listener.accept().await?;
    let mut buffer = vec![0u8; 8192];
    let read = socket.read(&mut buffer).await?;
    let head = String::from_utf8_lossy(&buffer[..read]).into_owned();
    let target = head.split_whitespace().nth(1).unwrap_or("/");
    let query = target.split_once('?').map(|(_, q)| q).unwrap_or("");
    let outcome = oauth.parse_callback(query, &request.state);
    let page = if outcome.is_ok() {
        "Connected. You can close this tab."
    } else {
        "Connection failed."
    };
    socket
        .write_all(
            format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\n\r\n{page}",
                page.len()
            )
            .as_bytes(),
        )
        .await?;
    let callback = outcome?;

    let tokens = oauth.exchange_code(&callback).await?;
    println!(
        "Connected realm {}; refresh token valid until {:?} (hard expiry {:?})",
        tokens.realm_id, tokens.refresh_token_expires_at, tokens.refresh_token_hard_expires_at
    );

    // In production, implement TokenStore over your database.
    let store = Arc::new(MemoryTokenStore::new());
    let manager = Arc::new(TokenManager::new(oauth, tokens, store));
    let client = QuickBooksClient::builder(manager).build()?;

    let info = client.company_info().await?;
    println!("Company: {:?} ({:?})", info.company_name, info.country);

    let accounting: Arc<dyn Accounting> = Arc::new(client);
    let customers = accounting.customers_changed_since(None).await?;
    let items = accounting.items_changed_since(None).await?;
    println!("{} customers, {} items", customers.len(), items.len());
    for customer in customers.iter().take(5) {
        println!("- {} (active: {})", customer.display_name, customer.active);
    }
    Ok(())
}
