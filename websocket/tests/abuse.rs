//! What one client can make the gateway hold, tried the way an abusive
//! client would: pings without ever reading (slowly, and as a flood), too
//! many sockets for one learner, silent connections, and more connections
//! from one address than it may hold while another address still gets in.

use std::net::SocketAddr;
use std::time::Duration;

use queue::names::RedisNames;
use testkit::{eventually, test_signer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite;
use uuid::Uuid;
use websocket::config::Config;
use websocket::testing::{self, Running};

fn config() -> Config {
    let redis = redis::Client::open(std::env::var("REDIS_URL").expect("REDIS_URL")).unwrap();
    let names = RedisNames::new(format!("ws-abuse:{}:", Uuid::new_v4().simple()));
    testing::config(redis, names.prefix())
}

async fn start(config: Config) -> Running {
    let running = Running::start(config).await;
    assert!(running.subscribed().await, "the gateway did not subscribe");
    running
}

/// A TCP connection to `addr` from the loopback address `from`.
async fn connect_from(from: [u8; 4], addr: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::from((from, 0))).unwrap();
    socket.connect(addr).await.unwrap()
}

/// Opens a socket by hand (so nothing answers pings for it) and returns
/// the stream after the 101.
async fn raw_socket(gateway: &Running, user: Uuid) -> TcpStream {
    let mut stream = TcpStream::connect(gateway.addr).await.unwrap();
    let request = format!(
        "GET /ws?token={} HTTP/1.1\r\nHost: gateway\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Sec-WebSocket-Version: 13\r\n\r\n",
        test_signer().sign(user)
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        stream.read_exact(&mut byte).await.unwrap();
        head.push(byte[0]);
    }
    assert!(
        head.starts_with(b"HTTP/1.1 101"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    stream
}

/// A masked, empty ping frame, as a client must send it.
const PING: [u8; 6] = [0x89, 0x80, 1, 2, 3, 4];

/// Whether the peer has closed `stream` within `wait` (reads until EOF or
/// an error; a live gateway would keep it open).
async fn closed_within(stream: &mut TcpStream, wait: Duration) -> bool {
    let mut buf = [0u8; 4096];
    tokio::time::timeout(wait, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .is_ok()
}

#[tokio::test]
async fn a_peer_that_pings_but_never_reads_is_closed_whatever_it_sends() {
    let mut config = config();
    config.ping_interval = Duration::from_millis(300);
    let gateway = start(config).await;
    let mut stream = raw_socket(&gateway, Uuid::new_v4()).await;

    // Pings below the frame limit, and never a read (so never a pong).
    let mut closed = false;
    for _ in 0..40 {
        if stream.write_all(&PING).await.is_err() || gateway.gateway.registry.is_empty() {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    assert!(closed, "a peer that never read was kept for 8 s");
    gateway.stop().await;
}

#[tokio::test]
async fn a_ping_flood_is_closed_at_once() {
    let gateway = start(config()).await;
    let mut stream = raw_socket(&gateway, Uuid::new_v4()).await;

    let flood = PING.repeat(10_000);
    let _ = stream.write_all(&flood).await;

    let registry = &gateway.gateway.registry;
    assert!(
        eventually(Duration::from_secs(2), || async { registry.is_empty() }).await,
        "the flooding socket is still held"
    );
    gateway.stop().await;
}

#[tokio::test]
async fn a_learner_holds_at_most_so_many_sockets() {
    let mut config = config();
    config.max_sockets_per_learner = 2;
    let gateway = start(config).await;
    let user = Uuid::new_v4();
    let url = format!("{}?token={}", gateway.url(), test_signer().sign(user));
    let (first, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    let (_second, _) = tokio_tungstenite::connect_async(&url).await.unwrap();

    let third = tokio_tungstenite::connect_async(&url)
        .await
        .expect_err("a third socket");
    match third {
        tungstenite::Error::Http(res) => assert_eq!(res.status(), 429),
        other => panic!("expected an HTTP 429, got {other:?}"),
    }
    drop(first);
    let registry = &gateway.gateway.registry;
    eventually(Duration::from_secs(2), || async { registry.len() == 1 }).await;
    assert!(
        tokio_tungstenite::connect_async(&url).await.is_ok(),
        "room again"
    );
    gateway.stop().await;
}

#[tokio::test]
async fn a_silent_connection_is_closed_after_the_handshake_timeout() {
    let mut config = config();
    config.listener.header_timeout = Duration::from_millis(300);
    config.admin.header_timeout = Duration::from_millis(300);
    let gateway = start(config).await;

    let mut socket_port = TcpStream::connect(gateway.addr).await.unwrap();
    let mut admin_port = TcpStream::connect(gateway.admin_addr).await.unwrap();

    assert!(closed_within(&mut socket_port, Duration::from_secs(3)).await);
    assert!(closed_within(&mut admin_port, Duration::from_secs(3)).await);
    gateway.stop().await;
}

#[tokio::test]
async fn past_its_cap_one_address_is_refused_and_another_still_gets_in() {
    let mut config = config();
    config.listener.per_address = 3;
    let gateway = start(config).await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(connect_from([127, 0, 0, 1], gateway.addr).await);
    }

    let mut fourth = connect_from([127, 0, 0, 1], gateway.addr).await;
    assert!(
        closed_within(&mut fourth, Duration::from_millis(500)).await,
        "a fourth connection from one address was kept"
    );
    let other = connect_from([127, 0, 0, 2], gateway.addr).await;
    let url = format!(
        "{}?token={}",
        gateway.url(),
        test_signer().sign(Uuid::new_v4())
    );
    let answered = tokio::time::timeout(
        Duration::from_secs(1),
        tokio_tungstenite::client_async(url, other),
    )
    .await;
    assert!(
        matches!(answered, Ok(Ok(_))),
        "another address was not served: {answered:?}"
    );
    drop(held);
    gateway.stop().await;
}

#[tokio::test]
async fn every_refusal_is_our_json_with_the_security_headers() {
    use testkit::wire::{closed_within as closes, exchange};
    let gateway = start(config()).await;
    let token = test_signer().sign(Uuid::new_v4());
    let upgrade = "Upgrade: websocket\r\nConnection: Upgrade\r\n\
                   Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
    let cases = [
        (
            "a plain GET /ws".to_owned(),
            format!("GET /ws?token={token} HTTP/1.1\r\nHost: gateway\r\n\r\n"),
            426,
            "upgrade_required",
        ),
        (
            "an upgrade of the wrong version".to_owned(),
            format!(
                "GET /ws?token={token} HTTP/1.1\r\nHost: g\r\n{}\r\n",
                upgrade.replace("Version: 13", "Version: 8")
            ),
            426,
            "upgrade_required",
        ),
        (
            "an upgrade without a token".to_owned(),
            format!("GET /ws HTTP/1.1\r\nHost: g\r\n{upgrade}\r\n"),
            401,
            "unauthorized",
        ),
        (
            "another path".to_owned(),
            format!("GET /other HTTP/1.1\r\nHost: g\r\n{upgrade}\r\n"),
            404,
            "not_found",
        ),
        (
            "a NUL in a header".to_owned(),
            "GET /ws HTTP/1.1\r\nHost: g\r\nX-A: b\0c\r\n\r\n".to_owned(),
            400,
            "bad_request",
        ),
        (
            "not HTTP".to_owned(),
            "HELLO\r\n\r\n".to_owned(),
            400,
            "bad_request",
        ),
    ];
    for (name, request, status, code) in cases {
        let (answer, _) = exchange(gateway.addr, request.as_bytes()).await;
        let answer = answer.unwrap_or_else(|| panic!("{name}: closed without an answer"));
        assert_eq!(answer.status, status, "{name}");
        assert_eq!(answer.error_code(), code, "{name}");
    }
    // A plain GET says what the socket wants.
    let (answer, mut stream) = exchange(
        gateway.addr,
        format!("GET /ws?token={token} HTTP/1.1\r\nHost: g\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    )
    .await;
    assert_eq!(answer.unwrap().header("upgrade"), Some("websocket"));
    assert!(closes(&mut stream, Duration::from_secs(5)).await);
    // The real upgrade still works.
    let mut socket = raw_socket(&gateway, Uuid::new_v4()).await;
    socket.write_all(&PING).await.unwrap();
    gateway.stop().await;
}
