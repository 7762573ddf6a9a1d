//! LTI 1.3 against a platform someone else wrote: PyPI's lti1p3platform
//! behind FastAPI (`testkit/lms/lms_platform.py`), on loopback. Its
//! launches are real: OIDC login, a signed id_token, the form post. Its
//! fault knobs make the tokens an LMS must never send, signed by it, and
//! each refusal is seen beside the same launch without the fault passing.

use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::lms::Lms;
use testkit::TestEnv;

use crate::course::two_courses;
use crate::helpers::{config, TestApp};

const CLIENT_ID: &str = "codeplatform";
// Role URIs as they go in the LMS's query string ('#' escaped).
const INSTRUCTOR: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership%23Instructor";
const TA: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor%23TeachingAssistant";

/// An RSA private key from openssl: PKCS#8 (`genpkey`) or PKCS#1 (`genrsa -traditional`).
pub fn rsa_key(pkcs1: bool) -> String {
    let args: &[&str] = if pkcs1 {
        &["genrsa", "-traditional", "2048"]
    } else {
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
        ]
    };
    let out = std::process::Command::new("openssl")
        .args(args)
        .stderr(std::process::Stdio::null())
        .output()
        .expect("openssl runs (scripts/deps.sh lms installs it)");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// The API as an LTI tool of one LMS, the LMS told the tool's URLs.
pub struct World {
    pub app: TestApp,
    pub lms: Lms,
    /// Follows no redirect: each step of a launch is looked at.
    pub http: reqwest::Client,
    pub keys_pem: String,
}

impl World {
    /// Context "42" is course intro, "43" course cs1; "99" is no course.
    pub async fn start() -> Self {
        Self::start_with(rsa_key(false)).await
    }

    pub async fn start_with(keys_pem: String) -> Self {
        Self::start_in(keys_pem, Some(two_courses())).await
    }

    /// With the courses in `courses` (None: the repository's, context
    /// "42" its intro).
    pub async fn start_in(keys_pem: String, courses: Option<std::path::PathBuf>) -> Self {
        let lms = Lms::start(CLIENT_ID).await;
        let env = TestEnv::empty().await;
        let mut config = config(&env);
        let contexts: &[(&str, &str)] = match courses {
            Some(courses) => {
                config.courses_dir = courses;
                &[("42", "intro"), ("43", "cs1")]
            }
            None => &[("42", "intro")],
        };
        let port = testkit::free_port();
        config.addr = format!("127.0.0.1:{port}").parse().unwrap();
        config.lti = Some(programming_api::lti::Settings {
            platforms_toml: lms.registration(CLIENT_ID, contexts),
            keys: programming_api::lti::keys::ToolKeys::from_pem(&keys_pem).unwrap(),
            tool_url: format!("http://127.0.0.1:{port}"),
            send_interval: std::time::Duration::from_millis(100),
            retry_max: std::time::Duration::from_secs(1),
        });
        let app = TestApp::start(env, config).await;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let world = Self {
            app,
            lms,
            http,
            keys_pem,
        };
        world.tell_lms().await;
        world
    }

