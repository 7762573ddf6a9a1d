//! The benchmark `scripts/bench-lti.sh` runs (ignored by the suite): for
//! ROUNDS learners (30 by default), each new to the platform, launched from
//! the LMS (PyPI's lti1p3platform, `testkit/lms`):
//!
//! - `launch`: in Chromium, from pressing the LMS's button (the form post of
//!   the third-party login) to the assignment's title on the learner's page:
//!   the login, the platform's authorisation, the launch, the landing page,
//!   the learner's page and its first reads;
//! - `chain`: the same exchanges without a browser (plain HTTP), the
//!   server's part of that;
//! - `passback`: the learner's pass graded (`graded_at`) to the score landing
//!   in the LMS (its `received_at`), with the outbox looked at every
//!   `LTI_SEND_INTERVAL_MS` as configured by default (1 s).
//!
//! Writes one line per measurement to `BENCH_OUT`.

mod chromium;
mod lms;

use std::io::Write;
use std::time::{Duration, Instant};

use chromium::{solution, wait_for, Browser};
use lms::{press, stack_in_lms};
use serde_json::{json, Value};
use testkit::lms::Lms;
use testkit::TestEnv;

fn record(line: &str) {
    let path = std::env::var("BENCH_OUT").expect("BENCH_OUT names the results file");
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    writeln!(f, "{line}").unwrap();
}

/// The launch's exchanges over plain HTTP, as a browser makes them; the
/// learner's token.
async fn chain(http: &reqwest::Client, lms: &Lms, query: &str) -> String {
    let to_tool = http
        .get(lms.url(&format!("/launch?{query}")))
        .send()
        .await
        .unwrap();
    let login = http
        .get(to_tool.headers()["location"].to_str().unwrap())
        .send()
        .await
        .unwrap();
    let cookie = login.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let form = http
        .get(login.headers()["location"].to_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let field = |name: &str| {
        let at = form.find(&format!("name=\"{name}\"")).unwrap();
        let start = at + form[at..].find("value=\"").unwrap() + 7;
        form[start..start + form[start..].find('"').unwrap()].to_owned()
    };
    let action = {
        let start = form.find("action=\"").unwrap() + 8;
        form[start..start + form[start..].find('"').unwrap()].to_owned()
    };
    let landing = http
        .post(action)
        .header("cookie", cookie)
        .form(&[("id_token", field("id_token")), ("state", field("state"))])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = landing.find("data-value=\"").unwrap() + 12;
    landing[start..start + landing[start..].find('"').unwrap()].to_owned()
}

#[tokio::test]
#[ignore = "a benchmark: scripts/bench-lti.sh"]
async fn bench_launch_and_passback() {
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(30);
    let env = TestEnv::new().await;
    let lms = Lms::start("codeplatform").await;
    let stack = stack_in_lms(&env, &lms, Duration::from_secs(1)).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let b = Browser::open().await;
    let c = &b.c;
    let code = solution("greeting");
    let id: i64 = stack
        .api
        .ctx
        .pool
        .get()
        .await
        .unwrap()
        .query_one(
            "SELECT id::bigint AS id FROM assignments WHERE slug = 'greeting'",
            &[],
        )
        .await
        .unwrap()
        .get("id");
    // One warm-up of each, not recorded.
    chain(
        &http,
        &lms,
        "user=warm-0&assignment=greeting&resource_link=warm",
    )
    .await;
    for i in 0..=rounds {
        let user = format!("learner-{i}");
        c.goto(&lms.url(&format!(
            "/course?user={user}&assignment=greeting&resource_link=rl-{i}"
        )))
        .await
        .unwrap();
        let started = Instant::now();
        press(c, "#open-tool").await;
        wait_for(c, "#assignment-title", "Hello, function", 30).await;
        let launch = started.elapsed();
        let started = Instant::now();
        let token = chain(
            &http,
            &lms,
            &format!("user=http-{i}&assignment=greeting&resource_link=rl-{i}"),
        )
        .await;
        let chained = started.elapsed();
        if i > 0 {
            record(&format!("launch {}", launch.as_millis()));
            record(&format!("chain {}", chained.as_millis()));
        }
        // The HTTP learner passes; its score's way to the LMS is timed.
        let res = http
            .post(format!(
                "{}/api/assignments/{id}/submissions",
                stack.api_url
            ))
            .bearer_auth(&token)
            // Each learner's own code: a verdict reused would skip the grader.
            .json(&json!({ "code": format!("{code}\n# learner {i}\n") }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 202);
        let sid = res.json::<Value>().await.unwrap()["submission"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let deadline = Instant::now() + Duration::from_secs(60);
        let received = loop {
            let state: Value = http
                .get(lms.url("/_state"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let found = state["scores"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["userId"] == format!("http-{i}"))
                .map(|s| s["received_at"].as_f64().unwrap());
            if let Some(at) = found {
                break at;
            }
            assert!(Instant::now() < deadline, "no score for http-{i}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let graded: f64 = stack
            .api
            .ctx
            .pool
            .get()
            .await
            .unwrap()
            .query_one(
                "SELECT extract(epoch FROM graded_at)::float8 AS at FROM submissions WHERE id = $1",
                &[&sid.parse::<uuid::Uuid>().unwrap()],
            )
            .await
            .unwrap()
            .get("at");
        if i > 0 {
            record(&format!(
                "passback {}",
                ((received - graded) * 1000.0).round() as i64
            ));
        }
    }
    b.close().await;
}
