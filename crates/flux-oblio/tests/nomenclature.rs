//! Every nomenclature: companies (no cif), VAT rates, clients, products, series,
//! languages, management.

mod common;

use common::*;
use flux_oblio::types::{ClientFilter, DocumentTypeName, ProductFilter, ProductType};
use pretty_assertions::assert_eq;
use rust_decimal_macros::dec;
use wiremock::Mock;
use wiremock::matchers::{method, path};

async fn mount(server: &wiremock::MockServer, name: &str, file: &str) {
    Mock::given(method("GET"))
        .and(path(format!("/api/nomenclature/{name}")))
        .and(bearer())
        .respond_with(json(fixture(file)))
        .expect(1)
        .mount(server)
        .await;
}

fn sent_query(requests: &[wiremock::Request]) -> Vec<(String, String)> {
    query(&requests[0])
}

#[tokio::test]
async fn companies_are_listed_without_a_cif() {
    let (server, client) = setup().await;
    mount(&server, "companies", "companies.json").await;
    let companies = client.companies().await.unwrap();
    assert_eq!(companies[0].cif, "RO37311090");
    assert_eq!(companies[0].user_type_access, "Administrator");
    assert_eq!(companies[0].use_stock, Some(false));
    let sent = received_on(&server, "/api/nomenclature/companies").await;
    assert!(sent_query(&sent).is_empty());
}

#[tokio::test]
async fn vat_rates_carry_the_cif_and_decimal_percentages() {
    let (server, client) = setup().await;
    mount(&server, "vat_rates", "vat_rates.json").await;
    let rates = client.vat_rates().await.unwrap();
    assert_eq!(rates.len(), 3);
    assert_eq!(
        (rates[0].name.as_str(), rates[0].percent, rates[0].default),
        ("Normala", Some(dec!(21)), true)
    );
    assert_eq!(rates[1].percent, Some(dec!(11)));
    let sent = received_on(&server, "/api/nomenclature/vat_rates").await;
    assert_eq!(sent_query(&sent), [("cif".to_owned(), CIF.to_owned())]);
}

#[tokio::test]
async fn clients_are_filtered_and_paged() {
    let (server, client) = setup().await;
    mount(&server, "clients", "clients.json").await;
    let mut filter = ClientFilter::default();
    filter.client_cif = Some("RO37311090".into());
    filter.offset = Some(250);
    let clients = client.clients(&filter).await.unwrap();
    assert_eq!(clients[0].name, "OBLIO SOFTWARE SRL");
    assert_eq!(clients[0].vat_payer, Some(true));
    let sent = received_on(&server, "/api/nomenclature/clients").await;
    assert_eq!(
        sent_query(&sent),
        [
            ("cif".to_owned(), CIF.to_owned()),
            ("clientCif".to_owned(), "RO37311090".to_owned()),
            ("offset".to_owned(), "250".to_owned())
        ]
    );
}

#[tokio::test]
async fn products_decode_prices_and_stock() {
    let (server, client) = setup().await;
    mount(&server, "products", "products.json").await;
    let mut filter = ProductFilter::default();
    filter.name = Some("Birou".into());
    filter.management = Some("Magazin".into());
    let products = client.products(&filter).await.unwrap();
    assert_eq!(products[0].price, Some(dec!(119.00)));
    assert_eq!(products[0].product_type, Some(ProductType::Service));
    assert_eq!(products[0].vat_included, Some(true));
    assert_eq!(products[1].active, Some(true));
    assert_eq!(products[1].stock[0].quantity, Some(dec!(2)));
    assert_eq!(products[1].stock[0].vat_included, Some(false));
    let sent = received_on(&server, "/api/nomenclature/products").await;
    let q = sent_query(&sent);
    assert!(q.contains(&("name".to_owned(), "Birou".to_owned())));
    assert!(q.contains(&("management".to_owned(), "Magazin".to_owned())));
}

#[tokio::test]
async fn series_keep_unknown_types() {
    let (server, client) = setup().await;
    mount(&server, "series", "series.json").await;
    let series = client.series().await.unwrap();
    assert_eq!(series[0].kind, DocumentTypeName::Invoice);
    assert_eq!(series[0].next, "0051");
    assert_eq!(series[2].kind, DocumentTypeName::Notice);
    assert_eq!(series[3].kind, DocumentTypeName::Other("Chitanta".into()));
}

#[tokio::test]
async fn languages_and_management() {
    let (server, client) = setup().await;
    mount(&server, "languages", "languages.json").await;
    mount(&server, "management", "management.json").await;
    let languages = client.languages().await.unwrap();
    assert_eq!(languages[0].code, "EN");
    let rooms = client.management().await.unwrap();
    assert_eq!(rooms[1].management, "Mobila");
    assert_eq!(rooms[1].work_station, "Depozit");
    assert_eq!(rooms[1].management_type, "Cantitativ Valorica");
}
