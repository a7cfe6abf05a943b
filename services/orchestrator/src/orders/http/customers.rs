//! Customers, customer groups, addresses and the CSV import (tag `orders-customers`).
//!
//! Staff, admins and owners read and write customers; customer users read only their own
//! account. Deleting, restoring and purging is for owners and admins.

#![allow(unreachable_pub)]

use std::collections::{HashMap, HashSet};

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::super::auth::{ADMINS, ANYONE, Caller, STAFF};
use super::super::entity::{address, customer, customer_group};
use super::super::import::{self, ImportError};
use super::{ListQuery, filter_deleted, invalid};
use crate::http::error::{ApiError, ErrorBody};
use crate::orders::validate;
use crate::state::AppState;
use crate::tenancy::{TenantId, scoped};

pub(super) fn routes(cfg: &mut ServiceConfig<'_>) {
    cfg.service(import_customers)
        .service(list_customers)
        .service(create_customer)
        .service(get_customer)
        .service(update_customer)
        .service(delete_customer)
        .service(restore_customer)
        .service(purge_customer)
        .service(list_addresses)
        .service(create_address)
        .service(update_address)
        .service(delete_address)
        .service(list_groups)
        .service(create_group)
        .service(update_group)
        .service(delete_group);
}

/// An address.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AddressView {
    /// Id.
    pub id: Uuid,
    /// `billing` or `shipping`.
    pub kind: String,
    /// Street.
    pub line1: String,
    /// Second line.
    pub line2: Option<String>,
    /// City.
    pub city: String,
    /// Province or state code.
    pub region: String,
    /// Postal or ZIP code.
    pub postal_code: String,
    /// `CA` or `US`.
    pub country: String,
    /// Latitude.
    pub latitude: Option<Decimal>,
    /// Longitude.
    pub longitude: Option<Decimal>,
}

impl From<address::Model> for AddressView {
    fn from(a: address::Model) -> Self {
        Self {
            id: a.id,
            kind: a.kind,
            line1: a.line1,
            line2: a.line2,
            city: a.city,
            region: a.region,
            postal_code: a.postal_code,
            country: a.country,
            latitude: a.latitude.as_deref().map(validate::dec),
            longitude: a.longitude.as_deref().map(validate::dec),
        }
    }
}

/// A customer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CustomerView {
    /// Id.
    pub id: Uuid,
    /// Company name.
    pub name: String,
    /// Contact person.
    pub contact_name: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Group.
    pub group_id: Option<Uuid>,
    /// Notes (hidden from customer users).
    pub notes: Option<String>,
    /// QuickBooks customer id.
    pub quickbooks_id: Option<String>,
    /// Soft-deletion time.
    pub deleted_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Addresses (in single-customer answers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addresses: Option<Vec<AddressView>>,
}

impl From<customer::Model> for CustomerView {
    fn from(c: customer::Model) -> Self {
        Self {
            id: c.id,
            name: c.name,
            contact_name: c.contact_name,
            email: c.email,
            phone: c.phone,
            group_id: c.group_id,
            notes: c.notes,
            quickbooks_id: c.qb_id,
            deleted_at: c.deleted_at,
            created_at: c.created_at,
            addresses: None,
        }
    }
}

/// Finds a customer the caller may see (customer users: only their own; deleted ones only
/// for admins).
pub async fn visible_customer(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<customer::Model, ApiError> {
    if let Some(own) = caller.own_customer()
        && own != id
    {
        return Err(ApiError::NotFound("no such customer".into()));
    }
    let row = scoped::<customer::Entity>(caller.tenant)
        .filter(customer::Column::Id.eq(id))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such customer".into()))?;
    if row.deleted_at.is_some() && caller.require(ADMINS).is_err() {
        return Err(ApiError::NotFound("no such customer".into()));
    }
    Ok(row)
}

/// `?deleted=…&group_id=…&q=…`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct CustomerQuery {
    /// Only this group's customers.
    pub group_id: Option<Uuid>,
}

