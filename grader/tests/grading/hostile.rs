//! Hostile submissions, each with the verdict it must get; the grader stays
//! healthy and no container outlives its run.

use domain::verdict::Verdict;
use futures::StreamExt;

use crate::helpers::{
    docker_sandbox, grade, pool_sandbox, sandbox_containers, Runs, ANSWER_TESTS as TESTS,
};

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
        (
            "a bulk list past the value limit",
            "def answer():\n    return [1 << 40] * 2_000_000\n".into(),
            RuntimeError,
        ),
    ]
}

#[tokio::test]
async fn hostile_submissions_get_their_verdicts_and_leave_nothing_behind() {
    let sandbox = docker_sandbox().await;
    let label = sandbox.consumer().to_owned();
    hostile_cases_on(&sandbox).await;
    assert_eq!(
        sandbox_containers(&label).await,
        0,
        "a container outlived its run"
    );
}

#[tokio::test]
async fn hostile_submissions_get_the_same_verdicts_on_the_pool() {
    let pool = pool_sandbox(3).await;
    hostile_cases_on(&pool).await;
    pool.close().await;
}

/// Every hostile case gets its verdict on `sandbox`, three at a time, and
/// an honest submission passes after them all.
async fn hostile_cases_on(sandbox: &impl Runs) {
    let cases = cases();
    assert!(cases.len() >= 15);

    let results: Vec<_> = futures::stream::iter(cases)
        .map(|(name, code, expected)| {
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
    // Still healthy: an honest submission passes.
    let (verdict, _) = grade(sandbox, "def answer():\n    return 42\n", TESTS, 1000).await;
    assert_eq!(verdict, Verdict::Passed);
}

/// A test whose own code raises (None + 1) when `answer` returns None, so
/// the runner formats a traceback through the test file.
const TRACEBACK_TESTS: &str = "import unittest\n\nfrom solution import answer\n\n\nclass AnswerTest(unittest.TestCase):\n    def test_answer(self):\n        self.assertEqual(answer() + 1, 43)\n";

/// What the learner can write, laid where the runner once looked: each
/// must end as the learner's own verdict, never ours and never a hang.
#[tokio::test]
async fn the_runner_never_reads_what_the_learner_can_write() {
    let sandbox = docker_sandbox().await;
    let cases = [
        (
            "a FIFO where the runner looked for the test file",
            "import os\nos.mkfifo('/tmp/test_solution.py')\n\ndef answer():\n    return None\n",
            TRACEBACK_TESTS,
        ),
        (
            "a bad coding cookie where the runner looked for the test file",
            "with open('/tmp/test_solution.py', 'w') as f:\n    f.write('# -*- coding: no-such-codec -*-\\n' * 10)\n\ndef answer():\n    return None\n",
            TRACEBACK_TESTS,
        ),
        (
            "a lone surrogate in the learner's exception",
            "def answer():\n    raise ValueError('\\ud800 half a character')\n",
            TESTS,
        ),
    ];
    let mut wrong = Vec::new();
    for (name, code, tests) in cases {
        let (verdict, feedback) = grade(&sandbox, code, tests, 3000).await;
        let message = feedback.tests.first().map_or("", |t| t.message.as_str());
        let shown = if name.contains("surrogate") {
            message.contains('\u{fffd}')
        } else {
            message.contains("self.assertEqual(answer() + 1, 43)")
        };
        if verdict != Verdict::RuntimeError || !shown {
            wrong.push(format!("{name}: {verdict:?}, {feedback:?}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// A visible test and a hidden one; the learner's `double` may sleep on
/// the hidden input alone.
const TIMED_TESTS: &str = "import unittest\n\nfrom solution import double\n\n\nclass DoubleTest(unittest.TestCase):\n    def test_seen(self):\n        self.assertEqual(double(1), 2)\n\n    def test_hidden(self):\n        self.assertEqual(double(7), 14)\n";

/// The hidden phase lasts its fixed length whatever the learner's code does
/// in it: a fast answer waits out the hidden test's limit too (a lower
/// bound, which no load can break; how close the two come is measured by
/// scripts/bench-hidden.sh).
#[tokio::test]
async fn the_hidden_phase_is_padded_to_its_limit_for_fast_and_slow_code_alike() {
    let sandbox = docker_sandbox().await;
    let suite = crate::helpers::suite(TIMED_TESTS, &["test_hidden"]);
    let limits = crate::helpers::limits(2000);
    let pad = limits.test_time.as_millis() as u64;
    for code in [
        "def double(x):\n    return 2 * x\n",
        "import time\n\ndef double(x):\n    if x == 7:\n        time.sleep(0.6)\n    return 2 * x\n",
    ] {
        let (verdict, feedback) = crate::helpers::grade_with(&sandbox, code, &suite, limits).await;
        assert_eq!(verdict, Verdict::Passed, "{code}: {feedback:?}");
        assert!(feedback.duration_ms >= pad, "{code}: {} ms, not padded to {pad} ms", feedback.duration_ms);
    }
}
