//! Runs a parsed operation against one shop: the query root fields and the mutations
//! flux-shopify sends, with Shopify's `userErrors` (field paths, typed codes), access
//! scopes, `@idempotent` keys and `changeFromQuantity` checks.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::gql::{self, Field, OpKind, Operation, args_of, connection, error, gid_number};
use super::state::{
    AdjustmentGroup, Event, Fulfillment, Level, ShopState, Tracking, WebhookSubscription, gid,
};

/// What running an operation produced.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub(crate) data: Value,
    pub(crate) errors: Vec<Value>,
    /// Webhook events the mutations triggered: (REST topic, resource kind, id).
    pub(crate) events: Vec<(&'static str, EventRef)>,
}

/// What a webhook event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventRef {
    Order(u64),
    Fulfillment(u64),
}

/// The GraphQL `WebhookSubscriptionTopic` values the simulator accepts, with their REST
/// topic names.
pub(crate) const TOPICS: &[(&str, &str)] = &[
    ("ORDERS_CREATE", "orders/create"),
    ("ORDERS_UPDATED", "orders/updated"),
    ("ORDERS_PAID", "orders/paid"),
    ("ORDERS_CANCELLED", "orders/cancelled"),
    ("ORDERS_FULFILLED", "orders/fulfilled"),
    ("ORDERS_PARTIALLY_FULFILLED", "orders/partially_fulfilled"),
    ("ORDERS_DELETE", "orders/delete"),
    ("FULFILLMENTS_CREATE", "fulfillments/create"),
    ("FULFILLMENTS_UPDATE", "fulfillments/update"),
    (
        "FULFILLMENT_ORDERS_ORDER_ROUTING_COMPLETE",
        "fulfillment_orders/order_routing_complete",
    ),
    ("INVENTORY_LEVELS_UPDATE", "inventory_levels/update"),
    ("PRODUCTS_UPDATE", "products/update"),
    ("CUSTOMERS_UPDATE", "customers/update"),
    ("BULK_OPERATIONS_FINISH", "bulk_operations/finish"),
    ("APP_UNINSTALLED", "app/uninstalled"),
    ("SHOP_UPDATE", "shop/update"),
];

const REASONS: &[&str] = &[
    "correction",
    "cycle_count_available",
    "damaged",
    "movement_created",
    "movement_updated",
    "movement_received",
    "movement_canceled",
    "other",
    "promotion",
    "quality_control",
    "received",
    "reservation_created",
    "reservation_deleted",
    "reservation_updated",
    "restock",
    "safety_stock",
    "shrinkage",
];

const EVENT_STATUSES: &[&str] = &[
    "ATTEMPTED_DELIVERY",
    "CARRIER_PICKED_UP",
    "CONFIRMED",
    "DELAYED",
    "DELIVERED",
    "FAILURE",
    "IN_TRANSIT",
    "LABEL_PRINTED",
    "LABEL_PURCHASED",
    "OUT_FOR_DELIVERY",
    "PICKED_UP",
    "READY_FOR_PICKUP",
];

fn user_error(field: &[Value], message: impl Into<String>) -> Value {
    json!({ "__typename": "UserError", "field": field, "message": message.into() })
}

fn typed_error(field: &[Value], message: impl Into<String>, code: &str) -> Value {
    json!({ "__typename": "UserError", "field": field, "message": message.into(), "code": code })
}

fn p(parts: &[&dyn ToPathPart]) -> Vec<Value> {
    parts.iter().map(|x| x.part()).collect()
}

trait ToPathPart {
    fn part(&self) -> Value;
}
impl ToPathPart for &str {
    fn part(&self) -> Value {
        Value::String((*self).to_owned())
    }
}
impl ToPathPart for usize {
    fn part(&self) -> Value {
        Value::String(self.to_string())
    }
}

/// The access scope a root field needs (`write_x` implies `read_x`).
fn required_scope(kind: OpKind, field: &str) -> Option<&'static str> {
    Some(match (kind, field) {
        (OpKind::Query, "order" | "orders" | "fulfillment") => "read_orders",
        (OpKind::Query, "location" | "locations") => "read_locations",
        (OpKind::Query, "product" | "products") => "read_products",
        (OpKind::Query, "customer" | "customers") => "read_customers",
        (OpKind::Mutation, "orderMarkAsPaid") => "write_orders",
        (
            OpKind::Mutation,
            "fulfillmentCreate" | "fulfillmentTrackingInfoUpdate" | "fulfillmentEventCreate",
        ) => "write_merchant_managed_fulfillment_orders",
        (OpKind::Mutation, "inventorySetQuantities" | "inventoryAdjustQuantities") => {
            "write_inventory"
        }
        _ => return None,
    })
}

fn has_scope(scopes: &[String], needed: &str) -> bool {
    scopes.iter().any(|s| {
        s == needed
            || needed
                .strip_prefix("read_")
                .is_some_and(|rest| s.strip_prefix("write_") == Some(rest))
    })
}

fn access_denied(field: &Field, scope: &str) -> Value {
    let mut e = error(
        format!(
            "Access denied for {} field. Required access: `{scope}` access scope.",
            field.name
        ),
        json!({
            "code": "ACCESS_DENIED",
            "documentation": "https://shopify.dev/api/usage/access-scopes",
            "requiredAccess": format!("`{scope}` access scope."),
        }),
    );
    e["locations"] = json!([{ "line": field.line, "column": field.column }]);
    e["path"] = json!([field.key()]);
    e
}

