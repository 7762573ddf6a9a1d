//! Postgres is the truth: anything `queued` (or `grading` with its job lost)
//! that the stream no longer holds is pushed again. This covers a failed
//! push, an API that died between commit and push, and a Redis that lost its
//! data. It also restores the query cache after a Redis failure.

use std::time::Duration;

use uuid::Uuid;

use crate::context::AppContext;

/// Runs [`reconcile_once`] every `interval` until `shutdown` resolves.
pub async fn run(
    ctx: AppContext,
    interval: Duration,
    stale: Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let mut shutdown = std::pin::pin!(shutdown);
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            () = &mut shutdown => return,
        }
        match reconcile_once(&ctx, stale).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                requeued = n,
                "re-pushed submissions missing from the stream"
            ),
            Err(e) => tracing::debug!(error = %e, "reconciler round skipped"),
        }
    }
}

/// One round; returns how many submissions were pushed again.
/// A submission counts as missing when its push failed (`enqueued_at` NULL)
/// or when it is older than `stale` and absent from the stream.
pub async fn reconcile_once(ctx: &AppContext, stale: Duration) -> Result<usize, common::Error> {
    ctx.cache.recover().await?;
    let client = ctx.pool.get().await?;
    let stale_secs = stale.as_secs_f64();
    let candidates: Vec<Uuid> = client
        .query(
            "SELECT id FROM submissions
             WHERE status IN ('queued', 'grading')
               AND (enqueued_at IS NULL OR enqueued_at < now() - make_interval(secs => $1))
             ORDER BY created_at LIMIT 500",
            &[&stale_secs],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    if candidates.is_empty() {
        return Ok(0);
    }
    let in_stream = ctx.jobs.submissions_in_stream().await?;
    let mut requeued = 0;
    for id in candidates.into_iter().filter(|id| !in_stream.contains(id)) {
        // Re-checked in the update: a grader may have finished it meanwhile.
        let claimed = client
            .execute(
                "UPDATE submissions SET status = 'queued', enqueued_at = now()
                 WHERE id = $1 AND status IN ('queued', 'grading')
                   AND (enqueued_at IS NULL OR enqueued_at < now() - make_interval(secs => $2))",
                &[&id, &stale_secs],
            )
            .await?;
        if claimed == 0 {
            continue;
        }
        if let Err(e) = ctx.jobs.enqueue_job(id).await {
            client
                .execute(
                    "UPDATE submissions SET enqueued_at = NULL WHERE id = $1 AND status = 'queued'",
                    &[&id],
                )
                .await?;
            return Err(e);
        }
        ctx.metrics.requeued.inc();
        requeued += 1;
    }
    Ok(requeued)
}
