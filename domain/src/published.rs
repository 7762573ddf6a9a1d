//! What the API publishes of a course and of a learner's standing, as the
//! API writes it and the terminal client reads it: one struct per answer,
//! so that a field renamed on one side fails to compile on the other.
//!
//! Kinds and late policies stay text here: a client reading a newer
//! server's answer still reads a kind it does not know, and says so.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One line of a course's list of assignments (`GET /api/assignments`,
/// `GET /api/courses/{c}/assignments`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssignmentSummary {
    pub id: i32,
    pub slug: String,
    pub position: i32,
    pub title: String,
    /// `code` or `notebook`: what a learner hands in.
    pub kind: String,
}

/// One assignment, whole (`GET /api/assignments/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    pub id: i32,
    pub slug: String,
    pub position: i32,
    pub title: String,
    /// `code` or `notebook`. A notebook assignment's `starter_code` is the
    /// starter notebook's JSON, and `solution_file` the name to save it as.
    pub kind: String,
    pub handout_html: String,
    pub starter_code: String,
    pub solution_file: String,
    /// What the page's editor is labelled and highlights as: the runner's.
    pub language: String,
    /// The schedule: when it opens and is due (null: always), what happens
    /// to a late submission (`refuse`, `mark` or `penalty`, with the percent
    /// taken off a late pass), and how many submissions a learner gets
    /// (null: no limit).
    pub opens_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    pub late_policy: String,
    pub late_penalty_pct: Option<i16>,
    pub max_submissions: Option<i32>,
    /// When a learner sees their results: `immediately`, or `after_due`
    /// (their due date, with an extension), showing before it only that a
    /// submission was `received`, or with `before_release` =
    /// `visible_tests` the visible tests' results too.
    #[serde(default = "immediately")]
    pub release: String,
    #[serde(default = "received")]
    pub before_release: String,
}

fn immediately() -> String {
    crate::course::Release::Immediately.as_str().into()
}

fn received() -> String {
    crate::course::Release::Immediately.before_release().into()
}

/// A learner's standing (`GET /api/me`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub user_id: Uuid,
    /// The learner's account, when they keep their progress under one
    /// (`POST /api/me/account`); None for an anonymous learner.
    #[serde(default)]
    pub username: Option<String>,
    /// Whether an LMS or an integration made this learner: they sign in
    /// through it, never with a password.
    #[serde(default)]
    pub external: bool,
    /// What the learner gave their courses' staff to know them by.
    pub display_name: Option<String>,
    pub student_number: Option<String>,
    pub points: i64,
    /// The assignments passed, by id.
    pub completed: Vec<i32>,
    pub next_assignment_id: Option<i32>,
    /// Submissions made to each assignment (deleted ones count), by id.
    pub attempts: BTreeMap<i32, i32>,
    /// The learner's own due dates, by assignment id, where an instructor
    /// gave them an extension.
    pub extensions: BTreeMap<i32, DateTime<Utc>>,
    /// Changes of their points they did not make themselves (a regrade),
    /// newest first, each with its reason.
    #[serde(default)]
    pub point_changes: Vec<PointChange>,
}

/// A change of a learner's points on one assignment, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointChange {
    pub assignment_id: i32,
    pub old_points: i32,
    pub new_points: i32,
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// A new anonymous learner (`POST /api/users`): who, and the token that
/// proves it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewLearner {
    pub user_id: Uuid,
    pub token: String,
}

/// A learner's sign-in (`POST /api/sessions`): who, and their token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub user_id: Uuid,
    pub token: String,
}

/// A learner's account, made (`POST /api/me/account`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub user_id: Uuid,
    pub username: String,
}

/// A course version just published (`POST /api/courses/{c}/versions`, 202).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedVersion {
    pub version: i32,
    /// `checking`: a grader checks it next.
    pub status: String,
}

/// Where a course version is (`GET /api/courses/{c}/versions/{v}`, and
/// each line of `GET /api/courses/{c}/versions`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CourseVersion {
    pub version: i32,
    /// `checking`, `live` (it passed its check) or `rejected`.
    pub status: String,
    /// The version the course serves now.
    pub current: bool,
    /// Why it was rejected, each naming its file and field or its
    /// assignment; empty otherwise.
    pub reasons: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub checked_at: Option<DateTime<Utc>>,
}

/// A staff sign-in (`POST /api/staff/sessions`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffSession {
    pub token: String,
    /// `instructor` or `tutor`.
    pub role: String,
    /// The course's slug: staff are staff of one course.
    pub course: String,
    pub expires_at: DateTime<Utc>,
}