/// Runs `op` on `shop`.
pub(crate) fn execute(
    shop: &mut ShopState,
    op: &Operation,
    vars: &Map<String, Value>,
    scopes: &[String],
    now: DateTime<Utc>,
) -> Outcome {
    let mut out = Outcome::default();
    let mut root = Map::new();
    root.insert(
        "__typename".into(),
        Value::from(match op.kind {
            OpKind::Query => "QueryRoot",
            OpKind::Mutation => "Mutation",
        }),
    );
    let mut denied = Vec::new();
    for field in &op.selection {
        if let Some(scope) = required_scope(op.kind, &field.name)
            && !has_scope(scopes, scope)
        {
            out.errors.push(access_denied(field, scope));
            denied.push(field.key().to_owned());
            continue;
        }
        let args = args_of(field, vars);
        let value = match op.kind {
            OpKind::Query => query_field(shop, field, &args),
            OpKind::Mutation => match mutation_field(shop, field, &args, now, &mut out) {
                Ok(v) => v,
                Err(e) => {
                    out.errors.push(e);
                    denied.push(field.key().to_owned());
                    continue;
                }
            },
        };
        if let Some(v) = value {
            root.insert(field.name.clone(), v);
        }
    }
    let root = Value::Object(root);
    let mut data = gql::project(&root, &op.selection, vars, &mut Vec::new(), &mut out.errors);
    for key in denied {
        data[&key] = Value::Null;
    }
    // An access-denied or failed field makes `data` null when nothing else was asked.
    if out.errors.iter().any(|e| {
        e["extensions"]["code"] == "ACCESS_DENIED" || e["extensions"]["code"] == "undefinedField"
    }) && op.selection.len() == 1
    {
        data = Value::Null;
    }
    out.data = data;
    out
}

fn str_arg<'a>(args: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    args.get(name).and_then(Value::as_str)
}

fn query_field(shop: &ShopState, field: &Field, args: &Map<String, Value>) -> Option<Value> {
    let id = str_arg(args, "id").unwrap_or_default();
    let by_gid = |kind: &str| -> Option<u64> {
        id.strip_prefix(&format!("gid://shopify/{kind}/"))?;
        gid_number(id)
    };
    Some(match field.name.as_str() {
        "shop" => shop.shop_json(),
        "order" => shop.order_by_gid(id).map_or(Value::Null, |o| {
            o.graphql(&shop.customers, &shop.fulfillments)
        }),
        "orders" => {
            let search = str_arg(args, "query").unwrap_or_default();
            let mut items: Vec<&super::state::Order> = shop
                .orders
                .values()
                .filter(|o| order_matches(o, shop, search))
                .collect();
            match str_arg(args, "sortKey").unwrap_or("ID") {
                "CREATED_AT" | "PROCESSED_AT" => items.sort_by_key(|o| (o.created_at, o.id)),
                "UPDATED_AT" => items.sort_by_key(|o| (o.updated_at, o.id)),
                "ORDER_NUMBER" => items.sort_by_key(|o| (o.number, o.id)),
                _ => items.sort_by_key(|o| o.id),
            }
            if args.get("reverse").and_then(Value::as_bool) == Some(true) {
                items.reverse();
            }
            connection(
                "OrderConnection",
                items
                    .into_iter()
                    .map(|o| o.graphql(&shop.customers, &shop.fulfillments))
                    .collect(),
            )
        }
        "fulfillment" => by_gid("Fulfillment")
            .and_then(|n| shop.fulfillments.get(&n))
            .map_or(Value::Null, Fulfillment::graphql),
        "location" => by_gid("Location")
            .and_then(|n| shop.locations.get(&n))
            .map_or(Value::Null, |l| shop.location_json(l)),
        "locations" => {
            let inactive = args.get("includeInactive").and_then(Value::as_bool) == Some(true);
            connection(
                "LocationConnection",
                shop.locations
                    .values()
                    .filter(|l| l.active || inactive)
                    .map(|l| shop.location_json(l))
                    .collect(),
            )
        }
        "product" => by_gid("Product")
            .and_then(|n| shop.products.get(&n))
            .map_or(Value::Null, |p| shop.product_json(p)),
        "products" => {
            let search = str_arg(args, "query").unwrap_or_default();
            connection(
                "ProductConnection",
                shop.products
                    .values()
                    .filter(|p| {
                        search_matches(search, |key, value| match key {
                            Some("sku") => p.variants.iter().any(|v| glob(value, &v.sku)),
                            Some("title") => glob(value, &p.title),
                            Some("vendor") => glob(value, &p.vendor),
                            Some(_) => true,
                            None => {
                                contains(&p.title, value)
                                    || p.variants.iter().any(|v| contains(&v.sku, value))
                            }
                        })
                    })
                    .map(|p| shop.product_json(p))
                    .collect(),
            )
        }
        "customer" => by_gid("Customer")
            .and_then(|n| shop.customers.get(&n))
            .map_or(Value::Null, |c| c.graphql(None)),
        "customers" => {
            let search = str_arg(args, "query").unwrap_or_default();
            connection(
                "CustomerConnection",
                shop.customers
                    .values()
                    .filter(|c| {
                        search_matches(search, |key, value| match key {
                            Some("email") => c.email.as_deref().is_some_and(|e| glob(value, e)),
                            Some("phone") => c.phone.as_deref().is_some_and(|e| glob(value, e)),
                            Some("first_name") => glob(value, &c.first_name),
                            Some("last_name") => glob(value, &c.last_name),
                            Some(_) => true,
                            None => {
                                contains(&c.first_name, value)
                                    || contains(&c.last_name, value)
                                    || c.email.as_deref().is_some_and(|e| contains(e, value))
                            }
                        })
                    })
                    .map(|c| c.graphql(None))
                    .collect(),
            )
        }
        "webhookSubscriptions" => {
            let topics: Vec<String> = args
                .get("topics")
                .and_then(Value::as_array)
                .map(|t| {
                    t.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            connection(
                "WebhookSubscriptionConnection",
                shop.webhooks
                    .values()
                    .filter(|w| topics.is_empty() || topics.contains(&w.topic))
                    .map(WebhookSubscription::graphql)
                    .collect(),
            )
        }
        _ => return None,
    })
}

fn contains(hay: &str, needle: &str) -> bool {
    hay.to_lowercase().contains(&needle.to_lowercase())
}

/// Shopify search values: `ABC*` prefix match, otherwise case-insensitive equality.
fn glob(pattern: &str, value: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => value.to_lowercase().starts_with(&prefix.to_lowercase()),
        None => value.eq_ignore_ascii_case(pattern),
    }
}

/// Evaluates a search query (terms joined by AND; `key:value` or free text; `-` or
/// `NOT` negates; `OR` is accepted between terms of which any may match).
fn search_matches(search: &str, mut term: impl FnMut(Option<&str>, &str) -> bool) -> bool {
    let mut tokens: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for c in search.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '\'' | '"') => quote = Some(c),
            (None, c) if c.is_whitespace() => {
                if !current.is_empty() {
                    tokens.push(std::mem::take(&mut current));
                }
            }
            (None, c) => current.push(c),
        }
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    let mut result = true;
    let mut pending_or: Option<bool> = None;
    let mut negate = false;
    for tok in tokens {
        if tok == "AND" {
            continue;
        }
        if tok == "NOT" {
            negate = true;
            continue;
        }
        if tok == "OR" {
            pending_or = Some(result);
            result = true;
            continue;
        }
        let (neg, body) = match tok.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (negate, tok.as_str()),
        };
        negate = false;
        let matched = match body.split_once(':') {
            Some((k, v)) => term(Some(k), v),
            None => term(None, body),
        };
        result = result && (matched != neg);
        if let Some(prev) = pending_or.take() {
            result = result || prev;
        }
    }
    result
}

