//! programming-api: the HTTP API of codeplatform and the server of its UI.
//!
//! - [`config`]: settings from the environment.
//! - [`clock`]: the time the API goes by (set by tests, never slept through).
//! - [`catalog`]: the courses served, and each assignment's course, read at start and when a version goes live.
//! - [`versions`]: course versions: an archive read before it is taken; every replica's catalog following the live versions.
//! - [`caller`]: who is calling: the token checks as filters handing routes a typed learner or staff member.
//! - [`context`]: the cloneable context routes share (pool, cache, job queue, signer).
//! - [`enrolment`]: who is in a course: open ones take anyone, join-code ones their members.
//! - [`routes`]: one module per resource, each exposing its warp filter.
//! - [`handin`]: what a learner hands in (code, or a checked notebook without outputs), as stored and graded.
//! - [`body`]: request bodies: size cap, JSON content type, precise parse errors.
//! - [`error`]: the one mapping from errors to statuses and the JSON error shape.
//! - [`class`]: the live class view's snapshot: pass counts, stuck learners, latest work.
//! - [`gradebook`]: a course's learners × assignments, streamed learner by learner.
//! - [`admission`]: how often a client may act (create learners, submit, run, join, sign in), and how much may wait.
//! - [`markdown`]: handouts rendered and sanitised on the server.
//! - [`security`]: the Content-Security-Policy and other headers on every response.
//! - [`rounds`]: work in rounds beside the server (the reconciler, the catalog's follower, the outboxes), and an outbox's retries.
//! - [`reconciler`]: re-pushes queued work the stream lost; restores the cache.
//! - [`external`]: people other systems name (an LMS's, an integration's), one learner each.
//! - [`integrations`]: the signed integration API's registry, tokens and callbacks.
//! - [`lti`]: LTI 1.3: launches from an LMS, deep linking, grade passback.
//! - [`passwords`]: usernames and passwords of staff and learners: rules, argon2id hashing, bounded checks.
//! - [`staff`]: staff accounts, argon2id password hashes and sign-in.
//! - [`sign_in`]: who may try a password: known addresses and device cookies, so strangers cannot lock an account.
//! - [`server`]: the hyper loop: header guard, metrics, graceful shutdown.
//! - [`metrics`]: Prometheus counters and histograms.
//! - [`queue_lag`]: the queue-lag gauges, read from Redis every few seconds.
//! - `testing` (feature `testing`): the API started in-process for tests.

pub mod admission;
pub mod body;
pub mod caller;
pub mod catalog;
pub mod class;
pub mod clock;
pub mod config;
pub mod context;
pub mod enrolment;
pub mod error;
pub mod external;
pub mod gradebook;
pub mod handin;
pub mod integrations;
pub mod lti;
pub mod markdown;
pub mod metrics;
pub mod passwords;
pub mod queue_lag;
pub mod reconciler;
pub mod rounds;
pub mod routes;
pub mod security;
pub mod server;
pub mod sign_in;
pub mod staff;
#[cfg(feature = "testing")]
pub mod testing;
pub mod versions;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use queue::cache::QueryCache;
use queue::jobs::JobQueue;
use queue::names::RedisNames;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use store::work::practice_runs::PracticeRuns;
use store::work::submissions::Submissions;
use store::work::GradedWork;
use tokio::net::TcpListener;

use crate::admission::Admission;
use crate::catalog::Catalog;
use crate::config::Config;
use crate::context::AppContext;
use crate::metrics::Metrics;

/// How long start-up waits for Postgres before giving up.
const STARTUP_WAIT: Duration = Duration::from_secs(60);

