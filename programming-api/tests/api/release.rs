//! Release control: an assignment released after its due date holds each
//! learner's verdicts, feedback and points until their due date, set on the
//! API's clock, never slept through.

use chrono::{DateTime, Duration, Utc};
use domain::verdict::Verdict;
use domain::work::{Feedback, TestOutcome, WorkRef};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use testkit::TestEnv;

use crate::deadlines::{as_staff, scheduled_course};
use crate::helpers::{config, Learner, TestApp};

/// Far enough ahead that the grader's own clock (Postgres's `now()`) holds
/// results too, as it does when it tells the socket.
const DUE: &str = "2031-06-01T12:00:00Z";

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

async fn spawn() -> (TestApp, Vec<i32>) {
    let root = scheduled_course(&[
        (
            "01-exam",
            format!("due_at = {DUE}\nrelease = \"after_due\"\n"),
        ),
        (
            "02-checked",
            format!(
                "due_at = {DUE}\nrelease = \"after_due\"\nbefore_release = \"visible_tests\"\n"
            ),
        ),
        ("03-open", format!("due_at = {DUE}\n")),
    ]);
    let env = TestEnv::empty().await;
    let mut config = config(&env);
    config.courses_dir = root;
    let app = TestApp::start(env, config).await;
    let ids = app.assignment_ids().await;
    assert_eq!(ids.len(), 3);
    (app, ids)
}

/// A pass with one visible and one hidden test, and something printed.
fn feedback() -> Feedback {
    let test = |name: &str, hidden: bool| TestOutcome {
        name: name.into(),
        title: None,
        passed: true,
        message: String::new(),
        verdict: Some(Verdict::Passed),
        hidden,
        skipped: false,
        detail: None,
    };
    Feedback {
        summary: "2 of 2 tests passed".into(),
        tests: vec![
            test("test_greets_world", false),
            test("Hidden test 1", true),
        ],
        stdout: "the hidden input was 42\n".into(),
        stderr: String::new(),
        duration_ms: 37,
    }
}

/// Submits and grades a pass as a grader does; the submission's id and what
/// the grader would tell the learner's socket.
async fn passed(app: &TestApp, learner: &Learner, assignment: i32) -> (String, Option<Value>) {
    let res = app.submit(learner, assignment, "def greet(n): ...").await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let body: Value = res.json().await.unwrap();
    let id = body["submission"]["id"].as_str().unwrap().to_owned();
    let finished = app
        .finish_as_grader(
            WorkRef::submission(id.parse().unwrap()),
            Verdict::Passed,
            &feedback(),
            &[],
        )
        .await;
    let domain::work::WorkItem::Submission(submission) = finished.item else {
        panic!("a submission finishes as one");
    };
    let held = finished
        .hold
        .map(|h| serde_json::to_value(submission.as_learner_sees(Some(h))).unwrap());
    (id, held)
}

async fn read(app: &TestApp, learner: &Learner, path: &str) -> Value {
    let res = app.get(path, Some(learner)).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.json().await.unwrap()
}

