//! The gateway against real Redis: auth before the upgrade, routing by
//! learner, slow sockets dropped without delaying others, dead peers closed,
//! resubscription after Redis restarts, and close frames at shutdown.

use std::time::Duration;

use chrono::Utc;
use domain::work::{Submission, SubmissionEvent, SubmissionStatus};
use futures::{SinkExt, StreamExt};
use queue::events::EventPublisher;
use queue::names::RedisNames;
use redis::aio::ConnectionManager;
use serde_json::Value;
use service::token::{Role, StaffClaims, TokenSigner};
use testkit::eventually;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use uuid::Uuid;
use websocket::testing::{self, Running};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

struct TestGateway {
    running: Running,
    publisher: EventPublisher,
    signer: TokenSigner,
}

impl TestGateway {
    async fn start(redis_url: &str, buffer: usize, ping: Duration) -> Self {
        Self::start_with(redis_url, |config| {
            config.buffer = buffer;
            config.ping_interval = ping;
        })
        .await
    }

    /// With `change` made to the test's config.
    async fn start_with(
        redis_url: &str,
        change: impl FnOnce(&mut websocket::config::Config),
    ) -> Self {
        let names = RedisNames::new(format!("ws-test:{}:", Uuid::new_v4().simple()));
        let client = redis::Client::open(redis_url).unwrap();
        let mut config = testing::config(client.clone(), names.prefix());
        change(&mut config);
        let running = Running::start(config).await;
        let conn = ConnectionManager::new_lazy_with_config(client, Default::default()).unwrap();
        let t = Self {
            running,
            publisher: EventPublisher::new(conn, names),
            signer: testkit::test_signer(),
        };
        assert!(
            t.running.subscribed().await,
            "the gateway did not subscribe"
        );
        t
    }

    async fn connect(&self, user: Uuid) -> Socket {
        let url = format!("{}?token={}", self.running.url(), self.signer.sign(user));
        let registry = &self.running.gateway.registry;
        let before = registry.len();
        let (socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        // The socket registers right after the upgrade; wait for it.
        eventually(Duration::from_secs(1), || async { registry.len() > before }).await;
        socket
    }

    async fn publish(&self, user: Uuid, code: String) -> Uuid {
        self.publish_in(user, None, code).await
    }

    async fn publish_in(&self, user: Uuid, course_id: Option<i32>, code: String) -> Uuid {
        publish_with(&self.publisher, user, course_id, code).await
    }

    async fn stop(self) {
        self.running.stop().await;
    }
}

/// Publishes a grading event for `user`'s new submission; returns its id.
async fn publish_with(
    publisher: &EventPublisher,
    user: Uuid,
    course_id: Option<i32>,
    code: String,
) -> Uuid {
    let id = Uuid::new_v4();
    let event = SubmissionEvent {
        user_id: user,
        course_id,
        submission: Submission {
            id,
            assignment_id: 1,
            status: SubmissionStatus::Grading,
            verdict: None,
            code,
            created_at: Utc::now(),
            graded_at: None,
            feedback: None,
            late: false,
            held_until: None,
        },
        held: None,
    };
    publisher.publish_event(&event).await.unwrap();
    id
}

/// The status `GET /readyz` gets on `admin`, by hand (no HTTP client here).
async fn readyz_status(admin: std::net::SocketAddr) -> Option<u16> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = TcpStream::connect(admin).await.ok()?;
    stream
        .write_all(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .ok()?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).await.ok()?;
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

/// The code of the close frame that comes next (within 5 s), past any
/// other message.
async fn close_code(socket: &mut Socket) -> Option<u16> {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), socket.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => return frame.map(|f| u16::from(f.code)),
            Ok(Some(Ok(_))) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
}

fn redis_url() -> String {
    std::env::var("REDIS_URL").expect("REDIS_URL must be set (./test.sh sets it)")
}

/// The next text message, or None if none arrives within `wait`.
async fn next_text(socket: &mut Socket, wait: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let msg = tokio::time::timeout_at(deadline, socket.next())
            .await
            .ok()??
            .ok()?;
        if let Message::Text(t) = msg {
            return Some(serde_json::from_str(&t).unwrap());
        }
    }
}

#[tokio::test]
async fn a_missing_or_bad_token_is_refused_before_the_upgrade() {
    let gw = TestGateway::start(&redis_url(), 32, Duration::from_secs(20)).await;
    let foreign = TokenSigner::new(&[7u8; 32]).unwrap().sign(Uuid::new_v4());
    for query in [
        "".to_owned(),
        "?token=".to_owned(),
        "?token=garbage".to_owned(),
        format!("?token={foreign}"),
    ] {
        let url = format!("ws://{}/ws{query}", gw.running.addr);

        let err = tokio_tungstenite::connect_async(url)
            .await
            .expect_err("must be refused");

        match err {
            tungstenite::Error::Http(res) => assert_eq!(res.status(), 401, "{query}"),
            other => panic!("{query}: expected an HTTP 401, got {other:?}"),
        }
    }
    assert!(gw.running.gateway.registry.is_empty());
    gw.stop().await;
}

