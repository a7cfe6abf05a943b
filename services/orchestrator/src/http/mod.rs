//! The HTTP API: routes, the OpenAPI document, errors and middleware.
//!
//! Handlers are registered through utoipa-actix-web, so the OpenAPI 3.1 document at
//! `/openapi.json` is generated from the same code that serves the requests. A committed
//! copy (`services/orchestrator/openapi.json`) is kept in step by a test.

pub mod admin;
pub mod error;
pub mod health;
pub mod request_id;

use actix_web::App;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;
use utoipa_actix_web::service_config::ServiceConfig;

/// The document's fixed parts; paths come from the handlers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Flux API",
        description = "FluxSales (embedded Shopify app) and FluxOrders (B2B ordering) on one platform. Errors are JSON `{error, message, field?, request_id}` with stable snake_case codes.",
        license(name = "MIT OR Apache-2.0")
    ),
    tags(
        (name = "operations", description = "Health, metrics, and the operator's view of jobs and effects"),
        (name = "sales-install", description = "FluxSales: install, token exchange and the shop"),
        (name = "sales-webhooks", description = "FluxSales: Shopify webhooks (HMAC-verified)"),
        (name = "sales-settings", description = "FluxSales: couriers, senders, rules, invoicing, automation"),
        (name = "sales-orders", description = "FluxSales: orders, AWBs, batches, labels, invoices"),
        (name = "sales-privacy", description = "FluxSales: exports and deletion"),
        (name = "sales-analytics", description = "FluxSales: shipping analytics"),
        (name = "orders-auth", description = "FluxOrders: organizations, sign-in, sessions, API tokens"),
        (name = "orders-users", description = "FluxOrders: users and roles"),
        (name = "orders-customers", description = "FluxOrders: customers, groups, addresses, CSV import"),
        (name = "orders-products", description = "FluxOrders: products, groups, images, scanner lookup"),
        (name = "orders-orders", description = "FluxOrders: orders, status flow, QuickBooks documents"),
        (name = "orders-quickbooks", description = "FluxOrders: the QuickBooks Online connection and sync"),
        (name = "orders-data", description = "FluxOrders: export, access and erasure requests")
    ),
    modifiers(&SecuritySchemes)
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "operator_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The operator token (FLUX_ADMIN_TOKEN)"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "shopify_session_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("The App Bridge session token (FluxSales)"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "orders_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A FluxOrders session (`fos_…`) or personal API token (`fot_…`)",
                    ))
                    .build(),
            ),
        );
    }
}

/// Registers every documented route.
pub fn routes(cfg: &mut ServiceConfig<'_>) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(health::metrics)
        .service(admin::list_jobs)
        .service(admin::retry_job)
        .service(admin::cancel_job)
        .service(admin::list_effects)
        .service(admin::resolve_effect);
    crate::sales::routes(cfg);
    crate::orders::http::routes(cfg);
}

/// The OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes)
        .split_for_parts();
    api
}
