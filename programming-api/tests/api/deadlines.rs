//! Deadlines, late policies and submission limits, enforced by the API. The
//! time is set on the API's clock, never slept through.

use chrono::{DateTime, Duration, Utc};
use courseload::assignments::repository_course_dir;
use domain::work::WorkRef;
use reqwest::StatusCode;
use serde_json::Value;
use testkit::TestEnv;

use crate::helpers::{config, error_code, Learner, TestApp};

const OPENS: &str = "2026-12-01T09:00:00Z";
const DUE: &str = "2026-12-08T23:59:00Z";

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// A course of the greeting assignment once per `(folder, schedule)`, each
/// schedule appended to its `assignment.toml`.
pub fn scheduled_course(schedules: &[(&str, String)]) -> std::path::PathBuf {
    let root = std::env::temp_dir().join(format!("cp-deadlines-{}", uuid::Uuid::new_v4()));
    let course = root.join("intro");
    std::fs::create_dir_all(&course).unwrap();
    std::fs::write(
        course.join("course.toml"),
        "title = \"Deadlines\"\njoin = \"open\"\n",
    )
    .unwrap();
    let greeting = repository_course_dir().join("01-greeting");
    for (folder, schedule) in schedules {
        let dir = course.join(folder);
        std::fs::create_dir_all(&dir).unwrap();
        for entry in std::fs::read_dir(&greeting).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
        }
        let manifest = dir.join("assignment.toml");
        let text = std::fs::read_to_string(&manifest).unwrap();
        std::fs::write(&manifest, format!("{text}{schedule}")).unwrap();
    }
    root
}

async fn spawn() -> (TestApp, std::path::PathBuf, Vec<i32>) {
    let root = scheduled_course(&[
        (
            "01-refused",
            format!("opens_at = {OPENS}\ndue_at = {DUE}\n"),
        ),
        ("02-marked", format!("due_at = {DUE}\nlate = \"mark\"\n")),
        (
            "03-penalised",
            format!("due_at = {DUE}\nlate = \"penalty\"\nlate_penalty_pct = 30\n"),
        ),
        ("04-limited", "max_submissions = 3\n".to_owned()),
    ]);
    let env = TestEnv::empty().await;
    let mut config = config(&env);
    config.courses_dir = root.clone();
    let app = TestApp::start(env, config).await;
    let ids = app.assignment_ids().await;
    assert_eq!(ids.len(), 4);
    (app, root, ids)
}

/// Submits and, when it was queued, grades it `verdict`; the submission.
async fn submit_graded(
    app: &TestApp,
    learner: &Learner,
    id: i32,
    code: &str,
    verdict: &str,
) -> Value {
    let res = app.submit(learner, id, code).await;
    assert!(res.status().is_success(), "{}", res.status());
    let body: Value = res.json().await.unwrap();
    let sub = &body["submission"];
    if sub["status"] == "queued" {
        app.grade(sub["id"].as_str().unwrap(), verdict).await;
    }
    sub.clone()
}

async fn points(app: &TestApp, learner: &Learner) -> i64 {
    let me: Value = app
        .get("/api/me", Some(learner))
        .await
        .json()
        .await
        .unwrap();
    me["points"].as_i64().unwrap()
}

async fn stored(app: &TestApp, learner: &Learner) -> i64 {
    let client = app.ctx.pool.get().await.unwrap();
    client
        .query_one(
            "SELECT count(*) AS n FROM submissions WHERE user_id = $1",
            &[&learner.id],
        )
        .await
        .unwrap()
        .get("n")
}

#[tokio::test]
async fn before_it_opens_and_after_it_is_due_a_refusing_assignment_stores_nothing() {
    let (app, root, ids) = spawn().await;
    let learner = app.learner().await;
    let detail: Value = app
        .get(&format!("/api/assignments/{}", ids[0]), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["due_at"].as_str().map(at), Some(at(DUE)), "{detail}");
    assert_eq!(detail["late_policy"], "refuse");

    app.ctx.clock.set(at(OPENS) - Duration::seconds(1));
    let res = app.submit(&learner, ids[0], "x = 1").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_open_yet");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("2026-12-01T09:00:00"));

    app.ctx.clock.set(at(OPENS));
    let sub = submit_graded(&app, &learner, ids[0], "x = 2", "wrong_answer").await;
    assert_eq!(sub["late"], false);

    app.ctx.clock.set(at(DUE) + Duration::seconds(1));
    let res = app.submit(&learner, ids[0], "x = 3").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(res).await, "past_due");
    // Even code whose verdict could be reused is refused once it is due.
    let res = app.submit(&learner, ids[0], "x = 2").await;
    assert_eq!(error_code(res).await, "past_due");
    assert_eq!(stored(&app, &learner).await, 1, "only the one on time");
    std::fs::remove_dir_all(&root).unwrap();
}

