//! The FluxOrders half of `flux demo`: a US distributor that sells to businesses and keeps
//! its books in QuickBooks Online, driven through `/orders-api/v1` like its staff would.
//!
//! 1. signs the organization up (`POST /organizations`, the owner's session), adds an
//!    admin and a sales rep (`POST /users`) and signs them in;
//! 2. creates a customer group and imports the customer list as CSV
//!    (`POST /customers/import`, which creates the second group it names), and creates
//!    the catalogue (`POST /products`);
//! 3. connects QuickBooks through the OAuth flow the simulator supports: `POST
//!    /quickbooks/connect` gives Intuit's consent URL; the demo opens the simulator's
//!    consent page with the same query (the browser step), reads the redirect and calls
//!    `GET /quickbooks/callback` with its `code`, `state` and `realmId`; the orchestrator
//!    exchanges the code and runs the first full sync, which links the catalogue to the
//!    company's items by SKU and brings in its customers;
//! 4. the sales rep places B2B orders with PO numbers and submits them, the admin confirms
//!    them: the first half become QuickBooks estimates, then the organization switches to
//!    invoicing and the rest become invoices (each once, through the effects ledger);
//! 5. the admin creates a personal API token for the user to try the API with.

use std::time::{Duration, Instant};

use flux_http::{HttpClient, Method, RetryPolicy, Url};
use flux_sandbox::Provider;
use flux_sandbox::quickbooks::{Kind, US_REALM};
use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use super::{Demo, DemoError, step};
use crate::orders::entity::{customer, customer_group, order, product, qb_connection, user};
use crate::tenancy::{TenantId, TenantKind, find_tenant, scoped};

/// The demo organization's slug (what its users sign in with).
pub const ORG: &str = "flux-demo-supply";
/// The demo users' password.
pub const PASSWORD: &str = "flux-demo-password";
/// The owner's email.
pub const OWNER_EMAIL: &str = "owner@flux-demo-supply.example";
/// The admin's email.
pub const ADMIN_EMAIL: &str = "admin@flux-demo-supply.example";
/// The sales rep's email.
pub const SALES_REP_EMAIL: &str = "sales.rep@flux-demo-supply.example";

/// The catalogue: `(sku, name, price in USD)`. The first two are the QuickBooks sample
/// company's own items; the others are added to the simulated company as the
/// distributor's existing QuickBooks catalogue, so the sync links every product by SKU.
const CATALOGUE: &[(&str, &str, &str)] = &[
    ("RF-100", "Rock Fountain", "275.10"),
    ("SPH-20", "Sprinkler Heads", "2"),
    ("GH-25", "Garden Hose 25 ft", "24.50"),
    ("TP-12", "Terracotta Pot 12 in", "18"),
    ("SPL-4", "Solar Path Lights (4-pack)", "39.99"),
    ("CM-2", "Cedar Mulch 2 cu ft", "6.75"),
];

/// The customer list the distributor imports (CSV, two groups).
const CUSTOMERS_CSV: &str = "\
name,contact_name,email,phone,group,line1,city,region,postal_code,country
Green Acres Landscaping,Maria Lopez,orders@greenacres.example,(415) 555-0101,Landscapers,120 Market St,San Francisco,CA,94105,US
Sunset Garden Center,Tom Becker,buyer@sunsetgarden.example,(503) 555-0199,Wholesale,88 Burnside Ave,Portland,OR,97209,US
Lone Star Nursery,Ana Ruiz,purchasing@lonestar.example,(512) 555-0144,Wholesale,401 Congress Ave,Austin,TX,78701,US
Evergreen Property Care,Sam Olsen,ap@evergreenpc.example,(206) 555-0177,Landscapers,1500 Pine St,Seattle,WA,98101,US
Palm Coast Outdoor,Rita Chen,orders@palmcoast.example,(305) 555-0122,Wholesale,200 Biscayne Blvd,Miami,FL,33131,US
Hudson Valley Hardware,Jon Park,buying@hudsonhw.example,(845) 555-0155,Wholesale,12 Main St,Poughkeepsie,NY,12601,US
";

/// How many customers the CSV holds.
const CSV_CUSTOMERS: usize = 6;

