//! Learner accounts: a learner keeps their progress under a username and a
//! password, and signs in to the same learner from another client; wrong
//! and unknown answer alike and are limited; an instructor resets a
//! learner's password in their course; an LMS's learner has no password.

use reqwest::StatusCode;
use serde_json::{json, Value};
use service::rate::Rate;
use testkit::TestEnv;

use crate::helpers::{config, error_code, Learner, TestApp};
use crate::staff::{add_staff, sign_in as staff_sign_in, PASSWORD};

const SECRET: &str = "a long enough password";

async fn claim(
    app: &TestApp,
    learner: &Learner,
    username: &str,
    password: &str,
) -> reqwest::Response {
    app.http
        .post(app.url("/api/me/account"))
        .bearer_auth(&learner.token)
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await
        .unwrap()
}

async fn sign_in(
    app: &TestApp,
    client: &reqwest::Client,
    username: &str,
    password: &str,
) -> reqwest::Response {
    client
        .post(app.url("/api/sessions"))
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await
        .unwrap()
}

async fn me(app: &TestApp, token: &str) -> Value {
    app.http
        .get(app.url("/api/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_account_claimed_in_one_client_is_the_same_learner_in_another() {
    let app = TestApp::spawn().await;
    let learner = app.learner().await;
    let first = app.first_assignment().await;
    let s: Value = app
        .submit(&learner, first, "def greet(n): ...")
        .await
        .json()
        .await
        .unwrap();
    app.grade(s["submission"]["id"].as_str().unwrap(), "passed")
        .await;
    let res = claim(&app, &learner, "ada", SECRET).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let made: Value = res.json().await.unwrap();
    assert_eq!(made["username"], "ada");
    assert_eq!(made["user_id"], learner.id.to_string());
    // Another client, with nothing of the first: the same learner.
    let other = reqwest::Client::new();
    let res = sign_in(&app, &other, "ada", SECRET).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res
        .headers()
        .get("set-cookie")
        .is_some_and(|c| c.to_str().unwrap().contains("Path=/api/sessions")));
    let session: Value = res.json().await.unwrap();
    assert_eq!(session["user_id"], learner.id.to_string());
    let token = session["token"].as_str().unwrap();
    let there = me(&app, token).await;
    let here = me(&app, &learner.token).await;
    assert_eq!(
        (
            there["user_id"].clone(),
            there["points"].clone(),
            there["username"].clone()
        ),
        (here["user_id"].clone(), json!(100), json!("ada"))
    );
    let mine: Value = app
        .http
        .get(app.url(&format!("/api/assignments/{first}/submissions")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mine[0]["id"], s["submission"]["id"], "{mine}");
    // One account per learner; one learner per username.
    assert_eq!(
        error_code(claim(&app, &learner, "ada2", SECRET).await).await,
        "account_exists"
    );
    let someone = app.learner().await;
    let res = claim(&app, &someone, "ada", SECRET).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(res).await, "username_taken");
    // Weak, long, or oddly named: 400.
    for (name, password) in [
        ("bo", "short"),
        ("bo", &"x".repeat(1025)),
        ("Bo Diddley", SECRET),
        ("", SECRET),
    ] {
        let res = claim(&app, &someone, name, password).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{name:?}");
        assert_eq!(error_code(res).await, "invalid_account");
    }
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_username_answer_alike_and_are_limited() {
    let env = TestEnv::empty().await;
    let mut config = config(&env);
    config.sign_in_per_address = Rate {
        count: 2,
        per: std::time::Duration::from_secs(3600),
    };
    let app = TestApp::start(env, config).await;
    let learner = app.learner().await;
    assert_eq!(
        claim(&app, &learner, "grace", SECRET).await.status(),
        StatusCode::CREATED
    );
    let wrong = sign_in(&app, &app.http, "grace", "not the password at all").await;
    let unknown = sign_in(&app, &app.http, "nobody", "not the password at all").await;
    assert_eq!(
        (wrong.status(), unknown.status()),
        (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
    );
    let (w, u): (Value, Value) = (wrong.json().await.unwrap(), unknown.json().await.unwrap());
    assert_eq!(w, u, "the answers do not tell which usernames exist");
    assert_eq!(w["error"]["code"], "bad_credentials");
    // A failure past the address's two bars it, even for the right password.
    let third = sign_in(&app, &app.http, "grace", "still not it, no").await;
    assert_eq!(third.status(), StatusCode::TOO_MANY_REQUESTS);
    let right = sign_in(&app, &app.http, "grace", SECRET).await;
    assert_eq!(right.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(error_code(right).await, "too_many_attempts");
}

#[tokio::test]
async fn an_instructor_resets_a_password_of_their_course_and_no_one_else_can() {
    let app = TestApp::spawn().await;
    let learner = app.learner().await;
    // A submission enrols the learner in the default (open) course.
    let first = app.first_assignment().await;
    assert!(app
        .submit(&learner, first, "x = 1")
        .await
        .status()
        .is_success());
    assert_eq!(
        claim(&app, &learner, "hopper", SECRET).await.status(),
        StatusCode::CREATED
    );
    assert!(add_staff(&app, "intro", "instructor", "prof", PASSWORD).0);
    assert!(add_staff(&app, "intro", "tutor", "ta", PASSWORD).0);
    let token_of = |res: reqwest::Response| async move {
        let v: Value = res.json().await.unwrap();
        v["token"].as_str().unwrap().to_owned()
    };
    let prof = token_of(staff_sign_in(&app, "prof", PASSWORD).await).await;
    let ta = token_of(staff_sign_in(&app, "ta", PASSWORD).await).await;
    let reset = |token: String, user: String, password: &'static str| {
        let http = app.http.clone();
        let url = app.url(&format!("/api/courses/intro/learners/{user}/password"));
        async move {
            http.put(url)
                .bearer_auth(token)
                .json(&json!({ "password": password }))
                .send()
                .await
                .unwrap()
        }
    };
    let user = learner.id.to_string();
    assert_eq!(
        reset(ta.clone(), user.clone(), "a new password, long")
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        reset(learner.token.clone(), user.clone(), "a new password, long")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        reset(prof.clone(), user.clone(), "short").await.status(),
        StatusCode::BAD_REQUEST
    );
    let stranger = app.learner().await;
    let res = reset(
        prof.clone(),
        stranger.id.to_string(),
        "a new password, long",
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "a learner without an account, or not in the course"
    );
    let res = reset(prof, user, "a new password, long").await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        sign_in(&app, &app.http, "hopper", SECRET).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let res = sign_in(&app, &app.http, "hopper", "a new password, long").await;
    assert_eq!(res.status(), StatusCode::OK);
}
