//! Publishing a course version: what the API refuses before anything is
//! stored (archives an attacker makes, files the loader refuses, callers
//! who may not), and what it keeps for a grader to check. The check itself,
//! in the sandbox, is `e2e/tests/versions.rs`.

use courseload::archive::forge::{archive, EntryType};
use reqwest::StatusCode;
use serde_json::Value;

use crate::gradebook::token;
use crate::helpers::{error_code, TestApp};
use crate::staff::get_as;

async fn publish(app: &TestApp, token: &str, body: Vec<u8>) -> reqwest::Response {
    app.http
        .post(app.url("/api/courses/intro/versions"))
        .bearer_auth(token)
        .header("content-type", "application/gzip")
        .body(body)
        .send()
        .await
        .unwrap()
}

/// The course's folder packed, with `change` made to a copy first.
fn course_with(change: impl FnOnce(&std::path::Path)) -> Vec<u8> {
    testkit::course_archive(&crate::helpers::repository().join("courses/intro"), change)
}

/// The course's versions as (number, status, served now), newest first.
async fn versions(app: &TestApp, token: &str) -> Vec<(i64, String, bool)> {
    let list: Value = get_as(app, "/api/courses/intro/versions", token)
        .await
        .json()
        .await
        .unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["version"].as_i64().unwrap(),
                v["status"].as_str().unwrap().to_owned(),
                v["current"].as_bool().unwrap(),
            )
        })
        .collect()
}

