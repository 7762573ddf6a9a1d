//! Every limit a run is held to, in one value. The Docker sandbox, the
//! process sandbox, the runner inside either (which gets its part on stdin)
//! and the judge's messages all read it from here; nothing else spells a
//! limit out.

use std::time::Duration;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// All of a run's tests together (the assignment's `time_limit_ms`).
    pub run_time: Duration,
    /// One test (`test_time_limit_ms`); loading the learner's module may
    /// take the whole `run_time`.
    pub test_time: Duration,
    /// Beyond `run_time`, for starting the container and the interpreter and
    /// writing the report; the whole run is killed at the sum.
    pub start_allowance: Duration,
    /// Memory, swap included, for the runner and the learner together.
    pub memory_mb: u32,
    pub cpus: f64,
    pub processes: u32,
    pub open_files: u32,
    pub file_bytes: u64,
    /// The writable /tmp.
    pub tmp_mb: u32,
    /// What the learner's code may print in all; past it, `output_limit`.
    pub output_bytes: usize,
    /// How much of stdout and of stderr the feedback shows.
    pub shown_output: usize,
    /// Longest message shown per test.
    pub message_chars: usize,
    /// Largest value that may cross between the learner's process and the
    /// runner, and how deeply it may nest.
    pub value_bytes: usize,
    pub value_depth: u32,
    /// The runner's report; past it the report is not read at all.
    pub report_bytes: usize,
}

impl Limits {
    /// The limits of an assignment as its folder gives them (a course
    /// version being checked).
    pub fn of(a: &domain::course::AssignmentSource) -> Self {
        Self::new(
            a.time_limit_ms as u64,
            a.test_time_limit_ms as u64,
            a.memory_limit_mb as u32,
        )
    }

    /// An assignment's limits, with the platform's for everything else.
    pub fn new(run_time_ms: u64, test_time_ms: u64, memory_mb: u32) -> Self {
        Self {
            run_time: Duration::from_millis(run_time_ms),
            test_time: Duration::from_millis(test_time_ms.min(run_time_ms)),
            start_allowance: Duration::from_secs(2),
            memory_mb,
            cpus: 1.0,
            processes: 64,
            open_files: 64,
            file_bytes: 8 << 20,
            tmp_mb: 32,
            output_bytes: 1 << 20,
            shown_output: 8 << 10,
            message_chars: 2000,
            value_bytes: 8 << 20,
            value_depth: 100,
            report_bytes: 1 << 20,
        }
    }

    /// When the whole run is killed.
    pub fn wall(&self) -> Duration {
        self.run_time + self.start_allowance
    }

    /// The part the runner enforces itself.
    pub fn for_runner(&self) -> RunnerLimits {
        RunnerLimits {
            run_ms: self.run_time.as_millis() as u64,
            test_ms: self.test_time.as_millis() as u64,
            output_bytes: self.output_bytes,
            keep_bytes: self.shown_output,
            value_bytes: self.value_bytes,
            value_depth: self.value_depth,
            message_chars: self.message_chars,
        }
    }

    pub fn output_kib(&self) -> usize {
        self.output_bytes / 1024
    }
}

/// The limits as the runner reads them (`runners/python/runner.py`).
#[derive(Debug, Serialize)]
pub struct RunnerLimits {
    pub run_ms: u64,
    pub test_ms: u64,
    pub output_bytes: usize,
    pub keep_bytes: usize,
    pub value_bytes: usize,
    pub value_depth: u32,
    pub message_chars: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_never_gets_more_time_than_the_run() {
        let limits = Limits::new(1000, 5000, 128);
        assert_eq!(limits.test_time, Duration::from_millis(1000));
        assert_eq!(limits.wall(), Duration::from_millis(3000));
        assert_eq!(limits.for_runner().test_ms, 1000);
    }
}
