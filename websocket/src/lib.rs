//! websocket: the gateway that puts each grading event on its learner's sockets.
//!
//! - [`config`]: settings from the environment.
//! - [`server`]: `/ws`: the token checked before the upgrade, then the socket.
//! - [`socket`]: one socket's life: queued writes, pings, close.
//! - [`registry`]: sockets by learner; delivery that never waits on a slow socket.
//! - [`subscriber`]: the `grading:events` subscription, resubscribed after Redis drops.
//! - [`metrics`]: open connections, messages delivered, slow clients dropped.
//! - `testing` (feature `testing`): the gateway started in-process for tests.

pub mod config;
pub mod metrics;
pub mod registry;
pub mod server;
pub mod socket;
pub mod subscriber;
#[cfg(feature = "testing")]
pub mod testing;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use queue::names::RedisNames;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::metrics::Metrics;
use crate::registry::Registry;

/// How long sockets get to take their close frame at shutdown.
const CLOSE_GRACE: Duration = Duration::from_secs(5);

pub struct Gateway {
    pub config: Config,
    pub registry: Arc<Registry>,
    pub metrics: Arc<Metrics>,
    /// Set on SIGTERM: `/readyz` answers 503 while sockets are still taken.
    pub drain: service::drain::Drain,
}

impl Gateway {
    pub fn new(config: Config) -> Arc<Self> {
        let metrics = Arc::new(Metrics::default());
        Arc::new(Self {
            registry: Arc::new(Registry::new(
                config.buffer,
                config.max_sockets_per_learner,
                metrics.clone(),
            )),
            metrics,
            config,
            drain: Default::default(),
        })
    }
}

/// Serves sockets on `listener` and health, readiness and metrics on
/// `admin` until `shutdown` resolves, then closes every socket with 1001
/// (going away) so pages reconnect to another replica.
pub async fn run(
    listener: TcpListener,
    admin: TcpListener,
    gateway: Arc<Gateway>,
    shutdown: impl Future<Output = ()>,
) {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let names = RedisNames::new(gateway.config.redis_prefix.clone());
    let subscriber = tokio::spawn(subscriber::run(
        gateway.config.redis.clone(),
        names.events_channel(),
        gateway.registry.clone(),
        gateway.metrics.clone(),
        stop_rx.clone(),
    ));
    let admin_task = tokio::spawn(service::admin::serve_admin(
        admin,
        gateway.config.admin,
        gateway.clone(),
        stopped(stop_rx),
    ));
    let sockets = gateway.clone();
    let limits = gateway.config.listener;
    let shutdown = gateway
        .drain
        .clone()
        .after(shutdown, gateway.config.shutdown_delay);
    service::server::serve(
        listener,
        limits,
        shutdown,
        CLOSE_GRACE,
        move |stream, _, stop| server::serve_connection(stream, sockets.clone(), stop),
    )
    .await;
    let _ = stop_tx.send(true);
    let _ = subscriber.await;
    let _ = admin_task.await;
}

async fn stopped(mut stop: tokio::sync::watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// What the admin port says of this replica: its metrics, and whether it
/// is subscribed to the event channel.
impl service::admin::Probes for Gateway {
    fn metrics(&self) -> String {
        self.metrics.registry.render()
    }

    async fn readiness(&self) -> Vec<(&'static str, bool)> {
        vec![("redis", self.metrics.redis_connected.get() == 1)]
    }

    fn draining(&self) -> bool {
        self.drain.draining()
    }
}
