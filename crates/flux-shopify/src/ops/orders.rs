//! Orders: one order with everything shipping and invoicing need, order search as a
//! stream, fulfillment orders of an order, and mark-as-paid.

use chrono::{DateTime, Utc};
use futures::Stream;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::ShopifyError;
use crate::graphql::AdminClient;
use crate::types::{Connection, MailingAddress, MoneyBag, Weight, null_default};

open_enum! {
    /// `OrderDisplayFinancialStatus`.
    FinancialStatus {
        /// Authorized, not captured.
        Authorized = "AUTHORIZED",
        /// Expired authorization.
        Expired = "EXPIRED",
        /// Paid.
        Paid = "PAID",
        /// Partially paid.
        PartiallyPaid = "PARTIALLY_PAID",
        /// Partially refunded.
        PartiallyRefunded = "PARTIALLY_REFUNDED",
        /// Pending (cash on delivery orders stay here until marked as paid).
        Pending = "PENDING",
        /// Refunded.
        Refunded = "REFUNDED",
        /// Voided.
        Voided = "VOIDED",
    }
}

open_enum! {
    /// `OrderDisplayFulfillmentStatus`.
    FulfillmentStatus {
        /// Fulfilled.
        Fulfilled = "FULFILLED",
        /// In progress.
        InProgress = "IN_PROGRESS",
        /// On hold.
        OnHold = "ON_HOLD",
        /// Open.
        Open = "OPEN",
        /// Partially fulfilled.
        PartiallyFulfilled = "PARTIALLY_FULFILLED",
        /// Pending fulfillment.
        PendingFulfillment = "PENDING_FULFILLMENT",
        /// Request declined.
        RequestDeclined = "REQUEST_DECLINED",
        /// Restocked.
        Restocked = "RESTOCKED",
        /// Scheduled.
        Scheduled = "SCHEDULED",
        /// Unfulfilled.
        Unfulfilled = "UNFULFILLED",
    }
}

open_enum! {
    /// `FulfillmentOrderStatus`.
    FulfillmentOrderStatus {
        /// Cancelled.
        Cancelled = "CANCELLED",
        /// Closed.
        Closed = "CLOSED",
        /// Incomplete.
        Incomplete = "INCOMPLETE",
        /// In progress (fulfillable).
        InProgress = "IN_PROGRESS",
        /// On hold.
        OnHold = "ON_HOLD",
        /// Open (fulfillable).
        Open = "OPEN",
        /// Scheduled.
        Scheduled = "SCHEDULED",
    }
}

/// A tax line.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TaxLine {
    /// Name of the tax.
    pub title: String,
    /// Rate as a fraction.
    #[serde(default)]
    pub rate: Option<Decimal>,
    /// Amount.
    pub price_set: MoneyBag,
}

/// A key/value attribute (checkout note attributes are `customAttributes`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct Attribute {
    /// Key.
    pub key: String,
    /// Value.
    #[serde(default)]
    pub value: Option<String>,
}

/// A customer as embedded in an order.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OrderCustomer {
    /// GID.
    pub id: String,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// `defaultEmailAddress.emailAddress` (`Customer.email` is deprecated).
    #[serde(default, deserialize_with = "email_of")]
    pub default_email_address: Option<String>,
    /// `defaultPhoneNumber.phoneNumber`.
    #[serde(default, deserialize_with = "phone_of")]
    pub default_phone_number: Option<String>,
}

fn email_of<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct E {
        email_address: Option<String>,
    }
    Ok(Option::<E>::deserialize(d)?.and_then(|e| e.email_address))
}

fn phone_of<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct P {
        phone_number: Option<String>,
    }
    Ok(Option::<P>::deserialize(d)?.and_then(|p| p.phone_number))
}

/// The inventory item of a variant, with its weight.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct VariantInventoryItem {
    /// GID.
    pub id: String,
    /// `measurement.weight` (the variant's own weight fields are deprecated).
    #[serde(default, deserialize_with = "weight_of")]
    pub measurement: Option<Weight>,
}

pub(crate) fn weight_of<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Weight>, D::Error> {
    #[derive(Deserialize)]
    struct M {
        weight: Option<Weight>,
    }
    Ok(Option::<M>::deserialize(d)?.and_then(|m| m.weight))
}

/// The variant of an order line.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LineItemVariant {
    /// GID.
    pub id: String,
    /// SKU.
    #[serde(default)]
    pub sku: Option<String>,
    /// Inventory item and weight.
    #[serde(default)]
    pub inventory_item: Option<VariantInventoryItem>,
}

