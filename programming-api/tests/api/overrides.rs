//! An instructor's manual points with a reason: they change the learner's
//! points and the gradebook's, are listed, are shown to the learner with
//! the reason, and removing one restores what the work earned.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::gradebook::token;
use crate::helpers::{error_code, Learner, TestApp};
use crate::staff::get_as;

async fn points(app: &TestApp, learner: &Learner) -> (i64, Value) {
    let me: Value = app
        .get("/api/me", Some(learner))
        .await
        .json()
        .await
        .unwrap();
    (me["points"].as_i64().unwrap(), me["point_changes"].clone())
}

#[tokio::test]
async fn an_override_and_its_removal_change_the_points_and_are_listed() {
    let app = TestApp::spawn().await;
    let ada = token(&app, "intro", "instructor", "ada").await;
    let tom = token(&app, "intro", "tutor", "tom").await;
    let learner = app.learner().await;
    let [first, second, ..] = app.assignment_ids().await[..] else {
        panic!("two assignments")
    };
    let passed: Value = app
        .submit(&learner, first, "x = 1")
        .await
        .json()
        .await
        .unwrap();
    app.grade(passed["submission"]["id"].as_str().unwrap(), "passed")
        .await;
    assert_eq!(points(&app, &learner).await.0, 100);

    let put = |token: String, assignment: i32, body: Value| {
        let url = app.url(&format!(
            "/api/courses/intro/overrides/{}/{assignment}",
            learner.id
        ));
        let http = app.http.clone();
        async move {
            http.put(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    // A pass lowered for copied work, and points for one never passed.
    let res = put(
        ada.clone(),
        first,
        json!({"points": 40, "reason": "Parts were copied from a classmate."}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = put(
        ada.clone(),
        second,
        json!({"points": 70, "reason": "Accepted by email while the platform was down."}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let (total, changes) = points(&app, &learner).await;
    assert_eq!(total, 110);
    // Points set by hand count, and mark nothing passed that was not.
    let me: Value = app
        .get("/api/me", Some(&learner))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["completed"], json!([first]));
    assert_eq!(changes[0]["new_points"], 70);
    assert_eq!(changes[1]["old_points"], 100);
    assert!(changes[1]["reason"]
        .as_str()
        .unwrap()
        .ends_with("to 40: Parts were copied from a classmate."));
    let book: Value = get_as(&app, "/api/courses/intro/gradebook", &tom)
        .await
        .json()
        .await
        .unwrap();
    let row = book["learners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["user_id"] == learner.id.to_string())
        .unwrap();
    assert_eq!(row["points"], 110);
    let listed: Value = get_as(&app, "/api/courses/intro/overrides", &tom)
        .await
        .json()
        .await
        .unwrap();
    let listed: Vec<(i64, i64)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["assignment_id"].as_i64().unwrap(),
                o["points"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(listed, [(first as i64, 40), (second as i64, 70)]);

    // Removing them restores what the work earned: the pass, and nothing.
    let delete = |assignment: i32| {
        app.http
            .delete(app.url(&format!(
                "/api/courses/intro/overrides/{}/{assignment}",
                learner.id
            )))
            .bearer_auth(&ada)
            .send()
    };
    assert_eq!(
        delete(first).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        delete(second).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    let (total, changes) = points(&app, &learner).await;
    assert_eq!(total, 100);
    assert_eq!(
        (
            changes[0]["old_points"].as_i64(),
            changes[0]["new_points"].as_i64()
        ),
        (Some(70), Some(0))
    );
    assert_eq!(delete(first).await.unwrap().status(), StatusCode::NOT_FOUND);

    // Refusals: a tutor, points out of range, no reason, a learner not in
    // the course, a bad id.
    let res = put(tom.clone(), first, json!({"points": 50, "reason": "x"})).await;
    assert_eq!(error_code(res).await, "instructor_only");
    for body in [
        json!({"points": 101, "reason": "too many"}),
        json!({"points": 50, "reason": "   "}),
        json!({"points": 50}),
    ] {
        let res = put(ada.clone(), first, body).await;
        assert!(res.status().is_client_error(), "{}", res.status());
    }
    let stranger = app.learner().await;
    let res = app
        .http
        .put(app.url(&format!(
            "/api/courses/intro/overrides/{}/{first}",
            stranger.id
        )))
        .bearer_auth(&ada)
        .json(&json!({"points": 50, "reason": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app
        .http
        .put(app.url(&format!("/api/courses/intro/overrides/nobody/{first}")))
        .bearer_auth(&ada)
        .json(&json!({"points": 50, "reason": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(res).await, "invalid_id");
}
