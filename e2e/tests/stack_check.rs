//! The stack test's accounting (`e2e::accounting`, run by `stack-check`)
//! against a real Postgres and a real API: what holds passes, and each way
//! the stack could break a promise is caught — a lost submission, one still
//! in flight, one given up on, a misjudged verdict, wrong points.

use std::time::Duration;

use domain::verdict::Verdict;
use domain::work::{Feedback, SubmissionStatus};
use e2e::accounting::{self, Sent};
use serde_json::Value;
use testkit::{test_signer, TestEnv};
use uuid::Uuid;

struct Run {
    env: TestEnv,
    api: programming_api::testing::Api,
    url: String,
    http: reqwest::Client,
    db: tokio_postgres::Client,
    records: Vec<String>,
}

impl Run {
    async fn start() -> Self {
        let env = TestEnv::new().await;
        let api =
            programming_api::testing::Api::start(programming_api::testing::config(&env)).await;
        let (db, conn) = tokio_postgres::connect(&env.database_url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        Self {
            url: format!("http://{}", api.addr),
            env,
            api,
            http: reqwest::Client::new(),
            db,
            records: Vec::new(),
        }
    }

    /// A learner, recorded as k6 records one.
    async fn learner(&mut self) -> String {
        let res = self
            .http
            .post(format!("{}/api/users", self.url))
            .send()
            .await
            .unwrap();
        let token = res.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_owned();
        let id = token.split('.').next().unwrap().to_owned();
        self.records.push(format!("{{\"learner\":\"{id}\"}}"));
        token
    }

    /// Submits to the greeting assignment and records what it must end in.
    async fn submit(&mut self, token: &str, code: &str, expect: &str) -> Uuid {
        let res = self
            .http
            .post(format!("{}/api/assignments/1/submissions", self.url))
            .bearer_auth(token)
            .json(&serde_json::json!({ "code": code }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 202);
        let id: Uuid = res.json::<Value>().await.unwrap()["submission"]["id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let learner = token.split('.').next().unwrap();
        self.records.push(format!(
            "{{\"submission\":\"{id}\",\"learner\":\"{learner}\",\"expect\":\"{expect}\"}}"
        ));
        id
    }

    /// Grades as a grader would, through the state machine.
    async fn grade(&self, id: Uuid, verdict: Verdict) {
        let work = self.env.work().await;
        let claimed = work
            .claim(domain::work::WorkRef::submission(id), false)
            .await
            .unwrap()
            .unwrap();
        let feedback = Feedback {
            summary: verdict.as_str().into(),
            ..Default::default()
        };
        let judged = store::work::Judged {
            verdict,
            feedback: &feedback,
            hidden: &[],
        };
        work.finish(&claimed, &judged).await.unwrap().unwrap();
    }

    async fn account(&self) -> accounting::Account {
        let sent = Sent::parse(&self.records.join("\n")).unwrap();
        accounting::account(&self.db, &self.http, &self.url, &test_signer(), &sent)
            .await
            .unwrap()
    }
}

/// Two learners: one passes, one fails, both as their code must.
async fn honest_run() -> (Run, Uuid, Uuid) {
    let mut run = Run::start().await;
    let (a, b) = (run.learner().await, run.learner().await);
    let pass = run
        .submit(&a, "def greet(name):\n    return 'x'\n", "passed")
        .await;
    let fail = run
        .submit(&b, "def greet(name):\n    return 'y'\n", "failed")
        .await;
    run.grade(pass, Verdict::Passed).await;
    run.grade(fail, Verdict::WrongAnswer).await;
    (run, pass, fail)
}

#[tokio::test]
async fn what_the_stack_kept_holds() {
    let (mut run, _, _) = honest_run().await;
    run.learner().await; // made, never submitted: 0 points
    let account = run.account().await;
    assert!(account.holds(), "{:?}", account.problems());
    assert_eq!(account.cells(), "2 | 2 | 0 | 0 | 0 | 3 learners, 0 wrong");
    let settled = accounting::settle(&run.db, Duration::from_secs(1))
        .await
        .unwrap();
    assert!(
        settled.is_some(),
        "nothing is in flight, yet it did not settle"
    );
    run.api.stop().await;
}

#[tokio::test]
async fn a_lost_submission_is_caught() {
    let (mut run, _, _) = honest_run().await;
    let learner = Uuid::new_v4();
    run.records.push(format!(
        "{{\"submission\":\"{}\",\"learner\":\"{learner}\",\"expect\":\"passed\"}}",
        Uuid::new_v4()
    ));
    let account = run.account().await;
    assert_eq!((account.accepted, account.stored), (3, 2));
    assert!(!account.holds());
    run.api.stop().await;
}

#[tokio::test]
async fn a_submission_in_flight_or_given_up_on_is_caught() {
    let (mut run, _, _) = honest_run().await;
    let c = run.learner().await;
    let waiting = run
        .submit(&c, "def greet(name):\n    return 'z'\n", "failed")
        .await;
    assert_eq!(
        accounting::settle(&run.db, Duration::from_millis(500))
            .await
            .unwrap(),
        None,
        "settled with a submission queued"
    );
    let account = run.account().await;
    assert_eq!(account.in_flight, 1);
    assert!(!account.holds());

    run.grade(waiting, Verdict::InternalError).await;
    let account = run.account().await;
    assert_eq!((account.in_flight, account.gave_up), (0, 1));
    assert!(!account.holds());
    run.api.stop().await;
}

#[tokio::test]
async fn a_misjudged_verdict_is_caught_both_ways() {
    let mut run = Run::start().await;
    let (a, b) = (run.learner().await, run.learner().await);
    let should_pass = run
        .submit(&a, "def greet(name):\n    return 1\n", "passed")
        .await;
    let should_fail = run
        .submit(&b, "def greet(name):\n    return 2\n", "failed")
        .await;
    run.grade(should_pass, Verdict::WrongAnswer).await;
    run.grade(should_fail, Verdict::Passed).await;
    let account = run.account().await;
    let misjudged: std::collections::HashSet<_> = account
        .misjudged
        .iter()
        .map(|(id, want, _)| (*id, *want))
        .collect();
    let expected = [
        (should_pass, SubmissionStatus::Passed),
        (should_fail, SubmissionStatus::Failed),
    ];
    assert_eq!(misjudged, expected.into_iter().collect());
    assert!(!account.holds());
    run.api.stop().await;
}

#[tokio::test]
async fn points_the_api_gets_wrong_are_caught() {
    let (run, pass, _) = honest_run().await;
    // raw write: a completion lost behind the state machine's back, so the
    // API's points (from completions) disagree with the passes in submissions.
    run.db
        .execute("DELETE FROM completions WHERE submission_id = $1", &[&pass])
        .await
        .unwrap();
    let account = run.account().await;
    assert_eq!(account.points_wrong.len(), 1, "{:?}", account.points_wrong);
    assert_eq!(account.points_wrong[0].1, 100);
    assert_eq!(account.points_wrong[0].2, "0");
    assert!(!account.holds());
    run.api.stop().await;
}
