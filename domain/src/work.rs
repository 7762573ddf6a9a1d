//! The domain as every service and the browser see it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::verdict::Verdict;
use uuid::Uuid;

/// The two kinds of graded work: one life (`store::work`: claim, push,
/// requeue, end), two tables. A submission is judged and earns points; a
/// practice run ("Run tests") runs the visible tests for the learner's
/// eyes alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkKind {
    Submission,
    PracticeRun,
}

impl WorkKind {
    pub const ALL: [WorkKind; 2] = [Self::Submission, Self::PracticeRun];

    /// Its name on the job streams.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submission => "submission",
            Self::PracticeRun => "practice_run",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One piece of graded work, by kind and id: what a job names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WorkRef {
    pub kind: WorkKind,
    pub id: Uuid,
}

impl WorkRef {
    pub fn submission(id: Uuid) -> Self {
        Self {
            kind: WorkKind::Submission,
            id,
        }
    }

    pub fn practice_run(id: Uuid) -> Self {
        Self {
            kind: WorkKind::PracticeRun,
            id,
        }
    }
}

/// A piece of graded work as the API shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkItem {
    Submission(Submission),
    PracticeRun(PracticeRun),
}

impl WorkItem {
    pub fn verdict(&self) -> Option<Verdict> {
        match self {
            Self::Submission(s) => s.verdict,
            Self::PracticeRun(r) => r.verdict,
        }
    }

    pub fn assignment_id(&self) -> i32 {
        match self {
            Self::Submission(s) => s.assignment_id,
            Self::PracticeRun(r) => r.assignment_id,
        }
    }
}

/// Where a submission is in its life. Mirrors the `submission_status` enum in Postgres.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionStatus {
    Queued,
    Grading,
    Passed,
    Failed,
    Error,
    /// Graded, as its learner sees it while its results are held (an
    /// assignment released after its due date). Never stored.
    Received,
}

impl SubmissionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Grading => "grading",
            Self::Passed => "passed",
            Self::Failed => "failed",
            Self::Error => "error",
            Self::Received => "received",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "received" => Self::Received,
            "queued" => Self::Queued,
            "grading" => Self::Grading,
            "passed" => Self::Passed,
            "failed" => Self::Failed,
            "error" => Self::Error,
            _ => return None,
        })
    }

    /// Still waiting for or under grading: the learner may not submit again.
    pub fn in_flight(self) -> bool {
        matches!(self, Self::Queued | Self::Grading)
    }
}

/// One unittest test's result as the learner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestOutcome {
    pub name: String,
    /// A readable name: the first line of the test's docstring, where it has
    /// one (never for a hidden test).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub passed: bool,
    pub message: String,
    /// What kind of failure it was (`passed` when it passed). Absent in
    /// feedback written before tests had a verdict each.
    #[serde(default)]
    pub verdict: Option<Verdict>,
    /// A hidden test: its name and message say nothing of its inputs,
    /// expected values or what the learner's code printed or raised.
    #[serde(default)]
    pub hidden: bool,
    /// Skipped by the test's author (a decorator, or `skipTest` in the
    /// test's own code): neither passed nor failed, and not required for a
    /// pass. Never set by anything the learner's code did.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub skipped: bool,
    /// For a visible test that failed: the call it made and what came of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<FailureDetail>,
}

/// What a failed test did, as the runner saw it from its own side: the
/// call it made into the learner's code (`greet('')`), the result against
/// what was expected when the failed comparison was about that result, and
/// what the call printed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FailureDetail {
    pub call: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub printed: Option<String>,
}

/// What the learner is told about a run.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Feedback {
    pub summary: String,
    pub tests: Vec<TestOutcome>,
    pub stdout: String,
    pub stderr: String,
    pub duration_ms: u64,
}

impl Feedback {
    /// The same feedback with every NUL character shown as U+2400 (␀):
    /// Postgres text and jsonb cannot hold NUL, and a learner's program may
    /// print one or put one in an exception message.
    pub fn storable(mut self) -> Self {
        fn clean(s: &mut String) {
            if s.contains('\0') {
                *s = s.replace('\0', "\u{2400}");
            }
        }
        clean(&mut self.summary);
        clean(&mut self.stdout);
        clean(&mut self.stderr);
        for t in &mut self.tests {
            clean(&mut t.name);
            clean(&mut t.message);
            for text in t.title.iter_mut() {
                clean(text);
            }
            if let Some(d) = &mut t.detail {
                clean(&mut d.call);
                for text in [&mut d.expected, &mut d.actual, &mut d.printed]
                    .into_iter()
                    .flatten()
                {
                    clean(text);
                }
            }
        }
        self
    }
}

/// A submission as the API and the event channel carry it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Submission {
    pub id: Uuid,
    pub assignment_id: i32,
    pub status: SubmissionStatus,
    pub verdict: Option<Verdict>,
    pub code: String,
    pub created_at: DateTime<Utc>,
    pub graded_at: Option<DateTime<Utc>>,
    pub feedback: Option<Feedback>,
    /// Sent after the assignment's due date (accepted under its late policy).
    #[serde(default)]
    pub late: bool,
    /// Its results are held from its learner until then (see [`Hold`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_until: Option<DateTime<Utc>>,
}

