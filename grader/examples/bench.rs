//! Grader benchmark: the container floor, the machine's limit without
//! isolation (bare `python3 -I` running the greeting's tests, two at a
//! time), and for each sandbox (`docker`, a container per run; `pool`, warm
//! hosts) end-to-end latency from a submission (its row inserted and its
//! job pushed, as the API does) to the published verdict, and throughput
//! with 1, 2 and 3 replicas on a backlog. Prints a markdown section;
//! `scripts/bench-grader.sh` records it.
//!
//! Needs DATABASE_URL and REDIS_URL (a throwaway cluster) and Docker.

use std::time::{Duration, Instant};

use futures::StreamExt;
use grader::config::{Config, SandboxKind};
use grader::testing::Running;
use testkit::TestEnv;
use uuid::Uuid;

const LATENCY_RUNS: usize = 30;
const BACKLOG: usize = 200;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx]
}

fn ms(d: Duration) -> String {
    format!("{:.0}", d.as_secs_f64() * 1000.0)
}

fn config(env: &TestEnv, name: &str, concurrency: usize, sandbox: SandboxKind) -> Config {
    let mut config = grader::testing::config(env, &format!("{name}-{}", Uuid::new_v4().simple()));
    config.concurrency = concurrency;
    config.sandbox = sandbox;
    config.visibility = Duration::from_secs(60);
    config
}

/// Submits `n` trivial passing programs, each from a learner of its own,
/// as the API does: queued and pushed onto the stream.
async fn submit(env: &TestEnv, n: usize) -> Vec<Uuid> {
    let client = env.pool.get().await.unwrap();
    let submissions = env.submissions().await;
    let greeting: i32 = client
        .query_one("SELECT id FROM assignments WHERE slug = 'greeting'", &[])
        .await
        .unwrap()
        .get("id");
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let user = Uuid::new_v4();
        let code = format!(
            "# {user} {i}\ndef greet(name):\n    return f\"Hello, {{name or 'world'}}!\"\n"
        );
        client
            .execute("INSERT INTO users (id) VALUES ($1)", &[&user])
            .await
            .unwrap();
        let created = submissions
            .create(user, greeting, &code, i64::MAX, 0, chrono::Utc::now())
            .await
            .unwrap();
        ids.push(created.submission.id);
    }
    ids
}

async fn floor() -> Vec<Duration> {
    let mut runs = Vec::new();
    for _ in 0..15 {
        let t = Instant::now();
        let ok = tokio::process::Command::new("docker")
            .args([
                "run",
                "--rm",
                "codeplatform/python-runner:latest",
                "python3",
                "-c",
                "pass",
            ])
            .status()
            .await
            .unwrap()
            .success();
        assert!(ok);
        runs.push(t.elapsed());
    }
    runs.sort();
    runs
}

/// Latency samples, and the mean container attach + start within them.
async fn latency(env: &TestEnv, sandbox: SandboxKind) -> (Vec<Duration>, Duration) {
    let running = Running::start(config(env, "bench-latency", 1, sandbox)).await;
    let mut pubsub = env.redis.get_async_pubsub().await.unwrap();
    pubsub.subscribe(env.names.events_channel()).await.unwrap();
    let mut events = pubsub.into_on_message();
    let mut samples = Vec::new();
    for i in 0..LATENCY_RUNS + 3 {
        let t = Instant::now();
        let id = submit(env, 1).await[0];
        loop {
            let msg = events.next().await.unwrap();
            let v: serde_json::Value = serde_json::from_slice(msg.get_payload_bytes()).unwrap();
            if v["submission"]["id"] == id.to_string() && v["submission"]["status"] == "passed" {
                break;
            }
            assert_ne!(
                v["submission"]["status"], "failed",
                "the benchmark program must pass"
            );
        }
        // The first runs warm the caches; they are not counted.
        if i >= 3 {
            samples.push(t.elapsed());
        }
    }
    let start = &running.grader.metrics.container_start_seconds;
    let mean_start =
        Duration::from_secs_f64(start.get_sample_sum() / start.get_sample_count().max(1) as f64);
    running.stop().await;
    samples.sort();
    (samples, mean_start)
}

