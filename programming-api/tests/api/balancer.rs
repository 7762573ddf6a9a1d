//! The stack's balancer (`deploy/haproxy.cfg`, run by Debian's haproxy) in
//! front of the API on loopback: the API sees each learner's own address
//! through it, so per-address limits and fair lanes still work, and a
//! draining API leaves its rotation before it stops.

use std::net::IpAddr;
use std::time::Duration;

use queue::jobs::lane_for;
use reqwest::StatusCode;
use serde_json::json;
use testkit::{free_port, TestEnv};

use crate::helpers::{config, repository, TestApp};

/// haproxy running `deploy/haproxy.cfg` in front of `app`, with servers at
/// fixed addresses instead of swarm's DNS; killed on drop.
struct Balancer {
    /// Killed on drop.
    _child: tokio::process::Child,
    port: u16,
}

impl Balancer {
    async fn start(app: &TestApp) -> Self {
        Self::start_with(app, &[]).await
    }

    /// In front of an API that is not ready: started, not waited for.
    async fn start_unready(app: &TestApp) -> Self {
        let balancer = Self::spawn(app, &[]);
        // Its first check has run (and failed): only the backups remain.
        tokio::time::sleep(Duration::from_millis(2500)).await;
        balancer
    }

    /// With `settings` (`BALANCER_*` variables) besides the test's own.
    async fn start_with(app: &TestApp, settings: &[(&str, &str)]) -> Self {
        let balancer = Self::spawn(app, settings);
        let up = testkit::eventually(Duration::from_secs(15), || async {
            reqwest::get(balancer.url("/readyz"))
                .await
                .is_ok_and(|r| r.status() == StatusCode::OK)
        })
        .await;
        assert!(up, "the balancer never found the API ready");
        balancer
    }

