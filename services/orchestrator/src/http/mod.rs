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
        (name = "operations", description = "Health, metrics, and the operator's view of jobs and effects")
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
