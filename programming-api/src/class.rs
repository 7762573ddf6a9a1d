//! The live class view's snapshot: what the staff page shows before the
//! gateway's course topic brings each change, and re-reads after one (the
//! pass counts and who is stuck are Postgres's to say, never tallied in a
//! browser that may have missed an event).

use chrono::{DateTime, Utc};
use postgres_from_row::FromRow;
use serde::Serialize;
use uuid::Uuid;

/// Submissions the snapshot lists, newest first.
pub const RECENT: i64 = 50;
/// Stuck learners it lists at most, most failures first.
pub const MAX_STUCK: i64 = 200;

/// A submission as the class view lists it: no code, no feedback.
#[derive(Debug, Serialize, FromRow)]
pub struct Arrival {
    pub id: Uuid,
    pub user_id: Uuid,
    pub display_name: Option<String>,
    pub assignment_id: i32,
    pub status: String,
    pub verdict: Option<String>,
    pub late: bool,
    pub created_at: DateTime<Utc>,
    pub graded_at: Option<DateTime<Utc>>,
}

/// A learner with `failed` failed submissions in a row on an assignment they
/// have not passed, at least the course's `stuck_after`.
#[derive(Debug, Serialize, FromRow)]
pub struct Stuck {
    pub user_id: Uuid,
    pub display_name: Option<String>,
    pub student_number: Option<String>,
    pub assignment_id: i32,
    pub failed: i64,
    pub last_failed_at: Option<DateTime<Utc>>,
}

/// Which of a course's submissions the class view lists: all, or one
/// assignment's, one learner's, or both; each page of [`RECENT`] older than
/// the submission `before` (the last of the page before).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Listing {
    pub assignment: Option<i32>,
    pub learner: Option<Uuid>,
    pub before: Option<Uuid>,
}

/// The course's latest submissions, as `listing` narrows them, newest first.
pub async fn recent(
    client: &deadpool_postgres::Object,
    course_id: i32,
    listing: &Listing,
) -> Result<Vec<Arrival>, store::Error> {
    let rows = client
        .query(
            "SELECT s.id, s.user_id, u.display_name, s.assignment_id, s.status::text AS status,
                    s.verdict, s.late, s.created_at, s.graded_at
             FROM submissions s
             JOIN assignments a ON a.id = s.assignment_id
             JOIN users u ON u.id = s.user_id
             WHERE a.course_id = $1
               AND ($3::integer IS NULL OR s.assignment_id = $3)
               AND ($4::uuid IS NULL OR s.user_id = $4)
               AND ($5::uuid IS NULL OR (s.created_at, s.id) <
                    (SELECT p.created_at, p.id FROM submissions p WHERE p.id = $5))
             ORDER BY s.created_at DESC, s.id DESC LIMIT $2",
            &[
                &course_id,
                &RECENT,
                &listing.assignment,
                &listing.learner,
                &listing.before,
            ],
        )
        .await?;
    rows.iter().map(|r| Ok(Arrival::try_from_row(r)?)).collect()
}

/// Learners stuck in the course. On an assignment not passed yet every graded
/// submission failed, so the run of failures is all of them (our own errors
/// do not count against a learner); a pass, even one deleted later, ends it.
pub async fn stuck(
    client: &deadpool_postgres::Object,
    course_id: i32,
    stuck_after: i32,
) -> Result<Vec<Stuck>, store::Error> {
    let rows = client
        .query(
            "SELECT s.user_id, u.display_name, u.student_number, s.assignment_id,
                    count(*) AS failed, max(s.graded_at) AS last_failed_at
             FROM submissions s
             JOIN assignments a ON a.id = s.assignment_id
             JOIN users u ON u.id = s.user_id
             WHERE a.course_id = $1 AND a.position IS NOT NULL AND s.status = 'failed'
               AND NOT EXISTS (SELECT 1 FROM completions c
                               WHERE c.user_id = s.user_id AND c.assignment_id = s.assignment_id)
             GROUP BY 1, 2, 3, 4
             HAVING count(*) >= $2
             ORDER BY failed DESC, max(s.graded_at) DESC
             LIMIT $3",
            &[&course_id, &i64::from(stuck_after), &MAX_STUCK],
        )
        .await?;
    rows.iter().map(|r| Ok(Stuck::try_from_row(r)?)).collect()
}