#[tokio::test]
async fn each_learner_gets_only_their_own_events() {
    let gw = TestGateway::start(&redis_url(), 32, Duration::from_secs(20)).await;
    let (alice, bob) = (Uuid::new_v4(), Uuid::new_v4());
    let mut a = gw.connect(alice).await;
    let mut b = gw.connect(bob).await;

    let for_alice = gw.publish(alice, "alice's code".into()).await;
    let got = next_text(&mut a, Duration::from_secs(5))
        .await
        .expect("alice gets her event");
    let for_bob = gw.publish(bob, "bob's code".into()).await;
    let got_b = next_text(&mut b, Duration::from_secs(5))
        .await
        .expect("bob gets his event");

    assert_eq!(got["type"], "submission");
    assert_eq!(got["submission"]["id"], for_alice.to_string());
    assert_eq!(
        got_b["submission"]["id"],
        for_bob.to_string(),
        "bob's first message is his own"
    );
    assert!(
        next_text(&mut a, Duration::from_millis(300))
            .await
            .is_none(),
        "alice got bob's event"
    );
    gw.stop().await;
}

/// The handshake's refusal: its status and error code.
async fn refused(url: String) -> (u16, String) {
    match tokio_tungstenite::connect_async(url).await {
        Err(tungstenite::Error::Http(res)) => {
            let body: Value =
                serde_json::from_slice(res.body().as_deref().unwrap_or(b"{}")).unwrap();
            (
                res.status().as_u16(),
                body["error"]["code"].as_str().unwrap_or("").to_owned(),
            )
        }
        Err(other) => panic!("expected an HTTP refusal, got {other:?}"),
        Ok(_) => panic!("the socket was opened"),
    }
}

#[tokio::test]
async fn staff_follow_their_own_course_and_a_learner_asking_for_a_course_is_refused() {
    let gw = TestGateway::start(&redis_url(), 32, Duration::from_secs(20)).await;
    let staff_of = |course_id| {
        gw.signer.sign_staff(&StaffClaims {
            staff_id: Uuid::new_v4(),
            course_id,
            role: Role::Tutor,
            expires_at: Utc::now().timestamp() + 3600,
        })
    };
    let url = gw.running.url();
    let (mut tutor, _) =
        tokio_tungstenite::connect_async(format!("{url}?token={}&course=5", staff_of(5)))
            .await
            .unwrap();
    let (mut elsewhere, _) =
        tokio_tungstenite::connect_async(format!("{url}?token={}", staff_of(6)))
            .await
            .unwrap();
    let (alice, mallory) = (Uuid::new_v4(), Uuid::new_v4());
    let mut own = gw.connect(alice).await;

    // The attack: a learner's token asks for the course's topic.
    for query in ["course=5", "course=6", "course=intro"] {
        let asked = refused(format!("{url}?token={}&{query}", gw.signer.sign(mallory))).await;
        assert_eq!(asked, (403, "staff_only".to_owned()), "{query}");
    }
    // Staff of course 6 asking for course 5 get what everything of 5 gives them.
    let across = refused(format!("{url}?token={}&course=5", staff_of(6))).await;
    assert_eq!(across, (404, "not_found".to_owned()));
    eventually(Duration::from_secs(1), || async {
        gw.running.gateway.registry.len() == 3
    })
    .await;

    let id = gw.publish_in(alice, Some(5), "alice's code".into()).await;

    let seen = next_text(&mut tutor, Duration::from_secs(5))
        .await
        .expect("the course's staff see it");
    assert_eq!(seen["type"], "class");
    assert_eq!(seen["user_id"], alice.to_string());
    assert_eq!(seen["submission"]["id"], id.to_string());
    let mine = next_text(&mut own, Duration::from_secs(5))
        .await
        .expect("the learner sees it");
    assert_eq!(mine["type"], "submission");
    assert!(
        next_text(&mut elsewhere, Duration::from_millis(300))
            .await
            .is_none(),
        "another course's staff saw it"
    );
    gw.stop().await;
}

