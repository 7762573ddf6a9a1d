//! The gateway started in-process for tests (feature `testing`): its config
//! for a Redis and a key prefix, and a running instance on port 0.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use service::server::ListenerLimits;
use testkit::{eventually, test_signer, Spawned};

use crate::config::Config;
use crate::Gateway;

/// A config on port 0 with the test secret, 32 queued messages per socket
/// and pings every 20 s. Change what a test needs before [`Running::start`].
pub fn config(redis: redis::Client, redis_prefix: &str) -> Config {
    Config {
        addr: "127.0.0.1:0".parse().expect("an address"),
        admin_addr: "127.0.0.1:0".parse().expect("an address"),
        redis,
        signer: test_signer(),
        redis_prefix: redis_prefix.to_owned(),
        buffer: 32,
        ping_interval: Duration::from_secs(20),
        write_timeout: Duration::from_secs(5),
        max_write_buffer: 64 * 1024,
        frame_rate: "10/s".parse().expect("a rate"),
        max_sockets_per_learner: 8,
        listener: ListenerLimits::public(),
        admin: ListenerLimits::admin(),
        shutdown_delay: Duration::ZERO,
    }
}

/// A running gateway.
pub struct Running {
    pub addr: SocketAddr,
    pub admin_addr: SocketAddr,
    pub gateway: Arc<Gateway>,
    spawned: Spawned,
}

impl Running {
    pub async fn start(config: Config) -> Self {
        let (listener, admin) = service::server::bind(config.addr, config.admin_addr)
            .await
            .expect("the gateway's addresses are free");
        let (addr, admin_addr) = (
            listener.local_addr().expect("bound"),
            admin.local_addr().expect("bound"),
        );
        let gateway = Gateway::new(config);
        let run = gateway.clone();
        Self {
            addr,
            admin_addr,
            spawned: Spawned::spawn(|shutdown| crate::run(listener, admin, run, shutdown)),
            gateway,
        }
    }

    /// Where pages connect.
    pub fn url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    /// Waits (up to 5 s) until the gateway is subscribed to the events.
    pub async fn subscribed(&self) -> bool {
        eventually(Duration::from_secs(5), || async {
            self.gateway.metrics.redis_connected.get() == 1
        })
        .await
    }

    /// Closes every socket (1001) and waits for the gateway to return.
    pub async fn stop(self) {
        self.spawned.stop().await;
    }
}
