//! Staff: accounts made by the operator's command, sign-in, tokens that
//! carry the role and the course and expire, and each course's staff kept
//! out of every other course.

use std::io::Write;
use std::process::{Command, Stdio};

use reqwest::StatusCode;
use serde_json::{json, Value};
use service::rate::Rate;
use service::token::{Role, StaffClaims};
use testkit::{test_signer, TestEnv};

use crate::course::two_courses;
use crate::helpers::{config, TestApp};

pub const PASSWORD: &str = "correct horse battery staple";

/// Runs `programming-api admin add-staff` as an operator would, with the
/// password on standard input; its exit status and what it printed.
pub fn add_staff(
    app: &TestApp,
    course: &str,
    role: &str,
    name: &str,
    password: &str,
) -> (bool, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_programming-api"))
        .args([
            "admin",
            "add-staff",
            "--course",
            course,
            "--role",
            role,
            name,
        ])
        .env_clear()
        .env("DATABASE_URL", &app.env.database_url)
        .env("PATH", std::env::var("PATH").unwrap())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the API binary runs");
    // A command that refuses its arguments (clap's own check) exits before
    // it reads the password: the pipe is then closed, and what it printed
    // and its status say why.
    match writeln!(child.stdin.take().unwrap(), "{password}") {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        written => written.unwrap(),
    }
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

pub async fn sign_in(app: &TestApp, username: &str, password: &str) -> reqwest::Response {
    app.http
        .post(app.url("/api/staff/sessions"))
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await
        .unwrap()
}

pub async fn get_as(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    app.http
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn spawn_with_courses() -> (TestApp, std::path::PathBuf) {
    let root = two_courses();
    let env = TestEnv::empty().await;
    let mut config = config(&env);
    config.courses_dir = root.clone();
    (TestApp::start(env, config).await, root)
}

#[tokio::test]
async fn the_operators_command_makes_staff_who_sign_in_to_their_course() {
    let (app, root) = spawn_with_courses().await;
    let (ok, out) = add_staff(&app, "cs1", "instructor", "ada", PASSWORD);
    assert!(ok, "{out}");
    assert!(
        out.contains("instructor ada can now sign in to cs1"),
        "{out}"
    );
    // What the command refuses, each with a reason for the operator.
    for (course, role, name, password, why) in [
        ("cs1", "instructor", "ada", PASSWORD, "taken"),
        ("nope", "tutor", "bob", PASSWORD, "no course"),
        ("cs1", "dean", "bob", PASSWORD, "not a role"),
        ("cs1", "tutor", "Bob Smith", PASSWORD, "username"),
        ("cs1", "tutor", "bob", "short", "password"),
    ] {
        let (ok, out) = add_staff(&app, course, role, name, password);
        assert!(!ok, "{name} {course} {role}: {out}");
        assert!(out.contains(why), "{why}: {out}");
    }
    // Only an argon2id hash is stored.
    let client = app.ctx.pool.get().await.unwrap();
    let hash: String = client
        .query_one(
            "SELECT password_hash FROM staff WHERE username = 'ada'",
            &[],
        )
        .await
        .unwrap()
        .get("password_hash");
    assert!(
        hash.starts_with("$argon2id$") && !hash.contains("horse"),
        "{hash}"
    );

    let res = sign_in(&app, "ada", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    let session: Value = res.json().await.unwrap();
    assert_eq!(session["role"], "instructor");
    assert_eq!(session["course"], "cs1");
    assert!(session["expires_at"].as_str().is_some(), "{session}");
    assert!(!session.to_string().contains("argon2"), "{session}");
    let token = session["token"].as_str().unwrap();
    let me: Value = get_as(&app, "/api/staff/me", token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["username"], "ada");
    assert_eq!(me["course"], "cs1");
    let staff: Value = get_as(&app, "/api/courses/cs1/staff", token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(staff, json!([{"username": "ada", "role": "instructor"}]));
    std::fs::remove_dir_all(&root).unwrap();
}

#[tokio::test]
async fn wrong_forged_expired_and_learner_tokens_get_nothing() {
    let (app, root) = spawn_with_courses().await;
    assert!(add_staff(&app, "cs1", "tutor", "tom", PASSWORD).0);

    // A wrong password and an unknown username answer alike.
    let wrong = sign_in(&app, "tom", "correct horse battery stapler").await;
    let unknown = sign_in(&app, "nobody", PASSWORD).await;
    for res in [wrong, unknown] {
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "bad_credentials");
        assert_eq!(body["error"]["message"], "wrong username or password");
    }
    for body in [
        json!({"username": "tom"}),
        json!({"username": "tom", "password": 5}),
    ] {
        let res = app
            .http
            .post(app.url("/api/staff/sessions"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }

    let session: Value = sign_in(&app, "tom", PASSWORD).await.json().await.unwrap();
    let token = session["token"].as_str().unwrap().to_owned();
    let staff_id = get_as(&app, "/api/staff/me", &token).await.status();
    assert_eq!(staff_id, StatusCode::OK);
    let tom: uuid::Uuid = app
        .ctx
        .pool
        .get()
        .await
        .unwrap()
        .query_one("SELECT id FROM staff WHERE username = 'tom'", &[])
        .await
        .unwrap()
        .get("id");
    let cs1 = app.ctx.catalog().by_slug("cs1").unwrap().id;
    let now = chrono::Utc::now().timestamp();
    let expired = test_signer().sign_staff(&StaffClaims {
        staff_id: tom,
        course_id: cs1,
        role: Role::Tutor,
        expires_at: now - 1,
    });
    // The tutor edits their token into an instructor's: the MAC breaks.
    let mut tampered = token.clone();
    tampered.insert(10, 'x');
    let learner = app.learner().await;
    for (what, bad) in [
        ("expired", expired.as_str()),
        ("tampered", tampered.as_str()),
        ("a learner's", learner.token.as_str()),
        ("none", ""),
    ] {
        for path in ["/api/staff/me", "/api/courses/cs1/staff"] {
            let res = get_as(&app, path, bad).await;
            assert_eq!(
                res.status(),
                StatusCode::UNAUTHORIZED,
                "{what} token on {path}"
            );
        }
    }
    // A staff token is no learner's token either.
    let res = get_as(&app, "/api/me", &token).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    std::fs::remove_dir_all(&root).unwrap();
}

#[tokio::test]
async fn staff_of_one_course_get_404_in_another() {
    let (app, root) = spawn_with_courses().await;
    assert!(add_staff(&app, "cs1", "instructor", "ada", PASSWORD).0);
    assert!(add_staff(&app, "intro", "instructor", "ina", PASSWORD).0);
    let session: Value = sign_in(&app, "ada", PASSWORD).await.json().await.unwrap();
    let ada = session["token"].as_str().unwrap();
    for path in ["/api/courses/intro/staff", "/api/courses/nope/staff"] {
        let res = get_as(&app, path, ada).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "not_found");
    }
    let own = get_as(&app, "/api/courses/cs1/staff", ada).await;
    assert_eq!(own.status(), StatusCode::OK);
    // A token claiming intro's id but signed for cs1 cannot exist: forging
    // one takes the secret (the token tests show the MAC holds).
    std::fs::remove_dir_all(&root).unwrap();
}

/// A sign-in from `from` (through the trusted proxy), with `cookie` if any.
async fn sign_in_from(
    app: &TestApp,
    from: &str,
    cookie: Option<&str>,
    username: &str,
    password: &str,
) -> reqwest::Response {
    let mut req = app
        .http
        .post(app.url("/api/staff/sessions"))
        .header("x-forwarded-for", from)
        .json(&json!({ "username": username, "password": password }));
    if let Some(cookie) = cookie {
        req = req.header("cookie", cookie);
    }
    req.send().await.unwrap()
}

/// Staff whose sign-in failures are limited at `rate` per username and
/// twice that per address, behind a proxy the API trusts (so each request
/// says its own address).
async fn spawn_behind_proxy(rate: Rate) -> (TestApp, std::path::PathBuf) {
    let root = two_courses();
    let env = TestEnv::empty().await;
    let mut config = config(&env);
    config.courses_dir = root.clone();
    config.sign_in_per_username = rate;
    config.sign_in_per_address = Rate {
        count: rate.count * 2,
        per: rate.per,
    };
    config.trusted_proxies = "127.0.0.1".parse().unwrap();
    (TestApp::start(env, config).await, root)
}

const THREE_AN_HOUR: Rate = Rate {
    count: 3,
    per: std::time::Duration::from_secs(3600),
};

#[tokio::test]
async fn failed_sign_ins_are_limited_per_address_and_per_username_for_strangers() {
    let (app, root) = spawn_behind_proxy(THREE_AN_HOUR).await;
    assert!(add_staff(&app, "cs1", "tutor", "tom", PASSWORD).0);
    // Signing in right costs nothing.
    for _ in 0..5 {
        let res = sign_in_from(&app, "10.0.0.1", None, "tom", PASSWORD).await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let stranger = "10.9.9.9";
    for guess in 0..3 {
        let res = sign_in_from(
            &app,
            stranger,
            None,
            "tom",
            &format!("guess number {guess}"),
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "guess {guess}");
    }
    // The failure past the limit bars the username to strangers: even the
    // right password is refused then, with when to retry.
    let res = sign_in_from(&app, stranger, None, "tom", "guess number 3").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let res = sign_in_from(&app, stranger, None, "tom", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 60, "{retry}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_many_attempts");
    // The address's own allowance (6 failures) runs out across usernames too.
    for name in ["ann", "ben"] {
        let res = sign_in_from(&app, stranger, None, name, PASSWORD).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{name}");
    }
    let res = sign_in_from(&app, stranger, None, "cid", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(add_staff(&app, "cs1", "tutor", "dan", PASSWORD).0);
    let res = sign_in_from(&app, stranger, None, "dan", PASSWORD).await;
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the address is barred"
    );
    std::fs::remove_dir_all(&root).unwrap();
}

#[tokio::test]
async fn strangers_cannot_lock_a_member_of_staff_out() {
    let (app, root) = spawn_behind_proxy(THREE_AN_HOUR).await;
    assert!(add_staff(&app, "cs1", "instructor", "ada", PASSWORD).0);
    assert!(add_staff(&app, "cs1", "tutor", "eve", PASSWORD).0);
    // Ada signs in at the office; her browser keeps the device cookie.
    let office = "10.0.0.1";
    let res = sign_in_from(&app, office, None, "ada", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    let set = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    assert!(set.contains("Path=/api/staff/sessions"), "{set}");
    let cookie = set.split(';').next().unwrap().to_owned();
    let eves = sign_in_from(&app, "10.0.0.7", None, "eve", PASSWORD).await;
    let eves_cookie = eves.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();

    // Strangers guess her password from many addresses until her username is
    // barred to strangers.
    for n in 0..3 {
        let res = sign_in_from(&app, &format!("10.66.0.{n}"), None, "ada", "a wrong guess").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let res = sign_in_from(&app, "10.66.0.3", None, "ada", "a wrong guess").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let res = sign_in_from(&app, "10.66.0.4", None, "ada", PASSWORD).await;
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "a stranger's right guess is no use"
    );

    // Ada still gets in: from the office, and with her browser anywhere.
    let res = sign_in_from(&app, office, None, "ada", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK, "from her known address");
    let res = sign_in_from(&app, "10.1.2.3", Some(&cookie), "ada", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK, "with her device cookie");
    // A new place without the cookie is a stranger's; so is a cookie that
    // is another account's, or forged.
    let res = sign_in_from(&app, "10.1.2.4", None, "ada", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let borrowed = eves_cookie.replacen(
        eves_cookie.split('=').next().unwrap(),
        cookie.split('=').next().unwrap(),
        1,
    );
    let res = sign_in_from(&app, "10.1.2.5", Some(&borrowed), "ada", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "eve's cookie");
    let forged = format!("{}x", &cookie[..cookie.len() - 1]);
    let res = sign_in_from(&app, "10.1.2.6", Some(&forged), "ada", PASSWORD).await;
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "a forged cookie"
    );

    // Her own failures count against her address alone: six bar it, and
    // then the right password is refused there too, while her browser
    // elsewhere still gets in.
    for n in 0..6 {
        let res = sign_in_from(&app, office, None, "ada", "a typo").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "typo {n}");
    }
    let res = sign_in_from(&app, office, None, "ada", "a typo").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let res = sign_in_from(&app, office, None, "ada", PASSWORD).await;
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the address is barred"
    );
    let res = sign_in_from(&app, "10.1.2.9", Some(&cookie), "ada", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    std::fs::remove_dir_all(&root).unwrap();
}
