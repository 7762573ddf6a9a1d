//! Settings, from the environment, parsed and checked once at start.
//!
//! | variable | default | meaning |
//! | --- | --- | --- |
//! | `DATABASE_URL` (+ `DATABASE_PASSWORD_FILE`) | required | Postgres |
//! | `REDIS_URL` (+ `REDIS_PASSWORD_FILE`) | required | Redis |
//! | `REDIS_PREFIX` | empty | prefix of every Redis name (tests) |
//! | `GRADER_SANDBOX` | `auto` | `pool` (a warm container per slot, each run under a fresh pair of uids in it), `docker` (a fresh container per run), `process` (development only) or `auto` (`pool` when Docker answers, else `process`) |
//! | `RUNNER_TAG` | `latest` | the tag of every runner's sandbox image (`codeplatform/<runner>-runner:<tag>`) |
//! | `GRADER_RUNNERS` | `runners` | the runners' folders, for the process sandbox |
//! | `GRADER_ALLOWED_RUNNERS` | every runner (`domain/src/runners.rs`) | the runners (so the sandbox images) this grader may use, by name, comma-separated (unset or empty: all); a job for any other ends as `error`, saying so, and never starts a container |
//! | `GRADER_CONCURRENCY` | `2` | jobs graded at once by this replica |
//! | `GRADER_VISIBILITY_MS` | `30000` | a job pending this long with another grader is taken over |
//! | `GRADER_MAX_DELIVERIES` | `3` | deliveries before a submission ends as `error` |
//! | `GRADER_DRAIN_SECS` | `30` | how long SIGTERM waits for jobs in hand |
//! | `GRADER_METRICS_ADDR` | `127.0.0.1:9100` | the admin port: `/healthz`, `/readyz`, `/metrics` |
//! | `GRADER_CONSUMER` | `grader-<host>-<pid>` | this replica's name in the consumer group |
//! | `GRADER_VERSION_POLL_MS` | `1000` | how often it looks for a published course version to check (every reference and starter run in the sandbox) |
//! | `CACHE_TTL_SECS` | `300` | backstop expiry of the cached lists it invalidates (as the API's) |
//! | `ADMIN_MAX_CONNECTIONS` | `64` | admin port connections in all |
//! | `ADMIN_MAX_CONNECTIONS_PER_ADDRESS` | `16` | admin port connections one address may hold |
//! | `ADMIN_HEADER_TIMEOUT_MS` | `5000` | the same for the admin port |

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use service::config::{database_settings, env_or, redis_settings};
use service::server::ListenerLimits;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SandboxKind {
    Docker,
    /// A warm container per slot, each job under fresh uids in it.
    Pool,
    Process,
    Auto,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub database: tokio_postgres::Config,
    pub redis: redis::Client,
    pub redis_prefix: String,
    pub sandbox: SandboxKind,
    pub runner_tag: String,
    pub runners: PathBuf,
    /// The runners' names this grader may run; only their images are
    /// checked at start.
    pub allowed_runners: Vec<&'static str>,
    pub concurrency: usize,
    pub visibility: Duration,
    pub max_deliveries: u64,
    pub drain: Duration,
    pub metrics_addr: SocketAddr,
    pub consumer: String,
    pub cache_ttl: Duration,
    pub admin: ListenerLimits,
    /// How often it looks for a published course version to check.
    pub version_poll: Duration,
}

/// The runners a comma-separated list names, each one there is; every
/// runner for an empty list.
pub fn allowed_runners(list: &str) -> Result<Vec<&'static str>, service::Error> {
    if list.trim().is_empty() {
        return Ok(domain::runners::ALL.map(|r| r.name).to_vec());
    }
    list.split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(|name| {
            domain::runners::by_name(name)
                .map(|r| r.name)
                .ok_or_else(|| {
                    service::Error::Config(format!(
                        "GRADER_ALLOWED_RUNNERS names {name:?}, which is no runner (there are: {})",
                        domain::runners::ALL.map(|r| r.name).join(", ")
                    ))
                })
        })
        .collect()
}

impl Config {
    pub fn from_env() -> Result<Self, service::Error> {
        let sandbox = match env_or("GRADER_SANDBOX", String::from("auto"))?.as_str() {
            "docker" => SandboxKind::Docker,
            "pool" => SandboxKind::Pool,
            "process" => SandboxKind::Process,
            "auto" => SandboxKind::Auto,
            other => {
                return Err(service::Error::Config(format!(
                    "GRADER_SANDBOX must be docker, pool, process or auto, not {other:?}"
                )))
            }
        };
        let concurrency = env_or("GRADER_CONCURRENCY", 2usize)?;
        if concurrency == 0 {
            return Err(service::Error::Config(
                "GRADER_CONCURRENCY must be at least 1".into(),
            ));
        }
        let host = std::fs::read_to_string("/etc/hostname")
            .map(|h| h.trim().to_owned())
            .unwrap_or_else(|_| "host".into());
        Ok(Self {
            database: {
                let (url, password) = database_settings()?;
                store::db::config(&url, password).map_err(service::Error::config)?
            },
            redis: {
                let (url, password) = redis_settings()?;
                queue::connect(&url, password).map_err(service::Error::config)?
            },
            redis_prefix: env_or("REDIS_PREFIX", String::new())?,
            sandbox,
            runner_tag: env_or("RUNNER_TAG", String::from("latest"))?,
            runners: env_or("GRADER_RUNNERS", PathBuf::from("runners"))?,
            allowed_runners: allowed_runners(&env_or("GRADER_ALLOWED_RUNNERS", String::new())?)?,
            concurrency,
            visibility: Duration::from_millis(env_or("GRADER_VISIBILITY_MS", 30_000u64)?),
            max_deliveries: env_or("GRADER_MAX_DELIVERIES", 3u64)?,
            drain: Duration::from_secs(env_or("GRADER_DRAIN_SECS", 30u64)?),
            metrics_addr: env_or(
                "GRADER_METRICS_ADDR",
                SocketAddr::from(([127, 0, 0, 1], 9100)),
            )?,
            consumer: env_or(
                "GRADER_CONSUMER",
                format!("grader-{host}-{}", std::process::id()),
            )?,
            cache_ttl: Duration::from_secs(env_or("CACHE_TTL_SECS", 300u64)?),
            version_poll: Duration::from_millis(env_or("GRADER_VERSION_POLL_MS", 1000u64)?.max(10)),
            admin: ListenerLimits::from_env("ADMIN", ListenerLimits::admin())?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_runners_must_be_runners() {
        assert_eq!(
            allowed_runners("python, python-ds").unwrap(),
            ["python", "python-ds"]
        );
        assert_eq!(allowed_runners("python").unwrap(), ["python"]);
        let all: Vec<&str> = domain::runners::ALL.map(|r| r.name).to_vec();
        assert_eq!(allowed_runners("").unwrap(), all);
        assert_eq!(allowed_runners(" ").unwrap(), all);
        let e = allowed_runners("python,cobol").unwrap_err().to_string();
        assert!(e.contains("\"cobol\"") && e.contains("python-ds"), "{e}");
    }
}
