//! The gateway's subscription to `grading:events`: every replica holds one,
//! routes each event to the sockets of its learner and of its course's staff,
//! and resubscribes by itself when Redis drops, then tells every socket to
//! re-fetch what it missed.

use std::sync::Arc;
use std::time::Duration;

use domain::course::CourseVersionEvent;
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
/// "submission"}` (the event's `held` view instead, where it has one); the course's staff get `{"type":"class", "user_id",
/// "submission"}`, the same submission and whose it is. A practice run goes
/// to its learner alone, as `{"type":"run","run"}`; a course version's
/// check to the course's staff alone, as `{"type":"course_version", …}`.
pub struct Routed {
    /// The event's first audience: its learner, or a course's staff.
    pub to: (Topic, Arc<str>),
    /// A second one: a submission's course staff.
    pub also: Option<(Topic, Arc<str>)>,
}

/// The messages for an event, or None for a malformed one. The submission
/// (or run) passes through untouched.
pub fn route(payload: &[u8]) -> Option<Routed> {
    let Ok(event) = serde_json::from_slice::<SubmissionEvent<&RawValue>>(payload) else {
        if let Ok(event) = serde_json::from_slice::<CourseVersionEvent>(payload) {
            return Some(course_version(event));
        }
        let event: PracticeRunEvent<&RawValue> = serde_json::from_slice(payload).ok()?;
        let message = format!(r#"{{"type":"run","run":{}}}"#, event.run.get());
        return Some(Routed {
            to: (Topic::Learner(event.user_id), message.into()),
            also: None,
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
    // A held submission's learner gets the view made for them.
    let theirs = event.held.map_or(submission, |held| held.get());
    let learner = format!(r#"{{"type":"submission","submission":{theirs}}}"#);
    let course = event.course_id.map(|course| {
        let message = format!(
            r#"{{"type":"class","user_id":"{}","submission":{submission}}}"#,
            event.user_id
        );
        (Topic::Course(course), message.into())
    });
    Some(Routed {
        to: (Topic::Learner(event.user_id), learner.into()),
        also: course,
    })
}

/// A course version checked: for the course's staff alone.
fn course_version(event: CourseVersionEvent) -> Routed {
    let mut message = serde_json::to_value(&event.course_version).unwrap_or_default();
    message["type"] = "course_version".into();
    let to_staff = (Topic::Course(event.course_id), message.to_string().into());
    Routed {
        to: to_staff,
        also: None,
    }
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
                                        let (topic, text) = routed.to;
                                        registry.deliver(topic, text);
                                        if let Some((topic, text)) = routed.also {
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

        let (to, message) = routed.to;
        assert_eq!(to, Topic::Learner(user));
        let parsed: serde_json::Value = serde_json::from_str(&message).unwrap();
        assert_eq!(parsed["type"], "submission");
        assert_eq!(parsed["submission"]["status"], "grading");
        assert!(
            routed.also.is_none(),
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

        assert_eq!(routed.to.0, Topic::Learner(user));
        let (to, message) = routed.also.unwrap();
        assert_eq!(to, Topic::Course(7));
        let parsed: serde_json::Value = serde_json::from_str(&message).unwrap();
        assert_eq!(parsed["type"], "class");
        assert_eq!(parsed["user_id"], user.to_string());
        assert_eq!(parsed["submission"]["status"], "done");
    }

    #[test]
    fn a_held_submission_reaches_its_learner_held_and_its_staff_whole() {
        let user = Uuid::new_v4();
        let payload = format!(
            r#"{{"user_id":"{user}","course_id":7,"submission":{{"id":"x","status":"passed"}},
                "held":{{"id":"x","status":"received"}}}}"#
        );

        let routed = route(payload.as_bytes()).unwrap();

        let learner: serde_json::Value = serde_json::from_str(&routed.to.1).unwrap();
        assert_eq!(learner["submission"]["status"], "received");
        let staff: serde_json::Value = serde_json::from_str(&routed.also.unwrap().1).unwrap();
        assert_eq!(staff["submission"]["status"], "passed");
    }

    #[test]
    fn a_run_goes_to_its_learner_alone() {
        let user = Uuid::new_v4();
        let payload =
            format!(r#"{{"user_id":"{user}","course_id":7,"run":{{"id":"r","status":"done"}}}}"#);

        let routed = route(payload.as_bytes()).unwrap();

        assert_eq!(routed.to.0, Topic::Learner(user));
        let parsed: serde_json::Value = serde_json::from_str(&routed.to.1).unwrap();
        assert_eq!(parsed["type"], "run");
        assert_eq!(parsed["run"]["status"], "done");
        assert!(routed.also.is_none(), "staff never see a learner's runs");
    }

    #[test]
    fn a_course_version_goes_to_its_staff_alone() {
        let event = CourseVersionEvent {
            course_id: 7,
            course_version: domain::course::VersionNews {
                version: 3,
                status: "rejected".into(),
                current: false,
                reasons: vec!["01-a/solution.py: the reference solution does not pass".into()],
            },
        };
        let routed = route(serde_json::to_string(&event).unwrap().as_bytes()).unwrap();
        assert_eq!(routed.to.0, Topic::Course(7));
        let parsed: serde_json::Value = serde_json::from_str(&routed.to.1).unwrap();
        assert_eq!(parsed["type"], "course_version");
        assert_eq!(parsed["version"], 3);
        assert_eq!(
            parsed["reasons"][0],
            "01-a/solution.py: the reference solution does not pass"
        );
        assert!(routed.also.is_none());
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
