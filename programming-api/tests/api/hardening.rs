//! The API as an attacker meets it on the wire: bodies that are huge, never
//! sent, or sent half; requests hyper cannot parse; metrics on the public
//! port. Raw TCP throughout, so nothing a client library fixes up hides
//! what the server does.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use testkit::wire::{closed_within, exchange, read_answer};
use testkit::TestEnv;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::helpers::{config, TestApp};

fn post_head(path: &str, token: Option<&str>, length: u64) -> String {
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    format!(
        "POST {path} HTTP/1.1\r\nHost: api\r\n{auth}Content-Type: application/json\r\n\
         Content-Length: {length}\r\n\r\n"
    )
}

#[tokio::test]
async fn a_huge_length_is_refused_at_once_and_no_token_is_refused_before_the_body() {
    let app = TestApp::spawn().await;
    let learner = app.learner().await;
    let a = app.first_assignment().await;
    let path = format!("/api/assignments/{a}/submissions");

    // 10 GB announced, nothing sent: 413 without waiting for a byte.
    let head = post_head(&path, Some(&learner.token), 10_000_000_000);
    let (answer, mut stream) = exchange(app.addr, head.as_bytes()).await;
    let answer = answer.expect("an answer before any body byte");
    assert_eq!(answer.status, 413);
    assert_eq!(answer.error_code(), "body_too_large");
    assert!(closed_within(&mut stream, Duration::from_secs(5)).await);

    // No token, 1 MiB announced, nothing sent: 401 at once, on every route
    // that takes a token and a body.
    for path in [
        path.clone(),
        format!("/api/assignments/{a}/runs"),
        "/api/courses/intro/join".to_owned(),
    ] {
        let (answer, mut stream) =
            exchange(app.addr, post_head(&path, None, 1 << 20).as_bytes()).await;
        let answer = answer.unwrap_or_else(|| panic!("{path}: no answer before the body"));
        assert_eq!(answer.status, 401, "{path}");
        assert_eq!(answer.error_code(), "unauthorized", "{path}");
        assert!(
            closed_within(&mut stream, Duration::from_secs(5)).await,
            "{path}"
        );
    }
    let patch = post_head("/api/me", None, 1 << 20).replacen("POST", "PATCH", 1);
    let (answer, _) = exchange(app.addr, patch.as_bytes()).await;
    assert_eq!(answer.expect("an answer").status, 401);
}

#[tokio::test]
async fn a_body_that_does_not_arrive_in_time_gets_408_and_the_connection_closes() {
    let env = TestEnv::empty().await;
    let mut config = config(&env);
    config.body_timeout = Duration::from_millis(500);
    let app = TestApp::start(env, config).await;
    let learner = app.learner().await;
    let a = app.first_assignment().await;
    let head = post_head(
        &format!("/api/assignments/{a}/submissions"),
        Some(&learner.token),
        1000,
    );

    // Headers and no body; then headers and a trickle.
    for sent in [0usize, 10] {
        let mut stream = TcpStream::connect(app.addr).await.unwrap();
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(&vec![b' '; sent]).await.unwrap();
        let answer = read_answer(&mut stream, Duration::from_secs(10))
            .await
            .expect("an answer at the deadline");
        assert_eq!(answer.status, 408, "{sent} bytes sent");
        assert_eq!(answer.error_code(), "body_timeout");
        assert!(closed_within(&mut stream, Duration::from_secs(5)).await);
    }
    // A sign-in, which needs no token, is held to the same deadline.
    let head = post_head("/api/staff/sessions", None, 100);
    let (answer, _) = exchange(app.addr, head.as_bytes()).await;
    assert_eq!(answer.expect("an answer").status, 408);
    let none: i64 = app
        .ctx
        .pool
        .get()
        .await
        .unwrap()
        .query_one("SELECT count(*) AS n FROM submissions", &[])
        .await
        .unwrap()
        .get("n");
    assert_eq!(none, 0);
}

