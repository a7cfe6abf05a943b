//! Data rights (tag `orders-data`): export of the organization's data, and access to and
//! erasure of one person's records on request. Correction goes through the ordinary
//! `PATCH` endpoints of users and customers. Owners and admins only.

#![allow(unreachable_pub)]

use actix_web::{HttpResponse, get, post, web};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::super::auth::{self, ADMINS, Caller};
use super::super::entity::{
    address, customer, customer_group, order, order_item, product, product_group, user,
};
use super::account::TokenView;
use super::customers::{AddressView, CustomerView, GroupView};
use super::orders::{ItemView, OrderView};
use super::products::ProductView;
use super::users::UserView;
use crate::http::error::{ApiError, ErrorBody};
use crate::orders::validate;
use crate::state::AppState;
use crate::tenancy::scoped;

pub(super) fn routes(cfg: &mut ServiceConfig<'_>) {
    cfg.service(export)
        .service(subject_access)
        .service(subject_erase);
}

/// A customer with its addresses, in an export.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExportedCustomer {
    /// The customer.
    #[serde(flatten)]
    pub customer: CustomerView,
    /// Its addresses.
    pub addresses_all: Vec<AddressView>,
}

/// An order with its lines, in an export.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExportedOrder {
    /// The order (with `items`).
    #[serde(flatten)]
    pub order: OrderView,
}

/// Everything an organization holds, soft-deleted records included (JSON).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrganizationExport {
    /// When it was made.
    pub exported_at: chrono::DateTime<Utc>,
    /// Users (no password hashes).
    pub users: Vec<UserView>,
    /// Customer groups.
    pub customer_groups: Vec<GroupView>,
    /// Customers with addresses.
    pub customers: Vec<ExportedCustomer>,
    /// Product groups.
    pub product_groups: Vec<GroupView>,
    /// Products.
    pub products: Vec<ProductView>,
    /// Orders with lines.
    pub orders: Vec<ExportedOrder>,
}

async fn orders_with_items(
    state: &AppState,
    caller: &Caller,
    rows: Vec<order::Model>,
) -> Result<Vec<ExportedOrder>, ApiError> {
    let items = scoped::<order_item::Entity>(caller.tenant)
        .all(&state.db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|o| {
            let lines: Vec<ItemView> = items
                .iter()
                .filter(|i| i.order_id == o.id)
                .map(|i| {
                    let quantity = validate::dec(&i.quantity);
                    let unit_price = validate::dec(&i.unit_price);
                    ItemView {
                        product_id: i.product_id,
                        sku: i.sku.clone(),
                        description: i.description.clone(),
                        quantity,
                        unit_price,
                        line_total: quantity * unit_price,
                    }
                })
                .collect();
            let mut v = OrderView::from(o);
            v.items = Some(lines);
            ExportedOrder { order: v }
        })
        .collect())
}

async fn customers_with_addresses(
    state: &AppState,
    caller: &Caller,
    rows: Vec<customer::Model>,
) -> Result<Vec<ExportedCustomer>, ApiError> {
    let addresses = scoped::<address::Entity>(caller.tenant)
        .all(&state.db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|c| ExportedCustomer {
            addresses_all: addresses
                .iter()
                .filter(|a| a.customer_id == c.id)
                .cloned()
                .map(AddressView::from)
                .collect(),
            customer: CustomerView::from(c),
        })
        .collect())
}

/// Exports every record of the organization as one JSON document (owners and admins).
#[utoipa::path(tag = "orders-data", security(("orders_token" = [])), responses(
    (status = 200, body = OrganizationExport), (status = 403, body = ErrorBody)
))]
#[get("/orders-api/v1/data/export")]
pub async fn export(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    caller.check(ADMINS, "admin")?;
    let t = caller.tenant;
    let users = scoped::<user::Entity>(t).all(&state.db).await?;
    let groups = scoped::<customer_group::Entity>(t).all(&state.db).await?;
    let customers = scoped::<customer::Entity>(t).all(&state.db).await?;
    let pgroups = scoped::<product_group::Entity>(t).all(&state.db).await?;
    let products = scoped::<product::Entity>(t).all(&state.db).await?;
    let orders = scoped::<order::Entity>(t).all(&state.db).await?;
    let body = OrganizationExport {
        exported_at: Utc::now(),
        users: users.into_iter().map(UserView::from).collect(),
        customer_groups: groups
            .into_iter()
            .map(|g| GroupView {
                id: g.id,
                name: g.name,
            })
            .collect(),
        customers: customers_with_addresses(&state, &caller, customers).await?,
        product_groups: pgroups
            .into_iter()
            .map(|g| GroupView {
                id: g.id,
                name: g.name,
            })
            .collect(),
        products: products.into_iter().map(ProductView::from).collect(),
        orders: orders_with_items(&state, &caller, orders).await?,
    };
    Ok(HttpResponse::Ok()
        .insert_header((
            "content-disposition",
            "attachment; filename=\"fluxorders-export.json\"",
        ))
        .json(body))
}

