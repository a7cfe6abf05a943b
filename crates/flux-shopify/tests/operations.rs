//! Typed operations against GraphQL fixtures.

mod common;

use common::{admin, graphql, graphql_bodies};
use flux_core::{ErrorKind, ProviderError};
use flux_shopify::ShopifyError;
use flux_shopify::ops::fulfillments::{
    FulfillmentEventInput, FulfillmentEventStatus, FulfillmentInput, FulfillmentOrderLineItemInput,
    FulfillmentOrderLineItemsInput, TrackingInfo,
};
use flux_shopify::ops::inventory::{
    InventoryAdjustQuantitiesInput, InventoryChangeInput, InventoryQuantityInput,
    InventorySetQuantitiesInput, new_idempotency_key,
};
use flux_shopify::ops::orders::{FinancialStatus, FulfillmentOrderStatus, FulfillmentStatus};
use flux_shopify::types::WeightUnit;
use flux_shopify::webhooks::WebhookTopic;
use futures::TryStreamExt;
use pretty_assertions::assert_eq;
use rust_decimal_macros::dec;
use serde_json::json;
use wiremock::MockServer;

#[tokio::test]
async fn order_with_shipping_lines_weights_totals_and_customer() {
    let server = MockServer::start().await;
    graphql("query FluxOrder(", "graphql/order.json")
        .expect(1)
        .mount(&server)
        .await;
    let order = admin(&server)
        .order("gid://shopify/Order/5820123456789")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(order.name, "#1042");
    assert_eq!(
        order.display_financial_status,
        Some(FinancialStatus::Pending)
    );
    assert_eq!(
        order.display_fulfillment_status,
        FulfillmentStatus::Unfulfilled
    );
    assert!(order.is_cash_on_delivery());
    assert_eq!(order.total_price_set.shop_money.amount, dec!(243.99));
    assert_eq!(
        order
            .total_price_set
            .shop_money
            .to_money()
            .currency()
            .code(),
        "RON"
    );
    assert_eq!(
        order
            .total_outstanding_set
            .as_ref()
            .unwrap()
            .shop_money
            .amount,
        dec!(243.99)
    );
    assert_eq!(
        order.total_tax_set.as_ref().unwrap().shop_money.amount,
        dec!(38.95)
    );
    assert_eq!(
        order
            .total_discounts_set
            .as_ref()
            .unwrap()
            .shop_money
            .amount,
        dec!(25.00)
    );
    assert_eq!(order.discount_codes, vec!["TOAMNA10"]);
    assert_eq!(order.tax_lines[0].rate, Some(dec!(0.19)));
    assert_eq!(order.custom_attributes[0].key, "cui");
    let ship = order.shipping_address.as_ref().unwrap();
    assert_eq!(
        (ship.city.as_deref(), ship.province_code.as_deref()),
        (Some("București"), Some("B"))
    );
    let customer = order.customer.as_ref().unwrap();
    assert_eq!(
        customer.default_email_address.as_deref(),
        Some("ana.pop@example.ro")
    );
    assert_eq!(
        customer.default_phone_number.as_deref(),
        Some("+40722123456")
    );
    let line = &order.line_items.nodes[0];
    assert_eq!(line.unit_weight().unwrap().unit, WeightUnit::Grams);
    assert_eq!(
        line.discounted_total_set
            .as_ref()
            .unwrap()
            .shop_money
            .amount,
        dec!(178.20)
    );
    // 2 × 500 g + 1 × 0.45 kg
    assert_eq!(order.total_weight_kg(), dec!(1.45));
    let body = &graphql_bodies(&server).await[0];
    assert_eq!(body["variables"]["id"], "gid://shopify/Order/5820123456789");
    let q = body["query"].as_str().unwrap();
    assert!(q.contains("inventoryItem { id measurement { weight { unit value } } }"));
    assert!(q.contains("defaultEmailAddress { emailAddress }"));
}