/// What the FluxOrders half leaves for the user.
#[derive(Debug, Clone)]
pub struct OrdersAccess {
    /// The organization's tenant.
    pub tenant: TenantId,
    /// A personal API token of the admin (`fot_…`).
    pub api_token: SecretString,
}

struct Who {
    token: SecretString,
}

/// The organization once set up: its tenant and its signed-in staff.
pub struct OrdersSetup {
    tenant: TenantId,
    admin: Who,
    rep: Who,
}

impl std::fmt::Debug for OrdersSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrdersSetup")
            .field("tenant", &self.tenant)
            .finish_non_exhaustive()
    }
}

impl Demo {
    async fn orders_call(
        &self,
        method: Method,
        path: &str,
        who: Option<&Who>,
        body: Option<Value>,
    ) -> Result<Value, DemoError> {
        let mut req = self.api.request(method, &format!("orders-api/v1/{path}"));
        if let Some(w) = who {
            req = req.bearer(&w.token);
        }
        if let Some(b) = &body {
            req = req.json(b);
        }
        let res = req.send_raw().await.map_err(|e| step(path, e))?;
        if !res.is_success() {
            return Err(DemoError::Step(format!(
                "/orders-api/v1/{path} answered {}: {}",
                res.status(),
                res.text()
            )));
        }
        if res.bytes().is_empty() {
            return Ok(Value::Null);
        }
        res.json().map_err(|e| step(path, e))
    }

    async fn sign_in(&self, email: &str) -> Result<Who, DemoError> {
        let session = self
            .orders_call(
                Method::POST,
                "auth/login",
                None,
                Some(json!({"organization": ORG, "email": email, "password": PASSWORD})),
            )
            .await?;
        Ok(Who {
            token: token_of(&session)?,
        })
    }

    /// The demo organization's tenant, once signed up.
    pub async fn organization(&self) -> Result<Option<TenantId>, DemoError> {
        Ok(
            find_tenant(&self.app.state().db, TenantKind::Organization, ORG)
                .await?
                .map(|t| TenantId(t.id)),
        )
    }

    /// Sets the FluxOrders organization up: users, customers, products, the QuickBooks
    /// connection and its first sync.
    pub async fn set_up_orders(&self, deadline: Instant) -> Result<OrdersSetup, DemoError> {
        // The distributor's QuickBooks company already holds its catalogue.
        let qb = &self.sandbox.sims().quickbooks;
        for (sku, name, price) in &CATALOGUE[2..] {
            qb.add(
                US_REALM,
                Kind::Item,
                json!({"Name": name, "Type": "NonInventory", "Sku": sku, "UnitPrice": price.parse::<f64>().unwrap_or_default(),
                       "Description": name, "Taxable": true,
                       "IncomeAccountRef": {"value": "79", "name": "Sales of Product Income"}}),
            )
            .map_err(|e| step("QuickBooks simulator catalogue", e))?;
        }

        let signed_up = self
            .orders_call(
                Method::POST,
                "organizations",
                None,
                Some(json!({"slug": ORG, "name": "Flux Demo Supply Co",
                    "owner": {"email": OWNER_EMAIL, "name": "Olivia Owner", "password": PASSWORD}})),
            )
            .await?;
        let owner = Who {
            token: token_of(&signed_up)?,
        };
        let tenant = TenantId(
            signed_up["organization_id"]
                .as_str()
                .and_then(|s| uuid::Uuid::parse_str(s).ok())
                .ok_or_else(|| DemoError::Step("sign-up answered no organization id".into()))?,
        );
        for (email, name, role) in [
            (ADMIN_EMAIL, "Adam Admin", "admin"),
            (SALES_REP_EMAIL, "Sara Sales", "staff"),
        ] {
            self.orders_call(
                Method::POST,
                "users",
                Some(&owner),
                Some(json!({"email": email, "name": name, "role": role, "password": PASSWORD})),
            )
            .await?;
        }
        let admin = self.sign_in(ADMIN_EMAIL).await?;
        let rep = self.sign_in(SALES_REP_EMAIL).await?;

        // Customers: one group made by hand, the list imported (it names a second group).
        self.orders_call(
            Method::POST,
            "customer-groups",
            Some(&admin),
            Some(json!({"name": "Wholesale"})),
        )
        .await?;
        let res = self
            .api
            .post("orders-api/v1/customers/import")
            .bearer(&admin.token)
            .body_bytes(CUSTOMERS_CSV.as_bytes().to_vec(), "text/csv")
            .send_raw()
            .await
            .map_err(|e| step("customers/import", e))?;
        let report: Value = res.json().map_err(|e| step("customers/import", e))?;
        if !res.is_success() || report["created"].as_u64() != Some(CSV_CUSTOMERS as u64) {
            return Err(DemoError::Step(format!(
                "the customer import answered {}: {report}",
                res.status()
            )));
        }
        for (sku, name, price) in CATALOGUE {
            self.orders_call(
                Method::POST,
                "products",
                Some(&admin),
                Some(json!({"name": name, "sku": sku, "price": price, "currency": "USD"})),
            )
            .await?;
        }

        self.connect_quickbooks(&admin).await?;
        self.wait_orders(tenant, deadline, "the first QuickBooks sync", |p| p.synced)
            .await?;
        Ok(OrdersSetup { tenant, admin, rep })
    }

