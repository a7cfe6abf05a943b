//! Creates an AWB, downloads its label and tracks it.
//!
//! ```sh
//! FAN_CLIENT_ID=7032158 FAN_USERNAME=clienttest FAN_PASSWORD=testing \
//!   cargo run -p flux-fancourier --example ship_label_track
//! ```

use std::sync::Arc;

use flux_core::courier::{Courier, LabelFormat, ShipmentRequest};
use flux_core::{Address, CountryCode, Parcel, ProviderError};
use flux_fancourier::{FanCourierClient, SecretString};
use rust_decimal_macros::dec;

fn env(name: &str) -> Result<String, ProviderError> {
    std::env::var(name)
        .map_err(|_| ProviderError::validation("fancourier", name, "set this environment variable"))
}

#[tokio::main]
async fn main() -> Result<(), ProviderError> {
    let client = FanCourierClient::builder(
        env("FAN_CLIENT_ID")?,
        env("FAN_USERNAME")?,
        SecretString::from(env("FAN_PASSWORD")?),
    )
    .build()?;
    let courier: Arc<dyn Courier> = Arc::new(client);

    let sender = Address::builder("Magazin SRL", "Bucuresti", CountryCode::RO)
        .street("Str. Fabricii")
        .number("10")
        .phone("0720000000")
        .build()?;
    let recipient = Address::builder("Ana Pop", "Cluj-Napoca", CountryCode::RO)
        .region("Cluj")
        .street("Str. Horea")
        .number("3")
        .phone("0730000000")
        .build()?;
    let request = ShipmentRequest::new("example-1", sender, recipient, vec![Parcel::new(dec!(1))?]);

    let created = courier.create_shipment(&request).await?;
    tracing::info!(awb = %created.id, "created");
    let label = courier.label(&created.id, LabelFormat::PdfA4).await?;
    std::fs::write("fan-label.pdf", &label.bytes).map_err(|e| {
        ProviderError::new(
            flux_core::ErrorKind::Configuration,
            "fancourier",
            e.to_string(),
        )
    })?;
    for result in courier.track(std::slice::from_ref(&created.id)).await? {
        tracing::info!(awb = %result.tracking_number, status = result.status.as_str(), "tracked");
    }
    Ok(())
}
