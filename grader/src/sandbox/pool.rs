//! The pool sandbox: a warm container per grader slot, created, attached
//! and started before any job arrives, in which the sandbox host
//! (`runners/python/host.py`) runs each job under a fresh pair of uids (its
//! entry point started ahead, waiting for the request) and removes
//! everything of them afterwards. No daemon round trip is left on a
//! job's path but the rare one that changes a host's memory limit.
//!
//! A host is the per-submission container's twin (`DockerSandbox::hardened`:
//! no network, read-only root, only the capabilities to switch users, no
//! new privileges), plus what makes it a host: CAP_KILL for the host script
//! alone (to kill every process a job left), the host script as its
//! command, its stdin kept open for jobs, removed by the daemon when it
//! exits. It exits when its stdin ends, which is when its grader goes (a
//! drain, a crash, SIGKILL): so no host outlives its grader by more than a
//! job's wall time. A host that could not clean up after a job, or that ran
//! `HOST_JOBS` jobs, is retired and replaced in the background.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bollard::container::LogOutput;
use bollard::models::ContainerUpdateBody;
use bollard::query_parameters::{CreateContainerOptions, RemoveContainerOptions};
use bollard::Docker;
use futures::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::Notify;

use super::docker::{attach_and_start, DockerSandbox, GRADER_LABEL, SANDBOX_LABEL};
use super::{ExecutionOutcome, ExecutionSpec, Limits, SandboxError};

/// The sandbox label's value on a warm host (a per-submission container's
/// is `1`): the age-based sweep of abandoned containers leaves hosts alone.
pub const HOST_LABEL_VALUE: &str = "host";
/// Jobs a host runs before it is replaced, whatever happened.
const HOST_JOBS: u32 = 500;
/// The host's command: the sandbox host script, from the runner's harness.
const HOST_COMMAND: [&str; 3] = ["python3", "-I", "/opt/harness/host.py"];
/// How long a host may take to clean up after a job before it is retired.
const CLEAN_WITHIN: Duration = Duration::from_secs(10);

type Output = Pin<Box<dyn Stream<Item = Result<LogOutput, bollard::errors::Error>> + Send>>;
type Input = Pin<Box<dyn AsyncWrite + Send>>;

/// One warm host: its container, its attached streams and what it is for.
struct Host {
    name: String,
    image: String,
    memory_mb: u32,
    input: Input,
    frames: Frames,
    jobs: u32,
}

/// The host's stdout, read as frames (`host.py`: kind, length, bytes).
struct Frames {
    output: Output,
    buf: Vec<u8>,
}

impl Frames {
    /// The next frame, or None when the host's output ended.
    async fn next(&mut self) -> Option<(u8, Vec<u8>)> {
        loop {
            if self.buf.len() >= 5 {
                let len = u32::from_be_bytes([self.buf[1], self.buf[2], self.buf[3], self.buf[4]]);
                let end = 5 + len as usize;
                if self.buf.len() >= end {
                    let kind = self.buf[0];
                    let data = self.buf[5..end].to_vec();
                    self.buf.drain(..end);
                    return Some((kind, data));
                }
            }
            match self.output.next().await? {
                Ok(LogOutput::StdOut { message }) => self.buf.extend_from_slice(&message),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
    }
}

/// A job as the host reads it.
#[derive(Serialize)]
struct Job<'a> {
    wall_ms: u64,
    report_bytes: usize,
    rlimits: HashMap<&'static str, u64>,
    request: &'a str,
    /// Whether the host removes what the job left (only a test's
    /// deliberately leaky pool says no).
    clean: bool,
}

/// The host's account of a job's end (its `X` frame).
#[derive(Deserialize)]
struct End {
    exit_code: i64,
    timed_out: bool,
    channel_overflow: bool,
    oom_killed: bool,
}

pub struct PoolSandbox {
    docker: Docker,
    tag: String,
    consumer: String,
    idle: Arc<Mutex<Vec<Host>>>,
    /// Hosts cleaning up after a job, by image: a slot's next job waits for
    /// a host of its image rather than warming another.
    cleaning: Arc<Mutex<HashMap<String, usize>>>,
    cleaned: Arc<Notify>,
    clean: bool,
}

fn unavailable(e: impl std::fmt::Display) -> SandboxError {
    SandboxError::Unavailable(e.to_string())
}

impl PoolSandbox {
    /// A pool on `docker`'s daemon, with `slots` hosts of `runner` warmed
    /// for `limits` (the platform's usual ones) before it returns.
    pub async fn start(
        docker: &DockerSandbox,
        slots: usize,
        runner: &'static domain::runners::Runner,
        limits: Limits,
    ) -> Result<Self, SandboxError> {
        let pool = Self {
            docker: docker.client().clone(),
            tag: docker.tag().to_owned(),
            consumer: docker.consumer().to_owned(),
            idle: Arc::new(Mutex::new(Vec::new())),
            cleaning: Arc::new(Mutex::new(HashMap::new())),
            cleaned: Arc::new(Notify::new()),
            clean: true,
        };
        let image = format!("{}:{}", runner.image, pool.tag);
        for _ in 0..slots {
            let host = pool.warm(&image, &limits).await?;
            pool.idle.lock().expect("the pool's lock").push(host);
        }
        Ok(pool)
    }

