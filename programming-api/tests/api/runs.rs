//! Practice runs ("Run tests") through the API: accepted onto a stream of
//! their own, read by their learner alone, limited per learner, no
//! submission, attempt or point; and a run the stream lost is pushed again.

use domain::work::{WorkKind, WorkRef};
use std::time::Duration;

use domain::verdict::Verdict;
use domain::work::Feedback;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use testkit::TestEnv;

use crate::helpers::{config, error_code, eventually, Learner, TestApp};

async fn run(app: &TestApp, learner: Option<&Learner>, assignment: &str, body: Value) -> Response {
    let mut req = app
        .http
        .post(app.url(&format!("/api/assignments/{assignment}/runs")))
        .json(&body);
    if let Some(l) = learner {
        req = req.bearer_auth(&l.token);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn a_run_is_its_learners_alone_and_is_no_submission() {
    let app = TestApp::spawn().await;
    let (alice, bob) = (app.learner().await, app.learner().await);
    let a = app.first_assignment().await.to_string();

    let res = run(
        &app,
        Some(&alice),
        &a,
        json!({"code": "def greet(name):\n    return name\n"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let body: Value = res.json().await.unwrap();
    let id = body["run"]["id"].as_str().unwrap().to_owned();
    assert_eq!(body["run"]["status"], "queued");
    assert_eq!(body["run"]["assignment_id"].to_string(), a);
    assert!(body["run"].get("code").is_none(), "{body}");

    let mine = app.get(&format!("/api/runs/{id}"), Some(&alice)).await;
    assert_eq!(mine.status(), StatusCode::OK);
    assert_eq!(
        mine.json::<Value>().await.unwrap()["run"]["id"],
        id.as_str()
    );
    let theirs = app.get(&format!("/api/runs/{id}"), Some(&bob)).await;
    assert_eq!(theirs.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_code(theirs).await, "not_found");
    let anonymous = app.get(&format!("/api/runs/{id}"), None).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let bad = app.get("/api/runs/not-a-uuid", Some(&alice)).await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(bad).await, "invalid_id");

    // On the runs' stream, not in a graded lane.
    let uuid = id.parse().unwrap();
    assert!(app
        .jobs()
        .in_streams(WorkKind::PracticeRun)
        .await
        .unwrap()
        .contains(&uuid));
    assert!(!app.stream_ids().await.contains(&uuid));

    // Done as a grader ends it: the learner reads the outcome, and nothing
    // of their record moved.
    let feedback = Feedback {
        summary: "1 of 4 tests failed".into(),
        ..Default::default()
    };
    app.finish_as_grader(
        WorkRef::practice_run(uuid),
        Verdict::WrongAnswer,
        &feedback,
        &[],
    )
    .await;
    let done: Value = read_run(&app, &alice, &id).await;
    assert_eq!(done["run"]["status"], "done");
    assert_eq!(done["run"]["verdict"], "wrong_answer");
    assert_eq!(done["run"]["feedback"]["summary"], "1 of 4 tests failed");
    let submissions: Vec<Value> = app
        .get(&format!("/api/assignments/{a}/submissions"), Some(&alice))
        .await
        .json()
        .await
        .unwrap();
    assert!(submissions.is_empty());
    let me: Value = app.get("/api/me", Some(&alice)).await.json().await.unwrap();
    assert_eq!(me["points"], 0, "{me}");
    let client = app.ctx.pool.get().await.unwrap();
    let attempts: i64 = client
        .query_one(
            "SELECT count(*) AS n FROM attempts WHERE user_id = $1",
            &[&alice.id],
        )
        .await
        .unwrap()
        .get("n");
    assert_eq!(attempts, 0, "a run uses no attempt");
}

/// One of `learner`'s runs, as the API serves it.
async fn read_run(app: &TestApp, learner: &Learner, id: &impl std::fmt::Display) -> Value {
    app.get(&format!("/api/runs/{id}"), Some(learner))
        .await
        .json()
        .await
        .unwrap()
}

/// Ends a run as a grader would.
async fn finish(app: &TestApp, id: uuid::Uuid) {
    app.finish_as_grader(
        WorkRef::practice_run(id),
        Verdict::Passed,
        &Feedback::default(),
        &[],
    )
    .await;
}

#[tokio::test]
async fn one_run_waits_at_a_time_and_one_waiting_too_long_ends_unrun() {
    let app = TestApp::spawn().await;
    let learner = app.learner().await;
    let a = app.first_assignment().await.to_string();
    let first = run(&app, Some(&learner), &a, json!({"code": "x = 1"})).await;
    assert_eq!(first.status(), StatusCode::ACCEPTED);
    let id: uuid::Uuid = first.json::<Value>().await.unwrap()["run"]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let second = run(&app, Some(&learner), &a, json!({"code": "x = 2"})).await;
    assert_eq!(second.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(second).await, "already_grading");

    let client = app.ctx.pool.get().await.unwrap();
    // raw write: as if the graders had been busy with graded work for 11
    // minutes (no transition moves a run's creation time).
    client
        .execute(
            "UPDATE runs SET created_at = now() - interval '11 minutes' WHERE id = $1",
            &[&id],
        )
        .await
        .unwrap();
    let ended = eventually(Duration::from_secs(10), || async {
        let body: Value = read_run(&app, &learner, &id).await;
        body["run"]["status"] == "done"
    })
    .await;
    assert!(ended, "the reconciler did not end the waiting run");
    let body: Value = read_run(&app, &learner, &id).await;
    assert_eq!(body["run"]["verdict"], "internal_error");
    assert!(
        body["run"]["feedback"]["summary"]
            .as_str()
            .unwrap()
            .contains("busy"),
        "{body}"
    );
    let again = run(&app, Some(&learner), &a, json!({"code": "x = 3"})).await;
    assert_eq!(
        again.status(),
        StatusCode::ACCEPTED,
        "the learner may run again"
    );
}

#[tokio::test]
async fn runs_are_limited_per_learner_and_bad_input_gets_clear_errors() {
    let env = TestEnv::empty().await;
    let mut config = config(&env);
    config.runs_per_learner = "3/min".parse().unwrap();
    let app = TestApp::start(env, config).await;
    let (alice, bob) = (app.learner().await, app.learner().await);
    let a = app.first_assignment().await.to_string();
    let code = json!({"code": "print(1)\n"});

    for _ in 0..3 {
        let res = run(&app, Some(&alice), &a, code.clone()).await;
        assert_eq!(res.status(), StatusCode::ACCEPTED);
        let id = res.json::<Value>().await.unwrap()["run"]["id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        finish(&app, id).await;
    }
    let limited = run(&app, Some(&alice), &a, code.clone()).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=20).contains(&wait), "Retry-After {wait}");
    assert_eq!(error_code(limited).await, "rate_limited");
    // Someone else's allowance is their own.
    assert_eq!(
        run(&app, Some(&bob), &a, code.clone()).await.status(),
        StatusCode::ACCEPTED
    );

    let carol = app.learner().await;
    for (assignment, body, learner, status, expected) in [
        (
            "999999",
            code.clone(),
            Some(&carol),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            "abc",
            code.clone(),
            Some(&carol),
            StatusCode::BAD_REQUEST,
            "invalid_id",
        ),
        (
            a.as_str(),
            json!({}),
            Some(&carol),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            a.as_str(),
            json!({"code": "x\u{0}"}),
            Some(&carol),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_code",
        ),
        (
            a.as_str(),
            code.clone(),
            None,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
    ] {
        let res = run(&app, learner, assignment, body.clone()).await;
        assert_eq!(res.status(), status, "{assignment} {body}");
        assert_eq!(error_code(res).await, expected, "{assignment} {body}");
    }
    let big = json!({"code": "#".repeat(65 * 1024)});
    let res = run(&app, Some(&carol), &a, big).await;
    assert!(res.status().is_client_error(), "{}", res.status());
    assert_eq!(error_code(res).await, "code_too_large");
}

#[tokio::test]
async fn a_run_the_stream_lost_is_pushed_again() {
    let app = TestApp::spawn().await;
    let learner = app.learner().await;
    let a = app.first_assignment().await.to_string();
    let res = run(&app, Some(&learner), &a, json!({"code": "print(2)\n"})).await;
    let id = res.json::<Value>().await.unwrap()["run"]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    // As if Redis lost its data.
    let mut conn = app.ctx.redis.clone();
    let _: () = redis::cmd("DEL")
        .arg(app.ctx.names.runs_stream())
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(!app
        .jobs()
        .in_streams(WorkKind::PracticeRun)
        .await
        .unwrap()
        .contains(&id));

    let pushed = eventually(Duration::from_secs(10), || async {
        app.jobs()
            .in_streams(WorkKind::PracticeRun)
            .await
            .unwrap()
            .contains(&id)
    })
    .await;
    assert!(pushed, "the reconciler did not push the run again");
}
