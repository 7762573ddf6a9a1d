//! A course's versions, the one writer of `course_versions`: published
//! (`checking`), taken by a grader under a lease, then `live` (applied to
//! the course in the same transaction) or `rejected` with its reasons. A
//! version that passed its check may be made live again at any time; its
//! checked content is kept for that.

use std::time::Duration;

use deadpool_postgres::Pool;
use domain::course::CourseSource;
use domain::published::CourseVersion;
use uuid::Uuid;

use crate::courses::{apply, COURSES_LOCK};
use crate::Error;

/// How many versions of one course may wait for their check at once.
pub const MAX_CHECKING: i64 = 3;
/// How often a version is taken up for its check before it is rejected as
/// one the sandbox could not check.
pub const MAX_ATTEMPTS: i32 = 3;

fn state_of(row: &tokio_postgres::Row) -> Result<CourseVersion, Error> {
    Ok(CourseVersion {
        version: row.try_get("version")?,
        status: row.try_get("status")?,
        current: row.try_get("current")?,
        reasons: row.try_get("reasons")?,
        created_at: row.try_get("created_at")?,
        checked_at: row.try_get("checked_at")?,
    })
}

const STATE_COLUMNS: &str = "v.version, v.status::text AS status, v.reasons, v.created_at,
    v.checked_at, v.version = c.live_version AS current";

/// Why a version could not be published.
#[derive(Debug)]
pub enum Refused {
    /// [`MAX_CHECKING`] of the course's versions wait for their check.
    Busy,
}

/// Stores a new version of `course_id` to be checked; its number.
pub async fn publish(
    pool: &Pool,
    course_id: i32,
    staff_id: Uuid,
    archive: &[u8],
) -> Result<Result<i32, Refused>, Error> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    // The course's row is the lock that numbers its versions one by one.
    tx.execute(
        "SELECT 1 FROM courses WHERE id = $1 FOR UPDATE",
        &[&course_id],
    )
    .await?;
    let checking: i64 = tx
        .query_one(
            "SELECT count(*) AS n FROM course_versions
             WHERE course_id = $1 AND status = 'checking'",
            &[&course_id],
        )
        .await?
        .get("n");
    if checking >= MAX_CHECKING {
        return Ok(Err(Refused::Busy));
    }
    let row = tx
        .query_one(
            "INSERT INTO course_versions (course_id, version, status, archive, published_by)
             SELECT $1, greatest(max(version), 1) + 1, 'checking', $2, $3
             FROM course_versions WHERE course_id = $1
             RETURNING version",
            &[&course_id, &archive, &staff_id],
        )
        .await?;
    tx.commit().await?;
    Ok(Ok(row.get("version")))
}

/// One version's state, or None when the course has no such version.
pub async fn state(
    pool: &Pool,
    course_id: i32,
    version: i32,
) -> Result<Option<CourseVersion>, Error> {
    let client = pool.get().await?;
    client
        .query_opt(
            &format!(
                "SELECT {STATE_COLUMNS} FROM course_versions v JOIN courses c ON c.id = v.course_id
                 WHERE v.course_id = $1 AND v.version = $2"
            ),
            &[&course_id, &version],
        )
        .await?
        .map(|r| state_of(&r))
        .transpose()
}

/// Every version of a course, newest first.
pub async fn list(pool: &Pool, course_id: i32) -> Result<Vec<CourseVersion>, Error> {
    let client = pool.get().await?;
    client
        .query(
            &format!(
                "SELECT {STATE_COLUMNS} FROM course_versions v JOIN courses c ON c.id = v.course_id
                 WHERE v.course_id = $1 ORDER BY v.version DESC"
            ),
            &[&course_id],
        )
        .await?
        .iter()
        .map(state_of)
        .collect()
}

/// A version a grader took to check.
pub struct Taken {
    pub course_id: i32,
    pub slug: String,
    pub version: i32,
    pub archive: Vec<u8>,
    /// How many times it has been taken, this time included.
    pub attempts: i32,
}

