//! The differential test: each exercise of `tests/fidelity/` (a reference
//! `solution.py`, a `wrong.py`, and an ordinary unittest `test_solution.py`)
//! is run under plain `python3 -m unittest` and through the platform in a
//! real container, and both must agree, passed or not, for every pair. An
//! exercise where the platform differs on purpose (a forgery it refuses)
//! says so on a line of its tests: `# Differs: wrong passed|failed: why`
//! or the same for `solution`; the test then requires that difference. An
//! exercise that needs more time or memory than the defaults (5 s, 128
//! MiB) says so as an assignment would, on a line `# Time: ms` or
//! `# Memory: MiB`.

use std::path::{Path, PathBuf};
use std::process::Command;

use domain::verdict::Verdict;
use futures::StreamExt;

use grader::sandbox::Limits;

use crate::helpers::{docker_sandbox, grade_with, suite};

fn fidelity_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fidelity")
}

/// Whether `solution` passes `tests` under plain Python's unittest, in a
/// folder of its own (Debian's Python, the image's).
fn passes_under_python(solution: &str, tests: &str) -> (bool, String) {
    let dir = std::env::temp_dir().join(format!("cp-fidelity-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("solution.py"), solution).unwrap();
    std::fs::write(dir.join("test_solution.py"), tests).unwrap();
    let out = Command::new("/usr/bin/python3")
        .args(["-B", "-m", "unittest", "-q", "test_solution"])
        .current_dir(&dir)
        .output()
        .expect("Debian's python3 runs");
    let _ = std::fs::remove_dir_all(&dir);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The exercise's limits, as its assignment would set them: `# Time: ms`
/// (5 s unless it says; half of it per test) and `# Memory: MiB` (128).
fn limits_for(tests: &str) -> Limits {
    let setting = |name: &str, default: u64| {
        tests
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map_or(default, |v| v.trim().parse().expect("a number"))
    };
    let time = setting("# Time: ", 5000);
    Limits::new(time, time / 2, setting("# Memory: ", 128) as u32)
}

/// What the tests' `# Differs:` line says the platform does differently for
/// `which` (solution or wrong): Some(passed).
fn declared_difference(tests: &str, which: &str) -> Option<bool> {
    let line = tests.lines().find_map(|l| l.strip_prefix("# Differs: "))?;
    let (who, rest) = line.split_once(' ')?;
    (who == which).then(|| rest.starts_with("passed"))
}

#[tokio::test]
async fn each_exercise_is_judged_as_plain_python_judges_it() {
    let sandbox = docker_sandbox().await;
    let mut exercises: Vec<PathBuf> = std::fs::read_dir(fidelity_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    exercises.sort();
    assert!(exercises.len() >= 10, "{exercises:?}");
    let mut pairs = Vec::new();
    for dir in &exercises {
        let tests = std::fs::read_to_string(dir.join("test_solution.py")).unwrap();
        for which in ["solution", "wrong"] {
            let code = std::fs::read_to_string(dir.join(format!("{which}.py"))).unwrap();
            pairs.push((
                dir.file_name().unwrap().to_string_lossy().into_owned(),
                which,
                code,
                tests.clone(),
            ));
        }
    }
    let results: Vec<_> = futures::stream::iter(pairs)
        .map(|(name, which, code, tests)| {
            let sandbox = &sandbox;
            async move {
                let (plain, why) = passes_under_python(&code, &tests);
                let (verdict, feedback) =
                    grade_with(sandbox, &code, &suite(&tests, &[]), limits_for(&tests)).await;
                (name, which, plain, why, verdict, feedback, tests)
            }
        })
        .buffer_unordered(3)
        .collect()
        .await;
    let mut wrong = Vec::new();
    for (name, which, plain, why, verdict, feedback, tests) in results {
        let platform = verdict == Verdict::Passed;
        let expected = declared_difference(&tests, which).unwrap_or(plain);
        if which == "solution" && !plain {
            wrong.push(format!(
                "{name}: the reference fails under plain Python: {why}"
            ));
        }
        if which == "wrong" && plain && declared_difference(&tests, which).is_none() {
            wrong.push(format!("{name}: wrong.py passes under plain Python"));
        }
        if platform != expected {
            wrong.push(format!(
                "{name}/{which}: plain Python {}, the platform {verdict:?}: {feedback:#?}",
                if plain { "passes" } else { "fails" }
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

/// The benchmark `scripts/bench-grader.sh` runs (ignored by the suite):
/// exercise 16 (a million ints and strings passed in and out) under plain
/// `python3 -m unittest` and through the platform, ROUNDS each (5 by
/// default), alternating; one line per measurement to `BENCH_OUT`.
#[tokio::test]
#[ignore = "a benchmark: scripts/bench-grader.sh"]
async fn bench_large_arguments_against_plain_python() {
    let rounds: usize = std::env::var("ROUNDS").map_or(5, |n| n.parse().unwrap());
    let dir = fidelity_dir().join("16-large-arguments");
    let tests = std::fs::read_to_string(dir.join("test_solution.py")).unwrap();
    let code = std::fs::read_to_string(dir.join("solution.py")).unwrap();
    let sandbox = docker_sandbox().await;
    let mut lines = Vec::new();
    for _ in 0..rounds {
        let started = std::time::Instant::now();
        let (plain, why) = passes_under_python(&code, &tests);
        assert!(plain, "{why}");
        lines.push(format!("plain {}", started.elapsed().as_millis()));
        let started = std::time::Instant::now();
        let (verdict, feedback) =
            grade_with(&sandbox, &code, &suite(&tests, &[]), limits_for(&tests)).await;
        assert_eq!(verdict, Verdict::Passed, "{feedback:?}");
        lines.push(format!("platform {}", started.elapsed().as_millis()));
        lines.push(format!("runner {}", feedback.duration_ms));
    }
    let out = std::env::var("BENCH_OUT").unwrap_or_else(|_| "target/wire-bench.txt".into());
    std::fs::write(&out, lines.join("\n") + "\n").unwrap();
}
