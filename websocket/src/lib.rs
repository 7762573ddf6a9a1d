//! websocket: the gateway that puts each grading event on its learner's sockets.
//!
//! - [`config`]: settings from the environment.
//! - [`server`]: HTTP: `/ws` (token checked before the upgrade), health, metrics.
//! - [`socket`]: one socket's life: queued writes, pings, close.
//! - [`registry`]: sockets by learner; delivery that never waits on a slow socket.
//! - [`subscriber`]: the `grading:events` subscription, resubscribed after Redis drops.
//! - [`metrics`]: open connections, messages delivered, slow clients dropped.

pub mod config;
pub mod metrics;
pub mod registry;
pub mod server;
pub mod socket;
pub mod subscriber;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use common::names::RedisNames;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio_util::task::TaskTracker;

use crate::config::Config;
use crate::metrics::Metrics;
use crate::registry::Registry;

/// How long sockets get to take their close frame at shutdown.
const CLOSE_GRACE: Duration = Duration::from_secs(5);

pub struct Gateway {
    pub config: Config,
    pub registry: Arc<Registry>,
    pub metrics: Arc<Metrics>,
    /// Every socket task, so shutdown can wait for their close frames.
    sockets: TaskTracker,
}

impl Gateway {
    pub fn new(config: Config) -> Arc<Self> {
        let metrics = Arc::new(Metrics::new());
        Arc::new(Self {
            registry: Arc::new(Registry::new(config.buffer, metrics.clone())),
            metrics,
            config,
            sockets: TaskTracker::new(),
        })
    }
}

/// Serves sockets on `listener` and health and metrics on `admin` until
/// `shutdown` resolves, then closes every socket with 1001 (going away) so
/// pages reconnect to another replica.
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
    let admin_task = tokio::spawn(serve_admin(admin, gateway.clone(), stop_rx));
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        gateway
            .sockets
            .spawn(server::serve_connection(stream, gateway.clone()));
    }
    drop(listener);
    let _ = stop_tx.send(true);
    gateway.registry.close_all(1001, "server shutting down");
    gateway.sockets.close();
    if tokio::time::timeout(CLOSE_GRACE, gateway.sockets.wait())
        .await
        .is_err()
    {
        tracing::warn!("sockets still open after the close grace period");
    }
    let _ = subscriber.await;
    let _ = admin_task.await;
}

async fn serve_admin(
    listener: TcpListener,
    gateway: Arc<Gateway>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => continue,
            },
            _ = stop.wait_for(|s| *s) => return,
        };
        let gateway = gateway.clone();
        tokio::spawn(async move {
            let service =
                hyper::service::service_fn(move |req| server::admin(gateway.clone(), req));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
