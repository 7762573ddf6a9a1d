//! codeplatform's Postgres, the system of record: the pool, the migrations
//! and every state machine. Each table has one writer here
//! (`testkit/tests/tree_rules.rs` keeps it so).
//!
//! - [`db`]: the pool, migrations under an advisory lock, the submission row.
//! - [`work`]: graded work's one life (claim, push, requeue, end), and each
//!   kind's own part: [`work::submissions`] (attempts, completions, points)
//!   and [`work::practice_runs`]; the one writer of submissions,
//!   completions and runs.
//! - [`access`]: who may work on an assignment, and when: membership,
//!   opening and due dates, written once.
//! - [`courses`]: courses and assignments made to match a course version.
//! - [`versions`]: a course's versions: published, checked by a grader, live or rejected.
//! - `error`: the crate's one error ([`Error`]).

pub mod access;
pub mod courses;
pub mod db;
pub mod versions;
pub mod work;

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
