//! Where learner code runs: a throwaway Docker container per submission, or,
//! for development without Docker, local processes with the same limits.
//! Either way the assignment's runner (`runners/<name>/`, described in
//! `domain::runners`) runs inside: the tests and the learner's code in two
//! processes under two uids (see `runners/python/entry.py`).
//!
//! - `docker`: the container per submission, its limits and its clean-up.
//! - `pool`: a warm container per slot, each job under fresh uids in it.
//! - `process`: the development-only local processes.
//! - `limits`: every sandbox limit, and the part the runner reads.

mod docker;
mod limits;
mod pool;
mod process;

use std::time::Duration;

use domain::course::Kind;
use domain::notebook::Notebook;
use domain::runners::Runner;
use serde::Serialize;
use uuid::Uuid;

pub use docker::{DockerSandbox, ABANDONED_AFTER, GRADER_LABEL, SANDBOX_LABEL};
pub use limits::{Limits, RunnerLimits};
pub use pool::{PoolSandbox, HOST_LABEL_VALUE};
pub use process::{ProcessSandbox, RUN_UID_BASE, RUN_UID_SPAN};

/// An assignment's tests as the grader holds them.
#[derive(Debug, Clone)]
pub struct TestSuite {
    /// test_solution.py; it only ever reaches the runner, in memory.
    pub code: String,
    /// Every test's id, from the trusted listing at course load.
    pub ids: Vec<String>,
    /// The hidden ones among them.
    pub hidden: Vec<String>,
    /// Tests the runner leaves out altogether: the hidden ones, for a
    /// practice run. Empty when grading.
    pub skip: Vec<String>,
    /// What the learner hands in: for a notebook, the solution is its JSON,
    /// and its code cells run in order; the tests group by question.
    pub kind: Kind,
}

impl TestSuite {
    /// The tests of an assignment as its folder gives them, listed (a
    /// course version being checked): all of them run.
    pub fn of(a: &domain::course::AssignmentSource) -> Self {
        Self {
            code: a.test_code.clone(),
            ids: a.test_ids.clone(),
            hidden: a.hidden_tests.clone(),
            skip: Vec::new(),
            kind: a.kind,
        }
    }

    /// The suite a practice run uses: the visible tests alone. The hidden
    /// ones are not run at all, so nothing of them (their calls, what the
    /// learner's code printed during them, their time) reaches a learner.
    /// They stay listed as hidden all the same: should a runner run one
    /// anyway, the judge masks it, and the run is not judged.
    pub fn visible_only(&self) -> TestSuite {
        TestSuite {
            code: self.code.clone(),
            ids: self
                .ids
                .iter()
                .filter(|id| !self.hidden.contains(id))
                .cloned()
                .collect(),
            hidden: self.hidden.clone(),
            skip: self.hidden.clone(),
            kind: self.kind,
        }
    }
}

/// One run to make.
pub struct ExecutionSpec<'a> {
    /// The submission's or practice run's id, for naming its container.
    pub job_id: Uuid,
    /// What runs it: which image, or which local command.
    pub runner: &'static Runner,
    pub task: Task<'a>,
    pub limits: Limits,
}

/// What the runner is asked to do.
pub enum Task<'a> {
    /// Run `solution` against `tests` and report each test.
    Grade {
        solution: &'a str,
        tests: &'a TestSuite,
    },
    /// List the tests of each of these test files, as the course loader
    /// would (a published course version: its files run only here).
    List(&'a [&'a str]),
}

impl ExecutionSpec<'_> {
    /// The one line the runner reads on stdin.
    fn request(&self, nonce: &str) -> Result<Vec<u8>, SandboxError> {
        let (solution, tests) = match self.task {
            Task::Grade { solution, tests } => (solution, tests),
            Task::List(sources) => {
                let mut line = serde_json::to_vec(&ListRequest {
                    nonce,
                    list: sources,
                })
                .map_err(|e| SandboxError::Unavailable(e.to_string()))?;
                line.push(b'\n');
                return Ok(line);
            }
        };
        let solution = match tests.kind {
            Kind::Code => Solution::Code(solution),
            // Checked when it was handed in; a stored one that no longer
            // reads is a fault of ours, never the learner's verdict.
            Kind::Notebook => Solution::Cells(
                Notebook::from_stored(solution)
                    .map_err(|e| SandboxError::Unavailable(format!("a stored notebook: {e}")))?
                    .code_cells()
                    .into_iter()
                    .map(|c| (c.label(), c.source))
                    .collect(),
            ),
        };
        let mut line = serde_json::to_vec(&RunnerRequest {
            nonce,
            solution,
            tests: &tests.code,
            hidden: &tests.hidden,
            skip: &tests.skip,
            limits: self.limits.for_runner(),
        })
        .map_err(|e| SandboxError::Unavailable(e.to_string()))?;
        line.push(b'\n');
        Ok(line)
    }
}

/// What the grader writes on the runner's stdin.
#[derive(Serialize)]
struct RunnerRequest<'a> {
    nonce: &'a str,
    solution: Solution<'a>,
    tests: &'a str,
    hidden: &'a [String],
    skip: &'a [String],
    limits: RunnerLimits,
}

/// What the grader writes on the runner's stdin to have test files listed.
#[derive(Serialize)]
struct ListRequest<'a> {
    nonce: &'a str,
    list: &'a [&'a str],
}

/// The learner's code as the runner takes it: a module's source, or a
/// notebook's code cells as `[number, source]` pairs, run in order.
#[derive(Serialize)]
#[serde(untagged)]
enum Solution<'a> {
    Code(&'a str),
    Cells(Vec<(String, String)>),
}

/// What came out of a run, before judging.
#[derive(Debug, Default)]
pub struct ExecutionOutcome {
    /// The runner's channel (the container's stdout), capped at the
    /// report limit. Only the runner can write to it.
    pub channel: Vec<u8>,
    /// What reached the real stderr (the runner itself failing), capped.
    pub stderr: Vec<u8>,
    pub exit_code: Option<i64>,
    /// Killed at the wall-clock limit.
    pub timed_out: bool,
    /// Killed for writing more than the report limit.
    pub channel_overflow: bool,
    /// Killed by the kernel for using more memory than allowed.
    pub oom_killed: bool,
    pub wall: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The sandbox itself failed (Docker down, image missing): the job is
    /// retried, never judged against the learner.
    #[error("sandbox unavailable: {0}")]
    Unavailable(String),
}

pub enum Sandbox {
    Docker(DockerSandbox),
    Pool(PoolSandbox),
    Process(ProcessSandbox),
}

impl Sandbox {
    pub async fn execute(
        &self,
        spec: &ExecutionSpec<'_>,
        nonce: &str,
    ) -> Result<ExecutionOutcome, SandboxError> {
        match self {
            Self::Docker(d) => d.execute(spec, nonce).await,
            Self::Pool(p) => p.execute(spec, nonce).await,
            Self::Process(p) => p.execute(spec, nonce).await,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Self::Docker(_) => "docker",
            Self::Pool(_) => "pool",
            Self::Process(_) => "process",
        }
    }
}

/// A fresh random nonce: 128 bits, hex.
pub fn new_nonce() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

/// Appends `chunk` to `buf` up to `cap`; true when the cap was passed.
fn append_capped(buf: &mut Vec<u8>, chunk: &[u8], cap: usize) -> bool {
    let room = cap.saturating_sub(buf.len());
    buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
    chunk.len() > room
}