/// An order line.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LineItem {
    /// GID.
    pub id: String,
    /// Name (product and variant title).
    pub name: String,
    /// SKU.
    #[serde(default)]
    pub sku: Option<String>,
    /// Quantity ordered.
    pub quantity: i64,
    /// Quantity after edits and removals.
    #[serde(default)]
    pub current_quantity: Option<i64>,
    /// Whether it ships.
    #[serde(default)]
    pub requires_shipping: Option<bool>,
    /// Unit price before discounts.
    pub original_unit_price_set: MoneyBag,
    /// Line total after discounts.
    #[serde(default)]
    pub discounted_total_set: Option<MoneyBag>,
    /// Discount allocated to this line.
    #[serde(default)]
    pub total_discount_set: Option<MoneyBag>,
    /// Tax lines.
    #[serde(default, deserialize_with = "null_default")]
    pub tax_lines: Vec<TaxLine>,
    /// The variant (null if deleted).
    #[serde(default)]
    pub variant: Option<LineItemVariant>,
}

impl LineItem {
    /// Weight of one unit, from the variant's inventory item.
    pub fn unit_weight(&self) -> Option<&Weight> {
        self.variant
            .as_ref()?
            .inventory_item
            .as_ref()?
            .measurement
            .as_ref()
    }
}

/// An order with what shipping labels and invoices need.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Order {
    /// GID.
    pub id: String,
    /// Name, e.g. `#1001`.
    pub name: String,
    /// Email (null without protected customer data access).
    #[serde(default)]
    pub email: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Note.
    #[serde(default)]
    pub note: Option<String>,
    /// Tags.
    #[serde(default, deserialize_with = "null_default")]
    pub tags: Vec<String>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Processed at.
    #[serde(default)]
    pub processed_at: Option<DateTime<Utc>>,
    /// Cancelled at.
    #[serde(default)]
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Financial status.
    #[serde(default)]
    pub display_financial_status: Option<FinancialStatus>,
    /// Fulfillment status.
    pub display_fulfillment_status: FulfillmentStatus,
    /// Payment gateways; cash on delivery shows as the manual method's name.
    #[serde(default, deserialize_with = "null_default")]
    pub payment_gateway_names: Vec<String>,
    /// Shop currency.
    pub currency_code: String,
    /// Whether prices include tax.
    #[serde(default)]
    pub taxes_included: bool,
    /// Total.
    pub total_price_set: MoneyBag,
    /// Total after edits and refunds.
    #[serde(default)]
    pub current_total_price_set: Option<MoneyBag>,
    /// Subtotal.
    #[serde(default)]
    pub subtotal_price_set: Option<MoneyBag>,
    /// Total tax.
    #[serde(default)]
    pub total_tax_set: Option<MoneyBag>,
    /// Shipping.
    #[serde(default)]
    pub total_shipping_price_set: Option<MoneyBag>,
    /// Discounts.
    #[serde(default)]
    pub total_discounts_set: Option<MoneyBag>,
    /// Outstanding (what a courier should collect on delivery).
    #[serde(default)]
    pub total_outstanding_set: Option<MoneyBag>,
    /// Discount codes used.
    #[serde(default, deserialize_with = "null_default")]
    pub discount_codes: Vec<String>,
    /// Order-level tax lines.
    #[serde(default, deserialize_with = "null_default")]
    pub tax_lines: Vec<TaxLine>,
    /// Checkout note attributes.
    #[serde(default, deserialize_with = "null_default")]
    pub custom_attributes: Vec<Attribute>,
    /// Shipping address.
    #[serde(default)]
    pub shipping_address: Option<MailingAddress>,
    /// Billing address.
    #[serde(default)]
    pub billing_address: Option<MailingAddress>,
    /// Customer.
    #[serde(default)]
    pub customer: Option<OrderCustomer>,
    /// Line items (the first 100; see `line_items.page_info`).
    pub line_items: Connection<LineItem>,
}

impl Order {
    /// Whether a payment gateway name looks like cash on delivery.
    pub fn is_cash_on_delivery(&self) -> bool {
        self.payment_gateway_names.iter().any(|g| {
            let g = g.to_ascii_lowercase();
            g.contains("cash on delivery") || g.contains("(cod)") || g == "cod"
        })
    }

