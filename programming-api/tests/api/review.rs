//! Staff read any submission of their course, hidden tests' details
//! included; learners still never see those details.

use domain::verdict::Verdict;
use domain::work::WorkRef;
use domain::work::{Feedback, TestOutcome};
use reqwest::StatusCode;
use serde_json::Value;
use testkit::TestEnv;
use uuid::Uuid;

use crate::course::two_courses;
use crate::helpers::{config, TestApp};
use crate::staff::{add_staff, get_as, sign_in, PASSWORD};

const SECRET: &str = "expected 4242 for the large amount";

#[tokio::test]
async fn staff_see_the_hidden_tests_a_learner_never_does() {
    let root = two_courses();
    let env = TestEnv::empty().await;
    let mut config = config(&env);
    config.courses_dir = root.clone();
    let app = TestApp::start(env, config).await;
    let assignment = app.first_assignment().await;
    let learner = app.learner().await;
    let res = app
        .submit(&learner, assignment, "def greet(n): return 1")
        .await;
    let body: Value = res.json().await.unwrap();
    let id: Uuid = body["submission"]["id"].as_str().unwrap().parse().unwrap();
    let shown = TestOutcome {
        title: None,
        detail: None,
        name: "Hidden test 1".into(),
        passed: false,
        message: "This hidden test failed: wrong answer.".into(),
        verdict: Some(Verdict::WrongAnswer),
        hidden: true,
        skipped: false,
    };
    let secret = TestOutcome {
        title: None,
        detail: None,
        name: "test_large_amount".into(),
        message: SECRET.into(),
        ..shown.clone()
    };
    let feedback = Feedback {
        summary: "1 of 1 failed".into(),
        tests: vec![shown],
        ..Default::default()
    };
    app.finish_as_grader(
        WorkRef::submission(id),
        Verdict::WrongAnswer,
        &feedback,
        &[secret],
    )
    .await;

    // The learner's own read, and their list, carry none of it.
    for path in [
        format!("/api/submissions/{id}"),
        format!("/api/assignments/{assignment}/submissions"),
    ] {
        let text = app.get(&path, Some(&learner)).await.text().await.unwrap();
        assert!(text.contains("Hidden test 1"), "{text}");
        assert!(
            !text.contains("4242") && !text.contains("test_large_amount"),
            "{path}: {text}"
        );
    }

    assert!(add_staff(&app, "intro", "tutor", "tom", PASSWORD).0);
    assert!(add_staff(&app, "cs1", "instructor", "cid", PASSWORD).0);
    let token = |name: &'static str| {
        let app = &app;
        async move {
            let session: Value = sign_in(app, name, PASSWORD).await.json().await.unwrap();
            session["token"].as_str().unwrap().to_owned()
        }
    };
    let (tom, cid) = (token("tom").await, token("cid").await);
    let path = format!("/api/courses/intro/submissions/{id}");
    let res = get_as(&app, &path, &tom).await;
    assert_eq!(res.status(), StatusCode::OK);
    let review: Value = res.json().await.unwrap();
    assert_eq!(review["submission"]["code"], "def greet(n): return 1");
    assert_eq!(review["user_id"], learner.id.to_string());
    assert_eq!(review["hidden_tests"][0]["name"], "test_large_amount");
    assert_eq!(review["hidden_tests"][0]["message"], SECRET);

    // Staff of another course, the wrong course in the path, a learner: nothing.
    assert_eq!(
        get_as(&app, &path, &cid).await.status(),
        StatusCode::NOT_FOUND
    );
    let elsewhere = format!("/api/courses/cs1/submissions/{id}");
    assert_eq!(
        get_as(&app, &elsewhere, &cid).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&path, Some(&learner)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let unknown = format!("/api/courses/intro/submissions/{}", Uuid::new_v4());
    assert_eq!(
        get_as(&app, &unknown, &tom).await.status(),
        StatusCode::NOT_FOUND
    );

    // A verdict reused for the same code keeps its hidden details for staff.
    let other = app.learner().await;
    let res = app
        .submit(&other, assignment, "def greet(n): return 1")
        .await;
    assert_eq!(res.status(), StatusCode::OK, "reused");
    let body: Value = res.json().await.unwrap();
    assert!(!body.to_string().contains("4242"));
    let reused = body["submission"]["id"].as_str().unwrap();
    let review: Value = get_as(
        &app,
        &format!("/api/courses/intro/submissions/{reused}"),
        &tom,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(review["hidden_tests"][0]["message"], SECRET);
    std::fs::remove_dir_all(&root).unwrap();
}
