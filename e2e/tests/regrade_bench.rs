//! The benchmark `scripts/bench-regrade.sh` runs (ignored by the suite):
//! does a regrade slow a class down? A class of CLASS learners hands in the
//! greeting's reference, one every PACE_MS, first alone and then while a
//! regrade of REGRADE earlier submissions drains; for each submission, the
//! time from its submit to its verdict (polled every 20 ms), and how long
//! the regrade takes to drain. The earlier submissions are written as a
//! class's graded work (what the regrade re-judges; how they were graded
//! first is not what is measured). Writes one line per measurement to
//! `BENCH_OUT`.

use std::time::{Duration, Instant};

use e2e::{learner_token, repo, start_stack};
use serde_json::{json, Value};
use testkit::TestEnv;

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name).map_or(default, |v| v.parse().expect("a number"))
}

/// One class: `class` learners, one submitting every `pace`; each one's
/// submit-to-verdict time in ms.
async fn class_submits(
    api: &str,
    assignment: i64,
    code: &str,
    class: usize,
    pace: Duration,
) -> Vec<u128> {
    let http = reqwest::Client::new();
    let mut learners = Vec::new();
    for _ in 0..class {
        learners.push(learner_token(&http, api).await);
    }
    let mut waits = Vec::new();
    for (i, token) in learners.into_iter().enumerate() {
        let (http, api, code) = (http.clone(), api.to_owned(), code.to_owned());
        // Each hands in different code (a comment), so no verdict is reused.
        let code = format!("{code}\n# learner {i}\n");
        waits.push(tokio::spawn(async move {
            let started = Instant::now();
            let created: Value = http
                .post(format!("{api}/api/assignments/{assignment}/submissions"))
                .bearer_auth(&token)
                .json(&json!({ "code": code }))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let id = created["submission"]["id"].as_str().unwrap().to_owned();
            loop {
                let s: Value = http
                    .get(format!("{api}/api/submissions/{id}"))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                if !matches!(
                    s["submission"]["status"].as_str(),
                    Some("queued" | "grading")
                ) {
                    assert_eq!(s["submission"]["status"], "passed", "{s}");
                    return started.elapsed().as_millis();
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
        tokio::time::sleep(pace).await;
    }
    let mut out = Vec::new();
    for w in waits {
        out.push(w.await.unwrap());
    }
    out
}

#[tokio::test]
#[ignore = "a benchmark: scripts/bench-regrade.sh"]
async fn bench_a_regrade_beside_a_class() {
    let regrade_size = setting("REGRADE", 300);
    let class = setting("CLASS", 60);
    let pace = Duration::from_millis(setting("PACE_MS", 500) as u64);
    let env = TestEnv::new().await;
    let stack = start_stack(&env, &repo().join("courses")).await;
    let api = stack.api_url.clone();
    let http = reqwest::Client::new();
    let assignment = e2e::first_assignment(&http, &api).await as i64;
    let code =
        std::fs::read_to_string(repo().join("courses/intro/01-greeting/solution.py")).unwrap();

    // A class's earlier work: REGRADE learners, each with a graded pass.
    let client = stack.api.ctx.pool.get().await.unwrap();
    client
        // raw write: fixtures, as a class's graded work (what a regrade takes).
        .execute(
            "WITH made AS (
                 INSERT INTO users (id) SELECT gen_random_uuid() FROM generate_series(1, $1)
                 RETURNING id),
             passed AS (
             INSERT INTO submissions (id, user_id, assignment_id, code, code_hash,
                                      assignment_hash, status, verdict, feedback, graded_at)
             SELECT gen_random_uuid(), m.id, a.id, $3 || '# ' || m.id, md5(m.id::text),
                    a.content_hash, 'passed', 'passed',
                    '{\"summary\": \"All 4 tests passed.\", \"tests\": [], \"stdout\": \"\",
                      \"stderr\": \"\", \"duration_ms\": 7}'::jsonb, now()
             FROM made m, assignments a WHERE a.id = $2
             RETURNING id, user_id, assignment_id),
         earned AS (
             -- raw write: each fixture's pass earned its points.
             INSERT INTO completions (user_id, assignment_id, submission_id, points, attempt)
             SELECT user_id, assignment_id, id, 100, 1 FROM passed)
         SELECT count(*) FROM passed",
            &[&(regrade_size as i32), &(assignment as i32), &code],
        )
        .await
        .unwrap();

    let mut lines = Vec::new();
    let alone = class_submits(&api, assignment, &code, class, pace).await;
    lines.extend(alone.iter().map(|ms| format!("alone {ms}")));

    let token = e2e::staff_token(&stack, service::token::Role::Instructor, "ada").await;
    let started = Instant::now();
    let regrade: Value = http
        .post(format!(
            "{api}/api/courses/intro/assignments/greeting/regrade"
        ))
        .bearer_auth(&token)
        .json(&json!({"scope": "all", "points": "keep_earned"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = regrade["regrade"].as_str().unwrap().to_owned();
    let drained = {
        let (http, api, token) = (http.clone(), api.clone(), token.clone());
        tokio::spawn(async move {
            loop {
                let p: Value = http
                    .get(format!(
                        "{api}/api/courses/intro/assignments/greeting/regrades/{id}"
                    ))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                if p["done"] == p["total"] {
                    return (started.elapsed().as_millis(), p);
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let during = class_submits(&api, assignment, &code, class, pace).await;
    let class_done = started.elapsed().as_millis();
    lines.extend(during.iter().map(|ms| format!("during {ms}")));
    let (drain_ms, progress) = drained.await.unwrap();
    // The class's first phase is graded work too: the regrade takes it.
    let total = progress["total"].as_i64().unwrap();
    assert_eq!(total, (regrade_size + class) as i64, "{progress}");
    assert_eq!(progress["points_changed"], 0, "{progress}");
    lines.push(format!("drain {drain_ms}"));
    lines.push(format!("regraded {total}"));
    lines.push(format!("class_window {class_done}"));
    if let Ok(out) = std::env::var("BENCH_OUT") {
        std::fs::write(out, lines.join("\n") + "\n").unwrap();
    }
    println!("{}", lines.join("\n"));
}
