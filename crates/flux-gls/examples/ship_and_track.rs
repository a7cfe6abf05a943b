//! Creates a GLS shipment, saves its label, tracks it, and (with GLS_CANCEL=1) deletes it.
//!
//! ```sh
//! GLS_USERNAME=shop@example.ro GLS_PASSWORD=… GLS_CLIENT_NUMBER=553000123 GLS_TEST=1 \
//!   cargo run -p flux-gls --example ship_and_track
//! ```

use std::sync::Arc;

use flux_core::courier::ShipmentRequest;
use flux_core::{Address, CountryCode, Courier, Parcel};
use flux_gls::{Country, Environment, GlsClient, LabelStrategy};
use flux_http::secret::SecretString;
use rust_decimal::Decimal;

fn env(name: &str) -> Result<String, Box<dyn std::error::Error>> {
    std::env::var(name).map_err(|_| format!("set {name}").into())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let environment = if std::env::var("GLS_TEST").is_ok() {
        Environment::Test
    } else {
        Environment::Production
    };
    let gls = GlsClient::builder(
        env("GLS_USERNAME")?,
        SecretString::from(env("GLS_PASSWORD")?),
        env("GLS_CLIENT_NUMBER")?.parse()?,
    )
    .country(Country::Romania)
    .environment(environment)
    .label_strategy(LabelStrategy::PrepareThenPrint)
    .build()?;
    let courier: Arc<dyn Courier> = Arc::new(gls);

    let sender = Address::builder("Magazin SRL", "Cluj-Napoca", CountryCode::RO)
        .street("Strada Memorandumului")
        .number("28")
        .region("Cluj")
        .postal_code("400114")
        .phone("0722123456")
        .build()?;
    let recipient = Address::builder("Ion Popescu", "Brasov", CountryCode::RO)
        .street("Strada Lunga")
        .number("10")
        .region("Brasov")
        .postal_code("500035")
        .phone("0733123456")
        .build()?;
    let mut request = ShipmentRequest::new(
        "FLUX-EXAMPLE-1",
        sender,
        recipient,
        vec![Parcel::new(Decimal::ONE)?],
    );
    request.contents = Some("Books".into());

    let created = courier.create_shipment(&request).await?;
    tracing::info!(id = ?created.id, "created");
    if let Some(label) = &created.label {
        std::fs::write("gls-label.pdf", &label.bytes)?;
    }
    let tracking = courier.track(std::slice::from_ref(&created.id)).await?;
    tracing::info!(status = tracking[0].status.as_str(), "tracked");
    if std::env::var("GLS_CANCEL").is_ok() {
        courier.cancel(&created.id).await?;
    }
    Ok(())
}
