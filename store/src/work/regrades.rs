//! Regrades: staff re-judge an assignment's submissions in place, against
//! the course version served now. Starting one keeps each submission's
//! verdict in its history (`submission_history`) and queues it again in
//! the regrade stream (lane [`queue::jobs::REGRADE_LANE`], read below
//! learners' work); a grader takes it through graded work's one life, and
//! its finish settles the points here ([`settle_points`]): `keep_earned`
//! never takes any away, `recompute` follows the new verdicts. Every change
//! of points is recorded with its reason (`point_changes`) and reaches the
//! LMS (`lti_score_changed`).

use chrono::{DateTime, Utc};
use domain::verdict::Verdict;
use domain::work::WorkRef;
use serde::Serialize;
use uuid::Uuid;

use super::GradedWork;
use crate::Error;

/// Which of an assignment's submissions a regrade judges again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Each learner's latest graded submission.
    Latest,
    /// Every graded submission.
    All,
}

/// What a regrade does to points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Points {
    /// Points are never taken away; a new pass earns them.
    KeepEarned,
    /// Points follow the new verdicts, up or down.
    Recompute,
}

impl Scope {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "latest" => Some(Self::Latest),
            "all" => Some(Self::All),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Latest => "latest",
            Self::All => "all",
        }
    }
}

impl Points {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "keep_earned" => Some(Self::KeepEarned),
            "recompute" => Some(Self::Recompute),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::KeepEarned => "keep_earned",
            Self::Recompute => "recompute",
        }
    }
}

/// A regrade and how far it has come (`GET .../regrades/{id}`).
#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    pub id: Uuid,
    pub assignment_id: i32,
    pub scope: String,
    pub points: String,
    /// The course version it judges against.
    pub course_version: i32,
    pub created_at: DateTime<Utc>,
    /// Submissions it queued.
    pub total: i64,
    /// Of those, judged again already.
    pub done: i64,
    /// Of those judged, how many changed status (passed ↔ failed).
    pub changed: i64,
    /// Learners whose points it changed.
    pub points_changed: i64,
}

impl GradedWork {
    /// Starts a regrade of `assignment_id` (a course's own, checked by the
    /// caller): its submissions queued again in the regrade stream, their
    /// verdicts kept in their history. Its id, and how many it queued.
    pub async fn regrade(
        &self,
        assignment_id: i32,
        scope: Scope,
        points: Points,
        staff_id: Uuid,
    ) -> Result<(Uuid, usize), Error> {
        let id = Uuid::new_v4();
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        tx.execute(
            "INSERT INTO regrades (id, course_id, assignment_id, scope, points, requested_by,
                                   course_version)
             SELECT $1, a.course_id, a.id, $3::text::regrade_scope, $4::text::regrade_points, $5,
                    a.course_version
             FROM assignments a WHERE a.id = $2",
            &[
                &id,
                &assignment_id,
                &scope.as_str(),
                &points.as_str(),
                &staff_id,
            ],
        )
        .await?;
        let queued = tx
            .query(
                "WITH targets AS (
                     SELECT s.id FROM submissions s
                     WHERE s.assignment_id = $2 AND s.status IN ('passed', 'failed')
                       AND ($3 = 'all' OR s.created_at = (
                           SELECT max(l.created_at) FROM submissions l
                           WHERE l.user_id = s.user_id AND l.assignment_id = s.assignment_id
                             AND l.status IN ('passed', 'failed')))
                     FOR UPDATE),
                 kept AS (
                     INSERT INTO submission_history (submission_id, regrade_id, status, verdict,
                         feedback, hidden_details, graded_at, course_version, assignment_hash)
                     SELECT s.id, $1, s.status, s.verdict, s.feedback, s.hidden_details,
                            s.graded_at, s.course_version, s.assignment_hash
                     FROM submissions s JOIN targets t ON t.id = s.id)
                 UPDATE submissions s
                 SET status = 'queued', regrade_id = $1, lane = -1, enqueued_at = now()
                 FROM targets t WHERE s.id = t.id
                 RETURNING s.id, s.user_id",
                &[&id, &assignment_id, &scope.as_str()],
            )
            .await?;
        tx.commit().await?;
        let t = super::table(domain::work::WorkKind::Submission);
        for row in &queued {
            self.bump(t, row.get("user_id"), assignment_id).await;
            self.push(
                WorkRef::submission(row.get("id")),
                queue::jobs::REGRADE_LANE,
            )
            .await;
        }
        Ok((id, queued.len()))
    }

    /// A regrade of one of `course_id`'s assignments, and how far it has come.
    pub async fn regrade_progress(
        &self,
        course_id: i32,
        id: Uuid,
    ) -> Result<Option<Progress>, Error> {
        let client = self.pool.get().await?;
        let row = client
            .query_opt(
                "SELECT r.id, r.assignment_id, r.scope::text AS scope, r.points::text AS points,
                        r.course_version, r.created_at,
                        (SELECT count(*) FROM submission_history h WHERE h.regrade_id = r.id)
                            AS total,
                        (SELECT count(*) FROM submissions s
                         WHERE s.regrade_id = r.id AND s.status IN ('queued', 'grading'))
                            AS pending,
                        (SELECT count(*) FROM submission_history h
                         JOIN submissions s ON s.id = h.submission_id
                         WHERE h.regrade_id = r.id AND s.regrade_id = r.id
                           AND s.status IN ('passed', 'failed') AND s.status <> h.status)
                            AS changed,
                        (SELECT count(DISTINCT p.user_id) FROM point_changes p
                         WHERE p.regrade_id = r.id) AS points_changed
                 FROM regrades r WHERE r.id = $1 AND r.course_id = $2",
                &[&id, &course_id],
            )
            .await?;
        row.map(|r| {
            let total: i64 = r.try_get("total")?;
            Ok(Progress {
                id: r.try_get("id")?,
                assignment_id: r.try_get("assignment_id")?,
                scope: r.try_get("scope")?,
                points: r.try_get("points")?,
                course_version: r.try_get("course_version")?,
                created_at: r.try_get("created_at")?,
                total,
                done: total - r.try_get::<_, i64>("pending")?,
                changed: r.try_get("changed")?,
                points_changed: r.try_get("points_changed")?,
            })
        })
        .transpose()
    }
}

