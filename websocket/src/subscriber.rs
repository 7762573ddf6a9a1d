//! The gateway's subscription to `grading:events`: every replica holds one,
//! routes each event to the sockets of its learner and of its course's staff,
//! and resubscribes by itself when Redis drops, then tells every socket to
//! re-fetch what it missed.

use std::sync::Arc;
use std::time::Duration;

use domain::work::{PracticeRunEvent, SubmissionEvent};
use futures::StreamExt;
use serde_json::value::RawValue;
use uuid::Uuid;

use crate::metrics::Metrics;
use crate::registry::{Registry, Topic};

/// Sent to every socket after the subscription was re-established: events may
/// have been missed meanwhile.
pub const RECONNECTED: &str = r#"{"type":"reconnected"}"#;

/// Where an event goes: the learner's sockets get `{"type":"submission",
/// "submission"}`; the course's staff get `{"type":"class", "user_id",
/// "submission"}`, the same submission and whose it is. A practice run goes
/// to its learner alone, as `{"type":"run","run"}`.
pub struct Routed {
    pub learner: (Topic, Arc<str>),
    pub course: Option<(Topic, Arc<str>)>,
}

/// The messages for an event, or None for a malformed one. The submission
/// (or run) passes through untouched.
pub fn route(payload: &[u8]) -> Option<Routed> {
    let Ok(event) = serde_json::from_slice::<SubmissionEvent<&RawValue>>(payload) else {
        let event: PracticeRunEvent<&RawValue> = serde_json::from_slice(payload).ok()?;
        let message = format!(r#"{{"type":"run","run":{}}}"#, event.run.get());
        return Some(Routed {
            learner: (Topic::Learner(event.user_id), message.into()),
            course: None,
        });
    };
    if tracing::enabled!(tracing::Level::DEBUG) {
        // The submission's id, so one grep follows it from API to socket.
        #[derive(serde::Deserialize)]
        struct Id {
            id: Uuid,
        }
        let id = serde_json::from_str::<Id>(event.submission.get()).ok();
        tracing::debug!(submission_id = ?id.map(|i| i.id), user_id = %event.user_id, "event routed");
    }
    let submission = event.submission.get();
    let learner = format!(r#"{{"type":"submission","submission":{submission}}}"#);
    let course = event.course_id.map(|course| {
        let message = format!(
            r#"{{"type":"class","user_id":"{}","submission":{submission}}}"#,
            event.user_id
        );
        (Topic::Course(course), message.into())
    });
    Some(Routed {
        learner: (Topic::Learner(event.user_id), learner.into()),
        course,
    })
}

pub async fn run(
    client: redis::Client,
    channel: String,
    registry: Arc<Registry>,
    metrics: Arc<Metrics>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let mut backoff = Duration::from_millis(100);
    let mut subscribed_before = false;
    loop {
        match client.get_async_pubsub().await {
            Ok(mut pubsub) => match pubsub.subscribe(&channel).await {
                Ok(()) => {
                    tracing::info!(%channel, "subscribed to the event channel");
                    metrics.redis_connected.set(1);
                    backoff = Duration::from_millis(100);
                    if subscribed_before {
                        registry.broadcast(RECONNECTED.into());
                    }
                    subscribed_before = true;
                    let mut messages = pubsub.on_message();
                    loop {
                        tokio::select! {
                            message = messages.next() => match message {
                                Some(m) => match route(m.get_payload_bytes()) {
                                    Some(routed) => {
                                        let (topic, text) = routed.learner;
                                        registry.deliver(topic, text);
                                        if let Some((topic, text)) = routed.course {
                                            registry.deliver(topic, text);
                                        }
                                    }
                                    None => tracing::warn!("malformed event dropped"),
                                },
                                None => break,
                            },
                            _ = shutdown.wait_for(|stop| *stop) => return,
                        }
                    }
                    metrics.redis_connected.set(0);
                    tracing::warn!("lost the event channel; resubscribing");
                }
                Err(e) => tracing::warn!(error = %e, "subscribe failed"),
            },
            Err(e) => tracing::warn!(error = %e, "cannot reach Redis for events"),
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = shutdown.wait_for(|stop| *stop) => return,
        }
        backoff = (backoff * 2).min(Duration::from_secs(2));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_becomes_a_submission_message_for_its_learner() {
        let user = Uuid::new_v4();
        let payload =
            format!(r#"{{"user_id":"{user}","submission":{{"id":"x","status":"grading"}}}}"#);

        let routed = route(payload.as_bytes()).unwrap();

        let (to, message) = routed.learner;
        assert_eq!(to, Topic::Learner(user));
        let parsed: serde_json::Value = serde_json::from_str(&message).unwrap();
        assert_eq!(parsed["type"], "submission");
        assert_eq!(parsed["submission"]["status"], "grading");
        assert!(
            routed.course.is_none(),
            "an event without a course reaches no staff"
        );
    }

    #[test]
    fn an_event_of_a_course_also_goes_to_its_staff_naming_the_learner() {
        let user = Uuid::new_v4();
        let payload = format!(
            r#"{{"user_id":"{user}","course_id":7,"submission":{{"id":"x","status":"done"}}}}"#
        );

        let routed = route(payload.as_bytes()).unwrap();

        assert_eq!(routed.learner.0, Topic::Learner(user));
        let (to, message) = routed.course.unwrap();
        assert_eq!(to, Topic::Course(7));
        let parsed: serde_json::Value = serde_json::from_str(&message).unwrap();
        assert_eq!(parsed["type"], "class");
        assert_eq!(parsed["user_id"], user.to_string());
        assert_eq!(parsed["submission"]["status"], "done");
    }

    #[test]
    fn a_run_goes_to_its_learner_alone() {
        let user = Uuid::new_v4();
        let payload =
            format!(r#"{{"user_id":"{user}","course_id":7,"run":{{"id":"r","status":"done"}}}}"#);

        let routed = route(payload.as_bytes()).unwrap();

        assert_eq!(routed.learner.0, Topic::Learner(user));
        let parsed: serde_json::Value = serde_json::from_str(&routed.learner.1).unwrap();
        assert_eq!(parsed["type"], "run");
        assert_eq!(parsed["run"]["status"], "done");
        assert!(routed.course.is_none(), "staff never see a learner's runs");
    }

    #[test]
    fn malformed_events_are_dropped() {
        for bad in [
            &b"not json"[..],
            br#"{"user_id":"nope","submission":{}}"#,
            br#"{"submission":{}}"#,
            br#"{"run":{}}"#,
            br#"{"user_id":"nope","run":{}}"#,
            br#"{"user_id":"00000000-0000-0000-0000-000000000000","course_id":"intro","submission":{}}"#,
        ] {
            assert!(route(bad).is_none());
        }
    }
}
