use std::collections::HashMap;
use std::time::Duration;

use bollard::query_parameters::ListContainersOptions;
use domain::verdict::Verdict;
use domain::work::Feedback;
use grader::judge::judge;
use grader::sandbox::{
    new_nonce, DockerSandbox, ExecutionOutcome, ExecutionSpec, Limits, PoolSandbox, SandboxError,
    Task, TestSuite, SANDBOX_LABEL,
};
use testkit::TestEnv;
use uuid::Uuid;

pub use grader::testing::TAG;

/// Tests for hand-written submissions: `answer()` must return 42.
pub const ANSWER_TESTS: &str = "import unittest\n\nfrom solution import answer\n\n\nclass AnswerTest(unittest.TestCase):\n    def test_answer(self):\n        self.assertEqual(answer(), 42)\n";

pub async fn docker_sandbox() -> DockerSandbox {
    DockerSandbox::connect(
        TAG.to_owned(),
        &["python", "python-ds"],
        format!("test-{}", Uuid::new_v4().simple()),
        prometheus::Histogram::with_opts(prometheus::HistogramOpts::new("t", "t")).unwrap(),
    )
    .await
    .expect("Docker and the runner image (./test.sh builds it)")
}

/// What runs a spec: a per-submission container, or the pool's warm host.
/// Tests that hold for both take either.
#[allow(async_fn_in_trait)]
pub trait Runs {
    async fn run(
        &self,
        spec: &ExecutionSpec<'_>,
        nonce: &str,
    ) -> Result<ExecutionOutcome, SandboxError>;
}

impl Runs for DockerSandbox {
    async fn run(
        &self,
        spec: &ExecutionSpec<'_>,
        nonce: &str,
    ) -> Result<ExecutionOutcome, SandboxError> {
        self.execute(spec, nonce).await
    }
}

impl Runs for PoolSandbox {
    async fn run(
        &self,
        spec: &ExecutionSpec<'_>,
        nonce: &str,
    ) -> Result<ExecutionOutcome, SandboxError> {
        self.execute(spec, nonce).await
    }
}

/// A pool of `slots` warm hosts of the python runner.
pub async fn pool_sandbox(slots: usize) -> PoolSandbox {
    let docker = docker_sandbox().await;
    PoolSandbox::start(&docker, slots, &domain::runners::PYTHON, limits(2000))
        .await
        .expect("the pool's hosts start")
}

/// `tests` as the grader holds them: its ids listed as at course load.
pub fn suite(tests: &str, hidden: &[&str]) -> TestSuite {
    let ids = courseload::listers::python::list(&[tests])
        .unwrap()
        .remove(0)
        .expect("the tests load")
        .ids;
    TestSuite {
        code: tests.to_owned(),
        hidden: ids
            .iter()
            .filter(|id| hidden.iter().any(|h| id.ends_with(&format!(".{h}"))))
            .cloned()
            .collect(),
        ids,
        skip: Vec::new(),
        kind: domain::course::Kind::Code,
    }
}

/// An assignment's limits with the per-test limit it gets by default.
pub fn limits(limit_ms: u64) -> Limits {
    let test_ms = domain::course::default_test_time_limit_ms(limit_ms as i32) as u64;
    Limits::new(limit_ms, test_ms, 128)
}

/// Runs `solution` against `tests` in a fresh container and judges it.
pub async fn grade(
    sandbox: &impl Runs,
    solution: &str,
    tests: &str,
    limit_ms: u64,
) -> (Verdict, Feedback) {
    grade_with(sandbox, solution, &suite(tests, &[]), limits(limit_ms)).await
}

pub async fn grade_with(
    sandbox: &impl Runs,
    solution: &str,
    tests: &TestSuite,
    limits: Limits,
) -> (Verdict, Feedback) {
    grade_as(sandbox, &domain::runners::PYTHON, solution, tests, limits).await
}

