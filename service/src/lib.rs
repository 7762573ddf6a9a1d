//! The chassis every codeplatform service runs on.
//!
//! - [`server`]: the accept-and-drain loop every listener uses, HTTP on it, the JSON error body, the security headers.
//! - [`parse_errors`]: our JSON answer in place of hyper's bare one to a request it cannot parse.
//! - [`admin`]: `/healthz`, `/readyz` and `/metrics`, answered the same way by every service.
//! - [`drain`]: leaving a balancer's rotation (`/readyz` 503) before stopping.
//! - [`client`]: a client's address, through trusted proxies only.
//! - [`rate`]: the one rate limiter (per address, per learner).
//! - [`config`]: environment parsing helpers, secrets from files.
//! - [`telemetry`]: tracing set-up and each service's metrics registry.
//! - [`memory`]: the allocator (jemalloc) and its background purging.
//! - [`token`]: the signed bearer tokens that name a learner or a staff member.

pub mod admin;
pub mod client;
pub mod config;
pub mod drain;
pub mod memory;
pub mod parse_errors;
pub mod rate;
pub mod server;
pub mod telemetry;
pub mod token;

/// A setting that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("config: {0}")]
    Config(String),
}

impl Error {
    /// A setting another crate refused (a Redis or Postgres URL), as ours.
    pub fn config(e: impl std::fmt::Display) -> Self {
        Self::Config(e.to_string())
    }
}
