//! The app under test, started in-process on port 0.

use std::path::PathBuf;
use std::time::Duration;

use common::jobs::JobQueue;
use common::testing::TestEnv;
use programming_api::config::Config;
use programming_api::context::AppContext;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

pub const SECRET: &[u8] = b"test-secret-test-secret-test-secret!";

pub struct TestApp {
    pub addr: std::net::SocketAddr,
    pub http: reqwest::Client,
    pub env: TestEnv,
    pub ctx: AppContext,
    pub config: Config,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

pub struct Learner {
    pub id: Uuid,
    pub token: String,
}

pub fn repo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A config for `env`, overridable before [`TestApp::start`].
pub fn config_for(env: &TestEnv) -> Config {
    Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        database: env.database_url.parse().unwrap(),
        redis: env.redis.clone(),
        signer: common::token::TokenSigner::new(SECRET).unwrap(),
        course_dir: repo_dir().join("assignments"),
        ui_dir: repo_dir().join("ui"),
        redis_prefix: env.names.prefix().to_owned(),
        pool_size: 16,
        cache_ttl: Duration::from_secs(300),
        query_cache: true,
        reconcile_interval: Duration::from_millis(200),
        reconcile_stale: Duration::from_millis(500),
    }
}

impl TestApp {
    pub async fn spawn() -> Self {
        let env = TestEnv::empty().await;
        let config = config_for(&env);
        Self::start(env, config).await
    }

    pub async fn start(env: TestEnv, config: Config) -> Self {
        let ctx = programming_api::build(&config).await.expect("app builds");
        let listener = tokio::net::TcpListener::bind(config.addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let run_ctx = ctx.clone();
        let run_config = config.clone();
        let task = tokio::spawn(async move {
            programming_api::run(listener, run_ctx, &run_config, async {
                let _ = stopped.await;
            })
            .await;
        });
        Self {
            addr,
            http: reqwest::Client::new(),
            env,
            ctx,
            config,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Stops the server and waits for it to drain.
    pub async fn stop(mut self) -> (TestEnv, Config) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap();
        }
        (self.env, self.config)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn jobs(&self) -> JobQueue {
        self.ctx.jobs.clone()
    }

    pub async fn learner(&self) -> Learner {
        let res = self.http.post(self.url("/api/users")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        let body: Value = res.json().await.unwrap();
        Learner {
            id: body["user_id"].as_str().unwrap().parse().unwrap(),
            token: body["token"].as_str().unwrap().to_owned(),
        }
    }

    pub async fn get(&self, path: &str, learner: Option<&Learner>) -> Response {
        let mut req = self.http.get(self.url(path));
        if let Some(l) = learner {
            req = req.bearer_auth(&l.token);
        }
        req.send().await.unwrap()
    }

    pub async fn submit(&self, learner: &Learner, assignment_id: i32, code: &str) -> Response {
        self.http
            .post(self.url(&format!("/api/assignments/{assignment_id}/submissions")))
            .bearer_auth(&learner.token)
            .json(&json!({ "code": code }))
            .send()
            .await
            .unwrap()
    }

    pub async fn delete(&self, learner: &Learner, submission_id: &str) -> Response {
        self.http
            .delete(self.url(&format!("/api/submissions/{submission_id}")))
            .bearer_auth(&learner.token)
            .send()
            .await
            .unwrap()
    }

    /// The first assignment's id (the course is ordered by position).
    pub async fn first_assignment(&self) -> i32 {
        self.assignment_ids().await[0]
    }

    pub async fn assignment_ids(&self) -> Vec<i32> {
        let list: Vec<Value> = self
            .get("/api/assignments", None)
            .await
            .json()
            .await
            .unwrap();
        list.iter()
            .map(|a| a["id"].as_i64().unwrap() as i32)
            .collect()
    }

    /// Finishes a submission as the grader does, through the same state
    /// machine: claim, then the verdict (and the completion on a pass).
    pub async fn grade(&self, submission_id: &str, verdict: &str) {
        let id: Uuid = submission_id.parse().unwrap();
        let verdict = common::domain::Verdict::parse(verdict).unwrap();
        let submissions = &self.ctx.submissions;
        let claimed = submissions
            .claim(id, true)
            .await
            .unwrap()
            .expect("the submission is in flight");
        let feedback = common::domain::Feedback {
            summary: verdict.as_str().to_owned(),
            duration_ms: 5,
            ..Default::default()
        };
        submissions
            .finish(id, verdict, &feedback, &claimed.content_hash)
            .await
            .unwrap()
            .expect("the claimed submission finishes");
    }

    pub async fn stream_ids(&self) -> std::collections::HashSet<Uuid> {
        self.jobs().submissions_in_stream().await.unwrap()
    }
}

/// Asserts the JSON error shape and returns its code.
pub async fn error_code(res: Response) -> String {
    let status = res.status();
    let body: Value = res
        .json()
        .await
        .unwrap_or_else(|e| panic!("status {status}: body is not JSON: {e}"));
    let code = body["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("status {status}: no error.code in {body}"));
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "no error.message in {body}"
    );
    code.to_owned()
}

/// Polls `check` until it holds or `timeout` passes.
pub async fn eventually<F, Fut>(timeout: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if check().await {
            return true;
        }
        if tokio::time::Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
