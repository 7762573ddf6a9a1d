use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{error_code, TestApp};

#[tokio::test]
async fn a_new_learner_starts_with_no_points_at_the_first_assignment() {
    let app = TestApp::spawn().await;
    let learner = app.learner().await;

    let res = app.get("/api/me", Some(&learner)).await;

    assert_eq!(res.status(), StatusCode::OK);
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["user_id"], learner.id.to_string());
    assert_eq!(me["points"], 0);
    assert_eq!(me["completed"], serde_json::json!([]));
    assert_eq!(me["next_assignment_id"], app.first_assignment().await);
}

#[tokio::test]
async fn a_pass_earns_100_points_once_and_moves_next_on() {
    let app = TestApp::spawn().await;
    let learner = app.learner().await;
    let ids = app.assignment_ids().await;
    for code in ["first try", "second try"] {
        let s: Value = app
            .submit(&learner, ids[0], code)
            .await
            .json()
            .await
            .unwrap();
        app.grade(s["submission"]["id"].as_str().unwrap(), "passed")
            .await;
    }

    let me: Value = app
        .get("/api/me", Some(&learner))
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(
        me["points"], 100,
        "two passes of one assignment earn once: {me}"
    );
    assert_eq!(me["completed"], serde_json::json!([ids[0]]));
    assert_eq!(me["next_assignment_id"], ids[1]);
}

#[tokio::test]
async fn every_route_that_needs_a_token_refuses_requests_without_a_valid_one() {
    let app = TestApp::spawn().await;
    let learner = app.learner().await;
    let a = app.first_assignment().await;
    let s: Value = app.submit(&learner, a, "x = 1").await.json().await.unwrap();
    let sid = s["submission"]["id"].as_str().unwrap().to_owned();
    let foreign = service::token::TokenSigner::new(&[9u8; 32])
        .unwrap()
        .sign(learner.id);
    let (uuid_part, _) = learner.token.split_once('.').unwrap();
    let other = uuid::Uuid::new_v4();
    let tampered = learner.token.replacen(uuid_part, &other.to_string(), 1);
    let routes = [
        (reqwest::Method::GET, "/api/me".to_owned()),
        (
            reqwest::Method::POST,
            format!("/api/assignments/{a}/submissions"),
        ),
        (
            reqwest::Method::GET,
            format!("/api/assignments/{a}/submissions"),
        ),
        (reqwest::Method::GET, format!("/api/submissions/{sid}")),
        (reqwest::Method::DELETE, format!("/api/submissions/{sid}")),
    ];
    let headers: [Option<String>; 6] = [
        None,
        Some(String::new()),
        Some(format!("Bearer {foreign}")),
        Some(format!("Bearer {tampered}")),
        Some(learner.token.clone()),
        Some("Bearer ".to_owned()),
    ];

    for (method, path) in &routes {
        for header in &headers {
            let mut req = app.http.request(method.clone(), app.url(path));
            if let Some(h) = header {
                req = req.header("authorization", h);
            }
            if *method == reqwest::Method::POST {
                req = req.json(&serde_json::json!({"code": "y = 2"}));
            }
            let res = req.send().await.unwrap();
            assert_eq!(
                res.status(),
                StatusCode::UNAUTHORIZED,
                "{method} {path} with {header:?}"
            );
            assert_eq!(error_code(res).await, "unauthorized");
        }
    }
    // Nothing was written by the refused requests.
    let client = app.ctx.pool.get().await.unwrap();
    let n: i64 = client
        .query_one("SELECT count(*) AS n FROM submissions", &[])
        .await
        .unwrap()
        .get("n");
    assert_eq!(n, 1);
}

#[tokio::test]
async fn a_genuine_token_for_a_learner_the_database_lost_is_401_unknown_user() {
    let app = TestApp::spawn().await;
    let ghost = service::token::TokenSigner::new(testkit::TEST_SECRET)
        .unwrap()
        .sign(uuid::Uuid::new_v4());

    let res = app
        .http
        .get(app.url("/api/me"))
        .bearer_auth(&ghost)
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(res).await, "unknown_user");
}
