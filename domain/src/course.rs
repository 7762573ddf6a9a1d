//! Courses and their assignments as the platform knows them: what a course
//! folder says (`courseload` reads it), what Postgres stores (`store`
//! writes it) and what the services read back.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::runners::Runner;

/// One assignment as read from its folder. Serialised (a checked course
/// version's content, kept in Postgres) with its runner by name.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AssignmentSource {
    pub slug: String,
    /// Code in the editor, or a notebook.
    pub kind: Kind,
    /// What grades it.
    #[serde(with = "runner_by_name")]
    pub runner: &'static Runner,
    /// From the folder's `NN-` prefix; the course order.
    pub position: i32,
    pub title: String,
    pub handout_md: String,
    pub starter_code: String,
    pub test_code: String,
    pub solution_code: String,
    /// All tests of a run together.
    pub time_limit_ms: i32,
    pub memory_limit_mb: i32,
    /// One test (reloading the learner's module after a restart included);
    /// loading it first may take the whole run. By default half the
    /// run's limit, so one runaway test leaves time for the others.
    pub test_time_limit_ms: i32,
    /// Every test's unittest id, in unittest's order.
    pub test_ids: Vec<String>,
    /// The ids of the tests whose inputs, expected values and messages the
    /// learner never sees; a subset of `test_ids`.
    pub hidden_tests: Vec<String>,
    /// The tests a decorator of the author's skips, as the listing finds
    /// them (`test_ids::Listing`); a subset of `test_ids`, never all of it.
    pub skipped_tests: Vec<String>,
    /// When it may be submitted to, and how often.
    pub schedule: Schedule,
    /// Hash of everything that can change a verdict (tests, limits, hidden
    /// tests and the runner's version), so a changed test or runner never
    /// reuses a verdict reached before the change.
    pub content_hash: String,
}

/// What a learner hands in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Code,
    Notebook,
}

impl Kind {
    /// Its name in `assignment.toml`, the schema and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Code => "code",
            Self::Notebook => "notebook",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "code" => Some(Self::Code),
            "notebook" => Some(Self::Notebook),
            _ => None,
        }
    }
}

/// What happens to a submission after the due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LatePolicy {
    /// Refused: 403 `past_due`.
    Refuse,
    /// Accepted and marked late; a pass earns full points.
    Mark,
    /// Accepted and marked late; a pass earns 100 less this many percent.
    Penalty(i16),
}

impl LatePolicy {
    /// The policy's name in the schema's `late_policy` type.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Refuse => "refuse",
            Self::Mark => "mark",
            Self::Penalty(_) => "penalty",
        }
    }

    pub fn penalty_pct(self) -> Option<i16> {
        match self {
            Self::Penalty(pct) => Some(pct),
            _ => None,
        }
    }
}

/// What an assignment is worth: a first pass on time earns all of it (the
/// schema's `pass_points` reckons less for a late one). The LMS's score
/// maximum and the gradebook's maximum points.
pub const ASSIGNMENT_POINTS: i32 = 100;

/// When a learner sees a submission's verdict, feedback and points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Release {
    /// As soon as it is graded.
    Immediately,
    /// After the learner's due date (theirs with an extension): before it,
    /// a submission shows as `received`, with the visible tests' results
    /// when `visible_tests` (an exam that still lets learners check their
    /// work against the examples), and earns no points they can see.
    AfterDue { visible_tests: bool },
}

impl Release {
    /// The assignment's `release` column and manifest field.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Immediately => "immediately",
            Self::AfterDue { .. } => "after_due",
        }
    }

    /// The `before_release` column and manifest field: what a learner sees
    /// of a held submission (`received` also for an immediate release).
    pub fn before_release(self) -> &'static str {
        match self {
            Self::AfterDue {
                visible_tests: true,
            } => "visible_tests",
            _ => "received",
        }
    }

    /// From the two columns; None for a pair the schema does not allow.
    pub fn parse(release: &str, before_release: &str) -> Option<Self> {
        match (release, before_release) {
            ("immediately", "received") => Some(Self::Immediately),
            ("after_due", "received") => Some(Self::AfterDue {
                visible_tests: false,
            }),
            ("after_due", "visible_tests") => Some(Self::AfterDue {
                visible_tests: true,
            }),
            _ => None,
        }
    }
}

/// When an assignment takes submissions, and how many each learner gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub opens_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    pub late: LatePolicy,
    pub max_submissions: Option<i32>,
    pub release: Release,
}

impl Default for Schedule {
    fn default() -> Self {
        Self {
            opens_at: None,
            due_at: None,
            late: LatePolicy::Refuse,
            max_submissions: None,
            release: Release::Immediately,
        }
    }
}

/// The per-test limit an assignment gets when its manifest names none.
pub fn default_test_time_limit_ms(time_limit_ms: i32) -> i32 {
    (time_limit_ms / 2).max(50)
}

/// How learners come into a course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Join {
    /// Anyone with the course's address.
    Open,
    /// Only with the course's join code.
    Code,
}

impl Join {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Code => "code",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Open, Self::Code]
            .into_iter()
            .find(|j| j.as_str() == s)
    }
}

/// A course: what its course.toml says, what Postgres stores of it and
/// what the API serves (its catalog adds the id Postgres gave it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Course {
    /// Its folder's name and its address (`/c/<slug>`).
    pub slug: String,
    pub title: String,
    pub term: String,
    pub join: Join,
    /// sha256 of the join code (only the hash is stored).
    pub join_code_hash: Option<String>,
    /// Failed submissions in a row on one assignment that make a learner
    /// "stuck" in the live class view.
    pub stuck_after: i32,
    /// Whether an LTI launch's student number (the LIS `person_sourcedid`)
    /// fills a learner's profile; the LMS's name always does, unless the
    /// learner set one.
    pub lti_student_number: bool,
}

/// A course as read from its folder: the course and its assignments.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CourseSource {
    pub course: Course,
    pub assignments: Vec<AssignmentSource>,
}

/// Published on `grading:events` when a course version's check ends (or
/// it is made live again): the gateway hands it to the course's staff as
/// `{"type":"course_version", "version", "status", "reasons"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CourseVersionEvent {
    pub course_id: i32,
    pub course_version: VersionNews,
}

/// A course version's new state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionNews {
    pub version: i32,
    /// `live` or `rejected`.
    pub status: String,
    /// Whether the course serves it now (a version that passed is kept
    /// unserved when another was made live since it was published).
    pub current: bool,
    pub reasons: Vec<String>,
}

/// `stuck_after` when course.toml does not say.
pub const DEFAULT_STUCK_AFTER: i32 = 3;

/// A runner is written by its name, and read back only if this build has it.
mod runner_by_name {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    use crate::runners::{by_name, Runner};

    pub fn serialize<S: Serializer>(runner: &&'static Runner, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(runner.name)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<&'static Runner, D::Error> {
        let name = String::deserialize(d)?;
        by_name(&name).ok_or_else(|| D::Error::custom(format!("no runner {name:?}")))
    }
}
