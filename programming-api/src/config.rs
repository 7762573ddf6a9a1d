//! Settings, from the environment, parsed and checked once at start.
//!
//! | variable | default | meaning |
//! | --- | --- | --- |
//! | `API_ADDR` | `127.0.0.1:8080` | where the API and UI listen |
//! | `DATABASE_URL` (+ `DATABASE_PASSWORD_FILE`) | required | Postgres |
//! | `REDIS_URL` (+ `REDIS_PASSWORD_FILE`) | required | Redis |
//! | `TOKEN_SECRET` or `TOKEN_SECRET_FILE` | required | HMAC key for tokens, at least 32 bytes |
//! | `COURSES_DIR` | `courses` | the course folders (`<course>/course.toml` and its `NN-slug/` assignments) to upsert at start |
//! | `DEFAULT_COURSE` | `intro` | the course `/`, `/api/assignments` and `/api/me` mean |
//! | `UI_DIR` | `ui` | the static UI, read into memory at start (a change needs a restart) |
//! | `WS_PUBLIC_URL` | unset: the page's host, port 8081 | the gateway's URL as browsers reach it (`wss://…/ws`); the page is told it and the Content-Security-Policy allows only it |
//! | `REDIS_PREFIX` | empty | prefix of every Redis key (tests) |
//! | `DB_POOL_SIZE` | `32` | Postgres connections |
//! | `CACHE_TTL_SECS` | `300` | backstop expiry of cached reads |
//! | `QUERY_CACHE` | `on` | `off` serves every read from Postgres (to measure the cache) |
//! | `RECONCILE_INTERVAL_MS` | `2000` | how often queued work missing from the stream is re-pushed |
//! | `RECONCILE_STALE_MS` | `60000` | age after which a queued submission is checked against the stream |
//! | `CATALOG_FOLLOW_MS` | `1000` | how often each replica looks whether a course serves another version (one went live), and then serves it too |
//! | `RATE_NEW_LEARNERS` | `120/h` | new learners one address may make (all at once, then evenly) |
//! | `RATE_SUBMISSIONS_PER_LEARNER` | `10/min` | submissions one learner may make |
//! | `RATE_SUBMISSIONS_PER_ADDRESS` | `300/min` | submissions one address (a classroom's NAT) may make |
//! | `RATE_RUNS_PER_LEARNER` | `20/min` | practice runs ("Run tests") one learner may make |
//! | `RATE_SIGN_IN_PER_USERNAME` | `10/h` | failed staff sign-ins for one username; past it the username is barred for a while |
//! | `RATE_SIGN_IN_PER_ADDRESS` | `30/h` | failed staff sign-ins from one address; past it the address is barred for a while |
//! | `RATE_JOIN_PER_ADDRESS` | `300/h` | attempts to join a course with a code from one address (a class behind one NAT joins at once) |
//! | `RATE_LTI_LOGINS_PER_ADDRESS` | `3000/h` | LTI logins one address may begin (a class behind one NAT launches at once) |
//! | `RATE_JOIN_PER_LEARNER` | `10/h` | attempts to join a course with a code by one learner |
//! | `STAFF_TOKEN_TTL_SECS` | `28800` | how long a staff token is good for (a working day) |
//! | `QUEUE_LIMIT` | `1000` | submissions waiting for a grader; past it, 503 `queue_full` and nothing stored (practice runs have their own queue of the same bound) |
//! | `TRUSTED_PROXIES` | empty | addresses or networks whose `X-Forwarded-For` names the client |
//! | `API_MAX_CONNECTIONS` | 80% of the open-file limit | HTTP connections in all |
//! | `API_MAX_CONNECTIONS_PER_ADDRESS` | `1024` | HTTP connections one address may hold |
//! | `API_HEADER_TIMEOUT_MS` | `10000` | a request's headers must arrive within this of the connection's start or the previous response's end (also the idle keep-alive timeout) |
//! | `API_BODY_TIMEOUT_MS` | `10000` | a request's body must arrive whole within this of the handler asking for it; else 408 `body_timeout` and the connection closes |
//! | `API_BODY_BYTES_PER_ADDRESS` | `33554432` (32 MiB) | bytes of request bodies one address may have in the API at once; past it 429 `rate_limited` |
//! | `API_ADMIN_ADDR` | `127.0.0.1:9102` | the admin port: `/healthz`, `/readyz`, `/metrics` |
//! | `API_SHUTDOWN_DELAY_MS` | `0` | on SIGTERM, how long it answers `/readyz` with 503 while still serving, before it stops accepting: at least a balancer's health-check interval (the stack: `4000`) |
//! | `ADMIN_MAX_CONNECTIONS` | `64` | admin port connections in all |
//! | `ADMIN_MAX_CONNECTIONS_PER_ADDRESS` | `16` | admin port connections one address may hold |
//! | `LTI_PLATFORMS` | unset: LTI off | the file registering the LMSs this API is an LTI 1.3 tool for (docs/lti.md) |
//! | `LTI_KEY_FILE` | required with `LTI_PLATFORMS` | the tool's RSA private keys (PEM, PKCS#8 or PKCS#1): the first signs, all are published at `/lti/jwks` |
//! | `LTI_TOOL_URL` | required with `LTI_PLATFORMS` | the API's base URL as browsers and LMSs reach it (`https://code.example.edu`) |
//! | `LTI_SEND_INTERVAL_MS` | `1000` | how often the score outbox is looked at (grade passback) |
//! | `LTI_RETRY_MAX_SECS` | `300` | the longest wait between two tries to send one score (1 s, 2 s, 4 s … up to this) |
//! | `INTEGRATIONS` | unset: none | the file registering the systems that may submit their users' work through the signed integration API (docs/integrations.md) |
//! | `INTEGRATION_SEND_INTERVAL_MS` | `1000` | how often verdicts owed to integrations' callbacks are looked at |
//! | `INTEGRATION_RETRY_MAX_SECS` | `300` | the longest wait between two tries of one callback |
//! | `ADMIN_HEADER_TIMEOUT_MS` | `5000` | the same for the admin port |

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use service::client::TrustedProxies;
use service::config::{database_settings, env_or, redis_settings, secret};
use service::rate::Rate;
use service::server::ListenerLimits;
use service::token::TokenSigner;

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

