//! The development-only process sandbox: the same verdicts for the cases its
//! rlimits can decide, and, run as root, the learner's code under a uid of
//! its own apart from the runner's, nothing of a run left alive and nothing
//! outside the run's uids reachable.

use std::path::Path;
use std::time::Duration;

use domain::verdict::Verdict;
use domain::work::Feedback;
use grader::judge::judge;
use grader::sandbox::{new_nonce, ExecutionSpec, ProcessSandbox, Task, RUN_UID_BASE, RUN_UID_SPAN};
use uuid::Uuid;

use crate::helpers::{limits, suite, ANSWER_TESTS};

async fn grade(sandbox: &ProcessSandbox, solution: &str) -> (Verdict, Feedback, Duration) {
    let nonce = new_nonce();
    let tests = suite(ANSWER_TESTS, &[]);
    let spec = ExecutionSpec {
        job_id: Uuid::new_v4(),
        runner: &domain::runners::PYTHON,
        task: Task::Grade {
            solution,
            tests: &tests,
        },
        limits: limits(1000),
    };
    let outcome = sandbox
        .execute(&spec, &nonce)
        .await
        .expect("the sandbox runs");
    let (verdict, feedback) = judge(&outcome, &nonce, &tests, spec.runner, &spec.limits);
    (verdict, feedback, outcome.wall)
}

/// Live processes under a run uid (zombies are dead, only not yet reaped by
/// init, which the process sandbox is not), as `ps` lines.
fn run_uid_processes() -> Vec<String> {
    let out = std::process::Command::new("ps")
        .args(["-e", "-o", "uid=,stat=,pid=,ppid=,args="])
        .output()
        .expect("ps runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| {
            let mut fields = l.split_whitespace();
            let uid = fields.next().and_then(|u| u.parse::<u64>().ok());
            let stat = fields.next().unwrap_or("Z");
            // This sandbox's span only: the pool's hosts, in containers of
            // other tests, run jobs under uids of a span of their own.
            let span = u64::from(RUN_UID_BASE)..u64::from(RUN_UID_BASE) + u64::from(RUN_UID_SPAN);
            uid.is_some_and(|u| span.contains(&u)) && !stat.starts_with('Z')
        })
        .map(str::to_owned)
        .collect()
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout == b"0\n")
}

#[tokio::test]
async fn the_process_sandbox_judges_and_contains_hostile_code() {
    let sandbox = ProcessSandbox::new(Path::new("../runners")).unwrap();
    use Verdict::*;
    let mut cases: Vec<(&str, &str, Verdict)> = vec![
        ("honest", "def answer():\n    return 42\n", Passed),
        ("wrong", "def answer():\n    return 41\n", WrongAnswer),
        ("infinite loop", "while True:\n    pass\n", TimeLimit),
        (
            "memory bomb",
            "x = b'x' * (1024 * 1024 * 1024)\n",
            MemoryLimit,
        ),
        (
            "reading the environment for secrets",
            "import os\n\ndef answer():\n    leaked = [k for k in os.environ if any(w in k for w in ('DATABASE', 'REDIS', 'SECRET'))]\n    return 42 if not leaked else leaked\n",
            Passed,
        ),
        ("syntax error", "def answer(:\n", SyntaxError),
    ];
    if is_root() {
        // Safe only once the run no longer has root's powers: checked first.
        let (verdict, feedback, _) = grade(
            &sandbox,
            "import os\n\ndef field(pid, name):\n    return int(open(f'/proc/{pid}/status').read().split(name + ':')[1].split()[0])\n\ndef answer():\n    runner = field(field(os.getppid(), 'PPid'), 'Uid')\n    mine = os.getuid()\n    return 42 if min(mine, os.getgid(), runner) >= 1600000000 and mine != runner else (mine, runner)\n",
        )
        .await;
        assert_eq!(verdict, Passed, "the run did not drop root: {feedback:?}");
        cases.extend([
            (
                "fork bomb",
                "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n",
                TimeLimit,
            ),
            (
                "killing everything it can",
                "import os, signal\nfor pid in (-1, os.getppid()):\n    try:\n        os.kill(pid, signal.SIGKILL)\n    except OSError:\n        pass\nos.kill(0, signal.SIGKILL)\n",
                RuntimeError,
            ),
            (
                "a daemon that outlives the run",
                "import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(600)\n    os._exit(0)\n\ndef answer():\n    return 42\n",
                Passed,
            ),
        ]);
    } else {
        eprintln!(
            "not root: the fork bomb, kill and daemon cases need a uid of their own; not run"
        );
    }

    for (name, code, expected) in cases {
        let (verdict, feedback, wall) = grade(&sandbox, code).await;
        assert_eq!(verdict, expected, "{name}: {feedback:?}");
        if name == "a daemon that outlives the run" {
            // The daemon holds the channel open; the run ends with the harness.
            assert!(wall < Duration::from_secs(3), "{name}: took {wall:?}");
        }
        // Killed processes may take a moment to finish exiting on a busy
        // machine; one that escaped would still be there after seconds.
        testkit::eventually(Duration::from_secs(3), || async {
            run_uid_processes().is_empty()
        })
        .await;
        let left = run_uid_processes();
        assert!(
            left.is_empty(),
            "{name}: processes outlived the run:\n{}",
            left.join("\n")
        );
    }
}