#[tokio::test]
async fn a_late_pass_earns_what_the_policy_says() {
    let (app, root, ids) = spawn().await;
    let (marked, penalised) = (ids[1], ids[2]);
    let on_time = app.learner().await;
    let late = app.learner().await;

    app.ctx.clock.set(at(DUE) - Duration::hours(1));
    let sub = submit_graded(&app, &on_time, penalised, "def greet(n): ...", "passed").await;
    assert_eq!(sub["late"], false);
    assert_eq!(points(&app, &on_time).await, 100, "a first pass on time");

    app.ctx.clock.set(at(DUE) + Duration::hours(1));
    // Under `mark`: accepted, marked late, full points.
    let sub = submit_graded(&app, &late, marked, "def greet(n): 1", "passed").await;
    assert_eq!(sub["late"], true);
    assert_eq!(points(&app, &late).await, 100);
    // Under `penalty` (30%), by the grader's finish and by a reused verdict alike.
    let graded = app.learner().await;
    let sub = submit_graded(&app, &graded, penalised, "def greet(n): 2", "passed").await;
    assert_eq!(
        (sub["late"].clone(), sub["status"].clone()),
        (true.into(), "queued".into())
    );
    assert_eq!(points(&app, &graded).await, 70);
    let res = app.submit(&late, penalised, "def greet(n): ...").await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the on-time pass's verdict is reused"
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["submission"]["late"], true);
    assert_eq!(points(&app, &late).await, 100 + 70);

    let client = app.ctx.pool.get().await.unwrap();
    let rows = client
        .query(
            "SELECT points, late FROM completions WHERE user_id = $1 ORDER BY assignment_id",
            &[&late.id],
        )
        .await
        .unwrap();
    let got: Vec<(i32, bool)> = rows
        .iter()
        .map(|r| (r.get("points"), r.get("late")))
        .collect();
    assert_eq!(got, [(100, true), (70, true)]);
    std::fs::remove_dir_all(&root).unwrap();
}