fn compare_time(spec: &str, t: DateTime<Utc>) -> bool {
    let (op, value) = [">=", "<=", ">", "<"]
        .iter()
        .find_map(|op| spec.strip_prefix(op).map(|v| (*op, v)))
        .unwrap_or(("=", spec));
    let parsed = DateTime::parse_from_rfc3339(value)
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| d.and_utc())
        });
    let Some(at) = parsed else { return true };
    match op {
        ">=" => t >= at,
        "<=" => t <= at,
        ">" => t > at,
        "<" => t < at,
        _ => t.date_naive() == at.date_naive(),
    }
}

fn order_matches(o: &super::state::Order, shop: &ShopState, search: &str) -> bool {
    search_matches(search, |key, value| {
        let v = value.to_ascii_lowercase();
        match key {
            Some("financial_status") => match v.as_str() {
                "paid" => o.paid,
                "pending" | "unpaid" => !o.paid,
                _ => true,
            },
            Some("fulfillment_status") => match v.as_str() {
                "unshipped" | "unfulfilled" => o.fulfillment_status() == "UNFULFILLED",
                "shipped" | "fulfilled" => o.fulfillment_status() == "FULFILLED",
                "partial" => o.fulfillment_status() == "PARTIALLY_FULFILLED",
                _ => true,
            },
            Some("status") => match v.as_str() {
                "open" => o.cancelled_at.is_none(),
                "cancelled" => o.cancelled_at.is_some(),
                "closed" => false,
                _ => true,
            },
            Some("created_at" | "processed_at") => compare_time(value, o.created_at),
            Some("updated_at") => compare_time(value, o.updated_at),
            Some("name") => o.name().eq_ignore_ascii_case(value) || o.number.to_string() == v,
            Some("email") => o.email.as_deref().is_some_and(|e| glob(value, e)),
            Some("tag") => o.tags.iter().any(|t| t.eq_ignore_ascii_case(value)),
            Some("gateway") => contains(&o.gateway, value),
            Some("id") => compare_id(value, o.id),
            Some(_) => true,
            None => {
                contains(&o.name(), value)
                    || o.email.as_deref().is_some_and(|e| contains(e, value))
                    || o.customer_id
                        .and_then(|c| shop.customers.get(&c))
                        .is_some_and(|c| {
                            contains(&c.first_name, value) || contains(&c.last_name, value)
                        })
            }
        }
    })
}

