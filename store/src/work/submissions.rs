//! A submission's own part of graded work's life (`super`): its creation
//! (the schedule, the attempts, the reuse of an earlier verdict, the
//! enrolment it makes), its finish with the completion and its points, and
//! its deletion. A pass records the completion in the same transaction
//! (points are earned once per assignment, by the late policy: the schema's
//! `pass_points`); deleting the passing submission keeps it. Every accepted
//! submission uses one of the learner's attempts at the assignment, and
//! deleting it gives none back.
//!
//! ```text
//!   create ──▶ queued (or, reusing a verdict, straight to passed | failed)
//!   finish: grading ──▶ passed | failed | error, the completion on a first pass
//!   delete: any final submission of its own learner
//! ```

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use domain::verdict::Verdict;
use domain::work::{Feedback, Submission, WorkRef};
use queue::cache::QueryCache;
use queue::jobs::JobQueue;
use sha2::{Digest, Sha256};
use tokio_postgres::error::SqlState;
use tokio_postgres::Row;
use uuid::Uuid;

use super::{Claimed, GradedWork, Judged};
use crate::db::{submission_from_row, SUBMISSION_COLUMNS};
use crate::Error;

/// Insert a submission, or reuse the final verdict the same code got against
/// the same version of the assignment; on a reused pass, record the
/// completion. Refused, with nothing written, before the assignment opens,
/// after the learner's due date (the assignment's, or the extension an
/// instructor gave them) under the `refuse` policy (later ones are marked
/// late), past the learner's submission limit, and (unless a verdict is
/// reused, which costs no grader) while $6 or more wait already. A
/// submission enrols its learner in the assignment's course. $1 id, $2
/// user, $3 assignment, $4 code, $5 code hash, $6 queue bound, $7 job lane,
/// $8 now, $9 the verdicts never reused (`Row::reused`). One statement: atomic, and one round trip. Always one row: `id`
/// is NULL when nothing was inserted, and the assignment's columns say why.
/// The attempts row's check fails the statement when a concurrent submit
/// took the last attempt first.
const CREATE: &str = concat!(
    "
    WITH assignment AS (
        -- An instructor's extension is this learner's own due date: it only
        -- ever moves a due date later (greatest ignores a missing one).
        SELECT a.id, a.course_id, a.content_hash, a.course_version, a.opens_at,
               ",
    crate::access::due_date!(),
    " AS due_at,
               a.max_submissions,
               a.late_policy, a.late_penalty_pct, coalesce(t.used, 0) AS used,
               -- A join-code course takes work only from its members.
               ",
    crate::access::member!("$2"),
    " AS member,
               c.join_policy = 'open' AS open_course,
               ",
    crate::access::not_open!("$8"),
    " AS not_open,
               coalesce($8 > ",
    crate::access::due_date!(),
    ", false) AS late,
               r.status, r.verdict, r.feedback, r.hidden_details
        FROM assignments a
        JOIN courses c ON c.id = a.course_id
        LEFT JOIN attempts t ON t.user_id = $2 AND t.assignment_id = a.id
        LEFT JOIN extensions x ON x.user_id = $2 AND x.assignment_id = a.id
        LEFT JOIN LATERAL (
            SELECT s.status, s.verdict, s.feedback, s.hidden_details FROM submissions s
            WHERE s.assignment_id = a.id AND s.code_hash = $5
              AND s.assignment_hash = a.content_hash
              AND s.status IN ('passed', 'failed')
              AND s.verdict <> ALL($9::text[])
            ORDER BY s.graded_at DESC LIMIT 1) r ON true
        WHERE a.id = $3 AND a.position IS NOT NULL),
    allowed AS (
        SELECT * FROM assignment
        WHERE member AND NOT not_open AND NOT (late AND late_policy = 'refuse')
          AND (max_submissions IS NULL OR used < max_submissions)),
    inserted AS (
        INSERT INTO submissions (id, user_id, assignment_id, code, code_hash, assignment_hash,
                                 status, verdict, feedback, hidden_details, graded_at,
                                 course_version, enqueued_at, lane, late)
        SELECT $1, $2, a.id, $4, $5, a.content_hash,
               coalesce(a.status, 'queued'), a.verdict, a.feedback, a.hidden_details,
               CASE WHEN a.status IS NULL THEN NULL ELSE now() END,
               -- A verdict reused is one the version served now reaches.
               CASE WHEN a.status IS NULL THEN NULL ELSE a.course_version END,
               CASE WHEN a.status IS NULL THEN now() END, $7, a.late
        FROM allowed a
        WHERE a.status IS NOT NULL
           -- Learners' own queue: regrades (lane -1) wait below it, uncounted.
           OR (SELECT count(*) FROM submissions WHERE status = 'queued' AND lane >= 0) < $6
        RETURNING *),
    counted AS (
        INSERT INTO attempts (user_id, assignment_id, used, max_allowed)
        SELECT i.user_id, i.assignment_id, 1, a.max_submissions FROM inserted i, allowed a
        ON CONFLICT (user_id, assignment_id) DO UPDATE
            SET used = attempts.used + 1, max_allowed = EXCLUDED.max_allowed),
    -- A submission to an open course enrols its learner there.
    enrolled AS (
        INSERT INTO enrolments (user_id, course_id)
        SELECT i.user_id, a.course_id FROM inserted i, allowed a WHERE a.open_course
        ON CONFLICT DO NOTHING),
    completed AS (
        INSERT INTO completions (user_id, assignment_id, submission_id, points, late, attempt)
        SELECT i.user_id, i.assignment_id, i.id,
               pass_points(i.late, a.late_policy, a.late_penalty_pct), i.late, a.used + 1
        FROM inserted i, allowed a WHERE i.status = 'passed'
        ON CONFLICT DO NOTHING)
    SELECT i.id, i.assignment_id, i.status::text AS status, i.verdict, i.code, i.created_at,
           i.graded_at, i.feedback, i.late, a.course_id, a.id IS NOT NULL AS found, a.member,
           a.not_open,
           a.opens_at,
           a.late AND a.late_policy = 'refuse' AS past_due, a.due_at,
           a.used >= a.max_submissions AS at_limit, a.max_submissions
    FROM (SELECT 1) one LEFT JOIN assignment a ON true LEFT JOIN inserted i ON true"
);

/// What a failed [`CREATE`] means: the constraints it can break are the
/// rules it keeps under concurrency.
async fn create_failed(
    e: tokio_postgres::Error,
    client: &deadpool_postgres::Object,
    assignment_id: i32,
) -> CreateError {
    match e.code() {
        Some(c) if *c == SqlState::UNIQUE_VIOLATION => CreateError::AlreadyInFlight,
        Some(c) if *c == SqlState::FOREIGN_KEY_VIOLATION => CreateError::UnknownUser,
        // A concurrent submit took the last attempt first.
        Some(c)
            if *c == SqlState::CHECK_VIOLATION
                && e.as_db_error().and_then(|d| d.constraint())
                    == Some("attempts_within_limit") =>
        {
            match client
                .query_one(
                    "SELECT max_submissions FROM assignments WHERE id = $1",
                    &[&assignment_id],
                )
                .await
            {
                Ok(max) => CreateError::SubmissionLimit(
                    max.get::<_, Option<i32>>("max_submissions").unwrap_or(0),
                ),
                Err(e) => CreateError::Store(e.into()),
            }
        }
        _ => CreateError::Store(e.into()),
    }
}

/// Why [`CREATE`] inserted nothing, from the assignment's columns it returned.
fn refusal(row: &tokio_postgres::Row) -> Result<CreateError, Error> {
    if !row.try_get::<_, bool>("found")? {
        return Ok(CreateError::NoSuchAssignment);
    }
    if !row.try_get::<_, bool>("member")? {
        return Ok(CreateError::NotEnrolled);
    }
    if row.try_get::<_, bool>("not_open")? {
        return Ok(CreateError::NotOpenYet(row.try_get("opens_at")?));
    }
    if row.try_get::<_, bool>("past_due")? {
        return Ok(CreateError::PastDue(row.try_get("due_at")?));
    }
    if row.try_get::<_, Option<bool>>("at_limit")? == Some(true) {
        return Ok(CreateError::SubmissionLimit(
            row.try_get("max_submissions")?,
        ));
    }
    Ok(CreateError::QueueFull)
}

/// A new submission, queued or with a reused verdict.
pub struct Created {
    pub submission: Submission,
    /// The assignment's course, whose staff hear of it.
    pub course_id: i32,
    /// The verdict came from an earlier identical submission: nothing queued.
    pub reused: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    /// The learner has one queued or grading already (the partial unique index).
    #[error("a submission is already in flight")]
    AlreadyInFlight,
    /// A genuine token for a learner this database does not know.
    #[error("no such learner")]
    UnknownUser,
    #[error("no such assignment")]
    NoSuchAssignment,
    /// As many submissions wait for a grader as may: nothing was stored.
    #[error("the queue is full")]
    QueueFull,
    /// A join-code course's assignment, from a learner who has not joined it.
    #[error("not a member of the course")]
    NotEnrolled,
    #[error("the assignment opens at {0}")]
    NotOpenYet(DateTime<Utc>),
    #[error("the assignment was due at {0}")]
    PastDue(DateTime<Utc>),
    /// The learner has used every submission the assignment allows.
    #[error("at most {0} submissions")]
    SubmissionLimit(i32),
    #[error(transparent)]
    Store(#[from] Error),
}

/// What a delete did.
#[derive(Debug, PartialEq, Eq)]
pub enum Deleted {
    Deleted,
    /// Queued or grading: it may not go yet.
    InFlight,
    /// None of the learner's.
    NotFound,
}

/// A submission's own transitions, over Postgres (the truth), the job
/// streams and the cache.
#[derive(Clone)]
pub struct Submissions {
    pool: Pool,
    cache: QueryCache,
    work: GradedWork,
}

impl Submissions {
    pub fn new(pool: Pool, cache: QueryCache, jobs: JobQueue) -> Self {
        Self {
            work: GradedWork::new(pool.clone(), cache.clone(), jobs),
            pool,
            cache,
        }
    }

    /// A new submission of `code`: queued and pushed (or marked for the
    /// reconciler when the push fails: Postgres holds it either way), or
    /// final at once with an earlier identical submission's verdict. Refused,
    /// with nothing stored, when `queue_limit` submissions wait already. Its
    /// job waits in `lane` (`jobs::lane_for` the client's address).
    pub async fn create(
        &self,
        user_id: Uuid,
        assignment_id: i32,
        code: &str,
        queue_limit: i64,
        lane: u16,
        now: DateTime<Utc>,
    ) -> Result<Created, CreateError> {
        let lane = lane % queue::jobs::LANES;
        let id = Uuid::new_v4();
        let code_hash = hex::encode(Sha256::digest(code.as_bytes()));
        let client = self.pool.get().await.map_err(Error::from)?;
        let statement = client.prepare_cached(CREATE).await.map_err(Error::from)?;
        let result = client
            .query_opt(
                &statement,
                &[
                    &id,
                    &user_id,
                    &assignment_id,
                    &code,
                    &code_hash,
                    &queue_limit,
                    &(lane as i16),
                    &now,
                    &Verdict::never_reused(),
                ],
            )
            .await;
        let row = match result {
            Ok(row) => row.ok_or(CreateError::NoSuchAssignment)?,
            Err(e) => return Err(create_failed(e, &client, assignment_id).await),
        };
        if row
            .try_get::<_, Option<Uuid>>("id")
            .map_err(Error::from)?
            .is_none()
        {
            return Err(refusal(&row)?);
        }
        let submission = submission_from_row(&row)?;
        let reused = !submission.status.in_flight();
        let list = self.list_key(user_id, assignment_id);
        if reused {
            self.cache.bump_generation(&list).await;
        } else {
            // Both go out together on the one multiplexed Redis connection.
            tokio::join!(
                self.work.push(WorkRef::submission(id), lane),
                self.cache.bump_generation(&list)
            );
        }
        Ok(Created {
            course_id: row.try_get("course_id").map_err(Error::from)?,
            submission,
            reused,
        })
    }

    /// For a queued submission, how many queued ones were pushed before it:
    /// about how many a grader takes first (lanes are read fairly, so a busy
    /// classroom's own work may wait a little longer). None once it is no
    /// longer queued.
    pub async fn ahead_of(&self, id: Uuid) -> Result<Option<i64>, Error> {
        let client = self.pool.get().await?;
        let statement = client
            .prepare_cached(
                "SELECT (SELECT count(*) FROM submissions q
                         WHERE q.status = 'queued' AND q.enqueued_at < s.enqueued_at
                           -- Regrades wait below learners' work: not ahead of it.
                           AND (q.lane >= 0 OR s.lane < 0)) AS ahead
                 FROM submissions s
                 WHERE s.id = $1 AND s.status = 'queued' AND s.enqueued_at IS NOT NULL",
            )
            .await?;
        Ok(client
            .query_opt(&statement, &[&id])
            .await?
            .map(|row| row.get("ahead")))
    }

    /// Deletes one of the learner's final submissions. One statement: the
    /// status check and the delete cannot be split by a grader.
    pub async fn delete(&self, user_id: Uuid, id: Uuid) -> Result<Deleted, Error> {
        let client = self.pool.get().await?;
        let row = client
            .query_opt(
                "WITH target AS (
                     SELECT id, assignment_id, status FROM submissions
                     WHERE id = $1 AND user_id = $2),
                 gone AS (
                     DELETE FROM submissions s USING target t
                     WHERE s.id = t.id AND t.status NOT IN ('queued', 'grading')
                     RETURNING s.id)
                 SELECT t.assignment_id, (SELECT count(*) FROM gone) AS gone FROM target t",
                &[&id, &user_id],
            )
            .await?;
        let Some(row) = row else {
            return Ok(Deleted::NotFound);
        };
        if row.get::<_, i64>("gone") == 0 {
            return Ok(Deleted::InFlight);
        }
        self.cache
            .bump_generation(&self.list_key(user_id, row.get("assignment_id")))
            .await;
        Ok(Deleted::Deleted)
    }

    fn list_key(&self, user_id: Uuid, assignment_id: i32) -> String {
        self.cache
            .names()
            .submission_list_cache(user_id, assignment_id)
    }
}

