//! How fast a 250-order Admin GraphQL page decodes into typed orders (the page size
//! FluxSales' backfill asks for).
//!
//! `cargo bench -p flux-shopify --bench decode_orders`

#![allow(missing_docs)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use flux_shopify::ops::orders::Order;
use flux_shopify::types::Connection;
use serde_json::Value;

/// A realistic page: the fixture's order, repeated 250 times with distinct ids and names.
fn page_of_250() -> String {
    let fixture: Value = serde_json::from_str(include_str!(
        "../../../fixtures/shopify/graphql/orders_page1.json"
    ))
    .expect("fixture parses");
    let order = fixture["data"]["orders"]["nodes"][0].clone();
    let nodes: Vec<Value> = (0..250)
        .map(|i| {
            let mut o = order.clone();
            o["id"] = Value::from(format!("gid://shopify/Order/{}", 5_000_000_000u64 + i));
            o["name"] = Value::from(format!("#{}", 10_000 + i));
            o
        })
        .collect();
    serde_json::json!({
        "nodes": nodes,
        "pageInfo": { "hasNextPage": true, "endCursor": "eyJsYXN0X2lkIjo1MDAwMDAwMjQ5fQ==" }
    })
    .to_string()
}

fn decode(c: &mut Criterion) {
    let body = page_of_250();
    let mut group = c.benchmark_group("shopify");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("decode_250_orders", |b| {
        b.iter(|| {
            let page: Connection<Order> =
                serde_json::from_str(std::hint::black_box(&body)).expect("decodes");
            assert_eq!(page.nodes.len(), 250);
            page
        })
    });
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
