//! The simulated shops: orders, fulfillment orders, fulfillments, products, inventory,
//! customers, locations, webhook subscriptions, and their GraphQL (Admin API 2026-10) and
//! REST webhook renderings.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use chrono::{DateTime, SecondsFormat, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Value, json};

use super::gql::{connection, named_list};

/// Decimal with two places, as Shopify writes money (`"243.99"`).
pub(crate) fn money_str(d: Decimal) -> String {
    format!(
        "{:.2}",
        d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
    )
}

/// A JSON number from its decimal text (no floating-point arithmetic involved).
pub(crate) fn number(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

pub(crate) fn gid(kind: &str, id: u64) -> String {
    format!("gid://shopify/{kind}/{id}")
}

pub(crate) fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A postal address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Address {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Company (B2B).
    pub company: Option<String>,
    /// Street and number.
    pub address1: String,
    /// Block, staircase, apartment.
    pub address2: Option<String>,
    /// City (`București` for Bucharest).
    pub city: String,
    /// County (`București` or e.g. `Cluj`).
    pub province: String,
    /// County code (`B`, `CJ`, `IS`, ...).
    pub province_code: String,
    /// Six-digit postal code.
    pub zip: String,
    /// Phone (`+407…`).
    pub phone: Option<String>,
}

impl Address {
    fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    pub(crate) fn graphql(&self) -> Value {
        json!({
            "__typename": "MailingAddress",
            "name": self.name(),
            "firstName": self.first_name,
            "lastName": self.last_name,
            "company": self.company,
            "address1": self.address1,
            "address2": self.address2,
            "city": self.city,
            "province": self.province,
            "provinceCode": self.province_code,
            "zip": self.zip,
            "country": "Romania",
            "countryCode": "RO",
            "countryCodeV2": "RO",
            "phone": self.phone,
            "formattedArea": format!("{}, {}, Romania", self.city, self.province),
        })
    }

    pub(crate) fn rest(&self) -> Value {
        json!({
            "first_name": self.first_name,
            "address1": self.address1,
            "phone": self.phone,
            "city": self.city,
            "zip": self.zip,
            "province": self.province,
            "country": "Romania",
            "last_name": self.last_name,
            "address2": self.address2,
            "company": self.company,
            "latitude": null,
            "longitude": null,
            "name": self.name(),
            "country_code": "RO",
            "province_code": self.province_code,
        })
    }
}

/// An order line.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    pub(crate) id: u64,
    pub(crate) product_id: u64,
    pub(crate) variant_id: u64,
    pub(crate) inventory_item_id: u64,
    pub(crate) title: String,
    pub(crate) variant_title: Option<String>,
    pub(crate) sku: String,
    pub(crate) vendor: String,
    pub(crate) quantity: i64,
    pub(crate) unit_price: Decimal,
    /// Discount on the whole line.
    pub(crate) discount: Decimal,
    pub(crate) grams: i64,
    pub(crate) weight: Weight,
    pub(crate) requires_shipping: bool,
    pub(crate) fulfilled: i64,
}

impl Line {
    fn name(&self) -> String {
        match &self.variant_title {
            Some(v) => format!("{} - {v}", self.title),
            None => self.title.clone(),
        }
    }

    fn total(&self) -> Decimal {
        self.unit_price * Decimal::from(self.quantity) - self.discount
    }
}

/// A variant's weight as the merchant entered it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Weight {
    pub(crate) grams: i64,
    pub(crate) in_kilograms: bool,
}

impl Weight {
    fn graphql(self) -> Value {
        if self.in_kilograms {
            let kg = Decimal::new(self.grams, 3).normalize();
            let text = if kg.scale() == 0 {
                format!("{kg}.0")
            } else {
                kg.to_string()
            };
            json!({ "__typename": "Weight", "unit": "KILOGRAMS", "value": number(&text) })
        } else {
            json!({ "__typename": "Weight", "unit": "GRAMS", "value": number(&format!("{}.0", self.grams)) })
        }
    }
}

/// A fulfillment order line.
#[derive(Debug, Clone)]
pub(crate) struct FoLine {
    pub(crate) id: u64,
    pub(crate) line_id: u64,
    pub(crate) total: i64,
    pub(crate) remaining: i64,
}

/// A fulfillment order.
#[derive(Debug, Clone)]
pub(crate) struct FulfillmentOrder {
    pub(crate) id: u64,
    pub(crate) location_id: u64,
    pub(crate) status: &'static str,
    pub(crate) lines: Vec<FoLine>,
}

/// Tracking of a fulfillment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tracking {
    /// Carrier.
    pub company: Option<String>,
    /// Tracking number (AWB).
    pub number: Option<String>,
    /// Tracking URL.
    pub url: Option<String>,
}

