//! codeplatform's Postgres, the system of record: the pool, the migrations
//! and every state machine. Each table has one writer here
//! (`testkit/tests/tree_rules.rs` keeps it so).
//!
//! - [`db`]: the pool, migrations under an advisory lock, the submission row.
//! - [`submissions`]: a submission's life, the one writer of submissions and completions.
//! - [`runs`]: a practice run's life, the one writer of runs.
//! - [`courses`]: courses and assignments made to match the course folders.

pub mod courses;
pub mod db;
pub mod runs;
pub mod submissions;

mod error;

pub use error::Error;

/// Whether the two stores answer, each within `wait`, as a readiness list:
/// what the API and the grader both depend on.
pub async fn ready(
    pool: &deadpool_postgres::Pool,
    redis: &redis::aio::ConnectionManager,
    wait: std::time::Duration,
) -> Vec<(&'static str, bool)> {
    let (postgres, redis) = tokio::join!(
        tokio::time::timeout(wait, db::answers(pool)),
        tokio::time::timeout(wait, queue::answers(redis))
    );
    vec![
        ("postgres", postgres.unwrap_or(false)),
        ("redis", redis.unwrap_or(false)),
    ]
}