#[derive(Clone, Debug)]
pub struct Config {
    pub addr: SocketAddr,
    pub database: tokio_postgres::Config,
    pub redis: redis::Client,
    pub signer: TokenSigner,
    pub courses_dir: PathBuf,
    pub default_course: String,
    pub ui_dir: PathBuf,
    /// The gateway's URL as browsers reach it, checked at start.
    pub ws_public_url: Option<String>,
    pub redis_prefix: String,
    pub pool_size: usize,
    pub cache_ttl: Duration,
    pub query_cache: bool,
    pub reconcile_interval: Duration,
    /// A push that failed is retried at once; one that seemed to work is
    /// checked against the stream only after this long, which keeps the scan
    /// of the stream off the common path.
    pub reconcile_stale: Duration,
    /// How often the catalog is compared with the live course versions.
    pub catalog_follow: Duration,
    pub new_learners_per_address: Rate,
    pub submissions_per_learner: Rate,
    pub submissions_per_address: Rate,
    pub runs_per_learner: Rate,
    pub sign_in_per_username: Rate,
    pub sign_in_per_address: Rate,
    pub join_per_address: Rate,
    pub join_per_learner: Rate,
    pub lti_logins_per_address: Rate,
    pub staff_token_ttl: Duration,
    pub queue_limit: i64,
    pub trusted_proxies: TrustedProxies,
    pub listener: ListenerLimits,
    /// How long a body may take to arrive once its handler asks for it.
    pub body_timeout: Duration,
    /// Bytes of request bodies one address may have in the API at once.
    pub body_bytes_per_address: usize,
    /// Where `/healthz`, `/readyz` and `/metrics` are served, off the public port.
    pub admin_addr: SocketAddr,
    pub admin: ListenerLimits,
    /// How long it drains (`/readyz` 503, still serving) before stopping.
    pub shutdown_delay: Duration,
    /// The LTI tool's settings, when `LTI_PLATFORMS` is set.
    pub lti: Option<crate::lti::Settings>,
    /// The integrations' settings, when `INTEGRATIONS` is set.
    pub integrations: Option<crate::integrations::Settings>,
}

/// `LTI_PLATFORMS`, `LTI_KEY_FILE` and `LTI_TOOL_URL`: all or none.
fn lti_from_env() -> Result<Option<crate::lti::Settings>, service::Error> {
    let platforms = env_or("LTI_PLATFORMS", String::new())?;
    if platforms.is_empty() {
        return Ok(None);
    }
    let platforms_toml = std::fs::read_to_string(&platforms).map_err(|e| {
        service::Error::Config(format!("LTI_PLATFORMS: cannot read {platforms}: {e}"))
    })?;
    let keys = service::config::secret_file("LTI_KEY_FILE")?.ok_or_else(|| {
        service::Error::Config("LTI_KEY_FILE must be set with LTI_PLATFORMS".into())
    })?;
    let keys = crate::lti::keys::ToolKeys::from_pem(&keys)
        .map_err(|e| service::Error::Config(format!("LTI_KEY_FILE: {e}")))?;
    let tool_url = crate::lti::check_tool_url(&env_or("LTI_TOOL_URL", String::new())?)
        .map_err(|e| service::Error::Config(format!("LTI_TOOL_URL: {e}")))?;
    Ok(Some(crate::lti::Settings {
        platforms_toml,
        keys,
        tool_url,
        send_interval: Duration::from_millis(env_or("LTI_SEND_INTERVAL_MS", 1000u64)?.max(10)),
        retry_max: Duration::from_secs(env_or("LTI_RETRY_MAX_SECS", 300u64)?.max(1)),
    }))
}