/// A fulfillment event.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub(crate) id: u64,
    pub(crate) status: String,
    pub(crate) happened_at: DateTime<Utc>,
    pub(crate) message: Option<String>,
    pub(crate) city: Option<String>,
}

/// A fulfillment.
#[derive(Debug, Clone)]
pub(crate) struct Fulfillment {
    pub(crate) id: u64,
    pub(crate) order_id: u64,
    pub(crate) name: String,
    pub(crate) location_id: u64,
    pub(crate) status: &'static str,
    pub(crate) tracking: Vec<Tracking>,
    pub(crate) lines: Vec<(u64, i64)>,
    pub(crate) events: Vec<Event>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
    pub(crate) notify_customer: bool,
}

impl Fulfillment {
    pub(crate) fn display_status(&self) -> Option<&str> {
        self.events.last().map(|e| e.status.as_str())
    }

    pub(crate) fn graphql(&self) -> Value {
        json!({
            "__typename": "Fulfillment",
            "id": gid("Fulfillment", self.id),
            "legacyResourceId": self.id.to_string(),
            "name": self.name,
            "status": self.status,
            "displayStatus": self.display_status(),
            "createdAt": iso(self.created_at),
            "updatedAt": iso(self.updated_at),
            "trackingInfo": self.tracking.iter().map(|t| json!({
                "__typename": "FulfillmentTrackingInfo",
                "company": t.company, "number": t.number, "url": t.url,
            })).collect::<Vec<_>>(),
            "location": { "__typename": "Location", "id": gid("Location", self.location_id) },
            "order": { "__typename": "Order", "id": gid("Order", self.order_id) },
            "events": connection("FulfillmentEventConnection", self.events.iter().map(event_graphql).collect()),
        })
    }
}

pub(crate) fn event_graphql(e: &Event) -> Value {
    json!({
        "__typename": "FulfillmentEvent",
        "id": gid("FulfillmentEvent", e.id),
        "status": e.status,
        "happenedAt": iso(e.happened_at),
        "message": e.message,
        "city": e.city,
    })
}

/// An order.
#[derive(Debug, Clone)]
pub(crate) struct Order {
    pub(crate) id: u64,
    pub(crate) number: u64,
    pub(crate) email: Option<String>,
    pub(crate) phone: Option<String>,
    pub(crate) note: Option<String>,
    pub(crate) tags: Vec<String>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
    pub(crate) cancelled_at: Option<DateTime<Utc>>,
    pub(crate) paid: bool,
    pub(crate) gateway: String,
    pub(crate) lines: Vec<Line>,
    pub(crate) shipping_title: String,
    pub(crate) shipping_price: Decimal,
    pub(crate) discount_code: Option<String>,
    pub(crate) attributes: Vec<(String, String)>,
    pub(crate) shipping_address: Option<Address>,
    pub(crate) billing_address: Option<Address>,
    pub(crate) customer_id: Option<u64>,
    pub(crate) fulfillment_orders: Vec<FulfillmentOrder>,
    pub(crate) fulfillment_ids: Vec<u64>,
    pub(crate) confirmation: String,
}

/// Romanian standard VAT (21 % since 1 August 2025).
pub(crate) const VAT_RATE: Decimal = Decimal::from_parts(21, 0, 0, false, 2);

