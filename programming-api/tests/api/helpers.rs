//! The app under test, started in-process on port 0.

use domain::work::{WorkKind, WorkRef};
use programming_api::config::Config;
use programming_api::context::AppContext;
use programming_api::testing::Api;
pub use programming_api::testing::{config, repository};
use queue::jobs::JobQueue;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use testkit::TestEnv;
use uuid::Uuid;

pub struct TestApp {
    pub addr: std::net::SocketAddr,
    /// `/healthz`, `/readyz` and `/metrics`.
    pub admin_addr: std::net::SocketAddr,
    pub http: reqwest::Client,
    pub env: TestEnv,
    pub ctx: AppContext,
    api: Api,
}

pub struct Learner {
    pub id: Uuid,
    pub token: String,
}

impl TestApp {
    pub async fn spawn() -> Self {
        let env = TestEnv::empty().await;
        let config = config(&env);
        Self::start(env, config).await
    }

    pub async fn start(env: TestEnv, config: Config) -> Self {
        let api = Api::start(config).await;
        Self {
            addr: api.addr,
            admin_addr: api.admin_addr,
            http: reqwest::Client::new(),
            ctx: api.ctx.clone(),
            env,
            api,
        }
    }

    /// Stops the server and waits for it to drain.
    pub async fn stop(self) -> (TestEnv, Config) {
        (self.env, self.api.stop().await)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// The admin port's `/metrics`, as text.
    pub async fn metrics(&self) -> String {
        let url = format!("http://{}/metrics", self.admin_addr);
        self.http
            .get(url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
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

    /// Finishes a submission as the grader does, through the same life:
    /// claim, then the verdict (and the completion on a pass).
    pub async fn grade(&self, submission_id: &str, verdict: &str) {
        let id: Uuid = submission_id.parse().unwrap();
        let verdict = domain::verdict::Verdict::parse(verdict).unwrap();
        let feedback = domain::work::Feedback {
            summary: verdict.as_str().to_owned(),
            duration_ms: 5,
            ..Default::default()
        };
        self.finish_as_grader(WorkRef::submission(id), verdict, &feedback, &[])
            .await;
    }

    /// Claims `work` (a redelivery may take it over) and writes `verdict`,
    /// as a grader does.
    pub async fn finish_as_grader(
        &self,
        work: WorkRef,
        verdict: domain::verdict::Verdict,
        feedback: &domain::work::Feedback,
        hidden: &[domain::work::TestOutcome],
    ) -> store::work::Finished {
        let claimed = self
            .ctx
            .work
            .claim(work, true)
            .await
            .unwrap()
            .expect("the work is in flight");
        let judged = store::work::Judged {
            verdict,
            feedback,
            hidden,
        };
        self.ctx
            .work
            .finish(&claimed, &judged)
            .await
            .unwrap()
            .expect("the claimed work finishes")
    }

    /// The `n` a counting query (`SELECT count(*) AS n …`) answers.
    pub async fn count(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> i64 {
        let client = self.ctx.pool.get().await.unwrap();
        client.query_one(sql, params).await.unwrap().get("n")
    }

    pub async fn stream_ids(&self) -> std::collections::HashSet<Uuid> {
        self.jobs().in_streams(WorkKind::Submission).await.unwrap()
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

pub use testkit::eventually;
