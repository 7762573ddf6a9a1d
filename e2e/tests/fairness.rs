//! Fair grading, end to end: 30 learners from one address each submit a
//! program that loops until its time limit; a learner from another address
//! then submits, and gets a verdict within about two job durations instead
//! of after the whole backlog. Nothing is lost, and every job is graded
//! exactly once.

use std::net::IpAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use e2e::start_stack;
use serde_json::Value;
use testkit::TestEnv;

/// One assignment whose looping submissions end quickly (0.5 s).
fn write_course(dir: &Path) {
    let a = dir.join("01-answer");
    std::fs::create_dir_all(&a).unwrap();
    for (file, text) in [
        (
            "assignment.toml",
            "title = \"The answer\"\ntime_limit_ms = 500\nmemory_limit_mb = 128\n",
        ),
        ("handout.md", "Return 42.\n"),
        ("starter.py", "def answer():\n    pass\n"),
        ("solution.py", "def answer():\n    return 42\n"),
        (
            "test_solution.py",
            "import unittest\nfrom solution import answer\n\nclass T(unittest.TestCase):\n    \
             def test_answer(self):\n        self.assertEqual(answer(), 42)\n",
        ),
    ] {
        std::fs::write(a.join(file), text).unwrap();
    }
}

/// An HTTP client whose connections come from `from`.
fn client_from(from: IpAddr) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(from)
        .build()
        .unwrap()
}

async fn submit(http: &reqwest::Client, api: &str, token: &str, code: &str) -> String {
    let res = http
        .post(format!("{api}/api/assignments/1/submissions"))
        .bearer_auth(token)
        .json(&serde_json::json!({ "code": code }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let body: Value = res.json().await.unwrap();
    body["submission"]["id"].as_str().unwrap().to_owned()
}

async fn status(http: &reqwest::Client, api: &str, token: &str, id: &str) -> String {
    let body: Value = http
        .get(format!("{api}/api/submissions/{id}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["submission"]["status"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_flood_from_one_address_does_not_make_another_wait_for_it() {
    let env = TestEnv::empty().await;
    let course = std::env::temp_dir().join(format!("cp-fair-{}", uuid::Uuid::new_v4().simple()));
    write_course(&e2e::default_course_in(&course));
    let stack = start_stack(&env, &course).await;
    let api = stack.api_url.clone();
    let flooder = IpAddr::from([127, 0, 0, 1]);
    // Another loopback address in another lane (a shared lane would wait).
    let honest = (2..=254)
        .map(|i| IpAddr::from([127, 0, 0, i]))
        .find(|a| queue::jobs::lane_for(*a) != queue::jobs::lane_for(flooder))
        .unwrap();
    let (flood_http, honest_http) = (client_from(flooder), client_from(honest));

    let mut flood = Vec::new();
    for i in 0..30 {
        let token = e2e::learner_token(&flood_http, &api).await;
        let code = format!("# {i}\nwhile True:\n    pass\n");
        let id = submit(&flood_http, &api, &token, &code).await;
        flood.push((token, id));
    }
    let token = e2e::learner_token(&honest_http, &api).await;
    let started = Instant::now();
    let id = submit(&honest_http, &api, &token, "def answer():\n    return 42\n").await;
    let mut waited = None;
    while started.elapsed() < Duration::from_secs(60) {
        if status(&honest_http, &api, &token, &id).await == "passed" {
            waited = Some(started.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let waited = waited.expect("the honest learner got no verdict");
    let mut still_waiting = 0;
    for (token, id) in &flood {
        if matches!(
            status(&flood_http, &api, token, id).await.as_str(),
            "queued" | "grading"
        ) {
            still_waiting += 1;
        }
    }

    eprintln!("honest learner waited {waited:?}; {still_waiting} of the flood still waiting");
    // A looping job takes its 0.5 s limit plus a container's start; two
    // graders at once: the honest one waits for at most the two in hand.
    assert!(waited < Duration::from_secs(4), "waited {waited:?}");
    assert!(
        still_waiting >= 15,
        "only {still_waiting} of the flood left: it did not jump the queue"
    );
    // Nothing lost, each graded once: all 31 end final, with one attempt.
    let client = env.pool.get().await.unwrap();
    let drained = testkit::eventually(Duration::from_secs(90), || async {
        let left: i64 = client
            .query_one(
                "SELECT count(*) AS n FROM submissions WHERE status IN ('queued', 'grading')",
                &[],
            )
            .await
            .unwrap()
            .get("n");
        left == 0
    })
    .await;
    assert!(drained, "the backlog never drained");
    let row = client
        .query_one(
            "SELECT count(*) AS total, count(*) FILTER (WHERE attempts = 1) AS once,
                    count(*) FILTER (WHERE verdict = 'time_limit') AS looped FROM submissions",
            &[],
        )
        .await
        .unwrap();
    let (all, once, looped): (i64, i64, i64) =
        (row.get("total"), row.get("once"), row.get("looped"));
    assert_eq!((all, once, looped), (31, 31, 30));
    let _ = std::fs::remove_dir_all(&course);
}