/// Requests hyper refuses before any service runs, each with the status it
/// gets; all of them must come back as our JSON with our headers.
fn unparseable() -> Vec<(&'static str, Vec<u8>, u16)> {
    let many_headers: String = (0..101).map(|i| format!("X-H{i}: v\r\n")).collect();
    let huge_header = format!("X-Big: {}\r\n", "a".repeat(500 * 1024));
    vec![
        ("NUL in a header", b"GET /api/assignments HTTP/1.1\r\nHost: a\r\nX-A: b\0c\r\n\r\n".to_vec(), 400),
        ("CR in a header", b"GET /api/assignments HTTP/1.1\r\nHost: a\r\nX-A: b\rc\r\n\r\n".to_vec(), 400),
        (
            "bad Transfer-Encoding",
            b"POST /api/users HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked, x\r\n\r\n".to_vec(),
            400,
        ),
        (
            "two Content-Lengths",
            b"POST /api/users HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab".to_vec(),
            400,
        ),
        ("negative Content-Length", b"POST /api/users HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n".to_vec(), 400),
        (
            "Content-Length past u64",
            b"POST /api/users HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n".to_vec(),
            400,
        ),
        ("obs-fold", b"GET /api/assignments HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n".to_vec(), 400),
        ("a space in the path", b"GET /api/assign ments HTTP/1.1\r\nHost: a\r\n\r\n".to_vec(), 400),
        ("not HTTP at all", b"HELLO\r\n\r\n".to_vec(), 400),
        (
            "a path past 64 KiB",
            format!("GET /{} HTTP/1.1\r\nHost: a\r\n\r\n", "a".repeat(70 * 1024)).into_bytes(),
            414,
        ),
        (
            "over 100 headers",
            format!("GET / HTTP/1.1\r\nHost: a\r\n{many_headers}\r\n").into_bytes(),
            431,
        ),
        (
            "headers over hyper's buffer",
            format!("GET / HTTP/1.1\r\nHost: a\r\n{huge_header}\r\n").into_bytes(),
            431,
        ),
    ]
}

#[tokio::test]
async fn requests_hyper_cannot_parse_get_our_json_and_headers() {
    let app = TestApp::spawn().await;
    for (name, request, status) in unparseable() {
        let (answer, mut stream) = exchange(app.addr, &request).await;
        let answer = answer.unwrap_or_else(|| panic!("{name}: closed without an answer"));
        assert_eq!(answer.status, status, "{name}");
        answer.error_code();
        assert!(
            closed_within(&mut stream, Duration::from_secs(5)).await,
            "{name}"
        );
    }
    // Our own 431 (headers past our 16 KiB, within hyper's buffer) too.
    let big = format!(
        "GET /api/assignments HTTP/1.1\r\nHost: a\r\nX-Big: {}\r\n\r\n",
        "a".repeat(20 * 1024)
    );
    let (answer, _) = exchange(app.addr, big.as_bytes()).await;
    let answer = answer.expect("an answer");
    assert_eq!(answer.status, 431);
    assert_eq!(answer.error_code(), "headers_too_large");
    // The admin port is served the same way.
    let (answer, _) = exchange(
        app.admin_addr,
        b"GET /metrics HTTP/1.1\r\nX-A: b\0c\r\n\r\n",
    )
    .await;
    assert_eq!(answer.expect("an answer").error_code(), "bad_request");
}

/// README's one case hyper gives up on before there is an HTTP/1 request to
/// answer: closed, and not a byte sent back.
#[tokio::test]
async fn an_http2_preface_is_closed_with_nothing_rendered() {
    use tokio::io::AsyncReadExt;
    let app = TestApp::spawn().await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream
        .write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        .await
        .unwrap();
    let mut got = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut got)).await;
    assert!(read.is_ok(), "still open after 5 s");
    assert!(got.is_empty(), "{:?}", String::from_utf8_lossy(&got));
}

