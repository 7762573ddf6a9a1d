//! The hardening of a sandbox container, observed from inside one by the
//! learner's code: a setting Docker or the kernel silently ignores fails
//! here, and so does a runner the learner could read, signal or outrank.

use domain::verdict::Verdict;
use serde_json::Value;

use crate::helpers::{docker_sandbox, grade, Runs, ANSWER_TESTS};

/// Prints, as one JSON line, what a learner's code can see of its limits.
const PROBE: &str = r#"import json, os, resource, socket

def read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError as e:
        return "error: " + e.strerror

def write_error(path):
    try:
        with open(path, "w") as f:
            f.write("x")
        return None
    except OSError as e:
        return e.strerror

def os_error(call):
    try:
        call()
        return None
    except OSError as e:
        return e.strerror

def connect_error():
    try:
        socket.create_connection(("1.1.1.1", 53), timeout=1).close()
        return None
    except OSError as e:
        return e.strerror

def runner_pid():
    # The runner's uid is the learner's less one, in a container of its own
    # (10001, PID 1) as in the pool's warm host (a fresh pair per job).
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            st = read(f"/proc/{pid}/status")
            uid = [l for l in st.splitlines() if l.startswith("Uid:")]
            if uid and int(uid[0].split()[1]) == os.getuid() - 1:
                return pid
    return "1"

rp = runner_pid()
status = dict(l.split(":", 1) for l in read("/proc/self/status").splitlines())
runner = dict(l.split(":", 1) for l in read(f"/proc/{rp}/status").splitlines())
caps = ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")
tmp = os.statvfs("/tmp")
cgroup = "/sys/fs/cgroup/"
print(json.dumps({
    "uid": os.getuid(),
    "gid": os.getgid(),
    "groups": os.getgroups(),
    "caps": [status[c].strip() for c in caps],
    "runner_uids": runner["Uid"].split(),
    "runner_caps": [runner[c].strip() for c in caps],
    "runner_mem": read(f"/proc/{rp}/mem"),
    "runner_environ": read(f"/proc/{rp}/environ"),
    "runner_maps": read(f"/proc/{rp}/maps"),
    "runner_fds": os_error(lambda: os.listdir(f"/proc/{rp}/fd")),
    "runner_signal": os_error(lambda: os.kill(int(rp), 0)),
    "pid1_environ": read("/proc/1/environ"),
    "pid1_fds": os_error(lambda: os.listdir("/proc/1/fd")),
    "pid1_signal": os_error(lambda: os.kill(1, 0)),
    "harness_read": read("/opt/harness/runner.py"),
    "no_new_privs": status["NoNewPrivs"].strip(),
    "seccomp": status["Seccomp"].strip(),
    "nofile": resource.getrlimit(resource.RLIMIT_NOFILE),
    "fsize": resource.getrlimit(resource.RLIMIT_FSIZE),
    "core": resource.getrlimit(resource.RLIMIT_CORE),
    "root_write": write_error("/etc/probe"),
    "harness_write": write_error("/opt/harness/runner.py"),
    "tmp_write": write_error("/tmp/probe"),
    "tmp_mb": tmp.f_blocks * tmp.f_frsize // 2**20,
    "interfaces": [name for _, name in socket.if_nameindex()],
    "connect": connect_error(),
    "memory": read(cgroup + "memory/memory.limit_in_bytes"),
    "memory_swap": read(cgroup + "memory/memory.memsw.limit_in_bytes"),
    "pids": read(cgroup + "pids/pids.max"),
    "cpu_quota": read(cgroup + "cpu/cpu.cfs_quota_us"),
    "cpu_period": read(cgroup + "cpu/cpu.cfs_period_us"),
    "environment": sorted(os.environ),
    "docker_socket": os.path.exists("/var/run/docker.sock") or os.path.exists("/run/docker.sock"),
}))

def answer():
    return 42
"#;