    /// The sales rep places `b2b_orders` orders, the admin confirms them, and each becomes
    /// its QuickBooks estimate or invoice; then the admin creates an API token.
    pub async fn place_b2b_orders(
        &self,
        setup: &OrdersSetup,
        deadline: Instant,
    ) -> Result<OrdersAccess, DemoError> {
        let (tenant, admin, rep) = (setup.tenant, &setup.admin, &setup.rep);
        let n = self.config.b2b_orders;
        let customers = self
            .orders_call(Method::GET, "customers?limit=500", Some(rep), None)
            .await?;
        let customers: Vec<String> = ids(&customers);
        let products = self
            .orders_call(Method::GET, "products?limit=500", Some(rep), None)
            .await?;
        let linked: Vec<String> = products
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["quickbooks_item_id"].is_string())
            .filter_map(|p| p["id"].as_str().map(str::to_owned))
            .collect();
        if customers.is_empty() || linked.is_empty() {
            return Err(DemoError::Step(format!(
                "after the sync: {} customers, {} products linked to QuickBooks items",
                customers.len(),
                linked.len()
            )));
        }

        let mut rng = fastrand::Rng::with_seed(self.config.seed ^ 0x0b2b);
        let estimates = n.div_ceil(2);
        for i in 0..n {
            if i == estimates {
                // Every estimate is out before the organization switches to invoicing
                // (a push reads the document kind when it runs).
                self.wait_orders(tenant, deadline, "the estimates", |p| {
                    p.documented >= estimates as u64
                })
                .await?;
                self.orders_call(
                    Method::PATCH,
                    "quickbooks/settings",
                    Some(admin),
                    Some(json!({"document_kind": "invoice"})),
                )
                .await?;
            }
            let mut items = Vec::new();
            let mut chosen: Vec<&String> = Vec::new();
            for _ in 0..rng.usize(1..=3) {
                let p = &linked[rng.usize(0..linked.len())];
                if !chosen.contains(&p) {
                    chosen.push(p);
                    items.push(json!({"product_id": p, "quantity": rng.u32(1..=24).to_string()}));
                }
            }
            let placed = self
                .orders_call(
                    Method::POST,
                    "orders",
                    Some(rep),
                    Some(json!({
                        "customer_id": customers[i % customers.len()],
                        "items": items,
                        "po_number": format!("PO-{}", 4100 + i),
                        "shipping_instructions": "Deliver to the loading dock, 8 am to 4 pm",
                    })),
                )
                .await?;
            let id = placed["id"]
                .as_str()
                .ok_or_else(|| DemoError::Step(format!("an order without an id: {placed}")))?
                .to_owned();
            self.orders_call(
                Method::POST,
                &format!("orders/{id}/submit"),
                Some(rep),
                None,
            )
            .await?;
            self.orders_call(
                Method::POST,
                &format!("orders/{id}/confirm"),
                Some(admin),
                None,
            )
            .await?;
        }
        self.wait_orders(tenant, deadline, "the QuickBooks documents", |p| {
            p.documented >= n as u64 || p.failed > 0
        })
        .await?;

