//! Integration tests of the orchestrator platform, through its HTTP API and its state.
//!
//! Every test runs on SQLite, and again on PostgreSQL when `DATABASE_URL` names one.

mod common;

mod demo;
mod effects;
mod http_api;
mod jobs;
mod orders_auth;
mod orders_catalog;
mod orders_flow;
mod orders_matrix;
mod orders_quickbooks;
mod orders_support;
mod races;
mod sales_backfill;
mod sales_couriers;
mod sales_flow;
mod sales_ingest;
mod sales_inventory;
mod sales_invoicing;
mod sales_isolation;
mod sales_ops;
mod sales_privacy;
mod sales_support;
mod vault;
