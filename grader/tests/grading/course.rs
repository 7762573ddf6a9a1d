use courseload::assignments::{load_course, repository_course_dir};
use domain::verdict::Verdict;
use futures::StreamExt;

use grader::sandbox::{Limits, TestSuite};

use crate::helpers::{docker_sandbox, grade_as};

#[tokio::test]
async fn every_reference_solution_passes_and_every_starter_fails_in_docker() {
    let sandbox = docker_sandbox().await;
    let course = load_course(&repository_course_dir()).unwrap();
    let runs = course
        .iter()
        .flat_map(|a| [(a, &a.solution_code, true), (a, &a.starter_code, false)]);
    let results: Vec<_> = futures::stream::iter(runs)
        .map(|(a, code, should_pass)| {
            let sandbox = &sandbox;
            // The assignment as the grader gets it: its listed ids, hidden
            // tests and limits.
            let (tests, limits) = (TestSuite::of(a), Limits::of(a));
            async move {
                (
                    a.slug.clone(),
                    should_pass,
                    grade_as(sandbox, a.runner, code, &tests, limits).await,
                )
            }
        })
        .buffer_unordered(3)
        .collect()
        .await;

    for (slug, should_pass, (verdict, feedback)) in results {
        if should_pass {
            assert_eq!(
                verdict,
                Verdict::Passed,
                "{slug}: reference solution: {feedback:?}"
            );
        } else {
            assert_ne!(verdict, Verdict::Passed, "{slug}: the starter passes");
            assert!(
                matches!(verdict, Verdict::WrongAnswer | Verdict::RuntimeError),
                "{slug}: starter got {verdict:?}: {feedback:?}"
            );
            assert!(
                feedback.tests.iter().any(|t| !t.passed),
                "{slug}: no failing test named"
            );
        }
    }
}
