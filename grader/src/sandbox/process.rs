//! The development-only sandbox: the harness as a local process with the
//! same limits as rlimits (prlimit), in its own process group, killed whole at
//! the wall-clock limit. Run as root it first drops to `nobody` (setpriv), so
//! `kill(-1, SIGKILL)` or a fork bomb can reach only other `nobody` processes.
//! It gives NO isolation of files or network: never use it for real learners.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;

use super::{
    append_capped, HarnessRequest, RunOutcome, RunSpec, SandboxError, CHANNEL_CAP, START_ALLOWANCE,
};

const NOBODY: u32 = 65534;

pub struct ProcessSandbox {
    harness: PathBuf,
    as_root: bool,
}

impl ProcessSandbox {
    pub fn new(harness: PathBuf) -> Self {
        let as_root = std::process::Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout == b"0\n");
        tracing::warn!(
            harness = %harness.display(),
            "PROCESS SANDBOX: learner code runs as a local process with rlimits only; \
             no file-system or network isolation. For development only, never for real learners."
        );
        Self { harness, as_root }
    }

    pub async fn run(&self, spec: &RunSpec<'_>, nonce: &str) -> Result<RunOutcome, SandboxError> {
        let dir = std::env::temp_dir().join(format!("cp-run-{}", super::new_nonce()));
        std::fs::create_dir(&dir).map_err(|e| SandboxError::Unavailable(e.to_string()))?;
        if self.as_root {
            std::os::unix::fs::chown(&dir, Some(NOBODY), Some(NOBODY))
                .map_err(|e| SandboxError::Unavailable(e.to_string()))?;
        }
        let result = self.run_in(&dir, spec, nonce).await;
        // std's remove_dir_all does not follow symlinks the run may have planted.
        let _ = std::fs::remove_dir_all(&dir);
        result
    }

    async fn run_in(
        &self,
        dir: &std::path::Path,
        spec: &RunSpec<'_>,
        nonce: &str,
    ) -> Result<RunOutcome, SandboxError> {
        let memory = u64::from(spec.memory_mb) * 1024 * 1024 + 64 * 1024 * 1024;
        let cpu_secs = spec.time_limit.as_secs() + 2;
        let mut cmd = Command::new("prlimit");
        cmd.arg(format!("--as={memory}"))
            .arg("--nproc=64")
            .arg("--nofile=64")
            .arg(format!("--fsize={}", 8 * 1024 * 1024))
            .arg("--core=0")
            .arg(format!("--cpu={cpu_secs}"))
            .arg("--");
        if self.as_root {
            cmd.args([
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "--no-new-privs",
                "--",
            ]);
        }
        cmd.arg("python3")
            .arg("-I")
            .arg(&self.harness)
            .arg(dir.join("work"))
            .current_dir(dir)
            .env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("LANG", "C.UTF-8")
            .process_group(0)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let started = Instant::now();
        let mut child = cmd
            .spawn()
            .map_err(|e| SandboxError::Unavailable(format!("cannot start the harness: {e}")))?;
        let group = child.id();
        let request = serde_json::to_vec(&HarnessRequest {
            nonce,
            solution: spec.solution,
            tests: spec.tests,
        })
        .map_err(|e| SandboxError::Unavailable(e.to_string()))?;
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(&request).await;
            let _ = stdin.write_all(b"\n").await;
        }
        let mut stdout = child.stdout.take().expect("piped");
        let mut stderr = child.stderr.take().expect("piped");
        let mut outcome = RunOutcome::default();
        let deadline = tokio::time::Instant::now() + spec.time_limit + START_ALLOWANCE;
        let mut out_buf = [0u8; 8192];
        let mut err_buf = [0u8; 8192];
        let mut err_open = true;
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => { outcome.timed_out = true; break; }
                n = stdout.read(&mut out_buf) => match n {
                    Ok(0) | Err(_) => break,
                    Ok(n) => if append_capped(&mut outcome.channel, &out_buf[..n], CHANNEL_CAP) {
                        outcome.channel_overflow = true;
                        break;
                    },
                },
                n = stderr.read(&mut err_buf), if err_open => match n {
                    Ok(0) | Err(_) => err_open = false,
                    Ok(n) => { append_capped(&mut outcome.stderr, &err_buf[..n], 16 * 1024); }
                },
            }
        }
        // The whole group, daemons included, whatever happened.
        kill_group(group).await;
        let status = child.wait().await.ok();
        outcome.exit_code = status.and_then(|s| s.code()).map(i64::from);
        outcome.wall = started.elapsed();
        Ok(outcome)
    }
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
