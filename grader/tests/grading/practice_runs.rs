//! Practice runs ("Run tests") through a real grader: the visible tests
//! alone, nothing of the learner's record touched, and never ahead of
//! graded work.

use std::time::Duration;

use domain::verdict::Verdict;
use domain::work::PracticeRunStatus;
use testkit::{eventually, TestEnv};
use uuid::Uuid;

use crate::helpers::{config, final_state, source, submit, Running};

/// A new learner, and the id of the assignment `slug`.
async fn learner_and_assignment(env: &TestEnv, slug: &str) -> (Uuid, i32) {
    let client = env.pool.get().await.unwrap();
    let user = Uuid::new_v4();
    client
        .execute("INSERT INTO users (id) VALUES ($1)", &[&user])
        .await
        .unwrap();
    let id = client
        .query_one("SELECT id FROM assignments WHERE slug = $1", &[&slug])
        .await
        .unwrap()
        .get("id");
    (user, id)
}

async fn runs_in(env: &TestEnv, status: &str) -> i64 {
    let client = env.pool.get().await.unwrap();
    client
        .query_one(
            "SELECT count(*) AS n FROM runs WHERE status = $1",
            &[&status],
        )
        .await
        .unwrap()
        .get("n")
}

/// Passes every visible test of coin change and never ends on the hidden
/// one's input: if a run ran the hidden test, it would end in the time
/// limit instead of passing.
const STALLS_ON_THE_HIDDEN_INPUT: &str = "
def fewest_coins(coins, amount):
    if amount == 9999:
        while True:
            pass
    best = [0] + [None] * amount
    for total in range(1, amount + 1):
        options = [best[total - c] for c in coins if c <= total and best[total - c] is not None]
        best[total] = min(options) + 1 if options else None
    return -1 if best[amount] is None else best[amount]
";

#[tokio::test]
async fn a_run_tries_the_visible_tests_alone_and_changes_nothing_of_the_learners() {
    let env = TestEnv::new().await;
    let grader = Running::start(config(&env, &format!("g-{}", Uuid::new_v4().simple()))).await;
    let (user, assignment) = learner_and_assignment(&env, "coin-change").await;
    let runs = env.practice_runs().await;

    let run = runs
        .create(
            user,
            assignment,
            STALLS_ON_THE_HIDDEN_INPUT,
            i64::MAX,
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    assert_eq!(run.status, PracticeRunStatus::Queued);
    assert!(
        eventually(Duration::from_secs(30), || async {
            runs.get(user, run.id).await.unwrap().unwrap().status == PracticeRunStatus::Done
        })
        .await,
        "the run never ended"
    );
    let done = runs.get(user, run.id).await.unwrap().unwrap();
    // The same code as a graded submission meets the hidden test and stalls.
    let (_, graded) = submit(&env, "coin-change", STALLS_ON_THE_HIDDEN_INPUT).await;
    let (_, verdict, _) = final_state(&env, graded, Duration::from_secs(30)).await;
    grader.stop().await;

    let feedback = done.feedback.expect("a done run has feedback");
    assert_eq!(done.verdict, Some(Verdict::Passed), "{feedback:?}");
    let names: Vec<&str> = feedback.tests.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names.len(), 4, "{names:?}");
    assert!(
        !names.iter().any(|n| n.contains("large_amount"))
            && feedback.tests.iter().all(|t| !t.hidden),
        "a hidden test reached the run: {names:?}"
    );
    assert_eq!(
        verdict.as_deref(),
        Some("time_limit"),
        "the control: graded, the hidden test runs and stalls"
    );
    let client = env.pool.get().await.unwrap();
    let (submissions, attempts, completions): (i64, i64, i64) = {
        let row = client
            .query_one(
                "SELECT (SELECT count(*) FROM submissions WHERE user_id = $1) AS submissions,
                        (SELECT count(*) FROM attempts WHERE user_id = $1) AS attempts,
                        (SELECT count(*) FROM completions WHERE user_id = $1) AS completions",
                &[&user],
            )
            .await
            .unwrap();
        (
            row.get("submissions"),
            row.get("attempts"),
            row.get("completions"),
        )
    };
    assert_eq!(
        (submissions, attempts, completions),
        (0, 0, 0),
        "a run is no submission, uses no attempt and earns nothing"
    );
}

/// A greeting that passes and takes about `secs` in all.
fn slow_greeting(secs: f32, salt: usize) -> String {
    format!(
        "import time\n{}\n_greet = greet\n\ndef greet(name):\n    time.sleep({secs} / 4)\n    return _greet(name)\n# {salt}\n",
        source("greeting", "solution")
    )
}

#[tokio::test]
async fn a_backlog_of_runs_does_not_hold_graded_submissions_back() {
    let env = TestEnv::new().await;
    let grader = Running::start(config(&env, &format!("g-{}", Uuid::new_v4().simple()))).await;
    let runs = env.practice_runs().await;
    const BACKLOG: i64 = 16;
    // Sixteen learners: each may have one run waiting.
    for i in 0..BACKLOG {
        let (user, assignment) = learner_and_assignment(&env, "greeting").await;
        runs.create(
            user,
            assignment,
            &slow_greeting(1.0, i as usize),
            i64::MAX,
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    }
    // The class bursts while the graders are busy with runs.
    assert!(
        eventually(Duration::from_secs(20), || async {
            runs_in(&env, "running").await > 0
        })
        .await
    );
    let mut submissions = Vec::new();
    for i in 0..6 {
        submissions.push(
            submit(&env, "greeting", &slow_greeting(0.2, 100 + i))
                .await
                .1,
        );
    }
    for id in &submissions {
        let (status, _, _) = final_state(&env, *id, Duration::from_secs(60)).await;
        assert_eq!(status, "passed");
    }
    let runs_done = runs_in(&env, "done").await;
    let runs_waiting = runs_in(&env, "queued").await;
    grader.stop().await;

    // Two grader slots: the runs in hand when the burst came finish, and
    // then every submission goes before any waiting run. Taken in turn
    // instead, half the backlog would be done by now; first come, first
    // served, all of it.
    assert!(
        runs_done <= 4,
        "{runs_done} runs were done before the last of 6 submissions"
    );
    assert!(
        runs_waiting >= BACKLOG - 6,
        "{runs_waiting} runs still wait"
    );
}