async fn throughput(
    env: &TestEnv,
    replicas: usize,
    concurrency: usize,
    sandbox: SandboxKind,
) -> f64 {
    let ids = submit(env, BACKLOG).await;
    let started = Instant::now();
    let mut running = Vec::new();
    for r in 0..replicas {
        let config = config(env, &format!("bench-{r}"), concurrency, sandbox);
        running.push(Running::start(config).await);
    }
    let client = env.pool.get().await.unwrap();
    loop {
        let left: i64 = client
            .query_one(
                "SELECT count(*) AS n FROM submissions
                 WHERE id = ANY($1) AND status IN ('queued', 'grading')",
                &[&ids],
            )
            .await
            .unwrap()
            .get("n");
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let elapsed = started.elapsed();
    let passed: i64 = client
        .query_one(
            "SELECT count(*) AS n FROM submissions WHERE id = ANY($1) AND status = 'passed'",
            &[&ids],
        )
        .await
        .unwrap()
        .get("n");
    assert_eq!(passed as usize, BACKLOG, "every benchmark job must pass");
    for replica in running {
        replica.stop().await;
    }
    BACKLOG as f64 / elapsed.as_secs_f64()
}

/// The machine's limit without isolation: the greeting's tests run by bare
/// `python3 -I` under unittest, two at a time, 40 runs each; runs per second.
async fn no_isolation() -> f64 {
    let dir = std::env::temp_dir().join(format!("cp-bench-bare-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let course =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../courses/intro/01-greeting");
    for file in ["solution.py", "test_solution.py"] {
        std::fs::copy(course.join(file), dir.join(file)).unwrap();
    }
    let one = |dir: std::path::PathBuf| async move {
        for _ in 0..40 {
            // Debian's, as in the runner image (not whatever `python3` the
            // PATH finds first: a version manager's shim costs 150 ms).
            let ok = tokio::process::Command::new("/usr/bin/python3")
                .args([
                    "-I",
                    "-c",
                    "import sys, unittest; sys.path.insert(0, '.'); \
                     unittest.main(module='test_solution', argv=['bench'], exit=True)",
                ])
                .current_dir(&dir)
                .stderr(std::process::Stdio::null())
                .status()
                .await
                .unwrap()
                .success();
            assert!(ok, "the greeting's tests pass under bare python3");
        }
    };
    let started = Instant::now();
    tokio::join!(one(dir.clone()), one(dir.clone()));
    let rate = 80.0 / started.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(&dir);
    rate
}

#[tokio::main]
async fn main() {
    let env = TestEnv::new().await;
    let floor = floor().await;
    let floor_med = percentile(&floor, 0.5);
    let bare = no_isolation().await;
    println!("| measure | value |");
    println!("| --- | ---: |");
    println!("| floor: `docker run --rm codeplatform/python-runner python3 -c pass`, median of {} | {} ms |", floor.len(), ms(floor_med));
    println!("| no isolation: bare `python3 -I`, the greeting's tests under unittest, two at a time | {bare:.1} runs/s |");
    for (sandbox, name) in [(SandboxKind::Docker, "docker"), (SandboxKind::Pool, "pool")] {
        let (lat, mean_start) = latency(&env, sandbox).await;
        let one = throughput(&env, 1, 2, sandbox).await;
        let two = throughput(&env, 2, 2, sandbox).await;
        let three = throughput(&env, 3, 2, sandbox).await;
        let lat_med = percentile(&lat, 0.5);
        println!("| {name}: latency, submitted (row + XADD) to published verdict, trivial passing submission, median of {} | {} ms |", lat.len(), ms(lat_med));
        println!(
            "| {name}: the same, p95 | {} ms |",
            ms(percentile(&lat, 0.95))
        );
        println!(
            "| {name}: latency ÷ floor | {:.2} |",
            lat_med.as_secs_f64() / floor_med.as_secs_f64()
        );
        if sandbox == SandboxKind::Docker {
            println!(
                "| {name}: within it, container attach + start, mean | {} ms |",
                ms(mean_start)
            );
        }
        println!("| {name}: throughput, 1 replica × 2 jobs in flight, backlog of {BACKLOG} | {one:.1} submissions/s |");
        println!("| {name}: throughput, 2 replicas × 2 jobs in flight, backlog of {BACKLOG} | {two:.1} submissions/s |");
        println!("| {name}: throughput, 3 replicas × 2 jobs in flight, backlog of {BACKLOG} | {three:.1} submissions/s |");
        println!(
            "| {name}: throughput (1 replica × 2) ÷ no-isolation limit | {:.2} |",
            one / bare
        );
    }
}
