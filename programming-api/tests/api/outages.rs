//! Postgres or Redis down: readiness says so, writes answer clearly, nothing
//! accepted is lost, and the API recovers by itself.
//!
//! Each test runs its own throwaway Redis or Postgres, so stopping it does
//! not disturb the tests running beside it.

use domain::work::WorkKind;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

use testkit::{free_port, start_redis};

use crate::helpers::{config, error_code, eventually, repository, TestApp};

async fn readiness(app: &TestApp) -> (StatusCode, Value) {
    let res = app.get("/readyz", None).await;
    (res.status(), res.json().await.unwrap())
}

#[tokio::test]
async fn redis_down_keeps_submissions_which_reach_the_stream_when_it_returns() {
    let port = free_port();
    let mut redis = start_redis(port).await;
    let env = testkit::TestEnv::empty().await;
    let mut config = config(&env);
    config.redis = redis::Client::open(format!("redis://127.0.0.1:{port}/")).unwrap();
    let app = TestApp::start(env, config).await;
    let learner = app.learner().await;
    let a = app.first_assignment().await;
    assert_eq!(readiness(&app).await.0, StatusCode::OK);

    redis.kill().await.unwrap();
    let (status, body) = readiness(&app).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["redis"], "down");
    assert_eq!(body["postgres"], "up");
    let res = app
        .submit(&learner, a, "print('while redis was down')")
        .await;
    assert_eq!(
        res.status(),
        StatusCode::ACCEPTED,
        "Postgres is the truth: the submission is kept"
    );
    let id: Uuid = res.json::<Value>().await.unwrap()["submission"]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let client = app.ctx.pool.get().await.unwrap();
    let row = client
        .query_one(
            "SELECT status::text AS status, enqueued_at IS NULL AS unpushed FROM submissions
             WHERE id = $1",
            &[&id],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>("status"), "queued");
    assert!(row.get::<_, bool>("unpushed"), "marked for the reconciler");
    // Reads still work, from Postgres.
    let listed = app
        .get(&format!("/api/assignments/{a}/submissions"), Some(&learner))
        .await;
    assert_eq!(listed.status(), StatusCode::OK);

    let _redis = start_redis(port).await;

    let reached = eventually(Duration::from_secs(15), || async {
        app.ctx
            .jobs
            .in_streams(WorkKind::Submission)
            .await
            .is_ok_and(|ids| ids.contains(&id))
    })
    .await;
    assert!(reached, "the reconciler did not push the submission");
    assert_eq!(readiness(&app).await.0, StatusCode::OK);
    let listed: Vec<Value> = app
        .get(&format!("/api/assignments/{a}/submissions"), Some(&learner))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1, "the list is not stale after the outage");
}

/// A throwaway Postgres cluster, run as the `postgres` user when we are root.
struct Postgres {
    dir: PathBuf,
    port: u16,
}

fn pg_bin(name: &str) -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("Postgres is installed (./test.sh installs it)")
        .map(|e| e.unwrap().path().join("bin"))
        .collect();
    dirs.sort();
    dirs.pop().unwrap().join(name)
}

fn as_postgres(program: PathBuf, args: &[&str]) -> Command {
    let is_root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
    if is_root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program).args(args);
        c
    } else {
        let mut c = Command::new(program);
        c.args(args);
        c
    }
}

impl Postgres {
    fn init() -> Self {
        let dir = repository().join(format!("target/pg-outage-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let _ = Command::new("chown")
            .args(["postgres:postgres", dir.to_str().unwrap()])
            .status();
        let ok = as_postgres(
            pg_bin("initdb"),
            &[
                "-D",
                dir.to_str().unwrap(),
                "--auth=trust",
                "-U",
                "postgres",
            ],
        )
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap()
        .success();
        assert!(ok, "initdb");
        Self {
            dir,
            port: free_port(),
        }
    }

    fn pg_ctl(&self, args: &[&str]) {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.dir.display()
        );
        let mut all = vec!["-D", self.dir.to_str().unwrap(), "-o", &opts, "-w"];
        all.extend_from_slice(args);
        let ok = as_postgres(pg_bin("pg_ctl"), &all)
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap()
            .success();
        assert!(ok, "pg_ctl {args:?}");
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = as_postgres(
            pg_bin("pg_ctl"),
            &["-D", self.dir.to_str().unwrap(), "-m", "immediate", "stop"],
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test]
async fn postgres_down_answers_503_and_the_api_recovers_when_it_returns() {
    let pg = Postgres::init();
    pg.pg_ctl(&["start"]);
    let env = testkit::TestEnv::empty().await;
    let mut config = config(&env);
    config.database = pg.url().parse().unwrap();
    let app = TestApp::start(env, config).await;
    let learner = app.learner().await;
    let a = app.first_assignment().await;
    // Warm the course cache: reads keep working from Redis.
    app.get(&format!("/api/assignments/{a}"), None).await;

    pg.pg_ctl(&["-m", "fast", "stop"]);

    let (status, body) = readiness(&app).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["postgres"], "down");
    let res = app.submit(&learner, a, "x = 1").await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(error_code(res).await, "database_unavailable");
    let res = app.http.post(app.url("/api/users")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(error_code(res).await, "database_unavailable");
    let cached = app.get(&format!("/api/assignments/{a}"), None).await;
    assert_eq!(
        cached.status(),
        StatusCode::OK,
        "cached reads survive the outage"
    );

    pg.pg_ctl(&["start"]);

    let recovered = eventually(Duration::from_secs(15), || async {
        readiness(&app).await.0 == StatusCode::OK
    })
    .await;
    assert!(recovered, "readiness did not recover");
    let res = app.submit(&learner, a, "x = 1").await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
}
