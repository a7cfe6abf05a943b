//! The demo's summary, read back from the database and the simulators (never assumed).

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use flux_sandbox::RunningSandbox;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::entity::job;
use crate::sales::entity::{invoice, order, shipment};
use crate::state::AppState;
use crate::tenancy::{TenantId, scoped};

/// What one courier holds, and what our database says we created there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CourierCount {
    /// Live (not deleted) AWBs at the courier simulator.
    pub at_courier: usize,
    /// Active AWBs in our database for this courier.
    pub in_flux: usize,
}

/// The figures the demo prints, each read back from the database or a simulator.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Orders the Shopify simulator holds for the demo shop.
    pub orders_in_shopify: usize,
    /// Orders FluxSales stored from the webhooks.
    pub orders_in_flux: usize,
    /// Of which cash on delivery.
    pub cod_orders: usize,
    /// Of which company (B2B) orders.
    pub b2b_orders: usize,
    /// AWBs per courier id (`fancourier`, `cargus`, `sameday`, `gls`).
    pub awbs: BTreeMap<&'static str, CourierCount>,
    /// Orders with more than one active AWB in our database (must be zero).
    pub orders_with_several_awbs: usize,
    /// AWB numbers our database holds that the courier does not know (must be zero).
    pub awbs_unknown_at_courier: usize,
    /// The invoicing platform.
    pub invoicer: &'static str,
    /// Invoices the invoicing simulator issued.
    pub invoices_at_platform: usize,
    /// Issued invoices in our database.
    pub invoices_in_flux: usize,
    /// Fulfillments the Shopify simulator holds.
    pub fulfillments_in_shopify: usize,
    /// Orders with more than one fulfillment in Shopify (must be zero).
    pub orders_with_several_fulfillments: usize,
    /// Shipments delivered according to our database.
    pub delivered_in_flux: usize,
    /// Fulfillments whose last Shopify event is `DELIVERED`.
    pub delivered_in_shopify: usize,
    /// Orders Shopify shows as paid (cards, and COD marked paid on delivery).
    pub paid_in_shopify: usize,
    /// Orders whose last automated step failed, with the reason.
    pub failures: Vec<(String, String)>,
    /// Jobs parked for a person.
    pub parked_jobs: usize,
    /// Parked jobs the demo put back in the queue, as an operator would.
    pub operator_retries: usize,
    /// The FluxOrders half (none when it was skipped).
    pub flux_orders: Option<super::orders::OrdersSummary>,
    /// The B2B orders the FluxOrders half was to place.
    pub b2b_orders_expected: usize,
    /// How long the demo took.
    pub elapsed: Duration,
}

impl Summary {
    /// Every order carried all the way: one AWB, fulfillment and invoice each, delivered,
    /// nothing duplicated and nothing failed; and every B2B order with its one QuickBooks
    /// document.
    pub fn complete(&self) -> bool {
        let n = self.orders_in_shopify;
        let awbs_at: usize = self.awbs.values().map(|c| c.at_courier).sum();
        let awbs_ours: usize = self.awbs.values().map(|c| c.in_flux).sum();
        n > 0
            && self.orders_in_flux == n
            && awbs_at == n
            && awbs_ours == n
            && self.orders_with_several_awbs == 0
            && self.awbs_unknown_at_courier == 0
            && self.invoices_at_platform == n
            && self.invoices_in_flux == n
            && self.fulfillments_in_shopify == n
            && self.orders_with_several_fulfillments == 0
            && self.delivered_in_flux == n
            && self.delivered_in_shopify == n
            && self.failures.is_empty()
            && self.parked_jobs == 0
            && match &self.flux_orders {
                Some(o) => o.complete(self.b2b_orders_expected),
                None => self.b2b_orders_expected == 0,
            }
    }
}

