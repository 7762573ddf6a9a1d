//! Postgres is the truth: anything `queued` (or `grading` with its job lost)
//! that the stream no longer holds is pushed again. This covers a failed
//! push, an API that died between commit and push, and a Redis that lost its
//! data. It also restores the query cache after a Redis failure.

use std::time::Duration;

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

/// One round: restores the cache after a Redis failure, then pushes again
/// what the stream lost (the state machine decides what that is). Returns
/// how many submissions were pushed again.
pub async fn reconcile_once(ctx: &AppContext, stale: Duration) -> Result<usize, store::Error> {
    ctx.limits.forget_idle();
    ctx.cache.recover().await?;
    let requeued = ctx.submissions.requeue_lost(stale).await?;
    ctx.metrics.requeued.inc_by(requeued as u64);
    // Practice runs the same way; they matter less, so their failure is
    // only logged, and old ones go.
    match ctx.runs.requeue_lost(stale).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(requeued = n, "re-pushed runs missing from the stream"),
        Err(e) => tracing::debug!(error = %e, "runs not reconciled this round"),
    }
    match ctx.runs.expire().await {
        Ok(expired) => {
            for ended in expired {
                ctx.events.announce_run(ended.user_id, &ended.run).await;
            }
        }
        Err(e) => tracing::debug!(error = %e, "waiting runs not expired this round"),
    }
    if let Err(e) = ctx.runs.purge().await {
        tracing::debug!(error = %e, "old runs not purged this round");
    }
    Ok(requeued)
}
