use domain::work::WorkRef;
use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

use crate::helpers::{error_code, TestApp};

fn id_of(v: &Value) -> String {
    v["submission"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_submission_is_stored_queued_and_pushed_onto_the_stream() {
    let app = TestApp::spawn().await;
    let learner = app.learner().await;
    let a = app.first_assignment().await;

    let res = app.submit(&learner, a, "def f():\n    return 1\n").await;

    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let body: Value = res.json().await.unwrap();
    let s = &body["submission"];
    assert_eq!(s["status"], "queued");
    assert_eq!(s["verdict"], Value::Null);
    assert_eq!(s["assignment_id"], a);
    assert_eq!(s["code"], "def f():\n    return 1\n");
    let id: Uuid = s["id"].as_str().unwrap().parse().unwrap();
    assert!(
        app.stream_ids().await.contains(&id),
        "job not in the stream"
    );
    let fetched: Value = app
        .get(&format!("/api/submissions/{id}"), Some(&learner))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(fetched["submission"], *s);
}

#[tokio::test]
async fn of_twenty_concurrent_submits_exactly_one_is_accepted() {
    let app = TestApp::spawn().await;
    let learner = app.learner().await;
    let a = app.first_assignment().await;

    let attempts = (0..20).map(|i| {
        let app = &app;
        let learner = &learner;
        async move { app.submit(learner, a, &format!("x = {i}")).await.status() }
    });
    let statuses = futures::future::join_all(attempts).await;

    let accepted = statuses.iter().filter(|s| s.is_success()).count();
    let conflicts = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((accepted, conflicts), (1, 19), "{statuses:?}");
    let client = app.ctx.pool.get().await.unwrap();
    let n: i64 = client
        .query_one(
            "SELECT count(*) AS n FROM submissions WHERE user_id = $1",
            &[&learner.id],
        )
        .await
        .unwrap()
        .get("n");
    assert_eq!(n, 1);
}

#[tokio::test]
async fn the_database_itself_refuses_a_second_submission_in_flight() {
    let app = TestApp::spawn().await;
    let learner = app.learner().await;
    let a = app.first_assignment().await;
    app.submit(&learner, a, "x = 1").await;
    let client = app.ctx.pool.get().await.unwrap();

    // raw write: straight to SQL, past every check the API and the state
    // machine make, to show the database itself holds the rule.
    let second = client
        .execute(
            "INSERT INTO submissions (id, user_id, assignment_id, code, code_hash, assignment_hash)
             VALUES ($1, $2, $3, 'y', 'h', 'h')",
            &[&Uuid::new_v4(), &learner.id, &a],
        )
        .await;

    let err = second.expect_err("the partial unique index must refuse it");
    assert_eq!(
        err.code(),
        Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION)
    );
}

#[tokio::test]
async fn a_second_submit_while_grading_gets_409_already_grading() {
    let app = TestApp::spawn().await;
    let learner = app.learner().await;
    let a = app.first_assignment().await;
    app.submit(&learner, a, "x = 1").await;

    let res = app.submit(&learner, a, "x = 2").await;

    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(res).await, "already_grading");
}

#[tokio::test]
async fn code_graded_before_is_answered_at_once_and_still_earns_the_completion() {
    let app = TestApp::spawn().await;
    let (first, second) = (app.learner().await, app.learner().await);
    let a = app.first_assignment().await;
    let code = "def answer():\n    return 42\n";
    let original: Value = app.submit(&first, a, code).await.json().await.unwrap();
    app.grade(&id_of(&original), "passed").await;
    let stream_before = app.stream_ids().await.len();

    let res = app.submit(&second, a, code).await;

    assert_eq!(res.status(), StatusCode::OK);
    let reused: Value = res.json().await.unwrap();
    assert_eq!(reused["submission"]["status"], "passed");
    assert_eq!(reused["submission"]["verdict"], "passed");
    assert_ne!(id_of(&reused), id_of(&original));
    assert_eq!(
        app.stream_ids().await.len(),
        stream_before,
        "a reused verdict must not be queued"
    );
    let me: Value = app
        .get("/api/me", Some(&second))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["points"], 100);
    assert_eq!(me["completed"], serde_json::json!([a]));
}

#[tokio::test]
async fn a_changed_test_or_an_error_verdict_is_never_reused() {
    let app = TestApp::spawn().await;
    let learner = app.learner().await;
    let a = app.first_assignment().await;
    let graded: Value = app
        .submit(&learner, a, "same code")
        .await
        .json()
        .await
        .unwrap();
    app.grade(&id_of(&graded), "wrong_answer").await;
    let errored: Value = app
        .submit(&learner, a, "other code")
        .await
        .json()
        .await
        .unwrap();
    app.grade(&id_of(&errored), "internal_error").await;
    let client = app.ctx.pool.get().await.unwrap();
    client
        .execute(
            "UPDATE assignments SET content_hash = 'changed' WHERE id = $1",
            &[&a],
        )
        .await
        .unwrap();

    let after_change = app.submit(&learner, a, "same code").await;
    assert_eq!(
        after_change.status(),
        StatusCode::ACCEPTED,
        "tests changed: must grade again"
    );
    let queued: Value = after_change.json().await.unwrap();
    app.grade(&id_of(&queued), "wrong_answer").await;

    let after_error = app.submit(&learner, a, "other code").await;
    assert_eq!(
        after_error.status(),
        StatusCode::ACCEPTED,
        "an error is never reused"
    );
    app.grade(&id_of(&after_error.json().await.unwrap()), "wrong_answer")
        .await;

    // A time limit can be a matter of load: the same code is graded again.
    let slow: Value = app
        .submit(&learner, a, "slow code")
        .await
        .json()
        .await
        .unwrap();
    app.grade(&id_of(&slow), "time_limit").await;
    let again = app.submit(&learner, a, "slow code").await;
    assert_eq!(
        again.status(),
        StatusCode::ACCEPTED,
        "a time limit is never reused"
    );
}