/// Reads the summary of `tenant`'s shop `shop` back from the database and the simulators.
pub async fn read(
    state: &AppState,
    sandbox: &RunningSandbox,
    tenant: TenantId,
    shop: &str,
    invoicer: &'static str,
    elapsed: Duration,
) -> Result<Summary, sea_orm::DbErr> {
    let sims = sandbox.sims();
    let orders = scoped::<order::Entity>(tenant).all(&state.db).await?;
    let ships = scoped::<shipment::Entity>(tenant)
        .filter(shipment::Column::Status.eq("active"))
        .all(&state.db)
        .await?;
    let invoices = scoped::<invoice::Entity>(tenant)
        .filter(invoice::Column::Kind.eq("invoice"))
        .filter(invoice::Column::Status.eq("issued"))
        .count(&state.db)
        .await?;
    let parked = job::Entity::find()
        .filter(job::Column::State.eq("parked"))
        .count(&state.db)
        .await?;

    let fan: Vec<String> = sims
        .fancourier
        .awbs()
        .into_iter()
        .filter(|a| !a.deleted)
        .map(|a| a.number)
        .collect();
    let cargus: Vec<String> = sims
        .cargus
        .awbs()
        .into_iter()
        .filter(|a| !a.deleted)
        .map(|a| a.barcode)
        .collect();
    let sameday: Vec<String> = sims.sameday.awbs().into_iter().map(|a| a.number).collect();
    let parcels = sims.gls.parcels();
    // The GLS client may report either of a parcel's two ids as the AWB.
    let gls: Vec<String> = parcels
        .iter()
        .flat_map(|p| {
            std::iter::once(p.parcel_id.to_string()).chain(p.parcel_number.map(|n| n.to_string()))
        })
        .collect();
    let at_courier: [(&'static str, usize, &Vec<String>); 4] = [
        ("fancourier", fan.len(), &fan),
        ("cargus", cargus.len(), &cargus),
        ("sameday", sameday.len(), &sameday),
        ("gls", parcels.len(), &gls),
    ];
    let mut awbs = BTreeMap::new();
    let mut unknown = 0;
    for (id, count, numbers) in at_courier {
        let ours: Vec<&shipment::Model> = ships.iter().filter(|s| s.provider == id).collect();
        unknown += ours.iter().filter(|s| !numbers.contains(&s.awb)).count();
        awbs.insert(
            id,
            CourierCount {
                at_courier: count,
                in_flux: ours.len(),
            },
        );
    }
    let mut per_order: BTreeMap<uuid::Uuid, usize> = BTreeMap::new();
    for s in &ships {
        *per_order.entry(s.order_id).or_default() += 1;
    }

    let fulfillments = sims.shopify.fulfillments(shop);
    let mut per_gid: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &fulfillments {
        *per_gid.entry(f.order_id.as_str()).or_default() += 1;
    }
    let shop_orders = sims.shopify.orders(shop);
    let invoices_at_platform = match invoicer {
        "smartbill" => sims.smartbill.invoices().len(),
        _ => sims
            .oblio
            .documents()
            .into_iter()
            .filter(|d| d.kind == flux_sandbox::oblio::DocType::Invoice)
            .count(),
    };
    Ok(Summary {
        orders_in_shopify: shop_orders.len(),
        orders_in_flux: orders.len(),
        cod_orders: orders.iter().filter(|o| o.cod).count(),
        b2b_orders: orders
            .iter()
            .filter(|o| o.company.is_some() && o.cif.is_some())
            .count(),
        awbs,
        orders_with_several_awbs: per_order.values().filter(|n| **n > 1).count(),
        awbs_unknown_at_courier: unknown,
        invoicer,
        invoices_at_platform,
        invoices_in_flux: usize::try_from(invoices).unwrap_or(usize::MAX),
        fulfillments_in_shopify: fulfillments.len(),
        orders_with_several_fulfillments: per_gid.values().filter(|n| **n > 1).count(),
        delivered_in_flux: ships
            .iter()
            .filter(|s| s.tracking_status == "delivered")
            .count(),
        delivered_in_shopify: fulfillments
            .iter()
            .filter(|f| f.events.last().is_some_and(|e| e == "DELIVERED"))
            .count(),
        paid_in_shopify: shop_orders
            .iter()
            .filter(|o| o.financial_status == "PAID")
            .count(),
        failures: orders
            .iter()
            .filter_map(|o| {
                o.failure_reason
                    .as_ref()
                    .map(|r| (o.name.clone(), r.clone()))
            })
            .collect(),
        parked_jobs: usize::try_from(parked).unwrap_or(usize::MAX),
        operator_retries: 0,
        flux_orders: None,
        b2b_orders_expected: 0,
        elapsed,
    })
}

fn courier_name(id: &str) -> &'static str {
    match id {
        "fancourier" => "FAN Courier",
        "cargus" => "Cargus",
        "sameday" => "Sameday",
        "gls" => "GLS",
        _ => "other",
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Summary (read back from the database and the simulators)"
        )?;
        writeln!(f, "FluxSales (shop {})", super::SHOP)?;
        writeln!(
            f,
            "  orders         {} in Shopify, {} in Flux ({} cash on delivery, {} card; {} B2B)",
            self.orders_in_shopify,
            self.orders_in_flux,
            self.cod_orders,
            self.orders_in_flux.saturating_sub(self.cod_orders),
            self.b2b_orders
        )?;
        let total_at: usize = self.awbs.values().map(|c| c.at_courier).sum();
        writeln!(f, "  AWBs           {total_at} at the couriers")?;
        for (id, c) in &self.awbs {
            writeln!(
                f,
                "    {:<12} {:>4} at the courier, {:>4} in Flux",
                courier_name(id),
                c.at_courier,
                c.in_flux
            )?;
        }
        writeln!(
            f,
            "  invoices       {} issued in {}, {} in Flux",
            self.invoices_at_platform, self.invoicer, self.invoices_in_flux
        )?;
        writeln!(
            f,
            "  fulfillments   {} in Shopify (with tracking)",
            self.fulfillments_in_shopify
        )?;
        writeln!(
            f,
            "  deliveries     {} delivered in Flux, {} marked DELIVERED in Shopify; {} orders paid in Shopify",
            self.delivered_in_flux, self.delivered_in_shopify, self.paid_in_shopify
        )?;
        writeln!(
            f,
            "  duplicates     {} orders with several AWBs, {} with several fulfillments",
            self.orders_with_several_awbs, self.orders_with_several_fulfillments
        )?;
        if self.operator_retries > 0 {
            writeln!(
                f,
                "  operator       {} parked invoice jobs retried (Oblio's rate limit)",
                self.operator_retries
            )?;
        }
        if self.parked_jobs > 0 || !self.failures.is_empty() {
            writeln!(
                f,
                "  attention      {} parked jobs, {} orders with a failed step",
                self.parked_jobs,
                self.failures.len()
            )?;
            for (name, reason) in self.failures.iter().take(5) {
                writeln!(f, "    {name}: {reason}")?;
            }
        }
        if let Some(o) = &self.flux_orders {
            writeln!(
                f,
                "FluxOrders (organization {}, QuickBooks company {})",
                super::orders::ORG,
                flux_sandbox::quickbooks::US_REALM
            )?;
            writeln!(
                f,
                "  users          {} (owner, admin, sales rep); {} customer groups",
                o.users, o.groups
            )?;
            writeln!(
                f,
                "  customers      {} in Flux, {} linked to QuickBooks; {} active in QuickBooks",
                o.customers_in_flux, o.customers_linked, o.customers_in_quickbooks
            )?;
            writeln!(
                f,
                "  products       {} in Flux, {} linked to QuickBooks items; {} active items in QuickBooks",
                o.products_in_flux, o.products_linked, o.items_in_quickbooks
            )?;
            writeln!(
                f,
                "  B2B orders     {} placed ({} with a PO number)",
                o.orders, o.orders_with_po
            )?;
            writeln!(
                f,
                "  estimates      {} in QuickBooks, {} orders in Flux",
                o.estimates_in_quickbooks, o.estimates_in_flux
            )?;
            writeln!(
                f,
                "  invoices       {} in QuickBooks, {} orders in Flux",
                o.invoices_in_quickbooks, o.invoices_in_flux
            )?;
            if o.failed > 0 {
                writeln!(
                    f,
                    "  attention      {} orders failed to reach QuickBooks",
                    o.failed
                )?;
            }
        }
        write!(f, "Time taken       {:.1} s", self.elapsed.as_secs_f64())
    }
}