#[tokio::test]
async fn a_socket_that_stops_reading_is_dropped_and_others_still_get_theirs_on_time() {
    let gw = TestGateway::start(&redis_url(), 4, Duration::from_secs(20)).await;
    let (stalled_user, live_user) = (Uuid::new_v4(), Uuid::new_v4());
    let _stalled = gw.connect(stalled_user).await; // never read
    let mut live = gw.connect(live_user).await;
    let big = "x".repeat(60_000);

    // Enough to fill the stalled socket's kernel buffers and its queue.
    for _ in 0..300 {
        gw.publish(stalled_user, big.clone()).await;
    }
    let started = std::time::Instant::now();
    let id = gw.publish(live_user, "small".into()).await;
    let got = next_text(&mut live, Duration::from_secs(5))
        .await
        .expect("live socket served");

    assert_eq!(got["submission"]["id"], id.to_string());
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "delivery took {:?}",
        started.elapsed()
    );
    let mut dropped = false;
    for _ in 0..100 {
        if gw.running.gateway.metrics.dropped_slow.get() >= 1 {
            dropped = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(dropped, "the stalled socket was never dropped");
    assert_eq!(
        gw.running.gateway.registry.len(),
        1,
        "only the live socket remains"
    );
    gw.stop().await;
}

#[tokio::test]
async fn a_peer_that_never_answers_pings_is_closed() {
    let gw = TestGateway::start(&redis_url(), 32, Duration::from_millis(300)).await;
    // Never polled, so its client never answers the pings.
    let _silent = gw.connect(Uuid::new_v4()).await;
    assert_eq!(gw.running.gateway.registry.len(), 1);

    let mut closed = false;
    for _ in 0..100 {
        if gw.running.gateway.registry.is_empty() {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    assert!(closed, "the dead peer was kept");
    gw.stop().await;
}

#[tokio::test]
async fn a_reading_peer_survives_pings() {
    let gw = TestGateway::start(&redis_url(), 32, Duration::from_millis(200)).await;
    let user = Uuid::new_v4();
    let mut socket = gw.connect(user).await;

    // Reading lets the client answer pings; wait for several intervals.
    assert!(next_text(&mut socket, Duration::from_millis(1000))
        .await
        .is_none());
    let id = gw.publish(user, "still here".into()).await;

    let got = next_text(&mut socket, Duration::from_secs(5))
        .await
        .expect("still connected");
    assert_eq!(got["submission"]["id"], id.to_string());
    gw.stop().await;
}

#[tokio::test]
async fn shutdown_closes_sockets_with_going_away() {
    let gw = TestGateway::start(&redis_url(), 32, Duration::from_secs(20)).await;
    let mut socket = gw.connect(Uuid::new_v4()).await;

    let stopping = tokio::spawn(gw.stop());
    assert_eq!(close_code(&mut socket).await, Some(1001));
    stopping.await.unwrap();
}

/// A stopping gateway leaves the balancer's rotation first: for its
/// shutdown delay `/readyz` answers 503 while its sockets still get their
/// events; then it closes them (1001) for their pages to reconnect.
#[tokio::test]
async fn a_stopping_gateway_is_not_ready_but_still_delivers_until_its_delay_is_over() {
    let gw = TestGateway::start_with(&redis_url(), |config| {
        config.shutdown_delay = Duration::from_secs(3);
    })
    .await;
    let user = Uuid::new_v4();
    let mut socket = gw.connect(user).await;
    let admin = gw.running.admin_addr;
    assert_eq!(readyz_status(admin).await, Some(200));

    let publisher = gw.publisher.clone();
    let stopping = tokio::spawn(gw.stop());
    let draining = eventually(Duration::from_secs(2), || async {
        readyz_status(admin).await == Some(503)
    })
    .await;
    assert!(draining, "/readyz never said it was draining");
    let id = publish_with(&publisher, user, None, "while draining".into()).await;
    let got = next_text(&mut socket, Duration::from_secs(2))
        .await
        .expect("delivered while draining");
    assert_eq!(got["submission"]["id"], id.to_string());
    assert!(!stopping.is_finished(), "stopped before its delay");
    assert_eq!(close_code(&mut socket).await, Some(1001));
    stopping.await.unwrap();
}

#[tokio::test]
async fn after_redis_restarts_the_gateway_resubscribes_and_tells_the_sockets() {
    let port = testkit::free_port();
    let mut redis = testkit::start_redis(port).await;
    let url = format!("redis://127.0.0.1:{port}/");
    let gw = TestGateway::start(&url, 32, Duration::from_secs(20)).await;
    let user = Uuid::new_v4();
    let mut socket = gw.connect(user).await;

    redis.kill().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    socket
        .send(Message::Ping(Default::default()))
        .await
        .expect("socket stays open meanwhile");
    let _redis = testkit::start_redis(port).await;

    let notice = next_text(&mut socket, Duration::from_secs(10))
        .await
        .expect("a reconnect notice");
    assert_eq!(notice["type"], "reconnected");
    let id = gw.publish(user, "after the restart".into()).await;
    let got = next_text(&mut socket, Duration::from_secs(5))
        .await
        .expect("events flow again");
    assert_eq!(got["submission"]["id"], id.to_string());
    gw.stop().await;
}
