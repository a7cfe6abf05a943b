//! Fetches an order, ships its open fulfillment orders with tracking, and lists
//! inventory at the first active location.
//!
//! ```sh
//! SHOPIFY_API_KEY=… SHOPIFY_API_SECRET=… SHOPIFY_SHOP=example.myshopify.com \
//! SHOPIFY_ACCESS_TOKEN=shpat_… SHOPIFY_ORDER_ID=gid://shopify/Order/1 \
//! cargo run -p flux-shopify --example fulfil_order
//! ```

#![allow(clippy::print_stdout)] // An example program reports on stdout.

use std::env;

use flux_shopify::ops::fulfillments::{
    FulfillmentInput, FulfillmentOrderLineItemsInput, TrackingInfo,
};
use flux_shopify::secret::SecretString;
use flux_shopify::{AccessToken, ShopDomain, ShopifyApp};
use futures::{StreamExt, TryStreamExt};

fn var(name: &str) -> Result<String, Box<dyn std::error::Error>> {
    env::var(name).map_err(|_| format!("set {name}").into())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let app = ShopifyApp::builder(
        var("SHOPIFY_API_KEY")?,
        SecretString::from(var("SHOPIFY_API_SECRET")?),
    )
    .build()?;
    let shop = ShopDomain::parse(&var("SHOPIFY_SHOP")?)?;
    let admin = app.admin_client(
        &shop,
        AccessToken::new(SecretString::from(var("SHOPIFY_ACCESS_TOKEN")?)),
    )?;

    let shop_info = admin.shop_info().await?;
    println!(
        "{} ({}, {})",
        shop_info.name,
        shop_info.currency_code,
        shop_info.iana_timezone.unwrap_or_default()
    );

    let order_id = var("SHOPIFY_ORDER_ID")?;
    let Some(order) = admin.order(&order_id).await? else {
        println!("order {order_id} not found");
        return Ok(());
    };
    println!(
        "{}: {} {}, {} kg, COD: {}",
        order.name,
        order.total_price_set.shop_money.amount,
        order.currency_code,
        order.total_weight_kg(),
        order.is_cash_on_delivery()
    );

    let open: Vec<_> = admin
        .fulfillment_orders(&order.id)
        .await?
        .into_iter()
        .filter(|fo| fo.is_fulfillable())
        .map(|fo| FulfillmentOrderLineItemsInput::whole(fo.id))
        .collect();
    if let (false, Ok(awb)) = (open.is_empty(), env::var("SHOPIFY_AWB")) {
        let input = FulfillmentInput::new(open)
            .with_tracking(TrackingInfo::new("FAN Courier", awb))
            .notify_customer(true);
        let fulfillment = admin.create_fulfillment(&input, None).await?;
        println!("fulfillment {} {}", fulfillment.id, fulfillment.status);
    }

    let locations: Vec<_> = admin.locations().try_collect().await?;
    if let Some(location) = locations.iter().find(|l| l.is_active) {
        let mut levels = Box::pin(admin.inventory_levels(&location.id).take(10));
        while let Some(level) = levels.next().await {
            let level = level?;
            println!(
                "{:?}: available {:?}",
                level.item.sku,
                level.quantity("available")
            );
        }
    }
    Ok(())
}