/// After a regraded submission's new verdict is written (in its finish's
/// transaction): its learner's completion as the regrade's policy says,
/// and a record of any change of points, with its reason, for the learner
/// and the LMS.
pub(super) async fn settle_points(
    tx: &deadpool_postgres::Transaction<'_>,
    submission_id: Uuid,
    verdict: Verdict,
) -> Result<(), Error> {
    let whose = tx
        .query_one(
            "SELECT user_id, assignment_id FROM submissions WHERE id = $1",
            &[&submission_id],
        )
        .await?;
    // One learner's regraded submissions settle one at a time: the last
    // of them to be judged sees the others' verdicts.
    tx.execute(
        super::overrides::POINTS_LOCK,
        &[
            &whose.try_get::<_, Uuid>("user_id")?,
            &whose.try_get::<_, i32>("assignment_id")?,
        ],
    )
    .await?;
    let row = tx
        .query_one(
            "SELECT s.user_id, s.assignment_id, r.id AS regrade_id, r.points::text AS policy,
                    EXISTS (SELECT 1 FROM submissions o
                            WHERE o.user_id = s.user_id AND o.assignment_id = s.assignment_id
                              AND o.regrade_id = s.regrade_id AND o.id <> s.id
                              AND o.status IN ('queued', 'grading')) AS others_waiting,
                    EXISTS (SELECT 1 FROM point_overrides p
                            WHERE p.user_id = s.user_id AND p.assignment_id = s.assignment_id)
                        AS overridden,
                    r.course_version,
                    (SELECT c.points FROM completions c
                     WHERE c.user_id = s.user_id AND c.assignment_id = s.assignment_id) AS before
             FROM submissions s JOIN regrades r ON r.id = s.regrade_id WHERE s.id = $1",
            &[&submission_id],
        )
        .await?;
    let (user_id, assignment_id): (Uuid, i32) =
        (row.try_get("user_id")?, row.try_get("assignment_id")?);
    if row.try_get("overridden")? {
        // An instructor's points stand until they remove them; removing
        // them then restores what the submissions earn.
        return Ok(());
    }
    let before: Option<i32> = row.try_get("before")?;
    let policy: &str = row.try_get("policy")?;
    match Points::parse(policy) {
        Some(Points::KeepEarned) if verdict == Verdict::Passed => {
            super::submissions::complete(tx, submission_id).await?;
        }
        Some(Points::KeepEarned) => {}
        // The last of the learner's to be judged settles them all.
        Some(Points::Recompute) | None if row.try_get("others_waiting")? => return Ok(()),
        Some(Points::Recompute) | None => recompute(tx, user_id, assignment_id).await?,
    }
    let after: Option<i32> = super::overrides::points_of(tx, user_id, assignment_id).await?;
    if before == after {
        return Ok(());
    }
    let reason = format!(
        "The course's staff regraded this assignment against course version {} ({}): \
         your submission is now judged \"{}\".",
        row.try_get::<_, i32>("course_version")?,
        match Points::parse(policy) {
            Some(Points::KeepEarned) => "points earned are kept",
            _ => "points follow the new verdicts",
        },
        verdict.text()
    );
    let by = super::overrides::ChangedBy::Regrade(row.try_get("regrade_id")?);
    super::overrides::record(tx, user_id, assignment_id, (before, after), &reason, by).await
}

/// The learner's completion made to follow their submissions as they now
/// stand: the earliest pass earns it (on its own lateness), none takes it
/// away.
pub(super) async fn recompute(
    tx: &deadpool_postgres::Transaction<'_>,
    user_id: Uuid,
    assignment_id: i32,
) -> Result<(), Error> {
    let earned = tx
        .execute(
            "INSERT INTO completions (user_id, assignment_id, submission_id, points, late, attempt)
             SELECT s.user_id, s.assignment_id, s.id,
                    pass_points(s.late, a.late_policy, a.late_penalty_pct), s.late,
                    (SELECT count(*) FROM submissions e
                     WHERE e.user_id = s.user_id AND e.assignment_id = s.assignment_id
                       AND e.created_at <= s.created_at)::integer
             FROM submissions s JOIN assignments a ON a.id = s.assignment_id
             WHERE s.user_id = $1 AND s.assignment_id = $2 AND s.status = 'passed'
             ORDER BY s.created_at LIMIT 1
             ON CONFLICT (user_id, assignment_id) DO UPDATE
                 SET submission_id = EXCLUDED.submission_id, points = EXCLUDED.points,
                     late = EXCLUDED.late, attempt = EXCLUDED.attempt, manual = false",
            &[&user_id, &assignment_id],
        )
        .await?;
    if earned == 0 {
        tx.execute(
            "DELETE FROM completions WHERE user_id = $1 AND assignment_id = $2",
            &[&user_id, &assignment_id],
        )
        .await?;
    }
    Ok(())
}