/// Lists customers (customer users see their own only).
#[utoipa::path(tag = "orders-customers", params(ListQuery, CustomerQuery), security(("orders_token" = [])), responses(
    (status = 200, body = Vec<CustomerView>), (status = 403, body = ErrorBody)
))]
#[get("/orders-api/v1/customers")]
pub async fn list_customers(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<ListQuery>,
    f: web::Query<CustomerQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ANYONE, "customers:read")?;
    q.deleted().check(&caller)?;
    let mut query = filter_deleted(
        scoped::<customer::Entity>(caller.tenant),
        customer::Column::DeletedAt,
        q.deleted(),
    );
    if let Some(own) = caller.own_customer() {
        query = query.filter(customer::Column::Id.eq(own));
    }
    if let Some(g) = f.group_id {
        query = query.filter(customer::Column::GroupId.eq(g));
    }
    if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        query = query.filter(
            sea_orm::Condition::any()
                .add(customer::Column::Name.contains(text))
                .add(customer::Column::Email.contains(text.to_lowercase())),
        );
    }
    let rows = query
        .order_by_asc(customer::Column::Name)
        .limit(q.limit())
        .offset(q.offset())
        .all(&state.db)
        .await?;
    let customer_user = caller.own_customer().is_some();
    Ok(HttpResponse::Ok().json(
        rows.into_iter()
            .map(|c| {
                let mut v = CustomerView::from(c);
                if customer_user {
                    v.notes = None;
                }
                v
            })
            .collect::<Vec<_>>(),
    ))
}

/// A customer to create or change (`PATCH` takes the same fields, all optional; an empty
/// string clears an optional field).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct CustomerInput {
    /// Company name (unique in the organization).
    pub name: Option<String>,
    /// Contact person.
    pub contact_name: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Group.
    pub group_id: Option<Uuid>,
    /// Notes.
    pub notes: Option<String>,
}

async fn check_group(
    state: &AppState,
    tenant: TenantId,
    group: Option<Uuid>,
) -> Result<(), ApiError> {
    if let Some(g) = group {
        scoped::<customer_group::Entity>(tenant)
            .filter(customer_group::Column::Id.eq(g))
            .one(&state.db)
            .await?
            .ok_or_else(|| ApiError::validation("group_id", "no such group"))?;
    }
    Ok(())
}

async fn name_taken(
    state: &AppState,
    tenant: TenantId,
    name: &str,
    except: Option<Uuid>,
) -> Result<bool, ApiError> {
    let mut q = scoped::<customer::Entity>(tenant).filter(customer::Column::Name.eq(name));
    if let Some(id) = except {
        q = q.filter(customer::Column::Id.ne(id));
    }
    Ok(q.one(&state.db).await?.is_some())
}

fn apply(a: &mut customer::ActiveModel, body: &CustomerInput) -> Result<(), ApiError> {
    if let Some(name) = &body.name {
        a.name = Set(validate::required("name", name, 200).map_err(invalid)?);
    }
    if let Some(v) = &body.contact_name {
        a.contact_name = Set(validate::optional("contact_name", Some(v), 200).map_err(invalid)?);
    }
    if let Some(v) = &body.email {
        a.email = Set(if v.trim().is_empty() {
            None
        } else {
            Some(validate::email("email", v).map_err(invalid)?)
        });
    }
    if let Some(v) = &body.phone {
        a.phone = Set(validate::optional("phone", Some(v), 50).map_err(invalid)?);
    }
    if let Some(v) = &body.notes {
        a.notes = Set(validate::optional("notes", Some(v), 5000).map_err(invalid)?);
    }
    if body.group_id.is_some() {
        a.group_id = Set(body.group_id);
    }
    Ok(())
}

