//! The development-only sandbox: the runner as local processes with the
//! same limits as rlimits (prlimit), in their own process group, killed at
//! the wall-clock limit. It gives NO isolation of files or network: never
//! use it for real learners.
//!
//! Run as root, each run gets two uids of its own that no one else uses, one
//! for the runner and one for the learner's code, and the entry point drops
//! to them as it does in a container (with no new privileges and the
//! bounding set limited to switching users). So `kill(-1, SIGKILL)` or a fork
//! bomb reaches only that run's learner processes, `RLIMIT_NPROC` counts only
//! them, and afterwards every process of both uids is killed: a daemon that
//! left the process group with `setsid` dies too. Run as another user, both
//! sides run as that user (the learner's code could then signal the runner),
//! and only the process group is killed.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{ChildStdout, Command};

use super::{append_capped, ExecutionOutcome, ExecutionSpec, SandboxError};

/// Run uids are drawn from here: far above any account a system creates.
/// A run takes an even one for its runner and the next for the learner.
pub const RUN_UID_BASE: u32 = 1_600_000_000;
pub const RUN_UID_SPAN: u32 = 1_000_000;
const STDERR_CAP: usize = 16 * 1024;
/// How long the channel may stay open once the runner has exited and the
/// run's processes were killed.
const DRAIN_AFTER_EXIT: Duration = Duration::from_secs(1);

pub struct ProcessSandbox {
    /// The `runners/` folder: each runner's entry point is in its own folder.
    runners: PathBuf,
    as_root: bool,
}

/// A run's runner uid and learner uid.
#[derive(Clone, Copy)]
struct Uids {
    runner: u32,
    learner: u32,
}

