//! One socket: writes what the registry queues for its topic, pings, and ends
//! on a close, a dead peer, a kick for being too slow, shutdown (1001), or
//! the expiry of the staff token that opened it (1008).
//!
//! A peer cannot make the gateway hold more than a bounded amount for it:
//! every write (message, ping, close, and the pongs tungstenite answers
//! pings with) must be done within the write timeout, what waits to be
//! written is capped (the socket's `max_write_buffer_size`), only a pong
//! counts as an answer to our ping (a peer that sends but never reads is
//! closed whatever it sends), and it may send only so many frames a second.

use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use service::rate::{Limiter, Rate};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::registry::{Outgoing, Registry, Topic};

/// What a socket follows and for whom, as its handshake admitted it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Follower {
    pub topic: Topic,
    /// Whose share of sockets it counts against.
    pub holder: Uuid,
    /// A staff token's time left: the socket closes when it runs out.
    pub expires_in: Option<Duration>,
}

/// How a socket is held to account.
#[derive(Debug, Clone, Copy)]
pub struct SocketLimits {
    pub ping_interval: Duration,
    pub write_timeout: Duration,
    pub frame_rate: Rate,
}

pub async fn serve<S>(
    mut ws: WebSocketStream<S>,
    follower: Follower,
    registry: Arc<Registry>,
    limits: SocketLimits,
    stop: CancellationToken,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let Some(mut reg) = registry.register(follower.topic, follower.holder) else {
        // Refused at the handshake already; this is a race past that check.
        close(&mut ws, 1008, "too many sockets for this holder", limits).await;
        return;
    };
    let holder = follower.holder;
    let expiry = tokio::time::sleep(follower.expires_in.unwrap_or(NEVER));
    tokio::pin!(expiry);
    let frames = Limiter::new(limits.frame_rate);
    let mut ping = tokio::time::interval(limits.ping_interval);
    ping.tick().await;
    let mut awaiting_pong = false;
    loop {
        let step = tokio::select! {
            outgoing = reg.rx.recv() => match outgoing {
                Some(Outgoing::Text(text)) => Step::Send(Message::text(text.as_ref())),
                None => Step::End,
            },
            () = reg.kicked.notified() => Step::End,
            // Shutdown: going away, so the page reconnects to another replica.
            () = stop.cancelled() => Step::Close(1001, "server shutting down"),
            () = &mut expiry, if follower.expires_in.is_some() => Step::Close(1008, "token expired"),
            _ = ping.tick() => {
                if awaiting_pong {
                    tracing::debug!(%holder, "peer did not answer the last ping; closing");
                    Step::End
                } else {
                    awaiting_pong = true;
                    Step::Send(Message::Ping(Default::default()))
                }
            }
            incoming = ws.next() => match incoming {
                // Reading also writes the pongs tungstenite owes: an error
                // here is a peer that let them pile up past the cap.
                Some(Err(_)) | None | Some(Ok(Message::Close(_))) => Step::End,
                Some(Ok(message)) if frames.check("").is_err() => {
                    tracing::debug!(%holder, "peer sent too many frames; closing");
                    drop(message);
                    Step::Close(1008, "too many frames")
                }
                // Only a pong answers our ping: anything else a peer sends
                // says nothing about whether it reads.
                Some(Ok(Message::Pong(_))) => { awaiting_pong = false; Step::Nothing }
                Some(Ok(_)) => Step::Nothing,
            },
        };
        match step {
            Step::Nothing => {}
            Step::End => break,
            Step::Send(message) => {
                if !send(&mut ws, message, limits, &reg.kicked).await {
                    break;
                }
            }
            Step::Close(code, reason) => {
                close(&mut ws, code, reason, limits).await;
                break;
            }
        }
    }
    registry.unregister(follower.topic, reg.id);
}

/// No expiry: a year is as good as never for one socket.
const NEVER: Duration = Duration::from_secs(365 * 24 * 3600);

/// Sends `message`, racing the kick and with a deadline, so a peer that
/// stopped reading cannot hold the task (and its memory); false if not sent.
async fn send<S>(
    ws: &mut WebSocketStream<S>,
    message: Message,
    limits: SocketLimits,
    kicked: &tokio::sync::Notify,
) -> bool
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    tokio::select! {
        sent = tokio::time::timeout(limits.write_timeout, ws.send(message)) => {
            matches!(sent, Ok(Ok(())))
        }
        () = kicked.notified() => false,
    }
}

/// Sends a close frame, if the peer takes it within the write timeout.
async fn close<S>(
    ws: &mut WebSocketStream<S>,
    code: u16,
    reason: &'static str,
    limits: SocketLimits,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let frame = CloseFrame {
        code: CloseCode::from(code),
        reason: reason.into(),
    };
    let _ = tokio::time::timeout(limits.write_timeout, ws.send(Message::Close(Some(frame)))).await;
}

enum Step {
    Nothing,
    End,
    Send(Message),
    Close(u16, &'static str),
}
