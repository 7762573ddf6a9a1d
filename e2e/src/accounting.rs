//! The stack test's accounting (`scripts/test-stack.sh` through the
//! `stack-check` binary): what k6 sent, from its records, held against what
//! Postgres keeps and what the API answers.
//!
//! k6 run with `RECORD=1` writes one JSON line for each learner it made
//! (`{"learner": id}`) and each submission the platform accepted
//! (`{"submission": id, "learner": id, "expect": "passed"|"failed"}`): which
//! submissions must pass is known from what was sent, not guessed from code.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use domain::work::SubmissionStatus;
use futures::StreamExt;
use serde::Deserialize;
use service::token::TokenSigner;
use uuid::Uuid;

/// One line of k6's records.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Record {
    Submission(SubmissionRecord),
    Learner(LearnerRecord),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SubmissionRecord {
    submission: Uuid,
    learner: Uuid,
    expect: SubmissionStatus,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LearnerRecord {
    learner: Uuid,
}

/// What a k6 run sent and the platform accepted.
#[derive(Debug, Default)]
pub struct Sent {
    pub learners: BTreeSet<Uuid>,
    /// Each accepted submission and the status its code must end in.
    pub submissions: BTreeMap<Uuid, SubmissionStatus>,
}

impl Sent {
    /// Reads k6's records, one JSON object a line; any other line is an error,
    /// so a broken record is never skipped.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut sent = Self::default();
        for (n, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let record: Record =
                serde_json::from_str(line).map_err(|e| format!("record {}: {e}: {line}", n + 1))?;
            match record {
                Record::Learner(r) => {
                    sent.learners.insert(r.learner);
                }
                Record::Submission(r) => {
                    sent.learners.insert(r.learner);
                    sent.submissions.insert(r.submission, r.expect);
                }
            }
        }
        Ok(sent)
    }

    /// Adds another run's records (the soak's live and submit scenarios).
    pub fn extend(&mut self, other: Sent) {
        self.learners.extend(other.learners);
        self.submissions.extend(other.submissions);
    }
}

/// What became of what was sent.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Account {
    pub accepted: usize,
    pub stored: usize,
    /// Still queued or grading.
    pub in_flight: usize,
    /// Ended in `error`: the platform gave up on them.
    pub gave_up: usize,
    /// Submissions that ended in a status other than the one their code must
    /// reach (a passing solution failed, or a failing one passed).
    pub misjudged: Vec<(Uuid, SubmissionStatus, Option<SubmissionStatus>)>,
    pub learners: usize,
    /// Learners whose points through the API are not 100 × the assignments
    /// they passed in Postgres: (learner, expected, what the API said).
    pub points_wrong: Vec<(Uuid, i64, String)>,
}

impl Account {
    /// Nothing accepted was lost, stuck, given up on or misjudged, and every
    /// learner's points are right.
    pub fn holds(&self) -> bool {
        self.stored == self.accepted
            && self.in_flight == 0
            && self.gave_up == 0
            && self.misjudged.is_empty()
            && self.points_wrong.is_empty()
            && self.learners > 0
    }

    /// The table cells: accepted, stored, left in flight, ended in error,
    /// misjudged, and the points check.
    pub fn cells(&self) -> String {
        format!(
            "{} | {} | {} | {} | {} | {} learners, {} wrong",
            self.accepted,
            self.stored,
            self.in_flight,
            self.gave_up,
            self.misjudged.len(),
            self.learners,
            self.points_wrong.len()
        )
    }

    /// What went wrong, a line each (at most ten of each kind).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.stored != self.accepted {
            out.push(format!(
                "{} accepted, {} stored: {} lost",
                self.accepted,
                self.stored,
                self.accepted - self.stored
            ));
        }
        if self.in_flight > 0 {
            out.push(format!("{} still queued or grading", self.in_flight));
        }
        if self.gave_up > 0 {
            out.push(format!("{} ended in error", self.gave_up));
        }
        for (id, want, got) in self.misjudged.iter().take(10) {
            out.push(format!("submission {id}: expected {want:?}, ended {got:?}"));
        }
        for (id, want, got) in self.points_wrong.iter().take(10) {
            out.push(format!("learner {id}: points {got}, expected {want}"));
        }
        if self.learners == 0 {
            out.push("no learner was recorded: k6 ran without RECORD=1?".into());
        }
        out
    }
}