    /// The same pool, but its hosts leave what each job left: the leaky
    /// pool the cross-submission tests are first seen failing on.
    #[cfg(feature = "testing")]
    pub fn leaky(mut self) -> Self {
        self.clean = false;
        self
    }

    /// Creates, attaches and starts a host, and waits for its first ready
    /// frame.
    async fn warm(&self, image: &str, limits: &Limits) -> Result<Host, SandboxError> {
        let name = format!("cp-host-{}", hex::encode(rand::random::<[u8; 6]>()));
        let mut config = DockerSandbox::hardened(
            image.to_owned(),
            limits,
            HashMap::from([
                (SANDBOX_LABEL.to_owned(), HOST_LABEL_VALUE.to_owned()),
                (GRADER_LABEL.to_owned(), self.consumer.clone()),
            ]),
        );
        // The rlimits its first job is started ahead with.
        let first = serde_json::to_string(&rlimits(limits)).map_err(unavailable)?;
        let mut command = HOST_COMMAND.map(str::to_owned).to_vec();
        command.push(first);
        config.cmd = Some(command);
        if let Some(host) = config.host_config.as_mut() {
            host.auto_remove = Some(true);
            // The host kills what a job left, processes of other uids: only
            // it holds this (the entry point empties the bounding set and
            // drops to the job's uids before any job code runs).
            if let Some(caps) = host.cap_add.as_mut() {
                caps.push("KILL".to_owned());
            }
            // Room for the host script and its clean-up beside the job's own.
            host.pids_limit = host.pids_limit.map(|n| n + 8);
            host.shm_size = Some(i64::from(limits.tmp_mb) * 1024 * 1024);
        }
        self.docker
            .create_container(
                Some(CreateContainerOptions {
                    name: Some(name.clone()),
                    ..Default::default()
                }),
                config,
            )
            .await
            .map_err(unavailable)?;
        let attached = attach_and_start(&self.docker, &name).await?;
        let mut host = Host {
            name,
            image: image.to_owned(),
            memory_mb: limits.memory_mb,
            input: attached.input,
            frames: Frames {
                output: attached.output,
                buf: Vec::new(),
            },
            jobs: 0,
        };
        match tokio::time::timeout(CLEAN_WITHIN, host.frames.next()).await {
            Ok(Some((b'R', _))) => Ok(host),
            _ => {
                self.retire(host).await;
                Err(unavailable("a sandbox host did not start"))
            }
        }
    }

    /// A ready host for `image` and `limits`: an idle one (its memory limit
    /// changed if it must be), else a new one.
    async fn take(&self, image: &str, limits: &Limits) -> Result<Host, SandboxError> {
        let waited_until = tokio::time::Instant::now() + CLEAN_WITHIN;
        let found = loop {
            // Registered before looking, so a host given back meanwhile wakes it.
            let cleaned = self.cleaned.notified();
            if let Some(host) = self.idle_host(image, limits) {
                break Some(host);
            }
            let of_image = self
                .cleaning
                .lock()
                .expect("the pool's lock")
                .get(image)
                .copied()
                .unwrap_or(0);
            if of_image == 0 {
                break None;
            }
            if tokio::time::timeout_at(waited_until, cleaned)
                .await
                .is_err()
            {
                break None;
            }
        };
        let Some(mut host) = found else {
            return self.warm(image, limits).await;
        };
        if host.memory_mb != limits.memory_mb {
            let memory = i64::from(limits.memory_mb) * 1024 * 1024;
            let updated = self
                .docker
                .update_container(
                    &host.name,
                    ContainerUpdateBody {
                        memory: Some(memory),
                        memory_swap: Some(memory),
                        ..Default::default()
                    },
                )
                .await;
            if updated.is_err() {
                self.retire(host).await;
                return self.warm(image, limits).await;
            }
            host.memory_mb = limits.memory_mb;
        }
        Ok(host)
    }

    /// An idle host of `image`, one of `limits`' memory first.
    fn idle_host(&self, image: &str, limits: &Limits) -> Option<Host> {
        let mut idle = self.idle.lock().expect("the pool's lock");
        let position = idle
            .iter()
            .position(|h| h.image == image && h.memory_mb == limits.memory_mb)
            .or_else(|| idle.iter().position(|h| h.image == image));
        position.map(|i| idle.swap_remove(i))
    }

