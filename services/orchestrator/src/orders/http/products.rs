//! Products, product groups, images and the scanner lookup (tag `orders-products`).
//!
//! Everyone signed in reads the catalogue; owners and admins change it. Images are
//! uploaded as `multipart/form-data` (field `file`), checked by their bytes (PNG, JPEG,
//! WebP or GIF) and size, kept in the [`ImageStorage`](crate::orders::storage::ImageStorage)
//! while their product or group exists, and deleted with it.

#![allow(unreachable_pub)]

use actix_multipart::Multipart;
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

use super::super::auth::{ADMINS, ANYONE, Caller};
use super::super::entity::{image, product, product_group};
use super::{ListQuery, filter_deleted, invalid};
use crate::http::error::{ApiError, ErrorBody};
use crate::orders::validate;
use crate::state::AppState;
use crate::tenancy::{TenantId, scoped};

pub(super) fn routes(cfg: &mut ServiceConfig<'_>) {
    cfg.service(lookup_product)
        .service(list_products)
        .service(create_product)
        .service(get_product)
        .service(update_product)
        .service(delete_product)
        .service(restore_product)
        .service(purge_product)
        .service(upload_product_image)
        .service(list_groups)
        .service(create_group)
        .service(update_group)
        .service(delete_group)
        .service(upload_group_image)
        .service(get_image)
        .service(delete_image);
}

/// An image's record.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImageView {
    /// Id; the bytes are at `/orders-api/v1/images/{id}`.
    pub id: Uuid,
    /// Media type.
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: i64,
}

impl From<image::Model> for ImageView {
    fn from(i: image::Model) -> Self {
        Self {
            id: i.id,
            content_type: i.content_type,
            size_bytes: i.size_bytes,
        }
    }
}

/// A product.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProductView {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// SKU.
    pub sku: String,
    /// Barcode.
    pub barcode: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Unit price.
    pub price: Decimal,
    /// Currency.
    pub currency: String,
    /// QuickBooks tax code id.
    pub tax_code: Option<String>,
    /// Group.
    pub group_id: Option<Uuid>,
    /// Orderable.
    pub active: bool,
    /// QuickBooks item id.
    pub quickbooks_item_id: Option<String>,
    /// Soft-deletion time.
    pub deleted_at: Option<DateTime<Utc>>,
    /// Images (in single-product answers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub images: Option<Vec<ImageView>>,
}

impl From<product::Model> for ProductView {
    fn from(p: product::Model) -> Self {
        Self {
            id: p.id,
            name: p.name,
            sku: p.sku,
            barcode: p.barcode,
            description: p.description,
            price: validate::dec(&p.price),
            currency: p.currency,
            tax_code: p.tax_code,
            group_id: p.group_id,
            active: p.active,
            quickbooks_item_id: p.qb_item_id,
            deleted_at: p.deleted_at,
            images: None,
        }
    }
}

async fn find_product(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<product::Model, ApiError> {
    let row = scoped::<product::Entity>(caller.tenant)
        .filter(product::Column::Id.eq(id))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such product".into()))?;
    if row.deleted_at.is_some() && caller.require(ADMINS).is_err() {
        return Err(ApiError::NotFound("no such product".into()));
    }
    Ok(row)
}

async fn images_of(
    state: &AppState,
    tenant: TenantId,
    kind: &str,
    owner: Uuid,
) -> Result<Vec<image::Model>, sea_orm::DbErr> {
    scoped::<image::Entity>(tenant)
        .filter(image::Column::OwnerKind.eq(kind))
        .filter(image::Column::OwnerId.eq(owner))
        .order_by_asc(image::Column::CreatedAt)
        .all(&state.db)
        .await
}

/// Deletes the images of a record: rows first, then files (a file whose delete fails is
/// logged; its row is already gone so it is never served).
pub async fn delete_images(
    state: &AppState,
    tenant: TenantId,
    kind: &str,
    owner: Uuid,
) -> Result<(), ApiError> {
    let rows = images_of(state, tenant, kind, owner).await?;
    for row in rows {
        image::Entity::delete_by_id(row.id).exec(&state.db).await?;
        if let Err(e) = state.orders.images.delete(&row.storage_key).await {
            tracing::error!(image = %row.id, error = %e, "could not delete an image file");
        }
    }
    Ok(())
}

/// `?code=…`: a SKU or barcode.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct LookupQuery {
    /// What the scanner read.
    pub code: String,
}

