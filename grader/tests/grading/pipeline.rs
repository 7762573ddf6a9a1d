//! The pipeline end to end: stream in, verdict in Postgres, event out; and
//! what happens when deliveries repeat, graders die, or two share the work.

use std::time::Duration;

use futures::StreamExt;
use serde_json::Value;
use testkit::TestEnv;
use uuid::Uuid;

use crate::helpers::{
    config, docker_sandbox, final_state, sandbox_containers, source, submit, Running,
};

/// Collects every event published for the test's prefix.
async fn listen(env: &TestEnv) -> tokio::sync::mpsc::UnboundedReceiver<Value> {
    let mut pubsub = env.redis.get_async_pubsub().await.unwrap();
    pubsub.subscribe(env.names.events_channel()).await.unwrap();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut messages = pubsub.into_on_message();
        while let Some(m) = messages.next().await {
            let payload: Vec<u8> = m.get_payload_bytes().to_vec();
            if tx.send(serde_json::from_slice(&payload).unwrap()).is_err() {
                return;
            }
        }
    });
    rx
}

fn statuses_for(events: &mut tokio::sync::mpsc::UnboundedReceiver<Value>, id: Uuid) -> Vec<String> {
    let mut out = Vec::new();
    while let Ok(e) = events.try_recv() {
        if e["submission"]["id"] == id.to_string() {
            out.push(e["submission"]["status"].as_str().unwrap().to_owned());
        }
    }
    out
}

/// The grader binary as a child process, with a 2 s visibility timeout.
pub fn spawn_grader_binary(env: &TestEnv, consumer: &str, sandbox: &str) -> tokio::process::Child {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_grader"))
        .env("DATABASE_URL", &env.database_url)
        .env("REDIS_URL", &env.redis_url)
        .env("REDIS_PREFIX", env.names.prefix())
        .env("GRADER_SANDBOX", sandbox)
        .env("GRADER_CONSUMER", consumer)
        .env("GRADER_VISIBILITY_MS", "2000")
        .env("GRADER_METRICS_ADDR", "127.0.0.1:0")
        .env("RUST_LOG", "warn")
        .kill_on_drop(true)
        .spawn()
        .expect("the grader binary starts")
}

