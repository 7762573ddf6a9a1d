//! Test helpers (feature `testing`): every test gets its own database,
//! migrated and with the repository's course loaded, and its own Redis key
//! prefix, so tests run in parallel against one Postgres and one Redis.
//!
//! Reads `DATABASE_URL` (any database on the test cluster; used to create the
//! others) and `REDIS_URL`, as `./test.sh` exports them.

use std::str::FromStr;

use deadpool_postgres::Pool;
use redis::aio::ConnectionManager;
use tokio_postgres::NoTls;
use uuid::Uuid;

use crate::names::RedisNames;

pub mod wire;

pub struct TestEnv {
    pub pool: Pool,
    /// URL of this test's own database, for services started as processes.
    pub database_url: String,
    pub redis_url: String,
    pub redis: redis::Client,
    pub names: RedisNames,
}

impl TestEnv {
    /// A fresh database with the schema and the repository's courses, and a
    /// fresh prefix.
    pub async fn new() -> Self {
        let env = Self::empty().await;
        let courses = crate::courses::load_courses(&crate::courses::repository_courses_dir())
            .expect("the repository's courses load");
        crate::courses::upsert_courses(&env.pool, &courses)
            .await
            .expect("course upsert");
        env
    }

    /// A fresh migrated database with no assignments.
    pub async fn empty() -> Self {
        Self::at_version(None).await
    }

    /// A fresh database migrated up to `version` (all the way for None).
    pub async fn at_version(version: Option<i32>) -> Self {
        let admin_url = std::env::var("DATABASE_URL")
            .expect("DATABASE_URL must point at the test cluster (./test.sh sets it)");
        let redis_url =
            std::env::var("REDIS_URL").expect("REDIS_URL must be set (./test.sh sets it)");
        let id = Uuid::new_v4().simple().to_string();
        let db_name = format!("test_{id}");

        let (admin, conn) = tokio_postgres::connect(&admin_url, NoTls)
            .await
            .expect("connect to the test cluster");
        tokio::spawn(conn);
        admin
            .batch_execute(&format!("CREATE DATABASE {db_name}"))
            .await
            .expect("create the test database");

        let database_url = with_database(&admin_url, &db_name);
        let config = tokio_postgres::Config::from_str(&database_url).expect("test database url");
        let pool = crate::db::pool(config, 8).expect("pool");
        crate::db::migrate_to(&pool, version)
            .await
            .expect("migrations");
        let redis = redis::Client::open(redis_url.as_str()).expect("REDIS_URL");
        Self {
            pool,
            database_url,
            redis_url,
            redis,
            names: RedisNames::new(format!("test:{id}:")),
        }
    }

    /// A shared, auto-reconnecting Redis connection.
    pub async fn redis_manager(&self) -> ConnectionManager {
        ConnectionManager::new(self.redis.clone())
            .await
            .expect("connect to Redis")
    }

    /// The submission state machine over this test's database and prefix,
    /// for tests that submit or grade without the service that would.
    pub async fn submissions(&self) -> crate::submissions::Submissions {
        let redis = self.redis_manager().await;
        crate::submissions::Submissions::new(
            self.pool.clone(),
            crate::cache::QueryCache::new(
                redis.clone(),
                self.names.clone(),
                std::time::Duration::from_secs(60),
            ),
            crate::jobs::JobQueue::new(redis, self.names.clone()),
        )
    }
}

impl TestEnv {
    /// The practice runs' state machine over this test's database and prefix.
    pub async fn runs(&self) -> crate::runs::Runs {
        crate::runs::Runs::new(
            self.pool.clone(),
            crate::jobs::JobQueue::new(self.redis_manager().await, self.names.clone()),
        )
    }
}

/// The token secret every test signs with (32 bytes or more, as the
/// services require).
pub const TEST_SECRET: &[u8] = b"codeplatform-test-secret-codeplatform-test";

/// A signer for [`TEST_SECRET`].
pub fn test_signer() -> crate::token::TokenSigner {
    crate::token::TokenSigner::new(TEST_SECRET).expect("the test secret is long enough")
}

/// Polls `check` every 25 ms until it holds or `wait` passes; whether it held.
pub async fn eventually<F, Fut>(wait: std::time::Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        if check().await {
            return true;
        }
        if tokio::time::Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

/// The shutdown future a service under test gets: it resolves when the
/// test calls [`Spawned::stop`] (or drops it).
pub struct Shutdown(tokio::sync::oneshot::Receiver<()>);

impl std::future::Future for Shutdown {
    type Output = ();

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        std::pin::Pin::new(&mut self.0).poll(cx).map(|_| ())
    }
}

/// A service's run loop in a task of its own, stopped by the test.
pub struct Spawned {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl Spawned {
    /// Starts `run` with the shutdown future it must honour.
    pub fn spawn<F>(run: impl FnOnce(Shutdown) -> F) -> Self
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        let (stop, stopped) = tokio::sync::oneshot::channel();
        Self {
            stop,
            task: tokio::spawn(run(Shutdown(stopped))),
        }
    }

    /// Resolves the shutdown future and waits until the service returned.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.expect("the service task does not panic");
    }
}

/// A TCP port on loopback that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A throwaway redis-server on `port` (no persistence), answering when this
/// returns; killed when the child is dropped. For tests that stop Redis
/// without disturbing the shared one.
pub async fn start_redis(port: u16) -> tokio::process::Child {
    let child = tokio::process::Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("redis-server runs (./test.sh installs it)");
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return child;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("redis-server did not answer on {port}");
}

/// The same URL naming another database.
pub fn with_database(url: &str, db_name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    let mut out = format!("{}/{}", &base[..path_start], db_name);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_name_is_replaced() {
        assert_eq!(
            with_database("postgres://u:p@127.0.0.1:5/codeplatform", "t1"),
            "postgres://u:p@127.0.0.1:5/t1"
        );
        assert_eq!(
            with_database("postgres://u:p@h:5?sslmode=disable", "t1"),
            "postgres://u:p@h:5/t1?sslmode=disable"
        );
    }
}