// Several worker threads, so the submits really overlap in Postgres.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_submission_limit_holds_after_deletes_and_under_concurrent_submits() {
    let (app, root, ids) = spawn().await;
    let limited = ids[3];
    let learner = app.learner().await;
    let mut last = Value::Null;
    for n in 0..3 {
        last = submit_graded(&app, &learner, limited, &format!("x = {n}"), "wrong_answer").await;
    }
    let res = app.submit(&learner, limited, "x = 9").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "submission_limit");
    assert!(
        body["error"]["message"].as_str().unwrap().contains('3'),
        "{body}"
    );
    // Deleting one gives no attempt back; our own failure does.
    let spare = app.learner().await;
    let res = app.submit(&spare, limited, "x = 'never graded'").await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let body: Value = res.json().await.unwrap();
    let id: uuid::Uuid = body["submission"]["id"].as_str().unwrap().parse().unwrap();
    app.ctx
        .work
        .give_up(WorkRef::submission(id), 3)
        .await
        .unwrap()
        .unwrap();
    let me: Value = app.get("/api/me", Some(&spare)).await.json().await.unwrap();
    assert_eq!(me["attempts"][limited.to_string()], 0, "given back: {me}");
    let res = app.delete(&learner, last["id"].as_str().unwrap()).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app.submit(&learner, limited, "x = 9").await;
    assert_eq!(error_code(res).await, "submission_limit");
    let me: Value = app
        .get("/api/me", Some(&learner))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["attempts"][limited.to_string()], 3, "{me}");

    // 12 submits at once (within the API's 16 connections) of code whose
    // verdict is reused, so none waits for a grader and none is refused as
    // in flight. The racer has used 1 of 3. A lock held on their attempts
    // row makes the submits overlap for certain: each checks the count in
    // its own snapshot (1 used) and then waits to record its attempt; when
    // the lock goes, exactly 2 may land, the check on the row failing the
    // others.
    let other = app.learner().await;
    let racer = app.learner().await;
    submit_graded(&app, &other, limited, "print('same')", "wrong_answer").await;
    let first = app.submit(&racer, limited, "print('same')").await;
    assert_eq!(first.status(), StatusCode::OK, "reused");
    let mut blocker = app.env.pool.get().await.unwrap();
    let lock = blocker.transaction().await.unwrap();
    lock.execute(
        "SELECT 1 FROM attempts WHERE user_id = $1 AND assignment_id = $2 FOR UPDATE",
        &[&racer.id, &limited],
    )
    .await
    .unwrap();
    let tasks: Vec<_> = (0..12)
        .map(|_| {
            let (http, url, token) = (
                app.http.clone(),
                app.url(&format!("/api/assignments/{limited}/submissions")),
                racer.token.clone(),
            );
            tokio::spawn(async move {
                http.post(url)
                    .bearer_auth(token)
                    .json(&serde_json::json!({ "code": "print('same')" }))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let watcher = app.env.pool.get().await.unwrap();
    let all_waiting = crate::helpers::eventually(std::time::Duration::from_secs(20), || async {
        let waiting: i64 = watcher
            .query_one(
                "SELECT count(*) AS n FROM pg_stat_activity
                 WHERE wait_event_type = 'Lock' AND query LIKE '%WITH assignment AS%'",
                &[],
            )
            .await
            .unwrap()
            .get("n");
        waiting == 12
    })
    .await;
    assert!(all_waiting, "the 12 submits never all waited on the lock");
    lock.commit().await.unwrap();
    let mut statuses: Vec<u16> = futures::future::join_all(tasks)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    statuses.sort_unstable();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        2,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        10,
        "{statuses:?}"
    );
    assert_eq!(stored(&app, &racer).await, 3);
    std::fs::remove_dir_all(&root).unwrap();
}

pub async fn as_staff(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> reqwest::Response {
    let req = app.http.request(method, app.url(path)).bearer_auth(token);
    let req = match body {
        Some(b) => req.json(&b),
        None => req,
    };
    req.send().await.unwrap()
}

#[tokio::test]
async fn an_instructors_extension_moves_one_learners_due_date_and_a_tutor_cannot_give_one() {
    use reqwest::Method;
    use serde_json::json;
    let (app, _root, ids) = spawn().await;
    let (given, other) = (app.learner().await, app.learner().await);
    app.ctx.clock.set(at(OPENS));
    submit_graded(&app, &given, ids[0], "x = 1", "wrong_answer").await;
    submit_graded(&app, &other, ids[0], "x = 2", "wrong_answer").await;
    let instructor = crate::gradebook::token(&app, "intro", "instructor", "ines").await;
    let tutor = crate::gradebook::token(&app, "intro", "tutor", "theo").await;
    let path = format!("/api/courses/intro/extensions/{}/{}", given.id, ids[0]);
    let extended = at(DUE) + Duration::days(2);
    let body = json!({ "due_at": extended });

    // A tutor tries to write: refused, and nothing is stored.
    for method in [Method::PUT, Method::DELETE] {
        let res = as_staff(&app, method.clone(), &path, &tutor, Some(body.clone())).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{method}");
        assert_eq!(error_code(res).await, "instructor_only", "{method}");
    }
    let listed: Value = as_staff(
        &app,
        Method::GET,
        "/api/courses/intro/extensions",
        &tutor,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(listed, json!([]));
    // Learners cannot, and bad addresses and bodies are 4xx.
    let res = app
        .http
        .put(app.url(&path))
        .bearer_auth(&given.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let stranger = uuid::Uuid::new_v4();
    for (bad_path, bad_body, status) in [
        (
            path.clone(),
            json!({"due_at": "next tuesday"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            path.clone(),
            json!({"due_at": extended, "x": 1}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        // Years Postgres cannot hold are refused, not a 500.
        (
            path.clone(),
            json!({"due_at": "-5000-01-01T00:00:00Z"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        // An extension only moves a due date later, and needs one to move.
        (
            path.clone(),
            json!({"due_at": at(DUE) - Duration::days(1)}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            format!("/api/courses/intro/extensions/{}/{}", given.id, ids[3]),
            body.clone(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            format!("/api/courses/intro/extensions/{stranger}/{}", ids[0]),
            body.clone(),
            StatusCode::NOT_FOUND,
        ),
        (
            format!("/api/courses/intro/extensions/{}/999999", given.id),
            body.clone(),
            StatusCode::NOT_FOUND,
        ),
        (
            format!("/api/courses/intro/extensions/nope/{}", ids[0]),
            body.clone(),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("/api/courses/nope/extensions/{}/{}", given.id, ids[0]),
            body.clone(),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let res = as_staff(
            &app,
            Method::PUT,
            &bad_path,
            &instructor,
            Some(bad_body.clone()),
        )
        .await;
        assert_eq!(res.status(), status, "{bad_path} {bad_body}");
    }

    let res = as_staff(&app, Method::PUT, &path, &instructor, Some(body.clone())).await;
    assert_eq!(res.status(), StatusCode::OK);
    let me: Value = app.get("/api/me", Some(&given)).await.json().await.unwrap();
    assert_eq!(
        me["extensions"][ids[0].to_string()].as_str().map(at),
        Some(extended),
        "{me}"
    );

    // A day past the assignment's due date: the one with the extension may
    // submit, on time; the other is refused.
    app.ctx.clock.set(at(DUE) + Duration::days(1));
    let sub = submit_graded(&app, &given, ids[0], "x = 3", "wrong_answer").await;
    assert_eq!(sub["late"], false);
    let res = app.submit(&other, ids[0], "x = 4").await;
    assert_eq!(error_code(res).await, "past_due");
    // Past the extension, they are refused too, told their own date.
    app.ctx.clock.set(extended + Duration::seconds(1));
    let res = app.submit(&given, ids[0], "x = 5").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let refusal: Value = res.json().await.unwrap();
    assert_eq!(refusal["error"]["code"], "past_due");
    assert!(
        refusal["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2026-12-10T23:59:00"),
        "{refusal}"
    );

    // Taken back: once, then there is none. (Back to when the instructor
    // signed in: their token lasts 8 hours of the API's clock.)
    app.ctx.clock.set(at(OPENS));
    let res = as_staff(&app, Method::DELETE, &path, &instructor, None).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = as_staff(&app, Method::DELETE, &path, &instructor, None).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}
