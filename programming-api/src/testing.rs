//! The API started in-process for tests (feature `testing`): its config for
//! a test's database and Redis prefix, and a running instance on port 0.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use service::rate::Rate;
use testkit::{test_signer, Spawned, TestEnv};

/// A rate no test reaches unless it means to.
const UNREACHED: Rate = Rate {
    count: 1_000_000,
    per: Duration::from_secs(1),
};

use crate::config::Config;
use crate::context::AppContext;

/// The repository's root, for its course and UI.
pub fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A config for `env`: port 0, the repository's course and UI, the test
/// secret, a quick reconciler, and limits no test reaches by accident (a
/// test of the limits sets its own). Change what a test needs before
/// [`Api::start`].
pub fn config(env: &TestEnv) -> Config {
    Config {
        addr: "127.0.0.1:0".parse().expect("an address"),
        database: env.database_url.parse().expect("the test database URL"),
        redis: env.redis.clone(),
        signer: test_signer(),
        courses_dir: repository().join("courses"),
        default_course: "intro".into(),
        ui_dir: repository().join("ui"),
        ws_public_url: None,
        redis_prefix: env.names.prefix().to_owned(),
        pool_size: 16,
        cache_ttl: Duration::from_secs(300),
        query_cache: true,
        reconcile_interval: Duration::from_millis(200),
        reconcile_stale: Duration::from_millis(500),
        catalog_follow: Duration::from_millis(200),
        new_learners_per_address: UNREACHED,
        submissions_per_learner: UNREACHED,
        runs_per_learner: UNREACHED,
        submissions_per_address: UNREACHED,
        sign_in_per_username: UNREACHED,
        sign_in_per_address: UNREACHED,
        join_per_address: UNREACHED,
        join_per_learner: UNREACHED,
        lti_logins_per_address: UNREACHED,
        staff_token_ttl: Duration::from_secs(3600),
        queue_limit: i64::MAX,
        trusted_proxies: Default::default(),
        listener: service::server::ListenerLimits::public(),
        body_timeout: Duration::from_secs(10),
        body_bytes_per_address: 32 << 20,
        admin_addr: "127.0.0.1:0".parse().expect("an address"),
        admin: service::server::ListenerLimits::admin(),
        shutdown_delay: Duration::ZERO,
        lti: None,
        integrations: None,
    }
}

/// A running API.
pub struct Api {
    pub addr: SocketAddr,
    /// `/healthz`, `/readyz` and `/metrics`.
    pub admin_addr: SocketAddr,
    pub ctx: AppContext,
    pub config: Config,
    spawned: Spawned,
}

impl Api {
    /// Builds (migrations, course) and serves on `config.addr`.
    pub async fn start(config: Config) -> Self {
        let ctx = crate::build(&config).await.expect("the API builds");
        let (listener, admin) = service::server::bind(config.addr, config.admin_addr)
            .await
            .expect("the API's addresses are free");
        let addr = listener.local_addr().expect("a bound address");
        let admin_addr = admin.local_addr().expect("a bound address");
        let (run_ctx, run_config) = (ctx.clone(), config.clone());
        let spawned = Spawned::spawn(|shutdown| async move {
            crate::run(listener, admin, run_ctx, &run_config, shutdown).await;
        });
        Self {
            addr,
            admin_addr,
            ctx,
            config,
            spawned,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Stops the server and waits for it to drain; returns its config.
    pub async fn stop(self) -> Config {
        self.spawned.stop().await;
        self.config
    }
}
