//! An instructor's manual points for a learner on an assignment, with the
//! reason. Setting one writes the learner's completion (so every reader of
//! points, the LMS's outbox included, sees it) and keeps the completion it
//! replaced; removing it restores that one, or what the learner's
//! submissions earn now. Both are recorded in `point_changes` with the
//! reason and who acted, which the learner sees.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::GradedWork;
use crate::Error;

/// An override as the staff pages list it.
#[derive(Debug, Clone, Serialize)]
pub struct Override {
    pub user_id: Uuid,
    pub display_name: Option<String>,
    pub assignment_id: i32,
    pub points: i32,
    pub reason: String,
    pub set_at: DateTime<Utc>,
}

/// The lock one learner's points on one assignment change under (overrides
/// and regrades alike).
pub(super) const POINTS_LOCK: &str =
    "SELECT pg_advisory_xact_lock(hashtext($1::uuid::text || ':' || $2::integer))";

impl GradedWork {
    /// Sets `points` for a learner of `course_id` on `assignment_id` (its
    /// course's, checked by the caller). None when they are not in the course.
    pub async fn set_override(
        &self,
        course_id: i32,
        user_id: Uuid,
        assignment_id: i32,
        points: i32,
        reason: &str,
        staff_id: Uuid,
    ) -> Result<Option<Override>, Error> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        tx.execute(POINTS_LOCK, &[&user_id, &assignment_id]).await?;
        let enrolled = tx
            .query_opt(
                "SELECT (SELECT points FROM completions
                         WHERE user_id = $1 AND assignment_id = $2) AS before
                 FROM enrolments WHERE user_id = $1 AND course_id = $3",
                &[&user_id, &assignment_id, &course_id],
            )
            .await?;
        let Some(enrolled) = enrolled else {
            return Ok(None);
        };
        let before: Option<i32> = enrolled.try_get("before")?;
        let row = tx
            .query_one(
                "INSERT INTO point_overrides (user_id, assignment_id, points, reason, set_by,
                     was_points, was_submission, was_late, was_attempt)
                 SELECT $1, $2, $3, $4, $5, c.points, c.submission_id, c.late, c.attempt
                 FROM (SELECT 1) one
                 LEFT JOIN completions c ON c.user_id = $1 AND c.assignment_id = $2
                 ON CONFLICT (user_id, assignment_id) DO UPDATE
                     SET points = EXCLUDED.points, reason = EXCLUDED.reason,
                         set_by = EXCLUDED.set_by, set_at = now()
                 RETURNING set_at, (SELECT display_name FROM users WHERE id = $1) AS display_name",
                &[&user_id, &assignment_id, &points, &reason, &staff_id],
            )
            .await?;
        tx.execute(
            "INSERT INTO completions (user_id, assignment_id, points, manual)
             VALUES ($1, $2, $3, true)
             ON CONFLICT (user_id, assignment_id) DO UPDATE
                 SET points = EXCLUDED.points, manual = true",
            &[&user_id, &assignment_id, &points],
        )
        .await?;
        let why = format!("Your teacher set your points on this assignment to {points}: {reason}");
        let by = ChangedBy::Staff(staff_id);
        record(
            &tx,
            user_id,
            assignment_id,
            (before, Some(points)),
            &why,
            by,
        )
        .await?;
        tx.commit().await?;
        Ok(Some(Override {
            user_id,
            display_name: row.try_get("display_name")?,
            assignment_id,
            points,
            reason: reason.to_owned(),
            set_at: row.try_get("set_at")?,
        }))
    }

    /// Removes a learner's override: the completion it replaced comes back,
    /// or, where there was none, what their submissions earn now. False
    /// when there was no override.
    pub async fn remove_override(
        &self,
        user_id: Uuid,
        assignment_id: i32,
        staff_id: Uuid,
    ) -> Result<bool, Error> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        tx.execute(POINTS_LOCK, &[&user_id, &assignment_id]).await?;
        let Some(gone) = tx
            .query_opt(
                "DELETE FROM point_overrides WHERE user_id = $1 AND assignment_id = $2
                 RETURNING points, was_points, was_submission, was_late, was_attempt",
                &[&user_id, &assignment_id],
            )
            .await?
        else {
            return Ok(false);
        };
        let before: i32 = gone.try_get("points")?;
        if gone.try_get::<_, Option<i32>>("was_points")?.is_some() {
            tx.execute(
                "UPDATE completions
                 SET points = $3, submission_id = $4, late = $5, attempt = $6, manual = false
                 WHERE user_id = $1 AND assignment_id = $2",
                &[
                    &user_id,
                    &assignment_id,
                    &gone.try_get::<_, Option<i32>>("was_points")?,
                    &gone.try_get::<_, Option<Uuid>>("was_submission")?,
                    &gone.try_get::<_, Option<bool>>("was_late")?,
                    &gone.try_get::<_, Option<i32>>("was_attempt")?,
                ],
            )
            .await?;
        } else {
            super::regrades::recompute(&tx, user_id, assignment_id).await?;
        }
        let after = points_of(&tx, user_id, assignment_id).await?;
        let why = "Your teacher removed the points they had set: your points are what your \
                   work earned again.";
        let by = ChangedBy::Staff(staff_id);
        record(&tx, user_id, assignment_id, (Some(before), after), why, by).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Every override of a course's assignments, oldest first.
    pub async fn overrides(&self, course_id: i32) -> Result<Vec<Override>, Error> {
        let client = self.pool.get().await?;
        client
            .query(
                "SELECT o.user_id, u.display_name, o.assignment_id, o.points, o.reason, o.set_at
                 FROM point_overrides o
                 JOIN assignments a ON a.id = o.assignment_id
                 JOIN users u ON u.id = o.user_id
                 WHERE a.course_id = $1 ORDER BY o.set_at",
                &[&course_id],
            )
            .await?
            .iter()
            .map(|r| {
                Ok(Override {
                    user_id: r.try_get("user_id")?,
                    display_name: r.try_get("display_name")?,
                    assignment_id: r.try_get("assignment_id")?,
                    points: r.try_get("points")?,
                    reason: r.try_get("reason")?,
                    set_at: r.try_get("set_at")?,
                })
            })
            .collect()
    }
}

