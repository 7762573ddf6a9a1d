//! The grader's reads and writes in Postgres. Every write is conditional on
//! the status it expects, so a job delivered twice changes nothing twice.

use common::db::{submission_from_row, SUBMISSION_COLUMNS};
use common::domain::{Feedback, Submission, Verdict};
use deadpool_postgres::Pool;
use uuid::Uuid;

use crate::sandbox::TestSuite;

/// A submission taken for grading, with what running it needs.
pub struct Claimed {
    pub submission: Submission,
    pub user_id: Uuid,
    pub content_hash: String,
    pub time_limit_ms: i32,
    pub test_time_limit_ms: i32,
    pub memory_limit_mb: i32,
}

/// Marks a submission `grading`. A first delivery takes only a `queued` one;
/// a redelivery (its grader died) may also take over one left `grading`.
/// None: already final, deleted, or held by another grader.
pub async fn claim(
    pool: &Pool,
    id: Uuid,
    redelivered: bool,
) -> Result<Option<Claimed>, common::Error> {
    let client = pool.get().await?;
    let statement = client
        .prepare_cached(
            "WITH claimed AS (
                 UPDATE submissions SET status = 'grading', attempts = attempts + 1
                 WHERE id = $1 AND (status = 'queued' OR ($2 AND status = 'grading'))
                 RETURNING *)
             SELECT c.id, c.assignment_id, c.status::text AS status, c.verdict, c.code,
                    c.created_at, c.graded_at, c.feedback, c.user_id, a.content_hash,
                    a.time_limit_ms, a.test_time_limit_ms, a.memory_limit_mb
             FROM claimed c JOIN assignments a ON a.id = c.assignment_id",
        )
        .await?;
    let Some(row) = client.query_opt(&statement, &[&id, &redelivered]).await? else {
        return Ok(None);
    };
    Ok(Some(Claimed {
        submission: submission_from_row(&row)?,
        user_id: row.try_get("user_id")?,
        content_hash: row.try_get("content_hash")?,
        time_limit_ms: row.try_get("time_limit_ms")?,
        test_time_limit_ms: row.try_get("test_time_limit_ms")?,
        memory_limit_mb: row.try_get("memory_limit_mb")?,
    }))
}

/// The tests of an assignment version, or None if it changed meanwhile.
pub async fn tests_of(
    pool: &Pool,
    assignment_id: i32,
    content_hash: &str,
) -> Result<Option<TestSuite>, common::Error> {
    let client = pool.get().await?;
    let row = client
        .query_opt(
            "SELECT test_code, test_ids, hidden_tests FROM assignments
             WHERE id = $1 AND content_hash = $2",
            &[&assignment_id, &content_hash],
        )
        .await?;
    row.map(|r| {
        Ok(TestSuite {
            code: r.try_get(0)?,
            ids: r.try_get(1)?,
            hidden: r.try_get(2)?,
        })
    })
    .transpose()
}

/// Writes the verdict and, on a first pass, the completion, in one
/// transaction. None when the submission is no longer `grading` (another
/// delivery finished it): nothing is written then.
pub async fn finish(
    pool: &Pool,
    id: Uuid,
    verdict: Verdict,
    feedback: &Feedback,
    assignment_hash: Option<&str>,
) -> Result<Option<Submission>, common::Error> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let feedback = serde_json::to_value(feedback.clone().storable())
        .map_err(|e| common::Error::Malformed(e.to_string()))?;
    let row = tx
        .query_opt(
            &format!(
                "UPDATE submissions SET status = $2::text::submission_status, verdict = $3,
                     feedback = $4, graded_at = now(),
                     assignment_hash = coalesce($5, assignment_hash)
                 WHERE id = $1 AND status = 'grading'
                 RETURNING {SUBMISSION_COLUMNS}, user_id"
            ),
            &[
                &id,
                &verdict.status().as_str(),
                &verdict.as_str(),
                &feedback,
                &assignment_hash,
            ],
        )
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let submission = submission_from_row(&row)?;
    if verdict == Verdict::Passed {
        let user_id: Uuid = row.try_get("user_id")?;
        tx.execute(
            "INSERT INTO completions (user_id, assignment_id, submission_id)
             VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[&user_id, &submission.assignment_id, &id],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Some(submission))
}

/// Ends a submission that could not be graded after its last delivery.
pub async fn give_up(
    pool: &Pool,
    id: Uuid,
    deliveries: u64,
) -> Result<Option<(Submission, Uuid)>, common::Error> {
    let client = pool.get().await?;
    let feedback = serde_json::to_value(Feedback {
        summary: format!(
            "We could not grade this submission after {deliveries} attempts. This is our fault, \
             not your code's: please submit again."
        ),
        ..Default::default()
    })
    .map_err(|e| common::Error::Malformed(e.to_string()))?;
    let row = client
        .query_opt(
            &format!(
                "UPDATE submissions SET status = 'error', verdict = 'internal_error',
                     feedback = $2, graded_at = now()
                 WHERE id = $1 AND status IN ('queued', 'grading')
                 RETURNING {SUBMISSION_COLUMNS}, user_id"
            ),
            &[&id, &feedback],
        )
        .await?;
    row.map(|r| Ok((submission_from_row(&r)?, r.try_get("user_id")?)))
        .transpose()
}