/// Takes the oldest version waiting for its check that no other grader
/// holds, for `lease`; None when there is none.
pub async fn take(pool: &Pool, lease: Duration) -> Result<Option<Taken>, Error> {
    let client = pool.get().await?;
    let lease_ms = lease.as_millis() as f64;
    let row = client
        .query_opt(
            "WITH next AS (
                 SELECT course_id, version FROM course_versions
                 WHERE status = 'checking' AND (lease_until IS NULL OR lease_until < now())
                 ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
             UPDATE course_versions v
             SET lease_until = now() + $1 * interval '1 millisecond', attempts = attempts + 1
             FROM next, courses c
             WHERE (v.course_id, v.version) = (next.course_id, next.version) AND c.id = v.course_id
             RETURNING v.course_id, c.slug, v.version, v.archive, v.attempts",
            &[&lease_ms],
        )
        .await?;
    row.map(|r| {
        Ok(Taken {
            course_id: r.try_get("course_id")?,
            slug: r.try_get("slug")?,
            version: r.try_get("version")?,
            archive: r.try_get("archive")?,
            attempts: r.try_get("attempts")?,
        })
    })
    .transpose()
}

/// Gives a taken version back unchecked (the sandbox failed), to be taken
/// again after `wait`.
pub async fn give_back(pool: &Pool, taken: &Taken, wait: Duration) -> Result<(), Error> {
    let client = pool.get().await?;
    client
        .execute(
            "UPDATE course_versions SET lease_until = now() + $3 * interval '1 millisecond'
             WHERE course_id = $1 AND version = $2 AND status = 'checking'",
            &[&taken.course_id, &taken.version, &(wait.as_millis() as f64)],
        )
        .await?;
    Ok(())
}

/// Ends a taken version's check as rejected, with its reasons.
pub async fn reject(pool: &Pool, taken: &Taken, reasons: &[String]) -> Result<(), Error> {
    let client = pool.get().await?;
    client
        .execute(
            "UPDATE course_versions SET status = 'rejected', reasons = $3, checked_at = now(),
                 lease_until = NULL
             WHERE course_id = $1 AND version = $2 AND status = 'checking'",
            &[&taken.course_id, &taken.version, &reasons],
        )
        .await?;
    Ok(())
}

/// Ends a taken version's check as passed, and makes `source` (the version
/// as checked) what the course serves, in one transaction. False when it
/// was no longer checking (another grader ended it first).
pub async fn pass(pool: &Pool, taken: &Taken, source: &CourseSource) -> Result<bool, Error> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&COURSES_LOCK])
        .await?;
    let content = serde_json::to_value(source).map_err(|e| Error::Malformed(e.to_string()))?;
    let passed = tx
        .execute(
            "UPDATE course_versions SET status = 'live', content = $3, checked_at = now(),
                 lease_until = NULL
             WHERE course_id = $1 AND version = $2 AND status = 'checking'",
            &[&taken.course_id, &taken.version, &content],
        )
        .await?;
    if passed == 0 {
        return Ok(false);
    }
    apply(&tx, source, taken.version).await?;
    tx.commit().await?;
    Ok(true)
}

/// Makes a version that passed its check what the course serves again.
/// False when it never passed (still checking, or rejected); None when
/// the course has no such version.
pub async fn make_live(pool: &Pool, course_id: i32, version: i32) -> Result<Option<bool>, Error> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&COURSES_LOCK])
        .await?;
    let Some(row) = tx
        .query_opt(
            "SELECT status::text AS status, content FROM course_versions
             WHERE course_id = $1 AND version = $2",
            &[&course_id, &version],
        )
        .await?
    else {
        return Ok(None);
    };
    let content: Option<serde_json::Value> = row.try_get("content")?;
    let (Some(content), "live") = (content, row.try_get::<_, &str>("status")?) else {
        return Ok(Some(false));
    };
    let source: CourseSource = serde_json::from_value(content)
        .map_err(|e| Error::Malformed(format!("version {version}'s content: {e}")))?;
    apply(&tx, &source, version).await?;
    tx.commit().await?;
    Ok(Some(true))
}

/// Each listed course's id and the version it serves: what an API replica
/// compares with its catalog to see a version go live elsewhere.
pub async fn live_versions(pool: &Pool) -> Result<Vec<(i32, i32)>, Error> {
    let client = pool.get().await?;
    Ok(client
        .query(
            "SELECT id, live_version FROM courses WHERE listed ORDER BY id",
            &[],
        )
        .await?
        .iter()
        .map(|r| (r.get("id"), r.get("live_version")))
        .collect())
}
