//! The one life of graded work: submissions and practice runs are two kinds
//! of one work item, with one claim, push, mark-unpushed, requeue,
//! end-as-ours and give-up path here. Only what truly differs stays with
//! the kind: a submission's creation (attempts, deadlines, reuse), its
//! finish (the completion and its points) and deletion ([`submissions`]);
//! a practice run's creation, finish and purge ([`practice_runs`]); a regrade's start
//! and how its finish settles points ([`regrades`]); an instructor's manual points
//! ([`overrides`]). Every
//! write to `submissions`, `completions` and `runs` is in this folder
//! (`testkit/tests/tree_rules.rs` keeps it so), each conditional on the
//! status it expects, so no race and no repeated delivery can move a piece
//! of work twice.
//!
//! ```text
//!   create ──▶ queued ──claim──▶ grading | running ──finish──▶ final
//!                ▲  │                  │            ──give up / end as ours─▶ internal_error
//!                │  └ mark unpushed    │
//!                └──── requeue ◀───────┘  (the job is gone from the stream)
//! ```

pub mod overrides;
pub mod practice_runs;
pub mod regrades;
pub mod submissions;

use std::sync::LazyLock;
use std::time::Duration;

use deadpool_postgres::Pool;
use domain::verdict::Verdict;
use domain::work::{Feedback, Hold, TestOutcome, WorkItem, WorkKind, WorkRef};
use queue::cache::QueryCache;
use queue::jobs::JobQueue;
use tokio_postgres::Row;
use uuid::Uuid;

use crate::Error;

/// What differs between the kinds' tables, for the statements they share.
struct Table {
    name: &'static str,
    /// The status while a grader holds it.
    running: &'static str,
    /// The status and the time column of work ended as our fault.
    ended: &'static str,
    ended_at: &'static str,
    /// The columns the kind's item is read from, and how.
    columns: &'static str,
    item: fn(&Row) -> Result<WorkItem, Error>,
    /// The job's lane: a submission's own, a run's none.
    lane: &'static str,
    /// Whether ending it as our fault gives the learner's attempt back.
    refunds_attempt: bool,
    /// Whether the learner's cached list of it changes with it.
    cached: bool,
    /// What the learner is told when it could not be graded.
    given_up: &'static str,
}

const SUBMISSIONS: Table = Table {
    name: "submissions",
    running: "grading",
    ended: "error",
    ended_at: "graded_at",
    columns: crate::db::SUBMISSION_COLUMNS,
    item: |row| crate::db::submission_from_row(row).map(WorkItem::Submission),
    lane: "lane",
    refunds_attempt: true,
    cached: true,
    given_up: "We could not grade this submission after {} attempts. This is our fault, not \
               your code's: please submit again.",
};

const PRACTICE_RUNS: Table = Table {
    name: "runs",
    running: "running",
    ended: "done",
    ended_at: "finished_at",
    columns: practice_runs::COLUMNS,
    item: |row| practice_runs::from_row(row).map(WorkItem::PracticeRun),
    lane: "0::smallint",
    refunds_attempt: false,
    cached: false,
    given_up: "We could not run your tests after {} attempts. This is our fault, not your \
               code's: please try again.",
};

fn table(kind: WorkKind) -> &'static Table {
    match kind {
        WorkKind::Submission => &SUBMISSIONS,
        WorkKind::PracticeRun => &PRACTICE_RUNS,
    }
}

/// What a statement that ends a piece of work also returns: its learner,
/// its course and its learner's hold on it now.
static WHOSE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "user_id,
         (SELECT a.course_id FROM assignments a WHERE a.id = assignment_id) AS course_id,
         {}",
        crate::db::hold_columns("now()")
    )
});

/// A piece of work a grader took, with what grading it needs.
pub struct Claimed {
    pub work: WorkRef,
    /// As the API shows it, now that it is being graded.
    pub item: WorkItem,
    pub user_id: Uuid,
    pub course_id: i32,
    pub code: String,
    pub content_hash: String,
    /// The course version the assignment's tests are from: what the
    /// submission records it was graded against.
    pub course_version: i32,
    /// The assignment's runner, by name (`domain::runners`).
    pub runner: String,
    pub time_limit_ms: i32,
    pub test_time_limit_ms: i32,
    pub memory_limit_mb: i32,
}

/// A piece of work that reached its end, and whose it is.
pub struct Finished {
    pub item: WorkItem,
    pub user_id: Uuid,
    pub course_id: i32,
    /// Its learner's results on the assignment are held (a submission's).
    pub hold: Option<Hold>,
}

impl Finished {
    fn from_row(table: &Table, row: &Row) -> Result<Self, Error> {
        Ok(Self {
            item: (table.item)(row)?,
            user_id: row.try_get("user_id")?,
            course_id: row.try_get("course_id")?,
            hold: crate::db::hold_from_row(row)?,
        })
    }
}