#[tokio::test]
async fn missing_order_is_none() {
    let server = MockServer::start().await;
    graphql("query FluxOrder(", "graphql/order_not_found.json")
        .mount(&server)
        .await;
    assert!(
        admin(&server)
            .order("gid://shopify/Order/1")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn fulfillment_orders_of_an_order() {
    let server = MockServer::start().await;
    graphql("FluxFulfillmentOrders", "graphql/fulfillment_orders.json")
        .mount(&server)
        .await;
    let fos = admin(&server)
        .fulfillment_orders("gid://shopify/Order/5820123456789")
        .await
        .unwrap();
    assert_eq!(fos.len(), 2);
    assert_eq!(fos[0].status, FulfillmentOrderStatus::Open);
    assert!(fos[0].is_fulfillable() && !fos[1].is_fulfillable());
    assert_eq!(
        fos[0].assigned_location.as_deref(),
        Some("gid://shopify/Location/71234567890")
    );
    assert_eq!(fos[0].line_items.nodes[0].remaining_quantity, 2);
    assert_eq!(fos[1].assigned_location, None);
}

#[tokio::test]
async fn fulfillment_orders_ask_for_small_pages_and_follow_the_cursor() {
    use wiremock::matchers::{body_string_contains, method};
    use wiremock::{Mock, ResponseTemplate};
    let server = MockServer::start().await;
    // The fixture's two fulfillment orders, served as two pages of one.
    let full: serde_json::Value =
        serde_json::from_str(&common::fixture("graphql/fulfillment_orders.json")).unwrap();
    let nodes = full["data"]["order"]["fulfillmentOrders"]["nodes"].clone();
    let page = |i: usize, next: bool, cursor: &str| {
        let mut p = full.clone();
        p["data"]["order"]["fulfillmentOrders"]["nodes"] = json!([nodes[i].clone()]);
        p["data"]["order"]["fulfillmentOrders"]["pageInfo"] =
            json!({ "hasNextPage": next, "endCursor": cursor });
        ResponseTemplate::new(200).set_body_json(p)
    };
    Mock::given(method("POST"))
        .and(body_string_contains("\"after\":null"))
        .respond_with(page(0, true, "eyJsYXN0X2lkIjo2NjAxMjM0NTY3ODkwfQ=="))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(body_string_contains(
            "\"after\":\"eyJsYXN0X2lkIjo2NjAxMjM0NTY3ODkwfQ==\"",
        ))
        .respond_with(page(1, false, "eyJsYXN0X2lkIjo2NjAxMjM0NTY3ODkxfQ=="))
        .expect(1)
        .mount(&server)
        .await;
    let fos = admin(&server)
        .fulfillment_orders("gid://shopify/Order/5820123456789")
        .await
        .unwrap();
    let ids: Vec<&str> = fos.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "gid://shopify/FulfillmentOrder/6601234567890",
            "gid://shopify/FulfillmentOrder/6601234567891"
        ]
    );
    let bodies = graphql_bodies(&server).await;
    assert_eq!(bodies.len(), 2);
    let query = bodies[0]["query"].as_str().unwrap();
    assert!(
        query.contains("fulfillmentOrders(first: 5, after: $after)")
            && query.contains("lineItems(first: 25)"),
        "{query}"
    );
}