    pub async fn execute(
        &self,
        spec: &ExecutionSpec<'_>,
        nonce: &str,
    ) -> Result<ExecutionOutcome, SandboxError> {
        let request = spec.request(nonce)?;
        let request = String::from_utf8(request).map_err(unavailable)?;
        let image = format!("{}:{}", spec.runner.image, self.tag);
        let mut host = self.take(&image, &spec.limits).await?;
        let started = Instant::now();
        let outcome = self.run(&mut host, spec, &request).await;
        match outcome {
            Ok(mut outcome) => {
                outcome.wall = started.elapsed();
                self.give_back(host);
                Ok(outcome)
            }
            Err(e) => {
                self.retire(host).await;
                Err(e)
            }
        }
    }

    async fn run(
        &self,
        host: &mut Host,
        spec: &ExecutionSpec<'_>,
        request: &str,
    ) -> Result<ExecutionOutcome, SandboxError> {
        let limits = &spec.limits;
        let wall = limits.wall();
        let job = Job {
            wall_ms: wall.as_millis() as u64,
            report_bytes: limits.report_bytes,
            rlimits: rlimits(limits),
            request,
            clean: self.clean,
        };
        let mut line = serde_json::to_vec(&job).map_err(unavailable)?;
        line.push(b'\n');
        host.jobs += 1;
        host.input.write_all(&line).await.map_err(unavailable)?;
        host.input.flush().await.map_err(unavailable)?;
        let mut outcome = ExecutionOutcome::default();
        // The host keeps the wall limit; this is the backstop should it not.
        let deadline = tokio::time::Instant::now() + wall + Duration::from_secs(5);
        loop {
            let frame = tokio::time::timeout_at(deadline, host.frames.next()).await;
            match frame {
                Ok(Some((b'O', data))) => outcome.channel.extend_from_slice(&data),
                Ok(Some((b'E', data))) => outcome.stderr.extend_from_slice(&data),
                Ok(Some((b'X', data))) => {
                    let end: End = serde_json::from_slice(&data).map_err(unavailable)?;
                    outcome.exit_code = Some(end.exit_code);
                    outcome.timed_out = end.timed_out;
                    outcome.channel_overflow = end.channel_overflow;
                    outcome.oom_killed = end.oom_killed;
                    return Ok(outcome);
                }
                Ok(Some(_)) => {}
                Ok(None) => return Err(unavailable("the sandbox host ended mid-job")),
                Err(_) => return Err(unavailable("the sandbox host did not end the job")),
            }
        }
    }

    /// Waits (in the background) for the host to report it cleaned up, then
    /// makes it idle again; retires it if it could not, or is worn out.
    fn give_back(&self, mut host: Host) {
        let (idle, docker) = (self.idle.clone(), self.docker.clone());
        let (cleaning, notify) = (self.cleaning.clone(), self.cleaned.clone());
        let image = host.image.clone();
        *cleaning
            .lock()
            .expect("the pool's lock")
            .entry(image.clone())
            .or_default() += 1;
        tokio::spawn(async move {
            let cleaned = tokio::time::timeout(CLEAN_WITHIN, host.frames.next()).await;
            if matches!(cleaned, Ok(Some((b'R', _)))) && host.jobs < HOST_JOBS {
                idle.lock().expect("the pool's lock").push(host);
            } else {
                tracing::warn!(host = %host.name, jobs = host.jobs, "retiring a sandbox host");
                remove(&docker, &host.name).await;
            }
            if let Some(n) = cleaning.lock().expect("the pool's lock").get_mut(&image) {
                *n -= 1;
            }
            notify.notify_waiters();
        });
    }

    async fn retire(&self, host: Host) {
        remove(&self.docker, &host.name).await;
    }

    /// Ends every host of this pool (their stdin closes, they exit and the
    /// daemon removes them), as a drain does.
    pub async fn close(&self) {
        let hosts: Vec<Host> = std::mem::take(&mut *self.idle.lock().expect("the pool's lock"));
        for host in hosts {
            remove(&self.docker, &host.name).await;
        }
    }
}

/// A job's rlimits, as a container of its own would hold it: processes (per
/// uid: the job's uids are its own), CPU time, file size, open files, no
/// core, no POSIX message queue.
fn rlimits(limits: &Limits) -> HashMap<&'static str, u64> {
    HashMap::from([
        ("nproc", u64::from(limits.processes)),
        ("cpu", limits.wall().as_secs() + 1),
        ("fsize", limits.file_bytes),
        ("nofile", u64::from(limits.open_files)),
        ("core", 0),
        ("msgqueue", 0),
    ])
}

async fn remove(docker: &Docker, name: &str) {
    let removed = docker
        .remove_container(
            name,
            Some(RemoveContainerOptions {
                force: true,
                ..Default::default()
            }),
        )
        .await;
    if let Err(e) = removed {
        tracing::debug!(container = name, error = %e, "a sandbox host was gone already");
    }
}