async fn refusal(res: reqwest::Response) -> (StatusCode, String, String) {
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    (
        status,
        body["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

#[tokio::test]
async fn hostile_archives_are_refused_naming_the_entry_and_nothing_is_kept() {
    let app = TestApp::spawn().await;
    let ada = token(&app, "intro", "instructor", "ada").await;
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            archive(&[(
                "../../etc/cron.d/evil",
                EntryType::Regular,
                "* * * * * root sh",
            )]),
            "../../etc/cron.d/evil",
        ),
        (
            archive(&[("/etc/evil", EntryType::Regular, "x")]),
            "/etc/evil",
        ),
        (
            archive(&[
                (
                    "course.toml",
                    EntryType::Regular,
                    "title = 'x'\njoin = 'open'",
                ),
                ("01-a/solution.py", EntryType::Symlink, "/proc/self/environ"),
            ]),
            "01-a/solution.py",
        ),
        (archive(&[("dev/null", EntryType::Char, "")]), "dev/null"),
        (
            archive(&[("cs1/course.toml", EntryType::Regular, "title = 'x'")]),
            "\"cs1\"",
        ),
        (b"PK\x03\x04 a zip, not a tarball".to_vec(), ".tar.gz"),
    ];
    for (body, named) in cases {
        let (status, code, message) = refusal(publish(&app, &ada, body).await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::BAD_REQUEST, "invalid_archive"),
            "{message}"
        );
        assert!(message.contains(named), "{named}: {message}");
    }
    // Over the size cap: refused by its length, before it is read.
    let (status, code, _) = refusal(
        publish(
            &app,
            &ada,
            vec![0; courseload::archive::MAX_ARCHIVE_BYTES + 1],
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large")
    );
    assert_eq!(
        app.count(
            "SELECT count(*) AS n FROM course_versions WHERE version > 1",
            &[]
        )
        .await,
        0
    );
}

#[tokio::test]
async fn a_course_the_loader_refuses_names_the_file_and_the_field() {
    let app = TestApp::spawn().await;
    let ada = token(&app, "intro", "instructor", "ada").await;
    let body = course_with(|dir| {
        let manifest = dir.join("02-temperature/assignment.toml");
        let text = std::fs::read_to_string(&manifest).unwrap();
        std::fs::write(&manifest, text + "\nmemory_limit_gb = 4\n").unwrap();
    });
    let (status, code, message) = refusal(publish(&app, &ada, body).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_course")
    );
    assert!(
        message.starts_with("02-temperature/assignment.toml")
            && message.contains("memory_limit_gb"),
        "{message}"
    );
    assert!(
        !message.contains("/tmp"),
        "no path of the server's: {message}"
    );
}

#[tokio::test]
async fn an_instructor_publishes_staff_read_and_others_may_not() {
    let app = TestApp::spawn().await;
    let ada = token(&app, "intro", "instructor", "ada").await;
    let tom = token(&app, "intro", "tutor", "tom").await;
    let learner = app.learner().await;
    let good = course_with(|_| {});

    let (status, code, _) = refusal(publish(&app, &tom, good.clone()).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::FORBIDDEN, "instructor_only")
    );
    let (status, code, _) = refusal(publish(&app, &learner.token, good.clone()).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
    let json_body = app
        .http
        .post(app.url("/api/courses/intro/versions"))
        .bearer_auth(&ada)
        .json(&serde_json::json!({"course": "intro"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refusal(json_body).await.1, "unsupported_media_type");

    // Taken: 202, waiting for a grader (none runs here) as version 2.
    let res = publish(&app, &ada, good.clone()).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        "/api/courses/intro/versions/2"
    );
    let published: Value = res.json().await.unwrap();
    assert_eq!(
        published,
        serde_json::json!({"version": 2, "status": "checking"})
    );
    let state: Value = get_as(&app, "/api/courses/intro/versions/2", &tom)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(state["status"], "checking");
    assert_eq!(state["current"], false);
    let versions = versions(&app, &tom).await;
    // Version 1 is the image's folder, live and served.
    assert_eq!(
        versions,
        [(2, "checking".into(), false), (1, "live".into(), true)]
    );

    // Unchecked, it cannot be made live; unknown ones are 404; a bad id 400.
    let live = |v: &str| {
        app.http
            .post(app.url(&format!("/api/courses/intro/versions/{v}/live")))
            .bearer_auth(&ada)
            .send()
    };
    assert_eq!(
        error_code(live("2").await.unwrap()).await,
        "version_not_checked"
    );
    assert_eq!(live("9").await.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(error_code(live("two").await.unwrap()).await, "invalid_id");
    let one = live("1").await.unwrap();
    assert_eq!(one.status(), StatusCode::OK);

    // At most three wait at once.
    for _ in 0..2 {
        assert_eq!(
            publish(&app, &ada, good.clone()).await.status(),
            StatusCode::ACCEPTED
        );
    }
    let (status, code, _) = refusal(publish(&app, &ada, good).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited")
    );
}

#[tokio::test]
async fn a_version_that_passes_after_a_later_decision_is_kept_not_served() {
    let app = TestApp::spawn().await;
    let ada = token(&app, "intro", "instructor", "ada").await;
    assert_eq!(
        publish(&app, &ada, course_with(|_| {})).await.status(),
        StatusCode::ACCEPTED
    );
    // While version 2 waits for its check, the instructor serves version 1
    // again: that later decision stands when version 2's check passes.
    let res = app
        .http
        .post(app.url("/api/courses/intro/versions/1/live"))
        .bearer_auth(&ada)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let pool = &app.ctx.pool;
    let taken = store::versions::take(pool, std::time::Duration::from_secs(60))
        .await
        .unwrap()
        .expect("version 2 waits");
    assert_eq!(taken.version, 2);
    let checked = courseload::courses::load_courses(&crate::helpers::repository().join("courses"))
        .unwrap()
        .remove(0);
    assert_eq!(
        store::versions::pass(pool, &taken, &checked).await.unwrap(),
        store::versions::Passed::Kept
    );
    // Another grader's late duplicate changes nothing.
    assert_eq!(
        store::versions::pass(pool, &taken, &checked).await.unwrap(),
        store::versions::Passed::Gone
    );
    assert!(!store::versions::reject(pool, &taken, &["late".into()])
        .await
        .unwrap());
    let versions = versions(&app, &ada).await;
    assert_eq!(
        versions,
        [(2, "live".into(), false), (1, "live".into(), true)]
    );
}