/// Finds an active product by SKU or barcode (the apps' scanner).
#[utoipa::path(tag = "orders-products", params(LookupQuery), security(("orders_token" = [])), responses(
    (status = 200, body = ProductView), (status = 404, body = ErrorBody)
))]
#[get("/orders-api/v1/products/lookup")]
pub async fn lookup_product(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<LookupQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ANYONE, "products:read")?;
    let code = q.code.trim();
    if code.is_empty() {
        return Err(ApiError::validation("code", "is required"));
    }
    let row = scoped::<product::Entity>(caller.tenant)
        .filter(product::Column::DeletedAt.is_null())
        .filter(
            sea_orm::Condition::any()
                .add(product::Column::Sku.eq(code))
                .add(product::Column::Barcode.eq(code)),
        )
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no product with SKU or barcode {code}")))?;
    Ok(HttpResponse::Ok().json(ProductView::from(row)))
}

/// `?group_id=…`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ProductQuery {
    /// Only this group's products.
    pub group_id: Option<Uuid>,
}

/// Lists products.
#[utoipa::path(tag = "orders-products", params(ListQuery, ProductQuery), security(("orders_token" = [])), responses(
    (status = 200, body = Vec<ProductView>), (status = 403, body = ErrorBody)
))]
#[get("/orders-api/v1/products")]
pub async fn list_products(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<ListQuery>,
    f: web::Query<ProductQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ANYONE, "products:read")?;
    q.deleted().check(&caller)?;
    let mut query = filter_deleted(
        scoped::<product::Entity>(caller.tenant),
        product::Column::DeletedAt,
        q.deleted(),
    );
    if let Some(g) = f.group_id {
        query = query.filter(product::Column::GroupId.eq(g));
    }
    if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        query = query.filter(
            sea_orm::Condition::any()
                .add(product::Column::Name.contains(text))
                .add(product::Column::Sku.contains(text)),
        );
    }
    let rows = query
        .order_by_asc(product::Column::Name)
        .limit(q.limit())
        .offset(q.offset())
        .all(&state.db)
        .await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(ProductView::from).collect::<Vec<_>>()))
}

/// A product to create or change (`PATCH`: all optional).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ProductInput {
    /// Name.
    pub name: Option<String>,
    /// SKU (unique among live products).
    pub sku: Option<String>,
    /// Barcode (empty clears it).
    pub barcode: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Unit price (decimal string or number), not negative.
    pub price: Option<Decimal>,
    /// `CAD` or `USD`.
    pub currency: Option<String>,
    /// QuickBooks tax code id (Canada).
    pub tax_code: Option<String>,
    /// Group.
    pub group_id: Option<Uuid>,
    /// Orderable.
    pub active: Option<bool>,
}

async fn sku_taken(
    state: &AppState,
    tenant: TenantId,
    sku: &str,
    except: Option<Uuid>,
) -> Result<bool, ApiError> {
    let mut q = scoped::<product::Entity>(tenant)
        .filter(product::Column::Sku.eq(sku))
        .filter(product::Column::DeletedAt.is_null());
    if let Some(id) = except {
        q = q.filter(product::Column::Id.ne(id));
    }
    Ok(q.one(&state.db).await?.is_some())
}