/// A learner's points on an assignment: their completion's, if any.
pub(super) async fn points_of(
    tx: &deadpool_postgres::Transaction<'_>,
    user_id: Uuid,
    assignment_id: i32,
) -> Result<Option<i32>, Error> {
    tx.query_opt(
        "SELECT points FROM completions WHERE user_id = $1 AND assignment_id = $2",
        &[&user_id, &assignment_id],
    )
    .await?
    .map(|r| r.try_get("points"))
    .transpose()
    .map_err(Error::from)
}

/// Who changed a learner's points, besides the learner's own passes.
pub(super) enum ChangedBy {
    /// An instructor, by hand.
    Staff(Uuid),
    /// A regrade.
    Regrade(Uuid),
}

/// The one record of a change of points the learner did not make: with its
/// reason and who made it, for the learner to read; and the LMS hears of a
/// completion taken away here (its insert and update tell it by trigger,
/// and a trigger on delete would also fire on a learner's cascaded
/// deletion).
pub(super) async fn record(
    tx: &deadpool_postgres::Transaction<'_>,
    user_id: Uuid,
    assignment_id: i32,
    (before, after): (Option<i32>, Option<i32>),
    why: &str,
    by: ChangedBy,
) -> Result<(), Error> {
    let (staff_id, regrade_id) = match by {
        ChangedBy::Staff(id) => (Some(id), None),
        ChangedBy::Regrade(id) => (None, Some(id)),
    };
    tx.execute(
        "INSERT INTO point_changes (user_id, assignment_id, old_points, new_points, reason,
                                    staff_id, regrade_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &user_id,
            &assignment_id,
            &before.unwrap_or(0),
            &after.unwrap_or(0),
            &why,
            &staff_id,
            &regrade_id,
        ],
    )
    .await?;
    if after.is_none() {
        tx.execute(
            "SELECT lti_score_changed($1, $2)",
            &[&user_id, &assignment_id],
        )
        .await?;
    }
    Ok(())
}
