//! The pool sandbox (#22): warm hosts, each job under fresh uids. What one
//! submission leaves behind in its slot must be gone before the next: an
//! attacker's submission leaves everything it can, then a probe in the same
//! slot (its tests run in the runner, which sees the whole container)
//! looks for each. Seen failing on a deliberately leaky pool first; then
//! on the real one, and a correct submission still passes after each.

use std::time::Duration;

use domain::verdict::Verdict;
use testkit::TestEnv;
use uuid::Uuid;

use crate::helpers::{grade_with, host_containers, limits, pool_sandbox, suite, Runs};
use crate::pipeline::slow_job_in_a_grader_binary;

/// Leaves, under the learner's uid, everything the issue names: a daemon
/// (double fork, its own session) that keeps writing a file, files in /tmp
/// and /dev/shm, a SysV shared memory segment and message queue, a POSIX
/// message queue and a keyring entry where it can make them, and a
/// grandchild holding a descriptor to a file.
const ATTACKER: &str = r#"
import ctypes, os, time
libc = ctypes.CDLL(None, use_errno=True)

def leave():
    made = []
    for path in ('/tmp/left-behind', '/dev/shm/left-behind'):
        try:
            with open(path, 'w') as f:
                f.write('secret')
            made.append(path)
        except OSError:
            pass
    # A folder it made unreadable with a file in it, and a deep chain.
    try:
        os.makedirs('/tmp/locked')
        with open('/tmp/locked/secret', 'w') as f:
            f.write('secret')
        os.chmod('/tmp/locked', 0)
        os.makedirs('/tmp/deep/' + 'd/' * 600)
        made.append('folders')
    except OSError:
        pass
    if libc.shmget(0x5eed, 4096, 0o1666) >= 0:
        made.append('shm')
    if libc.msgget(0x5eed, 0o1666) >= 0:
        made.append('msg')
    if libc.syscall(248, b'user', b'cp-leak', b'secret', 6, -3) >= 0:  # add_key
        made.append('key')
    try:
        fd = os.open('/tmp/held', os.O_CREAT | os.O_WRONLY, 0o600)
        made.append('fd')
    except OSError:
        fd = None
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            # The daemon: holds the descriptor and keeps writing.
            for _ in range(600):
                try:
                    with open('/tmp/daemon-alive', 'w') as f:
                        f.write(str(time.time()))
                except OSError:
                    pass
                time.sleep(0.05)
        os._exit(0)
    time.sleep(0.1)
    return made

def answer():
    import socket
    print('host', socket.gethostname())
    return leave()
"#;

const ATTACKER_TESTS: &str = "import unittest\n\nfrom solution import answer\n\n\n\
class T(unittest.TestCase):\n    def test_leaves(self):\n        self.assertTrue(answer())\n";

/// Run in the runner (it can read the whole container): nothing of an
/// earlier job may be there.
const PROBE_TESTS: &str = r#"
import os, time, unittest
from solution import answer

def others():
    mine = {os.getuid()}
    found = []
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            with open(f'/proc/{pid}/status') as f:
                uid = int(next(l for l in f if l.startswith('Uid:')).split()[1])
        except (OSError, StopIteration):
            continue
        if uid not in mine and uid != 0 and uid != answer():
            found.append((pid, uid))
    return found

class Probe(unittest.TestCase):
    def test_no_process_of_another_job(self):
        self.assertEqual(others(), [])

    def test_no_file_of_another_job(self):
        time.sleep(0.2)
        left = ('left-behind', 'held', 'daemon-alive', 'locked', 'deep')
        for top in ('/tmp', '/dev/shm'):
            for root, dirs, files in os.walk(top):
                for name in files + dirs:
                    self.assertFalse(name in left, os.path.join(root, name))

    def test_no_sysv_object_of_another_job(self):
        for kind in ('shm', 'msg', 'sem'):
            with open(f'/proc/sysvipc/{kind}') as f:
                rows = f.read().splitlines()[1:]
            self.assertEqual(rows, [], kind)
"#;

/// The probe's learner side: says its own uid, so its own processes count.
const PROBE: &str =
    "import os, socket\n\ndef answer():\n    print('host', socket.gethostname())\n    return os.getuid()\n";

const GOOD_TESTS: &str = "import unittest\n\nfrom solution import answer\n\n\n\
class T(unittest.TestCase):\n    def test_answer(self):\n        self.assertEqual(answer(), 42)\n";
const GOOD: &str = "def answer():\n    return 42\n";

