//! End-to-end tests (see `tests/`): the API, a grader and the gateway
//! started in-process against real Postgres, Redis and Docker, driven by a
//! headless Chromium (`browser.rs`) or by plain HTTP and WebSocket clients
//! (`hidden.rs`). This library holds what they share: starting the stack.

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::testing::TestEnv;
use common::token::TokenSigner;

const SECRET: &[u8] = b"e2e-secret-e2e-secret-e2e-secret-e2e";

/// The repository's root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// API, grader and gateway running in this process against `env`.
pub struct Stack {
    pub api_url: String,
    pub ws_url: String,
    pub stop_gateway: Option<tokio::sync::oneshot::Sender<()>>,
    pub gateway: Option<tokio::task::JoinHandle<()>>,
    _stop_rest: Vec<tokio::sync::oneshot::Sender<()>>,
}

/// Starts the three services, the API serving the course in `course_dir`.
pub async fn start_stack(env: &TestEnv, course_dir: &Path) -> Stack {
    let signer = TokenSigner::new(SECRET).unwrap();
    let api_config = programming_api::config::Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        database: env.database_url.parse().unwrap(),
        redis: env.redis.clone(),
        signer: signer.clone(),
        course_dir: course_dir.to_owned(),
        ui_dir: repo().join("ui"),
        redis_prefix: env.names.prefix().to_owned(),
        pool_size: 8,
        cache_ttl: Duration::from_secs(60),
        query_cache: true,
        reconcile_interval: Duration::from_secs(1),
        reconcile_stale: Duration::from_secs(30),
    };
    let ctx = programming_api::build(&api_config).await.unwrap();
    let api_listener = tokio::net::TcpListener::bind(api_config.addr)
        .await
        .unwrap();
    let api_url = format!("http://{}", api_listener.local_addr().unwrap());
    let (stop_api, api_stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        programming_api::run(api_listener, ctx, &api_config, async {
            let _ = api_stopped.await;
        })
        .await;
    });

    let grader_config = grader::config::Config {
        database: env.database_url.parse().unwrap(),
        redis: env.redis.clone(),
        redis_prefix: env.names.prefix().to_owned(),
        sandbox: grader::config::SandboxKind::Docker,
        runner_image: "codeplatform/python-runner:latest".into(),
        harness: repo().join("grader/runner/entry.py"),
        concurrency: 2,
        visibility: Duration::from_secs(30),
        max_deliveries: 3,
        drain: Duration::from_secs(10),
        metrics_addr: "127.0.0.1:0".parse().unwrap(),
        consumer: format!("e2e-{}", uuid::Uuid::new_v4().simple()),
        cache_ttl: Duration::from_secs(60),
    };
    let grader = grader::build(grader_config).await.unwrap();
    let (stop_grader, grader_stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(grader.run(async {
        let _ = grader_stopped.await;
    }));

    let ws_config = websocket::config::Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        admin_addr: "127.0.0.1:0".parse().unwrap(),
        redis: env.redis.clone(),
        signer,
        redis_prefix: env.names.prefix().to_owned(),
        buffer: 32,
        ping_interval: Duration::from_secs(20),
    };
    let ws_listener = tokio::net::TcpListener::bind(ws_config.addr).await.unwrap();
    let admin = tokio::net::TcpListener::bind(ws_config.admin_addr)
        .await
        .unwrap();
    let ws_url = format!("ws://{}/ws", ws_listener.local_addr().unwrap());
    let (stop_gateway, gateway_stopped) = tokio::sync::oneshot::channel::<()>();
    let gateway = tokio::spawn(websocket::run(
        ws_listener,
        admin,
        websocket::Gateway::new(ws_config),
        async {
            let _ = gateway_stopped.await;
        },
    ));
    Stack {
        api_url,
        ws_url,
        stop_gateway: Some(stop_gateway),
        gateway: Some(gateway),
        _stop_rest: vec![stop_api, stop_grader],
    }
}