    /// Total weight in kilograms of the lines that ship (`current_quantity` × unit
    /// weight); lines without a known weight count as zero.
    pub fn total_weight_kg(&self) -> Decimal {
        self.line_items
            .nodes
            .iter()
            .filter(|l| l.requires_shipping.unwrap_or(true))
            .map(|l| {
                let qty = Decimal::from(l.current_quantity.unwrap_or(l.quantity));
                l.unit_weight()
                    .map_or(Decimal::ZERO, |w| w.kilograms() * qty)
            })
            .sum()
    }
}

const MONEY: &str = "shopMoney { amount currencyCode } presentmentMoney { amount currencyCode }";
const ADDRESS: &str = "name firstName lastName company address1 address2 city province provinceCode zip country countryCodeV2 phone";

fn order_fields(line_items: u32) -> String {
    format!(
        "id name email phone note tags createdAt processedAt cancelledAt \
displayFinancialStatus displayFulfillmentStatus paymentGatewayNames currencyCode taxesIncluded \
totalPriceSet {{ {MONEY} }} currentTotalPriceSet {{ {MONEY} }} subtotalPriceSet {{ {MONEY} }} \
totalTaxSet {{ {MONEY} }} totalShippingPriceSet {{ {MONEY} }} totalDiscountsSet {{ {MONEY} }} \
totalOutstandingSet {{ {MONEY} }} discountCodes \
taxLines {{ title rate priceSet {{ {MONEY} }} }} customAttributes {{ key value }} \
shippingAddress {{ {ADDRESS} }} billingAddress {{ {ADDRESS} }} \
customer {{ id firstName lastName defaultEmailAddress {{ emailAddress }} defaultPhoneNumber {{ phoneNumber }} }} \
lineItems(first: {line_items}) {{ nodes {{ id name sku quantity currentQuantity requiresShipping \
originalUnitPriceSet {{ {MONEY} }} discountedTotalSet {{ {MONEY} }} totalDiscountSet {{ {MONEY} }} \
taxLines {{ title rate priceSet {{ {MONEY} }} }} \
variant {{ id sku inventoryItem {{ id measurement {{ weight {{ unit value }} }} }} }} }} \
pageInfo {{ hasNextPage endCursor }} }}"
    )
}

/// Fulfillment orders asked for per request by
/// [`AdminClient::fulfillment_orders`](crate::AdminClient::fulfillment_orders).
pub const FULFILLMENT_ORDERS_PAGE: u32 = 5;
/// Lines asked for per fulfillment order by
/// [`AdminClient::fulfillment_orders`](crate::AdminClient::fulfillment_orders).
pub const FULFILLMENT_ORDER_LINES: u32 = 25;

/// A fulfillment order line.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FulfillmentOrderLineItem {
    /// GID (pass it in [`FulfillmentOrderLineItemInput`](crate::ops::fulfillments::FulfillmentOrderLineItemInput)).
    pub id: String,
    /// Total quantity.
    pub total_quantity: i64,
    /// Quantity left to fulfil.
    pub remaining_quantity: i64,
    /// The order line's GID and SKU.
    #[serde(default)]
    pub line_item: Option<FulfillmentOrderLineRef>,
}

/// The order line a fulfillment order line points to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct FulfillmentOrderLineRef {
    /// GID.
    pub id: String,
    /// SKU.
    #[serde(default)]
    pub sku: Option<String>,
}

/// A fulfillment order (created by Shopify; only the ones your scopes allow are
/// visible).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FulfillmentOrder {
    /// GID.
    pub id: String,
    /// Status; only `OPEN` and `IN_PROGRESS` can be fulfilled.
    pub status: FulfillmentOrderStatus,
    /// Request status (`UNSUBMITTED`, `SUBMITTED`, `ACCEPTED`, ...).
    #[serde(default)]
    pub request_status: Option<String>,
    /// The assigned location's GID.
    #[serde(default, deserialize_with = "location_id_of")]
    pub assigned_location: Option<String>,
    /// Lines.
    pub line_items: Connection<FulfillmentOrderLineItem>,
}

impl FulfillmentOrder {
    /// Whether a fulfillment can be created for it.
    pub fn is_fulfillable(&self) -> bool {
        matches!(
            self.status,
            FulfillmentOrderStatus::Open | FulfillmentOrderStatus::InProgress
        )
    }
}

fn location_id_of<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    struct L {
        id: String,
    }
    #[derive(Deserialize)]
    struct A {
        location: Option<L>,
    }
    Ok(Option::<A>::deserialize(d)?.and_then(|a| a.location.map(|l| l.id)))
}

/// The order after `orderMarkAsPaid`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PaidOrder {
    /// GID.
    pub id: String,
    /// The new financial status.
    pub display_financial_status: Option<FinancialStatus>,
}