/// The VAT included in a gross amount.
pub(crate) fn included_vat(gross: Decimal) -> Decimal {
    (gross * VAT_RATE / (Decimal::ONE + VAT_RATE))
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

impl Order {
    pub(crate) fn name(&self) -> String {
        format!("#{}", self.number)
    }

    pub(crate) fn subtotal(&self) -> Decimal {
        self.lines.iter().map(Line::total).sum()
    }

    pub(crate) fn discounts(&self) -> Decimal {
        self.lines.iter().map(|l| l.discount).sum()
    }

    pub(crate) fn total(&self) -> Decimal {
        self.subtotal() + self.shipping_price
    }

    pub(crate) fn tax(&self) -> Decimal {
        self.lines
            .iter()
            .map(|l| included_vat(l.total()))
            .sum::<Decimal>()
            + included_vat(self.shipping_price)
    }

    pub(crate) fn outstanding(&self) -> Decimal {
        if self.paid || self.cancelled_at.is_some() {
            Decimal::ZERO
        } else {
            self.total()
        }
    }

    pub(crate) fn total_grams(&self) -> i64 {
        self.lines
            .iter()
            .filter(|l| l.requires_shipping)
            .map(|l| l.grams * l.quantity)
            .sum()
    }

    pub(crate) fn financial_status(&self) -> &'static str {
        if self.paid { "PAID" } else { "PENDING" }
    }

    pub(crate) fn fulfillment_status(&self) -> &'static str {
        let shipped: i64 = self.lines.iter().map(|l| l.fulfilled).sum();
        let total: i64 = self.lines.iter().map(|l| l.quantity).sum();
        if shipped == 0 {
            "UNFULFILLED"
        } else if shipped >= total {
            "FULFILLED"
        } else {
            "PARTIALLY_FULFILLED"
        }
    }

    fn money(&self, amount: Decimal) -> Value {
        money_bag(amount)
    }

    fn tax_lines(amount: Decimal) -> Value {
        json!([{
            "__typename": "TaxLine",
            "title": "TVA",
            "rate": number(&VAT_RATE.to_string()),
            "ratePercentage": number(&(VAT_RATE * Decimal::ONE_HUNDRED).normalize().to_string()),
            "priceSet": money_bag(amount),
        }])
    }

    /// The full GraphQL `Order`.
    pub(crate) fn graphql(
        &self,
        customers: &BTreeMap<u64, Customer>,
        fulfillments: &BTreeMap<u64, Fulfillment>,
    ) -> Value {
        let lines: Vec<Value> = self.lines.iter().map(line_graphql).collect();
        let customer = self
            .customer_id
            .and_then(|id| customers.get(&id))
            .map(|c| c.graphql(None));
        let a = json!({
            "__typename": "Order",
            "__sort": iso(self.created_at),
            "id": gid("Order", self.id),
            "legacyResourceId": self.id.to_string(),
            "name": self.name(),
            "email": self.email,
            "phone": self.phone,
            "note": self.note,
            "tags": self.tags,
            "createdAt": iso(self.created_at),
            "processedAt": iso(self.created_at),
            "updatedAt": iso(self.updated_at),
            "cancelledAt": self.cancelled_at.map(iso),
            "closed": false,
            "confirmationNumber": self.confirmation,
            "displayFinancialStatus": self.financial_status(),
            "displayFulfillmentStatus": self.fulfillment_status(),
            "fullyPaid": self.paid,
            "paymentGatewayNames": [self.gateway],
            "currencyCode": "RON",
            "presentmentCurrencyCode": "RON",
            "taxesIncluded": true,
            "sourceName": "web",
            "totalWeight": self.total_grams().to_string(),
        });
        let b = json!({
            "totalPriceSet": self.money(self.total()),
            "currentTotalPriceSet": self.money(self.total()),
            "subtotalPriceSet": self.money(self.subtotal()),
            "currentSubtotalPriceSet": self.money(self.subtotal()),
            "totalTaxSet": self.money(self.tax()),
            "currentTotalTaxSet": self.money(self.tax()),
            "totalShippingPriceSet": self.money(self.shipping_price),
            "totalDiscountsSet": self.money(self.discounts()),
            "currentTotalDiscountsSet": self.money(self.discounts()),
            "totalOutstandingSet": self.money(self.outstanding()),
            "totalReceivedSet": self.money(if self.paid { self.total() } else { Decimal::ZERO }),
        });
        let c = json!({
            "discountCodes": self.discount_code.iter().collect::<Vec<_>>(),
            "taxLines": Self::tax_lines(self.tax()),
            "customAttributes": self.attributes.iter().map(|(k, v)| json!({ "__typename": "Attribute", "key": k, "value": v })).collect::<Vec<_>>(),
            "shippingAddress": self.shipping_address.as_ref().map(Address::graphql),
            "billingAddress": self.billing_address.as_ref().map(Address::graphql),
            "customer": customer,
            "lineItems": connection("LineItemConnection", lines),
            "fulfillmentOrders": connection("FulfillmentOrderConnection", self.fulfillment_orders.iter().map(|fo| self.fo_graphql(fo)).collect()),
            "fulfillments": self.fulfillment_ids.iter().filter_map(|id| fulfillments.get(id)).map(Fulfillment::graphql).collect::<Vec<_>>(),
        });
        merge(&[a, b, c])
    }

    pub(crate) fn fo_graphql(&self, fo: &FulfillmentOrder) -> Value {
        let lines: Vec<Value> = fo
            .lines
            .iter()
            .map(|fl| {
                let line = self.lines.iter().find(|l| l.id == fl.line_id);
                json!({
                    "__typename": "FulfillmentOrderLineItem",
                    "id": gid("FulfillmentOrderLineItem", fl.id),
                    "totalQuantity": fl.total,
                    "remainingQuantity": fl.remaining,
                    "sku": line.map(|l| l.sku.clone()),
                    "lineItem": line.map(|l| json!({ "__typename": "LineItem", "id": gid("LineItem", l.id), "sku": l.sku, "name": l.name() })),
                })
            })
            .collect();
        json!({
            "__typename": "FulfillmentOrder",
            "id": gid("FulfillmentOrder", fo.id),
            "status": fo.status,
            "requestStatus": "UNSUBMITTED",
            "orderId": gid("Order", self.id),
            "orderName": self.name(),
            "assignedLocation": { "__typename": "FulfillmentOrderAssignedLocation", "name": null, "location": { "__typename": "Location", "id": gid("Location", fo.location_id) } },
            "lineItems": connection("FulfillmentOrderLineItemConnection", lines),
        })
    }

    /// The REST webhook body (`orders/create`, `orders/paid`, ...).
    pub(crate) fn rest(
        &self,
        customers: &BTreeMap<u64, Customer>,
        fulfillments: &BTreeMap<u64, Fulfillment>,
    ) -> Value {
        let tz = chrono_tz::Europe::Bucharest;
        let local = |t: DateTime<Utc>| {
            t.with_timezone(&tz)
                .to_rfc3339_opts(SecondsFormat::Secs, false)
        };
        let money_set = |d: Decimal| {
            json!({
                "shop_money": { "amount": money_str(d), "currency_code": "RON" },
                "presentment_money": { "amount": money_str(d), "currency_code": "RON" },
            })
        };
        let tax_line = |amount: Decimal| json!({ "price": money_str(amount), "rate": number(&VAT_RATE.to_string()), "title": "TVA" });
        let customer = self.customer_id.and_then(|id| customers.get(&id)).map(|c| {
            json!({
                "id": c.id,
                "email": c.email,
                "created_at": local(c.created_at),
                "updated_at": local(self.updated_at),
                "first_name": c.first_name,
                "last_name": c.last_name,
                "state": "enabled",
                "note": null,
                "verified_email": c.email.is_some(),
                "phone": c.phone,
                "tags": "",
                "currency": "RON",
                "admin_graphql_api_id": gid("Customer", c.id),
            })
        });
        let fulfillment_status = match self.fulfillment_status() {
            "FULFILLED" => Value::from("fulfilled"),
            "PARTIALLY_FULFILLED" => Value::from("partial"),
            _ => Value::Null,
        };
        let a = json!({
            "id": self.id,
            "admin_graphql_api_id": gid("Order", self.id),
            "app_id": 580111,
            "browser_ip": "86.120.10.2",
            "buyer_accepts_marketing": false,
            "cancel_reason": null,
            "cancelled_at": self.cancelled_at.map(local),
            "cart_token": null,
            "checkout_id": self.id + 31_000_000_000_000,
            "confirmation_number": self.confirmation,
            "confirmed": true,
            "contact_email": self.email,
            "created_at": local(self.created_at),
            "currency": "RON",
            "current_subtotal_price": money_str(self.subtotal()),
            "current_total_discounts": money_str(self.discounts()),
            "current_total_price": money_str(self.total()),
            "current_total_tax": money_str(self.tax()),
            "customer_locale": "ro-RO",
            "discount_codes": self.discount_code.iter().map(|c| json!({ "code": c, "amount": money_str(self.discounts()), "type": "percentage" })).collect::<Vec<_>>(),
            "email": self.email.clone().unwrap_or_default(),
        });
        let b = json!({
            "estimated_taxes": false,
            "financial_status": if self.paid { "paid" } else { "pending" },
            "fulfillment_status": fulfillment_status,
            "name": self.name(),
            "note": self.note,
            "note_attributes": self.attributes.iter().map(|(k, v)| json!({ "name": k, "value": v })).collect::<Vec<_>>(),
            "number": self.number - 1000,
            "order_number": self.number,
            "payment_gateway_names": [self.gateway],
            "phone": self.phone,
            "processed_at": local(self.created_at),
            "source_name": "web",
            "subtotal_price": money_str(self.subtotal()),
            "tags": self.tags.join(", "),
            "tax_lines": [tax_line(self.tax())],
            "taxes_included": true,
            "test": false,
            "total_discounts": money_str(self.discounts()),
            "total_line_items_price": money_str(self.lines.iter().map(|l| l.unit_price * Decimal::from(l.quantity)).sum()),
            "total_outstanding": money_str(self.outstanding()),
            "total_price": money_str(self.total()),
            "total_price_set": money_set(self.total()),
            "total_shipping_price_set": money_set(self.shipping_price),
            "total_tax": money_str(self.tax()),
            "total_weight": self.total_grams(),
            "updated_at": local(self.updated_at),
        });
        let c = json!({
            "billing_address": self.billing_address.as_ref().map(Address::rest),
            "customer": customer,
        });
        let d = json!({
            "line_items": self.lines.iter().map(|l| json!({
                "id": l.id,
                "admin_graphql_api_id": gid("LineItem", l.id),
                "current_quantity": l.quantity,
                "fulfillable_quantity": l.quantity - l.fulfilled,
                "fulfillment_service": "manual",
                "fulfillment_status": if l.fulfilled >= l.quantity { Value::from("fulfilled") } else if l.fulfilled > 0 { Value::from("partial") } else { Value::Null },
                "gift_card": false,
                "grams": l.grams,
                "name": l.name(),
                "price": money_str(l.unit_price),
                "price_set": money_set(l.unit_price),
                "product_exists": true,
                "product_id": l.product_id,
                "properties": [],
                "quantity": l.quantity,
                "requires_shipping": l.requires_shipping,
                "sku": l.sku,
                "taxable": true,
                "title": l.title,
                "total_discount": "0.00",
                "variant_id": l.variant_id,
                "variant_title": l.variant_title,
                "vendor": l.vendor,
                "tax_lines": [tax_line(included_vat(l.total()))],
                "discount_allocations": if l.discount.is_zero() { json!([]) } else { json!([{ "amount": money_str(l.discount), "discount_application_index": 0, "amount_set": money_set(l.discount) }]) },
            })).collect::<Vec<_>>(),
        });
        let e = json!({
            "shipping_address": self.shipping_address.as_ref().map(Address::rest),
            "shipping_lines": [{
                "id": self.id + 1_000_000,
                "code": "Standard",
                "price": money_str(self.shipping_price),
                "title": self.shipping_title,
                "source": "shopify",
                "tax_lines": [tax_line(included_vat(self.shipping_price))],
                "discounted_price": money_str(self.shipping_price),
            }],
            "fulfillments": self.fulfillment_ids.iter().filter_map(|id| fulfillments.get(id)).map(|f| fulfillment_rest(f, self)).collect::<Vec<_>>(),
            "refunds": [],
        });
        merge(&[a, b, c, d, e])
    }
}