#[tokio::test]
async fn after_due_holds_verdict_feedback_and_points_until_the_due_date() {
    let (app, ids) = spawn().await;
    let learner = app.learner().await;
    app.ctx.clock.set(at(DUE) - Duration::days(1));

    let detail = read(&app, &learner, &format!("/api/assignments/{}", ids[0])).await;
    assert_eq!(detail["release"], "after_due");
    assert_eq!(detail["before_release"], "received");
    let (exam, told) = passed(&app, &learner, ids[0]).await;
    let (open, _) = passed(&app, &learner, ids[2]).await;

    // What the socket would carry to the learner is held as the API's reads are.
    let told = told.expect("the grader's clock holds it too");
    assert_eq!(told["status"], "received");
    assert!(
        told["verdict"].is_null() && told["feedback"].is_null(),
        "{told}"
    );
    let sub = read(&app, &learner, &format!("/api/submissions/{exam}")).await;
    let held = &sub["submission"];
    assert_eq!(held["status"], "received", "{sub}");
    assert!(
        held["verdict"].is_null() && held["feedback"].is_null(),
        "{sub}"
    );
    assert_eq!(held["held_until"].as_str().map(at), Some(at(DUE)));
    let list = read(
        &app,
        &learner,
        &format!("/api/assignments/{}/submissions", ids[0]),
    )
    .await;
    assert_eq!(list[0]["status"], "received", "{list}");
    // The assignment released at once shows everything, and counts.
    let me = read(&app, &learner, "/api/me").await;
    assert_eq!(me["points"], 100, "{me}");
    assert_eq!(me["completed"], json!([ids[2]]));
    assert_eq!(me["next_assignment_id"], ids[0]);
    let sub = read(&app, &learner, &format!("/api/submissions/{open}")).await;
    assert_eq!(sub["submission"]["status"], "passed");
    // A test run would show the visible tests: refused, saying when.
    let res = app
        .http
        .post(app.url(&format!("/api/assignments/{}/runs", ids[0])))
        .bearer_auth(&learner.token)
        .json(&json!({"code": "x = 1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "results_held");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("2031-06-01T12:00:00"));
    // Staff see it whole meanwhile.
    let tutor = crate::gradebook::token(&app, "intro", "tutor", "theo").await;
    let gradebook: Value = as_staff(
        &app,
        Method::GET,
        "/api/courses/intro/gradebook",
        &tutor,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(gradebook.to_string().contains("\"passed\""), "{gradebook}");

    // At the due date everything appears, by itself.
    app.ctx.clock.set(at(DUE));
    let sub = read(&app, &learner, &format!("/api/submissions/{exam}")).await;
    assert_eq!(sub["submission"]["status"], "passed", "{sub}");
    assert_eq!(
        sub["submission"]["feedback"]["stdout"],
        "the hidden input was 42\n"
    );
    assert!(sub["submission"].get("held_until").is_none());
    let me = read(&app, &learner, "/api/me").await;
    assert_eq!(me["points"], 200, "{me}");
    assert_eq!(me["completed"], json!([ids[0], ids[2]]));
}

#[tokio::test]
async fn visible_tests_show_before_the_release_and_an_extension_moves_it() {
    let (app, ids) = spawn().await;
    let learner = app.learner().await;
    app.ctx.clock.set(at(DUE) - Duration::days(1));
    let (id, _) = passed(&app, &learner, ids[1]).await;

    let sub = read(&app, &learner, &format!("/api/submissions/{id}")).await;
    let held = &sub["submission"];
    assert_eq!(held["status"], "received", "{sub}");
    assert!(held["verdict"].is_null());
    let tests = held["feedback"]["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 1, "the hidden test is left out: {sub}");
    assert_eq!(tests[0]["name"], "test_greets_world");
    assert_eq!(
        held["feedback"]["stdout"], "",
        "printed under the hidden tests too"
    );
    assert_eq!(held["feedback"]["duration_ms"], 0);
    // Test runs are allowed: they show what is shown anyway.
    let res = app
        .http
        .post(app.url(&format!("/api/assignments/{}/runs", ids[1])))
        .bearer_auth(&learner.token)
        .json(&json!({"code": "x = 1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);

    // An extension holds this learner's results until their own due date.
    let instructor = crate::gradebook::token(&app, "intro", "instructor", "ines").await;
    let extended = at(DUE) + Duration::days(2);
    let path = format!("/api/courses/intro/extensions/{}/{}", learner.id, ids[1]);
    let res = as_staff(
        &app,
        Method::PUT,
        &path,
        &instructor,
        Some(json!({"due_at": extended})),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    app.ctx.clock.set(at(DUE) + Duration::days(1));
    let sub = read(&app, &learner, &format!("/api/submissions/{id}")).await;
    assert_eq!(sub["submission"]["status"], "received", "{sub}");
    assert_eq!(
        sub["submission"]["held_until"].as_str().map(at),
        Some(extended)
    );
    assert_eq!(read(&app, &learner, "/api/me").await["points"], 0);
    // Taken back, the assignment's own due date (past now) releases it.
    let session: Value = crate::staff::sign_in(&app, "ines", crate::staff::PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    let instructor = session["token"].as_str().unwrap();
    let res = as_staff(&app, Method::DELETE, &path, instructor, None).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let sub = read(&app, &learner, &format!("/api/submissions/{id}")).await;
    assert_eq!(sub["submission"]["status"], "passed", "{sub}");
    assert_eq!(read(&app, &learner, "/api/me").await["points"], 100);
}