/// A learner's results on an assignment released after its due date, held
/// until their due date: what `held_until()` in Postgres says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hold {
    pub until: DateTime<Utc>,
    /// The visible tests' results are shown before the release.
    pub visible_tests: bool,
}

impl Submission {
    /// The submission as its learner may see it now: under a hold, graded
    /// work is only `received`, with no verdict, and with the visible
    /// tests' results alone where the instructor allows them (nothing the
    /// program printed: it printed during the hidden tests too).
    pub fn as_learner_sees(mut self, hold: Option<Hold>) -> Self {
        let Some(hold) = hold else { return self };
        self.held_until = Some(hold.until);
        if self.status.in_flight() {
            return self;
        }
        self.status = SubmissionStatus::Received;
        self.verdict = None;
        self.feedback = self.feedback.take().filter(|_| hold.visible_tests).map(|f| {
            let tests: Vec<TestOutcome> = f.tests.into_iter().filter(|t| !t.hidden).collect();
            let passed = tests.iter().filter(|t| t.passed).count();
            Feedback {
                summary: format!(
                    "Received. {passed} of {} visible tests passed; the rest is released after the due date.",
                    tests.len()
                ),
                tests,
                stdout: String::new(),
                stderr: String::new(),
                // The hidden tests' time is theirs to keep.
                duration_ms: 0,
            }
        });
        self
    }
}

/// What is published on `grading:events` each time a submission arrives (the
/// API) or changes (the grader). The gateway reads it as
/// `SubmissionEvent<&RawValue>`: it routes by `user_id` to the learner and by
/// `course_id` to that course's staff, and passes the submission on untouched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmissionEvent<S = Submission> {
    pub user_id: Uuid,
    /// The assignment's course; absent in events from before courses.
    #[serde(default)]
    pub course_id: Option<i32>,
    pub submission: S,
    /// What its learner sees instead, while its results are held
    /// ([`Submission::as_learner_sees`]); staff always get `submission`.
    /// (No `default`: it would ask `S: Default`; a missing Option is None.)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held: Option<S>,
}

/// Where a practice run ("Run tests") is: waiting, on a grader, or done.
/// Mirrors the `runs.status` check in Postgres.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PracticeRunStatus {
    Queued,
    Running,
    Done,
}

impl PracticeRunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "queued" => Self::Queued,
            "running" => Self::Running,
            "done" => Self::Done,
            _ => return None,
        })
    }
}

/// A practice run: the learner's code against the assignment's visible
/// tests only. Not a submission: its outcome earns nothing and is kept a
/// day. `verdict` and `feedback` have a submission's shape once done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PracticeRun {
    pub id: Uuid,
    pub assignment_id: i32,
    pub status: PracticeRunStatus,
    pub verdict: Option<Verdict>,
    pub feedback: Option<Feedback>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// What the grader publishes on `grading:events` when a run is done. It goes
/// to its learner alone (a run is nobody else's business) as `{"type":
/// "run", "run"}`; the gateway reads it as `PracticeRunEvent<&RawValue>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PracticeRunEvent<R = PracticeRun> {
    pub user_id: Uuid,
    pub run: R,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storable_feedback_has_no_nul_anywhere() {
        let feedback = Feedback {
            summary: "a\0b".into(),
            tests: vec![TestOutcome {
                name: "t\0".into(),
                title: Some("a\0title".into()),
                passed: false,
                message: "\0".into(),
                verdict: Some(Verdict::RuntimeError),
                hidden: false,
                skipped: false,
                detail: Some(FailureDetail {
                    call: "f('\0')".into(),
                    expected: Some("'\0'".into()),
                    actual: None,
                    printed: Some("\0\n".into()),
                }),
            }],
            stdout: "x\0\0y".into(),
            stderr: "\0".into(),
            duration_ms: 1,
        }
        .storable();
        let json = serde_json::to_string(&feedback).unwrap();
        assert!(!json.contains("\\u0000"), "{json}");
        assert_eq!(feedback.stdout, "x\u{2400}\u{2400}y");
    }

    #[test]
    fn feedback_from_before_per_test_verdicts_still_reads() {
        let old = r#"{"summary":"s","tests":[{"name":"t","passed":true,"message":""}],"stdout":"","stderr":"","duration_ms":3}"#;
        let feedback: Feedback = serde_json::from_str(old).unwrap();
        assert_eq!(feedback.tests[0].verdict, None);
        assert!(!feedback.tests[0].hidden);
    }

    #[test]
    fn statuses_round_trip_and_know_when_in_flight() {
        for s in ["queued", "grading", "passed", "failed", "error"] {
            assert_eq!(SubmissionStatus::parse(s).unwrap().as_str(), s);
        }
        assert!(SubmissionStatus::Queued.in_flight());
        assert!(SubmissionStatus::Grading.in_flight());
        assert!(!SubmissionStatus::Failed.in_flight());
    }
}
