//! Starting a regrade, without a grader: what it queues and where, what it
//! refuses, and that a learner's own work is never told to wait behind it.
//! Its grading is `e2e/tests/versions.rs`.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::gradebook::token;
use crate::helpers::{error_code, TestApp};
use crate::staff::get_as;

#[tokio::test]
async fn a_regrade_queues_below_learners_and_refuses_what_it_cannot_do() {
    let app = TestApp::spawn().await;
    let ada = token(&app, "intro", "instructor", "ada").await;
    let tom = token(&app, "intro", "tutor", "tom").await;
    let first = app.first_assignment().await;
    let earlier = app.learner().await;
    let passed: Value = app
        .submit(&earlier, first, "x = 1")
        .await
        .json()
        .await
        .unwrap();
    let passed = passed["submission"]["id"].as_str().unwrap().to_owned();
    app.grade(&passed, "passed").await;

    let regrade = |token: String, body: Value| {
        let (http, url) = (
            app.http.clone(),
            app.url("/api/courses/intro/assignments/greeting/regrade"),
        );
        async move {
            http.post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let res = regrade(tom.clone(), json!({"scope": "all", "points": "recompute"})).await;
    assert_eq!(error_code(res).await, "instructor_only");
    let res = regrade(
        ada.clone(),
        json!({"scope": "every", "points": "recompute"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = regrade(ada.clone(), json!({"scope": "all", "points": "recompute"})).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let started: Value = res.json().await.unwrap();
    assert_eq!(started["total"], 1);
    // Queued again, in the regrade stream, its verdict in its history.
    assert_eq!(
        app.count(
            "SELECT count(*) AS n FROM submissions
             WHERE status = 'queued' AND lane = -1 AND regrade_id IS NOT NULL",
            &[]
        )
        .await,
        1
    );
    assert_eq!(
        app.count("SELECT count(*) AS n FROM submission_history", &[])
            .await,
        1
    );
    // A learner handing in now is told nothing waits ahead of them.
    let now = app.learner().await;
    let mine: Value = app.submit(&now, first, "y = 2").await.json().await.unwrap();
    let id = mine["submission"]["id"].as_str().unwrap();
    let mine: Value = app
        .get(&format!("/api/submissions/{id}"), Some(&now))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["ahead"], 0, "{mine}");
    // Its progress, for staff; a bad id and another's are refused.
    let progress: Value = app
        .http
        .get(app.url(&format!(
            "/api/courses/intro/assignments/greeting/regrades/{}",
            started["regrade"].as_str().unwrap()
        )))
        .bearer_auth(&tom)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (progress["total"].as_i64(), progress["done"].as_i64()),
        (Some(1), Some(0))
    );
    let bad = get_as(
        &app,
        "/api/courses/intro/assignments/greeting/regrades/nope",
        &tom,
    )
    .await;
    assert_eq!(error_code(bad).await, "invalid_id");
}
