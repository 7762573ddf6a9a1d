//! The signed integration API: another system submits its users' work,
//! each request a JWT of its own (HS256 with its secret, or RS256 with its
//! key), and reads the verdicts, or has them posted to its callback (the
//! LMS of the LTI tests plays that server, checking the signature).

use std::time::Duration;

use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::lms::{Lms, CALLBACK_SECRET};
use testkit::{eventually, TestEnv};

use crate::course::two_courses;
use crate::helpers::{config, error_code, TestApp};

const SECRET: &str = "hub-secret-hub-secret-hub-secret-0123";

struct Setup {
    app: TestApp,
    lms: Lms,
    /// The RS256 integration's private key (PEM).
    rsa_private: String,
}

fn openssl(args: &[&str], input: Option<&str>) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("openssl")
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("openssl runs");
    if let Some(input) = input {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

async fn setup(adjust: impl FnOnce(&mut programming_api::config::Config)) -> Setup {
    let lms = Lms::start("codeplatform").await;
    let dir = std::env::temp_dir().join(format!("cp-int-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let rsa_private = openssl(
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
        ],
        None,
    );
    let rsa_public = openssl(&["pkey", "-pubout"], Some(&rsa_private));
    for (name, text) in [
        ("hub.secret", SECRET),
        ("hub.callback", CALLBACK_SECRET),
        ("rsa.pem", rsa_public.as_str()),
    ] {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let toml = format!(
        "[[integration]]\nname = \"hub\"\nsecret_file = \"{d}/hub.secret\"\ncourses = [\"intro\"]\n\
         callback_url = \"{cb}\"\ncallback_secret_file = \"{d}/hub.callback\"\n\
         [[integration]]\nname = \"rsa-hub\"\npublic_key_file = \"{d}/rsa.pem\"\ncourses = [\"cs1\"]\n",
        d = dir.display(),
        cb = lms.url("/integration/callback"),
    );
    let env = TestEnv::empty().await;
    let mut config = config(&env);
    config.courses_dir = two_courses();
    config.integrations = Some(programming_api::integrations::Settings {
        toml,
        send_interval: Duration::from_millis(100),
        retry_max: Duration::from_secs(1),
    });
    adjust(&mut config);
    Setup {
        app: TestApp::start(env, config).await,
        lms,
        rsa_private,
    }
}

/// Claims for a request to `course`, issued now, with a fresh jti.
fn claims(iss: &str, course: &str) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({
        "iss": iss, "aud": "codeplatform", "iat": now, "exp": now + 60,
        "course": course, "jti": uuid::Uuid::new_v4().to_string(),
    })
}

fn hs256(claims: &Value, secret: &str) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

impl Setup {
    fn rs256(&self, claims: &Value) -> String {
        encode(
            &Header::new(Algorithm::RS256),
            claims,
            &EncodingKey::from_rsa_pem(self.rsa_private.as_bytes()).unwrap(),
        )
        .unwrap()
    }

    async fn submit(
        &self,
        token: Option<&str>,
        course: &str,
        slug: &str,
        learner: &str,
        code: &str,
    ) -> reqwest::Response {
        let mut req = self
            .app
            .http
            .post(self.app.url(&format!(
                "/api/integrations/courses/{course}/assignments/{slug}/learners/{learner}/submissions"
            )))
            .json(&json!({ "code": code }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap()
    }

    async fn read(&self, token: &str, course: &str, id: &str) -> reqwest::Response {
        self.app
            .http
            .get(self.app.url(&format!(
                "/api/integrations/courses/{course}/submissions/{id}"
            )))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    async fn lms_state(&self) -> Value {
        reqwest::get(self.lms.url("/_state"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn a_signed_request_submits_as_the_integrations_learner_and_the_verdict_comes_back() {
    let s = setup(|_| {}).await;
    let res = s
        .submit(
            Some(&hs256(&claims("hub", "intro"), SECRET)),
            "intro",
            "greeting",
            "jovyan",
            "x = 1",
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let first: Value = res.json().await.unwrap();
    let id = first["submission"]["id"].as_str().unwrap().to_owned();
    // It waits in the integration's own lane.
    let client = s.app.ctx.pool.get().await.unwrap();
    let row = client
        .query_one(
            "SELECT s.lane, s.user_id, x.external_id FROM submissions s
             JOIN external_learners x ON x.user_id = s.user_id WHERE s.id = $1::text::uuid",
            &[&id],
        )
        .await
        .unwrap();
    assert_eq!(
        row.get::<_, i16>("lane") as u16,
        queue::jobs::lane_of("integration:hub")
    );
    assert_eq!(row.get::<_, String>("external_id"), "jovyan");
    let user: uuid::Uuid = row.get("user_id");
    // Read back, then graded; read again.
    let read: Value = s
        .read(&hs256(&claims("hub", "intro"), SECRET), "intro", &id)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read["submission"]["status"], "queued");
    s.app.grade(&id, "passed").await;
    let res = s
        .read(&hs256(&claims("hub", "intro"), SECRET), "intro", &id)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let read: Value = res.json().await.unwrap();
    assert_eq!(read["submission"]["verdict"], "passed");
    // The verdict is posted to the callback, signed (the receiver checks).
    let arrived = eventually(Duration::from_secs(15), || async {
        !s.lms_state().await["callbacks"]
            .as_array()
            .unwrap()
            .is_empty()
    })
    .await;
    assert!(arrived, "no callback");
    let callback = s.lms_state().await["callbacks"][0].clone();
    assert_eq!(
        (
            callback["integration"].as_str(),
            callback["course"].as_str(),
            callback["learner"].as_str(),
            callback["assignment"].as_str()
        ),
        (Some("hub"), Some("intro"), Some("jovyan"), Some("greeting"))
    );
    assert_eq!(callback["submission"]["id"], id.as_str());
    assert_eq!(callback["submission"]["verdict"], "passed");
    // The same external id is the same learner, enrolled once.
    let res = s
        .submit(
            Some(&hs256(&claims("hub", "intro"), SECRET)),
            "intro",
            "temperature",
            "jovyan",
            "y = 2",
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let n: i64 = client
        .query_one(
            "SELECT count(*) AS n FROM external_learners WHERE source = 'integration:hub'",
            &[],
        )
        .await
        .unwrap()
        .get("n");
    assert_eq!(n, 1);
    let enrolled: i64 = client
        .query_one(
            "SELECT count(*) AS n FROM enrolments WHERE user_id = $1",
            &[&user],
        )
        .await
        .unwrap()
        .get("n");
    assert_eq!(enrolled, 1);
    // The callback was sent once.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        s.lms_state().await["callbacks"].as_array().unwrap().len(),
        1
    );
}

#[tokio::test]
async fn unsigned_forged_expired_replayed_and_foreign_requests_are_refused() {
    let s = setup(|_| {}).await;
    let code =
        |res: reqwest::Response| async move { (res.status().as_u16(), error_code(res).await) };
    // The control: a genuine request passes.
    let good = hs256(&claims("hub", "intro"), SECRET);
    let res = s
        .submit(Some(&good), "intro", "greeting", "a", "x = 1")
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let first: Value = res.json().await.unwrap();
    s.app
        .grade(first["submission"]["id"].as_str().unwrap(), "wrong_answer")
        .await;
    // Replayed: the same token again.
    assert_eq!(
        code(
            s.submit(Some(&good), "intro", "greeting", "b", "x = 2")
                .await
        )
        .await,
        (401, "replayed_token".into())
    );
    // Unsigned.
    assert_eq!(
        code(s.submit(None, "intro", "greeting", "c", "x = 1").await).await,
        (401, "unauthorized".into())
    );
    // Signed with another secret; alg none; an unknown issuer.
    let forged = hs256(
        &claims("hub", "intro"),
        "not-the-secret-not-the-secret-0000",
    );
    assert_eq!(
        code(s.submit(Some(&forged), "intro", "greeting", "c", "x").await)
            .await
            .0,
        401
    );
    let parts: Vec<String> = good.split('.').map(str::to_owned).collect();
    let none_header = base64_url(br#"{"alg":"none","typ":"JWT"}"#);
    let unsigned = format!(
        "{none_header}.{}.",
        base64_url(claims("hub", "intro").to_string().as_bytes())
    );
    assert_eq!(
        code(
            s.submit(Some(&unsigned), "intro", "greeting", "c", "x")
                .await
        )
        .await
        .0,
        401
    );
    assert_eq!(parts.len(), 3);
    let stranger = hs256(&claims("stranger", "intro"), SECRET);
    assert_eq!(
        code(
            s.submit(Some(&stranger), "intro", "greeting", "c", "x")
                .await
        )
        .await
        .0,
        401
    );
    // Expired; living too long; for another audience.
    let now = chrono::Utc::now().timestamp();
    let mut old = claims("hub", "intro");
    old["iat"] = json!(now - 400);
    old["exp"] = json!(now - 100);
    assert_eq!(
        code(
            s.submit(Some(&hs256(&old, SECRET)), "intro", "greeting", "c", "x")
                .await
        )
        .await
        .0,
        401
    );
    let mut long = claims("hub", "intro");
    long["exp"] = json!(now + 3600);
    assert_eq!(
        code(
            s.submit(Some(&hs256(&long, SECRET)), "intro", "greeting", "c", "x")
                .await
        )
        .await
        .0,
        401
    );
    let mut aud = claims("hub", "intro");
    aud["aud"] = json!("someone-else");
    assert_eq!(
        code(
            s.submit(Some(&hs256(&aud, SECRET)), "intro", "greeting", "c", "x")
                .await
        )
        .await
        .0,
        401
    );
    // Another course: the token's is not the path's, or the integration
    // may not act there.
    let for_intro = hs256(&claims("hub", "intro"), SECRET);
    assert_eq!(
        code(
            s.submit(Some(&for_intro), "cs1", "fizzbuzz", "c", "x")
                .await
        )
        .await,
        (403, "other_course".into())
    );
    let for_cs1 = hs256(&claims("hub", "cs1"), SECRET);
    assert_eq!(
        code(s.submit(Some(&for_cs1), "cs1", "fizzbuzz", "c", "x").await).await,
        (403, "other_course".into())
    );
    // RS256: its key alone; a token made with HS256 and its public key as
    // the secret (the old algorithm confusion) is refused.
    let rsa_ok = s.rs256(&claims("rsa-hub", "cs1"));
    assert_eq!(
        s.submit(Some(&rsa_ok), "cs1", "fizzbuzz", "r", "x = 1")
            .await
            .status(),
        StatusCode::ACCEPTED
    );
    let public = openssl(&["pkey", "-pubout"], Some(&s.rsa_private));
    let confused = hs256(&claims("rsa-hub", "cs1"), &public);
    assert_eq!(
        code(
            s.submit(Some(&confused), "cs1", "fizzbuzz", "r2", "x")
                .await
        )
        .await
        .0,
        401
    );
    // One integration cannot read another's submissions.
    let id: Value = s
        .submit(
            Some(&hs256(&claims("hub", "intro"), SECRET)),
            "intro",
            "temperature",
            "a",
            "t = 1",
        )
        .await
        .json()
        .await
        .unwrap();
    let id = id["submission"]["id"].as_str().unwrap().to_owned();
    let res = s
        .read(&s.rs256(&claims("rsa-hub", "cs1")), "cs1", &id)
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // No refused request made a learner.
    let n: i64 = s
        .app
        .count("SELECT count(*) AS n FROM external_learners", &[])
        .await;
    assert_eq!(n, 2, "learners a and r only");
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    URL_SAFE_NO_PAD.encode(bytes)
}

#[tokio::test]
async fn an_integrations_learners_are_held_to_the_same_limits() {
    let s = setup(|config| {
        config.submissions_per_learner = service::rate::Rate {
            count: 1,
            per: Duration::from_secs(3600),
        };
    })
    .await;
    let token = || hs256(&claims("hub", "intro"), SECRET);
    let res = s
        .submit(Some(&token()), "intro", "greeting", "busy", "x = 1")
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let id: Value = res.json().await.unwrap();
    s.app
        .grade(id["submission"]["id"].as_str().unwrap(), "wrong_answer")
        .await;
    let res = s
        .submit(Some(&token()), "intro", "greeting", "busy", "x = 2")
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(error_code(res).await, "rate_limited");
    // Another of its learners is not held by that one's limit.
    let res = s
        .submit(Some(&token()), "intro", "greeting", "free", "x = 3")
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
}
