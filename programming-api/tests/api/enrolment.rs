//! Joining courses: an open course takes anyone (a first submission
//! enrols); a join-code course shows and takes work only from learners who
//! joined with its code, and guessing the code is limited.

use reqwest::StatusCode;
use serde_json::{json, Value};
use service::rate::Rate;
use testkit::TestEnv;

use crate::course::two_courses;
use crate::helpers::{config, error_code, Learner, TestApp};
use crate::staff::{add_staff, sign_in, PASSWORD};

async fn join(app: &TestApp, learner: &Learner, course: &str, body: Value) -> reqwest::Response {
    app.http
        .post(app.url(&format!("/api/courses/{course}/join")))
        .bearer_auth(&learner.token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn spawn(join_limit: Option<Rate>) -> (TestApp, std::path::PathBuf) {
    let root = two_courses();
    let env = TestEnv::empty().await;
    let mut config = config(&env);
    config.courses_dir = root.clone();
    if let Some(rate) = join_limit {
        config.join_per_learner = rate;
    }
    (TestApp::start(env, config).await, root)
}

async fn course_ids(app: &TestApp, course: &str, learner: Option<&Learner>) -> reqwest::Response {
    app.get(&format!("/api/courses/{course}/assignments"), learner)
        .await
}

async fn enrolled(app: &TestApp, learner: &Learner) -> Vec<String> {
    let client = app.ctx.pool.get().await.unwrap();
    client
        .query(
            "SELECT c.slug FROM enrolments e JOIN courses c ON c.id = e.course_id
             WHERE e.user_id = $1 ORDER BY c.slug",
            &[&learner.id],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("slug"))
        .collect()
}

#[tokio::test]
async fn a_join_code_course_is_closed_until_the_learner_joins_with_its_code() {
    let (app, root) = spawn(None).await;
    let learner = app.learner().await;
    let cs1_id = app.ctx.catalog().by_slug("cs1").unwrap().id;
    let assignment: i32 = app
        .ctx
        .pool
        .get()
        .await
        .unwrap()
        .query_one(
            "SELECT id FROM assignments WHERE course_id = $1",
            &[&cs1_id],
        )
        .await
        .unwrap()
        .get("id");

    // Before joining: nothing of the course, and nothing stored.
    assert_eq!(
        course_ids(&app, "cs1", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let res = course_ids(&app, "cs1", Some(&learner)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(res).await, "not_enrolled");
    let res = app
        .get(&format!("/api/assignments/{assignment}"), Some(&learner))
        .await;
    assert_eq!(error_code(res).await, "not_enrolled");
    let res = app.submit(&learner, assignment, "x = 1").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(res).await, "not_enrolled");

    // The state machine holds the rule by itself too, whatever a replica's
    // catalog knows.
    let refused = app
        .ctx
        .submissions
        .create(
            learner.id,
            assignment,
            "x = 1",
            i64::MAX,
            0,
            chrono::Utc::now(),
        )
        .await;
    assert!(
        matches!(
            refused,
            Err(store::work::submissions::CreateError::NotEnrolled)
        ),
        "a non-member's submission was taken"
    );
    for body in [json!({}), json!({"code": "tulip-41"}), json!({"code": ""})] {
        let res = join(&app, &learner, "cs1", body.clone()).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{body}");
        assert_eq!(error_code(res).await, "wrong_join_code");
    }
    assert!(enrolled(&app, &learner).await.is_empty());

    let res = join(&app, &learner, "cs1", json!({"code": "tulip-42"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(enrolled(&app, &learner).await, ["cs1"]);
    assert_eq!(
        course_ids(&app, "cs1", Some(&learner)).await.status(),
        StatusCode::OK
    );
    let res = app.submit(&learner, assignment, "x = 1").await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);

    // The course's staff read it too; another learner still cannot.
    assert!(add_staff(&app, "cs1", "tutor", "tom", PASSWORD).0);
    let session: Value = sign_in(&app, "tom", PASSWORD).await.json().await.unwrap();
    let res = app
        .http
        .get(app.url("/api/courses/cs1/assignments"))
        .bearer_auth(session["token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let stranger = app.learner().await;
    let res = course_ids(&app, "cs1", Some(&stranger)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    std::fs::remove_dir_all(&root).unwrap();
}

#[tokio::test]
async fn an_open_course_takes_anyone_and_a_first_submission_enrols() {
    let (app, root) = spawn(None).await;
    let learner = app.learner().await;
    assert_eq!(
        course_ids(&app, "intro", None).await.status(),
        StatusCode::OK
    );
    let id = app.first_assignment().await;
    let res = app.submit(&learner, id, "x = 1").await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    assert_eq!(enrolled(&app, &learner).await, ["intro"]);
    // Joining an open course needs no code.
    let other = app.learner().await;
    let res = join(&app, &other, "intro", json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(enrolled(&app, &other).await, ["intro"]);
    let res = join(&app, &other, "nope", json!({})).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    std::fs::remove_dir_all(&root).unwrap();
}

#[tokio::test]
async fn guessing_a_join_code_is_limited() {
    let three = Rate {
        count: 3,
        per: std::time::Duration::from_secs(3600),
    };
    let (app, root) = spawn(Some(three)).await;
    let guesser = app.learner().await;
    for guess in ["aaaaaa", "bbbbbb", "cccccc"] {
        let res = join(&app, &guesser, "cs1", json!({ "code": guess })).await;
        assert_eq!(error_code(res).await, "wrong_join_code", "{guess}");
    }
    let res = join(&app, &guesser, "cs1", json!({"code": "tulip-42"})).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
    assert_eq!(error_code(res).await, "too_many_attempts");
    assert!(enrolled(&app, &guesser).await.is_empty());
    std::fs::remove_dir_all(&root).unwrap();
}
