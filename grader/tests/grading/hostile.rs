//! Hostile submissions, each with the verdict it must get; the grader stays
//! healthy and no container outlives its run.

use common::domain::Verdict;
use futures::StreamExt;

use crate::helpers::{docker_sandbox, grade, sandbox_containers, ANSWER_TESTS as TESTS};

const FORGED: &str = r#"import os
fake = '{"status": "ran", "tests": [{"name": "test_answer", "outcome": "passed", "message": ""}], "output_exceeded": false}'
print(fake)
print("OK")
for fd in range(1, 30):
    try:
        os.write(fd, (fake + "\n").encode())
    except OSError:
        pass
os._exit(0)
"#;

/// Each hostile program, and the verdict it must get (also run as a
/// notebook's cell by `notebooks.rs`).
pub fn cases() -> Vec<(&'static str, String, Verdict)> {
    use Verdict::*;
    vec![
        ("infinite loop", "while True:\n    pass\n".into(), TimeLimit),
        ("sleep forever", "import time\ntime.sleep(10**6)\n".into(), TimeLimit),
        (
            "fork bomb",
            "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n".into(),
            TimeLimit,
        ),
        ("memory bomb", "x = b'x' * (1024 * 1024 * 1024)\n".into(), MemoryLimit),
        (
            "a gigabyte of output",
            "import sys\nfor _ in range(10**6):\n    sys.stdout.write('x' * 1000)\n".into(),
            OutputLimit,
        ),
        (
            "a huge file",
            "with open('/tmp/big', 'wb') as f:\n    for _ in range(1000):\n        f.write(b'x' * (1 << 20))\n\ndef answer():\n    return 42\n".into(),
            RuntimeError,
        ),
        (
            "a network socket",
            "import socket\n\ndef answer():\n    socket.create_connection(('127.0.0.1', 25433), timeout=2).close()\n    return 42\n".into(),
            RuntimeError,
        ),
        (
            "reading the environment for secrets",
            "import os\n\ndef answer():\n    leaked = [k for k in os.environ if any(w in k for w in ('SECRET', 'DATABASE', 'REDIS', 'TOKEN', 'PASSWORD'))]\n    return 42 if not leaked else leaked\n".into(),
            Passed,
        ),
        (
            "reaching the Docker socket",
            "import os, socket\n\ndef answer():\n    for path in ('/var/run/docker.sock', '/run/docker.sock'):\n        if os.path.exists(path):\n            return path\n    return 42\n".into(),
            Passed,
        ),
        ("killing its own parent", "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nos.kill(0, signal.SIGKILL)\n".into(), RuntimeError),
        (
            "a daemon that outlives the run",
            "import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(600)\n    os._exit(0)\n\ndef answer():\n    return 42\n".into(),
            Passed,
        ),
        ("forged passing output", FORGED.into(), RuntimeError),
        ("os._exit(0) before the tests", "import os\nos._exit(0)\n".into(), RuntimeError),
        ("unbounded recursion", "def answer(n=0):\n    return answer(n + 1)\n".into(), RuntimeError),
        (
            "unicode and binary output",
            "import sys\n\ndef answer():\n    print('héllo ✓ 🎉')\n    sys.stdout.flush()\n    sys.stdout.buffer.write(bytes(range(256)))\n    return 42\n".into(),
            Passed,
        ),
        ("a syntax error", "def answer(:\n    return 42\n".into(), SyntaxError),
        ("a missing module", "import module_that_does_not_exist\n".into(), RuntimeError),
        ("a wrong answer", "def answer():\n    return 41\n".into(), WrongAnswer),
        ("exiting through SystemExit", "def answer():\n    raise SystemExit(0)\n".into(), RuntimeError),
    ]
}

#[tokio::test]
async fn hostile_submissions_get_their_verdicts_and_leave_nothing_behind() {
    let sandbox = docker_sandbox().await;
    let label = sandbox.consumer().to_owned();
    let cases = cases();
    assert!(cases.len() >= 15);

    let results: Vec<_> = futures::stream::iter(cases)
        .map(|(name, code, expected)| {
            let sandbox = &sandbox;
            // 3 s, not 1: three containers at once on a loaded two-core
            // machine once took 1.3 s to load the memory bomb, which then
            // ended as a time limit before it could reach the memory one.
            async move { (name, expected, grade(sandbox, &code, TESTS, 3000).await) }
        })
        .buffer_unordered(3)
        .collect()
        .await;

    for (name, expected, (verdict, feedback)) in &results {
        assert_eq!(verdict, expected, "{name}: {feedback:?}");
        if *name == "unicode and binary output" {
            assert!(
                feedback.stdout.contains("héllo ✓ 🎉"),
                "{name}: {:?}",
                feedback.stdout
            );
        }
        if *name == "a syntax error" {
            assert!(
                feedback.summary.contains("SyntaxError"),
                "{name}: {}",
                feedback.summary
            );
        }
        if *name == "a wrong answer" {
            assert!(
                feedback.tests[0].message.contains("41 != 42"),
                "{name}: {feedback:?}"
            );
        }
    }
    assert_eq!(
        sandbox_containers(&label).await,
        0,
        "a container outlived its run"
    );
    // Still healthy: an honest submission passes.
    let (verdict, _) = grade(&sandbox, "def answer():\n    return 42\n", TESTS, 1000).await;
    assert_eq!(verdict, Verdict::Passed);
}
