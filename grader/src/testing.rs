//! A grader started in-process for tests (feature `testing`): its config
//! for a test's database and Redis prefix, and a running replica.

use std::sync::Arc;
use std::time::Duration;

use testkit::{Spawned, TestEnv};

use crate::config::{Config, SandboxKind};
use crate::worker::Grader;

/// The tag `./test.sh` builds every runner's image under.
pub const TAG: &str = "latest";

/// A config for `env`: the pool sandbox (the default), two jobs at a
/// time, a 2 s visibility timeout (a dead replica's job is taken over
/// quickly).
pub fn config(env: &TestEnv, consumer: &str) -> Config {
    Config {
        database: env.database_url.parse().expect("the test database URL"),
        redis: env.redis.clone(),
        redis_prefix: env.names.prefix().to_owned(),
        sandbox: SandboxKind::Pool,
        runner_tag: TAG.to_owned(),
        runners: concat!(env!("CARGO_MANIFEST_DIR"), "/../runners").into(),
        concurrency: 2,
        visibility: Duration::from_secs(2),
        max_deliveries: 3,
        allowed_runners: domain::runners::ALL.map(|r| r.name).to_vec(),
        drain: Duration::from_secs(20),
        metrics_addr: "127.0.0.1:0".parse().expect("an address"),
        consumer: consumer.to_owned(),
        cache_ttl: Duration::from_secs(60),
        admin: service::server::ListenerLimits::admin(),
        version_poll: Duration::from_millis(200),
    }
}

/// A running replica.
pub struct Running {
    pub grader: Arc<Grader>,
    spawned: Spawned,
}

impl Running {
    pub async fn start(config: Config) -> Self {
        let grader = crate::build(config).await.expect("the grader builds");
        let run = grader.clone();
        Self {
            spawned: Spawned::spawn(|shutdown| run.run(shutdown)),
            grader,
        }
    }

    /// Stops reading and waits for the jobs in hand (SIGTERM's path).
    pub async fn stop(self) {
        self.spawned.stop().await;
    }

    /// How many submissions this replica has graded, whatever the verdict.
    pub fn graded(&self) -> u64 {
        domain::verdict::TABLE
            .iter()
            .map(|row| {
                self.grader
                    .metrics
                    .graded
                    .with_label_values(&[row.name])
                    .get()
            })
            .sum()
    }
}