async fn apply(
    state: &AppState,
    tenant: TenantId,
    a: &mut product::ActiveModel,
    body: &ProductInput,
    id: Option<Uuid>,
) -> Result<(), ApiError> {
    if let Some(v) = &body.name {
        a.name = Set(validate::required("name", v, 200).map_err(invalid)?);
    }
    if let Some(v) = &body.sku {
        let sku = validate::required("sku", v, 100).map_err(invalid)?;
        if sku_taken(state, tenant, &sku, id).await? {
            return Err(ApiError::Conflict(format!("another product has SKU {sku}")));
        }
        a.sku = Set(sku);
    }
    if let Some(v) = &body.barcode {
        a.barcode = Set(validate::optional("barcode", Some(v), 100).map_err(invalid)?);
    }
    if let Some(v) = &body.description {
        a.description = Set(validate::optional("description", Some(v), 5000).map_err(invalid)?);
    }
    if let Some(v) = body.price {
        a.price = Set(validate::money("price", v).map_err(invalid)?.to_string());
    }
    if let Some(v) = &body.currency {
        let c = v.trim().to_uppercase();
        if c != "CAD" && c != "USD" {
            return Err(ApiError::validation("currency", "must be CAD or USD"));
        }
        a.currency = Set(c);
    }
    if let Some(v) = &body.tax_code {
        a.tax_code = Set(validate::optional("tax_code", Some(v), 50).map_err(invalid)?);
    }
    if let Some(g) = body.group_id {
        scoped::<product_group::Entity>(tenant)
            .filter(product_group::Column::Id.eq(g))
            .one(&state.db)
            .await?
            .ok_or_else(|| ApiError::validation("group_id", "no such group"))?;
        a.group_id = Set(Some(g));
    }
    if let Some(v) = body.active {
        a.active = Set(v);
    }
    Ok(())
}

/// Creates a product (owners and admins).
#[utoipa::path(tag = "orders-products", request_body = ProductInput, security(("orders_token" = [])), responses(
    (status = 201, body = ProductView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)
))]
#[post("/orders-api/v1/products")]
pub async fn create_product(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<ProductInput>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ADMINS, "products:write")?;
    validate::required("name", body.name.as_deref().unwrap_or(""), 200).map_err(invalid)?;
    validate::required("sku", body.sku.as_deref().unwrap_or(""), 100).map_err(invalid)?;
    if body.price.is_none() {
        return Err(ApiError::validation("price", "is required"));
    }
    let now = Utc::now();
    let mut a = product::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(caller.tenant.0),
        group_id: Set(None),
        name: Set(String::new()),
        sku: Set(String::new()),
        barcode: Set(None),
        description: Set(None),
        price: Set("0".into()),
        currency: Set("USD".into()),
        tax_code: Set(None),
        qb_item_id: Set(None),
        active: Set(true),
        deleted_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    apply(&state, caller.tenant, &mut a, &body, None).await?;
    Ok(HttpResponse::Created().json(ProductView::from(a.insert(&state.db).await?)))
}

/// One product with its images.
#[utoipa::path(tag = "orders-products", params(("id" = Uuid, Path, description = "Product id")), security(("orders_token" = [])), responses(
    (status = 200, body = ProductView), (status = 404, body = ErrorBody)
))]
#[get("/orders-api/v1/products/{id}")]
pub async fn get_product(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ANYONE, "products:read")?;
    let row = find_product(&state, &caller, *id).await?;
    let images = images_of(&state, caller.tenant, "product", row.id).await?;
    let mut v = ProductView::from(row);
    v.images = Some(images.into_iter().map(ImageView::from).collect());
    Ok(HttpResponse::Ok().json(v))
}

/// Updates a product (owners and admins).
#[utoipa::path(tag = "orders-products", params(("id" = Uuid, Path, description = "Product id")), request_body = ProductInput, security(("orders_token" = [])), responses(
    (status = 200, body = ProductView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)
))]
#[patch("/orders-api/v1/products/{id}")]
pub async fn update_product(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Json<ProductInput>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ADMINS, "products:write")?;
    let row = find_product(&state, &caller, *id).await?;
    let pid = row.id;
    let mut a = row.into_active_model();
    apply(&state, caller.tenant, &mut a, &body, Some(pid)).await?;
    a.updated_at = Set(Utc::now());
    Ok(HttpResponse::Ok().json(ProductView::from(a.update(&state.db).await?)))
}

