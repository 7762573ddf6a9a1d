//! End-to-end tests (see `tests/`): the API, a grader and the gateway
//! started in-process against real Postgres, Redis and Docker, driven by a
//! headless Chromium (`browser.rs`) or by plain HTTP and WebSocket clients
//! (`hidden.rs`). This library holds what they share, starting the stack, and
//! the stack test's accounting (`accounting`, `k6`, run by `stack-check`).

pub mod accounting;
pub mod k6;

use std::path::{Path, PathBuf};
use std::time::Duration;

use testkit::TestEnv;

/// The repository's root.
pub fn repo() -> PathBuf {
    programming_api::testing::repository()
}

/// API, grader and gateway running in this process against `env`.
pub struct Stack {
    pub api_url: String,
    pub ws_url: String,
    pub api: programming_api::testing::Api,
    pub grader: grader::testing::Running,
    /// Taken by a test that stops the gateway on its own.
    pub gateway: Option<websocket::testing::Running>,
}

/// Starts the three services, the API serving the courses in `courses_dir`
/// and telling the page where the gateway is, each as its own `testing`
/// module starts it.
pub async fn start_stack(env: &TestEnv, courses_dir: &Path) -> Stack {
    start_stack_with(env, courses_dir, |_| {}).await
}

/// [`start_stack`], the API's config changed by `adjust` first (an LTI
/// tool's settings, say).
pub async fn start_stack_with(
    env: &TestEnv,
    courses_dir: &Path,
    adjust: impl FnOnce(&mut programming_api::config::Config),
) -> Stack {
    let gateway = websocket::testing::Running::start(websocket::testing::config(
        env.redis.clone(),
        env.names.prefix(),
    ))
    .await;
    let mut api_config = programming_api::testing::config(env);
    api_config.courses_dir = courses_dir.to_owned();
    api_config.ws_public_url = Some(gateway.url());
    api_config.reconcile_interval = Duration::from_secs(1);
    api_config.reconcile_stale = Duration::from_secs(30);
    adjust(&mut api_config);
    let api = programming_api::testing::Api::start(api_config).await;
    let mut grader_config =
        grader::testing::config(env, &format!("e2e-{}", uuid::Uuid::new_v4().simple()));
    grader_config.visibility = Duration::from_secs(30);
    let grader = grader::testing::Running::start(grader_config).await;
    Stack {
        api_url: format!("http://{}", api.addr),
        ws_url: gateway.url(),
        api,
        grader,
        gateway: Some(gateway),
    }
}

/// A new learner's token, made through the API by `http`.
pub async fn learner_token(http: &reqwest::Client, api: &str) -> String {
    let body: serde_json::Value = http
        .post(format!("{api}/api/users"))
        .send()
        .await
        .expect("the API answers")
        .json()
        .await
        .expect("a JSON learner");
    body["token"].as_str().expect("a token").to_owned()
}

/// Makes `root/intro/`, the default course, open to all, and returns it: a
/// test writes its assignment folders there and serves `root`.
pub fn default_course_in(root: &Path) -> PathBuf {
    let course = root.join("intro");
    std::fs::create_dir_all(&course).expect("a course folder");
    std::fs::write(
        course.join("course.toml"),
        "title = \"Test course\"\njoin = \"open\"\n",
    )
    .expect("course.toml");
    course
}

/// The default course's assignments, as the API lists them.
async fn assignments(http: &reqwest::Client, api: &str) -> Vec<serde_json::Value> {
    http.get(format!("{api}/api/assignments"))
        .send()
        .await
        .expect("the API answers")
        .json()
        .await
        .expect("a JSON list")
}

/// The id of the default course's first assignment, as the API lists it.
pub async fn first_assignment(http: &reqwest::Client, api: &str) -> i32 {
    assignments(http, api).await[0]["id"]
        .as_i64()
        .expect("an assignment") as i32
}

/// The id of the default course's assignment `slug`.
pub async fn assignment_id(http: &reqwest::Client, api: &str, slug: &str) -> i32 {
    let list = assignments(http, api).await;
    let found = list.iter().find(|a| a["slug"] == slug);
    found
        .and_then(|a| a["id"].as_i64())
        .expect("the assignment is listed") as i32
}

/// Submits `code` to `assignment` as the learner `token`.
pub async fn submit_code(
    http: &reqwest::Client,
    api: &str,
    token: &str,
    assignment: i32,
    code: &str,
) -> reqwest::Response {
    http.post(format!("{api}/api/assignments/{assignment}/submissions"))
        .bearer_auth(token)
        .json(&serde_json::json!({ "code": code }))
        .send()
        .await
        .expect("the API answers")
}

/// The default course packed with only its first `keep` assignment folders
/// (a check of a few is quick), `change` made to them first.
pub fn course_archive(keep: usize, change: impl FnOnce(&Path)) -> Vec<u8> {
    testkit::course_archive(&repo().join("courses/intro"), |dir| {
        let mut folders: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("the copied course")
            .map(|e| e.expect("an entry").path())
            .filter(|p| p.is_dir())
            .collect();
        folders.sort();
        for gone in folders.iter().skip(keep) {
            std::fs::remove_dir_all(gone).expect("a folder removed");
        }
        change(dir)
    })
}

/// A new member of staff of the default course, signed in: their token.
pub async fn staff_token(stack: &Stack, role: service::token::Role, name: &str) -> String {
    let password = format!("{name}'s long test password");
    programming_api::staff::add(&stack.api.ctx.pool, "intro", role, name, &password)
        .await
        .expect("a member of staff");
    let session: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/api/staff/sessions", stack.api_url))
        .json(&serde_json::json!({"username": name, "password": password}))
        .send()
        .await
        .expect("the API answers")
        .json()
        .await
        .expect("a session");
    session["token"].as_str().expect("a token").to_owned()
}
