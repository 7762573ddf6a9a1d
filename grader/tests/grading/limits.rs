//! The hardening of a sandbox container, observed from inside one by the
//! learner's code: a setting Docker or the kernel silently ignores fails
//! here, and so does a runner the learner could read, signal or outrank.

use domain::verdict::Verdict;
use serde_json::Value;

use crate::helpers::{docker_sandbox, grade, ANSWER_TESTS};

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

status = dict(l.split(":", 1) for l in read("/proc/self/status").splitlines())
runner = dict(l.split(":", 1) for l in read("/proc/1/status").splitlines())
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
    "runner_mem": read("/proc/1/mem"),
    "runner_environ": read("/proc/1/environ"),
    "runner_maps": read("/proc/1/maps"),
    "runner_fds": os_error(lambda: os.listdir("/proc/1/fd")),
    "runner_signal": os_error(lambda: os.kill(1, 0)),
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
    let sandbox = docker_sandbox().await;

    let (verdict, feedback) = grade(&sandbox, PROBE, ANSWER_TESTS, 2000).await;

    assert_eq!(verdict, Verdict::Passed, "{feedback:?}");
    let seen: Value = serde_json::from_str(feedback.stdout.lines().next().unwrap_or_default())
        .unwrap_or_else(|e| panic!("probe output {:?}: {e}", feedback.stdout));
    let expect = |key: &str, want: Value| assert_eq!(seen[key], want, "{key}: {seen}");
    // The learner's code runs as the learner, the runner (PID 1) as another
    // uid, and neither holds any capability nor can get one back.
    expect("uid", 10002.into());
    expect("gid", 10002.into());
    expect("groups", serde_json::json!([]));
    expect(
        "runner_uids",
        serde_json::json!(["10001", "10001", "10001", "10001"]),
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
    expect("pids", "64".into());
    assert_eq!(seen["cpu_quota"], seen["cpu_period"], "one CPU: {seen}");
    expect("docker_socket", false.into());
    // Only what the image and Docker set; nothing of the grader's.
    expect(
        "environment",
        serde_json::json!(["HOME", "HOSTNAME", "LANG", "PATH"]),
    );
}
