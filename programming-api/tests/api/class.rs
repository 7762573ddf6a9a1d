//! The live class view's snapshot: for the course's own staff only, with the
//! pass counts, the learners stuck after the course's `stuck_after` failures
//! in a row, and the latest submissions, named as their learners chose.

use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::TestEnv;

use crate::course::two_courses;
use crate::gradebook::{graded, profile, token};
use crate::helpers::{config, TestApp};
use crate::staff::get_as;

#[tokio::test]
async fn the_class_view_counts_passes_and_finds_the_stuck_for_its_own_staff_only() {
    let root = two_courses();
    std::fs::write(
        root.join("intro/course.toml"),
        "title = \"Intro\"\njoin = \"open\"\nstuck_after = 2\n",
    )
    .unwrap();
    let env = TestEnv::empty().await;
    let mut config = config(&env);
    config.courses_dir = root;
    let app = TestApp::start(env, config).await;
    let ids = app.assignment_ids().await;
    let (a, b) = (ids[0], ids[1]);
    let (stuck, once, recovered) = (
        app.learner().await,
        app.learner().await,
        app.learner().await,
    );
    let res = profile(
        &app,
        &stuck,
        json!({"display_name": "Sam", "student_number": "s1"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    graded(&app, &stuck, a, "x = 1", &["test_a"]).await;
    graded(&app, &stuck, a, "x = 2", &["test_a"]).await;
    graded(&app, &stuck, b, "x = 3", &[]).await;
    graded(&app, &once, a, "x = 4", &["test_a"]).await;
    graded(&app, &recovered, a, "x = 5", &["test_a"]).await;
    graded(&app, &recovered, a, "x = 6", &["test_b"]).await;
    graded(&app, &recovered, a, "x = 7", &[]).await;

    let tutor = token(&app, "intro", "tutor", "tess").await;
    let other = token(&app, "cs1", "instructor", "olga").await;
    let path = "/api/courses/intro/class";
    assert_eq!(
        get_as(&app, path, &other).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(path, Some(&stuck)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/courses/nope/class", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get_as(&app, "/api/courses/nope/class", &tutor)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let res = get_as(&app, path, &tutor).await;
    assert_eq!(res.status(), StatusCode::OK);
    let view: Value = res.json().await.unwrap();

    assert_eq!(view["course"]["slug"], "intro");
    assert!(view["course"]["id"].as_i64().unwrap() > 0);
    assert_eq!(view["stuck_after"], 2);
    let on = |id: i32| {
        view["assignments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(
        (on(a)["tried"].as_i64(), on(a)["passed"].as_i64()),
        (Some(3), Some(1))
    );
    assert_eq!(
        (on(b)["tried"].as_i64(), on(b)["passed"].as_i64()),
        (Some(1), Some(1))
    );
    // Two failures in a row on `a` and no pass: stuck. One failure is not
    // enough, and a pass after two ends it.
    let stuck_list = view["stuck"].as_array().unwrap();
    assert_eq!(stuck_list.len(), 1, "{stuck_list:?}");
    assert_eq!(stuck_list[0]["user_id"], stuck.id.to_string());
    assert_eq!(stuck_list[0]["display_name"], "Sam");
    assert_eq!(stuck_list[0]["assignment_id"], a);
    assert_eq!(stuck_list[0]["failed"], 2);
    let recent = view["recent"].as_array().unwrap();
    assert_eq!(recent.len(), 7);
    assert_eq!(recent[0]["status"], "passed", "newest first");
    assert_eq!(recent[0]["user_id"], recovered.id.to_string());
    assert!(
        recent.iter().all(|r| r.get("code").is_none()),
        "no code in the list"
    );
    assert!(recent
        .iter()
        .any(|r| r["display_name"] == "Sam" && r["verdict"] == "wrong_answer"));
}