/// `?email=…`: the person.
#[derive(Debug, Deserialize, utoipa::IntoParams, utoipa::ToSchema)]
pub struct Subject {
    /// The person's email.
    pub email: String,
}

/// Everything held about one person.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SubjectRecords {
    /// Their user accounts.
    pub users: Vec<UserView>,
    /// Their API tokens (never the values).
    pub api_tokens: Vec<TokenView>,
    /// Customers with this contact email, with addresses.
    pub customers: Vec<ExportedCustomer>,
    /// Orders of those customers or placed by those users.
    pub orders: Vec<ExportedOrder>,
}

/// Access request: every record about a person, by email (owners and admins).
#[utoipa::path(tag = "orders-data", params(Subject), security(("orders_token" = [])), responses(
    (status = 200, body = SubjectRecords), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)
))]
#[get("/orders-api/v1/data/subjects")]
pub async fn subject_access(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<Subject>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ADMINS, "admin")?;
    let email = validate::email("email", &q.email).map_err(super::invalid)?;
    let users = scoped::<user::Entity>(caller.tenant)
        .filter(user::Column::Email.eq(&email))
        .all(&state.db)
        .await?;
    let customers = scoped::<customer::Entity>(caller.tenant)
        .filter(customer::Column::Email.eq(&email))
        .all(&state.db)
        .await?;
    let user_ids: Vec<Uuid> = users.iter().map(|u| u.id).collect();
    let customer_ids: Vec<Uuid> = customers.iter().map(|c| c.id).collect();
    let tokens = scoped::<super::super::entity::api_token::Entity>(caller.tenant)
        .filter(super::super::entity::api_token::Column::UserId.is_in(user_ids.clone()))
        .all(&state.db)
        .await?;
    let orders = scoped::<order::Entity>(caller.tenant)
        .filter(
            sea_orm::Condition::any()
                .add(order::Column::CustomerId.is_in(customer_ids))
                .add(order::Column::PlacedBy.is_in(user_ids)),
        )
        .all(&state.db)
        .await?;
    Ok(HttpResponse::Ok().json(SubjectRecords {
        users: users.into_iter().map(UserView::from).collect(),
        api_tokens: tokens.into_iter().map(TokenView::from).collect(),
        customers: customers_with_addresses(&state, &caller, customers).await?,
        orders: orders_with_items(&state, &caller, orders).await?,
    }))
}

/// What an erasure did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErasureReport {
    /// User accounts deleted (with their sessions and tokens).
    pub users_deleted: usize,
    /// Customers whose personal contact fields were erased (the business record and its
    /// orders stay, as accounting records).
    pub customers_anonymized: usize,
}

/// Deletion request: deletes the person's user accounts (sessions and tokens with them)
/// now, and erases their name, email and phone from customer records (owners and admins).
/// The caller cannot erase themselves.
#[utoipa::path(tag = "orders-data", request_body = Subject, security(("orders_token" = [])), responses(
    (status = 200, body = ErasureReport), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)
))]
#[post("/orders-api/v1/data/subjects/erase")]
pub async fn subject_erase(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<Subject>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ADMINS, "admin")?;
    let email = validate::email("email", &body.email).map_err(super::invalid)?;
    if email == caller.user.email {
        return Err(ApiError::Forbidden(
            "you cannot erase your own account here".into(),
        ));
    }
    let users = scoped::<user::Entity>(caller.tenant)
        .filter(user::Column::Email.eq(&email))
        .all(&state.db)
        .await?;
    if users.iter().any(|u| u.role == "owner") && caller.role != auth::Role::Owner {
        return Err(ApiError::Forbidden("only owners erase owners".into()));
    }
    let customers = scoped::<customer::Entity>(caller.tenant)
        .filter(customer::Column::Email.eq(&email))
        .all(&state.db)
        .await?;
    let txn = crate::db::begin_write(&state.db).await?;
    for u in &users {
        user::Entity::delete_by_id(u.id).exec(&txn).await?;
    }
    for c in &customers {
        let mut a = c.clone().into_active_model();
        a.contact_name = Set(None);
        a.email = Set(None);
        a.phone = Set(None);
        a.updated_at = Set(Utc::now());
        a.update(&txn).await?;
    }
    txn.commit().await?;
    Ok(HttpResponse::Ok().json(ErasureReport {
        users_deleted: users.len(),
        customers_anonymized: customers.len(),
    }))
}
