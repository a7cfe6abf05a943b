//! # FluxOrders: the B2B ordering backend
//!
//! Distributors in Canada and the US, their staff and their customers place orders from
//! mobile apps and the web through `/orders-api/v1/…`. Each organization is a tenant
//! ([`TenantKind::Organization`](crate::tenancy::TenantKind)); every row below carries its
//! tenant and is read through [`scoped`](crate::tenancy::scoped).
//!
//! - [`auth`]: argon2id passwords, database sessions with an idle lifetime (120 minutes by
//!   default) swept by a recurring job, hashed personal API tokens with abilities, expiry,
//!   revocation and last use, login throttling, and the [`auth::Caller`] extractor that
//!   every handler uses to check role, ability and tenant.
//! - [`http`]: the handlers, one utoipa tag per area.
//! - [`import`]: the customer CSV import (validated in memory, all-or-nothing).
//! - [`storage`]: product and group images behind [`storage::ImageStorage`].
//! - [`quickbooks`]: OAuth connection, sync, pushing orders as estimates or invoices
//!   through the effects ledger, PDF and email, background token refresh.
//! - [`jobs`]: job handlers and recurring jobs.

pub mod auth;
pub mod entity;
pub mod http;
pub mod import;
pub mod jobs;
pub mod quickbooks;
pub mod storage;
pub mod validate;

use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::config::Settings;

/// FluxOrders settings (`[orders]` in the TOML file, `FLUX_ORDERS__…` in the environment).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct OrdersSettings {
    /// Idle lifetime of a session, minutes (default 120).
    pub session_lifetime_minutes: i64,
    /// How often expired sessions and old login failures are swept, seconds.
    pub sweep_interval_secs: u64,
    /// Failed sign-ins of one account within `login_lockout_minutes` before sign-in is
    /// refused for that account.
    pub login_max_failures: u64,
    /// The throttling window, minutes.
    pub login_lockout_minutes: i64,
    /// Largest accepted image, bytes.
    pub image_max_bytes: usize,
    /// Largest accepted CSV upload, bytes.
    pub csv_max_bytes: usize,
    /// Where images are stored (default `data_dir/orders-images`).
    pub image_dir: Option<PathBuf>,
    /// How often QuickBooks tokens are checked and refreshed ahead of expiry, seconds.
    pub quickbooks_refresh_interval_secs: u64,
}

impl Default for OrdersSettings {
    fn default() -> Self {
        Self {
            session_lifetime_minutes: 120,
            sweep_interval_secs: 300,
            login_max_failures: 5,
            login_lockout_minutes: 15,
            image_max_bytes: 5 * 1024 * 1024,
            csv_max_bytes: 5 * 1024 * 1024,
            image_dir: None,
            quickbooks_refresh_interval_secs: 600,
        }
    }
}

/// The FluxOrders services every handler and job shares.
#[derive(Clone)]
pub struct OrdersServices {
    /// Where images live.
    pub images: Arc<dyn storage::ImageStorage>,
    /// QuickBooks token managers, one per connected organization.
    pub quickbooks: quickbooks::Connections,
}

impl std::fmt::Debug for OrdersServices {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrdersServices").finish_non_exhaustive()
    }
}

impl OrdersServices {
    /// The default services: images on local disk.
    pub fn new(settings: &Settings) -> Self {
        let dir = settings
            .orders
            .image_dir
            .clone()
            .unwrap_or_else(|| settings.data_dir.join("orders-images"));
        Self {
            images: Arc::new(storage::LocalDiskStorage::new(dir)),
            quickbooks: quickbooks::Connections::default(),
        }
    }
}