impl AdminClient {
    /// One order by GID (`gid://shopify/Order/…`), with its first 100 lines; `None` if
    /// it does not exist (or is not visible to the app).
    ///
    /// # Errors
    /// Those of [`graphql`](Self::graphql).
    pub async fn order(&self, id: &str) -> Result<Option<Order>, ShopifyError> {
        let query = format!(
            "query FluxOrder($id: ID!) {{ order(id: $id) {{ {} }} }}",
            order_fields(100)
        );
        self.query_at(&query, json!({ "id": id }), &["order"]).await
    }

    /// Orders matching a search query (Shopify search syntax, e.g.
    /// `"updated_at:>2026-11-01 financial_status:pending"`), newest first, 10 per page
    /// with their first 50 lines.
    pub fn orders(
        &self,
        search: Option<&str>,
    ) -> impl Stream<Item = Result<Order, ShopifyError>> + Send + 'static + use<> {
        let query = format!(
            "query FluxOrders($after: String, $query: String) {{ orders(first: 10, after: $after, query: $query, sortKey: CREATED_AT, reverse: true) {{ nodes {{ {} }} pageInfo {{ hasNextPage endCursor }} }} }}",
            order_fields(50)
        );
        self.paginate(&query, json!({ "query": search }), &["orders"])
    }

    /// The fulfillment orders of an order (those your scopes let you see), each with its
    /// first [`FULFILLMENT_ORDER_LINES`] lines (`line_items.page_info.has_next_page` says
    /// when it has more; fulfilling a whole fulfillment order needs none of them).
    ///
    /// Asks for [`FULFILLMENT_ORDERS_PAGE`] fulfillment orders per request and pages
    /// through the rest (an order has one per location, rarely more than a few). The
    /// page sizes keep the query's *requested* cost low — Shopify admits a query only when
    /// the bucket holds its requested cost, computed from the connection sizes asked for,
    /// though it charges only what was returned — so concurrent callers are not throttled:
    /// 64 points here, against 254 for 25 fulfillment orders of 100 lines each.
    ///
    /// # Errors
    /// Those of [`graphql`](Self::graphql).
    pub async fn fulfillment_orders(
        &self,
        order_id: &str,
    ) -> Result<Vec<FulfillmentOrder>, ShopifyError> {
        let query = format!(
            "query FluxFulfillmentOrders($id: ID!, $after: String) {{ order(id: $id) {{ \
             fulfillmentOrders(first: {FULFILLMENT_ORDERS_PAGE}, after: $after) {{ nodes {{ id status requestStatus \
             assignedLocation {{ location {{ id }} }} lineItems(first: {FULFILLMENT_ORDER_LINES}) {{ nodes {{ id \
             totalQuantity remainingQuantity lineItem {{ id sku }} }} pageInfo {{ hasNextPage endCursor }} }} }} \
             pageInfo {{ hasNextPage endCursor }} }} }} }}"
        );
        let mut all = Vec::new();
        let mut after: Option<String> = None;
        // Bounded: 50 pages of 5 is far beyond any real order.
        for _ in 0..50 {
            let page: Option<Connection<FulfillmentOrder>> = self
                .query_at(
                    &query,
                    json!({ "id": order_id, "after": after }),
                    &["order", "fulfillmentOrders"],
                )
                .await?;
            let Some(page) = page else { break };
            all.extend(page.nodes);
            match page.page_info.end_cursor {
                Some(cursor) if page.page_info.has_next_page => after = Some(cursor),
                _ => break,
            }
        }
        Ok(all)
    }

    /// Marks an order as paid (`orderMarkAsPaid`), e.g. when the courier collected cash
    /// on delivery.
    ///
    /// # Errors
    /// [`ShopifyError::UserErrors`] (e.g. already paid), and those of
    /// [`graphql`](Self::graphql).
    pub async fn mark_order_as_paid(&self, order_id: &str) -> Result<PaidOrder, ShopifyError> {
        #[derive(Deserialize)]
        struct Payload {
            order: PaidOrder,
        }
        const QUERY: &str = "mutation FluxMarkAsPaid($input: OrderMarkAsPaidInput!) { orderMarkAsPaid(input: $input) { order { id displayFinancialStatus } userErrors { field message } } }";
        let p: Payload = self
            .mutation(
                QUERY,
                json!({ "input": { "id": order_id } }),
                "orderMarkAsPaid",
            )
            .await?;
        Ok(p.order)
    }
}
