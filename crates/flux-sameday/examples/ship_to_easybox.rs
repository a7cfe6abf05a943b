//! Creates an easybox shipment on Sameday's demo platform, prints its label size and
//! tracks it.
//!
//! ```sh
//! SAMEDAY_USERNAME=… SAMEDAY_PASSWORD=… cargo run -p flux-sameday --example ship_to_easybox
//! ```
//! Set `SAMEDAY_PRODUCTION=1` to use the live API (this creates a real, billed AWB).

use std::sync::Arc;

use flux_core::courier::{
    Courier, DeliveryTarget, LabelFormat, PickupPointKind, PickupPointQuery, ShipmentRequest,
};
use flux_core::{Address, CountryCode, County, Parcel, ProviderError};
use flux_sameday::{Country, Environment, SamedayClient};
use rust_decimal::Decimal;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let username = std::env::var("SAMEDAY_USERNAME")?;
    let password = std::env::var("SAMEDAY_PASSWORD")?;
    let environment = if std::env::var("SAMEDAY_PRODUCTION").as_deref() == Ok("1") {
        Environment::Production
    } else {
        Environment::Demo
    };
    let client = SamedayClient::builder(username, password.into())
        .country(Country::Romania)
        .environment(environment)
        .build()?;

    for service in client.services().await? {
        eprintln!(
            "service {} = id {} ({})",
            service.service_code, service.id, service.name
        );
    }

    let courier: Arc<dyn Courier> = Arc::new(client.clone());
    let mut query = PickupPointQuery::default();
    query.county = Some(County::Cluj);
    query.kind = Some(PickupPointKind::Locker);
    let lockers = courier.pickup_points(&query).await?;
    let locker = lockers.first().ok_or("no easybox in Cluj")?;
    eprintln!("shipping to {} ({})", locker.name, locker.id);

    let sender = Address::builder("Demo Shop SRL", "Cluj-Napoca", CountryCode::RO)
        .region("Cluj")
        .build_unchecked();
    let recipient = Address::builder("Ana Pop", "Cluj-Napoca", CountryCode::RO)
        .region("Cluj")
        .street("Str. Memorandumului")
        .number("28")
        .phone("0722000111")
        .email("ana@example.com")
        .build_unchecked();
    let parcel = Parcel::new(Decimal::new(12, 1)).map_err(Box::new)?;
    let mut request = ShipmentRequest::new(
        format!("FLUX-DEMO-{}", std::process::id()),
        sender,
        recipient,
        vec![parcel],
    );
    request.delivery = DeliveryTarget::PickupPoint {
        id: locker.id.clone(),
        kind: PickupPointKind::Locker,
        address: Some(Box::new(locker.address.clone())),
    };

    let quote = courier.quote(&request).await?;
    eprintln!("price: {}", quote.total);

    let created = courier
        .create_shipment(&request)
        .await
        .inspect_err(|e: &ProviderError| {
            if e.maybe_sent() {
                eprintln!("the AWB may exist: check eAWB before retrying");
            }
        })?;
    eprintln!("AWB {} parcels {:?}", created.id, created.id.parcels);

    let label = courier.label(&created.id, LabelFormat::PdfA6).await?;
    eprintln!("label: {} bytes", label.bytes.len());

    let tracking = courier.track(std::slice::from_ref(&created.id)).await?;
    eprintln!("status: {:?}", tracking[0].status);
    Ok(())
}