/// The REST body of `fulfillments/create` / `fulfillments/update`.
pub(crate) fn fulfillment_rest(f: &Fulfillment, order: &Order) -> Value {
    let tz = chrono_tz::Europe::Bucharest;
    let local = |t: DateTime<Utc>| {
        t.with_timezone(&tz)
            .to_rfc3339_opts(SecondsFormat::Secs, false)
    };
    let first = f.tracking.first();
    json!({
        "id": f.id,
        "admin_graphql_api_id": gid("Fulfillment", f.id),
        "created_at": local(f.created_at),
        "location_id": f.location_id,
        "name": f.name,
        "order_id": f.order_id,
        "origin_address": {},
        "receipt": {},
        "service": "manual",
        "shipment_status": f.display_status().map(str::to_ascii_lowercase),
        "status": f.status.to_ascii_lowercase(),
        "tracking_company": first.and_then(|t| t.company.clone()),
        "tracking_number": first.and_then(|t| t.number.clone()),
        "tracking_numbers": f.tracking.iter().filter_map(|t| t.number.clone()).collect::<Vec<_>>(),
        "tracking_url": first.and_then(|t| t.url.clone()),
        "tracking_urls": f.tracking.iter().filter_map(|t| t.url.clone()).collect::<Vec<_>>(),
        "updated_at": local(f.updated_at),
        "line_items": f.lines.iter().filter_map(|(line_id, qty)| {
            let l = order.lines.iter().find(|l| l.id == *line_id)?;
            Some(json!({
                "id": l.id,
                "admin_graphql_api_id": gid("LineItem", l.id),
                "quantity": qty,
                "sku": l.sku,
                "grams": l.grams,
                "price": money_str(l.unit_price),
                "name": l.name(),
            }))
        }).collect::<Vec<_>>(),
    })
}