        let token = self
            .orders_call(
                Method::POST,
                "auth/tokens",
                Some(admin),
                Some(json!({"name": "flux demo", "abilities": ["*"]})),
            )
            .await?;
        Ok(OrdersAccess {
            tenant,
            api_token: token_of(&token)?,
        })
    }

    /// The OAuth flow against the QuickBooks simulator, as a browser would go through it.
    async fn connect_quickbooks(&self, admin: &Who) -> Result<(), DemoError> {
        let start = self
            .orders_call(Method::POST, "quickbooks/connect", Some(admin), None)
            .await?;
        let intuit = start["authorization_url"]
            .as_str()
            .and_then(|u| Url::parse(u).ok())
            .ok_or_else(|| DemoError::Step(format!("no consent URL: {start}")))?;
        // Intuit's consent page is the simulator's: same query, the sandbox's host.
        let mut consent = Url::parse(&format!(
            "{}connect/oauth2",
            self.sandbox.base_url(Provider::QuickBooks)
        ))
        .map_err(|e| step("consent URL", e))?;
        consent.set_query(intuit.query());
        let browser = HttpClient::builder("flux-demo-browser")
            .follow_redirects(false)
            .retry_policy(RetryPolicy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| step("browser client", e))?;
        let res = browser
            .request_url(Method::GET, consent)
            .send_raw()
            .await
            .map_err(|e| step("QuickBooks consent", e))?;
        let back = res.redirect_location().ok_or_else(|| {
            DemoError::Step(format!(
                "the QuickBooks consent page answered {}: {}",
                res.status(),
                res.text()
            ))
        })?;
        if back.query_pairs().any(|(k, _)| k == "error") {
            return Err(DemoError::Step(format!(
                "QuickBooks consent refused: {back}"
            )));
        }
        let status = self
            .orders_call(
                Method::GET,
                &format!("quickbooks/callback?{}", back.query().unwrap_or_default()),
                None,
                None,
            )
            .await?;
        if status["status"] != "connected" {
            return Err(DemoError::Step(format!(
                "QuickBooks did not connect: {status}"
            )));
        }
        Ok(())
    }

    pub(super) async fn orders_progress(
        &self,
        tenant: TenantId,
    ) -> Result<OrdersProgress, DemoError> {
        let db = &self.app.state().db;
        let orders = scoped::<order::Entity>(tenant);
        Ok(OrdersProgress {
            synced: scoped::<qb_connection::Entity>(tenant)
                .filter(qb_connection::Column::LastFullSyncAt.is_not_null())
                .count(db)
                .await?
                > 0,
            confirmed: orders
                .clone()
                .filter(order::Column::Status.is_in(["confirmed", "invoiced"]))
                .count(db)
                .await?,
            documented: orders
                .clone()
                .filter(
                    sea_orm::Condition::any()
                        .add(order::Column::QbEstimateId.is_not_null())
                        .add(order::Column::QbInvoiceId.is_not_null()),
                )
                .count(db)
                .await?,
            failed: orders
                .filter(order::Column::QbError.is_not_null())
                .count(db)
                .await?,
        })
    }

    async fn wait_orders(
        &self,
        tenant: TenantId,
        deadline: Instant,
        what: &str,
        done: impl Fn(&OrdersProgress) -> bool,
    ) -> Result<OrdersProgress, DemoError> {
        loop {
            let p = self.orders_progress(tenant).await?;
            if done(&p) {
                return Ok(p);
            }
            if Instant::now() > deadline {
                return Err(DemoError::Step(format!(
                    "FluxOrders: gave up waiting for {what}: {p:?}"
                )));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// FluxOrders figures while the demo runs.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct OrdersProgress {
    /// The first full QuickBooks sync is done.
    pub(super) synced: bool,
    /// Orders confirmed.
    pub(super) confirmed: u64,
    /// Orders with their QuickBooks document.
    pub(super) documented: u64,
    /// Orders whose push failed (with a reason).
    pub(super) failed: u64,
}

fn token_of(v: &Value) -> Result<SecretString, DemoError> {
    v["token"]
        .as_str()
        .map(|t| SecretString::from(t.to_owned()))
        .ok_or_else(|| DemoError::Step("an answer without a token".into()))
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["id"].as_str().map(str::to_owned))
        .collect()
}

/// What the FluxOrders half holds, read back from the database and the QuickBooks
/// simulator.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrdersSummary {
    /// Users of the demo organization.
    pub users: usize,
    /// Customer groups.
    pub groups: usize,
    /// Live customers in FluxOrders.
    pub customers_in_flux: usize,
    /// Of which linked to a QuickBooks customer.
    pub customers_linked: usize,
    /// Active customers in the QuickBooks company.
    pub customers_in_quickbooks: usize,
    /// Live products in FluxOrders.
    pub products_in_flux: usize,
    /// Of which linked to a QuickBooks item.
    pub products_linked: usize,
    /// Active items in the QuickBooks company.
    pub items_in_quickbooks: usize,
    /// Orders placed.
    pub orders: usize,
    /// Of which with a PO number.
    pub orders_with_po: usize,
    /// Orders with a QuickBooks estimate, in our database.
    pub estimates_in_flux: usize,
    /// Estimates the QuickBooks company holds.
    pub estimates_in_quickbooks: usize,
    /// Orders with a QuickBooks invoice, in our database.
    pub invoices_in_flux: usize,
    /// Invoices the QuickBooks company holds.
    pub invoices_in_quickbooks: usize,
    /// Orders whose push to QuickBooks failed.
    pub failed: usize,
}