/// Waits until no submission at all is queued or grading, up to `limit`;
/// how long that took, or None when it never happened.
pub async fn settle(
    db: &tokio_postgres::Client,
    limit: Duration,
) -> Result<Option<Duration>, String> {
    let started = tokio::time::Instant::now();
    loop {
        let row = db
            .query_one(
                "SELECT count(*) AS in_flight FROM submissions
                 WHERE status IN ('queued', 'grading')",
                &[],
            )
            .await
            .map_err(|e| format!("counting submissions in flight: {e}"))?;
        if row.get::<_, i64>("in_flight") == 0 {
            return Ok(Some(started.elapsed()));
        }
        if started.elapsed() > limit {
            return Ok(None);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Holds what was sent against Postgres and, for each learner's points, the
/// API at `api` (tokens minted with `signer`).
pub async fn account(
    db: &tokio_postgres::Client,
    http: &reqwest::Client,
    api: &str,
    signer: &TokenSigner,
    sent: &Sent,
) -> Result<Account, String> {
    let ids: Vec<Uuid> = sent.submissions.keys().copied().collect();
    let rows = db
        .query(
            "SELECT id, status::text AS status FROM submissions WHERE id = ANY($1)",
            &[&ids],
        )
        .await
        .map_err(|e| format!("reading the sent submissions: {e}"))?;
    let stored: BTreeMap<Uuid, Option<SubmissionStatus>> = rows
        .iter()
        .map(|r| (r.get("id"), SubmissionStatus::parse(r.get("status"))))
        .collect();
    let mut account = Account {
        accepted: sent.submissions.len(),
        stored: stored.len(),
        learners: sent.learners.len(),
        ..Account::default()
    };
    for (id, want) in &sent.submissions {
        let Some(got) = stored.get(id).copied() else {
            continue;
        };
        match got {
            Some(s) if s.in_flight() => account.in_flight += 1,
            Some(SubmissionStatus::Error) => account.gave_up += 1,
            Some(s) if s == *want => {}
            other => account.misjudged.push((*id, *want, other)),
        }
    }
    account.points_wrong = points_wrong(db, http, api, signer, &sent.learners).await?;
    Ok(account)
}

/// Learners whose points through the API differ from 100 × the distinct
/// assignments Postgres says they passed.
async fn points_wrong(
    db: &tokio_postgres::Client,
    http: &reqwest::Client,
    api: &str,
    signer: &TokenSigner,
    learners: &BTreeSet<Uuid>,
) -> Result<Vec<(Uuid, i64, String)>, String> {
    let ids: Vec<Uuid> = learners.iter().copied().collect();
    let rows = db
        .query(
            "SELECT user_id, count(DISTINCT assignment_id) AS passed FROM submissions
             WHERE user_id = ANY($1) AND status = 'passed' GROUP BY user_id",
            &[&ids],
        )
        .await
        .map_err(|e| format!("counting passes: {e}"))?;
    let passed: BTreeMap<Uuid, i64> = rows
        .iter()
        .map(|r| (r.get("user_id"), r.get("passed")))
        .collect();
    let passed = &passed;
    let answers = futures::stream::iter(ids)
        .map(|id| async move {
            let want = 100 * passed.get(&id).copied().unwrap_or(0);
            let got = points_of(http, api, &signer.sign(id)).await;
            (id, want, got)
        })
        .buffer_unordered(8)
        .collect::<Vec<_>>()
        .await;
    Ok(answers
        .into_iter()
        .filter(|(_, want, got)| got.as_ref().ok() != Some(want))
        .map(|(id, want, got)| (id, want, got.map_or_else(|e| e, |p| p.to_string())))
        .collect())
}

/// The learner's points from `GET /api/me`; an error is reported, never skipped.
async fn points_of(http: &reqwest::Client, api: &str, token: &str) -> Result<i64, String> {
    let res = http
        .get(format!("{api}/api/me"))
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| format!("error: {e}"))?;
    let status = res.status();
    let body: serde_json::Value = res.json().await.map_err(|e| format!("error: {e}"))?;
    body["points"]
        .as_i64()
        .ok_or_else(|| format!("error: {status} {body}"))
}

/// The row counts a backup must keep: submissions and completions.
pub async fn counts(db: &tokio_postgres::Client) -> Result<(i64, i64), String> {
    let row = db
        .query_one(
            "SELECT (SELECT count(*) FROM submissions) AS submissions,
                    (SELECT count(*) FROM completions) AS completions",
            &[],
        )
        .await
        .map_err(|e| format!("counting rows: {e}"))?;
    Ok((row.get("submissions"), row.get("completions")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_read_and_a_broken_one_is_an_error() {
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let text = format!(
            "{{\"learner\":\"{a}\"}}\n\n{{\"submission\":\"{b}\",\"learner\":\"{a}\",\"expect\":\"passed\"}}\n"
        );
        let sent = Sent::parse(&text).unwrap();
        assert_eq!(sent.learners.len(), 1);
        assert_eq!(sent.submissions.get(&b), Some(&SubmissionStatus::Passed));
        assert!(Sent::parse("time=\"…\" level=info msg=x").is_err());
        assert!(Sent::parse(&format!("{{\"submission\":\"{b}\"}}")).is_err());
        // A submission without what it must end in is not taken for a learner.
        assert!(Sent::parse(&format!("{{\"submission\":\"{b}\",\"learner\":\"{a}\"}}")).is_err());
    }
}