/// The union of JSON objects.
fn merge(parts: &[Value]) -> Value {
    let mut out = serde_json::Map::new();
    for p in parts {
        if let Value::Object(m) = p {
            out.extend(m.clone());
        }
    }
    Value::Object(out)
}

pub(crate) fn money_bag(amount: Decimal) -> Value {
    let m = json!({ "__typename": "MoneyV2", "amount": money_str(amount), "currencyCode": "RON" });
    json!({ "__typename": "MoneyBag", "shopMoney": m, "presentmentMoney": m })
}

fn line_graphql(l: &Line) -> Value {
    let tax = included_vat(l.total());
    json!({
        "__typename": "LineItem",
        "id": gid("LineItem", l.id),
        "name": l.name(),
        "title": l.title,
        "variantTitle": l.variant_title,
        "vendor": l.vendor,
        "sku": if l.sku.is_empty() { Value::Null } else { Value::from(l.sku.clone()) },
        "quantity": l.quantity,
        "currentQuantity": l.quantity,
        "unfulfilledQuantity": l.quantity - l.fulfilled,
        "requiresShipping": l.requires_shipping,
        "taxable": true,
        "originalUnitPriceSet": money_bag(l.unit_price),
        "discountedUnitPriceSet": money_bag(if l.quantity > 0 { (l.total() / Decimal::from(l.quantity)).round_dp(2) } else { l.unit_price }),
        "originalTotalSet": money_bag(l.unit_price * Decimal::from(l.quantity)),
        "discountedTotalSet": money_bag(l.total()),
        "totalDiscountSet": money_bag(l.discount),
        "taxLines": Order::tax_lines(tax),
        "product": { "__typename": "Product", "id": gid("Product", l.product_id) },
        "variant": {
            "__typename": "ProductVariant",
            "id": gid("ProductVariant", l.variant_id),
            "sku": l.sku,
            "inventoryItem": {
                "__typename": "InventoryItem",
                "id": gid("InventoryItem", l.inventory_item_id),
                "sku": l.sku,
                "measurement": { "__typename": "InventoryItemMeasurement", "weight": l.weight.graphql() },
            },
        },
    })
}