impl OrdersSummary {
    /// Every order has exactly its one document, QuickBooks holds nothing more, and every
    /// QuickBooks customer and item is linked.
    pub fn complete(&self, expected_orders: usize) -> bool {
        self.orders == expected_orders
            && self.orders_with_po == expected_orders
            && self.estimates_in_flux + self.invoices_in_flux == expected_orders
            && self.estimates_in_flux == self.estimates_in_quickbooks
            && self.invoices_in_flux == self.invoices_in_quickbooks
            && self.customers_linked == self.customers_in_quickbooks
            && self.products_linked == self.items_in_quickbooks
            && self.failed == 0
    }
}

/// Reads the FluxOrders summary of `tenant` back from the database and the simulator.
pub async fn read(demo: &Demo, tenant: TenantId) -> Result<OrdersSummary, sea_orm::DbErr> {
    let db = &demo.app.state().db;
    let qb = &demo.sandbox.sims().quickbooks;
    let active = |v: &Value| v["Active"] != Value::Bool(false);
    let customers = scoped::<customer::Entity>(tenant)
        .filter(customer::Column::DeletedAt.is_null())
        .all(db)
        .await?;
    let products = scoped::<product::Entity>(tenant)
        .filter(product::Column::DeletedAt.is_null())
        .all(db)
        .await?;
    let orders = scoped::<order::Entity>(tenant)
        .filter(order::Column::DeletedAt.is_null())
        .all(db)
        .await?;
    Ok(OrdersSummary {
        users: usize::try_from(scoped::<user::Entity>(tenant).count(db).await?)
            .unwrap_or(usize::MAX),
        groups: usize::try_from(scoped::<customer_group::Entity>(tenant).count(db).await?)
            .unwrap_or(usize::MAX),
        customers_in_flux: customers.len(),
        customers_linked: customers.iter().filter(|c| c.qb_id.is_some()).count(),
        customers_in_quickbooks: qb.customers(US_REALM).iter().filter(|c| active(c)).count(),
        products_in_flux: products.len(),
        products_linked: products.iter().filter(|p| p.qb_item_id.is_some()).count(),
        items_in_quickbooks: qb
            .records(US_REALM, Kind::Item)
            .iter()
            .filter(|i| active(i))
            .count(),
        orders: orders.len(),
        orders_with_po: orders
            .iter()
            .filter(|o| o.po_number.as_deref().is_some_and(|p| !p.is_empty()))
            .count(),
        estimates_in_flux: orders.iter().filter(|o| o.qb_estimate_id.is_some()).count(),
        estimates_in_quickbooks: qb.estimates(US_REALM).len(),
        invoices_in_flux: orders.iter().filter(|o| o.qb_invoice_id.is_some()).count(),
        invoices_in_quickbooks: qb.invoices(US_REALM).len(),
        failed: orders.iter().filter(|o| o.qb_error.is_some()).count(),
    })
}

/// The secret's value, for writing the token file.
pub(super) fn expose(token: &SecretString) -> &str {
    token.expose_secret()
}