impl ProcessSandbox {
    /// Fails when the runners' folder is not found: a relative path is taken
    /// from the grader's working directory, once, because each run has its own.
    pub fn new(runners: &Path) -> Result<Self, SandboxError> {
        let runners = std::fs::canonicalize(runners).map_err(|e| {
            SandboxError::Unavailable(format!("runners {}: {e}", runners.display()))
        })?;
        let as_root = std::process::Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout == b"0\n");
        tracing::warn!(
            runners = %runners.display(),
            drops_to_own_uid = as_root,
            "PROCESS SANDBOX: learner code runs as a local process with rlimits only; \
             no file-system or network isolation. For development only, never for real learners."
        );
        if !as_root {
            tracing::warn!(
                "PROCESS SANDBOX not run as root: learner code runs as the grader's own user \
                 and can signal the grader and every process of that user"
            );
        }
        Ok(Self { runners, as_root })
    }

    pub async fn execute(
        &self,
        spec: &ExecutionSpec<'_>,
        nonce: &str,
    ) -> Result<ExecutionOutcome, SandboxError> {
        let uids = self.as_root.then(|| {
            let runner = RUN_UID_BASE + ((rand::random::<u32>() % RUN_UID_SPAN) & !1);
            Uids {
                runner,
                learner: runner + 1,
            }
        });
        let dir = std::env::temp_dir().join(format!("cp-run-{}", super::new_nonce()));
        std::fs::create_dir(&dir).map_err(|e| SandboxError::Unavailable(e.to_string()))?;
        if let Some(uids) = uids {
            // The learner's side makes its working directory in here.
            std::os::unix::fs::chown(&dir, Some(uids.learner), Some(uids.learner))
                .map_err(|e| SandboxError::Unavailable(e.to_string()))?;
        }
        let result = self.run_in(&dir, uids, spec, nonce).await;
        // Nothing of the run is alive any more to race this, and std's
        // remove_dir_all does not follow symlinks the run may have planted.
        let _ = std::fs::remove_dir_all(&dir);
        result
    }

    /// The command that starts the runner under `spec`'s limits.
    fn command(&self, dir: &Path, uids: Option<Uids>, spec: &ExecutionSpec<'_>) -> Command {
        let limits = &spec.limits;
        // Address space, not resident memory: an interpreter maps more than it uses.
        let memory = u64::from(limits.memory_mb) * 1024 * 1024 + 64 * 1024 * 1024;
        let mut cmd = Command::new("prlimit");
        cmd.arg(format!("--as={memory}"))
            // Per uid, so it bounds one run's side only.
            .arg(format!("--nproc={}", limits.processes))
            .arg(format!("--nofile={}", limits.open_files))
            .arg(format!("--fsize={}", limits.file_bytes))
            .arg("--core=0")
            .arg(format!("--cpu={}", limits.wall().as_secs() + 1))
            .arg("--");
        if uids.is_some() {
            // Root for the entry point's first instant only, as in a container.
            cmd.args([
                "setpriv",
                "--no-new-privs",
                "--bounding-set=-all,+setuid,+setgid,+setpcap",
                "--",
            ]);
        }
        // The runner's own command, its entry point in its folder.
        let (entry, program) = spec
            .runner
            .local_command
            .split_last()
            .expect("a runner's command names its entry point");
        cmd.args(program)
            .arg(self.runners.join(spec.runner.dir).join(entry))
            .arg(dir.join("work"));
        if let Some(uids) = uids {
            cmd.arg(uids.runner.to_string())
                .arg(uids.learner.to_string());
        }
        cmd.current_dir(dir)
            .env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("LANG", "C.UTF-8")
            .process_group(0)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        cmd
    }

    async fn run_in(
        &self,
        dir: &Path,
        uids: Option<Uids>,
        spec: &ExecutionSpec<'_>,
        nonce: &str,
    ) -> Result<ExecutionOutcome, SandboxError> {
        let mut cmd = self.command(dir, uids, spec);
        let started = Instant::now();
        let mut child = cmd
            .spawn()
            .map_err(|e| SandboxError::Unavailable(format!("cannot start the runner: {e}")))?;
        let group = child.id();
        let request = spec.request(nonce)?;
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(&request).await;
        }
        let mut stdout = child.stdout.take().expect("piped");
        let mut stderr = child.stderr.take().expect("piped");
        let mut outcome = ExecutionOutcome::default();
        let deadline = tokio::time::Instant::now() + spec.limits.wall();
        let cap = spec.limits.report_bytes;
        let mut out_buf = [0u8; 8192];
        let mut err_buf = [0u8; 8192];
        let (mut out_open, mut err_open) = (true, true);
        let mut status = None;
        // Until the runner exits: a process it forked may hold the channel
        // open, so the channel's end alone does not mean the run is over.
        while status.is_none() {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => { outcome.timed_out = true; break; }
                s = child.wait() => status = Some(s),
                n = stdout.read(&mut out_buf), if out_open => match n {
                    Ok(0) | Err(_) => out_open = false,
                    Ok(n) => if append_capped(&mut outcome.channel, &out_buf[..n], cap) {
                        outcome.channel_overflow = true;
                        break;
                    },
                },
                n = stderr.read(&mut err_buf), if err_open => match n {
                    Ok(0) | Err(_) => err_open = false,
                    Ok(n) => { append_capped(&mut outcome.stderr, &err_buf[..n], STDERR_CAP); }
                },
            }
        }
        // Everything of the run, daemons included, whatever happened.
        kill_group(group).await;
        if let Some(uids) = uids {
            kill_uid(uids.learner).await;
            kill_uid(uids.runner).await;
        }
        if out_open && !outcome.timed_out && !outcome.channel_overflow {
            drain(&mut stdout, &mut outcome, cap).await;
        }
        let status = match status {
            Some(s) => s.ok(),
            None => child.wait().await.ok(),
        };
        outcome.exit_code = status.and_then(|s| s.code()).map(i64::from);
        outcome.wall = started.elapsed();
        Ok(outcome)
    }
}

/// setpriv's arguments to become `uid` with no supplementary groups.
fn drop_to(uid: u32) -> [String; 3] {
    [
        format!("--reuid={uid}"),
        format!("--regid={uid}"),
        "--clear-groups".to_owned(),
    ]
}

/// Reads what the runner wrote before it exited, up to the cap.
async fn drain(stdout: &mut ChildStdout, outcome: &mut ExecutionOutcome, cap: usize) {
    let mut buf = [0u8; 8192];
    let _ = tokio::time::timeout(DRAIN_AFTER_EXIT, async {
        loop {
            match stdout.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    if append_capped(&mut outcome.channel, &buf[..n], cap) {
                        outcome.channel_overflow = true;
                        return;
                    }
                }
            }
        }
    })
    .await;
}

async fn kill_group(group: Option<u32>) {
    if let Some(pgid) = group {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{pgid}")])
            .stderr(Stdio::null())
            .status()
            .await;
    }
}

/// Kills every process of the run's uid: `kill(-1)` sent as that uid reaches
/// exactly the processes it owns, wherever they moved to.
async fn kill_uid(uid: u32) {
    let _ = Command::new("setpriv")
        .args(drop_to(uid))
        .args(["--", "kill", "-KILL", "--", "-1"])
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .stderr(Stdio::null())
        .status()
        .await;
}