fn compare_id(spec: &str, id: u64) -> bool {
    let (op, value) = [">=", "<=", ">", "<"]
        .iter()
        .find_map(|op| spec.strip_prefix(op).map(|v| (*op, v)))
        .unwrap_or(("=", spec));
    let Ok(n) = value.parse::<u64>() else {
        return true;
    };
    match op {
        ">=" => id >= n,
        "<=" => id <= n,
        ">" => id > n,
        "<" => id < n,
        _ => id == n,
    }
}

// ---------------------------------------------------------------------------------------
// Mutations

fn invalid_variable(var: &str, ty: &str, problem: impl Into<String>) -> Value {
    error(
        format!("Variable ${var} of type {ty} was provided invalid value"),
        json!({ "code": "INVALID_VARIABLE", "problems": [{ "path": [], "explanation": problem.into() }] }),
    )
}

fn mutation_field(
    shop: &mut ShopState,
    field: &Field,
    args: &Map<String, Value>,
    now: DateTime<Utc>,
    out: &mut Outcome,
) -> Result<Option<Value>, Value> {
    let payload = match field.name.as_str() {
        "orderMarkAsPaid" => mark_as_paid(shop, args, now, out),
        "fulfillmentCreate" => fulfillment_create(shop, args, now, out)?,
        "fulfillmentTrackingInfoUpdate" => tracking_update(shop, args, now, out),
        "fulfillmentEventCreate" => event_create(shop, args, now, out)?,
        "inventorySetQuantities" | "inventoryAdjustQuantities" => {
            return idempotent(shop, field, args, now).map(Some);
        }
        "webhookSubscriptionCreate" => webhook_create(shop, args)?,
        "webhookSubscriptionDelete" => webhook_delete(shop, args),
        _ => return Ok(None),
    };
    Ok(Some(payload))
}

