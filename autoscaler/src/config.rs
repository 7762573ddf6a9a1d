//! Settings, from the environment, parsed and checked once at start.
//!
//! | variable | default | meaning |
//! | --- | --- | --- |
//! | `REDIS_URL` (+ `REDIS_PASSWORD_FILE`) | required | Redis, where the queue's lag is read |
//! | `REDIS_PREFIX` | empty | prefix of every Redis name (tests) |
//! | `AUTOSCALER_SERVICE` | `codeplatform_grader` | the swarm service it scales (the stack's graders) |
//! | `AUTOSCALER_MIN` | `1` | the fewest replicas it leaves |
//! | `AUTOSCALER_MAX` | `4` | the most replicas it asks for |
//! | `AUTOSCALER_JOBS_PER_REPLICA` | `2` | jobs one replica grades at once: the graders' `GRADER_CONCURRENCY` |
//! | `AUTOSCALER_UP_LAG_MS` | `2000` | scale up only once the oldest waiting job has waited this long |
//! | `AUTOSCALER_DOWN_AFTER_SECS` | `60` | scale down only after fewer replicas were wanted this long without a break |
//! | `AUTOSCALER_COOLDOWN_SECS` | `15` | after any change, none for this long |
//! | `AUTOSCALER_INTERVAL_MS` | `2000` | how often it reads the lag and decides |
//! | `AUTOSCALER_METRICS_ADDR` | `127.0.0.1:9103` | the admin port: `/healthz`, `/readyz`, `/metrics` |
//! | `ADMIN_MAX_CONNECTIONS` | `64` | admin port connections in all |
//! | `ADMIN_MAX_CONNECTIONS_PER_ADDRESS` | `16` | admin port connections one address may hold |
//! | `ADMIN_HEADER_TIMEOUT_MS` | `5000` | the same for the admin port |

use std::net::SocketAddr;
use std::time::Duration;

use service::config::{env_or, redis_settings};
use service::server::ListenerLimits;

use crate::policy::Policy;

#[derive(Clone)]
pub struct Config {
    pub redis: redis::Client,
    pub redis_prefix: String,
    pub service: String,
    pub policy: Policy,
    pub interval: Duration,
    pub metrics_addr: SocketAddr,
    pub admin: ListenerLimits,
}

impl Config {
    pub fn from_env() -> Result<Self, service::Error> {
        let policy = Policy {
            min: env_or("AUTOSCALER_MIN", 1u32)?,
            max: env_or("AUTOSCALER_MAX", 4u32)?,
            jobs_per_replica: env_or("AUTOSCALER_JOBS_PER_REPLICA", 2u32)?,
            up_lag: Duration::from_millis(env_or("AUTOSCALER_UP_LAG_MS", 2000u64)?),
            down_after: Duration::from_secs(env_or("AUTOSCALER_DOWN_AFTER_SECS", 60u64)?),
            cooldown: Duration::from_secs(env_or("AUTOSCALER_COOLDOWN_SECS", 15u64)?),
        };
        check(&policy)?;
        Ok(Self {
            redis: {
                let (url, password) = redis_settings()?;
                queue::connect(&url, password).map_err(service::Error::config)?
            },
            redis_prefix: env_or("REDIS_PREFIX", String::new())?,
            service: env_or("AUTOSCALER_SERVICE", String::from("codeplatform_grader"))?,
            policy,
            interval: Duration::from_millis(env_or("AUTOSCALER_INTERVAL_MS", 2000u64)?.max(100)),
            metrics_addr: env_or(
                "AUTOSCALER_METRICS_ADDR",
                SocketAddr::from(([127, 0, 0, 1], 9103)),
            )?,
            admin: ListenerLimits::from_env("ADMIN", ListenerLimits::admin())?,
        })
    }
}

/// Bounds that make sense together.
fn check(policy: &Policy) -> Result<(), service::Error> {
    let problem = if policy.max < 1 {
        "AUTOSCALER_MAX must be at least 1"
    } else if policy.min > policy.max {
        "AUTOSCALER_MIN must not be above AUTOSCALER_MAX"
    } else if policy.jobs_per_replica < 1 {
        "AUTOSCALER_JOBS_PER_REPLICA must be at least 1"
    } else {
        return Ok(());
    };
    Err(service::Error::Config(problem.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_must_make_sense() {
        let ok = Policy {
            min: 1,
            max: 4,
            jobs_per_replica: 2,
            up_lag: Duration::ZERO,
            down_after: Duration::ZERO,
            cooldown: Duration::ZERO,
        };
        assert!(check(&ok).is_ok());
        let e = check(&Policy { min: 5, ..ok }).unwrap_err().to_string();
        assert!(e.contains("AUTOSCALER_MIN"), "{e}");
        assert!(check(&Policy {
            max: 0,
            min: 0,
            ..ok
        })
        .is_err());
        assert!(check(&Policy {
            jobs_per_replica: 0,
            ..ok
        })
        .is_err());
        assert!(
            check(&Policy { min: 0, ..ok }).is_ok(),
            "scaling to zero is allowed"
        );
    }
}
