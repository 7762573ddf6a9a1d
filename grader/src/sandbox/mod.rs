//! Where learner code runs: a throwaway Docker container per submission, or,
//! for development without Docker, a local process with the same limits.

mod docker;
mod process;

use std::time::Duration;

use serde::Serialize;
use uuid::Uuid;

pub use docker::{DockerSandbox, ABANDONED_AFTER, GRADER_LABEL, SANDBOX_LABEL};
pub use process::{ProcessSandbox, RUN_UID_BASE};

/// Bytes of the harness's channel read at most; past this the run is killed
/// and judged `output_limit`.
pub const CHANNEL_CAP: usize = 1024 * 1024;

/// Time a run gets beyond the assignment's limit, for starting the
/// interpreter and the container.
pub const START_ALLOWANCE: Duration = Duration::from_secs(2);

/// One run to make.
pub struct RunSpec<'a> {
    pub submission_id: Uuid,
    pub solution: &'a str,
    pub tests: &'a str,
    pub time_limit: Duration,
    pub memory_mb: u32,
}

/// What the grader writes on the harness's stdin.
#[derive(Serialize)]
pub struct HarnessRequest<'a> {
    pub nonce: &'a str,
    pub solution: &'a str,
    pub tests: &'a str,
}

/// What came out of a run, before judging.
#[derive(Debug, Default)]
pub struct RunOutcome {
    /// The harness's channel (its real stdout), capped at [`CHANNEL_CAP`].
    pub channel: Vec<u8>,
    /// What reached the real stderr (the harness itself failing), capped.
    pub stderr: Vec<u8>,
    pub exit_code: Option<i64>,
    /// Killed at the wall-clock limit.
    pub timed_out: bool,
    /// Killed for writing more than [`CHANNEL_CAP`].
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
    Process(ProcessSandbox),
}

impl Sandbox {
    pub async fn run(&self, spec: &RunSpec<'_>, nonce: &str) -> Result<RunOutcome, SandboxError> {
        match self {
            Self::Docker(d) => d.run(spec, nonce).await,
            Self::Process(p) => p.run(spec, nonce).await,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Self::Docker(_) => "docker",
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