/// The attacker, then the probe, in the one slot of `pool`; the probe's
/// verdict and the failed tests' names. Both ran in the same host (the
/// same container: a retired host's successor would prove nothing).
async fn attack_then_probe(pool: &impl Runs) -> (Verdict, Vec<String>) {
    let (verdict, attack) =
        grade_with(pool, ATTACKER, &suite(ATTACKER_TESTS, &[]), limits(3000)).await;
    assert_eq!(verdict, Verdict::Passed, "the attacker ran: {attack:?}");
    let (verdict, probe) = grade_with(pool, PROBE, &suite(PROBE_TESTS, &[]), limits(3000)).await;
    let host = |stdout: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with("host "))
            .map(str::to_owned)
    };
    assert!(host(&attack.stdout).is_some(), "{attack:?}");
    assert_eq!(
        host(&attack.stdout),
        host(&probe.stdout),
        "one host served both"
    );
    let failed = probe
        .tests
        .iter()
        .filter(|t| !t.passed)
        .map(|t| format!("{}: {}", t.name, t.message))
        .collect();
    (verdict, failed)
}

#[tokio::test]
async fn a_leaky_pool_lets_one_submission_see_the_last_ones_leftovers() {
    let pool = pool_sandbox(1).await.leaky();
    let (verdict, failed) = attack_then_probe(&pool).await;
    assert_eq!(verdict, Verdict::WrongAnswer, "the probe must see the leak");
    let failed = failed.join("\n");
    for leak in ["process", "file", "sysv"] {
        assert!(failed.contains(leak), "{leak} not caught: {failed}");
    }
    pool.close().await;
}

#[tokio::test]
async fn nothing_of_a_submission_survives_into_the_next_in_its_slot() {
    let pool = pool_sandbox(1).await;
    for _ in 0..2 {
        let (verdict, failed) = attack_then_probe(&pool).await;
        assert_eq!(verdict, Verdict::Passed, "left behind: {failed:?}");
        // And a correct submission passes in the same slot, in normal time.
        let started = std::time::Instant::now();
        let (verdict, _) = grade_with(&pool, GOOD, &suite(GOOD_TESTS, &[]), limits(2000)).await;
        assert_eq!(verdict, Verdict::Passed);
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }
    pool.close().await;
}

#[tokio::test]
async fn a_memory_bomb_hits_its_own_job_and_the_next_passes() {
    let pool = pool_sandbox(2).await;
    let bomb = "def answer():\n    x = []\n    while True:\n        x.append(bytearray(8 << 20))\n";
    let good = suite(GOOD_TESTS, &[]);
    let ((bombed, _), (passed, _)) = tokio::join!(
        grade_with(&pool, bomb, &good, limits(3000)),
        grade_with(&pool, GOOD, &good, limits(3000)),
    );
    assert_eq!(bombed, Verdict::MemoryLimit);
    assert_eq!(passed, Verdict::Passed);
    for _ in 0..2 {
        let (verdict, _) = grade_with(&pool, GOOD, &good, limits(2000)).await;
        assert_eq!(verdict, Verdict::Passed, "after the bomb");
    }
    pool.close().await;
}

#[tokio::test]
async fn a_grader_killed_mid_job_leaves_no_host_running() {
    let env = TestEnv::new().await;
    let victim = format!("victim-{}", Uuid::new_v4().simple());
    let (_, _, mut child) = slow_job_in_a_grader_binary(&env, &victim, 1.5, "pool").await;
    assert!(host_containers(&victim).await > 0, "the pool's hosts run");
    child.kill().await.unwrap(); // SIGKILL, mid-job
                                 // Its hosts' stdin ends with it: each ends its job and exits, and the
                                 // daemon removes it; within a job's wall time, with no sweep of ours.
    let gone = testkit::eventually(Duration::from_secs(15), || async {
        host_containers(&victim).await == 0
    })
    .await;
    assert!(
        gone,
        "{} hosts outlived their grader",
        host_containers(&victim).await
    );
}

/// What would outlive a job in the kernel rather than in the container: a
/// keyring entry (per uid) and a POSIX message queue. Neither can be made.
const KERNEL_OBJECTS: &str = r#"
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)

def answer():
    key = libc.syscall(248, b'user', b'cp-leak', b'secret', 6, -3)  # add_key
    queue = libc.mq_open(b'/cp-leak', os.O_CREAT | os.O_RDWR, 0o600, None)
    return key, queue
"#;

const KERNEL_TESTS: &str = "import unittest\n\nfrom solution import answer\n\n\n\
class T(unittest.TestCase):\n    def test_none_made(self):\n        self.assertEqual(answer(), (-1, -1))\n";

#[tokio::test]
async fn a_job_can_make_no_keyring_entry_nor_message_queue() {
    let pool = pool_sandbox(1).await;
    let (verdict, feedback) = grade_with(
        &pool,
        KERNEL_OBJECTS,
        &suite(KERNEL_TESTS, &[]),
        limits(2000),
    )
    .await;
    pool.close().await;
    assert_eq!(verdict, Verdict::Passed, "{feedback:?}");
}
