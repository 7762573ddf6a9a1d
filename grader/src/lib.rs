//! grader: grades submissions from the `grading:jobs` stream in throwaway
//! sandboxes and publishes the verdicts.
//!
//! - [`config`]: settings from the environment.
//! - [`worker`]: the pipeline: claim, run, judge, commit, ack, publish.
//! - [`sandbox`]: the Docker sandbox and the development-only process sandbox.
//! - [`judge`]: from the runner's nonce-framed report to a verdict and feedback.
//! - [`suites`]: an assignment version's tests, as the grader reads them from Postgres.
//! - [`versions`]: published course versions checked in the sandbox, then made live or rejected.
//! - `testing` (feature `testing`): a replica started in-process for tests.
//! - [`metrics`]: Prometheus metrics (served, with health and readiness, by `service::admin`).
//!
//! What runs inside the sandbox is the assignment's runner, `runners/<name>/`
//! at the top of the repository (Python's: entry.py starts the runner,
//! runner.py, which holds the tests, and the learner's side, learner.py,
//! under two uids, talking over one pipe in wire.py's format).

pub mod config;
pub mod judge;
pub mod metrics;
pub mod sandbox;
pub mod suites;
#[cfg(feature = "testing")]
pub mod testing;
pub mod versions;
pub mod worker;

use std::sync::Arc;

use queue::cache::QueryCache;
use queue::events::EventPublisher;
use queue::jobs::JobQueue;
use queue::names::RedisNames;

use crate::config::{Config, SandboxKind};
use crate::metrics::Metrics;
use crate::sandbox::{DockerSandbox, PoolSandbox, ProcessSandbox, Sandbox, ABANDONED_AFTER};
use crate::worker::Grader;

/// Connects everything a replica needs and removes sandboxes a dead grader
/// left behind. Fails when `GRADER_SANDBOX=docker` and Docker does not answer.
pub async fn build(config: Config) -> anyhow::Result<Arc<Grader>> {
    let metrics = Arc::new(Metrics::default());
    let sandbox = match config.sandbox {
        SandboxKind::Process => Sandbox::Process(ProcessSandbox::new(&config.runners)?),
        kind => match DockerSandbox::connect(
            config.runner_tag.clone(),
            &config.allowed_runners,
            config.consumer.clone(),
            metrics.container_start_seconds.clone(),
        )
        .await
        {
            Ok(docker) => {
                let swept = docker.sweep(None, ABANDONED_AFTER).await?;
                if swept > 0 {
                    tracing::warn!(containers = swept, "removed leftover sandbox containers");
                }
                // `auto` is the pool: the daemon off a job's path.
                if matches!(kind, SandboxKind::Pool | SandboxKind::Auto) {
                    // Hosts of the table's first allowed runner are warmed
                    // at start; another runner's come with its first job.
                    let first = domain::runners::ALL
                        .iter()
                        .find(|r| config.allowed_runners.contains(&r.name))
                        .unwrap_or(&domain::runners::ALL[0]);
                    let usual = crate::sandbox::Limits::new(2000, 1000, 128);
                    Sandbox::Pool(
                        PoolSandbox::start(&docker, config.concurrency, first, usual).await?,
                    )
                } else {
                    Sandbox::Docker(docker)
                }
            }
            Err(e) if kind == SandboxKind::Auto => {
                tracing::warn!(error = %e, "Docker unavailable; falling back to the process sandbox");
                Sandbox::Process(ProcessSandbox::new(&config.runners)?)
            }
            Err(e) => anyhow::bail!("GRADER_SANDBOX=docker but {e}"),
        },
    };
    let pool = store::db::pool(config.database.clone(), config.concurrency + 2)?;
    let redis = queue::worker_connection(config.redis.clone())?;
    let names = RedisNames::new(config.redis_prefix.clone());
    let jobs = JobQueue::new(redis.clone(), names.clone());
    // The group may not exist until Redis answers; the run loop retries it.
    if let Err(e) = jobs.ensure_group().await {
        tracing::warn!(error = %e, "cannot create the consumer group yet");
    }
    tracing::info!(sandbox = sandbox.kind(), consumer = %config.consumer, "grader ready");
    Ok(Arc::new(Grader::new(
        pool,
        redis.clone(),
        jobs,
        EventPublisher::new(redis.clone(), names.clone()),
        QueryCache::new(redis, names, config.cache_ttl),
        sandbox,
        metrics,
        config,
    )))
}