#[tokio::test]
async fn a_sandbox_container_runs_with_every_limit_in_force() {
    let seen = probe(&docker_sandbox().await).await;
    // The learner's code runs as the learner, the runner (PID 1) as another.
    assert_eq!(seen["uid"], 10002, "{seen}");
    assert_eq!(seen["pids"], "64", "{seen}");
}

#[tokio::test]
async fn a_pool_host_runs_each_job_with_every_limit_in_force() {
    let pool = crate::helpers::pool_sandbox(1).await;
    let first = probe(&pool).await;
    let second = probe(&pool).await;
    pool.close().await;
    // Fresh uids for every job, far from any account's.
    let uid = |seen: &Value| seen["uid"].as_u64().unwrap();
    assert!(uid(&first) >= 1_700_000_000, "{first}");
    assert_ne!(uid(&first), uid(&second));
    // The container's pids bound the slot, with room for the host beside
    // the job's 64 (each of whose uids is also held to 64 processes).
    assert_eq!(first["pids"], "72", "{first}");
}

/// What the isolation probe sees from a learner's code on `sandbox`, each
/// setting a container of its own gives checked; the uids and the pids
/// bound are the caller's to check.
async fn probe(sandbox: &impl Runs) -> Value {
    let (verdict, feedback) = grade(sandbox, PROBE, ANSWER_TESTS, 2000).await;

    assert_eq!(verdict, Verdict::Passed, "{feedback:?}");
    let seen: Value = serde_json::from_str(feedback.stdout.lines().next().unwrap_or_default())
        .unwrap_or_else(|e| panic!("probe output {:?}: {e}", feedback.stdout));
    let expect = |key: &str, want: Value| assert_eq!(seen[key], want, "{key}: {seen}");
    // The runner runs as the learner's uid less one, and neither holds any
    // capability nor can get one back.
    let uid = seen["uid"].as_u64().expect("a uid");
    expect("gid", uid.into());
    expect("groups", serde_json::json!([]));
    let runner = (uid - 1).to_string();
    expect(
        "runner_uids",
        serde_json::json!([runner, runner, runner, runner]),
    );
    let none = serde_json::json!(vec!["0000000000000000"; 5]);
    expect("caps", none.clone());
    expect("runner_caps", none);
    // Nothing of the runner is readable, and it cannot be signalled.
    for key in [
        "runner_mem",
        "runner_environ",
        "runner_maps",
        "harness_read",
    ] {
        expect(key, "error: Permission denied".into());
    }
    expect("runner_fds", "Permission denied".into());
    expect("runner_signal", "Operation not permitted".into());
    // Nor of PID 1 (the runner, or the pool's host): root's, another uid's.
    expect("pid1_environ", "error: Permission denied".into());
    expect("pid1_fds", "Permission denied".into());
    expect("pid1_signal", "Operation not permitted".into());
    expect("no_new_privs", "1".into());
    expect("seccomp", "2".into());
    expect("nofile", serde_json::json!([64, 64]));
    expect("fsize", serde_json::json!([8 << 20, 8 << 20]));
    expect("core", serde_json::json!([0, 0]));
    expect("root_write", "Read-only file system".into());
    expect("harness_write", "Permission denied".into());
    expect("tmp_write", Value::Null);
    expect("tmp_mb", 32.into());
    expect("interfaces", serde_json::json!(["lo"]));
    expect("connect", "Network is unreachable".into());
    // 128 MiB (the helper's limit) and swap included: memsw equals memory.
    expect("memory", (128u64 << 20).to_string().into());
    expect("memory_swap", (128u64 << 20).to_string().into());
    assert_eq!(seen["cpu_quota"], seen["cpu_period"], "one CPU: {seen}");
    expect("docker_socket", false.into());
    // Only what the image and Docker set; nothing of the grader's.
    expect(
        "environment",
        serde_json::json!(["HOME", "HOSTNAME", "LANG", "PATH"]),
    );
    seen
}
