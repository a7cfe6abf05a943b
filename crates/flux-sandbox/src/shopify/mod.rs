//! The Shopify simulator: OAuth (authorization code, token exchange, expiring offline
//! tokens with refresh-token rotation, migration), the Admin GraphQL API (pinned version
//! `2026-10`) for the operations flux-shopify sends, Shopify's cost-based throttle, and a
//! webhook sender that signs like Shopify.
//!
//! # Routing
//!
//! flux-shopify's `ShopifyApp::endpoint_override(base)` sends *every* shop's requests to
//! `base` (`{base}admin/oauth/access_token`, `{base}admin/api/{version}/graphql.json`),
//! so the shop is not in the URL. Give it `sandbox.base_url(Provider::Shopify)`
//! (`http://127.0.0.1:PORT/shopify/`): the simulator then finds the shop from the
//! credentials, as the real host would have told it — the access token (GraphQL), the
//! authorization code, the session token's `dest`, the refresh token or the legacy token
//! (OAuth). The explicit form `/shopify/{shop}.myshopify.com/admin/...` (an override of
//! `…/shopify/{shop}/`) is accepted too, and a token of another shop is refused there.
//!
//! # Defaults
//!
//! - App: client id [`DEFAULT_API_KEY`] (`flux-sandbox-app`), secret
//!   [`DEFAULT_API_SECRET`] (`flux-sandbox-secret`), scopes [`DEFAULT_SCOPES`]. Other
//!   apps: [`Sim::register_app`]. A wrong client id or secret gets
//!   `401 {"error":"invalid_client"}`.
//! - Shop [`DEFAULT_SHOP`] (`flux-demo.myshopify.com`, "Atelier Flux Demo", RON,
//!   Europe/Bucharest) with two locations (the Bucharest warehouse fulfils online
//!   orders), a ceramics catalogue stocked at both, and a legacy (non-expiring) offline
//!   token [`DEFAULT_ACCESS_TOKEN`]. More shops: [`Sim::create_shop`].
//! - GraphQL without a valid `X-Shopify-Access-Token` gets
//!   `401 {"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`.
//!
//! # Tokens
//!
//! Token lifetimes follow wall-clock time (the SDK computes expiries with the system
//! clock): expiring offline tokens last 3600 s, refresh tokens 30 days and rotate on
//! every use (a used refresh token gets `400 {"error":"invalid_grant"}`), online tokens
//! 24 h. [`Sim::expire_access_tokens`] expires a shop's tokens at once. Session tokens
//! (the App Bridge JWTs the token exchange trades) come from [`Sim::session_token`];
//! an invalid one gets `400 {"error":"invalid_subject_token"}`.
//!
//! # Throttle
//!
//! Each shop has a leaky bucket of 2000 points restoring 100 points/s (Shopify's
//! Standard plan; [`Sim::set_throttle`] changes it). A query needs its requested cost
//! available (see the cost model in `gql::requested_cost`); it is charged its actual
//! cost. Every answer carries `extensions.cost.throttleStatus`; an unaffordable query
//! gets HTTP 200 `{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}]}`
//! with `actualQueryCost: null`, and counts as a violation in the [`LimitTracker`]
//! (`crate::LimitTracker`). A query above 1000 points gets `MAX_COST_EXCEEDED`.
//!
//! # Webhooks
//!
//! [`Sim::send_webhook`] POSTs a body with Shopify's headers and HMAC;
//! [`Sim::create_order_and_notify`] creates an order and sends `orders/create` (and
//! `orders/paid` for card payments). Mutations also deliver `orders/paid`,
//! `orders/updated`, `fulfillments/create`, `fulfillments/update`, ... to the shop's
//! webhook subscriptions (`webhookSubscriptionCreate`; `http://` is accepted for
//! loopback hosts only, a sandbox concession).

mod data;
mod exec;
mod gql;
mod state;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, Scope, web};
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};
use sha2::Sha256;

pub use data::{Company, OrderDraft, Payment, cif_with_check_digit};
pub use state::{Address, Tracking, WebhookSubscription};

use crate::server::{Provider, Shared};
use exec::EventRef;
use state::{
    Bucket, Customer, FoLine, FulfillmentOrder, Level, Line, Location, Order, Product, ShopState,
    Variant, Weight,
};

/// The default app's client id.
pub const DEFAULT_API_KEY: &str = "flux-sandbox-app";
/// The default app's client secret (also the webhook signing key).
pub const DEFAULT_API_SECRET: &str = "flux-sandbox-secret";
/// The default app's granted scopes.
pub const DEFAULT_SCOPES: &[&str] = &[
    "read_orders",
    "write_orders",
    "write_merchant_managed_fulfillment_orders",
    "write_inventory",
    "read_locations",
    "read_products",
    "read_customers",
];
/// The default shop.
pub const DEFAULT_SHOP: &str = "flux-demo.myshopify.com";
/// A legacy (non-expiring) offline token of the default app on the default shop.
pub const DEFAULT_ACCESS_TOKEN: &str = "shpat_sandbox_flux_demo_offline";
/// The Admin API version flux-shopify pins (others supported answer too, and report
/// themselves in `X-Shopify-API-Version`).
pub const API_VERSION: &str = "2026-10";
const SUPPORTED_VERSIONS: &[&str] = &[
    "2026-01", "2026-04", "2026-07", "2026-10", "2027-01", "unstable",
];
const MAX_QUERY_COST: u64 = 1000;
const INVALID_TOKEN_BODY: &str =
    r#"{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}"#;

#[derive(Debug, Clone)]
struct App {
    api_key: String,
    api_secret: String,
    scopes: Vec<String>,
}

#[derive(Debug, Clone)]
struct TokenInfo {
    shop: String,
    api_key: String,
    scopes: Vec<String>,
    expires_at: Option<DateTime<Utc>>,
    legacy: bool,
}

#[derive(Debug, Clone)]
struct GrantInfo {
    shop: String,
    api_key: String,
    expires_at: DateTime<Utc>,
}

#[derive(Debug, Default)]
struct Inner {
    apps: Vec<App>,
    shops: BTreeMap<String, ShopState>,
    tokens: HashMap<String, TokenInfo>,
    refresh_tokens: HashMap<String, GrantInfo>,
    codes: HashMap<String, GrantInfo>,
    deliveries: Vec<WebhookDelivery>,
    next_shop: u64,
}

/// A webhook delivery the simulator made.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebhookDelivery {
    /// Where it went.
    pub target_url: String,
    /// REST topic (`orders/create`).
    pub topic: String,
    /// `X-Shopify-Webhook-Id`.
    pub webhook_id: String,
    /// `X-Shopify-Event-Id`.
    pub event_id: String,
    /// The receiver's HTTP status (`None`: no answer).
    pub status: Option<u16>,
}