    fn spawn(app: &TestApp, settings: &[(&str, &str)]) -> Self {
        let port = free_port();
        let child = tokio::process::Command::new("haproxy")
            .args(["-db", "-f"])
            .arg(repository().join("deploy/haproxy.cfg"))
            .env("BALANCER_SERVER_OPTIONS", "init-addr libc")
            .env("BALANCER_API_BIND", format!("127.0.0.1:{port}"))
            .env("BALANCER_API_SLOTS", "1")
            .env("BALANCER_API_SERVERS", app.addr.to_string())
            .env("BALANCER_API_CHECK_PORT", app.admin_addr.port().to_string())
            // No gateway here: its backend points at a closed port.
            .env("BALANCER_WS_BIND", format!("127.0.0.1:{}", free_port()))
            .env("BALANCER_WS_SLOTS", "1")
            .env("BALANCER_WS_SERVERS", format!("127.0.0.1:{}", free_port()))
            .env("BALANCER_ADMIN_BIND", format!("127.0.0.1:{}", free_port()))
            .envs(settings.iter().copied())
            .kill_on_drop(true)
            .spawn()
            .expect("haproxy runs (scripts/deps.sh installs it)");
        Self {
            _child: child,
            port,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

/// Two loopback addresses whose lanes differ, for two clients.
fn two_clients() -> (IpAddr, IpAddr) {
    let a: IpAddr = [127, 0, 0, 2].into();
    let b = (3..=255u8)
        .map(|i| IpAddr::from([127, 0, 0, i]))
        .find(|b| lane_for(*b) != lane_for(a))
        .expect("some address hashes to another lane");
    (a, b)
}

/// Makes a learner and submits once through the balancer from `from`,
/// with a forged X-Forwarded-For; returns the lane the API gave the job.
async fn lane_of_a_submission_from(app: &TestApp, balancer: &Balancer, from: IpAddr) -> i16 {
    let http = reqwest::Client::builder()
        .local_address(from)
        .build()
        .unwrap();
    let user: serde_json::Value = http
        .post(balancer.url("/api/users"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = user["token"].as_str().unwrap();
    let assignment = app.first_assignment().await;
    let res = http
        .post(balancer.url(&format!("/api/assignments/{assignment}/submissions")))
        .bearer_auth(token)
        // A client naming someone else: the balancer appends the real one.
        .header("X-Forwarded-For", "10.9.9.9")
        .json(&json!({"code": "print(1)"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let id: uuid::Uuid = res.json::<serde_json::Value>().await.unwrap()["submission"]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let client = app.ctx.pool.get().await.unwrap();
    client
        .query_one("SELECT lane FROM submissions WHERE id = $1", &[&id])
        .await
        .unwrap()
        .get("lane")
}

#[tokio::test]
async fn behind_the_balancer_each_learner_keeps_their_own_address() {
    let (a, b) = two_clients();

    // The attack first: an API that does not trust the balancer sees one
    // client, the balancer, and puts everyone in its lane.
    let env = TestEnv::empty().await;
    let untrusting = config(&env);
    let app = TestApp::start(env, untrusting).await;
    let balancer = Balancer::start(&app).await;
    let balancer_lane = lane_for([127, 0, 0, 1].into()) as i16;
    assert_eq!(
        lane_of_a_submission_from(&app, &balancer, a).await,
        balancer_lane
    );
    assert_eq!(
        lane_of_a_submission_from(&app, &balancer, b).await,
        balancer_lane
    );
    drop(balancer);
    let (env, mut config) = app.stop().await;

    // Trusting it (TRUSTED_PROXIES, as the stack sets it), each is itself,
    // and the forged address to the left of the real one is not believed.
    config.trusted_proxies = "127.0.0.1/32".parse().unwrap();
    let app = TestApp::start(env, config).await;
    let balancer = Balancer::start(&app).await;
    assert_eq!(
        lane_of_a_submission_from(&app, &balancer, a).await,
        lane_for(a) as i16
    );
    assert_eq!(
        lane_of_a_submission_from(&app, &balancer, b).await,
        lane_for(b) as i16
    );
    drop(balancer);
    app.stop().await;
}

/// Whether a connection from `from` to the balancer is served (a GET of
/// /readyz on it answers 200); the connection, held open, when it is.
async fn served(balancer: &Balancer, from: IpAddr) -> Option<tokio::net::TcpStream> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind((from, 0).into()).unwrap();
    // A refused connection may be reset at any step.
    let mut stream = socket
        .connect(([127, 0, 0, 1], balancer.port).into())
        .await
        .ok()?;
    stream
        .write_all(b"GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .ok()?;
    let mut buf = [0u8; 12];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
        .await
        .ok()?
        .ok()?;
    (n > 0 && buf.starts_with(b"HTTP/1.1 200")).then_some(stream)
}

#[tokio::test]
async fn the_balancer_caps_the_connections_of_one_address_not_of_everyone() {
    let (a, b) = two_clients();
    let env = TestEnv::empty().await;
    let config = config(&env);
    let app = TestApp::start(env, config).await;
    let balancer =
        Balancer::start_with(&app, &[("BALANCER_MAX_CONNECTIONS_PER_ADDRESS", "2")]).await;
    let first = served(&balancer, a).await;
    let second = served(&balancer, a).await;
    assert!(
        first.is_some() && second.is_some(),
        "two connections of one address are served"
    );
    assert!(
        served(&balancer, a).await.is_none(),
        "a third one of the same address is refused"
    );
    assert!(
        served(&balancer, b).await.is_some(),
        "another address is served meanwhile"
    );
    drop(balancer);
    app.stop().await;
}

/// With Redis away every replica is unready at once; the balancer still
/// sends to them (its backups), and the API answers as it does without a
/// balancer: reads from Postgres, and its own JSON for what it cannot do,
/// not the balancer's bare 503.
#[tokio::test]
async fn when_no_replica_is_ready_the_balancer_still_sends_to_them() {
    let env = TestEnv::empty().await;
    let mut config = config(&env);
    // A Redis that never answers: nothing listens there.
    config.redis = redis::Client::open(format!("redis://127.0.0.1:{}/", free_port())).unwrap();
    let app = TestApp::start(env, config).await;
    let direct = app.http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(
        direct.status(),
        StatusCode::SERVICE_UNAVAILABLE,
        "the API is not ready"
    );

    let balancer = Balancer::start_unready(&app).await;
    let res = reqwest::get(balancer.url("/readyz")).await.unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        crate::helpers::error_code(res).await,
        "not_ready",
        "the API's own answer, through the balancer"
    );
    let res = reqwest::get(balancer.url("/api/assignments"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "reads still served");
    drop(balancer);
    app.stop().await;
}
