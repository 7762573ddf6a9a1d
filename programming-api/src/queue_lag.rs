//! Keeps the API's queue-lag gauges fresh (`grading_queue_*` on the admin
//! port's `/metrics`): the API always runs, whether or not any grader
//! does, so the lag is visible at zero graders too. Every API replica
//! reports the same Redis; Prometheus takes the `max` over them.

use std::future::Future;
use std::time::Duration;

use crate::context::AppContext;

/// How often the gauges are read from Redis.
pub const INTERVAL: Duration = Duration::from_secs(2);

/// Refreshes the gauges every `interval` until `stop` resolves.
pub async fn watch(ctx: AppContext, interval: Duration, stop: impl Future<Output = ()>) {
    let mut stop = std::pin::pin!(stop);
    loop {
        refresh(&ctx).await;
        tokio::select! {
            () = &mut stop => return,
            () = tokio::time::sleep(interval) => {}
        }
    }
}

async fn refresh(ctx: &AppContext) {
    match ctx.jobs.lag().await {
        Ok(lags) => {
            let m = &ctx.metrics;
            for lag in lags {
                let stream = lag.stream.label();
                let labels = [stream.as_str()];
                m.queue_waiting
                    .with_label_values(&labels)
                    .set(lag.waiting as i64);
                m.queue_oldest_waiting
                    .with_label_values(&labels)
                    .set(lag.oldest_waiting.as_secs_f64());
                m.queue_in_flight
                    .with_label_values(&labels)
                    .set(lag.in_flight as i64);
            }
        }
        // Redis down: /readyz says so; the gauges keep their last values.
        Err(e) => tracing::debug!(error = %e, "cannot read the queue's lag"),
    }
}