/// Creates a customer (staff and up).
#[utoipa::path(tag = "orders-customers", request_body = CustomerInput, security(("orders_token" = [])), responses(
    (status = 201, body = CustomerView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)
))]
#[post("/orders-api/v1/customers")]
pub async fn create_customer(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<CustomerInput>,
) -> Result<HttpResponse, ApiError> {
    caller.check(STAFF, "customers:write")?;
    let name =
        validate::required("name", body.name.as_deref().unwrap_or(""), 200).map_err(invalid)?;
    check_group(&state, caller.tenant, body.group_id).await?;
    if name_taken(&state, caller.tenant, &name, None).await? {
        return Err(ApiError::Conflict(
            "a customer with this name exists".into(),
        ));
    }
    let now = Utc::now();
    let mut a = customer::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(caller.tenant.0),
        group_id: Set(None),
        name: Set(name),
        contact_name: Set(None),
        email: Set(None),
        phone: Set(None),
        notes: Set(None),
        qb_id: Set(None),
        deleted_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    apply(&mut a, &body)?;
    let row = a.insert(&state.db).await?;
    Ok(HttpResponse::Created().json(CustomerView::from(row)))
}

/// One customer with its addresses.
#[utoipa::path(tag = "orders-customers", params(("id" = Uuid, Path, description = "Customer id")), security(("orders_token" = [])), responses(
    (status = 200, body = CustomerView), (status = 404, body = ErrorBody)
))]
#[get("/orders-api/v1/customers/{id}")]
pub async fn get_customer(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ANYONE, "customers:read")?;
    let row = visible_customer(&state, &caller, *id).await?;
    let addresses = scoped::<address::Entity>(caller.tenant)
        .filter(address::Column::CustomerId.eq(row.id))
        .order_by_asc(address::Column::CreatedAt)
        .all(&state.db)
        .await?;
    let mut view = CustomerView::from(row);
    if caller.own_customer().is_some() {
        view.notes = None;
    }
    view.addresses = Some(addresses.into_iter().map(AddressView::from).collect());
    Ok(HttpResponse::Ok().json(view))
}

/// Updates (corrects) a customer (staff and up).
#[utoipa::path(tag = "orders-customers", params(("id" = Uuid, Path, description = "Customer id")), request_body = CustomerInput, security(("orders_token" = [])), responses(
    (status = 200, body = CustomerView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)
))]
#[patch("/orders-api/v1/customers/{id}")]
pub async fn update_customer(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Json<CustomerInput>,
) -> Result<HttpResponse, ApiError> {
    caller.check(STAFF, "customers:write")?;
    let row = visible_customer(&state, &caller, *id).await?;
    check_group(&state, caller.tenant, body.group_id).await?;
    if let Some(name) = &body.name
        && name_taken(&state, caller.tenant, name.trim(), Some(row.id)).await?
    {
        return Err(ApiError::Conflict(
            "a customer with this name exists".into(),
        ));
    }
    let mut a = row.into_active_model();
    apply(&mut a, &body)?;
    a.updated_at = Set(Utc::now());
    Ok(HttpResponse::Ok().json(CustomerView::from(a.update(&state.db).await?)))
}

/// Soft-deletes a customer (owners and admins).
#[utoipa::path(tag = "orders-customers", params(("id" = Uuid, Path, description = "Customer id")), security(("orders_token" = [])), responses(
    (status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)
))]
#[delete("/orders-api/v1/customers/{id}")]
pub async fn delete_customer(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ADMINS, "customers:write")?;
    let row = visible_customer(&state, &caller, *id).await?;
    if row.deleted_at.is_none() {
        let mut a = row.into_active_model();
        a.deleted_at = Set(Some(Utc::now()));
        a.update(&state.db).await?;
    }
    Ok(HttpResponse::NoContent().finish())
}