/// A customer.
#[derive(Debug, Clone)]
pub(crate) struct Customer {
    pub(crate) id: u64,
    pub(crate) first_name: String,
    pub(crate) last_name: String,
    pub(crate) email: Option<String>,
    pub(crate) phone: Option<String>,
    pub(crate) address: Option<Address>,
    pub(crate) orders: u64,
    pub(crate) created_at: DateTime<Utc>,
}

impl Customer {
    pub(crate) fn graphql(&self, _unused: Option<()>) -> Value {
        json!({
            "__typename": "Customer",
            "id": gid("Customer", self.id),
            "legacyResourceId": self.id.to_string(),
            "firstName": self.first_name,
            "lastName": self.last_name,
            "displayName": format!("{} {}", self.first_name, self.last_name),
            "defaultEmailAddress": self.email.as_ref().map(|e| json!({ "__typename": "CustomerEmailAddress", "emailAddress": e })),
            "defaultPhoneNumber": self.phone.as_ref().map(|p| json!({ "__typename": "CustomerPhoneNumber", "phoneNumber": p })),
            "numberOfOrders": self.orders.to_string(),
            "defaultAddress": self.address.as_ref().map(Address::graphql),
            "createdAt": iso(self.created_at),
        })
    }
}

/// A product variant.
#[derive(Debug, Clone)]
pub(crate) struct Variant {
    pub(crate) id: u64,
    pub(crate) inventory_item_id: u64,
    pub(crate) title: String,
    pub(crate) sku: String,
    pub(crate) barcode: Option<String>,
    pub(crate) price: Decimal,
    pub(crate) weight: Weight,
}

/// A product.
#[derive(Debug, Clone)]
pub(crate) struct Product {
    pub(crate) id: u64,
    pub(crate) title: String,
    pub(crate) handle: String,
    pub(crate) vendor: String,
    pub(crate) variants: Vec<Variant>,
}

/// A location.
#[derive(Debug, Clone)]
pub(crate) struct Location {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) active: bool,
    pub(crate) fulfills_online_orders: bool,
    pub(crate) address: Address,
}

impl Location {
    pub(crate) fn graphql(&self, levels: Vec<Value>) -> Value {
        json!({
            "__typename": "Location",
            "id": gid("Location", self.id),
            "legacyResourceId": self.id.to_string(),
            "name": self.name,
            "isActive": self.active,
            "fulfillsOnlineOrders": self.fulfills_online_orders,
            "address": {
                "__typename": "LocationAddress",
                "address1": self.address.address1,
                "address2": self.address.address2,
                "city": self.address.city,
                "province": self.address.province,
                "provinceCode": self.address.province_code,
                "zip": self.address.zip,
                "country": "Romania",
                "countryCode": "RO",
                "phone": self.address.phone,
            },
            "inventoryLevels": connection("InventoryLevelConnection", levels),
        })
    }
}

/// The quantity names an inventory level keeps (`available` is derived).
pub(crate) const STORED_QUANTITIES: [&str; 7] = [
    "on_hand",
    "committed",
    "reserved",
    "incoming",
    "damaged",
    "safety_stock",
    "quality_control",
];

/// One item's quantities at one location.
#[derive(Debug, Clone, Default)]
pub(crate) struct Level {
    pub(crate) id: u64,
    pub(crate) quantities: BTreeMap<&'static str, i64>,
}

impl Level {
    pub(crate) fn get(&self, name: &str) -> i64 {
        if name == "available" {
            let q = |n: &str| self.quantities.get(n).copied().unwrap_or(0);
            return q("on_hand")
                - q("committed")
                - q("reserved")
                - q("damaged")
                - q("safety_stock")
                - q("quality_control");
        }
        self.quantities.get(name).copied().unwrap_or(0)
    }