#[tokio::test]
async fn create_fulfillment_with_tracking_and_notification() {
    let server = MockServer::start().await;
    graphql(
        "fulfillmentCreate(fulfillment: $fulfillment",
        "graphql/fulfillment_create.json",
    )
    .expect(1)
    .mount(&server)
    .await;
    let input = FulfillmentInput::new(vec![FulfillmentOrderLineItemsInput::lines(
        "gid://shopify/FulfillmentOrder/6601234567890",
        vec![FulfillmentOrderLineItemInput::new(
            "gid://shopify/FulfillmentOrderLineItem/13301234567890",
            2,
        )],
    )])
    .with_tracking(
        TrackingInfo::new("FAN Courier", "2150012345678")
            .with_url("https://www.fancourier.ro/awb-tracking/?tracking=2150012345678"),
    )
    .notify_customer(true);
    let f = admin(&server)
        .create_fulfillment(&input, None)
        .await
        .unwrap();
    assert_eq!(f.status, "SUCCESS");
    assert_eq!(f.tracking_info[0].number.as_deref(), Some("2150012345678"));
    let body = &graphql_bodies(&server).await[0];
    assert_eq!(
        body["variables"]["fulfillment"],
        json!({
            "lineItemsByFulfillmentOrder": [{
                "fulfillmentOrderId": "gid://shopify/FulfillmentOrder/6601234567890",
                "fulfillmentOrderLineItems": [{"id": "gid://shopify/FulfillmentOrderLineItem/13301234567890", "quantity": 2}]
            }],
            "trackingInfo": {"company": "FAN Courier", "number": "2150012345678", "url": "https://www.fancourier.ro/awb-tracking/?tracking=2150012345678"},
            "notifyCustomer": true
        })
    );
}

#[tokio::test]
async fn whole_fulfillment_order_omits_the_line_list() {
    let server = MockServer::start().await;
    graphql("fulfillmentCreate(", "graphql/fulfillment_create.json")
        .mount(&server)
        .await;
    let input = FulfillmentInput::new(vec![FulfillmentOrderLineItemsInput::whole(
        "gid://shopify/FulfillmentOrder/1",
    )]);
    admin(&server)
        .create_fulfillment(&input, Some("Expediat"))
        .await
        .unwrap();
    let body = &graphql_bodies(&server).await[0];
    assert_eq!(
        body["variables"]["fulfillment"]["lineItemsByFulfillmentOrder"],
        json!([{"fulfillmentOrderId": "gid://shopify/FulfillmentOrder/1"}])
    );
    assert_eq!(body["variables"]["fulfillment"]["notifyCustomer"], false);
    assert_eq!(body["variables"]["message"], "Expediat");
}

#[tokio::test]
async fn fulfillment_user_errors_keep_field_paths() {
    let server = MockServer::start().await;
    graphql(
        "fulfillmentCreate(",
        "graphql/fulfillment_create_user_errors.json",
    )
    .mount(&server)
    .await;
    let input = FulfillmentInput::new(vec![FulfillmentOrderLineItemsInput::whole(
        "gid://shopify/FulfillmentOrder/1",
    )]);
    let err = admin(&server)
        .create_fulfillment(&input, None)
        .await
        .unwrap_err();
    let ShopifyError::UserErrors { errors } = &err else {
        panic!("{err}")
    };
    assert_eq!(
        errors[0].field_path().as_deref(),
        Some("fulfillment.lineItemsByFulfillmentOrder.0.fulfillmentOrderLineItems.0.quantity")
    );
    let pe = ProviderError::from(err);
    assert_eq!(pe.kind(), ErrorKind::Validation);
    assert!(!pe.is_retryable());
    assert_eq!(
        pe.field_errors()[0].field,
        "fulfillment.lineItemsByFulfillmentOrder.0.fulfillmentOrderLineItems.0.quantity"
    );
}