/// Restores a soft-deleted customer (owners and admins).
#[utoipa::path(tag = "orders-customers", params(("id" = Uuid, Path, description = "Customer id")), security(("orders_token" = [])), responses(
    (status = 200, body = CustomerView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)
))]
#[post("/orders-api/v1/customers/{id}/restore")]
pub async fn restore_customer(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ADMINS, "customers:write")?;
    let row = visible_customer(&state, &caller, *id).await?;
    let mut a = row.into_active_model();
    a.deleted_at = Set(None);
    a.updated_at = Set(Utc::now());
    Ok(HttpResponse::Ok().json(CustomerView::from(a.update(&state.db).await?)))
}

/// Permanently deletes a soft-deleted customer with its addresses, orders and customer
/// users (owners and admins).
#[utoipa::path(tag = "orders-customers", params(("id" = Uuid, Path, description = "Customer id")), security(("orders_token" = [])), responses(
    (status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)
))]
#[delete("/orders-api/v1/customers/{id}/purge")]
pub async fn purge_customer(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ADMINS, "customers:write")?;
    let row = visible_customer(&state, &caller, *id).await?;
    if row.deleted_at.is_none() {
        return Err(ApiError::Conflict(
            "delete the customer first; only deleted customers are purged".into(),
        ));
    }
    customer::Entity::delete_by_id(row.id)
        .exec(&state.db)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// An address to add or change.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AddressInput {
    /// `billing` or `shipping`.
    pub kind: String,
    /// Street.
    pub line1: String,
    /// Second line.
    pub line2: Option<String>,
    /// City.
    pub city: String,
    /// Province (CA) or state (US) code.
    pub region: String,
    /// Postal code (CA, `K1A 0B1`) or ZIP code (US, `10001`).
    pub postal_code: String,
    /// `CA` or `US`.
    pub country: String,
    /// Latitude, -90..90.
    pub latitude: Option<Decimal>,
    /// Longitude, -180..180.
    pub longitude: Option<Decimal>,
}

fn check_address(body: &AddressInput) -> Result<AddressView, ApiError> {
    let kind = match body.kind.trim() {
        k @ ("billing" | "shipping") => k.to_owned(),
        _ => return Err(ApiError::validation("kind", "must be billing or shipping")),
    };
    let country = validate::country("country", &body.country).map_err(invalid)?;
    let lat = validate::coordinate(
        "latitude",
        body.latitude.map(|d| d.to_string()).as_deref(),
        90,
    )
    .map_err(invalid)?;
    let lon = validate::coordinate(
        "longitude",
        body.longitude.map(|d| d.to_string()).as_deref(),
        180,
    )
    .map_err(invalid)?;
    Ok(AddressView {
        id: Uuid::nil(),
        kind,
        line1: validate::required("line1", &body.line1, 200).map_err(invalid)?,
        line2: validate::optional("line2", body.line2.as_deref(), 200).map_err(invalid)?,
        city: validate::required("city", &body.city, 100).map_err(invalid)?,
        region: validate::region("region", &country, &body.region).map_err(invalid)?,
        postal_code: validate::postal_code("postal_code", &country, &body.postal_code)
            .map_err(invalid)?,
        country,
        latitude: lat,
        longitude: lon,
    })
}

/// A customer's addresses.
#[utoipa::path(tag = "orders-customers", params(("id" = Uuid, Path, description = "Customer id")), security(("orders_token" = [])), responses(
    (status = 200, body = Vec<AddressView>), (status = 404, body = ErrorBody)
))]
#[get("/orders-api/v1/customers/{id}/addresses")]
pub async fn list_addresses(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ANYONE, "customers:read")?;
    let c = visible_customer(&state, &caller, *id).await?;
    let rows = scoped::<address::Entity>(caller.tenant)
        .filter(address::Column::CustomerId.eq(c.id))
        .all(&state.db)
        .await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(AddressView::from).collect::<Vec<_>>()))
}