/// Soft-deletes a product (owners and admins); its images stay until it is purged.
#[utoipa::path(tag = "orders-products", params(("id" = Uuid, Path, description = "Product id")), security(("orders_token" = [])), responses(
    (status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)
))]
#[delete("/orders-api/v1/products/{id}")]
pub async fn delete_product(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ADMINS, "products:write")?;
    let row = find_product(&state, &caller, *id).await?;
    if row.deleted_at.is_none() {
        let mut a = row.into_active_model();
        a.deleted_at = Set(Some(Utc::now()));
        a.update(&state.db).await?;
    }
    Ok(HttpResponse::NoContent().finish())
}

/// Restores a soft-deleted product (owners and admins).
#[utoipa::path(tag = "orders-products", params(("id" = Uuid, Path, description = "Product id")), security(("orders_token" = [])), responses(
    (status = 200, body = ProductView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)
))]
#[post("/orders-api/v1/products/{id}/restore")]
pub async fn restore_product(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ADMINS, "products:write")?;
    let row = find_product(&state, &caller, *id).await?;
    if row.deleted_at.is_some() && sku_taken(&state, caller.tenant, &row.sku, Some(row.id)).await? {
        return Err(ApiError::Conflict(format!(
            "another live product has SKU {}",
            row.sku
        )));
    }
    let mut a = row.into_active_model();
    a.deleted_at = Set(None);
    a.updated_at = Set(Utc::now());
    Ok(HttpResponse::Ok().json(ProductView::from(a.update(&state.db).await?)))
}

/// Permanently deletes a soft-deleted product and its image files (owners and admins).
#[utoipa::path(tag = "orders-products", params(("id" = Uuid, Path, description = "Product id")), security(("orders_token" = [])), responses(
    (status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)
))]
#[delete("/orders-api/v1/products/{id}/purge")]
pub async fn purge_product(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ADMINS, "products:write")?;
    let row = find_product(&state, &caller, *id).await?;
    if row.deleted_at.is_none() {
        return Err(ApiError::Conflict(
            "delete the product first; only deleted products are purged".into(),
        ));
    }
    delete_images(&state, caller.tenant, "product", row.id).await?;
    product::Entity::delete_by_id(row.id)
        .exec(&state.db)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Reads the `file` part of a multipart upload, refusing more than `max` bytes or a type
/// other than PNG, JPEG, WebP or GIF (judged by the bytes, not the client's claim).
async fn read_image(
    mut form: Multipart,
    max: usize,
) -> Result<(Vec<u8>, &'static str, &'static str), ApiError> {
    let mut found = None;
    while let Some(field) = form.next().await {
        let mut field =
            field.map_err(|e| ApiError::BadRequest(format!("malformed multipart body: {e}")))?;
        if field.name() != Some("file") {
            while field.next().await.is_some() {}
            continue;
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk
                .map_err(|e| ApiError::BadRequest(format!("could not read the upload: {e}")))?;
            if bytes.len() + chunk.len() > max {
                return Err(ApiError::PayloadTooLarge(format!(
                    "the image exceeds {max} bytes"
                )));
            }
            bytes.extend_from_slice(&chunk);
        }
        found = Some(bytes);
    }
    let bytes =
        found.ok_or_else(|| ApiError::validation("file", "send the image in a `file` part"))?;
    if bytes.is_empty() {
        return Err(ApiError::validation("file", "the file is empty"));
    }
    let (mime, ext) = match infer::get(&bytes).map(|t| t.mime_type()) {
        Some("image/png") => ("image/png", "png"),
        Some("image/jpeg") => ("image/jpeg", "jpg"),
        Some("image/webp") => ("image/webp", "webp"),
        Some("image/gif") => ("image/gif", "gif"),
        _ => {
            return Err(ApiError::validation(
                "file",
                "must be a PNG, JPEG, WebP or GIF image",
            ));
        }
    };
    Ok((bytes, mime, ext))
}

