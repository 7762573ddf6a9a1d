//! The benchmark `scripts/bench-notebook.sh` runs (ignored by the suite):
//! submit → verdict for a notebook assignment against a `.py` assignment of
//! the same code and tests, alternating, through the API, a grader in Docker
//! and the gateway's socket; and a sandbox's start in the data-science image
//! against the plain one. Writes one line per measurement to `BENCH_OUT`.

use std::time::{Duration, Instant};

use e2e::{repo, start_stack};
use futures::StreamExt;
use grader::sandbox::{new_nonce, DockerSandbox, ExecutionSpec, Limits, Task, TestSuite};
use serde_json::{json, Value};
use testkit::TestEnv;

/// A course of word statistics twice: as the notebook, and as a `.py`
/// assignment whose solution is the notebook's code cells joined.
fn twin_course() -> (std::path::PathBuf, String, String) {
    let source = repo().join("courses/intro/14-word-stats");
    let root = std::env::temp_dir().join(format!("cp-twin-{}", uuid::Uuid::new_v4().simple()));
    let course = root.join("intro");
    let (nb, py) = (course.join("01-words-nb"), course.join("02-words-py"));
    std::fs::create_dir_all(&nb).unwrap();
    std::fs::create_dir_all(&py).unwrap();
    std::fs::write(
        course.join("course.toml"),
        "title = \"Twins\"\njoin = \"open\"\n",
    )
    .unwrap();
    for f in [
        "assignment.toml",
        "starter.ipynb",
        "solution.ipynb",
        "test_solution.py",
    ] {
        std::fs::copy(source.join(f), nb.join(f)).unwrap();
    }
    let reference = std::fs::read_to_string(source.join("solution.ipynb")).unwrap();
    let code: String = domain::notebook::Notebook::from_text(&reference)
        .unwrap()
        .code_cells()
        .into_iter()
        .map(|c| c.source + "\n\n")
        .collect();
    std::fs::copy(source.join("test_solution.py"), py.join("test_solution.py")).unwrap();
    std::fs::write(py.join("solution.py"), &code).unwrap();
    std::fs::write(py.join("starter.py"), "").unwrap();
    std::fs::write(py.join("handout.md"), "# Word statistics as code\n").unwrap();
    std::fs::write(
        py.join("assignment.toml"),
        "title = \"Words\"\ntime_limit_ms = 3000\nmemory_limit_mb = 128\n",
    )
    .unwrap();
    (root, reference, code)
}

#[tokio::test]
#[ignore = "a benchmark: scripts/bench-notebook.sh"]
async fn bench_notebook_against_py_and_the_data_science_image() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rounds: usize = std::env::var("ROUNDS").map_or(10, |n| n.parse().unwrap());
    let mut lines = starts(rounds).await;

    let env = TestEnv::empty().await;
    let (root, notebook, code) = twin_course();
    let stack = start_stack(&env, &root).await;
    let http = reqwest::Client::new();
    let token = e2e::learner_token(&http, &stack.api_url).await;
    let (mut socket, _) =
        tokio_tungstenite::connect_async(format!("{}?token={token}", stack.ws_url))
            .await
            .unwrap();
    let nb_id = e2e::assignment_id(&http, &stack.api_url, "words-nb").await;
    let py_id = e2e::assignment_id(&http, &stack.api_url, "words-py").await;
    // One warm-up of each, then the rounds, alternating.
    for round in 0..=rounds {
        for (label, id) in [("nb", &nb_id), ("py", &py_id)] {
            // Unique each time: no verdict is reused.
            let body = if label == "nb" {
                let mut nb: Value = serde_json::from_str(&notebook).unwrap();
                nb["cells"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"cell_type": "code", "metadata": {},
                    "execution_count": null, "outputs": [], "source": format!("# round {round}")}));
                json!({ "notebook": nb })
            } else {
                json!({ "code": format!("{code}# round {round}\n") })
            };
            let started = Instant::now();
            let res = http
                .post(format!(
                    "{}/api/assignments/{id}/submissions",
                    stack.api_url
                ))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 202, "{label}");
            let sub: Value = res.json().await.unwrap();
            let sid = sub["submission"]["id"].as_str().unwrap().to_owned();
            let verdict = tokio::time::timeout(Duration::from_secs(60), async {
                loop {
                    let text = socket.next().await.unwrap().unwrap().into_text().unwrap();
                    let event: Value = serde_json::from_str(text.as_str()).unwrap();
                    let s = &event["submission"];
                    if s["id"] == sid.as_str() && s["verdict"].is_string() {
                        return s["verdict"].as_str().unwrap().to_owned();
                    }
                }
            })
            .await
            .unwrap();
            assert_eq!(verdict, "passed", "{label}");
            if round > 0 {
                lines.push(format!("submit {label} {}", started.elapsed().as_millis()));
            }
        }
    }
    let out = std::env::var("BENCH_OUT").unwrap_or_else(|_| "target/notebook-bench.txt".into());
    std::fs::write(&out, lines.join("\n") + "\n").unwrap();
    let _ = std::fs::remove_dir_all(&root);
}

/// A trivial job's whole sandbox run (create, start, run, remove) in each
/// image: the first after the page cache is dropped, then `rounds` more,
/// alternating.
async fn starts(rounds: usize) -> Vec<String> {
    let sandbox = DockerSandbox::connect(
        "latest".into(),
        &["python", "python-ds"],
        format!("bench-{}", uuid::Uuid::new_v4().simple()),
        prometheus::Histogram::with_opts(prometheus::HistogramOpts::new("t", "t")).unwrap(),
    )
    .await
    .unwrap();
    let tests = "import unittest\nimport solution\n\nclass Q1(unittest.TestCase):\n    def test_x(self):\n        self.assertEqual(solution.x, 1)\n";
    let suite = TestSuite {
        code: tests.into(),
        ids: vec!["test_solution.Q1.test_x".into()],
        hidden: Vec::new(),
        skip: Vec::new(),
        kind: domain::course::Kind::Code,
    };
    let run = |runner: &'static domain::runners::Runner, code: &'static str| {
        let (sandbox, suite) = (&sandbox, &suite);
        async move {
            let spec = ExecutionSpec {
                job_id: uuid::Uuid::new_v4(),
                runner,
                task: Task::Grade {
                    solution: code,
                    tests: suite,
                },
                limits: Limits::new(10_000, 10_000, 256),
            };
            let started = Instant::now();
            sandbox.execute(&spec, &new_nonce()).await.unwrap();
            started.elapsed().as_millis()
        }
    };
    let images = [
        ("plain", &domain::runners::PYTHON, "x = 1"),
        ("ds", &domain::runners::PYTHON_DS, "x = 1"),
        (
            "ds-pandas",
            &domain::runners::PYTHON_DS,
            "import pandas\nx = 1",
        ),
    ];
    let mut lines = Vec::new();
    for (label, runner, code) in images {
        let dropped = std::fs::write("/proc/sys/vm/drop_caches", "3").is_ok();
        let ms = run(runner, code).await;
        lines.push(format!(
            "first {label} {ms} {}",
            if dropped { "cold" } else { "warm" }
        ));
    }
    for _ in 0..rounds {
        for (label, runner, code) in images {
            lines.push(format!("start {label} {}", run(runner, code).await));
        }
    }
    lines
}
