//! A practice run's own part of graded work's life (`super`): "Run tests".
//!
//! ```text
//!   create ──▶ queued;  finish: running ──▶ done
//!   expire: queued longer than [`WAIT_AT_MOST`] → done (internal_error).
//!   purge: runs done more than a day ago.
//!   A learner has at most one run not done (a unique index).
//! ```
//!
//! A run is not a submission: it uses no attempt, earns no points, records
//! no verdict of the learner's, and runs the visible tests alone.

use std::time::Duration;

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use tokio_postgres::Row;
use uuid::Uuid;

use domain::verdict::Verdict;
use domain::work::{Feedback, PracticeRun, PracticeRunStatus, WorkRef};
use queue::cache::QueryCache;
use queue::jobs::JobQueue;

use super::{Finished, GradedWork, Judged, PRACTICE_RUNS};
use crate::Error;

/// How long a finished run stays readable.
pub const KEPT_FOR: Duration = Duration::from_secs(24 * 3600);

/// How long a run may wait for a grader: graded work goes first, so under a
/// long burst a run ends unrun, and its learner may try again.
pub const WAIT_AT_MOST: Duration = Duration::from_secs(10 * 60);

/// The columns [`from_row`] reads.
pub(super) const COLUMNS: &str =
    "id, assignment_id, status, verdict, feedback, created_at, finished_at";

/// Inserts a run when the assignment is listed, the learner may work on it
/// (an open course, or a member of a join-code course), it is open, and
/// fewer than $5 runs wait already. $1 id, $2 user, $3 assignment, $4 code,
/// $5 queue bound, $6 now. Always one row when the assignment is listed:
/// `id` is NULL when nothing was inserted, and the other columns say why.
const CREATE: &str = concat!(
    "
    WITH assignment AS (
        SELECT a.id, a.opens_at,
               ",
    crate::access::member!("$2"),
    " AS member,
               ",
    crate::access::not_open!("$6"),
    " AS not_open
        FROM assignments a JOIN courses c ON c.id = a.course_id
        WHERE a.id = $3 AND a.position IS NOT NULL),
    inserted AS (
        INSERT INTO runs (id, user_id, assignment_id, code, enqueued_at)
        SELECT $1, $2, a.id, $4, now() FROM assignment a
        WHERE a.member AND NOT a.not_open
          AND (SELECT count(*) FROM runs WHERE status = 'queued') < $5
        RETURNING *)
    SELECT i.id, i.assignment_id, i.status, i.verdict, i.feedback, i.created_at,
           i.finished_at, i.user_id, a.member, a.not_open, a.opens_at
    FROM assignment a LEFT JOIN inserted i ON true"
);

#[derive(Debug, thiserror::Error)]
pub enum CreatePracticeRunError {
    #[error("no such learner")]
    UnknownUser,
    #[error("no such assignment")]
    NoSuchAssignment,
    /// The learner has a run not done yet.
    #[error("a run is already waiting")]
    AlreadyRunning,
    #[error("not a member of the course")]
    NotEnrolled,
    #[error("the assignment opens at {0}")]
    NotOpenYet(DateTime<Utc>),
    /// As many runs wait for a grader as may: nothing was stored.
    #[error("the queue is full")]
    QueueFull,
    #[error(transparent)]
    Store(#[from] Error),
}

/// Maps a row selected with [`COLUMNS`].
pub(super) fn from_row(row: &Row) -> Result<PracticeRun, Error> {
    let status: String = row.try_get("status")?;
    Ok(PracticeRun {
        id: row.try_get("id")?,
        assignment_id: row.try_get("assignment_id")?,
        status: PracticeRunStatus::parse(&status)
            .ok_or_else(|| Error::Malformed(format!("run status {status:?}")))?,
        verdict: crate::db::verdict_in(row)?,
        feedback: crate::db::feedback_in(row)?,
        created_at: row.try_get("created_at")?,
        finished_at: row.try_get("finished_at")?,
    })
}

/// A practice run's own transitions, over Postgres (the truth) and its
/// stream.
#[derive(Clone)]
pub struct PracticeRuns {
    pool: Pool,
    work: GradedWork,
}

impl PracticeRuns {
    pub fn new(pool: Pool, cache: QueryCache, jobs: JobQueue) -> Self {
        Self {
            work: GradedWork::new(pool.clone(), cache, jobs),
            pool,
        }
    }