#[tokio::test]
async fn metrics_are_served_on_the_admin_port_only() {
    let app = TestApp::spawn().await;
    let res = app.get("/metrics", None).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(crate::helpers::error_code(res).await, "not_found");
    for path in ["/healthz", "/readyz"] {
        assert_eq!(app.get(path, None).await.status(), StatusCode::OK, "{path}");
    }
    let admin = format!("http://{}", app.admin_addr);
    let res = app
        .http
        .get(format!("{admin}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().contains_key("x-content-type-options"));
    let text = res.text().await.unwrap();
    assert!(text.contains("http_requests_total"), "{text}");
    let res = app
        .http
        .get(format!("{admin}/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

/// The API binary, started as an operator would, on its own ports.
struct ApiProcess {
    child: Child,
    addr: SocketAddr,
}

impl ApiProcess {
    fn start(env: &TestEnv, extra: &[(&str, &str)]) -> Self {
        let free = || {
            std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
        };
        let (addr, admin) = (free(), free());
        let root = crate::helpers::repository();
        let child = Command::new(env!("CARGO_BIN_EXE_programming-api"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap())
            .env("API_ADDR", addr.to_string())
            .env("API_ADMIN_ADDR", admin.to_string())
            .env("DATABASE_URL", &env.database_url)
            .env("REDIS_URL", &env.redis_url)
            .env("REDIS_PREFIX", env.names.prefix())
            .env(
                "TOKEN_SECRET",
                std::str::from_utf8(testkit::TEST_SECRET).unwrap(),
            )
            .env("COURSES_DIR", root.join("courses"))
            .env("UI_DIR", root.join("ui"))
            .env("RUST_LOG", "warn")
            .envs(extra.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the API binary starts");
        Self { child, addr }
    }

    /// Resident memory, in bytes.
    fn rss(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
        line.split_whitespace()
            .nth(1)
            .unwrap()
            .parse::<u64>()
            .unwrap()
            * 1024
    }
}

impl Drop for ApiProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const MIB: u64 = 1 << 20;

#[tokio::test]
async fn two_hundred_half_sent_bodies_cost_little_memory_and_all_close_by_the_deadline() {
    let env = TestEnv::empty().await;
    let deadline = Duration::from_secs(3);
    let api = ApiProcess::start(&env, &[("API_BODY_TIMEOUT_MS", "3000")]);
    let http = reqwest::Client::new();
    let base = format!("http://{}", api.addr);
    let started = testkit::eventually(Duration::from_secs(30), || async {
        http.get(format!("{base}/healthz")).send().await.is_ok()
    })
    .await;
    assert!(started, "the API did not start");
    let learner: Value = http
        .post(format!("{base}/api/users"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = learner["token"].as_str().unwrap().to_owned();
    let list: Vec<Value> = http
        .get(format!("{base}/api/assignments"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let a = list[0]["id"].as_i64().unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle = api.rss();

    // 200 connections, each announcing a 1 MiB hand-in and sending half.
    let head = post_head(
        &format!("/api/assignments/{a}/submissions"),
        Some(&token),
        MIB,
    );
    let half = vec![b' '; (MIB / 2) as usize];
    let mut streams = Vec::new();
    for _ in 0..200 {
        let mut stream = TcpStream::connect(api.addr).await.unwrap();
        stream.write_all(head.as_bytes()).await.unwrap();
        streams.push(stream);
    }
    // All at once, as an attacker would: a server that waits for each body
    // in turn is seen as such, and the test stays bounded in time.
    futures::future::join_all(streams.iter_mut().map(|stream| async {
        // A refused connection may be closed under the write: that is fine.
        let _ = tokio::time::timeout(Duration::from_secs(2), stream.write_all(&half)).await;
    }))
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let during = api.rss();

    let ends = futures::future::join_all(streams.iter_mut().map(|stream| async {
        let answer = read_answer(stream, deadline + Duration::from_secs(5)).await;
        let closed = closed_within(stream, Duration::from_secs(5)).await;
        (answer, closed)
    }))
    .await;
    let mut answers = std::collections::BTreeMap::<u16, usize>::new();
    let mut open = 0;
    for (answer, closed) in ends {
        if let Some(answer) = answer {
            let code = answer.error_code();
            assert!(
                matches!(code.as_str(), "body_timeout" | "rate_limited"),
                "{code}"
            );
            *answers.entry(answer.status).or_default() += 1;
        }
        if !closed {
            open += 1;
        }
    }
    drop(streams);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = api.rss();
    eprintln!(
        "RSS idle {} MiB, during {} MiB, after {} MiB; answers {answers:?}",
        idle / MIB,
        during / MIB,
        after / MIB
    );
    assert_eq!(open, 0, "connections left open past the deadline");
    assert!(answers.get(&408).copied().unwrap_or(0) > 0, "{answers:?}");
    assert!(
        during < idle + 50 * MIB,
        "memory went from {} to {} MiB",
        idle / MIB,
        during / MIB
    );
}
