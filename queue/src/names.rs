//! Every Redis key, stream and channel name lives here, under one prefix.
//!
//! Production uses the empty prefix; each test gets its own so tests share one
//! Redis without seeing each other's jobs, events or cache entries.

use uuid::Uuid;

/// The consumer group every grader replica joins.
pub const GRADER_GROUP: &str = "graders";

#[derive(Debug, Clone, Default)]
pub struct RedisNames {
    prefix: String,
}

impl RedisNames {
    pub fn new(prefix: impl Into<String>) -> Self {
        Self {
            prefix: prefix.into(),
        }
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// One lane of grading jobs (see `jobs`); each entry holds only a
    /// submission id.
    pub fn jobs_stream(&self, lane: u16) -> String {
        format!("{}grading:jobs:{lane}", self.prefix)
    }

    /// The practice runs' stream (see `jobs`); each entry holds a run id.
    pub fn runs_stream(&self) -> String {
        format!("{}grading:runs", self.prefix)
    }

    /// Regrades' stream, read only when learners' work is all taken.
    pub fn regrades_stream(&self) -> String {
        format!("{}grading:regrades", self.prefix)
    }

    /// The pub/sub channel of submission changes.
    pub fn events_channel(&self) -> String {
        format!("{}grading:events", self.prefix)
    }

    /// Pattern matching every cache key, for a full flush.
    pub fn cache_pattern(&self) -> String {
        format!("{}cache:*", self.prefix)
    }

    /// One course's list of assignments.
    pub fn course_cache(&self, course_id: i32) -> String {
        format!("{}cache:course:{course_id}:assignments", self.prefix)
    }

    pub fn assignment_cache(&self, assignment_id: i32) -> String {
        format!("{}cache:assignment:{assignment_id}", self.prefix)
    }

    /// One learner's submissions to one assignment, newest first.
    pub fn submission_list_cache(&self, user_id: Uuid, assignment_id: i32) -> String {
        format!("{}cache:submissions:{user_id}:{assignment_id}", self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_prefix() {
        let n = RedisNames::new("t1:");
        assert_eq!(n.jobs_stream(3), "t1:grading:jobs:3");
        assert_eq!(n.events_channel(), "t1:grading:events");
        assert_eq!(n.runs_stream(), "t1:grading:runs");
        assert!(n.assignment_cache(3).starts_with("t1:cache:"));
        assert_eq!(RedisNames::default().jobs_stream(0), "grading:jobs:0");
    }
}
