//! The benchmark `scripts/bench-hidden.sh` runs (ignored by the suite): does
//! anything a learner can time depend on what their code did inside a hidden
//! test? The coin-change reference is submitted as it is and as a copy that
//! sleeps 1.2 s (of the 1.5 s per-test limit) only on the hidden test's
//! input, alternating, each from a fresh learner; and, for what the padding
//! costs, the same reference to a twin assignment without hidden tests. For
//! each, what the learner sees: the verdict over the socket and over polling
//! (from the submit), `graded_at - created_at`, and `feedback.duration_ms`.
//! Writes one line per measurement to `BENCH_OUT`.

use std::time::{Duration, Instant};

use e2e::{repo, start_stack};
use futures::StreamExt;
use serde_json::{json, Value};
use testkit::TestEnv;

/// courses/intro/12-coin-change twice: as it is (one hidden test) and with
/// no hidden tests.
fn twin_course() -> (std::path::PathBuf, String) {
    let source = repo().join("courses/intro/12-coin-change");
    let root = std::env::temp_dir().join(format!("cp-timing-{}", uuid::Uuid::new_v4().simple()));
    let course = root.join("intro");
    std::fs::create_dir_all(&course).unwrap();
    std::fs::write(
        course.join("course.toml"),
        "title = \"Timing\"\njoin = \"open\"\n",
    )
    .unwrap();
    for (folder, hidden) in [("01-coins-hidden", true), ("02-coins-open", false)] {
        let to = course.join(folder);
        std::fs::create_dir_all(&to).unwrap();
        for f in [
            "starter.py",
            "solution.py",
            "test_solution.py",
            "handout.md",
        ] {
            std::fs::copy(source.join(f), to.join(f)).unwrap();
        }
        let toml = std::fs::read_to_string(source.join("assignment.toml")).unwrap();
        let toml: String = toml
            .lines()
            .filter(|l| hidden || !l.starts_with("hidden_tests"))
            .map(|l| format!("{l}\n"))
            .collect();
        std::fs::write(to.join("assignment.toml"), toml).unwrap();
    }
    let reference = std::fs::read_to_string(source.join("solution.py")).unwrap();
    (root, reference)
}

/// The reference, sleeping on the hidden test's amount (9999) alone.
fn sleeper(reference: &str) -> String {
    format!(
        "{reference}\n\nimport time as _time\n_honest = fewest_coins\n\n\
         def fewest_coins(coins, amount):\n    if amount == 9999:\n        _time.sleep(1.2)\n    \
         return _honest(coins, amount)\n"
    )
}

#[tokio::test]
#[ignore = "a benchmark: scripts/bench-hidden.sh"]
async fn bench_what_a_learner_can_time_of_a_hidden_test() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rounds: usize = std::env::var("ROUNDS").map_or(10, |n| n.parse().unwrap());
    let env = TestEnv::empty().await;
    let (root, reference) = twin_course();
    let stack = start_stack(&env, &root).await;
    let http = reqwest::Client::new();
    let hidden = e2e::assignment_id(&http, &stack.api_url, "coins-hidden").await;
    let open = e2e::assignment_id(&http, &stack.api_url, "coins-open").await;
    let sleeping = sleeper(&reference);
    let mut lines = Vec::new();
    // One warm-up round, then the rounds, alternating.
    for round in 0..=rounds {
        for (label, id, code) in [
            ("reference", hidden, &reference),
            ("sleeper", hidden, &sleeping),
            ("open", open, &reference),
        ] {
            // A fresh learner each time (one submission in flight, and the
            // per-learner rate), and unique code: no verdict is reused.
            let token = e2e::learner_token(&http, &stack.api_url).await;
            let (mut socket, _) =
                tokio_tungstenite::connect_async(format!("{}?token={token}", stack.ws_url))
                    .await
                    .unwrap();
            let code = format!("{code}\n# round {round}\n");
            let started = Instant::now();
            let res = http
                .post(format!(
                    "{}/api/assignments/{id}/submissions",
                    stack.api_url
                ))
                .bearer_auth(&token)
                .json(&json!({ "code": code }))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 202, "{label}");
            let sub: Value = res.json().await.unwrap();
            let sid = sub["submission"]["id"].as_str().unwrap().to_owned();
            let url = format!("{}/api/submissions/{sid}", stack.api_url);
            let socket_wait = async {
                loop {
                    let text = socket.next().await.unwrap().unwrap().into_text().unwrap();
                    let event: Value = serde_json::from_str(text.as_str()).unwrap();
                    let s = &event["submission"];
                    if s["id"] == sid.as_str() && s["verdict"].is_string() {
                        return started.elapsed();
                    }
                }
            };
            // The page's fallback: a poll every 20 ms.
            let poll_wait = async {
                loop {
                    let body: Value = http
                        .get(&url)
                        .bearer_auth(&token)
                        .send()
                        .await
                        .unwrap()
                        .json()
                        .await
                        .unwrap();
                    if body["submission"]["verdict"].is_string() {
                        return (started.elapsed(), body);
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            };
            let (by_socket, (by_poll, body)) =
                tokio::time::timeout(Duration::from_secs(60), async {
                    tokio::join!(socket_wait, poll_wait)
                })
                .await
                .unwrap();
            let s = &body["submission"];
            assert_eq!(s["verdict"], "passed", "{label}: {s}");
            let at = |field: &str| {
                chrono::DateTime::parse_from_rfc3339(s[field].as_str().unwrap()).unwrap()
            };
            let graded = (at("graded_at") - at("created_at")).num_milliseconds();
            if round > 0 {
                for (metric, ms) in [
                    ("socket", by_socket.as_millis() as i64),
                    ("poll", by_poll.as_millis() as i64),
                    ("graded", graded),
                    ("duration", s["feedback"]["duration_ms"].as_i64().unwrap()),
                ] {
                    lines.push(format!("{label} {metric} {ms}"));
                }
            }
        }
    }
    let out = std::env::var("BENCH_OUT").unwrap_or_else(|_| "target/hidden-bench.txt".into());
    std::fs::write(&out, lines.join("\n") + "\n").unwrap();
    let _ = std::fs::remove_dir_all(&root);
}