/// How a grader judged a claimed piece of work.
pub struct Judged<'a> {
    pub verdict: Verdict,
    pub feedback: &'a Feedback,
    /// What staff alone see of the hidden tests (a submission's).
    pub hidden: &'a [TestOutcome],
}

/// The life of graded work, over Postgres (the truth), the job streams and
/// the cache.
#[derive(Clone)]
pub struct GradedWork {
    pool: Pool,
    cache: QueryCache,
    jobs: JobQueue,
}

impl GradedWork {
    pub fn new(pool: Pool, cache: QueryCache, jobs: JobQueue) -> Self {
        Self { pool, cache, jobs }
    }

    /// Pushes new work onto its stream; when that fails, marks it so the
    /// reconciler pushes it at once (Postgres holds it either way).
    pub(crate) async fn push(&self, work: WorkRef, lane: u16) {
        if let Err(e) = self.jobs.enqueue(work, lane).await {
            tracing::warn!(error = %e, id = %work.id, "stream push failed; the reconciler will retry");
            self.mark_unpushed(work).await;
        }
    }

    async fn mark_unpushed(&self, work: WorkRef) {
        let t = table(work.kind);
        let marked = async {
            self.pool
                .get()
                .await?
                .execute(
                    &format!(
                        "UPDATE {} SET enqueued_at = NULL WHERE id = $1 AND status = 'queued'",
                        t.name
                    ),
                    &[&work.id],
                )
                .await?;
            Ok::<_, Error>(())
        }
        .await;
        if let Err(e) = marked {
            tracing::warn!(error = %e, id = %work.id, "could not mark the work for the reconciler");
        }
    }

