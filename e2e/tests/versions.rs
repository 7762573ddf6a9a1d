//! A course version published without a rebuild or a restart, checked by
//! a real grader in the Docker sandbox: a version whose reference fails is
//! rejected naming the assignment; a good one goes live on two API
//! replicas at once; a submission keeps the version it was graded against;
//! the earlier version is made live again. The instructor's test files run
//! only in the sandbox, never in the API.

use std::path::Path;
use std::time::Duration;

use e2e::{learner_token, repo, start_stack};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use testkit::{eventually, TestEnv};

async fn instructor(stack: &e2e::Stack) -> String {
    e2e::staff_token(stack, service::token::Role::Instructor, "ada").await
}

async fn publish(http: &Client, api: &str, token: &str, archive: Vec<u8>) -> i64 {
    let res = http
        .post(format!("{api}/api/courses/intro/versions"))
        .bearer_auth(token)
        .header("content-type", "application/gzip")
        .body(archive)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    res.json::<Value>().await.unwrap()["version"]
        .as_i64()
        .unwrap()
}

/// The version's state once its check ended.
async fn checked(http: &Client, api: &str, token: &str, version: i64) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        let state: Value = http
            .get(format!("{api}/api/courses/intro/versions/{version}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if state["status"] != "checking" {
            return state;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "version {version} still checking: {state}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn titles(http: &Client, api: &str) -> Vec<String> {
    let list: Value = http
        .get(format!("{api}/api/courses/intro/assignments"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_owned())
        .collect()
}

/// The course with only its first two assignments, `change` made to them.
fn two_assignments(change: impl FnOnce(&Path)) -> Vec<u8> {
    e2e::course_archive(2, change)
}

async fn submit_greeting(http: &Client, api: &str, learner: &str) -> String {
    let assignments: Value = http
        .get(format!("{api}/api/assignments"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = assignments[0]["id"].as_i64().unwrap();
    let code =
        std::fs::read_to_string(repo().join("courses/intro/01-greeting/solution.py")).unwrap();
    let created: Value = http
        .post(format!("{api}/api/assignments/{id}/submissions"))
        .bearer_auth(learner)
        .json(&json!({"code": code}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let submission = created["submission"]["id"].as_str().unwrap().to_owned();
    let graded = eventually(Duration::from_secs(60), || async {
        let s: Value = http
            .get(format!("{api}/api/submissions/{submission}"))
            .bearer_auth(learner)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        s["submission"]["status"] == "passed" || s["status"] == "passed"
    })
    .await;
    assert!(graded, "the greeting's reference did not pass");
    submission
}

#[tokio::test]
async fn a_version_is_checked_in_the_sandbox_goes_live_on_two_replicas_and_rolls_back() {
    let env = TestEnv::new().await;
    let stack = start_stack(&env, &repo().join("courses")).await;
    let mut second_config = programming_api::testing::config(&env);
    second_config.catalog_follow = Duration::from_millis(500);
    let second = programming_api::testing::Api::start(second_config).await;
    let replicas = [stack.api_url.clone(), format!("http://{}", second.addr)];
    let http = Client::new();
    let ada = instructor(&stack).await;
    let api = &stack.api_url;
    let learner = learner_token(&http, api).await;
    let before = submit_greeting(&http, api, &learner).await;

    // The attack: a test file that acts when it is imported. Listing it
    // the way the image's own courses are listed (python3 on this machine)
    // runs it here…
    let marker = std::env::temp_dir().join(format!("cp-version-{}", uuid::Uuid::new_v4()));
    let hostile = format!(
        "open({:?}, 'w').write('ran on the host')\n",
        marker.display().to_string()
    );
    let tests =
        std::fs::read_to_string(repo().join("courses/intro/02-temperature/test_solution.py"))
            .unwrap();
    let hostile_tests = hostile + &tests;
    courseload::listers::python::list(&[&hostile_tests]).unwrap();
    assert!(
        marker.exists(),
        "the naive path runs an instructor's file here"
    );
    std::fs::remove_file(&marker).unwrap();

    // …so a published version's files run only in the sandbox. This one
    // also has a reference that fails and a starter that passes.
    let rejected = publish(
        &http,
        api,
        &ada,
        two_assignments(|dir| {
            std::fs::write(
                dir.join("01-greeting/solution.py"),
                "def greet(name):\n    return 'Hi'\n",
            )
            .unwrap();
            std::fs::copy(
                dir.join("02-temperature/solution.py"),
                dir.join("02-temperature/starter.py"),
            )
            .unwrap();
            std::fs::write(dir.join("02-temperature/test_solution.py"), &hostile_tests).unwrap();
        }),
    )
    .await;
    let state = checked(&http, api, &ada, rejected).await;
    assert_eq!(state["status"], "rejected", "{state}");
    let reasons: Vec<&str> = state["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(
        reasons[0].starts_with("greeting: the reference solution (solution.py) does not pass"),
        "{reasons:?}"
    );
    assert!(
        reasons[1].starts_with("temperature: the starter (starter.py) passes every test"),
        "{reasons:?}"
    );
    assert!(
        !marker.exists(),
        "an instructor's file ran outside the sandbox"
    );
    for replica in &replicas {
        assert_eq!(
            titles(&http, replica).await.len(),
            15,
            "nothing of it is served"
        );
    }

    // A good version: the greeting renamed, the rest of the course gone.
    let good = publish(
        &http,
        api,
        &ada,
        two_assignments(|dir| {
            let manifest = dir.join("01-greeting/assignment.toml");
            let text = std::fs::read_to_string(&manifest).unwrap();
            let renamed = text.replace("title = \"Hello, function\"", "title = \"Hello, version\"");
            assert_ne!(renamed, text);
            std::fs::write(&manifest, renamed).unwrap();
        }),
    )
    .await;
    let state = checked(&http, api, &ada, good).await;
    assert_eq!(state["status"], "live", "{state}");
    assert_eq!(state["current"], true);
    for replica in &replicas {
        let on_both = eventually(Duration::from_secs(5), || async {
            titles(&http, replica).await == ["Hello, version", "Celsius to Fahrenheit"]
        })
        .await;
        assert!(
            on_both,
            "{replica} serves {:?}",
            titles(&http, replica).await
        );
    }

    // Each submission keeps the version it was graded against.
    let after = submit_greeting(&http, api, &learner).await;
    let client = stack.api.ctx.pool.get().await.unwrap();
    for (submission, version) in [(&before, 1), (&after, good as i32)] {
        let row = client
            .query_one(
                "SELECT course_version FROM submissions WHERE id = $1::text::uuid",
                &[submission],
            )
            .await
            .unwrap();
        assert_eq!(row.get::<_, Option<i32>>("course_version"), Some(version));
    }

    // The image's version made live again, on both replicas.
    let res = http
        .post(format!("{api}/api/courses/intro/versions/1/live"))
        .bearer_auth(&ada)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    for replica in &replicas {
        let back = eventually(Duration::from_secs(5), || async {
            let titles = titles(&http, replica).await;
            titles.len() == 15 && titles[0] == "Hello, function"
        })
        .await;
        assert!(back, "{replica} serves {:?}", titles(&http, replica).await);
    }
    let res = http
        .post(format!("{api}/api/courses/intro/versions/{rejected}/live"))
        .bearer_auth(&ada)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    second.stop().await;
}

async fn regrade(http: &Client, api: &str, token: &str, body: Value) -> reqwest::Response {
    http.post(format!(
        "{api}/api/courses/intro/assignments/greeting/regrade"
    ))
    .bearer_auth(token)
    .json(&body)
    .send()
    .await
    .unwrap()
}

/// Starts a regrade and waits until every submission it queued is judged.
async fn regraded(http: &Client, api: &str, token: &str, scope: &str, points: &str) -> Value {
    let res = regrade(http, api, token, json!({"scope": scope, "points": points})).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let started: Value = res.json().await.unwrap();
    let id = started["regrade"].as_str().unwrap().to_owned();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let progress: Value = http
            .get(format!(
                "{api}/api/courses/intro/assignments/greeting/regrades/{id}"
            ))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(progress["total"], started["total"]);
        if progress["done"] == progress["total"] {
            return progress;
        }
        assert!(tokio::time::Instant::now() < deadline, "{progress}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn me(http: &Client, api: &str, learner: &str) -> Value {
    http.get(format!("{api}/api/me"))
        .bearer_auth(learner)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_regrade_judges_again_in_place_keeping_or_recomputing_points_and_says_why() {
    let env = TestEnv::new().await;
    let stack = start_stack(&env, &repo().join("courses")).await;
    let http = Client::new();
    let ada = instructor(&stack).await;
    let api = &stack.api_url;
    let (first, second) = (
        learner_token(&http, api).await,
        learner_token(&http, api).await,
    );
    // Both pass the greeting as version 1 tests it, keeping spaces.
    let passes = [
        submit_greeting(&http, api, &first).await,
        submit_greeting(&http, api, &second).await,
    ];
    // The first learner hands the same code in again (its verdict reused):
    // two of theirs to judge again under "all".
    let again = submit_greeting(&http, api, &first).await;
    assert_eq!(me(&http, api, &first).await["points"], 100);

    // The tests change: a name is greeted without its spaces.
    let version = publish(
        &http,
        api,
        &ada,
        two_assignments(|dir| {
            let tests = dir.join("01-greeting/test_solution.py");
            let mut text = std::fs::read_to_string(&tests).unwrap();
            text.push_str(
                "\n    def test_strips_spaces(self):\n        \"\"\"Greets a name without its spaces\"\"\"\n        self.assertEqual(greet(\"  Ada \"), \"Hello, Ada!\")\n",
            );
            std::fs::write(&tests, text).unwrap();
            std::fs::write(
                dir.join("01-greeting/solution.py"),
                "def greet(name):\n    return f\"Hello, {name.strip() or 'world'}!\"\n",
            )
            .unwrap();
        }),
    )
    .await;
    assert_eq!(checked(&http, api, &ada, version).await["status"], "live");

    // keep_earned: judged failed now, in place, their points kept.
    let kept = regraded(&http, api, &ada, "latest", "keep_earned").await;
    assert_eq!(
        (kept["total"].as_i64(), kept["changed"].as_i64()),
        (Some(2), Some(2))
    );
    assert_eq!(kept["points_changed"], 0);
    let submission: Value = http
        .get(format!("{api}/api/submissions/{again}"))
        .bearer_auth(&first)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let submission = &submission["submission"];
    assert_eq!(submission["status"], "failed", "{submission}");
    assert!(submission["feedback"]
        .to_string()
        .contains("without its spaces"));
    let standing = me(&http, api, &first).await;
    assert_eq!(standing["points"], 100);
    assert_eq!(standing["point_changes"], json!([]));

    // recompute: the points follow the verdicts, and the learner is told why.
    let recomputed = regraded(&http, api, &ada, "all", "recompute").await;
    assert_eq!(recomputed["total"], 3);
    assert_eq!(recomputed["points_changed"], 2);
    let standing = me(&http, api, &first).await;
    assert_eq!(standing["points"], 0);
    let change = &standing["point_changes"][0];
    assert_eq!(
        (change["old_points"].as_i64(), change["new_points"].as_i64()),
        (Some(100), Some(0))
    );
    assert!(
        change["reason"]
            .as_str()
            .unwrap()
            .contains(&format!("course version {version}")),
        "{change}"
    );
    // Each submission keeps its earlier verdicts in its history: the
    // latest one through both regrades, the earlier one through "all".
    let client = stack.api.ctx.pool.get().await.unwrap();
    for (submission, earlier) in [
        (&again, vec!["passed", "failed"]),
        (&passes[0], vec!["passed"]),
    ] {
        let history: Vec<String> = client
            .query(
                "SELECT status::text AS status FROM submission_history
                 WHERE submission_id = $1::text::uuid ORDER BY replaced_at",
                &[submission],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| r.get("status"))
            .collect();
        assert_eq!(history, earlier);
    }

    // What a regrade refuses.
    let bad = regrade(
        &http,
        api,
        &ada,
        json!({"scope": "some", "points": "recompute"}),
    )
    .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let unknown = http
        .post(format!(
            "{api}/api/courses/intro/assignments/nothing/regrade"
        ))
        .bearer_auth(&ada)
        .json(&json!({"scope": "all", "points": "recompute"}))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let learner = regrade(
        &http,
        api,
        &first,
        json!({"scope": "all", "points": "recompute"}),
    )
    .await;
    assert_eq!(learner.status(), StatusCode::UNAUTHORIZED);
}
