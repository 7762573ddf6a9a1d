//! autoscaler: scales the grader service on the queue's lag.
//!
//! Every [`config::Config::interval`] it reads the lag of every stream from
//! Redis (`queue::lag`, the same reading the API's `grading_queue_*`
//! gauges show), asks [`policy`] what to do, and asks the swarm for that
//! many graders ([`swarm`]). Each decision is logged with its reason; its
//! own metrics are on its admin port.
//!
//! - [`config`]: settings from the environment.
//! - [`policy`]: the decisions, a pure function of the lag seen and when.
//! - [`swarm`]: the grader service's replica count, read and set.
//! - [`metrics`]: what it saw and did, for Prometheus.

pub mod config;
pub mod metrics;
pub mod policy;
pub mod swarm;

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use queue::jobs::JobQueue;
use queue::names::RedisNames;
use redis::aio::ConnectionManager;

use crate::config::Config;
use crate::metrics::Metrics;
use crate::policy::{Autoscaler, Decision, Observation};
use crate::swarm::Service;

/// What the loop and the admin port share.
pub struct Scaler {
    config: Config,
    jobs: JobQueue,
    redis: ConnectionManager,
    service: Service,
    pub metrics: Metrics,
}

impl Scaler {
    pub fn connect(config: Config) -> anyhow::Result<Arc<Self>> {
        let redis = queue::worker_connection(config.redis.clone())?;
        let jobs = JobQueue::new(redis.clone(), RedisNames::new(config.redis_prefix.clone()));
        let service = Service::connect(config.service.clone())?;
        Ok(Arc::new(Self {
            config,
            jobs,
            redis,
            service,
            metrics: Metrics::default(),
        }))
    }

    /// Decides every interval until `stop` resolves.
    pub async fn run(&self, stop: impl Future<Output = ()>) {
        let mut stop = std::pin::pin!(stop);
        let mut autoscaler = Autoscaler::default();
        tracing::info!(service = self.service.name(), policy = ?self.config.policy, "autoscaler started");
        loop {
            self.tick(&mut autoscaler).await;
            tokio::select! {
                () = &mut stop => return,
                () = tokio::time::sleep(self.config.interval) => {}
            }
        }
    }

    /// One reading and one decision.
    async fn tick(&self, autoscaler: &mut Autoscaler) {
        let lags = match self.jobs.lag().await {
            Ok(lags) => lags,
            Err(e) => return self.unable("cannot read the queue's lag", &e),
        };
        let current = match self.service.replicas().await {
            Ok(n) => n,
            Err(e) => return self.unable("cannot read the service's replicas", &e),
        };
        let seen = Observation::of(&lags);
        self.metrics.observed(current, seen);
        match autoscaler.decide(&self.config.policy, current, seen, Instant::now()) {
            Decision::Scale { to, reason } => {
                tracing::info!(from = current, to, %reason, "scaling the graders");
                match self.service.scale(to).await {
                    Ok(()) => self.metrics.scaled(current, to),
                    Err(e) => {
                        autoscaler.failed();
                        self.unable("the swarm refused the scale", &e);
                    }
                }
            }
            Decision::Hold { reason, steady } => {
                if steady {
                    tracing::debug!(replicas = current, %reason, "holding");
                } else {
                    tracing::info!(replicas = current, %reason, "holding");
                }
            }
        }
    }

    fn unable(&self, what: &str, e: &dyn std::fmt::Display) {
        self.metrics.errors.inc();
        tracing::warn!(error = %e, "{what}");
    }
}

/// What the admin port says: its metrics, and whether Redis and the
/// Docker daemon answer.
impl service::admin::Probes for Scaler {
    fn metrics(&self) -> String {
        self.metrics.registry.render()
    }

    async fn readiness(&self) -> Vec<(&'static str, bool)> {
        vec![
            (
                "redis",
                service::admin::probe(queue::answers(&self.redis)).await,
            ),
            (
                "docker",
                service::admin::probe(self.service.answers()).await,
            ),
        ]
    }
}