async fn store_image(
    state: &AppState,
    tenant: TenantId,
    kind: &str,
    owner: Uuid,
    form: Multipart,
) -> Result<image::Model, ApiError> {
    let (bytes, mime, ext) = read_image(form, state.settings.orders.image_max_bytes).await?;
    let id = Uuid::now_v7();
    let key = format!("{}/{}.{ext}", tenant.0.simple(), id.simple());
    let size = bytes.len() as i64;
    state
        .orders
        .images
        .put(&key, bytes)
        .await
        .map_err(ApiError::internal)?;
    let row = image::ActiveModel {
        id: Set(id),
        tenant_id: Set(tenant.0),
        owner_kind: Set(kind.to_owned()),
        owner_id: Set(owner),
        storage_key: Set(key.clone()),
        content_type: Set(mime.to_owned()),
        size_bytes: Set(size),
        created_at: Set(Utc::now()),
    }
    .insert(&state.db)
    .await;
    match row {
        Ok(r) => Ok(r),
        Err(e) => {
            let _ = state.orders.images.delete(&key).await;
            Err(e.into())
        }
    }
}

/// Uploads an image of a product (owners and admins; `multipart/form-data`, part `file`).
#[utoipa::path(tag = "orders-products", params(("id" = Uuid, Path, description = "Product id")), request_body(content = String, content_type = "multipart/form-data", description = "A `file` part with a PNG, JPEG, WebP or GIF image"), security(("orders_token" = [])), responses(
    (status = 201, body = ImageView), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)
))]
#[post("/orders-api/v1/products/{id}/images")]
pub async fn upload_product_image(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    form: Multipart,
) -> Result<HttpResponse, ApiError> {
    caller.check(ADMINS, "products:write")?;
    let row = find_product(&state, &caller, *id).await?;
    let img = store_image(&state, caller.tenant, "product", row.id, form).await?;
    Ok(HttpResponse::Created().json(ImageView::from(img)))
}

/// Serves an image's bytes.
#[utoipa::path(tag = "orders-products", params(("id" = Uuid, Path, description = "Image id")), security(("orders_token" = [])), responses(
    (status = 200, content_type = "image/*", body = Vec<u8>), (status = 404, body = ErrorBody)
))]
#[get("/orders-api/v1/images/{id}")]
pub async fn get_image(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ANYONE, "products:read")?;
    let row = scoped::<image::Entity>(caller.tenant)
        .filter(image::Column::Id.eq(*id))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such image".into()))?;
    let bytes = state
        .orders
        .images
        .get(&row.storage_key)
        .await
        .map_err(|_| ApiError::NotFound("the image file is missing".into()))?;
    Ok(HttpResponse::Ok()
        .content_type(row.content_type)
        .body(bytes))
}

/// Deletes an image and its file (owners and admins).
#[utoipa::path(tag = "orders-products", params(("id" = Uuid, Path, description = "Image id")), security(("orders_token" = [])), responses(
    (status = 204), (status = 404, body = ErrorBody)
))]
#[delete("/orders-api/v1/images/{id}")]
pub async fn delete_image(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ADMINS, "products:write")?;
    let row = scoped::<image::Entity>(caller.tenant)
        .filter(image::Column::Id.eq(*id))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such image".into()))?;
    image::Entity::delete_by_id(row.id).exec(&state.db).await?;
    state
        .orders
        .images
        .delete(&row.storage_key)
        .await
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::NoContent().finish())
}

/// A product group.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProductGroupView {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Images.
    pub images: Vec<ImageView>,
}

/// A group to create or rename.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ProductGroupInput {
    /// Name.
    pub name: String,
}

async fn find_group(
    state: &AppState,
    tenant: TenantId,
    id: Uuid,
) -> Result<product_group::Model, ApiError> {
    scoped::<product_group::Entity>(tenant)
        .filter(product_group::Column::Id.eq(id))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such product group".into()))
}

