//! # flux-orchestrator
//!
//! The Flux service: a thin actix-web application over the provider crates. Provider logic
//! lives in the SDK crates, product logic in one module per product; this crate is the
//! platform they stand on:
//!
//! - [`config`]: settings from defaults, a TOML file and the environment, validated.
//! - [`db`], [`migration`], [`entity`]: sea-orm on SQLite (default) or PostgreSQL.
//! - [`tenancy`]: tenants (shops and organizations) and tenant-scoped queries.
//! - [`vault`], [`credentials`]: AES-256-GCM sealed credentials, masked in the API.
//! - [`jobs`]: the durable job queue with leases, backoff, parking and recurring jobs.
//! - [`effects`]: the ledger that makes every costly side effect happen at most once.
//! - [`limits`]: rate limiters per provider account, shared by all workers of a process.
//! - [`http`]: routes, JSON errors, request ids, health, metrics, OpenAPI.
//! - [`ingest`]: group commit of incoming webhooks (many deliveries, one transaction).
//! - [`demo`]: `flux demo`, the whole product with every provider simulated in process.
//! - [`orders`]: FluxOrders, the B2B ordering backend under `/orders-api/v1`.
//! - [`startup`]: [`Application`](startup::Application), the server plus the worker.

pub mod config;
pub mod credentials;
pub mod db;
pub mod demo;
pub mod effects;
pub mod entity;
pub mod http;
pub mod ingest;
pub mod jobs;
pub mod limits;
pub mod migration;
pub mod orders;
pub mod sales;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod tenancy;
pub mod vault;
