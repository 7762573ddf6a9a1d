//! The API's work in rounds beside the server: the reconciler
//! (`crate::reconciler`) and the outboxes, the LTI scores
//! (`crate::lti::passback`) and the integrations' callbacks
//! (`crate::integrations::callbacks`). An outbox is a table Postgres fills
//! in the transaction that made the news, sent from by every replica; a
//! failed delivery waits longer each time ([`retry_wait`]).

use std::future::Future;
use std::time::Duration;

/// How long a delivery that failed `attempts` times waits: 1 s, 2 s, 4 s …
/// up to `most`.
pub fn retry_wait(attempts: i32, most: Duration) -> Duration {
    Duration::from_secs(1u64 << attempts.clamp(0, 20)).min(most)
}

/// Runs `round` every `interval` until `shutdown` resolves; a round that
/// did something says how much, and one that failed (Postgres or Redis
/// away) is logged and the next one tries again.
pub async fn every<F, Fut>(
    what: &'static str,
    interval: Duration,
    shutdown: impl Future<Output = ()>,
    mut round: F,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<usize, store::Error>>,
{
    let mut shutdown = std::pin::pin!(shutdown);
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            () = &mut shutdown => return,
        }
        match round().await {
            Ok(0) => {}
            Ok(done) => tracing::info!(round = what, done, "a round did its work"),
            Err(e) => tracing::debug!(round = what, error = %e, "a round skipped"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_most() {
        let most = Duration::from_secs(300);
        let waits: Vec<u64> = (1..=10).map(|a| retry_wait(a, most).as_secs()).collect();
        assert_eq!(waits, [2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
        assert_eq!(retry_wait(1000, most), most);
    }
}
