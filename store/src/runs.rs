//! The one owner of a practice run's life ("Run tests"). Every write to
//! `runs` is here, each conditional on the status it expects, as for
//! submissions (`submissions`), so a repeated delivery cannot move a run
//! twice.
//!
//! ```text
//!   create ──▶ queued ──claim──▶ running ──finish──▶ done
//!                ▲  │               │      ──give_up─▶ done (internal_error)
//!                │  └ mark unpushed │
//!                └──── requeue ◀────┘  (the job is gone from the stream)
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

use crate::Error;
use domain::work::{Feedback, Run, RunStatus, Verdict};
use queue::jobs::JobQueue;

/// How long a finished run stays readable.
pub const KEPT_FOR: Duration = Duration::from_secs(24 * 3600);

/// How long a run may wait for a grader: graded work goes first, so under a
/// long burst a run ends unrun, and its learner may try again.
pub const WAIT_AT_MOST: Duration = Duration::from_secs(10 * 60);

/// The columns [`run_from_row`] reads.
const RUN_COLUMNS: &str =
    "id, assignment_id, status, verdict, feedback, created_at, finished_at, user_id";

/// Inserts a run when the assignment is listed, the learner may work on it
/// (an open course, or a member of a join-code course), it is open, and
/// fewer than $5 runs wait already. $1 id, $2 user, $3 assignment, $4 code,
/// $5 queue bound, $6 now. Always one row when the assignment is listed:
/// `id` is NULL when nothing was inserted, and the other columns say why.
const CREATE: &str = "
    WITH assignment AS (
        SELECT a.id, a.opens_at,
               (c.join_policy = 'open' OR EXISTS (
                   SELECT 1 FROM enrolments e WHERE e.user_id = $2 AND e.course_id = a.course_id))
                   AS member,
               (a.opens_at IS NOT NULL AND $6 < a.opens_at) AS not_open
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
    FROM assignment a LEFT JOIN inserted i ON true";

#[derive(Debug, thiserror::Error)]
pub enum CreateRunError {
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

/// A run taken by a grader, with what running it needs.
pub struct ClaimedRun {
    pub run: Run,
    pub user_id: Uuid,
    pub code: String,
    pub content_hash: String,
    /// The assignment's runner, by name (`domain::runners`).
    pub runner: String,
    pub time_limit_ms: i32,
    pub test_time_limit_ms: i32,
    pub memory_limit_mb: i32,
}

/// A run that ended, and whose it is.
pub struct FinishedRun {
    pub run: Run,
    pub user_id: Uuid,
}

fn run_from_row(row: &Row) -> Result<FinishedRun, Error> {
    let status: String = row.try_get("status")?;
    let verdict: Option<String> = row.try_get("verdict")?;
    let feedback: Option<serde_json::Value> = row.try_get("feedback")?;
    Ok(FinishedRun {
        user_id: row.try_get("user_id")?,
        run: Run {
            id: row.try_get("id")?,
            assignment_id: row.try_get("assignment_id")?,
            status: RunStatus::parse(&status)
                .ok_or_else(|| Error::Malformed(format!("run status {status:?}")))?,
            verdict: verdict.as_deref().and_then(Verdict::parse),
            feedback: feedback
                .map(serde_json::from_value)
                .transpose()
                .map_err(|e| Error::Malformed(format!("run feedback: {e}")))?,
            created_at: row.try_get("created_at")?,
            finished_at: row.try_get("finished_at")?,
        },
    })
}

/// Runs' state machine over Postgres (the truth) and the runs' stream.
#[derive(Clone)]
pub struct Runs {
    pool: Pool,
    jobs: JobQueue,
}

impl Runs {
    pub fn new(pool: Pool, jobs: JobQueue) -> Self {
        Self { pool, jobs }
    }

    /// A new run of `code`: stored queued and pushed (or marked for the
    /// reconciler when the push fails). Refused, with nothing stored, as
    /// [`CreateRunError`] says.
    pub async fn create(
        &self,
        user_id: Uuid,
        assignment_id: i32,
        code: &str,
        queue_limit: i64,
        now: DateTime<Utc>,
    ) -> Result<Run, CreateRunError> {
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
                    CreateRunError::UnknownUser
                }
                Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) => {
                    CreateRunError::AlreadyRunning
                }
                _ => Error::from(e).into(),
            })?
            .ok_or(CreateRunError::NoSuchAssignment)?;
        if row
            .try_get::<_, Option<Uuid>>("id")
            .map_err(Error::from)?
            .is_none()
        {
            let get = |name: &str| row.try_get::<_, bool>(name).map_err(Error::from);
            return Err(if !get("member")? {
                CreateRunError::NotEnrolled
            } else if get("not_open")? {
                CreateRunError::NotOpenYet(row.try_get("opens_at").map_err(Error::from)?)
            } else {
                CreateRunError::QueueFull
            });
        }
        let run = run_from_row(&row)?.run;
        if let Err(e) = self.jobs.enqueue_run(id).await {
            tracing::warn!(error = %e, run_id = %id, "stream push failed; the reconciler will retry");
            self.mark_unpushed(id).await;
        }
        Ok(run)
    }

    /// One of the learner's runs; None for anyone else's.
    pub async fn get(&self, user_id: Uuid, id: Uuid) -> Result<Option<Run>, Error> {
        let client = self.pool.get().await?;
        let statement = client
            .prepare_cached(&format!(
                "SELECT {RUN_COLUMNS} FROM runs WHERE id = $1 AND user_id = $2"
            ))
            .await?;
        client
            .query_opt(&statement, &[&id, &user_id])
            .await?
            .map(|row| run_from_row(&row).map(|r| r.run))
            .transpose()
    }

    async fn mark_unpushed(&self, id: Uuid) {
        let marked = async {
            self.pool
                .get()
                .await?
                .execute(
                    "UPDATE runs SET enqueued_at = NULL WHERE id = $1 AND status = 'queued'",
                    &[&id],
                )
                .await?;
            Ok::<_, Error>(())
        }
        .await;
        if let Err(e) = marked {
            tracing::warn!(error = %e, run_id = %id, "could not mark the run for the reconciler");
        }
    }

    /// Marks a run `running`: a first delivery takes only a queued one, a
    /// redelivery also one left running by a grader that died.
    pub async fn claim(&self, id: Uuid, redelivered: bool) -> Result<Option<ClaimedRun>, Error> {
        let client = self.pool.get().await?;
        let statement = client
            .prepare_cached(
                "WITH claimed AS (
                     UPDATE runs SET status = 'running', attempts = attempts + 1
                     WHERE id = $1 AND (status = 'queued' OR ($2 AND status = 'running'))
                     RETURNING *)
                 SELECT c.id, c.assignment_id, c.status, c.verdict, c.feedback, c.created_at,
                        c.finished_at, c.user_id, c.code, a.content_hash, a.runner,
                        a.time_limit_ms, a.test_time_limit_ms, a.memory_limit_mb
                 FROM claimed c JOIN assignments a ON a.id = c.assignment_id",
            )
            .await?;
        let Some(row) = client.query_opt(&statement, &[&id, &redelivered]).await? else {
            return Ok(None);
        };
        let FinishedRun { run, user_id } = run_from_row(&row)?;
        Ok(Some(ClaimedRun {
            run,
            user_id,
            code: row.try_get("code")?,
            content_hash: row.try_get("content_hash")?,
            runner: row.try_get("runner")?,
            time_limit_ms: row.try_get("time_limit_ms")?,
            test_time_limit_ms: row.try_get("test_time_limit_ms")?,
            memory_limit_mb: row.try_get("memory_limit_mb")?,
        }))
    }

    /// Writes a running run's outcome. None when it is no longer running
    /// (another delivery finished it).
    pub async fn finish(
        &self,
        id: Uuid,
        verdict: Verdict,
        feedback: &Feedback,
    ) -> Result<Option<FinishedRun>, Error> {
        self.end(id, verdict, feedback, &["running"]).await
    }

    /// Ends a run that could not be run after its last delivery.
    pub async fn give_up(&self, id: Uuid, deliveries: u64) -> Result<Option<FinishedRun>, Error> {
        self.end_as_ours(
            id,
            &format!(
                "We could not run your tests after {deliveries} attempts. This is our fault, \
                 not your code's: please try again."
            ),
        )
        .await
    }

    /// Ends a queued or running run as an internal error, saying `why`.
    pub async fn end_as_ours(&self, id: Uuid, why: &str) -> Result<Option<FinishedRun>, Error> {
        let feedback = Feedback {
            summary: why.to_owned(),
            ..Default::default()
        };
        self.end(
            id,
            Verdict::InternalError,
            &feedback,
            &["queued", "running"],
        )
        .await
    }

    async fn end(
        &self,
        id: Uuid,
        verdict: Verdict,
        feedback: &Feedback,
        from: &[&str],
    ) -> Result<Option<FinishedRun>, Error> {
        let feedback = serde_json::to_value(feedback.clone().storable())
            .map_err(|e| Error::Malformed(e.to_string()))?;
        let client = self.pool.get().await?;
        let row = client
            .query_opt(
                &format!(
                    "UPDATE runs SET status = 'done', verdict = $2, feedback = $3,
                         finished_at = now()
                     WHERE id = $1 AND status = ANY($4)
                     RETURNING {RUN_COLUMNS}"
                ),
                &[&id, &verdict.as_str(), &feedback, &from],
            )
            .await?;
        row.as_ref().map(run_from_row).transpose()
    }

    /// Pushes again the runs Postgres has unfinished and the stream no
    /// longer holds (as `Submissions::requeue_lost` does for submissions).
    pub async fn requeue_lost(&self, stale: Duration) -> Result<usize, Error> {
        let client = self.pool.get().await?;
        let stale_secs = stale.as_secs_f64();
        let candidates: Vec<Uuid> = client
            .query(
                "SELECT id FROM runs
                 WHERE status <> 'done'
                   AND (enqueued_at IS NULL OR enqueued_at < now() - make_interval(secs => $1))
                 ORDER BY created_at LIMIT 500",
                &[&stale_secs],
            )
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        if candidates.is_empty() {
            return Ok(0);
        }
        let in_stream = self.jobs.runs_in_stream().await?;
        let mut requeued = 0;
        for id in candidates.into_iter().filter(|id| !in_stream.contains(id)) {
            let moved = client
                .execute(
                    "UPDATE runs SET status = 'queued', enqueued_at = now()
                     WHERE id = $1 AND status <> 'done'
                       AND (enqueued_at IS NULL
                            OR enqueued_at < now() - make_interval(secs => $2))",
                    &[&id, &stale_secs],
                )
                .await?;
            if moved == 0 {
                continue;
            }
            if let Err(e) = self.jobs.enqueue_run(id).await {
                self.mark_unpushed(id).await;
                return Err(e.into());
            }
            requeued += 1;
        }
        Ok(requeued)
    }

    /// Ends the runs queued longer than [`WAIT_AT_MOST`], unrun; returns
    /// how many, with whose they were (to tell them).
    pub async fn expire(&self) -> Result<Vec<FinishedRun>, Error> {
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
                    "UPDATE runs SET status = 'done', verdict = 'internal_error', feedback = $1,
                         finished_at = now()
                     WHERE status = 'queued'
                       AND created_at < now() - make_interval(secs => $2)
                     RETURNING {RUN_COLUMNS}"
                ),
                &[&feedback, &WAIT_AT_MOST.as_secs_f64()],
            )
            .await?;
        rows.iter().map(run_from_row).collect()
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