    /// Tells the LMS the tool's URLs (again, after it restarted).
    pub async fn tell_lms(&self) {
        let tool = self.app.url("");
        let res = self
            .http
            .post(self.lms.url("/_control/tool"))
            .json(&json!({
                "login": format!("{tool}/lti/login"),
                "launch": format!("{tool}/lti/launch"),
                "deep_link": format!("{tool}/lti/launch"),
                "jwks": format!("{tool}/lti/jwks"),
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }

    /// Sets the LMS's fault switches (`CONTROL` in its file).
    pub async fn faults(&self, faults: Value) {
        let res = self
            .http
            .post(self.lms.url("/_control/faults"))
            .json(&faults)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }

    /// Runs a launch up to the platform's form post: the LMS's `/launch`
    /// with `query`, the tool's login, the platform's authorisation.
    pub async fn login(&self, query: &str) -> Launching {
        let start = self
            .http
            .get(self.lms.url(&format!("/launch?{query}")))
            .send()
            .await
            .unwrap();
        assert_eq!(start.status(), StatusCode::FOUND, "the LMS starts a login");
        let to_tool = location(&start);
        assert!(
            to_tool.starts_with(&self.app.url("/lti/login?")),
            "{to_tool}"
        );
        let login = self.http.get(&to_tool).send().await.unwrap();
        assert_eq!(
            login.status(),
            StatusCode::FOUND,
            "the tool's login redirects"
        );
        let cookie = login
            .headers()
            .get("set-cookie")
            .expect("a state cookie")
            .to_str()
            .unwrap()
            .to_owned();
        let authorize = location(&login);
        let form = self.http.get(&authorize).send().await.unwrap();
        assert_eq!(form.status(), StatusCode::OK, "{authorize}");
        let html = form.text().await.unwrap();
        Launching {
            action: unescape(&attribute(&html, "action")),
            id_token: unescape(&input(&html, "id_token")),
            state: unescape(&input(&html, "state")),
            cookie: cookie.split(';').next().unwrap().to_owned(),
        }
    }

    /// Posts the launch as the browser would; `accept` picks a page or JSON.
    pub async fn post(&self, l: &Launching, cookie: bool, accept: &str) -> reqwest::Response {
        let mut req = self
            .http
            .post(&l.action)
            .header("accept", accept)
            .form(&[("id_token", &l.id_token), ("state", &l.state)]);
        if cookie {
            req = req.header("cookie", &l.cookie);
        }
        req.send().await.unwrap()
    }

    /// A launch as `query` says, posted: the landing page's data.
    pub async fn launch(&self, query: &str) -> Landing {
        let l = self.login(query).await;
        let res = self.post(&l, true, "text/html").await;
        assert_eq!(res.status(), StatusCode::OK, "a launch of {query}");
        let html = res.text().await.unwrap();
        Landing {
            store: attribute(&html, "data-store"),
            value: unescape(&attribute(&html, "data-value")),
            to: unescape(&attribute(&html, "data-to")),
        }
    }

    pub async fn state(&self) -> Value {
        self.http
            .get(self.lms.url("/_state"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

pub struct Launching {
    pub action: String,
    pub id_token: String,
    pub state: String,
    pub cookie: String,
}

#[derive(Debug)]
pub struct Landing {
    pub store: String,
    pub value: String,
    pub to: String,
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .expect("a Location")
        .to_str()
        .unwrap()
        .to_owned()
}

/// The first `name="..."` attribute's value in `html`.
pub fn attribute(html: &str, name: &str) -> String {
    let start = html
        .find(&format!("{name}=\""))
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + name.len()
        + 2;
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

fn input(html: &str, name: &str) -> String {
    let at = html.find(&format!("name=\"{name}\"")).expect("the input");
    attribute(&html[at..], "value")
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#x2F;", "/")
        .replace("&#47;", "/")
        .replace("&#x3D;", "=")
        .replace("&#61;", "=")
        .replace("&amp;", "&")
}

async fn error_of(res: reqwest::Response) -> (StatusCode, String) {
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    (
        status,
        body["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

pub async fn me(world: &World, token: &str) -> Value {
    let res = world
        .app
        .http
        .get(world.app.url("/api/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

#[tokio::test]
async fn a_learner_launch_lands_signed_in_on_its_assignment_and_is_always_the_same_learner() {
    let world = World::start().await;
    let catalog = world.app.ctx.catalog();
    let greeting = catalog.by_slug("intro").unwrap();
    let id: i32 = world
        .app
        .ctx
        .pool
        .get()
        .await
        .unwrap()
        .query_one(
            "SELECT id FROM assignments WHERE course_id = $1 AND slug = 'greeting'",
            &[&greeting.id],
        )
        .await
        .unwrap()
        .get("id");
    let first = world
        .launch("user=ada&name=Ada%20Lovelace&assignment=greeting")
        .await;
    assert_eq!(first.store, "local");
    assert_eq!(first.to, format!("/c/intro#/a/{id}"));
    let who = me(&world, &first.value).await;
    assert_eq!(who["display_name"], "Ada Lovelace");
    // The same LMS user, later, from another browser: the same learner.
    let again = world.launch("user=ada&assignment=greeting").await;
    assert_eq!(me(&world, &again.value).await["user_id"], who["user_id"]);
    // Another LMS user is another learner.
    let other = world.launch("user=grace&assignment=greeting").await;
    assert_ne!(me(&world, &other.value).await["user_id"], who["user_id"]);
    // A name the learner chose stays theirs.
    let res = world
        .app
        .http
        .patch(world.app.url("/api/me"))
        .bearer_auth(&first.value)
        .json(&json!({"display_name": "Countess"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // Course intro keeps student numbers from LMSs out of profiles.
    let numbered = world.launch("user=cy&student_number=S-1").await;
    assert_eq!(
        me(&world, &numbered.value).await["student_number"],
        Value::Null
    );
    let later = world
        .launch("user=ada&name=Ada%20L.&resource_link=link-2")
        .await;
    assert_eq!(me(&world, &later.value).await["display_name"], "Countess");
    assert_eq!(
        later.to, "/c/intro",
        "a link without an assignment opens the course"
    );
}

#[tokio::test]
async fn every_forged_or_broken_launch_is_refused_and_the_honest_one_passes() {
    let world = World::start().await;
    // The control: the same launch, no fault.
    let honest = world.login("user=u0&assignment=greeting").await;
    assert_eq!(
        world.post(&honest, true, "application/json").await.status(),
        StatusCode::OK
    );
    for (fault, status, code) in [
        ("aud", 403, "unknown_platform"),
        ("issuer", 403, "unknown_platform"),
        ("deployment", 403, "unknown_platform"),
        ("expired", 401, "invalid_launch"),
        ("future_iat", 401, "invalid_launch"),
        ("signature", 401, "invalid_launch"),
        ("kid", 401, "invalid_launch"),
        ("message_type", 400, "unsupported_launch"),
        ("no_sub", 400, "unsupported_launch"),
    ] {
        let l = world
            .login(&format!("user=u-{fault}&assignment=greeting&fault={fault}"))
            .await;
        let res = world.post(&l, true, "application/json").await;
        let body = res.text().await.unwrap();
        assert!(
            !body.contains(&l.id_token),
            "a refusal never carries the token"
        );
        let parsed: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            (parsed["error"]["code"].as_str().unwrap(), status),
            (code, status),
            "{fault}: {body}"
        );
    }
    // No learner was made by any refused launch: only the honest one's.
    let learners: i64 = world
        .app
        .count("SELECT count(*) AS n FROM external_learners", &[])
        .await;
    assert_eq!(learners, 1);
}

#[tokio::test]
async fn a_platform_that_rotates_its_key_is_refetched_once_and_a_stray_kid_is_still_refused() {
    let world = World::start().await;
    assert_eq!(
        world.launch("user=r1&assignment=greeting").await.store,
        "local"
    );
    let rotated = world
        .http
        .post(world.lms.url("/_control/rotate"))
        .send()
        .await
        .unwrap();
    assert_eq!(rotated.status(), StatusCode::OK);
    // Past the refetch spacing: the new kid is fetched and the launch passes.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        world.launch("user=r2&assignment=greeting").await.store,
        "local"
    );
    // A kid the refetched set lacks too is refused.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let l = world.login("user=r3&assignment=greeting&fault=kid").await;
    let (status, code) = error_of(world.post(&l, true, "application/json").await).await;
    assert_eq!((status.as_u16(), code.as_str()), (401, "invalid_launch"));
}

#[tokio::test]
async fn a_used_id_token_is_refused_under_its_own_state_or_a_new_login() {
    let world = World::start().await;
    let first = world.login("user=replayer&assignment=greeting").await;
    assert_eq!(
        world.post(&first, true, "application/json").await.status(),
        StatusCode::OK
    );
    // The same post again: its login is used.
    let (status, code) = error_of(world.post(&first, true, "application/json").await).await;
    assert_eq!((status.as_u16(), code.as_str()), (400, "invalid_state"));
    // The used token under a fresh login's state and cookie: its nonce is
    // not this login's.
    let fresh = world.login("user=replayer&assignment=greeting").await;
    let replay = Launching {
        id_token: first.id_token.clone(),
        ..fresh
    };
    let (status, code) = error_of(world.post(&replay, true, "application/json").await).await;
    assert_eq!((status.as_u16(), code.as_str()), (401, "invalid_launch"));
}

#[tokio::test]
async fn odd_states_and_hints_are_refused_as_such_and_a_launch_clears_its_cookie() {
    let world = World::start().await;
    for state in ["\0", "x", &"a".repeat(5000)] {
        let res = world
            .http
            .post(world.app.url("/lti/launch"))
            .header("accept", "application/json")
            .form(&[("id_token", "a.b.c"), ("state", state)])
            .send()
            .await
            .unwrap();
        let (status, code) = error_of(res).await;
        assert_eq!(
            (status.as_u16(), code.as_str()),
            (400, "invalid_state"),
            "{state:?}"
        );
    }
    let iss = world.lms.base.clone();
    let tool = world.app.url("");
    let res = world
        .http
        .get(world.app.url(&format!(
            "/lti/login?iss={iss}&login_hint=%00&target_link_uri={tool}/lti/launch"
        )))
        .send()
        .await
        .unwrap();
    let (status, code) = error_of(res).await;
    assert_eq!((status.as_u16(), code.as_str()), (400, "invalid_login"));
    let pick = world
        .http
        .post(world.app.url("/lti/deep-link"))
        .form(&[("request", "\0"), ("assignment", "greeting")])
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(pick).await.1, "invalid_state");
    // A launch, passed or refused, expires its login's cookie.
    let l = world.login("user=c1&assignment=greeting").await;
    let res = world.post(&l, true, "application/json").await;
    let cleared = res.headers().get_all("set-cookie").iter().any(|c| {
        c.to_str()
            .unwrap()
            .starts_with(&format!("cp_lti_{}=;", l.state))
            && c.to_str().unwrap().contains("Max-Age=0")
    });
    assert!(cleared, "{:?}", res.headers());
}

#[tokio::test]
async fn a_launch_is_bound_to_the_browser_that_began_its_login() {
    let world = World::start().await;
    let l = world.login("user=victim&assignment=greeting").await;
    // Another browser (no cookie, or another login's) cannot complete it.
    let res = world.post(&l, false, "text/html").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let page = res.text().await.unwrap();
    assert!(page.contains("data-code=\"invalid_state\""), "{page}");
    assert!(
        page.contains("new window"),
        "a frame without cookies is offered a new window"
    );
    assert!(!page.contains(&l.id_token));
    let other = world.login("user=victim&assignment=greeting").await;
    let crossed = Launching {
        cookie: other.cookie.clone(),
        ..l
    };
    let (status, code) = error_of(world.post(&crossed, true, "application/json").await).await;
    assert_eq!((status.as_u16(), code.as_str()), (400, "invalid_state"));
    // Its own browser completes its own login.
    assert_eq!(
        world.post(&other, true, "application/json").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_launch_acts_only_in_its_contexts_course() {
    let world = World::start().await;
    // An unmapped context: 403, and an instructor is told how to map it.
    let l = world
        .login(&format!("user=t1&context=99&roles={INSTRUCTOR}"))
        .await;
    let res = world.post(&l, true, "text/html").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("unknown_context") && page.contains("[platform.contexts]"),
        "{page}"
    );
    // Course intro's context cannot open course cs1's assignment.
    let l = world.login("user=u1&context=42&assignment=fizzbuzz").await;
    let (status, code) = error_of(world.post(&l, true, "application/json").await).await;
    assert_eq!((status.as_u16(), code.as_str()), (403, "unknown_link"));
    // Course cs1's context opens it, enrolling the learner in cs1 alone
    // (the LMS's enrolment stands for the join code).
    let landing = world
        .launch("user=u1&context=43&assignment=fizzbuzz&student_number=S-42")
        .await;
    // Course cs1 lets the LMS's student number fill the profile.
    assert_eq!(me(&world, &landing.value).await["student_number"], "S-42");
    assert!(landing.to.starts_with("/c/cs1#/a/"), "{landing:?}");
    let res = world
        .app
        .http
        .get(world.app.url("/api/courses/cs1/assignments"))
        .bearer_auth(&landing.value)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let user_id: uuid::Uuid = me(&world, &landing.value).await["user_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let courses: Vec<String> = world
        .app
        .ctx
        .pool
        .get()
        .await
        .unwrap()
        .query(
            "SELECT c.slug FROM enrolments e JOIN courses c ON c.id = e.course_id
             WHERE e.user_id = $1",
            &[&user_id],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("slug"))
        .collect();
    assert_eq!(courses, ["cs1"]);
}

#[tokio::test]
async fn staff_launches_land_on_the_staff_pages_and_a_learner_cannot_reach_them() {
    let world = World::start().await;
    let landing = world
        .launch(&format!("user=prof&roles={INSTRUCTOR}&context=43"))
        .await;
    assert_eq!(
        (landing.store.as_str(), landing.to.as_str()),
        ("session", "/staff")
    );
    let session: Value = serde_json::from_str(&landing.value).unwrap();
    assert_eq!(
        (session["role"].as_str(), session["course"].as_str()),
        (Some("instructor"), Some("cs1"))
    );
    let token = session["token"].as_str().unwrap();
    let staff_get = |token: String, path: &'static str| {
        let http = world.app.http.clone();
        let url = world.app.url(path);
        async move {
            http.get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(
        staff_get(token.into(), "/api/courses/cs1/gradebook").await,
        StatusCode::OK
    );
    // Its own course only (another course's staff routes do not say it exists).
    assert_eq!(
        staff_get(token.into(), "/api/courses/intro/gradebook").await,
        StatusCode::NOT_FOUND
    );
    // The same instructor again: the same account.
    let again = world
        .launch(&format!("user=prof&roles={INSTRUCTOR}&context=43"))
        .await;
    let again: Value = serde_json::from_str(&again.value).unwrap();
    let staff: i64 = world
        .app
        .count("SELECT count(*) AS n FROM lti_staff", &[])
        .await;
    assert_eq!(staff, 1);
    assert_eq!(again["role"], "instructor");
    // A teaching assistant is a tutor.
    let ta = world
        .launch(&format!("user=ta&roles={TA}&context=43"))
        .await;
    let ta: Value = serde_json::from_str(&ta.value).unwrap();
    assert_eq!(ta["role"], "tutor");
    // A learner's launch gives a learner's token, which staff routes refuse.
    let learner = world.launch("user=student&context=43").await;
    assert_eq!(learner.store, "local");
    let status = staff_get(learner.value.clone(), "/api/courses/cs1/gradebook").await;
    assert!(
        status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN,
        "{status}"
    );
    // An LMS-made staff account has no password: a sign-in with its
    // username is refused like any wrong one (never a 5xx).
    let username: String = world
        .app
        .ctx
        .pool
        .get()
        .await
        .unwrap()
        .query_one("SELECT username FROM staff LIMIT 1", &[])
        .await
        .unwrap()
        .get("username");
    assert!(username.starts_with("lti."));
    let res = world
        .app
        .http
        .post(world.app.url("/api/staff/sessions"))
        .json(&json!({"username": username, "password": "any password at all"}))
        .send()
        .await
        .unwrap();
    let (status, code) = error_of(res).await;
    assert_eq!((status.as_u16(), code.as_str()), (401, "bad_credentials"));
    // A role the tool does not know is refused.
    let l = world
        .login("user=mentor&roles=http://purl.imsglobal.org/vocab/lis/v2/membership%23Mentor")
        .await;
    let (status, code) = error_of(world.post(&l, true, "application/json").await).await;
    assert_eq!((status.as_u16(), code.as_str()), (403, "unknown_role"));
}

#[tokio::test]
async fn an_instructor_deep_links_an_assignment_and_the_lms_accepts_the_signed_pick() {
    let world = World::start().await;
    let l = world
        .login(&format!("user=prof&roles={INSTRUCTOR}&deep_link=1"))
        .await;
    let res = world.post(&l, true, "text/html").await;
    assert_eq!(res.status(), StatusCode::OK);
    let picker = res.text().await.unwrap();
    assert!(picker.contains("data-assignment=\"greeting\""), "{picker}");
    assert!(picker.contains("data-assignment=\"temperature\""));
    assert!(
        !picker.contains("fizzbuzz"),
        "only the context's course is offered"
    );
    let request = unescape(&input(&picker, "request"));
    let pick = || {
        world
            .http
            .post(world.app.url("/lti/deep-link"))
            .header("accept", "text/html")
            .form(&[("request", request.as_str()), ("assignment", "temperature")])
            .send()
    };
    let res = pick().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains(&format!("form-action 'self' {}", world.lms.base)),
        "{csp}"
    );
    let answer = res.text().await.unwrap();
    assert_eq!(
        unescape(&attribute(&answer, "action")),
        world.lms.url("/deep-link-return")
    );
    let jwt = unescape(&input(&answer, "JWT"));
    // The LMS checks it (signature by our JWKS, iss, aud, deployment, data).
    let back = world
        .http
        .post(world.lms.url("/deep-link-return"))
        .form(&[("JWT", jwt.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(
        back.status(),
        StatusCode::OK,
        "{}",
        back.text().await.unwrap()
    );
    let items = world.state().await["deep_links"].clone();
    assert_eq!(items.as_array().unwrap().len(), 1);
    let item = &items[0];
    assert_eq!(item["type"], "ltiResourceLink");
    assert_eq!(item["custom"]["assignment"], "temperature");
    assert_eq!(item["lineItem"]["scoreMaximum"], 100);
    assert_eq!(item["lineItem"]["resourceId"], "temperature");
    assert_eq!(item["url"], world.app.url("/lti/launch"));
    // A pick is made once.
    let (status, code) = error_of(
        world
            .http
            .post(world.app.url("/lti/deep-link"))
            .form(&[("request", request.as_str()), ("assignment", "greeting")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status.as_u16(), code.as_str()), (400, "invalid_state"));
    // A learner cannot ask to deep-link.
    let l = world.login("user=student&deep_link=1").await;
    let (status, code) = error_of(world.post(&l, true, "application/json").await).await;
    assert_eq!((status.as_u16(), code.as_str()), (403, "instructor_only"));
}

#[tokio::test]
async fn the_jwks_publishes_every_key_and_the_first_signs() {
    // Two keys, the second PKCS#1: both published, the first signs.
    let pem = format!("{}{}", rsa_key(false), rsa_key(true));
    let world = World::start_with(pem).await;
    for path in ["/lti/jwks", "/.well-known/jwks.json"] {
        let jwks: Value = world
            .http
            .get(world.app.url(path))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let keys = jwks["keys"].as_array().unwrap();
        assert_eq!(keys.len(), 2, "{path}");
        for k in keys {
            assert_eq!(
                (k["kty"].as_str(), k["use"].as_str(), k["alg"].as_str()),
                (Some("RSA"), Some("sig"), Some("RS256"))
            );
            assert!(k["kid"].as_str().is_some_and(|kid| kid.len() == 43));
            for private in ["d", "p", "q", "dp", "dq", "qi"] {
                assert!(k.get(private).is_none(), "no private field {private}");
            }
        }
    }
    let first_kid = world
        .app
        .ctx
        .lti
        .as_ref()
        .unwrap()
        .keys
        .signing_kid()
        .to_owned();
    let jwks: Value = world
        .http
        .get(world.app.url("/lti/jwks"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jwks["keys"][0]["kid"], first_kid);
    assert!(!world.keys_pem.is_empty());
}

#[tokio::test]
async fn logins_are_checked_and_only_launched_pages_may_be_framed_by_the_lms() {
    let world = World::start().await;
    let tool = world.app.url("");
    let login = |query: String| {
        let http = world.http.clone();
        let url = world.app.url(&format!("/lti/login?{query}"));
        async move { http.get(url).send().await.unwrap() }
    };
    let iss = world.lms.base.clone();
    let (status, code) = error_of(
        login(format!(
            "iss=https://elsewhere.example&login_hint=x&target_link_uri={tool}/lti/launch"
        ))
        .await,
    )
    .await;
    assert_eq!((status.as_u16(), code.as_str()), (403, "unknown_platform"));
    let (status, code) = error_of(login(format!("iss={iss}&login_hint=x")).await).await;
    assert_eq!((status.as_u16(), code.as_str()), (400, "invalid_login"));
    let (status, code) = error_of(
        login(format!(
            "iss={iss}&login_hint=x&target_link_uri=https://evil.example/"
        ))
        .await,
    )
    .await;
    assert_eq!((status.as_u16(), code.as_str()), (400, "invalid_login"));
    let (status, code) = error_of(
        login(format!(
            "iss={iss}&login_hint=x&target_link_uri={tool}/lti/launch&lti_deployment_id=9"
        ))
        .await,
    )
    .await;
    assert_eq!((status.as_u16(), code.as_str()), (403, "unknown_platform"));
    // A good login: every parameter OIDC's form-post flow asks for.
    let res = login(format!(
        "iss={iss}&login_hint=x&target_link_uri={tool}/lti/launch&lti_message_hint=m"
    ))
    .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let to = reqwest::Url::parse(&location(&res)).unwrap();
    let q: std::collections::HashMap<_, _> = to.query_pairs().into_owned().collect();
    for (k, v) in [
        ("scope", "openid"),
        ("response_type", "id_token"),
        ("response_mode", "form_post"),
        ("prompt", "none"),
        ("client_id", CLIENT_ID),
        ("login_hint", "x"),
        ("lti_message_hint", "m"),
    ] {
        assert_eq!(q.get(k).map(String::as_str), Some(v), "{k}");
    }
    assert_eq!(q["redirect_uri"], format!("{tool}/lti/launch"));
    assert!(q["state"].len() >= 43 && q["nonce"].len() >= 43);
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
            && cookie.contains("Path=/lti/launch"),
        "{cookie}"
    );
    // Framing: the pages a launch opens, by the LMS alone; the API never.
    let csp = |path: &'static str| {
        let http = world.http.clone();
        let url = world.app.url(path);
        async move {
            let res = http.get(url).send().await.unwrap();
            (
                res.headers()["content-security-policy"]
                    .to_str()
                    .unwrap()
                    .to_owned(),
                res.headers()
                    .get("x-frame-options")
                    .map(|v| v.to_str().unwrap().to_owned()),
            )
        }
    };
    for page in ["/c/intro", "/staff", "/"] {
        let (policy, xfo) = csp(page).await;
        assert!(
            policy.contains(&format!("frame-ancestors {}", world.lms.base)),
            "{page}: {policy}"
        );
        assert_eq!(xfo, None, "{page}");
    }
    for other in ["/api/assignments", "/lti/jwks", "/js/app.js"] {
        let (policy, xfo) = csp(other).await;
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{other}: {policy}"
        );
        assert_eq!(xfo.as_deref(), Some("DENY"));
    }
}

#[tokio::test]
async fn without_lti_the_routes_say_so() {
    let app = TestApp::spawn().await;
    for (method, path) in [
        ("GET", "/lti/jwks"),
        ("GET", "/lti/login"),
        ("POST", "/lti/launch"),
    ] {
        let res = app
            .http
            .request(method.parse().unwrap(), app.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("id_token=x&state=y")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let res = app.http.get(app.url("/c/intro")).send().await.unwrap();
    let policy = res.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        policy.contains("frame-ancestors 'none'"),
        "no LMS, no framing: {policy}"
    );
}
