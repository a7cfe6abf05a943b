//! Integration tests of the orchestrator platform, through its HTTP API and its state.
//!
//! Every test runs on SQLite, and again on PostgreSQL when `DATABASE_URL` names one.

mod common;

mod effects;
mod http_api;
mod jobs;
mod vault;
