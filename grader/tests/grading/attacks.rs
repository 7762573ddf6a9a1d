//! The attack suite: submissions that solve nothing and try to be judged
//! passed anyway, one technique per file in `tests/attacks/`, each naming
//! its technique and its target (`# Targets: all`, an assignment, or
//! `inline` with its own tests after `# === tests ===`). Every one is run
//! in a real container against its targets and must not pass.

use std::path::{Path, PathBuf};

use courseload::assignments::{load_course, repository_course_dir};
use domain::course::AssignmentSource;
use domain::verdict::Verdict;
use futures::StreamExt;

use crate::helpers::{docker_sandbox, grade_with, limits, pool_sandbox, suite, Runs};

struct Attack {
    file: String,
    solution: String,
    /// (target, tests, run limit in ms)
    targets: Vec<(String, String, u64)>,
}

fn attacks_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/attacks")
}

fn load(path: &Path, course: &[AssignmentSource]) -> Attack {
    let file = path.file_name().unwrap().to_string_lossy().into_owned();
    let text = std::fs::read_to_string(path).unwrap();
    assert!(
        text.starts_with("# Technique: "),
        "{file} must open with a comment naming its technique"
    );
    let target = text
        .lines()
        .find_map(|l| l.strip_prefix("# Targets: "))
        .unwrap_or_else(|| panic!("{file} names no target"))
        .trim()
        .to_owned();
    let (solution, targets) = match text.split_once("# === tests ===") {
        Some((solution, tests)) => (solution.to_owned(), vec![(target, tests.to_owned(), 2000)]),
        None => {
            let targets = course
                .iter()
                .filter(|a| target == "all" || format!("{:02}-{}", a.position, a.slug) == target)
                .map(|a| (a.slug.clone(), a.test_code.clone(), a.time_limit_ms as u64))
                .collect::<Vec<_>>();
            assert!(!targets.is_empty(), "{file}: no assignment {target}");
            (text, targets)
        }
    };
    Attack {
        file,
        solution,
        targets,
    }
}

#[tokio::test]
async fn no_attack_in_the_suite_is_judged_passed() {
    no_attack_passes_on(&docker_sandbox().await).await;
}

#[tokio::test]
async fn no_attack_in_the_suite_is_judged_passed_on_the_pool() {
    let pool = pool_sandbox(3).await;
    no_attack_passes_on(&pool).await;
    pool.close().await;
}

async fn no_attack_passes_on(sandbox: &impl Runs) {
    let course = load_course(&repository_course_dir()).unwrap();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(attacks_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "py"))
        .collect();
    paths.sort();
    let attacks: Vec<Attack> = paths.iter().map(|p| load(p, &course)).collect();
    assert!(attacks.len() >= 25, "only {} attacks", attacks.len());

    let runs = attacks.iter().flat_map(|a| {
        a.targets
            .iter()
            .map(move |(target, tests, limit)| (a, target, tests, *limit))
    });
    let results: Vec<_> = futures::stream::iter(runs)
        .map(|(attack, target, tests, limit)| async move {
            let (verdict, feedback) =
                grade_with(sandbox, &attack.solution, &suite(tests, &[]), limits(limit)).await;
            (attack.file.as_str(), target.as_str(), verdict, feedback)
        })
        .buffer_unordered(3)
        .collect()
        .await;

    let passed: Vec<String> = results
        .iter()
        .filter(|(_, _, verdict, _)| *verdict == Verdict::Passed)
        .map(|(file, target, _, feedback)| format!("{file} on {target}: {feedback:?}"))
        .collect();
    assert!(passed.is_empty(), "judged passed:\n{}", passed.join("\n"));
    // Each run was judged from a report, not lost to a fault of ours.
    for (file, target, verdict, feedback) in &results {
        assert_ne!(
            *verdict,
            Verdict::InternalError,
            "{file} on {target}: {feedback:?}"
        );
    }
    eprintln!(
        "{} attacks, {} runs, none judged passed",
        attacks.len(),
        results.len()
    );
}