/// Lists product groups with their images.
#[utoipa::path(tag = "orders-products", security(("orders_token" = [])), responses(
    (status = 200, body = Vec<ProductGroupView>)
))]
#[get("/orders-api/v1/product-groups")]
pub async fn list_groups(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    caller.check(ANYONE, "products:read")?;
    let rows = scoped::<product_group::Entity>(caller.tenant)
        .order_by_asc(product_group::Column::Name)
        .all(&state.db)
        .await?;
    let mut out = Vec::new();
    for g in rows {
        let images = images_of(&state, caller.tenant, "product_group", g.id).await?;
        out.push(ProductGroupView {
            id: g.id,
            name: g.name,
            images: images.into_iter().map(ImageView::from).collect(),
        });
    }
    Ok(HttpResponse::Ok().json(out))
}

/// Creates a product group (owners and admins).
#[utoipa::path(tag = "orders-products", request_body = ProductGroupInput, security(("orders_token" = [])), responses(
    (status = 201, body = ProductGroupView), (status = 422, body = ErrorBody)
))]
#[post("/orders-api/v1/product-groups")]
pub async fn create_group(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<ProductGroupInput>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ADMINS, "products:write")?;
    let name = validate::required("name", &body.name, 100).map_err(invalid)?;
    let now = Utc::now();
    let g = product_group::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(caller.tenant.0),
        name: Set(name),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&state.db)
    .await?;
    Ok(HttpResponse::Created().json(ProductGroupView {
        id: g.id,
        name: g.name,
        images: vec![],
    }))
}

/// Renames a product group (owners and admins).
#[utoipa::path(tag = "orders-products", params(("id" = Uuid, Path, description = "Group id")), request_body = ProductGroupInput, security(("orders_token" = [])), responses(
    (status = 200, body = ProductGroupView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)
))]
#[patch("/orders-api/v1/product-groups/{id}")]
pub async fn update_group(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: web::Json<ProductGroupInput>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ADMINS, "products:write")?;
    let name = validate::required("name", &body.name, 100).map_err(invalid)?;
    let g = find_group(&state, caller.tenant, *id).await?;
    let mut a = g.into_active_model();
    a.name = Set(name);
    a.updated_at = Set(Utc::now());
    let g = a.update(&state.db).await?;
    let images = images_of(&state, caller.tenant, "product_group", g.id).await?;
    Ok(HttpResponse::Ok().json(ProductGroupView {
        id: g.id,
        name: g.name,
        images: images.into_iter().map(ImageView::from).collect(),
    }))
}

/// Deletes a product group and its image files; its products stay, ungrouped (owners and
/// admins).
#[utoipa::path(tag = "orders-products", params(("id" = Uuid, Path, description = "Group id")), security(("orders_token" = [])), responses(
    (status = 204), (status = 404, body = ErrorBody)
))]
#[delete("/orders-api/v1/product-groups/{id}")]
pub async fn delete_group(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.check(ADMINS, "products:write")?;
    let g = find_group(&state, caller.tenant, *id).await?;
    delete_images(&state, caller.tenant, "product_group", g.id).await?;
    product::Entity::update_many()
        .filter(product::Column::TenantId.eq(caller.tenant.0))
        .filter(product::Column::GroupId.eq(g.id))
        .col_expr(product::Column::GroupId, Option::<Uuid>::None.into())
        .exec(&state.db)
        .await?;
    product_group::Entity::delete_by_id(g.id)
        .exec(&state.db)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Uploads an image of a product group (owners and admins; `multipart/form-data`, part
/// `file`).
#[utoipa::path(tag = "orders-products", params(("id" = Uuid, Path, description = "Group id")), request_body(content = String, content_type = "multipart/form-data", description = "A `file` part with a PNG, JPEG, WebP or GIF image"), security(("orders_token" = [])), responses(
    (status = 201, body = ImageView), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)
))]
#[post("/orders-api/v1/product-groups/{id}/images")]
pub async fn upload_group_image(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    form: Multipart,
) -> Result<HttpResponse, ApiError> {
    caller.check(ADMINS, "products:write")?;
    let g = find_group(&state, caller.tenant, *id).await?;
    let img = store_image(&state, caller.tenant, "product_group", g.id, form).await?;
    Ok(HttpResponse::Created().json(ImageView::from(img)))
}
