//! # flux-sandbox
//!
//! Stateful simulators of every provider Flux talks to, so the product runs end to end on
//! a laptop with no network, and tests and benchmarks can stress it:
//!
//! - Each simulator speaks its provider's wire format (the same as the fixtures our SDK
//!   crates are tested with), keeps state (AWBs move through tracking statuses as
//!   [simulated time](SimClock) passes, invoices are numbered per series, QuickBooks
//!   entities carry SyncTokens), rejects malformed requests the way the real API does, and
//!   enforces the provider's real limits ([`LimitTracker`] counts violations).
//! - [`FaultPlan`]s add latency and inject errors, timeouts, 429 bursts and answers lost
//!   after the effect happened.
//! - [`Sandbox`] serves every simulator on one local port, each under its own prefix, in
//!   process (tests, benchmarks, `flux demo`) or as the `flux-sandbox` binary.

pub mod cargus;
pub mod clock;
pub mod fancourier;
pub mod faults;
pub mod gls;
pub mod limits;
pub mod oblio;
mod pdf;
pub mod quickbooks;
pub mod sameday;
pub mod server;
pub mod shopify;
pub mod smartbill;

pub use clock::SimClock;
pub use faults::{Decision, FaultPlan, Faults};
pub use limits::{LimitTracker, Verdict};
pub use server::{Provider, RunningSandbox, Sandbox, SandboxBuilder, Shared, Simulators};
