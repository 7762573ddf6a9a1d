//! The Docker sandbox: each run in a fresh container with no network, a
//! read-only root, a small /tmp, no new privileges, capped memory (swap
//! included), one CPU, few processes, few open files, small files, a
//! wall-clock limit and a cap on the report. The whole container is killed
//! at a limit and always removed afterwards.
//!
//! It starts as root with only the capabilities to switch users (SETUID,
//! SETGID, and SETPCAP to empty the bounding set); the runner's entry point
//! gives them all up in its first instant, each of its two processes under
//! its own uid (`runners/python/entry.py`). Inputs travel on stdin to the
//! runner: the grader never touches a path the learner could have written.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bollard::container::LogOutput;
use bollard::models::{ContainerCreateBody, HostConfig, ResourcesUlimits};
use bollard::query_parameters::{
    AttachContainerOptions, CreateContainerOptions, InspectContainerOptions, KillContainerOptions,
    ListContainersOptions, RemoveContainerOptions, WaitContainerOptions,
};
use bollard::Docker;
use futures::StreamExt;
use prometheus::Histogram;
use tokio::io::AsyncWriteExt;

use super::{append_capped, ExecutionOutcome, ExecutionSpec, SandboxError};

/// Label on every sandbox container, so leftovers can be found and removed.
pub const SANDBOX_LABEL: &str = "codeplatform.sandbox";
/// Label naming the grader that made the container.
pub const GRADER_LABEL: &str = "codeplatform.grader";
const STDERR_CAP: usize = 16 * 1024;
/// Older than any run can be (the longest time limit plus start-up).
pub const ABANDONED_AFTER: Duration = Duration::from_secs(120);
/// Root only for the entry point's first instant: it drops to the runner's
/// and the learner's uids (10001 and 10002, made in the image).
const USER: &str = "0:0";
/// What that instant needs, and nothing else.
const CAPABILITIES: [&str; 3] = ["SETUID", "SETGID", "SETPCAP"];

pub struct DockerSandbox {
    docker: Docker,
    /// The tag of every runner's image (`<runner image>:<tag>`).
    tag: String,
    consumer: String,
    start_latency: Histogram,
}

fn unavailable(e: impl std::fmt::Display) -> SandboxError {
    SandboxError::Unavailable(e.to_string())
}

impl DockerSandbox {
    /// Connects to the local daemon and checks the image of every runner
    /// in `allowed` is there under `tag`.
    pub async fn connect(
        tag: String,
        allowed: &[&str],
        consumer: String,
        start_latency: Histogram,
    ) -> Result<Self, SandboxError> {
        let docker = Docker::connect_with_local_defaults()
            .map_err(unavailable)?
            .negotiate_version()
            .await
            .map_err(unavailable)?;
        for runner in domain::runners::ALL
            .iter()
            .filter(|r| allowed.contains(&r.name))
        {
            let image = format!("{}:{tag}", runner.image);
            docker
                .inspect_image(&image)
                .await
                .map_err(|e| unavailable(format!("runner image {image}: {e}")))?;
        }
        Ok(Self {
            docker,
            tag,
            consumer,
            start_latency,
        })
    }