#[tokio::test]
async fn tracking_url_without_number_is_refused_locally() {
    let server = MockServer::start().await;
    let mut t = TrackingInfo::default();
    t.url = Some("https://track.example/1".into());
    let err = admin(&server)
        .update_fulfillment_tracking("gid://shopify/Fulfillment/1", &t, false)
        .await
        .unwrap_err();
    assert!(matches!(err, ShopifyError::UserErrors { .. }));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn update_tracking() {
    let server = MockServer::start().await;
    graphql(
        "fulfillmentTrackingInfoUpdate(",
        "graphql/tracking_update.json",
    )
    .expect(1)
    .mount(&server)
    .await;
    let t = TrackingInfo::new("Sameday", "1ONB24112233445");
    let f = admin(&server)
        .update_fulfillment_tracking("gid://shopify/Fulfillment/5301234567890", &t, true)
        .await
        .unwrap();
    assert_eq!(f.tracking_info[0].company.as_deref(), Some("Sameday"));
    let vars = &graphql_bodies(&server).await[0]["variables"];
    assert_eq!(
        vars["fulfillmentId"],
        "gid://shopify/Fulfillment/5301234567890"
    );
    assert_eq!(
        vars["trackingInfoInput"],
        json!({"company": "Sameday", "number": "1ONB24112233445"})
    );
    assert_eq!(vars["notifyCustomer"], true);
}

#[tokio::test]
async fn fulfillment_event() {
    let server = MockServer::start().await;
    graphql("fulfillmentEventCreate(", "graphql/fulfillment_event.json")
        .expect(1)
        .mount(&server)
        .await;
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-21T17:30:00+02:00")
        .unwrap()
        .to_utc();
    let input = FulfillmentEventInput::new(
        "gid://shopify/Fulfillment/5301234567890",
        FulfillmentEventStatus::InTransit,
    )
    .happened_at(at)
    .message("Coletul a plecat din depozit")
    .city("București");
    let e = admin(&server)
        .create_fulfillment_event(&input)
        .await
        .unwrap();
    assert_eq!(e.status, FulfillmentEventStatus::InTransit);
    let vars = &graphql_bodies(&server).await[0]["variables"]["fulfillmentEvent"];
    assert_eq!(vars["status"], "IN_TRANSIT");
    assert_eq!(vars["happenedAt"], "2026-11-21T15:30:00Z");
    assert_eq!(
        vars["fulfillmentId"],
        "gid://shopify/Fulfillment/5301234567890"
    );
}

#[tokio::test]
async fn mark_as_paid() {
    let server = MockServer::start().await;
    graphql("orderMarkAsPaid(", "graphql/mark_as_paid.json")
        .expect(1)
        .mount(&server)
        .await;
    let o = admin(&server)
        .mark_order_as_paid("gid://shopify/Order/5820123456789")
        .await
        .unwrap();
    assert_eq!(o.display_financial_status, Some(FinancialStatus::Paid));
    assert_eq!(
        graphql_bodies(&server).await[0]["variables"],
        json!({"input": {"id": "gid://shopify/Order/5820123456789"}})
    );
}

#[tokio::test]
async fn mark_as_paid_refused() {
    let server = MockServer::start().await;
    graphql("orderMarkAsPaid(", "graphql/mark_as_paid_already_paid.json")
        .mount(&server)
        .await;
    let err = admin(&server)
        .mark_order_as_paid("gid://shopify/Order/1")
        .await
        .unwrap_err();
    assert_eq!(ProviderError::from(err).field_errors()[0].field, "id");
}

#[tokio::test]
async fn locations() {
    let server = MockServer::start().await;
    graphql("FluxLocations", "graphql/locations.json")
        .mount(&server)
        .await;
    let locs: Vec<_> = admin(&server).locations().try_collect().await.unwrap();
    assert_eq!(locs[0].name, "Depozit Bucuresti");
    assert!(locs[0].fulfills_online_orders && !locs[1].is_active);
    assert_eq!(locs[1].address.province_code.as_deref(), Some("CJ"));
}

#[tokio::test]
async fn inventory_levels() {
    let server = MockServer::start().await;
    graphql("FluxInventoryLevels", "graphql/inventory_levels.json")
        .mount(&server)
        .await;
    let levels: Vec<_> = admin(&server)
        .inventory_levels("gid://shopify/Location/71234567890")
        .try_collect()
        .await
        .unwrap();
    assert_eq!(levels[0].quantity("available"), Some(18));
    assert_eq!(levels[0].quantity("on_hand"), Some(20));
    assert_eq!(levels[0].item.sku.as_deref(), Some("CANA-ALB"));
    assert_eq!(
        graphql_bodies(&server).await[0]["variables"]["id"],
        "gid://shopify/Location/71234567890"
    );
}

#[tokio::test]
async fn set_quantities_sends_change_from_quantity_and_idempotency_key() {
    let server = MockServer::start().await;
    graphql(
        "inventorySetQuantities(input: $input)",
        "graphql/inventory_set.json",
    )
    .expect(1)
    .mount(&server)
    .await;
    let key = new_idempotency_key();
    let input = InventorySetQuantitiesInput::new(
        "available",
        "correction",
        vec![
            InventoryQuantityInput::new(
                "gid://shopify/InventoryItem/47701234567890",
                "gid://shopify/Location/71234567890",
                15,
                Some(18),
            ),
            InventoryQuantityInput::new(
                "gid://shopify/InventoryItem/47701234567892",
                "gid://shopify/Location/71234567890",
                0,
                None,
            ),
        ],
    )
    .with_reference_document_uri("gid://fluxsales/StockSync/42");
    let group = admin(&server)
        .set_inventory_quantities(&input, key)
        .await
        .unwrap();
    assert_eq!(group.changes[0].quantity_after_change, Some(15));
    let body = &graphql_bodies(&server).await[0];
    assert!(
        body["query"]
            .as_str()
            .unwrap()
            .contains(&format!("@idempotent(key: \"{key}\")"))
    );
    let q = &body["variables"]["input"]["quantities"];
    assert_eq!(q[0]["changeFromQuantity"], 18);
    // Opting out of the check is an explicit null, never an omitted field.
    assert!(q[1].as_object().unwrap().contains_key("changeFromQuantity"));
    assert_eq!(q[1]["changeFromQuantity"], serde_json::Value::Null);
}

#[tokio::test]
async fn stale_change_from_quantity_is_a_conflict() {
    let server = MockServer::start().await;
    graphql(
        "inventorySetQuantities(",
        "graphql/inventory_set_stale.json",
    )
    .mount(&server)
    .await;
    let input = InventorySetQuantitiesInput::new(
        "available",
        "correction",
        vec![InventoryQuantityInput::new(
            "gid://shopify/InventoryItem/1",
            "gid://shopify/Location/1",
            5,
            Some(7),
        )],
    );
    let err = admin(&server)
        .set_inventory_quantities(&input, new_idempotency_key())
        .await
        .unwrap_err();
    let pe = ProviderError::from(err);
    assert_eq!(pe.kind(), ErrorKind::Conflict);
    assert_eq!(pe.provider_code(), Some("CHANGE_FROM_QUANTITY_STALE"));
    assert_eq!(
        pe.field_errors()[0].field,
        "input.quantities.0.changeFromQuantity"
    );
}

#[tokio::test]
async fn adjust_quantities_with_idempotency_key() {
    let server = MockServer::start().await;
    graphql(
        "inventoryAdjustQuantities(input: $input)",
        "graphql/inventory_adjust.json",
    )
    .expect(1)
    .mount(&server)
    .await;
    let key = new_idempotency_key();
    let input = InventoryAdjustQuantitiesInput::new(
        "available",
        "restock",
        vec![InventoryChangeInput::new(
            "gid://shopify/InventoryItem/47701234567890",
            "gid://shopify/Location/71234567890",
            5,
            Some(18),
        )],
    );
    let group = admin(&server)
        .adjust_inventory_quantities(&input, key)
        .await
        .unwrap();
    assert_eq!(group.changes[0].delta, 5);
    let body = &graphql_bodies(&server).await[0];
    assert!(
        body["query"]
            .as_str()
            .unwrap()
            .contains(&format!("@idempotent(key: \"{key}\")"))
    );
    assert_eq!(
        body["variables"]["input"]["changes"][0],
        json!({"inventoryItemId": "gid://shopify/InventoryItem/47701234567890", "locationId": "gid://shopify/Location/71234567890", "delta": 5, "changeFromQuantity": 18})
    );
}

#[tokio::test]
async fn products_and_variants() {
    let server = MockServer::start().await;
    graphql("FluxProducts", "graphql/products.json")
        .mount(&server)
        .await;
    let products: Vec<_> = admin(&server)
        .products(Some("sku:CANA*"))
        .try_collect()
        .await
        .unwrap();
    let v = &products[0].variants.nodes;
    assert_eq!(v[0].price, dec!(99.00));
    assert_eq!(
        v[0].inventory_item
            .as_ref()
            .unwrap()
            .measurement
            .as_ref()
            .unwrap()
            .kilograms(),
        dec!(0.5)
    );
    assert!(v[1].inventory_item.as_ref().unwrap().measurement.is_none());
    assert_eq!(
        graphql_bodies(&server).await[0]["variables"]["query"],
        "sku:CANA*"
    );
}

#[tokio::test]
async fn customers() {
    let server = MockServer::start().await;
    graphql("FluxCustomers", "graphql/customers.json")
        .mount(&server)
        .await;
    let customers: Vec<_> = admin(&server).customers(None).try_collect().await.unwrap();
    assert_eq!(
        customers[0].contact.default_email_address.as_deref(),
        Some("ana.pop@example.ro")
    );
    assert_eq!(
        customers[0]
            .default_address
            .as_ref()
            .unwrap()
            .zip
            .as_deref(),
        Some("030031")
    );
    assert_eq!(customers[1].contact.default_email_address, None);
}

#[tokio::test]
async fn webhook_subscriptions_list_create_delete() {
    let server = MockServer::start().await;
    graphql(
        "FluxWebhookSubscriptions",
        "graphql/webhook_subscriptions.json",
    )
    .mount(&server)
    .await;
    graphql("webhookSubscriptionCreate(", "graphql/webhook_create.json")
        .expect(1)
        .mount(&server)
        .await;
    graphql("webhookSubscriptionDelete(", "graphql/webhook_delete.json")
        .expect(1)
        .mount(&server)
        .await;
    let client = admin(&server);
    let subs: Vec<_> = client.webhook_subscriptions().try_collect().await.unwrap();
    assert_eq!(subs[0].topic(), WebhookTopic::OrdersCreate);
    assert_eq!(subs[1].include_fields.len(), 4);
    let created = client
        .create_webhook_subscription(
            &WebhookTopic::OrdersPaid,
            "https://app.fluxsales.example/webhooks/orders",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(created.topic(), WebhookTopic::OrdersPaid);
    let deleted = client
        .delete_webhook_subscription(&created.id)
        .await
        .unwrap();
    assert_eq!(deleted, created.id);
    let bodies = graphql_bodies(&server).await;
    assert_eq!(
        bodies[1]["variables"],
        json!({"topic": "ORDERS_PAID", "webhookSubscription": {"uri": "https://app.fluxsales.example/webhooks/orders", "format": "JSON"}})
    );
}

#[tokio::test]
async fn webhook_subscription_errors() {
    let server = MockServer::start().await;
    graphql(
        "webhookSubscriptionCreate(",
        "graphql/webhook_create_user_errors.json",
    )
    .mount(&server)
    .await;
    let client = admin(&server);
    let err = client
        .create_webhook_subscription(
            &WebhookTopic::OrdersCreate,
            "https://x.example/w",
            &["id", "updated_at"],
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ShopifyError::UserErrors { .. }));
    assert_eq!(
        graphql_bodies(&server).await[0]["variables"]["webhookSubscription"]["includeFields"],
        json!(["id", "updated_at"])
    );
    // Compliance topics are refused without calling Shopify.
    let before = server.received_requests().await.unwrap().len();
    assert!(
        client
            .create_webhook_subscription(&WebhookTopic::ShopRedact, "https://x.example/w", &[])
            .await
            .is_err()
    );
    assert_eq!(server.received_requests().await.unwrap().len(), before);
}

#[tokio::test]
async fn shop_query() {
    let server = MockServer::start().await;
    graphql("query FluxShop", "graphql/shop.json")
        .mount(&server)
        .await;
    let shop = admin(&server).shop_info().await.unwrap();
    assert_eq!(shop.currency_code, "RON");
    assert_eq!(shop.iana_timezone.as_deref(), Some("Europe/Bucharest"));
    assert_eq!(shop.weight_unit, Some(WeightUnit::Kilograms));
}