/// An order as a test or the demo sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrderSummary {
    /// GID.
    pub id: String,
    /// `#1001`.
    pub name: String,
    /// Total (RON, VAT included).
    pub total: Decimal,
    /// `PENDING` or `PAID`.
    pub financial_status: String,
    /// `UNFULFILLED`, `PARTIALLY_FULFILLED` or `FULFILLED`.
    pub fulfillment_status: String,
    /// Cash on delivery.
    pub cash_on_delivery: bool,
    /// Company buyer (B2B).
    pub b2b: bool,
    /// Total weight of the lines that ship, in grams.
    pub weight_grams: i64,
}

/// A fulfillment as a test or the demo sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FulfillmentSummary {
    /// GID.
    pub id: String,
    /// The order's GID.
    pub order_id: String,
    /// `#1001.1`.
    pub name: String,
    /// Tracking.
    pub tracking: Vec<Tracking>,
    /// Event statuses in order (`IN_TRANSIT`, `DELIVERED`, ...).
    pub events: Vec<String>,
    /// Whether the customer was to be notified.
    pub notify_customer: bool,
}

/// The Shopify simulator's state.
#[derive(Debug)]
pub struct Sim {
    shared: Shared,
    inner: Mutex<Inner>,
    http: flux_http::HttpClient,
}

fn random_token(prefix: &str) -> String {
    format!("{prefix}{}", uuid::Uuid::new_v4().simple())
}

fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

