//! The `grading:events` channel: the API publishes each new submission and
//! the grader each change of one; every WebSocket replica subscribes and
//! routes it to its learner and its course's staff.

use redis::aio::ConnectionManager;
use redis::AsyncCommands;

use uuid::Uuid;

use crate::names::RedisNames;
use crate::Error;
use domain::work::{Hold, PracticeRun, PracticeRunEvent, Submission, SubmissionEvent, WorkItem};

/// Publishes submission events through a shared connection.
#[derive(Clone)]
pub struct EventPublisher {
    conn: ConnectionManager,
    names: RedisNames,
}

impl EventPublisher {
    pub fn new(conn: ConnectionManager, names: RedisNames) -> Self {
        Self { conn, names }
    }

    /// Tells `submission`'s learner (what they may see of it under `hold`)
    /// and `course_id`'s staff of it; a failure is logged and otherwise
    /// ignored (see [`Self::publish_event`]).
    pub async fn announce(
        &self,
        user_id: Uuid,
        course_id: i32,
        submission: &Submission,
        hold: Option<Hold>,
    ) {
        let event = SubmissionEvent {
            user_id,
            course_id: Some(course_id),
            submission: submission.clone(),
            held: hold.map(|h| submission.clone().as_learner_sees(Some(h))),
        };
        if let Err(e) = self.publish_event(&event).await {
            tracing::warn!(error = %e, "could not publish the event");
        }
    }

    /// Tells whom it concerns that a piece of graded work changed: a
    /// submission's learner and course staff, a practice run's learner alone.
    pub async fn announce_work(
        &self,
        user_id: Uuid,
        course_id: i32,
        item: &WorkItem,
        hold: Option<Hold>,
    ) {
        match item {
            WorkItem::Submission(s) => self.announce(user_id, course_id, s, hold).await,
            WorkItem::PracticeRun(r) => self.announce_practice_run(user_id, r).await,
        }
    }

    /// Tells a run's learner (and nobody else) that it is done; best effort
    /// like every event: the page polls as well.
    pub async fn announce_practice_run(&self, user_id: Uuid, run: &PracticeRun) {
        let event = PracticeRunEvent {
            user_id,
            run: run.clone(),
        };
        if let Err(e) = self.publish_event(&event).await {
            tracing::warn!(error = %e, "could not publish the run's event");
        }
    }

    /// Best effort by design: Postgres already holds the change, and a page
    /// that missed the event re-fetches by polling.
    pub async fn publish_event(&self, event: &impl serde::Serialize) -> Result<(), Error> {
        let payload = serde_json::to_string(event)
            .map_err(|e| Error::Malformed(format!("event not serialisable: {e}")))?;
        let mut conn = self.conn.clone();
        let _: i64 = conn.publish(self.names.events_channel(), payload).await?;
        Ok(())
    }
}