/// Writes a grader's verdict on a submission it holds and, on a first
/// pass, the completion, in one transaction: the row of the submission as
/// it ended, with `whose` (its learner and course), or None when it is no
/// longer held.
pub(super) async fn finish(
    client: &mut deadpool_postgres::Object,
    claimed: &Claimed,
    judged: &Judged<'_>,
    whose: &str,
) -> Result<Option<Row>, Error> {
    let tx = client.transaction().await?;
    let storable = |v: Result<serde_json::Value, _>| {
        v.map_err(|e: serde_json::Error| Error::Malformed(e.to_string()))
    };
    let feedback = storable(serde_json::to_value(judged.feedback.clone().storable()))?;
    // What staff alone see of the hidden tests, NUL-safe as the feedback is.
    let hidden = storable(serde_json::to_value(
        Feedback {
            tests: judged.hidden.to_vec(),
            ..Default::default()
        }
        .storable()
        .tests,
    ))?;
    let id = claimed.work.id;
    let row = tx
        .query_opt(
            &format!(
                "UPDATE submissions SET status = $2::text::submission_status, verdict = $3,
                     feedback = $4, graded_at = now(), assignment_hash = $5,
                     hidden_details = $6, course_version = $7
                 WHERE id = $1 AND status = 'grading'
                 RETURNING {SUBMISSION_COLUMNS}, {whose}, lane"
            ),
            &[
                &id,
                &judged.verdict.status().as_str(),
                &judged.verdict.as_str(),
                &feedback,
                &claimed.content_hash,
                &hidden,
                &claimed.course_version,
            ],
        )
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    if row.try_get::<_, i16>("lane")? == -1 {
        // A regrade's: the points follow its policy.
        super::regrades::settle_points(&tx, id, judged.verdict).await?;
    } else if judged.verdict == Verdict::Passed {
        complete(&tx, id).await?;
    }
    tx.commit().await?;
    Ok(Some(row))
}

/// A pass's completion, unless the learner has one: the points its
/// lateness earns under the assignment's late policy.
pub(super) async fn complete(
    tx: &deadpool_postgres::Transaction<'_>,
    submission_id: Uuid,
) -> Result<(), Error> {
    tx.execute(
        "INSERT INTO completions (user_id, assignment_id, submission_id, points, late,
                                  attempt)
         SELECT s.user_id, s.assignment_id, s.id,
                pass_points(s.late, a.late_policy, a.late_penalty_pct), s.late, t.used
         FROM submissions s JOIN assignments a ON a.id = s.assignment_id
         LEFT JOIN attempts t ON t.user_id = s.user_id AND t.assignment_id = s.assignment_id
         WHERE s.id = $1
         ON CONFLICT DO NOTHING",
        &[&submission_id],
    )
    .await?;
    Ok(())
}
