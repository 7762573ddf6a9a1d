//! Leaving a balancer's rotation before stopping. On the shutdown signal a
//! service first answers `/readyz` with 503 while it goes on serving, for
//! its shutdown delay: long enough for the balancer's health check to take
//! it out of rotation (HAProxy checks every second in the stack). Only
//! then does it stop accepting and finish what it holds, so no request
//! meets a closed port or a connection closed under it.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Whether this process is draining; shared by its server and its probes.
#[derive(Debug, Clone, Default)]
pub struct Drain(Arc<AtomicBool>);

impl Drain {
    pub fn draining(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// Resolves `delay` after `signal` does; in between, [`Self::draining`]
    /// is true. What the server is given as its shutdown.
    pub async fn after(self, signal: impl Future<Output = ()>, delay: Duration) {
        signal.await;
        self.0.store(true, Ordering::Relaxed);
        if !delay.is_zero() {
            tracing::info!(
                delay_ms = delay.as_millis() as u64,
                "draining: not ready, still serving"
            );
            tokio::time::sleep(delay).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn it_drains_from_the_signal_until_the_delay_is_over() {
        let drain = Drain::default();
        let (signal, signalled) = tokio::sync::oneshot::channel::<()>();
        let stopped = tokio::spawn(drain.clone().after(
            async {
                let _ = signalled.await;
            },
            Duration::from_secs(3),
        ));
        tokio::time::sleep(Duration::from_secs(10)).await;
        assert!(
            !drain.draining() && !stopped.is_finished(),
            "nothing before the signal"
        );
        signal.send(()).unwrap();
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(
            drain.draining() && !stopped.is_finished(),
            "draining, still serving"
        );
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert!(stopped.is_finished(), "stopped after the delay");
    }
}
