//! Submitting (or running) and waiting for the outcome: the gateway's
//! socket is opened first, so no event can pass before it listens, and the
//! API is asked now and then all the same (every 2 s without a socket, every
//! 5 s with one), as the page does, since events are best effort.

use std::time::Duration;

use anyhow::{bail, Context};
use futures::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;

use domain::work::{PracticeRunStatus, SubmissionStatus};

use crate::api::Api;

/// How long to wait for an outcome before giving up on waiting (the work
/// itself goes on, and the page shows it).
const GIVE_UP_AFTER: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    Submission,
    Run,
}

impl Job {
    /// The key of the object in the API's envelopes and the socket's messages.
    pub fn key(self) -> &'static str {
        match self {
            Job::Submission => "submission",
            Job::Run => "run",
        }
    }

    fn create_path(self, assignment: i32) -> String {
        match self {
            Job::Submission => format!("/api/assignments/{assignment}/submissions"),
            Job::Run => format!("/api/assignments/{assignment}/runs"),
        }
    }

    fn read_path(self, id: &str) -> String {
        match self {
            Job::Submission => format!("/api/submissions/{id}"),
            Job::Run => format!("/api/runs/{id}"),
        }
    }

    /// Whether `it` is over, by the domain's statuses. A status this
    /// client does not know (a newer server's) ends a submission's wait,
    /// where only "done" ends a practice run's.
    fn is_final(self, it: &Value) -> bool {
        let status = it["status"].as_str().unwrap_or_default();
        match self {
            Job::Submission => !SubmissionStatus::parse(status).is_some_and(|s| s.in_flight()),
            Job::Run => PracticeRunStatus::parse(status) == Some(PracticeRunStatus::Done),
        }
    }
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The learner's socket on the gateway, or None (then polling does it).
async fn connect(api: &Api) -> Option<Socket> {
    let mut url = reqwest::Url::parse(&api.gateway_url().await?).ok()?;
    url.query_pairs_mut().append_pair("token", api.token()?);
    let connecting = tokio_tungstenite::connect_async(url.as_str());
    match tokio::time::timeout(Duration::from_secs(5), connecting).await {
        Ok(Ok((socket, _))) => Some(socket),
        _ => None,
    }
}

/// The next message on the socket as JSON; None once it is closed.
async fn next_message(socket: &mut Option<Socket>) -> Option<Value> {
    let Some(s) = socket else {
        return std::future::pending().await;
    };
    loop {
        match s.next().await {
            Some(Ok(Message::Text(text))) => {
                if let Ok(v) = serde_json::from_str(text.as_str()) {
                    return Some(v);
                }
            }
            // Pings are answered by the library as it reads.
            Some(Ok(_)) => {}
            Some(Err(_)) | None => return None,
        }
    }
}

/// Sends `body` as a submission or a run of `assignment` and returns the
/// submission or run once final.
pub async fn submit_and_wait(
    api: &Api,
    job: Job,
    assignment: i32,
    body: Value,
    spin: bool,
) -> anyhow::Result<Value> {
    let mut socket = connect(api).await;
    let created = api.post(&job.create_path(assignment), Some(&body)).await?;
    let mut current = created[job.key()].clone();
    let id = current["id"]
        .as_str()
        .context("the server's answer named no id")?
        .to_owned();
    let spinner = if spin {
        let s = ProgressBar::new_spinner();
        s.set_style(ProgressStyle::with_template("{spinner} {msg}").expect("a fixed template"));
        s.enable_steady_tick(Duration::from_millis(100));
        s
    } else {
        ProgressBar::hidden()
    };
    let started = tokio::time::Instant::now();
    let mut ahead = created["ahead"].as_i64();
    while !job.is_final(&current) {
        if started.elapsed() > GIVE_UP_AFTER {
            spinner.finish_and_clear();
            bail!(
                "no outcome after {} minutes; it is still waiting: see the page",
                GIVE_UP_AFTER.as_secs() / 60
            );
        }
        spinner.set_message(waiting_text(job, &current, ahead));
        let poll = if socket.is_some() { 5 } else { 2 };
        tokio::select! {
            message = next_message(&mut socket) => match message {
                Some(m) if m["type"] == job.key() && m[job.key()]["id"] == id.as_str() => {
                    current = m[job.key()].clone();
                }
                Some(_) => {}
                None => socket = None,
            },
            () = tokio::time::sleep(Duration::from_secs(poll)) => {
                // A failed poll is tried again; only the wait's end gives up.
                if let Ok(read) = api.get(&job.read_path(&id)).await {
                    current = read[job.key()].clone();
                    ahead = read["ahead"].as_i64();
                }
            }
        }
    }
    spinner.finish_and_clear();
    Ok(current)
}

fn waiting_text(job: Job, current: &Value, ahead: Option<i64>) -> String {
    let what = if job == Job::Run {
        "test run"
    } else {
        "submission"
    };
    match (current["status"].as_str(), ahead) {
        (Some("grading" | "running"), _) => format!("Your {what} is running…"),
        (_, Some(0)) => format!("Your {what} is next for a grader…"),
        (_, Some(n)) => format!("Your {what} waits; about {n} ahead of it…"),
        _ => format!("Your {what} waits for a grader…"),
    }
}