/// Connects, migrates, loads the courses and returns the context routes share.
/// Redis may be down: it is connected lazily and the API degrades around it.
pub async fn build(config: &Config) -> anyhow::Result<AppContext> {
    let pool = store::db::pool(config.database.clone(), config.pool_size)?;
    wait_for_postgres(&pool).await?;
    store::db::migrate(&pool).await?;
    let courses = courseload::courses::load_courses(&config.courses_dir)?;
    store::courses::upsert_courses(&pool, &courses).await?;
    for course in &courses {
        tracing::info!(course = %course.course.slug, assignments = course.assignments.len(), "course loaded");
    }
    let catalog = Arc::new(Catalog::load(&pool, &config.default_course).await?);
    let lti = match &config.lti {
        Some(settings) => Some(Arc::new(
            lti::Lti::new(settings, &catalog).map_err(|e| anyhow::anyhow!("LTI_PLATFORMS: {e}"))?,
        )),
        None => None,
    };
    let integrations = match &config.integrations {
        Some(settings) => {
            integrations::Integrations::parse(&settings.toml, integrations::read_key_file, |slug| {
                catalog.by_slug(slug).is_some()
            })
            .map_err(|e| anyhow::anyhow!("INTEGRATIONS: {e}"))?
        }
        None => Default::default(),
    };

    let redis = ConnectionManager::new_lazy_with_config(
        config.redis.clone(),
        ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_response_timeout(Some(Duration::from_secs(1)))
            .set_number_of_retries(1),
    )?;
    let names = RedisNames::new(config.redis_prefix.clone());
    let mut cache = QueryCache::new(redis.clone(), names.clone(), config.cache_ttl);
    if !config.query_cache {
        tracing::warn!("query cache off: every read goes to Postgres");
        cache = cache.disabled();
    }
    let jobs = JobQueue::new(redis.clone(), names.clone());
    let ctx = AppContext::new(context::Shared {
        work: GradedWork::new(pool.clone(), cache.clone(), jobs.clone()),
        submissions: Submissions::new(pool.clone(), cache.clone(), jobs.clone()),
        practice_runs: PracticeRuns::new(pool.clone(), cache.clone(), jobs.clone()),
        jobs,
        cache,
        pool,
        redis: redis.clone(),
        names: names.clone(),
        signer: config.signer.clone(),
        metrics: Arc::new(Metrics::default()),
        admission: Arc::new(Admission::new(config)),
        catalog_now: arc_swap::ArcSwap::new(catalog),
        lti,
        integrations: Arc::new(integrations),
        staff_token_ttl: config.staff_token_ttl,
        clock: Default::default(),
        events: queue::events::EventPublisher::new(redis.clone(), names.clone()),
        drain: Default::default(),
    });
    versions::flush_cache(&ctx).await;
    Ok(ctx)
}

async fn wait_for_postgres(pool: &deadpool_postgres::Pool) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + STARTUP_WAIT;
    loop {
        match pool.get().await {
            Ok(_) => return Ok(()),
            Err(e) if tokio::time::Instant::now() < deadline => {
                tracing::warn!(error = %e, "waiting for Postgres");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Err(e) => anyhow::bail!("Postgres did not answer within {STARTUP_WAIT:?}: {e}"),
        }
    }
}

/// Serves the API and UI on `listener` and `/healthz`, `/readyz` and
/// `/metrics` on `admin`, with the reconciler beside them, until `shutdown`
/// resolves; then drains open requests and returns.
pub async fn run(
    listener: TcpListener,
    admin: TcpListener,
    ctx: AppContext,
    config: &Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let reconciler = tokio::spawn(reconciler::run(
        ctx.clone(),
        config.reconcile_interval,
        config.reconcile_stale,
        wait_for(stop_rx.clone()),
    ));
    let follower = tokio::spawn(versions::follow(
        ctx.clone(),
        config.catalog_follow,
        wait_for(stop_rx.clone()),
    ));
    let passback = ctx.lti.as_ref().map(|lti| {
        tokio::spawn(lti::passback::run(
            ctx.clone(),
            lti.send_interval,
            lti.retry_max,
            wait_for(stop_rx.clone()),
        ))
    });
    let callbacks = config.integrations.as_ref().map(|settings| {
        tokio::spawn(integrations::callbacks::run(
            ctx.clone(),
            settings.send_interval,
            settings.retry_max,
            wait_for(stop_rx.clone()),
        ))
    });
    let lag = tokio::spawn(queue_lag::watch(
        ctx.clone(),
        queue_lag::INTERVAL,
        wait_for(stop_rx.clone()),
    ));
    let admin = tokio::spawn(service::admin::serve_admin(
        admin,
        config.admin,
        Arc::new(ctx.clone()),
        wait_for(stop_rx.clone()),
    ));
    let metrics = ctx.metrics.clone();
    let shutdown = ctx.drain.clone().after(shutdown, config.shutdown_delay);
    let filter = routes::routes(ctx, config.ui_dir.clone(), config.ws_public_url.clone());
    server::serve(
        listener,
        filter,
        metrics,
        config.trusted_proxies.clone(),
        config.listener,
        shutdown,
    )
    .await;
    let _ = stop_tx.send(true);
    let _ = reconciler.await;
    let _ = follower.await;
    let _ = lag.await;
    for outbox in [passback, callbacks].into_iter().flatten() {
        let _ = outbox.await;
    }
    let _ = admin.await;
}

async fn wait_for(mut rx: tokio::sync::watch::Receiver<bool>) {
    let _ = rx.wait_for(|stop| *stop).await;
}