    /// Marks a piece of work as taken by a grader. A first delivery takes
    /// only queued work; a redelivery (its grader died) may also take over
    /// work left held. None: already final, deleted, or held by another
    /// grader.
    pub async fn claim(&self, work: WorkRef, redelivered: bool) -> Result<Option<Claimed>, Error> {
        let t = table(work.kind);
        let client = self.pool.get().await?;
        let statement = client
            .prepare_cached(&format!(
                "WITH claimed AS (
                     UPDATE {name} SET status = '{running}', attempts = attempts + 1
                     WHERE id = $1 AND (status = 'queued' OR ($2 AND status = '{running}'))
                     RETURNING *)
                 SELECT i.*, a.course_id, a.content_hash, a.course_version, a.runner, a.time_limit_ms,
                        a.test_time_limit_ms, a.memory_limit_mb
                 FROM (SELECT {columns}, user_id, code AS work_code FROM claimed) i
                 JOIN assignments a ON a.id = i.assignment_id",
                name = t.name,
                running = t.running,
                columns = t.columns,
            ))
            .await?;
        let Some(row) = client
            .query_opt(&statement, &[&work.id, &redelivered])
            .await?
        else {
            return Ok(None);
        };
        let claimed = Claimed {
            work,
            item: (t.item)(&row)?,
            user_id: row.try_get("user_id")?,
            course_id: row.try_get("course_id")?,
            code: row.try_get("work_code")?,
            content_hash: row.try_get("content_hash")?,
            course_version: row.try_get("course_version")?,
            runner: row.try_get("runner")?,
            time_limit_ms: row.try_get("time_limit_ms")?,
            test_time_limit_ms: row.try_get("test_time_limit_ms")?,
            memory_limit_mb: row.try_get("memory_limit_mb")?,
        };
        self.bump(t, claimed.user_id, claimed.item.assignment_id())
            .await;
        Ok(Some(claimed))
    }

    /// Writes how a grader judged the work (what the kind stores of it). None
    /// when it is no longer held (another delivery finished it): nothing is
    /// written then.
    pub async fn finish(
        &self,
        claimed: &Claimed,
        judged: &Judged<'_>,
    ) -> Result<Option<Finished>, Error> {
        let t = table(claimed.work.kind);
        let mut client = self.pool.get().await?;
        let finished = match claimed.work.kind {
            WorkKind::Submission => {
                submissions::finish(&mut client, claimed, judged, &WHOSE).await?
            }
            WorkKind::PracticeRun => {
                practice_runs::finish(&client, claimed.work.id, judged, &WHOSE).await?
            }
        };
        let Some(row) = finished else { return Ok(None) };
        let finished = Finished::from_row(t, &row)?;
        self.bump(t, finished.user_id, finished.item.assignment_id())
            .await;
        Ok(Some(finished))
    }

    /// Ends work that could not be graded after its last delivery; the
    /// learner is told it was our fault.
    pub async fn give_up(&self, work: WorkRef, deliveries: u64) -> Result<Option<Finished>, Error> {
        let why = table(work.kind)
            .given_up
            .replace("{}", &deliveries.to_string());
        self.end_as_ours(work, &why).await
    }

    /// Ends queued or held work as an internal error, saying `why`: the
    /// platform's failure, not the learner's, so a submission's attempt is
    /// given back.
    pub async fn end_as_ours(&self, work: WorkRef, why: &str) -> Result<Option<Finished>, Error> {
        let t = table(work.kind);
        let feedback = serde_json::to_value(Feedback {
            summary: why.to_owned(),
            ..Default::default()
        })
        .map_err(|e| Error::Malformed(e.to_string()))?;
        // Our failure costs the learner none of their attempts (a regrade,
        // lane -1, took none).
        let refund = if t.refunds_attempt {
            ", refunded AS (
                 UPDATE attempts t SET used = t.used - 1 FROM ended e
                 WHERE t.user_id = e.user_id AND t.assignment_id = e.assignment_id
                   AND t.used > 0 AND e.lane >= 0)"
        } else {
            ""
        };
        let client = self.pool.get().await?;
        let row = client
            .query_opt(
                &format!(
                    "WITH ended AS (
                         UPDATE {name} SET status = '{ended}', verdict = '{ours}',
                             feedback = $2, {ended_at} = now()
                         WHERE id = $1 AND status IN ('queued', '{running}')
                         RETURNING *){refund}
                     SELECT {columns}, {whose} FROM ended",
                    name = t.name,
                    ended = t.ended,
                    ours = Verdict::InternalError.as_str(),
                    ended_at = t.ended_at,
                    running = t.running,
                    columns = t.columns,
                    whose = &*WHOSE,
                ),
                &[&work.id, &feedback],
            )
            .await?;
        let Some(finished) = row.as_ref().map(|r| Finished::from_row(t, r)).transpose()? else {
            return Ok(None);
        };
        self.bump(t, finished.user_id, finished.item.assignment_id())
            .await;
        Ok(Some(finished))
    }

    /// Pushes again what Postgres has in flight and the streams no longer
    /// hold, of both kinds: pushes that failed (at once), and anything older
    /// than `stale` that is absent from its stream (a Redis that lost its
    /// data, a grader's job that vanished). Held work goes back to queued.
    /// Returns how many were pushed.
    pub async fn requeue_lost(&self, stale: Duration) -> Result<usize, Error> {
        let mut requeued = 0;
        for kind in WorkKind::ALL {
            requeued += self.requeue_lost_of(kind, stale).await?;
        }
        Ok(requeued)
    }

    async fn requeue_lost_of(&self, kind: WorkKind, stale: Duration) -> Result<usize, Error> {
        let t = table(kind);
        let client = self.pool.get().await?;
        let stale_secs = stale.as_secs_f64();
        let lost = format!(
            "status IN ('queued', '{running}')
             AND (enqueued_at IS NULL OR enqueued_at < now() - make_interval(secs => $1))",
            running = t.running
        );
        let candidates: Vec<Uuid> = client
            .query(
                &format!(
                    "SELECT id FROM {} WHERE {lost} ORDER BY created_at LIMIT 500",
                    t.name
                ),
                &[&stale_secs],
            )
            .await?
            .iter()
            .map(|r| r.get("id"))
            .collect();
        if candidates.is_empty() {
            return Ok(0);
        }
        let in_stream = self.jobs.in_streams(kind).await?;
        let mut requeued = 0;
        for id in candidates.into_iter().filter(|id| !in_stream.contains(id)) {
            // Re-checked in the update: a grader may have finished it meanwhile.
            let row = client
                .query_opt(
                    &format!(
                        "UPDATE {name} SET status = 'queued', enqueued_at = now()
                         WHERE id = $2 AND {lost}
                         RETURNING user_id, assignment_id, {lane} AS lane",
                        name = t.name,
                        lane = t.lane,
                    ),
                    &[&stale_secs, &id],
                )
                .await?;
            let Some(row) = row else { continue };
            self.bump(t, row.get("user_id"), row.get("assignment_id"))
                .await;
            let work = WorkRef { kind, id };
            let lane: i16 = row.get("lane");
            if let Err(e) = self.jobs.enqueue(work, lane as u16).await {
                self.mark_unpushed(work).await;
                return Err(e.into());
            }
            requeued += 1;
        }
        Ok(requeued)
    }

    /// The learner's cached list of this kind of work changed.
    async fn bump(&self, t: &Table, user_id: Uuid, assignment_id: i32) {
        if t.cached {
            self.cache
                .bump_generation(
                    &self
                        .cache
                        .names()
                        .submission_list_cache(user_id, assignment_id),
                )
                .await;
        }
    }
}
