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
    // Taken [`MAX_ATTEMPTS`] times and never ended (a grader died, or its
    // outcome could not be written each time): rejected, not taken forever.
    client
        .execute(
            "UPDATE course_versions SET status = 'rejected', checked_at = now(),
                 reasons = ARRAY['its check was begun ' || attempts || ' times and never \
                                  ended; publish it again, and tell your operator if it \
                                  happens again']
             WHERE status = 'checking' AND attempts >= $1 AND lease_until < now()",
            &[&MAX_ATTEMPTS],
        )
        .await?;
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

/// Ends a taken version's check as rejected, with its reasons (NUL shown
/// as ␀: Postgres text holds none). False when it was no longer checking.
pub async fn reject(pool: &Pool, taken: &Taken, reasons: &[String]) -> Result<bool, Error> {
    let reasons: Vec<String> = reasons
        .iter()
        .map(|r| r.replace('\0', "\u{2400}"))
        .collect();
    let client = pool.get().await?;
    let rejected = client
        .execute(
            "UPDATE course_versions SET status = 'rejected', reasons = $3, checked_at = now(),
                 lease_until = NULL
             WHERE course_id = $1 AND version = $2 AND status = 'checking'",
            &[&taken.course_id, &taken.version, &reasons],
        )
        .await?;
    Ok(rejected == 1)
}

/// How a passed check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passed {
    /// The course serves it now.
    Served,
    /// Kept, not served: a later version, or one made live since it was
    /// published, is served (the later decision stands).
    Kept,
    /// It was no longer checking (another grader ended it first).
    Gone,
}

/// Ends a taken version's check as passed and, unless a later decision
/// stands, makes `source` (the version as checked) what the course serves,
/// in one transaction.
pub async fn pass(pool: &Pool, taken: &Taken, source: &CourseSource) -> Result<Passed, Error> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&COURSES_LOCK])
        .await?;
    let content = serde_json::to_value(source).map_err(|e| Error::Malformed(e.to_string()))?;
    let Some(passed) = tx
        .query_opt(
            "UPDATE course_versions v SET status = 'live', content = $3, checked_at = now(),
                 lease_until = NULL
             FROM courses c
             WHERE v.course_id = $1 AND v.version = $2 AND v.status = 'checking'
               AND c.id = v.course_id
             RETURNING v.version > c.live_version AND v.created_at > c.live_since AS latest",
            &[&taken.course_id, &taken.version, &content],
        )
        .await?
    else {
        return Ok(Passed::Gone);
    };
    let served = if passed.try_get("latest")? {
        serve(&tx, source, taken.course_id, taken.version).await?;
        Passed::Served
    } else {
        Passed::Kept
    };
    tx.commit().await?;
    Ok(served)
}

/// `source` served as the course's `version` from now on (inside a
/// transaction holding [`COURSES_LOCK`]).
async fn serve(
    tx: &deadpool_postgres::Transaction<'_>,
    source: &CourseSource,
    course_id: i32,
    version: i32,
) -> Result<(), Error> {
    apply(tx, source, version).await?;
    tx.execute(
        "UPDATE courses SET live_since = now() WHERE id = $1",
        &[&course_id],
    )
    .await?;
    Ok(())
}

/// A version that passed its check, as it was checked: what making it live
/// again serves. None when the course has no such version; `Err(status)`
/// when it did not pass (still checking, or rejected).
pub async fn checked_content(
    pool: &Pool,
    course_id: i32,
    version: i32,
) -> Result<Option<Result<CourseSource, String>>, Error> {
    let client = pool.get().await?;
    let Some(row) = client
        .query_opt(
            "SELECT status::text AS status, content FROM course_versions
             WHERE course_id = $1 AND version = $2",
            &[&course_id, &version],
        )
        .await?
    else {
        return Ok(None);
    };
    let status: String = row.try_get("status")?;
    let content: Option<serde_json::Value> = row.try_get("content")?;
    let Some(content) = content.filter(|_| status == "live") else {
        return Ok(Some(Err(status)));
    };
    serde_json::from_value(content)
        .map(|source| Some(Ok(source)))
        .map_err(|e| Error::Malformed(format!("version {version}'s content: {e}")))
}

/// Serves a version that passed its check again, `source` being its
/// content as [`checked_content`] read it (its hashes made anew by the
/// caller); false when it no longer passed.
pub async fn make_live(
    pool: &Pool,
    course_id: i32,
    version: i32,
    source: &CourseSource,
) -> Result<bool, Error> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&COURSES_LOCK])
        .await?;
    let checked = tx
        .query_opt(
            "SELECT 1 AS one FROM course_versions
             WHERE course_id = $1 AND version = $2 AND status = 'live'",
            &[&course_id, &version],
        )
        .await?;
    if checked.is_none() {
        return Ok(false);
    }
    serve(&tx, source, course_id, version).await?;
    tx.commit().await?;
    Ok(true)
}

/// Keeps a version a grader is checking its own for `lease` more.
pub async fn renew(pool: &Pool, taken: &Taken, lease: Duration) -> Result<(), Error> {
    let client = pool.get().await?;
    client
        .execute(
            "UPDATE course_versions SET lease_until = now() + $3 * interval '1 millisecond'
             WHERE course_id = $1 AND version = $2 AND status = 'checking'",
            &[
                &taken.course_id,
                &taken.version,
                &(lease.as_millis() as f64),
            ],
        )
        .await?;
    Ok(())
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