    pub(crate) fn graphql(&self, item_id: u64, sku: &str) -> Value {
        let mut quantities = vec![
            json!({ "__typename": "InventoryQuantity", "name": "available", "quantity": self.get("available") }),
        ];
        for n in STORED_QUANTITIES {
            quantities.push(
                json!({ "__typename": "InventoryQuantity", "name": n, "quantity": self.get(n) }),
            );
        }
        json!({
            "__typename": "InventoryLevel",
            "__sort": format!("{item_id:020}"),
            "id": format!("gid://shopify/InventoryLevel/{}?inventory_item_id={item_id}", self.id),
            "quantities": named_list(quantities),
            "item": { "__typename": "InventoryItem", "id": gid("InventoryItem", item_id), "sku": sku },
        })
    }
}

/// A shop-specific webhook subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSubscription {
    /// Numeric id.
    pub id: u64,
    /// GraphQL topic (`ORDERS_CREATE`).
    pub topic: String,
    /// Endpoint URI.
    pub uri: String,
    /// Fields included in payloads (empty: all).
    pub include_fields: Vec<String>,
    /// Filter.
    pub filter: Option<String>,
}

impl WebhookSubscription {
    pub(crate) fn graphql(&self) -> Value {
        json!({
            "__typename": "WebhookSubscription",
            "id": gid("WebhookSubscription", self.id),
            "topic": self.topic,
            "uri": self.uri,
            "callbackUrl": self.uri,
            "includeFields": self.include_fields,
            "filter": self.filter,
            "format": "JSON",
        })
    }
}

/// An applied inventory adjustment group.
#[derive(Debug, Clone)]
pub(crate) struct AdjustmentGroup {
    pub(crate) id: u64,
    pub(crate) reason: String,
    pub(crate) reference_document_uri: Option<String>,
    pub(crate) changes: Vec<(String, i64, i64, u64, u64)>,
}

impl AdjustmentGroup {
    pub(crate) fn graphql(&self) -> Value {
        json!({
            "__typename": "InventoryAdjustmentGroup",
            "id": gid("InventoryAdjustmentGroup", self.id),
            "reason": self.reason,
            "referenceDocumentUri": self.reference_document_uri,
            "changes": self.changes.iter().map(|(name, delta, after, item, loc)| json!({
                "__typename": "InventoryChange",
                "name": name,
                "delta": delta,
                "quantityAfterChange": after,
                "item": { "__typename": "InventoryItem", "id": gid("InventoryItem", *item) },
                "location": { "__typename": "Location", "id": gid("Location", *loc) },
            })).collect::<Vec<_>>(),
        })
    }
}

/// The cost bucket of the app on a shop, in thousandths of a point (no floats).
#[derive(Debug, Clone)]
pub(crate) struct Bucket {
    pub(crate) maximum: u64,
    pub(crate) restore_per_sec: u64,
    available_milli: u64,
    at: Instant,
}

impl Bucket {
    pub(crate) fn new(maximum: u64, restore_per_sec: u64) -> Self {
        Self {
            maximum,
            restore_per_sec,
            available_milli: maximum * 1000,
            at: Instant::now(),
        }
    }

    fn refill(&mut self) {
        let now = Instant::now();
        let elapsed_ms = u64::try_from(now.duration_since(self.at).as_millis()).unwrap_or(u64::MAX);
        self.available_milli = self
            .available_milli
            .saturating_add(elapsed_ms.saturating_mul(self.restore_per_sec))
            .min(self.maximum * 1000);
        self.at = now;
    }

    /// Points available now, in thousandths.
    pub(crate) fn available_milli(&mut self) -> u64 {
        self.refill();
        self.available_milli
    }

    /// Whether `cost` points are available.
    pub(crate) fn can_afford(&mut self, cost: u64) -> bool {
        self.available_milli() >= cost * 1000
    }

    /// Takes `cost` points.
    pub(crate) fn charge(&mut self, cost: u64) {
        self.refill();
        self.available_milli = self.available_milli.saturating_sub(cost * 1000);
    }

    /// Empties the bucket.
    pub(crate) fn drain(&mut self) {
        self.refill();
        self.available_milli = 0;
    }

    /// `throttleStatus`.
    pub(crate) fn status(&mut self) -> Value {
        let avail = self.available_milli();
        let text = if avail.is_multiple_of(1000) {
            format!("{}.0", avail / 1000)
        } else {
            Decimal::new(i64::try_from(avail).unwrap_or(i64::MAX), 3)
                .normalize()
                .to_string()
        };
        json!({
            "maximumAvailable": number(&format!("{}.0", self.maximum)),
            "currentlyAvailable": number(&text),
            "restoreRate": number(&format!("{}.0", self.restore_per_sec)),
        })
    }
}