#[tokio::test]
async fn learners_never_see_or_delete_each_others_submissions() {
    let app = TestApp::spawn().await;
    let (owner, other) = (app.learner().await, app.learner().await);
    let a = app.first_assignment().await;
    let s: Value = app
        .submit(&owner, a, "mine = True")
        .await
        .json()
        .await
        .unwrap();
    let id = id_of(&s);
    app.grade(&id, "wrong_answer").await;

    let read = app
        .get(&format!("/api/submissions/{id}"), Some(&other))
        .await;
    let list: Vec<Value> = app
        .get(&format!("/api/assignments/{a}/submissions"), Some(&other))
        .await
        .json()
        .await
        .unwrap();
    let delete = app.delete(&other, &id).await;

    assert_eq!(read.status(), StatusCode::NOT_FOUND);
    assert!(list.is_empty(), "{list:?}");
    assert_eq!(delete.status(), StatusCode::NOT_FOUND);
    let still = app
        .get(&format!("/api/submissions/{id}"), Some(&owner))
        .await;
    assert_eq!(
        still.status(),
        StatusCode::OK,
        "the owner's submission survives"
    );
}

#[tokio::test]
async fn the_list_is_never_stale_after_a_submit_a_claim_a_verdict_or_a_delete() {
    let app = TestApp::spawn().await;
    let learner = app.learner().await;
    let a = app.first_assignment().await;
    let path = format!("/api/assignments/{a}/submissions");
    let list = || async {
        let v: Vec<Value> = app.get(&path, Some(&learner)).await.json().await.unwrap();
        v
    };
    assert!(list().await.is_empty());
    assert!(list().await.is_empty(), "second read, from the cache");

    let s: Value = app.submit(&learner, a, "v = 1").await.json().await.unwrap();
    let id = id_of(&s);
    let after_submit = list().await;
    assert_eq!(after_submit.len(), 1);
    assert_eq!(after_submit[0]["status"], "queued");
    assert_eq!(list().await[0]["status"], "queued", "from the cache");

    // A grader takes it: the list says so at once, not when it is done.
    let claimed = app
        .ctx
        .work
        .claim(WorkRef::submission(id.parse().unwrap()), false)
        .await
        .unwrap();
    assert!(claimed.is_some());
    assert_eq!(list().await[0]["status"], "grading");

    app.grade(&id, "wrong_answer").await;
    assert_eq!(list().await[0]["status"], "failed");

    let second: Value = app.submit(&learner, a, "v = 2").await.json().await.unwrap();
    let both = list().await;
    assert_eq!(both.len(), 2);
    assert_eq!(both[0]["id"], second["submission"]["id"], "newest first");

    assert_eq!(
        app.delete(&learner, &id).await.status(),
        StatusCode::NO_CONTENT
    );
    let after_delete = list().await;
    assert_eq!(after_delete.len(), 1);
    assert_ne!(after_delete[0]["id"], id.as_str());
}

#[tokio::test]
async fn a_submission_in_flight_cannot_be_deleted_and_a_deleted_one_is_gone() {
    let app = TestApp::spawn().await;
    let learner = app.learner().await;
    let a = app.first_assignment().await;
    let s: Value = app
        .submit(&learner, a, "pending = 1")
        .await
        .json()
        .await
        .unwrap();
    let id = id_of(&s);

    let while_queued = app.delete(&learner, &id).await;
    assert_eq!(while_queued.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(while_queued).await, "being_graded");

    app.grade(&id, "passed").await;
    assert_eq!(
        app.delete(&learner, &id).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.delete(&learner, &id).await.status(),
        StatusCode::NOT_FOUND
    );
    let me: Value = app
        .get("/api/me", Some(&learner))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        me["points"], 100,
        "points earned stay after the passing submission is deleted"
    );
}

/// What a read of the submission says of its place in the queue.
async fn ahead(app: &TestApp, (learner, id): &(crate::helpers::Learner, String)) -> Option<Value> {
    let body: Value = app
        .get(&format!("/api/submissions/{id}"), Some(learner))
        .await
        .json()
        .await
        .unwrap();
    body.get("ahead").cloned()
}

#[tokio::test]
async fn a_queued_submission_is_told_how_many_wait_before_it() {
    let app = TestApp::spawn().await;
    let a = app.first_assignment().await;
    let mut queued = Vec::new();
    for n in 0..3 {
        let learner = app.learner().await;
        let res = app.submit(&learner, a, &format!("x = {n}")).await;
        assert_eq!(res.status(), StatusCode::ACCEPTED);
        let body: Value = res.json().await.unwrap();
        queued.push((learner, id_of(&body)));
    }
    assert_eq!(ahead(&app, &queued[0]).await, Some(Value::from(0)));
    assert_eq!(ahead(&app, &queued[2]).await, Some(Value::from(2)));

    // The first is taken by a grader: the others move up, and one being
    // graded has no place in the queue.
    let first: Uuid = queued[0].1.parse().unwrap();
    app.ctx
        .work
        .claim(WorkRef::submission(first), false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ahead(&app, &queued[0]).await, None);
    assert_eq!(ahead(&app, &queued[2]).await, Some(Value::from(1)));
}
