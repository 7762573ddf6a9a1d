//! The `grading:events` channel: the grader publishes each change of a
//! submission; every WebSocket replica subscribes and routes it to its learner.

use redis::aio::ConnectionManager;
use redis::AsyncCommands;

use crate::domain::SubmissionEvent;
use crate::names::RedisNames;
use crate::Error;

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

    /// Best effort by design: Postgres already holds the change, and a page
    /// that missed the event re-fetches by polling.
    pub async fn publish_event(&self, event: &SubmissionEvent) -> Result<(), Error> {
        let payload = serde_json::to_string(event)
            .map_err(|e| Error::Malformed(format!("event not serialisable: {e}")))?;
        let mut conn = self.conn.clone();
        let _: i64 = conn.publish(self.names.events_channel(), payload).await?;
        Ok(())
    }
}