/// Adds an address (staff and up).
#[utoipa::path(tag = "orders-customers", params(("id" = Uuid, Path, description = "Customer id")), request_body = AddressInput, security(("orders_token" = [])), responses(
    (status = 201, body = AddressView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)
))]
#[post("/orders-api/v1/customers/{id}/addresses")]
pub async fn create_address(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Json<AddressInput>,
) -> Result<HttpResponse, ApiError> {
    caller.check(STAFF, "customers:write")?;
    let c = visible_customer(&state, &caller, *id).await?;
    let v = check_address(&body)?;
    let now = Utc::now();
    let row = address::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(caller.tenant.0),
        customer_id: Set(c.id),
        kind: Set(v.kind),
        line1: Set(v.line1),
        line2: Set(v.line2),
        city: Set(v.city),
        region: Set(v.region),
        postal_code: Set(v.postal_code),
        country: Set(v.country),
        latitude: Set(v.latitude.map(|d| d.normalize().to_string())),
        longitude: Set(v.longitude.map(|d| d.normalize().to_string())),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&state.db)
    .await?;
    Ok(HttpResponse::Created().json(AddressView::from(row)))
}

async fn find_address(
    state: &AppState,
    caller: &Caller,
    customer: Uuid,
    id: Uuid,
) -> Result<address::Model, ApiError> {
    let c = visible_customer(state, caller, customer).await?;
    scoped::<address::Entity>(caller.tenant)
        .filter(address::Column::CustomerId.eq(c.id))
        .filter(address::Column::Id.eq(id))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such address".into()))
}

/// Replaces an address (staff and up).
#[utoipa::path(tag = "orders-customers", params(("id" = Uuid, Path, description = "Customer id"), ("address_id" = Uuid, Path, description = "Address id")), request_body = AddressInput, security(("orders_token" = [])), responses(
    (status = 200, body = AddressView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)
))]
#[patch("/orders-api/v1/customers/{id}/addresses/{address_id}")]
pub async fn update_address(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: web::Json<AddressInput>,
) -> Result<HttpResponse, ApiError> {
    caller.check(STAFF, "customers:write")?;
    let row = find_address(&state, &caller, path.0, path.1).await?;
    let v = check_address(&body)?;
    let mut a = row.into_active_model();
    a.kind = Set(v.kind);
    a.line1 = Set(v.line1);
    a.line2 = Set(v.line2);
    a.city = Set(v.city);
    a.region = Set(v.region);
    a.postal_code = Set(v.postal_code);
    a.country = Set(v.country);
    a.latitude = Set(v.latitude.map(|d| d.normalize().to_string()));
    a.longitude = Set(v.longitude.map(|d| d.normalize().to_string()));
    a.updated_at = Set(Utc::now());
    Ok(HttpResponse::Ok().json(AddressView::from(a.update(&state.db).await?)))
}

/// Deletes an address (staff and up).
#[utoipa::path(tag = "orders-customers", params(("id" = Uuid, Path, description = "Customer id"), ("address_id" = Uuid, Path, description = "Address id")), security(("orders_token" = [])), responses(
    (status = 204), (status = 404, body = ErrorBody)
))]
#[delete("/orders-api/v1/customers/{id}/addresses/{address_id}")]
pub async fn delete_address(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    caller.check(STAFF, "customers:write")?;
    let row = find_address(&state, &caller, path.0, path.1).await?;
    address::Entity::delete_by_id(row.id)
        .exec(&state.db)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A customer group.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GroupView {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
}

/// A group to create or rename.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct GroupInput {
    /// Name.
    pub name: String,
}

/// Lists customer groups (staff and up).
#[utoipa::path(tag = "orders-customers", security(("orders_token" = [])), responses(
    (status = 200, body = Vec<GroupView>), (status = 403, body = ErrorBody)
))]
#[get("/orders-api/v1/customer-groups")]
pub async fn list_groups(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    caller.check(STAFF, "customers:read")?;
    let rows = scoped::<customer_group::Entity>(caller.tenant)
        .order_by_asc(customer_group::Column::Name)
        .all(&state.db)
        .await?;
    Ok(HttpResponse::Ok().json(
        rows.into_iter()
            .map(|g| GroupView {
                id: g.id,
                name: g.name,
            })
            .collect::<Vec<_>>(),
    ))
}

