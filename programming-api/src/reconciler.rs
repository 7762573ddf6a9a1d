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
    crate::rounds::every("reconciler: work re-pushed", interval, shutdown, || {
        reconcile_once(&ctx, stale)
    })
    .await;
}

/// One round: restores the cache after a Redis failure, then pushes again
/// what the streams lost, of both kinds (graded work's life decides what
/// that is), ends practice runs that waited too long and purges old ones.
/// Returns how many were pushed again.
pub async fn reconcile_once(ctx: &AppContext, stale: Duration) -> Result<usize, store::Error> {
    ctx.admission.forget_idle();
    ctx.cache.recover().await?;
    let requeued = ctx.work.requeue_lost(stale).await?;
    ctx.metrics.requeued.inc_by(requeued as u64);
    match ctx.practice_runs.expire().await {
        Ok(expired) => {
            for ended in expired {
                ctx.events
                    .announce_work(ended.user_id, ended.course_id, &ended.item, ended.hold)
                    .await;
            }
        }
        Err(e) => tracing::debug!(error = %e, "waiting runs not expired this round"),
    }
    if let Err(e) = ctx.practice_runs.purge().await {
        tracing::debug!(error = %e, "old runs not purged this round");
    }
    Ok(requeued)
}