/// Waits up to 5 s for a grader to take the submission.
async fn reaches_grading(env: &TestEnv, id: Uuid) -> bool {
    let client = env.pool.get().await.unwrap();
    for _ in 0..200 {
        let status: String = client
            .query_one(
                "SELECT status::text AS status FROM submissions WHERE id = $1",
                &[&id],
            )
            .await
            .unwrap()
            .get("status");
        if status == "grading" {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    false
}

/// A passing greeting that takes `secs` in all, spread over the four tests
/// so that each stays within its own limit.
fn slow_solution(secs: f32) -> String {
    format!(
        "import time\n{}\n_greet = greet\n\ndef greet(name):\n    time.sleep({secs} / 4)\n    return _greet(name)\n",
        source("greeting", "solution")
    )
}

/// Submits a slow passing solution, starts the grader binary as
/// `consumer`, and returns (learner, submission, grader) once that grader
/// is grading it.
pub async fn slow_job_in_a_grader_binary(
    env: &TestEnv,
    consumer: &str,
    secs: f32,
    sandbox: &str,
) -> (Uuid, Uuid, tokio::process::Child) {
    let (user, id) = submit(env, "greeting", &slow_solution(secs)).await;
    let child = spawn_grader_binary(env, consumer, sandbox);
    assert!(
        reaches_grading(env, id).await,
        "{consumer} never started the job"
    );
    (user, id, child)
}

/// GET `path` from the grader's admin port, bound to port 0.
async fn admin_get(grader: &Running, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(
        grader
            .grader
            .clone()
            .serve_admin(listener, std::future::pending()),
    );
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: grader\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    server.abort();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    response
}

/// The learner's completions: one per assignment passed, never more.
async fn completions(env: &TestEnv, user: Uuid) -> i64 {
    let client = env.pool.get().await.unwrap();
    client
        .query_one(
            "SELECT count(*) AS n FROM completions WHERE user_id = $1",
            &[&user],
        )
        .await
        .unwrap()
        .get("n")
}

#[tokio::test]
async fn a_reference_solution_is_graded_committed_acked_announced_and_counted() {
    let env = TestEnv::new().await;
    let mut events = listen(&env).await;
    // A container per run: the container-start metric is its own.
    let mut config = config(&env, &format!("g-{}", Uuid::new_v4().simple()));
    config.sandbox = grader::config::SandboxKind::Docker;
    let grader = Running::start(config).await;

    let (user, id) = submit(&env, "greeting", &source("greeting", "solution")).await;
    let (status, verdict, attempts) = final_state(&env, id, Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let stats = grader.grader.jobs.queue_stats().await.unwrap();
    let metrics = admin_get(&grader, "/metrics").await;
    let ready = admin_get(&grader, "/readyz").await;
    grader.stop().await;

    assert_eq!(
        (status.as_str(), verdict.as_deref(), attempts),
        ("passed", Some("passed"), 1)
    );
    assert_eq!(completions(&env, user).await, 1);
    assert_eq!(statuses_for(&mut events, id), ["grading", "passed"]);
    assert_eq!(
        (stats.length, stats.pending),
        (0, 0),
        "the job was acked and deleted"
    );
    assert!(
        ready.contains(r#"{"postgres":"up","redis":"up","status":"ready"}"#),
        "{ready}"
    );
    for line in [
        "grader_jobs_graded_total{verdict=\"passed\"} 1",
        "grader_grading_duration_seconds_count 1",
        "grader_container_start_seconds_count 1",
        "grader_queue_length ",
        "grader_pending_jobs ",
    ] {
        assert!(metrics.contains(line), "{line:?} not in\n{metrics}");
    }
    let client = env.pool.get().await.unwrap();
    let feedback: Value = client
        .query_one("SELECT feedback FROM submissions WHERE id = $1", &[&id])
        .await
        .unwrap()
        .get("feedback");
    assert!(
        feedback["tests"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["passed"] == true),
        "{feedback}"
    );
}

#[tokio::test]
async fn a_job_delivered_twice_is_graded_once() {
    let env = TestEnv::new().await;
    let mut events = listen(&env).await;
    let (user, id) = submit(&env, "greeting", &source("greeting", "solution")).await;
    // The same job a second time, as a reconciler or a retry might push it.
    let jobs = queue::jobs::JobQueue::new(env.redis_manager().await, env.names.clone());
    jobs.enqueue(domain::work::WorkRef::submission(id), 0)
        .await
        .unwrap();
    let grader = Running::start(config(&env, &format!("g-{}", Uuid::new_v4().simple()))).await;

    let (status, _, attempts) = final_state(&env, id, Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let graded = grader.graded();
    grader.stop().await;

    assert_eq!((status.as_str(), attempts), ("passed", 1));
    assert_eq!(graded, 1);
    assert_eq!(completions(&env, user).await, 1);
    assert_eq!(
        statuses_for(&mut events, id)
            .iter()
            .filter(|s| *s == "passed")
            .count(),
        1
    );
}

#[tokio::test]
async fn a_submission_out_of_deliveries_ends_as_error_and_the_learner_is_told() {
    let env = TestEnv::new().await;
    let mut events = listen(&env).await;
    let (_, id) = submit(&env, "greeting", &source("greeting", "solution")).await;
    // Three graders take the job and die without a word: three deliveries.
    let jobs = queue::jobs::JobQueue::new(env.redis_manager().await, env.names.clone());
    jobs.ensure_group().await.unwrap();
    let mut reader = queue::jobs::JobReader::connect(&jobs, &env.redis)
        .await
        .unwrap();
    assert_eq!(
        reader
            .read("dead-1", 1, Duration::from_millis(100))
            .await
            .unwrap()
            .len(),
        1
    );
    for dead in ["dead-2", "dead-3"] {
        let claimed = jobs
            .claim_stale_jobs(dead, Duration::ZERO, 1)
            .await
            .unwrap();
        assert_eq!(claimed.len(), 1);
    }
    let grader = Running::start(config(&env, &format!("g-{}", Uuid::new_v4().simple()))).await;

    let (status, verdict, _) = final_state(&env, id, Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    grader.stop().await;

    assert_eq!(
        (status.as_str(), verdict.as_deref()),
        ("error", Some("internal_error"))
    );
    assert_eq!(
        statuses_for(&mut events, id),
        ["error"],
        "the learner is told"
    );
    let client = env.pool.get().await.unwrap();
    let feedback: Value = client
        .query_one("SELECT feedback FROM submissions WHERE id = $1", &[&id])
        .await
        .unwrap()
        .get("feedback");
    assert!(
        feedback["summary"].as_str().unwrap().contains("3 attempts"),
        "{feedback}"
    );
}

#[tokio::test]
async fn a_grader_killed_mid_job_is_taken_over_and_the_submission_graded_exactly_once() {
    let env = TestEnv::new().await;
    let mut events = listen(&env).await;
    let victim = format!("victim-{}", Uuid::new_v4().simple());
    let (user, id, mut child) = slow_job_in_a_grader_binary(&env, &victim, 1.2, "docker").await;

    child.kill().await.unwrap(); // SIGKILL, mid-job
    let rescuer = Running::start(config(
        &env,
        &format!("rescuer-{}", Uuid::new_v4().simple()),
    ))
    .await;
    let (status, verdict, attempts) = final_state(&env, id, Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    rescuer.stop().await;

    assert_eq!(
        (status.as_str(), verdict.as_deref()),
        ("passed", Some("passed"))
    );
    assert_eq!(attempts, 2, "taken over once");
    assert_eq!(completions(&env, user).await, 1);
    assert_eq!(
        statuses_for(&mut events, id)
            .iter()
            .filter(|s| *s == "passed")
            .count(),
        1
    );
    // The victim's container is the sweeper's: remove it and check it went.
    let sweeper = docker_sandbox().await;
    sweeper.sweep(Some(&victim), Duration::ZERO).await.unwrap();
    assert_eq!(sandbox_containers(&victim).await, 0);
}

#[tokio::test]
async fn a_job_longer_than_the_visibility_timeout_stays_with_its_live_grader() {
    let env = TestEnv::new().await;
    let (user, id) = submit(&env, "greeting", &slow_solution(1.8)).await;
    let mut config = config(&env, &format!("long-{}", Uuid::new_v4().simple()));
    config.visibility = Duration::from_millis(600);
    let grader = Running::start(config).await;

    let (status, _, attempts) = final_state(&env, id, Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let graded = grader.graded();
    grader.stop().await;

    assert_eq!(
        (status.as_str(), attempts),
        ("passed", 1),
        "taken over while alive"
    );
    assert_eq!(graded, 1);
    assert_eq!(completions(&env, user).await, 1);
}

#[tokio::test]
async fn two_replicas_share_the_work_without_grading_anything_twice() {
    let env = TestEnv::new().await;
    let mut ids = Vec::new();
    for i in 0..8 {
        let code = format!("# learner {i}\n{}", source("greeting", "solution"));
        ids.push(submit(&env, "greeting", &code).await.1);
    }
    let mut one = config(&env, &format!("a-{}", Uuid::new_v4().simple()));
    one.concurrency = 1;
    let mut two = config(&env, &format!("b-{}", Uuid::new_v4().simple()));
    two.concurrency = 1;
    let (a, b) = (Running::start(one).await, Running::start(two).await);

    for id in &ids {
        let (status, _, attempts) = final_state(&env, *id, Duration::from_secs(60)).await;
        assert_eq!((status.as_str(), attempts), ("passed", 1), "{id}");
    }
    let (by_a, by_b) = (a.graded(), b.graded());
    a.stop().await;
    b.stop().await;

    assert_eq!(
        by_a + by_b,
        ids.len() as u64,
        "each job graded once: {by_a} + {by_b}"
    );
    assert!(
        by_a > 0 && by_b > 0,
        "both replicas took work: {by_a} and {by_b}"
    );
}

#[tokio::test]
async fn sigterm_finishes_the_job_in_hand_reads_no_more_and_exits_0() {
    let env = TestEnv::new().await;
    let consumer = format!("drained-{}", Uuid::new_v4().simple());
    let (_, in_hand, mut child) = slow_job_in_a_grader_binary(&env, &consumer, 1.8, "docker").await;

    let pid = child.id().unwrap().to_string();
    let sent = tokio::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .unwrap();
    assert!(sent.success());
    // Longer than the blocking read that may be under way at the signal.
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let (_, after) = submit(&env, "greeting", &source("greeting", "solution")).await;
    let exit = tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .expect("the grader exits after draining")
        .unwrap();

    assert_eq!(exit.code(), Some(0), "{exit:?}");
    let (status, _, attempts) = final_state(&env, in_hand, Duration::ZERO).await;
    assert_eq!(
        (status.as_str(), attempts),
        ("passed", 1),
        "the job in hand"
    );
    let (status, _, attempts) = final_state(&env, after, Duration::ZERO).await;
    assert_eq!(
        (status.as_str(), attempts),
        ("queued", 0),
        "read after SIGTERM"
    );
    let jobs = queue::jobs::JobQueue::new(env.redis_manager().await, env.names.clone());
    let stats = jobs.queue_stats().await.unwrap();
    assert_eq!(
        (stats.length, stats.pending),
        (1, 0),
        "the later job waits, unread, for another replica"
    );
    assert_eq!(sandbox_containers(&consumer).await, 0);
}

#[tokio::test]
async fn a_runner_the_operator_has_not_allowed_never_starts_a_container() {
    let env = TestEnv::new().await;
    let mut config = config(&env, &format!("g-{}", Uuid::new_v4().simple()));
    config.allowed_runners = vec!["python"];
    // Counted in containers per run (the pool's hosts are made ahead).
    config.sandbox = grader::config::SandboxKind::Docker;
    let grader = Running::start(config).await;

    // The data-science notebook's reference would pass in its image.
    let (user, refused) = submit(
        &env,
        "sensor-readings",
        &source("sensor-readings", "solution"),
    )
    .await;
    let (status, verdict, _) = final_state(&env, refused, Duration::from_secs(30)).await;
    // The control: the same grader runs what it is allowed to.
    let (_, allowed) = submit(&env, "greeting", &source("greeting", "solution")).await;
    let (allowed_status, _, _) = final_state(&env, allowed, Duration::from_secs(30)).await;
    let containers = grader
        .grader
        .metrics
        .container_start_seconds
        .get_sample_count();
    grader.stop().await;

    assert_eq!(
        (status.as_str(), verdict.as_deref()),
        ("error", Some("internal_error"))
    );
    assert_eq!(allowed_status, "passed");
    assert_eq!(containers, 1, "only the allowed job started a container");
    let client = env.pool.get().await.unwrap();
    let row = client
        .query_one(
            "SELECT s.feedback, t.used FROM submissions s
             JOIN attempts t ON t.user_id = s.user_id AND t.assignment_id = s.assignment_id
             WHERE s.id = $1 AND s.user_id = $2",
            &[&refused, &user],
        )
        .await
        .unwrap();
    let feedback: Value = row.get("feedback");
    assert!(
        feedback["summary"]
            .as_str()
            .unwrap()
            .contains("GRADER_ALLOWED_RUNNERS"),
        "{feedback}"
    );
    assert_eq!(
        row.get::<_, i32>("used"),
        0,
        "the learner's attempt is given back"
    );
}

#[tokio::test]
async fn a_grader_takes_learners_submissions_then_their_runs_then_regrades() {
    let env = TestEnv::new().await;
    let jobs = queue::jobs::JobQueue::new(env.redis_manager().await, env.names.clone());
    jobs.ensure_group().await.unwrap();
    let regrade = domain::work::WorkRef::submission(Uuid::new_v4());
    let run = domain::work::WorkRef {
        kind: domain::work::WorkKind::PracticeRun,
        id: Uuid::new_v4(),
    };
    let submission = domain::work::WorkRef::submission(Uuid::new_v4());
    // Queued in the worst order for the learner.
    jobs.enqueue(regrade, queue::jobs::REGRADE_LANE)
        .await
        .unwrap();
    jobs.enqueue(run, 0).await.unwrap();
    jobs.enqueue(submission, 7).await.unwrap();
    let mut reader = queue::jobs::JobReader::connect(&jobs, &env.redis)
        .await
        .unwrap();
    // A grader keeping one slot free for learners takes no regrade with
    // one slot free, and one with two.
    reader.keep_free_of_regrades(1);
    let mut taken = Vec::new();
    for _ in 0..2 {
        let job = reader
            .read("g", 1, Duration::from_millis(100))
            .await
            .unwrap()
            .pop()
            .expect("a job");
        taken.push((job.work.unwrap(), job.stream));
    }
    let none = reader
        .read("g", 1, Duration::from_millis(100))
        .await
        .unwrap();
    assert!(none.is_empty(), "{none:?}");
    let job = reader
        .read("g", 2, Duration::from_millis(100))
        .await
        .unwrap()
        .pop()
        .expect("the regrade");
    taken.push((job.work.unwrap(), job.stream));
    assert_eq!(
        taken,
        [
            (submission, queue::jobs::Stream::Lane(7)),
            (run, queue::jobs::Stream::PracticeRuns),
            (regrade, queue::jobs::Stream::Regrades)
        ]
    );
    // The reconciler sees a regrade's job where it waits.
    assert!(jobs
        .in_streams(domain::work::WorkKind::Submission)
        .await
        .unwrap()
        .contains(&regrade.id));
}