async fn create_group_row(
    db: &impl sea_orm::ConnectionTrait,
    tenant: TenantId,
    name: String,
) -> Result<customer_group::Model, sea_orm::DbErr> {
    let now = Utc::now();
    customer_group::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant.0),
        name: Set(name),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
}

/// Creates a customer group (owners and admins).
#[utoipa::path(tag = "orders-customers", request_body = GroupInput, security(("orders_token" = [])), responses(
    (status = 201, body = GroupView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)
))]
#[post("/orders-api/v1/customer-groups")]
pub async fn create_group(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<GroupInput>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ADMINS, "customers:write")?;
    let name = validate::required("name", &body.name, 100).map_err(invalid)?;
    if scoped::<customer_group::Entity>(caller.tenant)
        .filter(customer_group::Column::Name.eq(&name))
        .one(&state.db)
        .await?
        .is_some()
    {
        return Err(ApiError::Conflict("a group with this name exists".into()));
    }
    let g = create_group_row(&state.db, caller.tenant, name).await?;
    Ok(HttpResponse::Created().json(GroupView {
        id: g.id,
        name: g.name,
    }))
}

/// Renames a customer group (owners and admins).
#[utoipa::path(tag = "orders-customers", params(("id" = Uuid, Path, description = "Group id")), request_body = GroupInput, security(("orders_token" = [])), responses(
    (status = 200, body = GroupView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)
))]
#[patch("/orders-api/v1/customer-groups/{id}")]
pub async fn update_group(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Json<GroupInput>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ADMINS, "customers:write")?;
    let name = validate::required("name", &body.name, 100).map_err(invalid)?;
    let row = scoped::<customer_group::Entity>(caller.tenant)
        .filter(customer_group::Column::Id.eq(*id))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such group".into()))?;
    let mut a = row.into_active_model();
    a.name = Set(name);
    a.updated_at = Set(Utc::now());
    let g = a
        .update(&state.db)
        .await
        .map_err(|_| ApiError::Conflict("a group with this name exists".into()))?;
    Ok(HttpResponse::Ok().json(GroupView {
        id: g.id,
        name: g.name,
    }))
}

/// Deletes a customer group; its customers stay, ungrouped (owners and admins).
#[utoipa::path(tag = "orders-customers", params(("id" = Uuid, Path, description = "Group id")), security(("orders_token" = [])), responses(
    (status = 204), (status = 404, body = ErrorBody)
))]
#[delete("/orders-api/v1/customer-groups/{id}")]
pub async fn delete_group(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ADMINS, "customers:write")?;
    let row = scoped::<customer_group::Entity>(caller.tenant)
        .filter(customer_group::Column::Id.eq(*id))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such group".into()))?;
    customer::Entity::update_many()
        .filter(customer::Column::TenantId.eq(caller.tenant.0))
        .filter(customer::Column::GroupId.eq(row.id))
        .col_expr(customer::Column::GroupId, Option::<Uuid>::None.into())
        .exec(&state.db)
        .await?;
    customer_group::Entity::delete_by_id(row.id)
        .exec(&state.db)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `?dry_run=true` validates without writing.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ImportQuery {
    /// Validate only.
    pub dry_run: Option<bool>,
}

/// The result of an import.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    /// Whether this was a dry run (nothing written).
    pub dry_run: bool,
    /// Valid rows (written unless a dry run).
    pub valid_rows: usize,
    /// Customers created.
    pub created: usize,
    /// Groups created for group names not yet known.
    pub groups_created: usize,
    /// Errors, by line and field; when any, nothing was written.
    pub errors: Vec<ImportError>,
}

