//! Postgres: the pool, migrations under an advisory lock, and the submission
//! row mapping both the API and the grader read.

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::{NoTls, Row};

use crate::Error;
use chrono::{DateTime, Utc};
use domain::verdict::Verdict;
use domain::work::{Feedback, Hold, Submission, SubmissionStatus};

mod embedded {
    refinery::embed_migrations!("../migrations");
}

/// Any fixed number: every replica that starts at once waits on the same lock,
/// so migrations run exactly once.
const MIGRATION_LOCK: i64 = 0x636f_6465_706c_6174;

/// The Postgres settings of `url`, with `password` (from a secret file) in
/// place of any in the URL, so it never has to sit in a container's
/// environment.
pub fn config(url: &str, password: Option<String>) -> Result<tokio_postgres::Config, Error> {
    let mut config: tokio_postgres::Config = url
        .parse()
        .map_err(|e| Error::Config(format!("DATABASE_URL is not a valid Postgres URL: {e}")))?;
    if let Some(password) = password {
        config.password(password);
    }
    Ok(config)
}

/// A pool that connects lazily: a service starts while Postgres is still down
/// and reports not-ready until it answers.
pub fn pool(mut config: tokio_postgres::Config, max_size: usize) -> Result<Pool, Error> {
    config.connect_timeout(std::time::Duration::from_secs(3));
    let manager = Manager::from_config(
        config,
        NoTls,
        ManagerConfig {
            // Fast: a connection whose socket closed (Postgres restarted) is
            // dropped at checkout; no extra round trip per request.
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(max_size)
        .wait_timeout(Some(std::time::Duration::from_secs(5)))
        .create_timeout(Some(std::time::Duration::from_secs(5)))
        .recycle_timeout(Some(std::time::Duration::from_secs(2)))
        .runtime(deadpool_postgres::Runtime::Tokio1)
        .build()
        .map_err(|e| Error::Config(format!("postgres pool: {e}")))
}

/// Runs the migrations under `migrations/`, once, whatever number of
/// replicas start together.
pub async fn migrate(pool: &Pool) -> Result<(), Error> {
    migrate_to(pool, None).await
}

/// Runs the migrations up to `version` (all of them for None): a test of a
/// migration fills a database at the version before it.
pub async fn migrate_to(pool: &Pool, version: Option<i32>) -> Result<(), Error> {
    let mut client = pool.get().await?;
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    let target = version.map_or(refinery::Target::Latest, refinery::Target::Version);
    let result = embedded::migrations::runner()
        .set_target(target)
        .run_async(&mut **client)
        .await;
    client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .await?;
    result?;
    Ok(())
}

/// The columns [`submission_from_row`] reads, in a form to splice into SELECTs.
pub const SUBMISSION_COLUMNS: &str =
    "id, assignment_id, status::text AS status, verdict, code, created_at, graded_at, feedback, late";

/// Maps a row selected with [`SUBMISSION_COLUMNS`].
pub fn submission_from_row(row: &Row) -> Result<Submission, Error> {
    let status: String = row.try_get("status")?;
    Ok(Submission {
        id: row.try_get("id")?,
        assignment_id: row.try_get("assignment_id")?,
        status: SubmissionStatus::parse(&status)
            .ok_or_else(|| Error::Malformed(format!("status {status:?}")))?,
        verdict: verdict_in(row)?,
        code: row.try_get("code")?,
        created_at: row.try_get("created_at")?,
        graded_at: row.try_get("graded_at")?,
        late: row.try_get("late")?,
        feedback: feedback_in(row)?,
        held_until: None,
    })
}

/// The columns [`hold_from_row`] reads for a row with `user_id` and
/// `assignment_id`, its hold judged at `at` (a parameter like `$3`, or
/// `now()`): the one place that asks Postgres's `held_until()`.
pub fn hold_columns(at: &str) -> String {
    format!(
        "held_until(user_id, assignment_id, {at}) AS held_until,
         (SELECT h.before_release = 'visible_tests' FROM assignments h
          WHERE h.id = assignment_id) AS held_visible_tests"
    )
}

/// A learner's hold on an assignment's results at `at`.
pub async fn hold_of(
    client: &tokio_postgres::Client,
    user_id: uuid::Uuid,
    assignment_id: i32,
    at: DateTime<Utc>,
) -> Result<Option<Hold>, Error> {
    let row = client
        .query_one(
            &format!(
                "SELECT {} FROM (SELECT $1::uuid AS user_id, $2::integer AS assignment_id) w",
                hold_columns("$3")
            ),
            &[&user_id, &assignment_id, &at],
        )
        .await?;
    hold_from_row(&row)
}

/// A learner's hold on a row selected with [`hold_columns`].
pub fn hold_from_row(row: &Row) -> Result<Option<Hold>, Error> {
    let until: Option<DateTime<Utc>> = row.try_get("held_until")?;
    Ok(match until {
        Some(until) => Some(Hold {
            until,
            visible_tests: row
                .try_get::<_, Option<bool>>("held_visible_tests")?
                .unwrap_or(false),
        }),
        None => None,
    })
}

/// A graded work row's `verdict` column: none yet, or one the table knows.
pub(crate) fn verdict_in(row: &Row) -> Result<Option<Verdict>, Error> {
    let verdict: Option<String> = row.try_get("verdict")?;
    verdict
        .map(|v| Verdict::parse(&v).ok_or_else(|| Error::Malformed(format!("verdict {v:?}"))))
        .transpose()
}

/// A graded work row's `feedback` column, read back as the learner's feedback.
pub(crate) fn feedback_in(row: &Row) -> Result<Option<Feedback>, Error> {
    let feedback: Option<serde_json::Value> = row.try_get("feedback")?;
    feedback
        .map(serde_json::from_value::<Feedback>)
        .transpose()
        .map_err(|e| Error::Malformed(format!("feedback: {e}")))
}

/// Whether Postgres answers a query through `pool`.
pub async fn answers(pool: &Pool) -> bool {
    match pool.get().await {
        Ok(client) => client.query_one("SELECT 1", &[]).await.is_ok(),
        Err(_) => false,
    }
}
