//! What one client may do: new learners per address, submissions per
//! learner and per address (429 with Retry-After, past the limit and not
//! before), the global queue bound (503 queue_full, nothing stored), and the
//! client's address taken from X-Forwarded-For only behind a trusted proxy.

use reqwest::{Response, StatusCode};
use serde_json::Value;
use testkit::wire::closed_silently_within;
use testkit::TestEnv;

use crate::helpers::{config, error_code, TestApp};

async fn new_learner(app: &TestApp, forwarded_for: Option<&str>) -> Response {
    let mut req = app.http.post(app.url("/api/users"));
    if let Some(f) = forwarded_for {
        req = req.header("x-forwarded-for", f);
    }
    req.send().await.unwrap()
}

/// Asserts a 429 `rate_limited` with a Retry-After of `1..=max` seconds.
async fn assert_limited(res: Response, max: u64) {
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=max).contains(&wait), "Retry-After {wait}");
    assert_eq!(error_code(res).await, "rate_limited");
}

async fn rows(app: &TestApp, table: &str) -> i64 {
    let client = app.ctx.pool.get().await.unwrap();
    client
        .query_one(&format!("SELECT count(*) AS n FROM {table}"), &[])
        .await
        .unwrap()
        .get("n")
}

#[tokio::test]
async fn new_learners_are_limited_per_address_and_a_spoofed_header_changes_nothing() {
    let env = TestEnv::empty().await;
    let mut config = config(&env);
    config.new_learners_per_address = "3/min".parse().unwrap();
    let app = TestApp::start(env, config).await;

    for _ in 0..3 {
        assert_eq!(new_learner(&app, None).await.status(), StatusCode::CREATED);
    }
    assert_limited(new_learner(&app, None).await, 20).await;
    // No proxy is trusted: the header is the client's word, and ignored.
    assert_limited(new_learner(&app, Some("203.0.113.9")).await, 20).await;
    assert_eq!(
        rows(&app, "users").await,
        3,
        "a refused learner is not stored"
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_address_has_its_own_allowance() {
    let env = TestEnv::empty().await;
    let mut config = config(&env);
    config.new_learners_per_address = "2/min".parse().unwrap();
    config.trusted_proxies = "127.0.0.1".parse().unwrap();
    let app = TestApp::start(env, config).await;

    for _ in 0..2 {
        let res = new_learner(&app, Some("203.0.113.9")).await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    assert_limited(new_learner(&app, Some("203.0.113.9")).await, 30).await;
    let other = new_learner(&app, Some("198.51.100.7")).await;
    assert_eq!(
        other.status(),
        StatusCode::CREATED,
        "another client of the proxy"
    );
}

#[tokio::test]
async fn submissions_are_limited_per_learner_and_per_address() {
    let env = TestEnv::empty().await;
    let mut config = config(&env);
    config.submissions_per_learner = "2/min".parse().unwrap();
    config.submissions_per_address = "3/min".parse().unwrap();
    let app = TestApp::start(env, config).await;
    let a = app.first_assignment().await;
    let (one, two) = (app.learner().await, app.learner().await);

    for code in ["a = 1", "a = 2"] {
        let res: Value = app.submit(&one, a, code).await.json().await.unwrap();
        app.grade(res["submission"]["id"].as_str().unwrap(), "wrong_answer")
            .await;
    }
    assert_limited(app.submit(&one, a, "a = 3").await, 30).await;
    // The address has one submission left (the refused one did not count):
    // the other learner takes it, and then the address is spent too.
    let res: Value = app.submit(&two, a, "b = 1").await.json().await.unwrap();
    app.grade(res["submission"]["id"].as_str().unwrap(), "wrong_answer")
        .await;
    assert_limited(app.submit(&two, a, "b = 2").await, 30).await;
    assert_eq!(rows(&app, "submissions").await, 3);
}

#[tokio::test]
async fn past_the_queue_bound_a_submission_gets_503_and_nothing_is_stored() {
    let env = TestEnv::empty().await;
    let mut config = config(&env);
    config.queue_limit = 2;
    let app = TestApp::start(env, config).await;
    let a = app.first_assignment().await;
    let learners = [
        app.learner().await,
        app.learner().await,
        app.learner().await,
    ];

    for (i, learner) in learners[..2].iter().enumerate() {
        let res = app.submit(learner, a, &format!("x = {i}")).await;
        assert_eq!(res.status(), StatusCode::ACCEPTED);
    }
    let full = app.submit(&learners[2], a, "x = 2").await;

    assert_eq!(full.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(full.headers().contains_key("retry-after"));
    assert_eq!(error_code(full).await, "queue_full");
    assert_eq!(rows(&app, "submissions").await, 2, "nothing stored");
    assert_eq!(app.stream_ids().await.len(), 2, "nothing pushed");
}

/// A TCP connection to the app from the loopback address `from`.
async fn connect_from(app: &TestApp, from: [u8; 4]) -> tokio::net::TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(std::net::SocketAddr::from((from, 0))).unwrap();
    socket.connect(app.addr).await.unwrap()
}

#[tokio::test]
async fn a_silent_or_idle_connection_is_closed_after_the_header_timeout() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let env = TestEnv::empty().await;
    let mut config = config(&env);
    config.listener.header_timeout = std::time::Duration::from_millis(400);
    let app = TestApp::start(env, config).await;
    let wait = std::time::Duration::from_secs(3);

    let mut silent = connect_from(&app, [127, 0, 0, 1]).await;
    let started = std::time::Instant::now();
    assert!(
        closed_silently_within(&mut silent, wait).await,
        "a silent connection was kept"
    );
    assert!(started.elapsed() >= std::time::Duration::from_millis(300));

    // Idle after a response on a keep-alive connection: the same clock.
    let mut idle = connect_from(&app, [127, 0, 0, 1]).await;
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: api\r\n\r\n")
        .await
        .unwrap();
    let mut response = [0u8; 1024];
    let n = idle.read(&mut response).await.unwrap();
    assert!(response[..n].starts_with(b"HTTP/1.1 200"));
    assert!(
        closed_silently_within(&mut idle, wait).await,
        "an idle keep-alive connection was kept"
    );
}

#[tokio::test]
async fn past_its_cap_one_address_is_refused_and_another_still_answered_at_once() {
    let env = TestEnv::empty().await;
    let mut config = config(&env);
    config.listener.per_address = 20;
    let app = TestApp::start(env, config).await;
    let mut held = Vec::new();
    for _ in 0..20 {
        held.push(connect_from(&app, [127, 0, 0, 1]).await);
    }

    let mut over = connect_from(&app, [127, 0, 0, 1]).await;
    assert!(
        closed_silently_within(&mut over, std::time::Duration::from_millis(500)).await,
        "a connection past the cap was kept"
    );
    let other = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .timeout(std::time::Duration::from_secs(1))
        .build()
        .unwrap();
    let res = other.get(app.url("/api/assignments")).send().await;
    assert_eq!(
        res.expect("another address is answered").status(),
        StatusCode::OK
    );
    drop(held);
}