/// [`grade_with`] in `runner`'s image.
pub async fn grade_as(
    sandbox: &impl Runs,
    runner: &'static domain::runners::Runner,
    solution: &str,
    tests: &TestSuite,
    limits: Limits,
) -> (Verdict, Feedback) {
    let nonce = new_nonce();
    let spec = ExecutionSpec {
        job_id: Uuid::new_v4(),
        runner,
        task: Task::Grade { solution, tests },
        limits,
    };
    let outcome = sandbox.run(&spec, &nonce).await.expect("the sandbox runs");
    judge(&outcome, &nonce, tests, runner, &limits)
}

/// Sandbox containers on this machine whose grader label starts with `prefix`.
pub async fn sandbox_containers(grader_label_prefix: &str) -> usize {
    labelled_containers("1", grader_label_prefix).await
}

/// The pool's warm hosts on this machine whose grader label starts with `prefix`.
pub async fn host_containers(grader_label_prefix: &str) -> usize {
    labelled_containers(grader::sandbox::HOST_LABEL_VALUE, grader_label_prefix).await
}

async fn labelled_containers(sandbox: &str, grader_label_prefix: &str) -> usize {
    let docker = bollard::Docker::connect_with_local_defaults()
        .unwrap()
        .negotiate_version()
        .await
        .unwrap();
    let filters = HashMap::from([(
        "label".to_owned(),
        vec![format!("{SANDBOX_LABEL}={sandbox}")],
    )]);
    docker
        .list_containers(Some(ListContainersOptions {
            all: true,
            filters: Some(filters),
            ..Default::default()
        }))
        .await
        .unwrap()
        .iter()
        .filter(|c| {
            c.labels
                .as_ref()
                .and_then(|l| l.get(grader::sandbox::GRADER_LABEL))
                .is_some_and(|g| g.starts_with(grader_label_prefix))
        })
        .count()
}

pub use grader::testing::{config, Running};

/// Makes a learner and submits `code` for them, as the API does (queued
/// and pushed); returns (learner, submission).
pub async fn submit(env: &TestEnv, assignment_slug: &str, code: &str) -> (Uuid, Uuid) {
    let client = env.pool.get().await.unwrap();
    let user = Uuid::new_v4();
    client
        .execute("INSERT INTO users (id) VALUES ($1)", &[&user])
        .await
        .unwrap();
    let assignment: i32 = client
        .query_one(
            "SELECT id FROM assignments WHERE slug = $1",
            &[&assignment_slug],
        )
        .await
        .unwrap()
        .get("id");
    let created = env
        .submissions()
        .await
        .create(user, assignment, code, i64::MAX, 0, chrono::Utc::now())
        .await
        .unwrap();
    assert!(
        !created.reused,
        "a verdict was reused; make the code unique"
    );
    (user, created.submission.id)
}

/// Waits until the submission is final; returns (status, verdict, attempts).
pub async fn final_state(env: &TestEnv, id: Uuid, wait: Duration) -> (String, Option<String>, i32) {
    let client = env.pool.get().await.unwrap();
    let read = || async {
        let row = client
            .query_one(
                "SELECT status::text AS status, verdict, attempts FROM submissions WHERE id = $1",
                &[&id],
            )
            .await
            .unwrap();
        (
            row.get::<_, String>("status"),
            row.get("verdict"),
            row.get("attempts"),
        )
    };
    testkit::eventually(wait, || async {
        !matches!(read().await.0.as_str(), "queued" | "grading")
    })
    .await;
    read().await
}

pub fn source(slug: &str, file: &str) -> String {
    let course =
        courseload::assignments::load_course(&courseload::assignments::repository_course_dir())
            .unwrap();
    let a = course.into_iter().find(|a| a.slug == slug).unwrap();
    match file {
        "solution" => a.solution_code,
        "starter" => a.starter_code,
        "tests" => a.test_code,
        _ => unreachable!(),
    }
}
