//! Settings, from the environment, parsed and checked once at start.
//!
//! | variable | default | meaning |
//! | --- | --- | --- |
//! | `WS_ADDR` | `127.0.0.1:8081` | where `/ws` listens |
//! | `WS_ADMIN_ADDR` | `127.0.0.1:9101` | `/healthz`, `/readyz` and `/metrics` |
//! | `REDIS_URL` (+ `REDIS_PASSWORD_FILE`) | required | the event channel |
//! | `TOKEN_SECRET` or `TOKEN_SECRET_FILE` | required | the API's token key |
//! | `REDIS_PREFIX` | empty | prefix of every Redis name (tests) |
//! | `WS_BUFFER` | `32` | messages queued per socket before it counts as too slow and is dropped |
//! | `WS_PING_SECS` | `20` | ping interval; a peer that misses a whole interval is closed |

use std::net::SocketAddr;
use std::time::Duration;

use common::config::{env_or, redis_client, secret};
use common::token::TokenSigner;

#[derive(Clone, Debug)]
pub struct Config {
    pub addr: SocketAddr,
    pub admin_addr: SocketAddr,
    pub redis: redis::Client,
    pub signer: TokenSigner,
    pub redis_prefix: String,
    pub buffer: usize,
    pub ping_interval: Duration,
}

impl Config {
    pub fn from_env() -> Result<Self, common::Error> {
        let buffer = env_or("WS_BUFFER", 32usize)?;
        if buffer == 0 {
            return Err(common::Error::Config("WS_BUFFER must be at least 1".into()));
        }
        Ok(Self {
            addr: env_or("WS_ADDR", SocketAddr::from(([127, 0, 0, 1], 8081)))?,
            admin_addr: env_or("WS_ADMIN_ADDR", SocketAddr::from(([127, 0, 0, 1], 9101)))?,
            redis: redis_client()?,
            signer: TokenSigner::new(secret("TOKEN_SECRET")?.as_bytes())?,
            redis_prefix: env_or("REDIS_PREFIX", String::new())?,
            buffer,
            ping_interval: Duration::from_secs(env_or("WS_PING_SECS", 20u64)?.max(1)),
        })
    }
}