/// Everything one shop holds.
#[derive(Debug)]
pub(crate) struct ShopState {
    pub(crate) id: u64,
    pub(crate) domain: String,
    pub(crate) name: String,
    pub(crate) email: String,
    pub(crate) next_order_number: u64,
    pub(crate) orders: BTreeMap<u64, Order>,
    pub(crate) customers: BTreeMap<u64, Customer>,
    pub(crate) products: BTreeMap<u64, Product>,
    pub(crate) locations: BTreeMap<u64, Location>,
    /// (inventory item, location) → level.
    pub(crate) levels: BTreeMap<(u64, u64), Level>,
    pub(crate) fulfillments: BTreeMap<u64, Fulfillment>,
    pub(crate) webhooks: BTreeMap<u64, WebhookSubscription>,
    /// Idempotency key → (fingerprint of the mutation and its input, the payload answered).
    pub(crate) idempotency: HashMap<String, (String, Value)>,
    pub(crate) adjustments: Vec<AdjustmentGroup>,
    pub(crate) bucket: Bucket,
    pub(crate) next_id: u64,
    /// `THROTTLED` answers given.
    pub(crate) throttled: u64,
    /// The lowest `currentlyAvailable` reported, in thousandths.
    pub(crate) lowest_available_milli: u64,
}

impl ShopState {
    /// A new numeric id (ids grow with creation, like Shopify's).
    pub(crate) fn new_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub(crate) fn order_by_gid(&self, id: &str) -> Option<&Order> {
        if !id.starts_with("gid://shopify/Order/") {
            return None;
        }
        self.orders.get(&super::gql::gid_number(id)?)
    }

    pub(crate) fn sku_of_item(&self, item: u64) -> Option<&str> {
        self.products
            .values()
            .flat_map(|p| &p.variants)
            .find(|v| v.inventory_item_id == item)
            .map(|v| v.sku.as_str())
    }

    pub(crate) fn variant_json(&self, v: &Variant) -> Value {
        let qty: i64 = self
            .levels
            .iter()
            .filter(|((item, _), _)| *item == v.inventory_item_id)
            .map(|(_, l)| l.get("available"))
            .sum();
        json!({
            "__typename": "ProductVariant",
            "id": gid("ProductVariant", v.id),
            "title": v.title,
            "displayName": v.title,
            "sku": v.sku,
            "barcode": v.barcode,
            "price": money_str(v.price),
            "inventoryQuantity": qty,
            "inventoryItem": {
                "__typename": "InventoryItem",
                "id": gid("InventoryItem", v.inventory_item_id),
                "sku": v.sku,
                "tracked": true,
                "measurement": { "__typename": "InventoryItemMeasurement", "weight": v.weight.graphql() },
            },
        })
    }

    pub(crate) fn product_json(&self, p: &Product) -> Value {
        json!({
            "__typename": "Product",
            "id": gid("Product", p.id),
            "legacyResourceId": p.id.to_string(),
            "title": p.title,
            "handle": p.handle,
            "status": "ACTIVE",
            "vendor": p.vendor,
            "productType": "",
            "variants": connection("ProductVariantConnection", p.variants.iter().map(|v| self.variant_json(v)).collect()),
        })
    }

    pub(crate) fn location_json(&self, l: &Location) -> Value {
        let levels = self
            .levels
            .iter()
            .filter(|((_, loc), _)| *loc == l.id)
            .map(|((item, _), level)| level.graphql(*item, self.sku_of_item(*item).unwrap_or("")))
            .collect();
        l.graphql(levels)
    }

    pub(crate) fn shop_json(&self) -> Value {
        json!({
            "__typename": "Shop",
            "id": gid("Shop", self.id),
            "name": self.name,
            "email": self.email,
            "contactEmail": self.email,
            "myshopifyDomain": self.domain,
            "url": format!("https://{}", self.domain),
            "primaryDomain": { "__typename": "Domain", "id": gid("Domain", self.id + 1), "host": self.domain, "url": format!("https://{}", self.domain) },
            "currencyCode": "RON",
            "ianaTimezone": "Europe/Bucharest",
            "timezoneAbbreviation": "EET",
            "weightUnit": "KILOGRAMS",
            "taxesIncluded": true,
            "plan": { "__typename": "ShopPlan", "displayName": "Basic", "partnerDevelopment": false, "shopifyPlus": false },
            "billingAddress": { "__typename": "ShopAddress", "city": "București", "provinceCode": "B", "countryCodeV2": "RO", "zip": "061072", "address1": "Bulevardul Iuliu Maniu 7" },
        })
    }
}
