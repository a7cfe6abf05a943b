//! Creates one AWB, prints its label size and tracking, using credentials from the
//! environment: CARGUS_SUBSCRIPTION_KEY, CARGUS_USERNAME, CARGUS_PASSWORD,
//! CARGUS_LOCATION_ID (and optionally CARGUS_BASE_URL for the test host).

use std::sync::Arc;

use flux_cargus::CargusClient;
use flux_core::courier::{LabelFormat, ShipmentRequest};
use flux_core::{Address, CountryCode, Courier, Parcel};
use flux_http::secret::SecretString;
use rust_decimal_macros::dec;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let env = |k: &str| std::env::var(k).map_err(|_| format!("set {k}"));
    let mut builder = CargusClient::builder(
        SecretString::from(env("CARGUS_SUBSCRIPTION_KEY")?),
        env("CARGUS_USERNAME")?,
        SecretString::from(env("CARGUS_PASSWORD")?),
    )
    .default_location_id(env("CARGUS_LOCATION_ID")?.parse()?);
    if let Ok(url) = std::env::var("CARGUS_BASE_URL") {
        builder = builder.base_url(url);
    }
    let courier: Arc<dyn Courier> = Arc::new(builder.build()?);

    let sender = Address::builder("Depozit", "Pitesti", CountryCode::RO)
        .region("Arges")
        .build()?;
    let recipient = Address::builder("Ana Pop", "Iasi", CountryCode::RO)
        .region("Iasi")
        .street("Str. Lapusneanu")
        .number("14")
        .phone("0740123123")
        .build()?;
    let request = ShipmentRequest::new(
        "example-1",
        sender,
        recipient,
        vec![Parcel::new(dec!(1.5))?],
    );

    let quote = courier.quote(&request).await?;
    tracing::info!(total = %quote.total, "quote");
    let created = courier.create_shipment(&request).await?;
    let label = courier.label(&created.id, LabelFormat::PdfA4).await?;
    let tracking = courier.track(std::slice::from_ref(&created.id)).await?;
    tracing::info!(
        awb = %created.id,
        label_bytes = label.bytes.len(),
        status = tracking[0].status.as_str(),
        "created"
    );
    Ok(())
}