/// A rate from the environment, `count` per `per` by default.
fn rate(name: &str, count: u32, per: Duration) -> Result<Rate, service::Error> {
    env_or(name, Rate { count, per })
}

impl Config {
    pub fn from_env() -> Result<Self, service::Error> {
        Ok(Self {
            addr: env_or("API_ADDR", SocketAddr::from(([127, 0, 0, 1], 8080)))?,
            database: {
                let (url, password) = database_settings()?;
                store::db::config(&url, password).map_err(service::Error::config)?
            },
            redis: {
                let (url, password) = redis_settings()?;
                queue::connect(&url, password).map_err(service::Error::config)?
            },
            signer: TokenSigner::new(secret("TOKEN_SECRET")?.as_bytes())?,
            courses_dir: env_or("COURSES_DIR", PathBuf::from("courses"))?,
            default_course: env_or("DEFAULT_COURSE", String::from("intro"))?,
            ui_dir: env_or("UI_DIR", PathBuf::from("ui"))?,
            ws_public_url: match env_or("WS_PUBLIC_URL", String::new())? {
                url if url.is_empty() => None,
                url => {
                    crate::security::gateway_origin(&url).map_err(service::Error::Config)?;
                    Some(url)
                }
            },
            redis_prefix: env_or("REDIS_PREFIX", String::new())?,
            pool_size: env_or("DB_POOL_SIZE", 32usize)?,
            cache_ttl: Duration::from_secs(env_or("CACHE_TTL_SECS", 300u64)?),
            query_cache: match env_or("QUERY_CACHE", String::from("on"))?.as_str() {
                "on" => true,
                "off" => false,
                other => {
                    return Err(service::Error::Config(format!(
                        "QUERY_CACHE must be on or off, not {other:?}"
                    )))
                }
            },
            reconcile_interval: Duration::from_millis(env_or("RECONCILE_INTERVAL_MS", 2000u64)?),
            reconcile_stale: Duration::from_millis(env_or("RECONCILE_STALE_MS", 60_000u64)?),
            catalog_follow: Duration::from_millis(env_or("CATALOG_FOLLOW_MS", 1000u64)?.max(10)),
            new_learners_per_address: rate("RATE_NEW_LEARNERS", 120, HOUR)?,
            submissions_per_learner: rate("RATE_SUBMISSIONS_PER_LEARNER", 10, MINUTE)?,
            submissions_per_address: rate("RATE_SUBMISSIONS_PER_ADDRESS", 300, MINUTE)?,
            runs_per_learner: rate("RATE_RUNS_PER_LEARNER", 20, MINUTE)?,
            sign_in_per_username: rate("RATE_SIGN_IN_PER_USERNAME", 10, HOUR)?,
            sign_in_per_address: rate("RATE_SIGN_IN_PER_ADDRESS", 30, HOUR)?,
            join_per_address: rate("RATE_JOIN_PER_ADDRESS", 300, HOUR)?,
            join_per_learner: rate("RATE_JOIN_PER_LEARNER", 10, HOUR)?,
            lti_logins_per_address: rate("RATE_LTI_LOGINS_PER_ADDRESS", 3000, HOUR)?,
            staff_token_ttl: Duration::from_secs(env_or("STAFF_TOKEN_TTL_SECS", 28_800u64)?),
            queue_limit: env_or("QUEUE_LIMIT", 1000i64)?,
            trusted_proxies: env_or("TRUSTED_PROXIES", TrustedProxies::default())?,
            listener: ListenerLimits::from_env("API", ListenerLimits::public())?,
            body_timeout: match env_or("API_BODY_TIMEOUT_MS", 10_000u64)? {
                0 => {
                    return Err(service::Error::Config(
                        "API_BODY_TIMEOUT_MS must be above 0".into(),
                    ))
                }
                ms => Duration::from_millis(ms),
            },
            body_bytes_per_address: env_or("API_BODY_BYTES_PER_ADDRESS", 32usize << 20)?,
            admin_addr: env_or("API_ADMIN_ADDR", SocketAddr::from(([127, 0, 0, 1], 9102)))?,
            admin: ListenerLimits::from_env("ADMIN", ListenerLimits::admin())?,
            shutdown_delay: Duration::from_millis(env_or("API_SHUTDOWN_DELAY_MS", 0u64)?),
            lti: lti_from_env()?,
            integrations: match env_or("INTEGRATIONS", String::new())? {
                path if path.is_empty() => None,
                path => Some(crate::integrations::Settings {
                    toml: std::fs::read_to_string(&path).map_err(|e| {
                        service::Error::Config(format!("INTEGRATIONS: cannot read {path}: {e}"))
                    })?,
                    send_interval: Duration::from_millis(
                        env_or("INTEGRATION_SEND_INTERVAL_MS", 1000u64)?.max(10),
                    ),
                    retry_max: Duration::from_secs(
                        env_or("INTEGRATION_RETRY_MAX_SECS", 300u64)?.max(1),
                    ),
                }),
            },
        })
    }
}
