//! How fast a 100-AWB tracking response decodes into typed tracking results.
//!
//! `cargo bench -p flux-fancourier --bench decode_tracking`

#![allow(missing_docs)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use flux_fancourier::models::tracking::AwbTracking;
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct TrackingResponse {
    #[allow(dead_code)]
    status: String,
    data: Vec<AwbTracking>,
}

/// The fixture's first AWB with its events, repeated 100 times with distinct numbers.
fn response_of_100() -> String {
    let fixture: Value =
        serde_json::from_str(include_str!("../../../fixtures/fancourier/tracking.json"))
            .expect("fixture parses");
    let awb = fixture["data"][0].clone();
    let data: Vec<Value> = (0..100)
        .map(|i| {
            let mut a = awb.clone();
            a["awbNumber"] = Value::from(format!("{}", 7_000_081_300_000u64 + i));
            a
        })
        .collect();
    serde_json::json!({ "status": "success", "data": data }).to_string()
}

fn decode(c: &mut Criterion) {
    let body = response_of_100();
    let mut group = c.benchmark_group("fancourier");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("decode_100_awb_tracking", |b| {
        b.iter(|| {
            let r: TrackingResponse =
                serde_json::from_str(std::hint::black_box(&body)).expect("decodes");
            assert_eq!(r.data.len(), 100);
            r
        })
    });
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