fn mark_as_paid(
    shop: &mut ShopState,
    args: &Map<String, Value>,
    now: DateTime<Utc>,
    out: &mut Outcome,
) -> Value {
    let id = args
        .get("input")
        .and_then(|i| i.get("id"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let number = shop.order_by_gid(id).map(|o| o.id);
    let errors = match number.and_then(|n| shop.orders.get_mut(&n)) {
        None => vec![user_error(&p(&[&"id"]), "Order does not exist")],
        Some(o) if o.paid || o.cancelled_at.is_some() => {
            vec![user_error(&p(&[&"id"]), "Order cannot be marked as paid.")]
        }
        Some(o) => {
            o.paid = true;
            o.updated_at = now;
            out.events.push(("orders/paid", EventRef::Order(o.id)));
            out.events.push(("orders/updated", EventRef::Order(o.id)));
            Vec::new()
        }
    };
    let order = if errors.is_empty() {
        number
            .and_then(|n| shop.orders.get(&n))
            .map_or(Value::Null, |o| {
                o.graphql(&shop.customers, &shop.fulfillments)
            })
    } else {
        Value::Null
    };
    json!({ "__typename": "OrderMarkAsPaidPayload", "order": order, "userErrors": errors })
}

/// Shopify's tracking URL for carriers it knows, when none was given.
fn tracking_url(company: Option<&str>, number: Option<&str>) -> Option<String> {
    let n = number?;
    Some(match company? {
        "FAN Courier" => format!("https://www.fancourier.ro/awb-tracking/?tracking={n}"),
        "Sameday" => format!("https://sameday.ro/#awb={n}"),
        "Cargus" => {
            format!("https://www.cargus.ro/personal/urmareste-coletul/?tracking_number={n}")
        }
        "GLS" => format!("https://gls-group.com/RO/ro/urmarire-colet?match={n}"),
        "DPD" => format!("https://tracking.dpd.ro/?shipmentNumber={n}"),
        _ => return None,
    })
}

fn tracking_from(input: &Value, path: &[&str]) -> Result<Vec<Tracking>, Value> {
    if input.is_null() {
        return Ok(Vec::new());
    }
    let s = |k: &str| input.get(k).and_then(Value::as_str).map(str::to_owned);
    let list = |k: &str| -> Vec<String> {
        input
            .get(k)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let base: Vec<Value> = path.iter().map(|x| Value::from(*x)).collect();
    let at = |k: &str| {
        let mut f = base.clone();
        f.push(Value::from(k));
        f
    };
    if s("number").is_some() && !list("numbers").is_empty() {
        return Err(user_error(
            &at("numbers"),
            "Only one of number or numbers can be provided.",
        ));
    }
    if s("url").is_some() && !list("urls").is_empty() {
        return Err(user_error(
            &at("urls"),
            "Only one of url or urls can be provided.",
        ));
    }
    let numbers = match s("number") {
        Some(n) => vec![n],
        None => list("numbers"),
    };
    let urls = match s("url") {
        Some(u) => vec![u],
        None => list("urls"),
    };
    for u in &urls {
        if !(u.starts_with("https://") || u.starts_with("http://")) {
            return Err(user_error(&at("url"), "Tracking url is invalid."));
        }
    }
    let company = s("company");
    if numbers.is_empty() && urls.is_empty() && company.is_none() {
        return Ok(Vec::new());
    }
    let count = numbers.len().max(urls.len()).max(1);
    Ok((0..count)
        .map(|i| {
            let number = numbers.get(i).cloned();
            let url = urls
                .get(i)
                .cloned()
                .or_else(|| tracking_url(company.as_deref(), number.as_deref()));
            Tracking {
                company: company.clone(),
                number,
                url,
            }
        })
        .collect())
}

fn fulfillment_create(
    shop: &mut ShopState,
    args: &Map<String, Value>,
    now: DateTime<Utc>,
    out: &mut Outcome,
) -> Result<Value, Value> {
    let input = args.get("fulfillment").cloned().unwrap_or(Value::Null);
    let fail = |errors: Vec<Value>| json!({ "__typename": "FulfillmentCreatePayload", "fulfillment": null, "userErrors": errors });
    let groups = input
        .get("lineItemsByFulfillmentOrder")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if groups.is_empty() {
        return Ok(fail(vec![user_error(
            &p(&[&"fulfillment", &"lineItemsByFulfillmentOrder"]),
            "Line items by fulfillment order must contain at least one fulfillment order.",
        )]));
    }
    let tracking = match tracking_from(
        input.get("trackingInfo").unwrap_or(&Value::Null),
        &["fulfillment", "trackingInfo"],
    ) {
        Ok(t) => t,
        Err(e) => return Ok(fail(vec![e])),
    };
    // Resolve and validate everything before changing anything.
    let mut order_id: Option<u64> = None;
    // (fo id, location, (fo line, qty))
    type Plan = Vec<(u64, u64, Vec<(u64, i64)>)>;
    let mut plan: Plan = Vec::new();
    let mut errors = Vec::new();
    for (i, group) in groups.iter().enumerate() {
        let base = ["fulfillment", "lineItemsByFulfillmentOrder"];
        let fo_gid = group
            .get("fulfillmentOrderId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let fo_path = p(&[&base[0], &base[1], &i, &"fulfillmentOrderId"]);
        let found = fo_gid
            .strip_prefix("gid://shopify/FulfillmentOrder/")
            .and_then(|_| gid_number(fo_gid))
            .and_then(|n| {
                shop.orders.values().find_map(|o| {
                    o.fulfillment_orders
                        .iter()
                        .find(|fo| fo.id == n)
                        .map(|fo| (o.id, fo.clone()))
                })
            });
        let Some((oid, fo)) = found else {
            errors.push(user_error(&fo_path, "Fulfillment order does not exist."));
            continue;
        };
        if *order_id.get_or_insert(oid) != oid {
            errors.push(user_error(
                &p(&[&"fulfillment"]),
                "All fulfillment orders must belong to the same order.",
            ));
            continue;
        }
        if !matches!(fo.status, "OPEN" | "IN_PROGRESS") {
            errors.push(user_error(
                &fo_path,
                format!(
                    "Fulfillment order {fo_gid} has an unfulfillable status= {}.",
                    fo.status.to_ascii_lowercase()
                ),
            ));
            continue;
        }
        let wanted = group
            .get("fulfillmentOrderLineItems")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut lines = Vec::new();
        if wanted.is_empty() {
            lines.extend(
                fo.lines
                    .iter()
                    .filter(|l| l.remaining > 0)
                    .map(|l| (l.id, l.remaining)),
            );
        }
        for (j, w) in wanted.iter().enumerate() {
            let lpath =
                |k: &str| p(&[&base[0], &base[1], &i, &"fulfillmentOrderLineItems", &j, &k]);
            let lid = w.get("id").and_then(Value::as_str).unwrap_or_default();
            let qty = w.get("quantity").and_then(Value::as_i64).unwrap_or(0);
            let Some(line) = lid
                .strip_prefix("gid://shopify/FulfillmentOrderLineItem/")
                .and_then(|_| gid_number(lid))
                .and_then(|n| fo.lines.iter().find(|l| l.id == n))
            else {
                errors.push(user_error(
                    &lpath("id"),
                    "Fulfillment order line item does not exist.",
                ));
                continue;
            };
            if qty <= 0 {
                errors.push(user_error(
                    &lpath("quantity"),
                    "Quantity must be greater than 0.",
                ));
            } else if qty > line.remaining {
                errors.push(user_error(
                    &lpath("quantity"),
                    "Quantity must be less than or equal to the fulfillable quantity.",
                ));
            } else {
                lines.push((line.id, qty));
            }
        }
        if lines.is_empty() && errors.is_empty() {
            errors.push(user_error(
                &fo_path,
                format!("Fulfillment order {fo_gid} has no remaining line items to fulfill."),
            ));
        }
        plan.push((fo.id, fo.location_id, lines));
    }
    if !errors.is_empty() {
        return Ok(fail(errors));
    }
    let Some(oid) = order_id else {
        return Ok(fail(vec![user_error(
            &p(&[&"fulfillment"]),
            "Nothing to fulfill.",
        )]));
    };
    let fid = shop.new_id();
    let mut shipped_lines: Vec<(u64, i64)> = Vec::new();
    let mut stock: Vec<(u64, u64, i64)> = Vec::new();
    let location_id = plan.first().map_or(0, |(_, loc, _)| *loc);
    {
        let order = shop
            .orders
            .get_mut(&oid)
            .ok_or_else(|| error("order vanished", Value::Null))?;
        for (fo_id, loc, lines) in &plan {
            let Some(fo) = order.fulfillment_orders.iter_mut().find(|f| f.id == *fo_id) else {
                continue;
            };
            for (fl_id, qty) in lines {
                if let Some(fl) = fo.lines.iter_mut().find(|l| l.id == *fl_id) {
                    fl.remaining -= qty;
                    let line_id = fl.line_id;
                    if let Some(line) = order.lines.iter_mut().find(|l| l.id == line_id) {
                        line.fulfilled += qty;
                        shipped_lines.push((line.id, *qty));
                        stock.push((line.inventory_item_id, *loc, *qty));
                    }
                }
            }
            fo.status = if fo.lines.iter().all(|l| l.remaining == 0) {
                "CLOSED"
            } else {
                "IN_PROGRESS"
            };
        }
        order.fulfillment_ids.push(fid);
        order.updated_at = now;
    }
    for (item, loc, qty) in stock {
        if let Some(level) = shop.levels.get_mut(&(item, loc)) {
            *level.quantities.entry("committed").or_default() -= qty;
            *level.quantities.entry("on_hand").or_default() -= qty;
        }
    }
    let order = &shop.orders[&oid];
    let fulfillment = Fulfillment {
        id: fid,
        order_id: oid,
        name: format!("{}.{}", order.name(), order.fulfillment_ids.len()),
        location_id,
        status: "SUCCESS",
        tracking,
        lines: shipped_lines,
        events: Vec::new(),
        created_at: now,
        updated_at: now,
        notify_customer: input
            .get("notifyCustomer")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    };
    let json = fulfillment.graphql();
    shop.fulfillments.insert(fid, fulfillment);
    out.events
        .push(("fulfillments/create", EventRef::Fulfillment(fid)));
    out.events.push(("orders/updated", EventRef::Order(oid)));
    if shop.orders[&oid].fulfillment_status() == "FULFILLED" {
        out.events.push(("orders/fulfilled", EventRef::Order(oid)));
    } else {
        out.events
            .push(("orders/partially_fulfilled", EventRef::Order(oid)));
    }
    Ok(json!({ "__typename": "FulfillmentCreatePayload", "fulfillment": json, "userErrors": [] }))
}

fn fulfillment_by_gid(shop: &mut ShopState, id: &str) -> Option<u64> {
    id.strip_prefix("gid://shopify/Fulfillment/")?;
    let n = gid_number(id)?;
    shop.fulfillments.contains_key(&n).then_some(n)
}

fn tracking_update(
    shop: &mut ShopState,
    args: &Map<String, Value>,
    now: DateTime<Utc>,
    out: &mut Outcome,
) -> Value {
    let fail = |e: Value| json!({ "__typename": "FulfillmentTrackingInfoUpdatePayload", "fulfillment": null, "userErrors": [e] });
    let id = str_arg(args, "fulfillmentId").unwrap_or_default();
    let Some(fid) = fulfillment_by_gid(shop, id) else {
        return fail(user_error(
            &p(&[&"fulfillmentId"]),
            "Fulfillment does not exist.",
        ));
    };
    let tracking = match tracking_from(
        args.get("trackingInfoInput").unwrap_or(&Value::Null),
        &["trackingInfoInput"],
    ) {
        Ok(t) => t,
        Err(e) => return fail(e),
    };
    let Some(f) = shop.fulfillments.get_mut(&fid) else {
        return fail(user_error(
            &p(&[&"fulfillmentId"]),
            "Fulfillment does not exist.",
        ));
    };
    f.tracking = tracking;
    f.updated_at = now;
    out.events
        .push(("fulfillments/update", EventRef::Fulfillment(fid)));
    json!({ "__typename": "FulfillmentTrackingInfoUpdatePayload", "fulfillment": f.graphql(), "userErrors": [] })
}

fn event_create(
    shop: &mut ShopState,
    args: &Map<String, Value>,
    now: DateTime<Utc>,
    out: &mut Outcome,
) -> Result<Value, Value> {
    let input = args.get("fulfillmentEvent").cloned().unwrap_or(Value::Null);
    let status = input
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !EVENT_STATUSES.contains(&status) {
        return Err(invalid_variable(
            "fulfillmentEvent",
            "FulfillmentEventInput!",
            format!(
                "Expected \"{status}\" to be one of: {}",
                EVENT_STATUSES.join(", ")
            ),
        ));
    }
    let id = input
        .get("fulfillmentId")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let Some(fid) = fulfillment_by_gid(shop, id) else {
        return Ok(json!({
            "__typename": "FulfillmentEventCreatePayload",
            "fulfillmentEvent": null,
            "userErrors": [user_error(&p(&[&"fulfillmentEvent", &"fulfillmentId"]), "Fulfillment does not exist.")],
        }));
    };
    let happened_at = input
        .get("happenedAt")
        .and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map_or(now, |d| d.with_timezone(&Utc));
    let eid = shop.new_id();
    let event = Event {
        id: eid,
        status: status.to_owned(),
        happened_at,
        message: input
            .get("message")
            .and_then(Value::as_str)
            .map(str::to_owned),
        city: input.get("city").and_then(Value::as_str).map(str::to_owned),
    };
    let json = super::state::event_graphql(&event);
    if let Some(f) = shop.fulfillments.get_mut(&fid) {
        f.events.push(event);
        f.updated_at = now;
    }
    out.events
        .push(("fulfillments/update", EventRef::Fulfillment(fid)));
    Ok(
        json!({ "__typename": "FulfillmentEventCreatePayload", "fulfillmentEvent": json, "userErrors": [] }),
    )
}

/// `inventorySetQuantities` / `inventoryAdjustQuantities`: the `@idempotent` key is
/// required (API 2026-04+); a replay with the same key and input returns the first
/// answer without applying anything again; the same key with another input is refused.
fn idempotent(
    shop: &mut ShopState,
    field: &Field,
    args: &Map<String, Value>,
    _now: DateTime<Utc>,
) -> Result<Value, Value> {
    let located = |mut e: Value| {
        e["locations"] = json!([{ "line": field.line, "column": field.column }]);
        e["path"] = json!([field.key()]);
        e
    };
    let Some(key) = field
        .directive("idempotent")
        .and_then(|d| d.args.iter().find(|(k, _)| k == "key"))
        .map(|(_, v)| gql::resolve(v, &Map::new()))
    else {
        return Err(located(error(
            format!(
                "The @idempotent directive is required for the {} mutation.",
                field.name
            ),
            json!({ "code": "BAD_REQUEST" }),
        )));
    };
    let key = key.as_str().unwrap_or_default().to_owned();
    if uuid::Uuid::parse_str(&key).is_err() {
        return Err(located(error(
            "The idempotency key must be a UUID.",
            json!({ "code": "BAD_REQUEST" }),
        )));
    }
    let payload_type = if field.name == "inventorySetQuantities" {
        "InventorySetQuantitiesPayload"
    } else {
        "InventoryAdjustQuantitiesPayload"
    };
    let input = args.get("input").cloned().unwrap_or(Value::Null);
    let fingerprint = format!("{}:{}", field.name, input);
    if let Some((seen, answer)) = shop.idempotency.get(&key) {
        if *seen == fingerprint {
            return Ok(answer.clone());
        }
        return Ok(json!({
            "__typename": payload_type,
            "inventoryAdjustmentGroup": null,
            "userErrors": [typed_error(&p(&[&"idempotent", &"key"]), "The same idempotency key was used with different parameters.", "IDEMPOTENCY_KEY_PARAMETER_MISMATCH")],
        }));
    }
    let set = field.name == "inventorySetQuantities";
    let list_name = if set { "quantities" } else { "changes" };
    let ty = if set {
        "InventorySetQuantitiesInput!"
    } else {
        "InventoryAdjustQuantitiesInput!"
    };
    let items = input
        .get(list_name)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (i, item) in items.iter().enumerate() {
        if item.get("changeFromQuantity").is_none() {
            return Err(invalid_variable(
                "input",
                ty,
                format!(
                    "{list_name}.{i}.changeFromQuantity is required (pass null to skip the check)"
                ),
            ));
        }
    }
    let name = input
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let reason = input
        .get("reason")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let mut errors = Vec::new();
    let name_ok = if set {
        matches!(name.as_str(), "available" | "on_hand")
    } else {
        matches!(
            name.as_str(),
            "available" | "damaged" | "incoming" | "quality_control" | "reserved" | "safety_stock"
        )
    };
    if !name_ok {
        errors.push(typed_error(
            &p(&[&"input", &"name"]),
            if set {
                "The quantity name must be either 'available' or 'on_hand'."
            } else {
                "The quantity name is not valid for an adjustment."
            },
            "INVALID_NAME",
        ));
    }
    if !REASONS.contains(&reason.as_str()) {
        errors.push(typed_error(
            &p(&[&"input", &"reason"]),
            "The specified reason is invalid.",
            "INVALID_REASON",
        ));
    }
    let mut plan: Vec<(u64, u64, i64)> = Vec::new(); // item, location, delta
    for (i, item) in items.iter().enumerate() {
        let at = |k: &str| p(&[&"input", &list_name, &i, &k]);
        let item_id = item
            .get("inventoryItemId")
            .and_then(Value::as_str)
            .filter(|s| s.starts_with("gid://shopify/InventoryItem/"))
            .and_then(gid_number);
        let loc_id = item
            .get("locationId")
            .and_then(Value::as_str)
            .filter(|s| s.starts_with("gid://shopify/Location/"))
            .and_then(gid_number);
        let Some(item_id) = item_id.filter(|n| shop.sku_of_item(*n).is_some()) else {
            errors.push(typed_error(
                &at("inventoryItemId"),
                "The specified inventory item could not be found.",
                "INVALID_INVENTORY_ITEM",
            ));
            continue;
        };
        let Some(loc_id) = loc_id.filter(|n| shop.locations.contains_key(n)) else {
            errors.push(typed_error(
                &at("locationId"),
                "The specified location could not be found.",
                "INVALID_LOCATION",
            ));
            continue;
        };
        let Some(level) = shop.levels.get(&(item_id, loc_id)) else {
            errors.push(typed_error(
                &at("locationId"),
                "The specified inventory item is not stocked at the location.",
                "ITEM_NOT_STOCKED_AT_LOCATION",
            ));
            continue;
        };
        if !set
            && name != "available"
            && item
                .get("ledgerDocumentUri")
                .and_then(Value::as_str)
                .is_none()
        {
            errors.push(typed_error(
                &at("ledgerDocumentUri"),
                "A ledger document URI is required for quantity names other than available.",
                "INVALID_QUANTITY_DOCUMENT",
            ));
            continue;
        }
        let current = level.get(if name_ok { &name } else { "available" });
        if let Some(expected) = item.get("changeFromQuantity").and_then(Value::as_i64)
            && expected != current
        {
            errors.push(typed_error(
                &at("changeFromQuantity"),
                "The specified compare quantity does not match the current quantity.",
                "CHANGE_FROM_QUANTITY_STALE",
            ));
            continue;
        }
        let delta = if set {
            item.get("quantity")
                .and_then(Value::as_i64)
                .unwrap_or(current)
                - current
        } else {
            item.get("delta").and_then(Value::as_i64).unwrap_or(0)
        };
        plan.push((item_id, loc_id, delta));
    }
    let payload = if errors.is_empty() {
        let mut changes = Vec::new();
        for (item, loc, delta) in plan {
            let level: &mut Level = shop.levels.entry((item, loc)).or_default();
            let stored: &'static str = match name.as_str() {
                "available" | "on_hand" => "on_hand",
                "damaged" => "damaged",
                "incoming" => "incoming",
                "quality_control" => "quality_control",
                "reserved" => "reserved",
                _ => "safety_stock",
            };
            *level.quantities.entry(stored).or_default() += delta;
            changes.push((name.clone(), delta, level.get(&name), item, loc));
        }
        let group = AdjustmentGroup {
            id: shop.new_id(),
            reason,
            reference_document_uri: input
                .get("referenceDocumentUri")
                .and_then(Value::as_str)
                .map(str::to_owned),
            changes,
        };
        let json = group.graphql();
        shop.adjustments.push(group);
        json!({ "__typename": payload_type, "inventoryAdjustmentGroup": json, "userErrors": [] })
    } else {
        json!({ "__typename": payload_type, "inventoryAdjustmentGroup": null, "userErrors": errors })
    };
    shop.idempotency.insert(key, (fingerprint, payload.clone()));
    Ok(payload)
}

fn webhook_create(shop: &mut ShopState, args: &Map<String, Value>) -> Result<Value, Value> {
    let topic = str_arg(args, "topic").unwrap_or_default().to_owned();
    if !TOPICS.iter().any(|(t, _)| *t == topic) {
        return Err(invalid_variable(
            "topic",
            "WebhookSubscriptionTopic!",
            format!("Expected \"{topic}\" to be one of the WebhookSubscriptionTopic values"),
        ));
    }
    let sub = args
        .get("webhookSubscription")
        .cloned()
        .unwrap_or(Value::Null);
    let fail = |e: Value| json!({ "__typename": "WebhookSubscriptionCreatePayload", "webhookSubscription": null, "userErrors": [e] });
    let uri = sub
        .get("uri")
        .or_else(|| sub.get("callbackUrl"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let field = if sub.get("uri").is_some() {
        "uri"
    } else {
        "callbackUrl"
    };
    if uri.is_empty() {
        return Ok(fail(user_error(
            &p(&[&"webhookSubscription", &field]),
            "Address can't be blank",
        )));
    }
    let loopback = ["http://127.", "http://localhost", "http://[::1]"]
        .iter()
        .any(|pre| uri.starts_with(pre));
    if !(uri.starts_with("https://")
        || uri.starts_with("pubsub://")
        || uri.starts_with("arn:aws:events:")
        || loopback)
    {
        return Ok(fail(user_error(
            &p(&[&"webhookSubscription", &field]),
            "Address protocol http:// is not supported",
        )));
    }
    if shop
        .webhooks
        .values()
        .any(|w| w.topic == topic && w.uri == uri)
    {
        return Ok(fail(user_error(
            &p(&[&"webhookSubscription", &"callbackUrl"]),
            "Address for this topic has already been taken",
        )));
    }
    let id = shop.new_id();
    let w = WebhookSubscription {
        id,
        topic,
        uri,
        include_fields: sub
            .get("includeFields")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        filter: sub.get("filter").and_then(Value::as_str).map(str::to_owned),
    };
    let json = w.graphql();
    shop.webhooks.insert(id, w);
    Ok(
        json!({ "__typename": "WebhookSubscriptionCreatePayload", "webhookSubscription": json, "userErrors": [] }),
    )
}

fn webhook_delete(shop: &mut ShopState, args: &Map<String, Value>) -> Value {
    let id = str_arg(args, "id").unwrap_or_default();
    let found = id
        .strip_prefix("gid://shopify/WebhookSubscription/")
        .and_then(|_| gid_number(id))
        .filter(|n| shop.webhooks.contains_key(n));
    match found {
        Some(n) => {
            shop.webhooks.remove(&n);
            json!({ "__typename": "WebhookSubscriptionDeletePayload", "deletedWebhookSubscriptionId": gid("WebhookSubscription", n), "userErrors": [] })
        }
        None => json!({
            "__typename": "WebhookSubscriptionDeletePayload",
            "deletedWebhookSubscriptionId": null,
            "userErrors": [user_error(&p(&[&"id"]), "Webhook subscription does not exist")],
        }),
    }
}
