//! A test's own database and Redis prefix. Reads `DATABASE_URL` (any
//! database on the test cluster; used to create the others) and
//! `REDIS_URL`, as `./test.sh` exports them.

use std::str::FromStr;

use deadpool_postgres::Pool;
use redis::aio::ConnectionManager;
use tokio_postgres::NoTls;
use uuid::Uuid;

use queue::names::RedisNames;

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
        let courses =
            courseload::courses::load_courses(&courseload::courses::repository_courses_dir())
                .expect("the repository's courses load");
        store::courses::upsert_courses(&env.pool, &courses)
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
        let pool = store::db::pool(config, 8).expect("pool");
        store::db::migrate_to(&pool, version)
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

    /// The cache and job streams of this test's prefix.
    async fn queues(&self) -> (queue::cache::QueryCache, queue::jobs::JobQueue) {
        let redis = self.redis_manager().await;
        (
            queue::cache::QueryCache::new(
                redis.clone(),
                self.names.clone(),
                std::time::Duration::from_secs(60),
            ),
            queue::jobs::JobQueue::new(redis, self.names.clone()),
        )
    }

    /// Graded work's life (claim, finish, end) over this test's database
    /// and prefix, for tests that grade without the service that would.
    pub async fn work(&self) -> store::work::GradedWork {
        let (cache, jobs) = self.queues().await;
        store::work::GradedWork::new(self.pool.clone(), cache, jobs)
    }

    /// A submission's own transitions (create, delete) over this test's
    /// database and prefix.
    pub async fn submissions(&self) -> store::work::submissions::Submissions {
        let (cache, jobs) = self.queues().await;
        store::work::submissions::Submissions::new(self.pool.clone(), cache, jobs)
    }

    /// A practice run's own transitions over this test's database and prefix.
    pub async fn practice_runs(&self) -> store::work::practice_runs::PracticeRuns {
        let (cache, jobs) = self.queues().await;
        store::work::practice_runs::PracticeRuns::new(self.pool.clone(), cache, jobs)
    }
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
