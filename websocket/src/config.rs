//! Settings, from the environment, parsed and checked once at start.
//!
//! | variable | default | meaning |
//! | --- | --- | --- |
//! | `WS_ADDR` | `127.0.0.1:8081` | where `/ws` listens |
//! | `WS_ADMIN_ADDR` | `127.0.0.1:9101` | `/healthz`, `/readyz` and `/metrics` |
//! | `WS_SHUTDOWN_DELAY_MS` | `0` | on SIGTERM, how long it answers `/readyz` with 503 while still taking sockets, before it closes them (1001) for pages to reconnect elsewhere: at least a balancer's health-check interval (the stack: `4000`) |
//! | `REDIS_URL` (+ `REDIS_PASSWORD_FILE`) | required | the event channel |
//! | `TOKEN_SECRET` or `TOKEN_SECRET_FILE` | required | the API's token key |
//! | `REDIS_PREFIX` | empty | prefix of every Redis name (tests) |
//! | `WS_BUFFER` | `32` | messages queued per socket before it counts as too slow and is dropped |
//! | `WS_PING_SECS` | `20` | ping interval; a peer that has not answered the last ping by the next is closed |
//! | `WS_WRITE_TIMEOUT_MS` | `5000` | a write (message, ping, pong or close) not done by then closes the socket |
//! | `WS_MAX_WRITE_BUFFER` | `65536` | bytes a socket may have waiting to be written; past it, closed |
//! | `WS_FRAME_RATE` | `10/s` | frames a page may send (it only sends pongs); past it, closed |
//! | `WS_MAX_SOCKETS_PER_LEARNER` | `8` | sockets one learner or member of staff may hold (tabs); more are refused |
//! | `WS_MAX_CONNECTIONS` | 80% of the open-file limit | WebSocket connections in all |
//! | `WS_MAX_CONNECTIONS_PER_ADDRESS` | `1024` | WebSocket connections one address may hold |
//! | `WS_HEADER_TIMEOUT_MS` | `10000` | the WebSocket handshake must be done within this |
//! | `ADMIN_MAX_CONNECTIONS` | `64` | admin port connections in all |
//! | `ADMIN_MAX_CONNECTIONS_PER_ADDRESS` | `16` | admin port connections one address may hold |
//! | `ADMIN_HEADER_TIMEOUT_MS` | `5000` | the same for the admin port |

use std::net::SocketAddr;
use std::time::Duration;

use service::config::{env_or, redis_settings, secret};
use service::rate::Rate;
use service::server::ListenerLimits;
use service::token::TokenSigner;

#[derive(Clone, Debug)]
pub struct Config {
    pub addr: SocketAddr,
    pub admin_addr: SocketAddr,
    pub redis: redis::Client,
    pub signer: TokenSigner,
    pub redis_prefix: String,
    pub buffer: usize,
    pub ping_interval: Duration,
    pub write_timeout: Duration,
    pub max_write_buffer: usize,
    pub frame_rate: Rate,
    pub max_sockets_per_learner: usize,
    pub listener: ListenerLimits,
    pub admin: ListenerLimits,
    /// How long it drains (`/readyz` 503, still serving) before stopping.
    pub shutdown_delay: Duration,
}

impl Config {
    pub fn from_env() -> Result<Self, service::Error> {
        let buffer = env_or("WS_BUFFER", 32usize)?;
        if buffer == 0 {
            return Err(service::Error::Config(
                "WS_BUFFER must be at least 1".into(),
            ));
        }
        Ok(Self {
            addr: env_or("WS_ADDR", SocketAddr::from(([127, 0, 0, 1], 8081)))?,
            admin_addr: env_or("WS_ADMIN_ADDR", SocketAddr::from(([127, 0, 0, 1], 9101)))?,
            shutdown_delay: Duration::from_millis(env_or("WS_SHUTDOWN_DELAY_MS", 0u64)?),
            redis: {
                let (url, password) = redis_settings()?;
                queue::connect(&url, password).map_err(service::Error::config)?
            },
            signer: TokenSigner::new(secret("TOKEN_SECRET")?.as_bytes())?,
            redis_prefix: env_or("REDIS_PREFIX", String::new())?,
            buffer,
            ping_interval: Duration::from_secs(env_or("WS_PING_SECS", 20u64)?.max(1)),
            write_timeout: Duration::from_millis(env_or("WS_WRITE_TIMEOUT_MS", 5000u64)?.max(1)),
            max_write_buffer: env_or("WS_MAX_WRITE_BUFFER", 64 * 1024usize)?,
            frame_rate: env_or(
                "WS_FRAME_RATE",
                Rate {
                    count: 10,
                    per: Duration::from_secs(1),
                },
            )?,
            max_sockets_per_learner: env_or("WS_MAX_SOCKETS_PER_LEARNER", 8usize)?.max(1),
            listener: ListenerLimits::from_env("WS", ListenerLimits::public())?,
            admin: ListenerLimits::from_env("ADMIN", ListenerLimits::admin())?,
        })
    }
}