/// Imports customers from a CSV body (`Content-Type: text/csv`), all or nothing. The
/// upload is read into memory (at most `orders.csv_max_bytes`), parsed on the blocking
/// pool and never written to disk. Any invalid row (reported with its line and field)
/// means nothing is written; the answer is then 422 with the errors.
#[utoipa::path(tag = "orders-customers", params(ImportQuery), request_body(content = String, content_type = "text/csv"), security(("orders_token" = [])), responses(
    (status = 200, body = ImportReport), (status = 413, body = ErrorBody), (status = 422, body = ImportReport)
))]
#[post("/orders-api/v1/customers/import")]
pub async fn import_customers(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<ImportQuery>,
    mut payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    caller.check(ADMINS, "customers:write")?;
    let max = state.settings.orders.csv_max_bytes;
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::BadRequest(format!("could not read the upload: {e}")))?;
        if body.len() + chunk.len() > max {
            return Err(ApiError::PayloadTooLarge(format!(
                "the file exceeds {max} bytes"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    let existing = scoped::<customer::Entity>(caller.tenant)
        .all(&state.db)
        .await?;
    let names: HashSet<String> = existing.iter().map(|c| c.name.to_lowercase()).collect();
    let emails: HashSet<String> = existing.iter().filter_map(|c| c.email.clone()).collect();
    let parsed = tokio::task::spawn_blocking(move || import::parse(&body, &names, &emails, 10_000))
        .await
        .map_err(ApiError::internal)?;
    let dry_run = q.dry_run.unwrap_or(false);
    let rows = match parsed {
        Ok(rows) => rows,
        Err(errors) => {
            return Ok(HttpResponse::UnprocessableEntity().json(ImportReport {
                dry_run,
                valid_rows: 0,
                created: 0,
                groups_created: 0,
                errors,
            }));
        }
    };
    if dry_run {
        return Ok(HttpResponse::Ok().json(ImportReport {
            dry_run,
            valid_rows: rows.len(),
            created: 0,
            groups_created: 0,
            errors: vec![],
        }));
    }
    let txn = crate::db::begin_write(&state.db).await?;
    let mut groups: HashMap<String, Uuid> = scoped::<customer_group::Entity>(caller.tenant)
        .all(&txn)
        .await?
        .into_iter()
        .map(|g| (g.name.to_lowercase(), g.id))
        .collect();
    let mut groups_created = 0;
    let now = Utc::now();
    for row in &rows {
        let group_id = match &row.group {
            Some(name) => match groups.get(&name.to_lowercase()) {
                Some(id) => Some(*id),
                None => {
                    let g = create_group_row(&txn, caller.tenant, name.clone()).await?;
                    groups.insert(name.to_lowercase(), g.id);
                    groups_created += 1;
                    Some(g.id)
                }
            },
            None => None,
        };
        let id = Uuid::now_v7();
        customer::ActiveModel {
            id: Set(id),
            tenant_id: Set(caller.tenant.0),
            group_id: Set(group_id),
            name: Set(row.name.clone()),
            contact_name: Set(row.contact_name.clone()),
            email: Set(row.email.clone()),
            phone: Set(row.phone.clone()),
            notes: Set(None),
            qb_id: Set(None),
            deleted_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        if let Some(a) = &row.address {
            address::ActiveModel {
                id: Set(Uuid::now_v7()),
                tenant_id: Set(caller.tenant.0),
                customer_id: Set(id),
                kind: Set("billing".into()),
                line1: Set(a.line1.clone()),
                line2: Set(a.line2.clone()),
                city: Set(a.city.clone()),
                region: Set(a.region.clone()),
                postal_code: Set(a.postal_code.clone()),
                country: Set(a.country.clone()),
                latitude: Set(a.latitude.map(|d| d.normalize().to_string())),
                longitude: Set(a.longitude.map(|d| d.normalize().to_string())),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await?;
        }
    }
    txn.commit().await?;
    Ok(HttpResponse::Ok().json(ImportReport {
        dry_run,
        valid_rows: rows.len(),
        created: rows.len(),
        groups_created,
        errors: vec![],
    }))
}