    /// A new run of `code`: stored queued and pushed (or marked for the
    /// reconciler when the push fails). Refused, with nothing stored, as
    /// [`CreatePracticeRunError`] says.
    pub async fn create(
        &self,
        user_id: Uuid,
        assignment_id: i32,
        code: &str,
        queue_limit: i64,
        now: DateTime<Utc>,
    ) -> Result<PracticeRun, CreatePracticeRunError> {
        let id = Uuid::new_v4();
        let client = self.pool.get().await.map_err(Error::from)?;
        let statement = client.prepare_cached(CREATE).await.map_err(Error::from)?;
        let row = client
            .query_opt(
                &statement,
                &[&id, &user_id, &assignment_id, &code, &queue_limit, &now],
            )
            .await
            .map_err(|e| match e.code() {
                Some(&tokio_postgres::error::SqlState::FOREIGN_KEY_VIOLATION) => {
                    CreatePracticeRunError::UnknownUser
                }
                Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) => {
                    CreatePracticeRunError::AlreadyRunning
                }
                _ => Error::from(e).into(),
            })?
            .ok_or(CreatePracticeRunError::NoSuchAssignment)?;
        if row
            .try_get::<_, Option<Uuid>>("id")
            .map_err(Error::from)?
            .is_none()
        {
            let get = |name: &str| row.try_get::<_, bool>(name).map_err(Error::from);
            return Err(if !get("member")? {
                CreatePracticeRunError::NotEnrolled
            } else if get("not_open")? {
                CreatePracticeRunError::NotOpenYet(row.try_get("opens_at").map_err(Error::from)?)
            } else {
                CreatePracticeRunError::QueueFull
            });
        }
        let run = from_row(&row)?;
        self.work.push(WorkRef::practice_run(id), 0).await;
        Ok(run)
    }

    /// One of the learner's runs; None for anyone else's.
    pub async fn get(&self, user_id: Uuid, id: Uuid) -> Result<Option<PracticeRun>, Error> {
        let client = self.pool.get().await?;
        let statement = client
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM runs WHERE id = $1 AND user_id = $2"
            ))
            .await?;
        client
            .query_opt(&statement, &[&id, &user_id])
            .await?
            .map(|row| from_row(&row))
            .transpose()
    }

    /// Ends the runs queued longer than [`WAIT_AT_MOST`], unrun; returns
    /// how many, with whose they were (to tell them).
    pub async fn expire(&self) -> Result<Vec<Finished>, Error> {
        let feedback = serde_json::to_value(Feedback {
            summary: format!(
                "The graders were busy with graded work for {} minutes, so your test run was \
                 not run. Nothing of yours changed; try again later.",
                WAIT_AT_MOST.as_secs() / 60
            ),
            ..Default::default()
        })
        .map_err(|e| Error::Malformed(e.to_string()))?;
        let client = self.pool.get().await?;
        let rows = client
            .query(
                &format!(
                    "UPDATE runs SET status = 'done', verdict = '{ours}', feedback = $1,
                         finished_at = now()
                     WHERE status = 'queued'
                       AND created_at < now() - make_interval(secs => $2)
                     RETURNING {COLUMNS}, {whose}",
                    ours = Verdict::InternalError.as_str(),
                    whose = &*super::WHOSE
                ),
                &[&feedback, &WAIT_AT_MOST.as_secs_f64()],
            )
            .await?;
        rows.iter()
            .map(|r| Finished::from_row(&PRACTICE_RUNS, r))
            .collect()
    }

    /// Deletes runs done more than [`KEPT_FOR`] ago; returns how many.
    pub async fn purge(&self) -> Result<u64, Error> {
        let client = self.pool.get().await?;
        Ok(client
            .execute(
                "DELETE FROM runs WHERE status = 'done'
                   AND finished_at < now() - make_interval(secs => $1)",
                &[&KEPT_FOR.as_secs_f64()],
            )
            .await?)
    }
}

/// Writes a grader's outcome of a practice run it holds: the row of the run
/// as it ended, with `whose` (its learner and course), or None when it is
/// no longer held.
pub(super) async fn finish(
    client: &deadpool_postgres::Object,
    id: Uuid,
    judged: &Judged<'_>,
    whose: &str,
) -> Result<Option<Row>, Error> {
    let feedback = serde_json::to_value(judged.feedback.clone().storable())
        .map_err(|e| Error::Malformed(e.to_string()))?;
    Ok(client
        .query_opt(
            &format!(
                "UPDATE runs SET status = 'done', verdict = $2, feedback = $3, finished_at = now()
                 WHERE id = $1 AND status = 'running'
                 RETURNING {COLUMNS}, {whose}"
            ),
            &[&id, &judged.verdict.as_str(), &feedback],
        )
        .await?)
}