    /// Removes sandbox containers left behind: those of one grader
    /// (`consumer`, after its drain), or any older than `min_age` (no live
    /// run lasts that long, so their grader died). Returns how many.
    pub async fn sweep(
        &self,
        consumer: Option<&str>,
        min_age: Duration,
    ) -> Result<usize, SandboxError> {
        let mut labels = vec![format!("{SANDBOX_LABEL}=1")];
        if let Some(c) = consumer {
            labels.push(format!("{GRADER_LABEL}={c}"));
        }
        let filters = HashMap::from([("label".to_owned(), labels)]);
        let listed = self
            .docker
            .list_containers(Some(ListContainersOptions {
                all: true,
                filters: Some(filters),
                ..Default::default()
            }))
            .await
            .map_err(unavailable)?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let mut removed = 0;
        for c in listed {
            let age =
                Duration::from_secs(now.saturating_sub(c.created.unwrap_or(now)).max(0) as u64);
            if let (Some(id), true) = (&c.id, age >= min_age) {
                self.remove(id).await;
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// This grader's own name, as put on its containers.
    pub fn consumer(&self) -> &str {
        &self.consumer
    }

    /// The daemon's client, shared with the pool.
    pub(super) fn client(&self) -> &Docker {
        &self.docker
    }

    /// The runner images' tag.
    pub(super) fn tag(&self) -> &str {
        &self.tag
    }

    pub async fn execute(
        &self,
        spec: &ExecutionSpec<'_>,
        nonce: &str,
    ) -> Result<ExecutionOutcome, SandboxError> {
        // Everything that can be checked without a container is, first.
        let request = spec.request(nonce)?;
        let name = format!(
            "cp-sbx-{}-{}",
            spec.job_id.simple(),
            hex::encode(rand::random::<[u8; 3]>())
        );
        self.docker
            .create_container(
                Some(CreateContainerOptions {
                    name: Some(name.clone()),
                    ..Default::default()
                }),
                self.container_config(spec),
            )
            .await
            .map_err(unavailable)?;
        // Removed whatever happens inside.
        let result = self.run_created(&name, spec, &request).await;
        self.remove(&name).await;
        result
    }

    fn container_config(&self, spec: &ExecutionSpec<'_>) -> ContainerCreateBody {
        Self::hardened(
            format!("{}:{}", spec.runner.image, self.tag),
            &spec.limits,
            HashMap::from([
                (SANDBOX_LABEL.to_owned(), "1".to_owned()),
                (GRADER_LABEL.to_owned(), self.consumer.clone()),
            ]),
        )
    }

    /// A sandbox container's configuration: no network, a read-only root, a
    /// small /tmp, only the capabilities to switch users, no new privileges,
    /// `limits`' memory (no swap), CPU, processes, open files and file size.
    /// The per-submission container and the pool's warm host are both made so.
    pub(super) fn hardened(
        image: String,
        limits: &super::Limits,
        labels: HashMap<String, String>,
    ) -> ContainerCreateBody {
        let memory = i64::from(limits.memory_mb) * 1024 * 1024;
        let ulimit = |name: &str, value: i64| ResourcesUlimits {
            name: Some(name.to_owned()),
            soft: Some(value),
            hard: Some(value),
        };
        ContainerCreateBody {
            image: Some(image),
            user: Some(USER.to_owned()),
            // No environment of the grader's reaches the container.
            env: Some(vec![]),
            working_dir: Some("/tmp".to_owned()),
            open_stdin: Some(true),
            stdin_once: Some(true),
            attach_stdin: Some(true),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            tty: Some(false),
            network_disabled: Some(true),
            labels: Some(labels),
            host_config: Some(HostConfig {
                network_mode: Some("none".to_owned()),
                readonly_rootfs: Some(true),
                tmpfs: Some(HashMap::from([(
                    "/tmp".to_owned(),
                    format!("rw,nosuid,nodev,size={}m,mode=1777", limits.tmp_mb),
                )])),
                cap_drop: Some(vec!["ALL".to_owned()]),
                cap_add: Some(CAPABILITIES.map(str::to_owned).to_vec()),
                security_opt: Some(vec!["no-new-privileges".to_owned()]),
                memory: Some(memory),
                // Equal to memory: no swap at all.
                memory_swap: Some(memory),
                nano_cpus: Some((limits.cpus * 1e9) as i64),
                // Processes are bounded per container by the pids cgroup.
                // No `nproc` ulimit: the kernel counts it per uid across every
                // container (no user namespace), so one learner's fork bomb
                // would make fork fail in the other sandboxes running as 10001.
                pids_limit: Some(i64::from(limits.processes)),
                ulimits: Some(vec![
                    ulimit("nofile", i64::from(limits.open_files)),
                    ulimit("fsize", limits.file_bytes as i64),
                    ulimit("core", 0),
                ]),
                ipc_mode: Some("private".to_owned()),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    async fn run_created(
        &self,
        name: &str,
        spec: &ExecutionSpec<'_>,
        request: &[u8],
    ) -> Result<ExecutionOutcome, SandboxError> {
        let started = Instant::now();
        let mut attached = attach_and_start(&self.docker, name).await?;
        self.start_latency.observe(started.elapsed().as_secs_f64());

        // A runner that exits at once closes stdin under us: not our failure.
        let _ = attached.input.write_all(request).await;
        let _ = attached.input.flush().await;
        let _ = attached.input.shutdown().await;

        let mut outcome = ExecutionOutcome::default();
        let deadline = tokio::time::Instant::now() + spec.limits.wall();
        let cap = spec.limits.report_bytes;
        loop {
            match tokio::time::timeout_at(deadline, attached.output.next()).await {
                Err(_) => {
                    outcome.timed_out = true;
                    self.kill(name).await;
                    break;
                }
                Ok(None) | Ok(Some(Err(_))) => break,
                Ok(Some(Ok(LogOutput::StdOut { message }))) => {
                    if append_capped(&mut outcome.channel, &message, cap) {
                        outcome.channel_overflow = true;
                        self.kill(name).await;
                        break;
                    }
                }
                Ok(Some(Ok(LogOutput::StdErr { message }))) => {
                    if append_capped(&mut outcome.stderr, &message, STDERR_CAP) {
                        outcome.channel_overflow = true;
                        self.kill(name).await;
                        break;
                    }
                }
                Ok(Some(Ok(_))) => {}
            }
        }
        outcome.wall = started.elapsed();
        outcome.exit_code = self.exit_code(name).await;
        outcome.oom_killed = self
            .docker
            .inspect_container(name, None::<InspectContainerOptions>)
            .await
            .ok()
            .and_then(|c| c.state)
            .and_then(|s| s.oom_killed)
            .unwrap_or(false);
        Ok(outcome)
    }

    /// The exit code. bollard reports a non-zero exit as an error, which
    /// for learner code is an ordinary result.
    async fn exit_code(&self, name: &str) -> Option<i64> {
        let mut wait = self
            .docker
            .wait_container(name, None::<WaitContainerOptions>);
        match tokio::time::timeout(Duration::from_secs(10), wait.next()).await {
            Ok(Some(Ok(response))) => Some(response.status_code),
            Ok(Some(Err(bollard::errors::Error::DockerContainerWaitError { code, .. }))) => {
                Some(code)
            }
            _ => None,
        }
    }

    async fn kill(&self, name: &str) {
        let _ = self
            .docker
            .kill_container(name, None::<KillContainerOptions>)
            .await;
    }

    async fn remove(&self, name: &str) {
        let removed = self
            .docker
            .remove_container(
                name,
                Some(RemoveContainerOptions {
                    force: true,
                    v: true,
                    ..Default::default()
                }),
            )
            .await;
        if let Err(e) = removed {
            tracing::warn!(container = name, error = %e, "could not remove a sandbox container; the sweeper will");
        }
    }
}

/// Attaches to a created container's stdin, stdout and stderr, then starts
/// it: attached first, so not a byte of its output is missed.
pub(super) async fn attach_and_start(
    docker: &Docker,
    name: &str,
) -> Result<bollard::container::AttachContainerResults, SandboxError> {
    let attached = docker
        .attach_container(
            name,
            Some(AttachContainerOptions {
                stream: true,
                stdin: true,
                stdout: true,
                stderr: true,
                ..Default::default()
            }),
        )
        .await
        .map_err(unavailable)?;
    docker
        .start_container(name, None)
        .await
        .map_err(unavailable)?;
    Ok(attached)
}