/// `URLSearchParams`-style encoding with `%20` for spaces (what Shopify signs).
fn encode_component(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(b as char)
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

impl Sim {
    /// A simulator over the shared clock, faults and limits, with the default app and
    /// shop.
    pub fn new(shared: Shared) -> Self {
        let http = flux_http::HttpClient::builder("shopify-webhooks")
            .timeout(Duration::from_secs(5))
            .connect_timeout(Duration::from_secs(1))
            .retry_policy(flux_http::RetryPolicy::none())
            .user_agent("Shopify-Captain-Hook")
            .build()
            .expect("a plain HTTP client builds");
        let sim = Self {
            shared,
            inner: Mutex::new(Inner {
                next_shop: 69_123_456_000,
                ..Inner::default()
            }),
            http,
        };
        sim.register_app(DEFAULT_API_KEY, DEFAULT_API_SECRET, DEFAULT_SCOPES);
        sim.create_shop(DEFAULT_SHOP, "Atelier Flux Demo");
        sim.lock().tokens.insert(
            DEFAULT_ACCESS_TOKEN.to_owned(),
            TokenInfo {
                shop: DEFAULT_SHOP.to_owned(),
                api_key: DEFAULT_API_KEY.to_owned(),
                scopes: DEFAULT_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
                expires_at: None,
                legacy: true,
            },
        );
        sim
    }

    /// The shared clock, faults and limits.
    pub fn shared(&self) -> &Shared {
        &self.shared
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers (or replaces) an app: its client id, secret and granted scopes.
    pub fn register_app(&self, api_key: &str, api_secret: &str, scopes: &[&str]) {
        let mut inner = self.lock();
        inner.apps.retain(|a| a.api_key != api_key);
        inner.apps.push(App {
            api_key: api_key.to_owned(),
            api_secret: api_secret.to_owned(),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        });
    }

    /// Creates a shop (`{handle}.myshopify.com`) with the demo locations, catalogue and
    /// stock. Returns `false` if it already exists.
    pub fn create_shop(&self, domain: &str, name: &str) -> bool {
        let mut inner = self.lock();
        if inner.shops.contains_key(domain) {
            return false;
        }
        inner.next_shop += 1;
        let shop_id = inner.next_shop;
        let base = 5_820_000_000_000 + (shop_id % 1000) * 10_000_000_000;
        let handle = domain.trim_end_matches(".myshopify.com");
        let mut shop = ShopState {
            id: shop_id,
            domain: domain.to_owned(),
            name: name.to_owned(),
            email: format!("contact@{handle}.example.ro"),
            next_order_number: 1001,
            orders: BTreeMap::new(),
            customers: BTreeMap::new(),
            products: BTreeMap::new(),
            locations: BTreeMap::new(),
            levels: BTreeMap::new(),
            fulfillments: BTreeMap::new(),
            webhooks: BTreeMap::new(),
            idempotency: HashMap::new(),
            adjustments: Vec::new(),
            bucket: Bucket::new(2000, 100),
            next_id: base,
            throttled: 0,
            lowest_available_milli: 2_000_000,
        };
        let warehouse = shop.new_id();
        shop.locations.insert(
            warehouse,
            Location {
                id: warehouse,
                name: "Depozit București".into(),
                active: true,
                fulfills_online_orders: true,
                address: Address {
                    address1: "Bulevardul Iuliu Maniu 7".into(),
                    city: "București".into(),
                    province: "București".into(),
                    province_code: "B".into(),
                    zip: "061072".into(),
                    phone: Some("+40213000000".into()),
                    ..Address::default()
                },
            },
        );
        let store = shop.new_id();
        shop.locations.insert(
            store,
            Location {
                id: store,
                name: "Magazin Cluj".into(),
                active: true,
                fulfills_online_orders: false,
                address: Address {
                    address1: "Strada Memorandumului 5".into(),
                    city: "Cluj-Napoca".into(),
                    province: "Cluj".into(),
                    province_code: "CJ".into(),
                    zip: "400114".into(),
                    ..Address::default()
                },
            },
        );
        let mut products: Vec<Product> = Vec::new();
        for (sku, title, variant, bani, grams, kg) in data::CATALOGUE {
            let vid = shop.new_id();
            let item = shop.new_id();
            let v = Variant {
                id: vid,
                inventory_item_id: item,
                title: variant.unwrap_or("Default Title").to_owned(),
                sku: (*sku).to_owned(),
                barcode: Some(format!("594{:010}", item % 10_000_000_000)),
                price: data::price_of(*bani),
                weight: Weight {
                    grams: *grams,
                    in_kilograms: *kg,
                },
            };
            for (loc, on_hand) in [(warehouse, 250), (store, 40)] {
                let id = shop.new_id();
                let mut level = Level {
                    id,
                    ..Level::default()
                };
                level.quantities.insert("on_hand", on_hand);
                shop.levels.insert((item, loc), level);
            }
            match products.iter_mut().find(|p| p.title == *title) {
                Some(p) => p.variants.push(v),
                None => {
                    let pid = shop.new_id();
                    products.push(Product {
                        id: pid,
                        title: (*title).to_owned(),
                        handle: data::ascii(&title.replace(' ', "-x")).replace('x', "-"),
                        vendor: "Atelier Flux".into(),
                        variants: vec![v],
                    });
                }
            }
        }
        for mut p in products {
            p.handle = p
                .title
                .split_whitespace()
                .map(data::ascii)
                .collect::<Vec<_>>()
                .join("-");
            shop.products.insert(p.id, p);
        }
        inner.shops.insert(domain.to_owned(), shop);
        true
    }

    fn app_secret(&self, api_key: &str) -> Option<String> {
        self.lock()
            .apps
            .iter()
            .find(|a| a.api_key == api_key)
            .map(|a| a.api_secret.clone())
    }

    /// An App Bridge session token (HS256 JWT, valid 60 s) of the default app for a
    /// staff user of `shop` (the shop is created if missing).
    pub fn session_token(&self, shop: &str) -> String {
        self.session_token_for(DEFAULT_API_KEY, shop)
    }

    /// A session token of app `api_key` for `shop`.
    pub fn session_token_for(&self, api_key: &str, shop: &str) -> String {
        self.create_shop(shop, shop.trim_end_matches(".myshopify.com"));
        let secret = self.app_secret(api_key).unwrap_or_default();
        let now = Utc::now().timestamp();
        let enc =
            |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        let header = enc(&json!({ "alg": "HS256", "typ": "JWT" }));
        let claims = enc(&json!({
            "iss": format!("https://{shop}/admin"),
            "dest": format!("https://{shop}"),
            "aud": api_key,
            "sub": "40620294219",
            "exp": now + 60,
            "nbf": now,
            "iat": now,
            "jti": uuid::Uuid::new_v4().to_string(),
            "sid": hex::encode(hmac_sha256(secret.as_bytes(), shop.as_bytes())),
        }));
        let signing = format!("{header}.{claims}");
        let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(hmac_sha256(secret.as_bytes(), signing.as_bytes()));
        format!("{signing}.{sig}")
    }

    /// A one-time authorization code of the default app for `shop`, as if the merchant
    /// approved the install (valid 10 minutes).
    pub fn authorization_code(&self, shop: &str) -> String {
        self.create_shop(shop, shop.trim_end_matches(".myshopify.com"));
        let code = hex::encode(uuid::Uuid::new_v4().as_bytes());
        self.lock().codes.insert(
            code.clone(),
            GrantInfo {
                shop: shop.to_owned(),
                api_key: DEFAULT_API_KEY.to_owned(),
                expires_at: Utc::now() + chrono::Duration::minutes(10),
            },
        );
        code
    }

    /// The signed callback query Shopify redirects to after the merchant approved the
    /// default app (`code`, `hmac`, `host`, `shop`, `state`, `timestamp`; hex HMAC with
    /// the app secret over the other parameters, sorted).
    pub fn callback_query(&self, shop: &str, state: &str) -> String {
        let code = self.authorization_code(shop);
        self.signed_query(DEFAULT_API_KEY, shop, &code, state)
    }

    fn signed_query(&self, api_key: &str, shop: &str, code: &str, state: &str) -> String {
        let secret = self.app_secret(api_key).unwrap_or_default();
        let handle = shop.trim_end_matches(".myshopify.com");
        let host = base64::engine::general_purpose::STANDARD
            .encode(format!("admin.shopify.com/store/{handle}"));
        let timestamp = Utc::now().timestamp().to_string();
        let params = [
            ("code", code),
            ("host", host.as_str()),
            ("shop", shop),
            ("state", state),
            ("timestamp", timestamp.as_str()),
        ];
        let message = params
            .iter()
            .map(|(k, v)| format!("{k}={}", encode_component(v)))
            .collect::<Vec<_>>()
            .join("&");
        let hmac = hex::encode(hmac_sha256(secret.as_bytes(), message.as_bytes()));
        format!("{message}&hmac={hmac}")
    }

    fn issue(inner: &mut Inner, shop: &str, app: &App, expiring: bool) -> (String, Option<String>) {
        if !expiring {
            // A shop has one legacy offline token per app.
            if let Some((t, _)) = inner
                .tokens
                .iter()
                .find(|(_, i)| i.legacy && i.shop == shop && i.api_key == app.api_key)
            {
                return (t.clone(), None);
            }
        }
        let token = random_token("shpat_");
        inner.tokens.insert(
            token.clone(),
            TokenInfo {
                shop: shop.to_owned(),
                api_key: app.api_key.clone(),
                scopes: app.scopes.clone(),
                expires_at: expiring.then(|| Utc::now() + chrono::Duration::seconds(3600)),
                legacy: !expiring,
            },
        );
        let refresh = expiring.then(|| {
            let r = random_token("shprt_");
            inner.refresh_tokens.insert(
                r.clone(),
                GrantInfo {
                    shop: shop.to_owned(),
                    api_key: app.api_key.clone(),
                    expires_at: Utc::now() + chrono::Duration::days(30),
                },
            );
            r
        });
        (token, refresh)
    }

    /// Issues an offline token of the default app for `shop` directly (as if installed):
    /// `(access token, refresh token)`; expiring tokens come with a refresh token.
    pub fn issue_offline_token(&self, shop: &str, expiring: bool) -> (String, Option<String>) {
        self.create_shop(shop, shop.trim_end_matches(".myshopify.com"));
        let mut inner = self.lock();
        let app = inner
            .apps
            .iter()
            .find(|a| a.api_key == DEFAULT_API_KEY)
            .cloned();
        match app {
            Some(app) => Self::issue(&mut inner, shop, &app, expiring),
            None => (String::new(), None),
        }
    }

    /// Expires every expiring access token of `shop` now (legacy tokens are untouched).
    pub fn expire_access_tokens(&self, shop: &str) {
        let past = Utc::now() - chrono::Duration::seconds(1);
        for t in self.lock().tokens.values_mut() {
            if t.shop == shop && !t.legacy {
                t.expires_at = Some(past);
            }
        }
    }

    /// Sets a shop's bucket size and restore rate (points per second) and refills it.
    pub fn set_throttle(&self, shop: &str, maximum: u64, restore_per_sec: u64) {
        if let Some(s) = self.lock().shops.get_mut(shop) {
            s.bucket = Bucket::new(maximum, restore_per_sec);
            s.lowest_available_milli = maximum * 1000;
        }
    }

    /// Empties a shop's bucket (as if other apps' calls had used it).
    pub fn drain_bucket(&self, shop: &str) {
        if let Some(s) = self.lock().shops.get_mut(shop) {
            s.bucket.drain();
        }
    }

    /// How many `THROTTLED` answers a shop got.
    pub fn throttled_count(&self, shop: &str) -> u64 {
        self.lock().shops.get(shop).map_or(0, |s| s.throttled)
    }

    /// The lowest `currentlyAvailable` a shop's answers reported (whole points).
    pub fn lowest_available(&self, shop: &str) -> u64 {
        self.lock()
            .shops
            .get(shop)
            .map_or(0, |s| s.lowest_available_milli / 1000)
    }

    /// Creates an order from a draft (the customer is found by email or created; the
    /// lines commit stock at the warehouse, which gets the fulfillment order).
    ///
    /// # Errors
    /// Unknown shop or SKU, or no lines.
    pub fn create_order(&self, shop: &str, draft: &OrderDraft) -> Result<OrderSummary, String> {
        let now = self.shared.clock.now();
        let mut inner = self.lock();
        let s = inner
            .shops
            .get_mut(shop)
            .ok_or_else(|| format!("no shop {shop}"))?;
        if draft.lines.is_empty() {
            return Err("an order needs at least one line".into());
        }
        let warehouse = s
            .locations
            .values()
            .find(|l| l.fulfills_online_orders)
            .map(|l| l.id)
            .ok_or("no location fulfils online orders")?;
        let mut lines = Vec::new();
        for (sku, qty) in &draft.lines {
            let (product, variant) = s
                .products
                .values()
                .find_map(|p| {
                    p.variants
                        .iter()
                        .find(|v| v.sku == *sku)
                        .map(|v| (p.clone(), v.clone()))
                })
                .ok_or_else(|| format!("no variant with SKU {sku}"))?;
            let gross = variant.price * Decimal::from(*qty);
            let discount = draft.discount.as_ref().map_or(Decimal::ZERO, |(_, pct)| {
                (gross * Decimal::from(*pct) / Decimal::ONE_HUNDRED).round_dp(2)
            });
            let id = s.new_id();
            lines.push(Line {
                id,
                product_id: product.id,
                variant_id: variant.id,
                inventory_item_id: variant.inventory_item_id,
                title: product.title.clone(),
                variant_title: (variant.title != "Default Title").then(|| variant.title.clone()),
                sku: variant.sku.clone(),
                vendor: product.vendor.clone(),
                quantity: *qty,
                unit_price: variant.price,
                discount,
                grams: variant.weight.grams,
                weight: variant.weight,
                requires_shipping: true,
                fulfilled: 0,
            });
        }
        for l in &lines {
            if let Some(level) = s.levels.get_mut(&(l.inventory_item_id, warehouse)) {
                *level.quantities.entry("committed").or_default() += l.quantity;
            }
        }
        let email = draft.email.clone();
        let customer_id = match s
            .customers
            .values_mut()
            .find(|c| c.email.is_some() && c.email == email)
        {
            Some(c) => {
                c.orders += 1;
                c.id
            }
            None => {
                let id = s.new_id();
                s.customers.insert(
                    id,
                    Customer {
                        id,
                        first_name: draft.address.first_name.clone(),
                        last_name: draft.address.last_name.clone(),
                        email: email.clone(),
                        phone: draft.address.phone.clone(),
                        address: Some(draft.address.clone()),
                        orders: 1,
                        created_at: now,
                    },
                );
                id
            }
        };
        let mut billing = draft.address.clone();
        let mut attributes = Vec::new();
        let mut tags = vec![match draft.payment {
            Payment::CashOnDelivery => "cod".to_owned(),
            Payment::Card => "card".to_owned(),
        }];
        if draft.address.province_code == "B" {
            tags.push("bucuresti".into());
        }
        if let Some(c) = &draft.company {
            billing.company = Some(c.name.clone());
            attributes.push(("company".to_owned(), c.name.clone()));
            attributes.push(("cui".to_owned(), c.cif.clone()));
            attributes.push(("nr_reg_com".to_owned(), c.registration.clone()));
            tags.push("b2b".into());
        }
        let fo_lines: Vec<FoLine> = lines
            .iter()
            .map(|l| (l.id, l.quantity))
            .collect::<Vec<_>>()
            .into_iter()
            .map(|(line_id, q)| FoLine {
                id: s.new_id(),
                line_id,
                total: q,
                remaining: q,
            })
            .collect();
        let id = s.new_id();
        let fo_id = s.new_id();
        let number = s.next_order_number;
        s.next_order_number += 1;
        let subtotal: Decimal = lines
            .iter()
            .map(|l| l.unit_price * Decimal::from(l.quantity) - l.discount)
            .sum();
        let confirmation: String = {
            let mut rng = fastrand::Rng::with_seed(id);
            (0..9)
                .map(|_| {
                    let chars = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
                    chars[rng.usize(0..chars.len())] as char
                })
                .collect()
        };
        let order = Order {
            id,
            number,
            email,
            phone: draft.address.phone.clone(),
            note: draft.note.clone(),
            tags,
            created_at: now,
            updated_at: now,
            cancelled_at: None,
            paid: draft.payment == Payment::Card,
            gateway: draft.payment.gateway().to_owned(),
            lines,
            shipping_title: "Livrare prin curier".into(),
            shipping_price: if subtotal >= Decimal::from(300) {
                Decimal::ZERO
            } else {
                Decimal::new(1999, 2)
            },
            discount_code: draft.discount.as_ref().map(|(c, _)| c.clone()),
            attributes,
            shipping_address: Some(draft.address.clone()),
            billing_address: Some(billing),
            customer_id: Some(customer_id),
            fulfillment_orders: vec![FulfillmentOrder {
                id: fo_id,
                location_id: warehouse,
                status: "OPEN",
                lines: fo_lines,
            }],
            fulfillment_ids: Vec::new(),
            confirmation,
        };
        let summary = summarize(&order);
        s.orders.insert(id, order);
        Ok(summary)
    }

    /// Creates `count` random realistic orders (seeded; see [`OrderDraft::random`]).
    ///
    /// # Errors
    /// As [`create_order`](Self::create_order).
    pub fn create_random_orders(
        &self,
        shop: &str,
        count: usize,
        seed: u64,
    ) -> Result<Vec<OrderSummary>, String> {
        let mut rng = fastrand::Rng::with_seed(seed);
        (0..count)
            .map(|_| self.create_order(shop, &OrderDraft::random(&mut rng)))
            .collect()
    }

    /// The orders of a shop, oldest first.
    pub fn orders(&self, shop: &str) -> Vec<OrderSummary> {
        self.lock()
            .shops
            .get(shop)
            .map(|s| s.orders.values().map(summarize).collect())
            .unwrap_or_default()
    }

    /// How many orders a shop has.
    pub fn order_count(&self, shop: &str) -> usize {
        self.lock().shops.get(shop).map_or(0, |s| s.orders.len())
    }

    /// One order by GID.
    pub fn order(&self, shop: &str, id: &str) -> Option<OrderSummary> {
        self.lock().shops.get(shop)?.order_by_gid(id).map(summarize)
    }

    /// The fulfillments of a shop, oldest first.
    pub fn fulfillments(&self, shop: &str) -> Vec<FulfillmentSummary> {
        self.lock()
            .shops
            .get(shop)
            .map(|s| {
                s.fulfillments
                    .values()
                    .map(|f| FulfillmentSummary {
                        id: state::gid("Fulfillment", f.id),
                        order_id: state::gid("Order", f.order_id),
                        name: f.name.clone(),
                        tracking: f.tracking.clone(),
                        events: f.events.iter().map(|e| e.status.clone()).collect(),
                        notify_customer: f.notify_customer,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The inventory item GID of a SKU.
    pub fn inventory_item_id(&self, shop: &str, sku: &str) -> Option<String> {
        let inner = self.lock();
        inner
            .shops
            .get(shop)?
            .products
            .values()
            .flat_map(|p| &p.variants)
            .find(|v| v.sku == sku)
            .map(|v| state::gid("InventoryItem", v.inventory_item_id))
    }

    /// The location GIDs of a shop (the warehouse first).
    pub fn location_ids(&self, shop: &str) -> Vec<String> {
        self.lock()
            .shops
            .get(shop)
            .map(|s| {
                s.locations
                    .keys()
                    .map(|id| state::gid("Location", *id))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A named quantity (`available`, `on_hand`, `committed`, ...) of a SKU at a
    /// location (GID).
    pub fn inventory_quantity(
        &self,
        shop: &str,
        sku: &str,
        location_id: &str,
        name: &str,
    ) -> Option<i64> {
        let inner = self.lock();
        let s = inner.shops.get(shop)?;
        let item = s
            .products
            .values()
            .flat_map(|p| &p.variants)
            .find(|v| v.sku == sku)?
            .inventory_item_id;
        let loc = gql::gid_number(location_id)?;
        s.levels.get(&(item, loc)).map(|l| l.get(name))
    }

    /// How many inventory adjustment groups were applied on a shop (idempotent replays
    /// do not count).
    pub fn inventory_adjustment_count(&self, shop: &str) -> usize {
        self.lock()
            .shops
            .get(shop)
            .map_or(0, |s| s.adjustments.len())
    }

    /// The shop-specific webhook subscriptions.
    pub fn webhook_subscriptions(&self, shop: &str) -> Vec<WebhookSubscription> {
        self.lock()
            .shops
            .get(shop)
            .map(|s| s.webhooks.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Every webhook delivery made so far.
    pub fn deliveries(&self) -> Vec<WebhookDelivery> {
        self.lock().deliveries.clone()
    }

    /// The REST webhook body of an order (`orders/create`, `orders/paid`, ... all share
    /// it), compact JSON with `/` escaped as `\/` like Shopify's.
    pub fn order_webhook_body(&self, shop: &str, order_id: &str) -> Option<Vec<u8>> {
        let inner = self.lock();
        let s = inner.shops.get(shop)?;
        let o = s.order_by_gid(order_id)?;
        Some(shopify_json(&o.rest(&s.customers, &s.fulfillments)))
    }

    /// POSTs a webhook `body` to `target_url` as Shopify does: `X-Shopify-Topic`,
    /// `X-Shopify-Shop-Domain`, `X-Shopify-Webhook-Id`, `X-Shopify-Event-Id`,
    /// `X-Shopify-Triggered-At` (simulated time), `X-Shopify-API-Version` and
    /// `X-Shopify-Hmac-Sha256` (base64 HMAC-SHA256 of the raw body with `app_secret`).
    ///
    /// # Errors
    /// When no answer came back (refused connection, 5 s timeout); a non-2xx answer is
    /// returned in [`WebhookDelivery::status`].
    pub async fn send_webhook(
        &self,
        target_url: &str,
        topic: &str,
        shop: &str,
        body: &[u8],
        app_secret: &str,
    ) -> Result<WebhookDelivery, flux_http::HttpError> {
        let event_id = uuid::Uuid::new_v4().to_string();
        self.deliver(target_url, topic, shop, body, app_secret, &event_id)
            .await
    }

    async fn deliver(
        &self,
        target_url: &str,
        topic: &str,
        shop: &str,
        body: &[u8],
        app_secret: &str,
        event_id: &str,
    ) -> Result<WebhookDelivery, flux_http::HttpError> {
        let webhook_id = uuid::Uuid::new_v4().to_string();
        let signature = base64::engine::general_purpose::STANDARD
            .encode(hmac_sha256(app_secret.as_bytes(), body));
        let triggered = self
            .shared
            .clock
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
        let url = url_of(target_url)?;
        let result = self
            .http
            .request_url(flux_http::Method::POST, url)
            .header("X-Shopify-Topic", topic)
            .header("X-Shopify-Shop-Domain", shop)
            .header("X-Shopify-Webhook-Id", webhook_id.as_str())
            .header("X-Shopify-Event-Id", event_id)
            .header("X-Shopify-Triggered-At", triggered.as_str())
            .header("X-Shopify-API-Version", API_VERSION)
            .header("X-Shopify-Hmac-Sha256", signature.as_str())
            .body_bytes(body.to_vec(), "application/json")
            .send_raw()
            .await;
        let delivery = WebhookDelivery {
            target_url: target_url.to_owned(),
            topic: topic.to_owned(),
            webhook_id,
            event_id: event_id.to_owned(),
            status: result.as_ref().ok().map(|r| r.status().as_u16()),
        };
        self.lock().deliveries.push(delivery.clone());
        result.map(|_| delivery)
    }

    /// Creates an order and sends `orders/create` (and `orders/paid` for a card
    /// payment) to `target_url`, signed with the default app's secret.
    ///
    /// # Errors
    /// The order could not be created, or a delivery got no answer.
    pub async fn create_order_and_notify(
        &self,
        shop: &str,
        draft: &OrderDraft,
        target_url: &str,
    ) -> Result<(OrderSummary, Vec<WebhookDelivery>), String> {
        let order = self.create_order(shop, draft)?;
        let body = self
            .order_webhook_body(shop, &order.id)
            .ok_or("the order vanished")?;
        let secret = self.app_secret(DEFAULT_API_KEY).unwrap_or_default();
        let mut sent = Vec::new();
        let mut topics = vec!["orders/create"];
        if order.financial_status == "PAID" {
            topics.push("orders/paid");
        }
        for topic in topics {
            let d = self
                .send_webhook(target_url, topic, shop, &body, &secret)
                .await
                .map_err(|e| e.to_string())?;
            sent.push(d);
        }
        Ok((order, sent))
    }

    /// Sends `topic` about an order to the shop's subscriptions of that topic.
    async fn notify_subscriptions(
        self: Arc<Self>,
        shop: String,
        secret: String,
        events: Vec<(String, String, Vec<u8>)>,
    ) {
        for (uri, topic, body) in events {
            let event_id = uuid::Uuid::new_v4().to_string();
            if let Err(e) = self
                .deliver(&uri, &topic, &shop, &body, &secret, &event_id)
                .await
            {
                tracing::debug!(error = %e, %uri, %topic, "sandbox webhook delivery failed");
            }
        }
    }
}

fn url_of(target: &str) -> Result<flux_http::Url, flux_http::HttpError> {
    flux_http::Url::parse(target).map_err(|e| flux_http::HttpError::InvalidBaseUrl {
        url: "(unparsable webhook target)".to_owned(),
        reason: e.to_string(),
    })
}

/// Compact JSON with `/` escaped as `\/`, as Shopify writes webhook bodies.
fn shopify_json(v: &Value) -> Vec<u8> {
    v.to_string().replace('/', "\\/").into_bytes()
}

fn summarize(o: &Order) -> OrderSummary {
    OrderSummary {
        id: state::gid("Order", o.id),
        name: o.name(),
        total: o.total(),
        financial_status: o.financial_status().to_owned(),
        fulfillment_status: o.fulfillment_status().to_owned(),
        cash_on_delivery: o.gateway == Payment::CashOnDelivery.gateway(),
        b2b: o.attributes.iter().any(|(k, _)| k == "cui"),
        weight_grams: o.total_grams(),
    }
}

// ---------------------------------------------------------------------------------------
// HTTP

fn json_response(status: StatusCode, body: impl Into<String>) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("application/json; charset=utf-8")
        .insert_header(("x-request-id", uuid::Uuid::new_v4().to_string()))
        .body(body.into())
}

fn oauth_error(status: StatusCode, code: &str, description: Option<&str>) -> HttpResponse {
    let body = match description {
        Some(d) => json!({ "error": code, "error_description": d }),
        None => json!({ "error": code }),
    };
    json_response(status, body.to_string())
}

fn parse_body(req: &HttpRequest, body: &[u8]) -> Option<Map<String, Value>> {
    let form = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    if form {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
        return Some(
            pairs
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect(),
        );
    }
    match serde_json::from_slice(body).ok()? {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ID_TOKEN: &str = "urn:ietf:params:oauth:token-type:id_token";
const OFFLINE: &str = "urn:shopify:params:oauth:token-type:offline-access-token";
const ONLINE: &str = "urn:shopify:params:oauth:token-type:online-access-token";

/// Verifies a session token for `app`; returns the shop from `dest`.
fn verify_session_token(token: &str, app: &App) -> Option<String> {
    let mut parts = token.split('.');
    let (h, c, s) = (parts.next()?, parts.next()?, parts.next()?);
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header: Value = serde_json::from_slice(&b64.decode(h).ok()?).ok()?;
    if header.get("alg")?.as_str()? != "HS256" {
        return None;
    }
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(app.api_secret.as_bytes()).ok()?;
    mac.update(format!("{h}.{c}").as_bytes());
    mac.verify_slice(&b64.decode(s).ok()?).ok()?;
    let claims: Value = serde_json::from_slice(&b64.decode(c).ok()?).ok()?;
    if claims.get("aud")?.as_str()? != app.api_key {
        return None;
    }
    let now = Utc::now().timestamp();
    if now > claims.get("exp")?.as_i64()? + 10 || now + 10 < claims.get("nbf")?.as_i64()? {
        return None;
    }
    let dest = claims.get("dest")?.as_str()?;
    let shop = dest
        .strip_prefix("https://")
        .unwrap_or(dest)
        .trim_end_matches('/');
    shop.ends_with(".myshopify.com").then(|| shop.to_owned())
}

fn token_answer(inner: &Inner, token: &str, refresh: Option<&str>) -> Value {
    let info = &inner.tokens[token];
    let mut body = json!({ "access_token": token, "scope": info.scopes.join(",") });
    if let Some(at) = info.expires_at {
        body["expires_in"] = json!((at - Utc::now()).num_seconds().max(0));
    }
    if let Some(r) = refresh {
        body["refresh_token"] = json!(r);
        body["refresh_token_expires_in"] = json!(2_592_000);
    }
    body
}

async fn access_token(
    sim: web::Data<Sim>,
    req: HttpRequest,
    path_shop: Option<web::Path<String>>,
    body: web::Bytes,
) -> HttpResponse {
    if let Some(r) = sim.shared.gate(Provider::Shopify).await {
        return r;
    }
    let Some(params) = parse_body(&req, &body) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            Some("The request body must be JSON or form encoded."),
        );
    };
    let s = |k: &str| params.get(k).and_then(Value::as_str).map(str::to_owned);
    let (Some(client_id), Some(client_secret)) = (s("client_id"), s("client_secret")) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            Some("client_id and client_secret are required."),
        );
    };
    let answer = {
        let mut inner = sim.lock();
        let Some(app) = inner.apps.iter().find(|a| a.api_key == client_id).cloned() else {
            return oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                Some("Client authentication failed."),
            );
        };
        let same: bool = subtle_eq(app.api_secret.as_bytes(), client_secret.as_bytes());
        if !same {
            return oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                Some("Client authentication failed."),
            );
        }
        let explicit = path_shop.map(|p| p.into_inner());
        let check_shop = |shop: &str| explicit.as_deref().is_none_or(|e| e == shop);
        let expiring = s("expiring").as_deref() == Some("1");
        let grant = s("grant_type");
        let result: Result<Value, HttpResponse> = if let Some(code) = s("code") {
            match inner.codes.remove(&code) {
                Some(g)
                    if g.api_key == app.api_key
                        && g.expires_at > Utc::now()
                        && check_shop(&g.shop) =>
                {
                    let (t, r) = Sim::issue(&mut inner, &g.shop, &app, expiring);
                    Ok(token_answer(&inner, &t, r.as_deref()))
                }
                _ => Err(oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    Some("The authorization code was not found or was already used"),
                )),
            }
        } else if grant.as_deref() == Some(TOKEN_EXCHANGE) {
            let subject = s("subject_token").unwrap_or_default();
            match s("subject_token_type").as_deref() {
                Some(ID_TOKEN) => match verify_session_token(&subject, &app) {
                    Some(shop) if inner.shops.contains_key(&shop) && check_shop(&shop) => {
                        match s("requested_token_type").as_deref() {
                            Some(ONLINE) => {
                                let token = random_token("shpua_");
                                inner.tokens.insert(
                                    token.clone(),
                                    TokenInfo {
                                        shop,
                                        api_key: app.api_key.clone(),
                                        scopes: app.scopes.clone(),
                                        expires_at: Some(Utc::now() + chrono::Duration::hours(24)),
                                        legacy: false,
                                    },
                                );
                                let mut body = token_answer(&inner, &token, None);
                                body["associated_user_scope"] = json!(app.scopes.join(","));
                                body["associated_user"] = json!({
                                    "id": 40_620_294_219_u64, "first_name": "Ana", "last_name": "Pop",
                                    "email": "ana.pop@example.ro", "email_verified": true,
                                    "account_owner": true, "locale": "ro", "collaborator": false,
                                });
                                Ok(body)
                            }
                            Some(OFFLINE) | None => {
                                let (t, r) = Sim::issue(&mut inner, &shop, &app, expiring);
                                Ok(token_answer(&inner, &t, r.as_deref()))
                            }
                            Some(_) => Err(oauth_error(
                                StatusCode::BAD_REQUEST,
                                "invalid_request",
                                Some("Unsupported requested_token_type."),
                            )),
                        }
                    }
                    _ => Err(oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_subject_token",
                        None,
                    )),
                },
                Some(OFFLINE) => {
                    // Migration of a legacy offline token to an expiring one.
                    let legacy = inner
                        .tokens
                        .get(&subject)
                        .filter(|t| t.legacy && t.api_key == app.api_key)
                        .cloned();
                    match legacy {
                        Some(t) if check_shop(&t.shop) => {
                            inner.tokens.remove(&subject);
                            let (nt, r) = Sim::issue(&mut inner, &t.shop, &app, true);
                            Ok(token_answer(&inner, &nt, r.as_deref()))
                        }
                        _ => Err(oauth_error(
                            StatusCode::BAD_REQUEST,
                            "invalid_subject_token",
                            None,
                        )),
                    }
                }
                _ => Err(oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    Some("Unsupported subject_token_type."),
                )),
            }
        } else if grant.as_deref() == Some("refresh_token") {
            let rt = s("refresh_token").unwrap_or_default();
            match inner.refresh_tokens.remove(&rt) {
                Some(g)
                    if g.api_key == app.api_key
                        && g.expires_at > Utc::now()
                        && check_shop(&g.shop) =>
                {
                    let (t, r) = Sim::issue(&mut inner, &g.shop, &app, true);
                    Ok(token_answer(&inner, &t, r.as_deref()))
                }
                _ => Err(oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    Some("The refresh token is invalid or has expired."),
                )),
            }
        } else {
            Err(oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                Some("Missing code or unsupported grant_type."),
            ))
        };
        match result {
            Ok(v) => v,
            Err(r) => return r,
        }
    };
    sim.shared.after_effect(Provider::Shopify).await;
    json_response(StatusCode::OK, answer.to_string())
}

fn subtle_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn authorize(
    sim: web::Data<Sim>,
    path_shop: Option<web::Path<String>>,
    query: web::Query<HashMap<String, String>>,
) -> HttpResponse {
    if let Some(r) = sim.shared.gate(Provider::Shopify).await {
        return r;
    }
    let shop = path_shop.map_or_else(|| DEFAULT_SHOP.to_owned(), |p| p.into_inner());
    let client_id = query.get("client_id").cloned().unwrap_or_default();
    let Some(redirect) = query.get("redirect_uri") else {
        return HttpResponse::BadRequest()
            .body("Oauth error invalid_request: The redirect_uri is missing");
    };
    if sim.app_secret(&client_id).is_none() {
        return HttpResponse::BadRequest()
            .body("Oauth error invalid_request: The client_id is invalid");
    }
    let code = sim.authorization_code(&shop);
    if client_id != DEFAULT_API_KEY
        && let Some(g) = sim.lock().codes.get_mut(&code)
    {
        g.api_key = client_id.clone();
    }
    let state = query.get("state").cloned().unwrap_or_default();
    let q = sim.signed_query(&client_id, &shop, &code, &state);
    let sep = if redirect.contains('?') { '&' } else { '?' };
    HttpResponse::Found()
        .insert_header(("Location", format!("{redirect}{sep}{q}")))
        .finish()
}

fn cost_extension(requested: u64, actual: Option<u64>, status: Value) -> Value {
    json!({ "cost": { "requestedQueryCost": requested, "actualQueryCost": actual, "throttleStatus": status } })
}

async fn graphql(
    sim: web::Data<Sim>,
    req: HttpRequest,
    path: web::Path<Vec<String>>,
    body: web::Bytes,
) -> HttpResponse {
    if let Some(r) = sim.shared.gate(Provider::Shopify).await {
        return r;
    }
    let segments = path.into_inner();
    let (explicit, version) = match segments.as_slice() {
        [v] => (None, v.clone()),
        [s, v] => (Some(s.clone()), v.clone()),
        _ => return json_response(StatusCode::NOT_FOUND, r#"{"errors":"Not Found"}"#),
    };
    let served = if SUPPORTED_VERSIONS.contains(&version.as_str()) {
        version
    } else if version.len() == 7
        && version.as_bytes()[4] == b'-'
        && version.as_str() < SUPPORTED_VERSIONS[0]
    {
        // Retired versions fall forward to the oldest supported one.
        SUPPORTED_VERSIONS[0].to_owned()
    } else {
        return json_response(StatusCode::NOT_FOUND, r#"{"errors":"Not Found"}"#);
    };
    let token = req
        .headers()
        .get("x-shopify-access-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let info = sim.lock().tokens.get(&token).cloned();
    let Some(info) = info.filter(|i| {
        i.expires_at.is_none_or(|at| at > Utc::now())
            && explicit.as_deref().is_none_or(|s| s == i.shop)
    }) else {
        return json_response(StatusCode::UNAUTHORIZED, INVALID_TOKEN_BODY);
    };
    let respond = |body: Value| {
        HttpResponse::Ok()
            .content_type("application/json; charset=utf-8")
            .insert_header(("X-Shopify-API-Version", served.clone()))
            .insert_header(("x-request-id", uuid::Uuid::new_v4().to_string()))
            .body(body.to_string())
    };
    let Ok(Value::Object(request)) = serde_json::from_slice::<Value>(&body) else {
        return json_response(
            StatusCode::BAD_REQUEST,
            r#"{"errors":{"query":"Required parameter missing or invalid"}}"#,
        );
    };
    let Some(query) = request.get("query").and_then(Value::as_str) else {
        return json_response(
            StatusCode::BAD_REQUEST,
            r#"{"errors":{"query":"Required parameter missing or invalid"}}"#,
        );
    };
    let provided = match request.get("variables") {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    };
    let status_now = |sim: &Sim| {
        sim.lock()
            .shops
            .get_mut(&info.shop)
            .map_or(Value::Null, |s| s.bucket.status())
    };
    let op = match gql::parse(query, request.get("operationName").and_then(Value::as_str)) {
        Ok(op) => op,
        Err(message) => {
            return respond(json!({
                "errors": [gql::error(message, Value::Null)],
                "extensions": cost_extension(0, Some(0), status_now(&sim)),
            }));
        }
    };
    let vars = match gql::bind_variables(&op, &provided) {
        Ok(v) => v,
        Err(errors) => {
            return respond(
                json!({ "errors": errors, "extensions": cost_extension(0, Some(0), status_now(&sim)) }),
            );
        }
    };
    let requested = gql::requested_cost(&op, &vars);
    if requested > MAX_QUERY_COST {
        return respond(json!({
            "errors": [gql::error(
                format!("Query cost is {requested}, which exceeds the single query max cost limit ({MAX_QUERY_COST}).\n\nSee https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\ncost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.\nSee https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n"),
                json!({ "code": "MAX_COST_EXCEEDED", "cost": requested, "maxCost": MAX_QUERY_COST }),
            )],
            "extensions": cost_extension(requested, None, status_now(&sim)),
        }));
    }
    let now = sim.shared.clock.now();
    let app_secret = sim.app_secret(&info.api_key).unwrap_or_default();
    let (answer, deliveries, effect) = {
        let mut inner = sim.lock();
        let Some(shop) = inner.shops.get_mut(&info.shop) else {
            return json_response(StatusCode::NOT_FOUND, r#"{"errors":"Not Found"}"#);
        };
        if !shop.bucket.can_afford(requested) {
            shop.throttled += 1;
            let status = shop.bucket.status();
            shop.lowest_available_milli = shop
                .lowest_available_milli
                .min(shop.bucket.available_milli());
            drop(inner);
            count_violation(&sim.shared, &info.shop);
            return respond(json!({
                "errors": [{ "message": "Throttled", "extensions": { "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits" } }],
                "extensions": cost_extension(requested, None, status),
            }));
        }
        let outcome = exec::execute(shop, &op, &vars, &info.scopes, now);
        let actual = if op.kind == gql::OpKind::Mutation {
            requested
        } else {
            gql::actual_cost(&outcome.data, requested)
        };
        shop.bucket.charge(actual);
        shop.lowest_available_milli = shop
            .lowest_available_milli
            .min(shop.bucket.available_milli());
        let status = shop.bucket.status();
        let mut deliveries = Vec::new();
        for (topic, what) in &outcome.events {
            let Some((gql_topic, _)) = exec::TOPICS.iter().find(|(_, rest)| rest == topic) else {
                continue;
            };
            let subs: Vec<String> = shop
                .webhooks
                .values()
                .filter(|w| w.topic == *gql_topic)
                .map(|w| w.uri.clone())
                .collect();
            if subs.is_empty() {
                continue;
            }
            let body = match what {
                EventRef::Order(id) => shop
                    .orders
                    .get(id)
                    .map(|o| o.rest(&shop.customers, &shop.fulfillments)),
                EventRef::Fulfillment(id) => shop.fulfillments.get(id).and_then(|f| {
                    shop.orders
                        .get(&f.order_id)
                        .map(|o| state::fulfillment_rest(f, o))
                }),
            };
            if let Some(body) = body {
                let bytes = shopify_json(&body);
                for uri in subs {
                    deliveries.push((uri, (*topic).to_owned(), bytes.clone()));
                }
            }
        }
        let mut answer = Map::new();
        if !outcome.errors.is_empty() {
            answer.insert("errors".into(), Value::Array(outcome.errors));
        }
        answer.insert("data".into(), outcome.data);
        answer.insert(
            "extensions".into(),
            cost_extension(requested, Some(actual), status),
        );
        (
            Value::Object(answer),
            deliveries,
            op.kind == gql::OpKind::Mutation,
        )
    };
    if !deliveries.is_empty() {
        let sim_arc: Arc<Sim> = sim.clone().into_inner();
        actix_web::rt::spawn(sim_arc.notify_subscriptions(
            info.shop.clone(),
            app_secret,
            deliveries,
        ));
    }
    if effect {
        sim.shared.after_effect(Provider::Shopify).await;
    }
    respond(answer)
}

/// Records one violation of `shop`'s cost limit in the shared tracker (a zero-call
/// window always refuses, which counts the violation).
fn count_violation(shared: &Shared, shop: &str) {
    let _ = shared.limits.check(
        Provider::Shopify.id(),
        shop,
        "graphql-cost",
        0,
        Duration::from_secs(1),
        None,
    );
}

/// How many calls exceeded a Shopify cost bucket so far (all shops).
pub fn violations(shared: &Shared) -> u64 {
    shared.limits.violations(Provider::Shopify.id())
}

async fn graphql_default(
    sim: web::Data<Sim>,
    req: HttpRequest,
    version: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    graphql(sim, req, web::Path::from(vec![version.into_inner()]), body).await
}

async fn graphql_shop(
    sim: web::Data<Sim>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> HttpResponse {
    let (shop, version) = path.into_inner();
    graphql(sim, req, web::Path::from(vec![shop, version]), body).await
}

/// The routes, under `/shopify`.
pub fn scope(sim: Arc<Sim>) -> Scope {
    web::scope("/shopify")
        .app_data(web::Data::from(sim))
        .route(
            "/admin/oauth/access_token",
            web::post().to(|sim: web::Data<Sim>, req: HttpRequest, body: web::Bytes| {
                access_token(sim, req, None, body)
            }),
        )
        .route(
            "/admin/oauth/authorize",
            web::get().to(
                |sim: web::Data<Sim>, q: web::Query<HashMap<String, String>>| {
                    authorize(sim, None, q)
                },
            ),
        )
        .route(
            "/admin/api/{version}/graphql.json",
            web::post().to(graphql_default),
        )
        .route(
            "/{shop}/admin/oauth/access_token",
            web::post().to(
                |sim: web::Data<Sim>,
                 req: HttpRequest,
                 shop: web::Path<String>,
                 body: web::Bytes| { access_token(sim, req, Some(shop), body) },
            ),
        )
        .route(
            "/{shop}/admin/oauth/authorize",
            web::get().to(
                |sim: web::Data<Sim>,
                 shop: web::Path<String>,
                 q: web::Query<HashMap<String, String>>| {
                    authorize(sim, Some(shop), q)
                },
            ),
        )
        .route(
            "/{shop}/admin/api/{version}/graphql.json",
            web::post().to(graphql_shop),
        )
}
