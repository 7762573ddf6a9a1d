//! One learner's socket: writes what the registry queues, pings, and ends on
//! a close, a dead peer, a kick for being too slow, or shutdown (1001).

use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::registry::{Outgoing, Registry};

pub async fn serve<S>(
    mut ws: WebSocketStream<S>,
    user: Uuid,
    registry: Arc<Registry>,
    ping_interval: Duration,
    stop: CancellationToken,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut reg = registry.register(user);
    let mut ping = tokio::time::interval(ping_interval);
    ping.tick().await;
    let mut awaiting_pong = false;
    loop {
        // Every send races the kick, so a peer that stopped reading cannot
        // hold this task (and its memory) after it was dropped.
        let step = tokio::select! {
            outgoing = reg.rx.recv() => match outgoing {
                Some(Outgoing::Text(text)) => Step::Send(Message::text(text.as_ref())),
                None => Step::End,
            },
            () = reg.kicked.notified() => Step::End,
            // Shutdown: going away, so the page reconnects to another replica.
            () = stop.cancelled() => Step::Close(1001, "server shutting down"),
            _ = ping.tick() => {
                if awaiting_pong {
                    tracing::debug!(%user, "peer missed a ping; closing");
                    Step::End
                } else {
                    awaiting_pong = true;
                    Step::Send(Message::Ping(Default::default()))
                }
            }
            incoming = ws.next() => match incoming {
                Some(Ok(Message::Pong(_))) => { awaiting_pong = false; Step::Nothing }
                // Anything a page says counts as proof of life; its content is ignored.
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => Step::End,
                Some(Ok(_)) => { awaiting_pong = false; Step::Nothing }
            },
        };
        match step {
            Step::Nothing => {}
            Step::End => break,
            Step::Send(message) => {
                tokio::select! {
                    sent = ws.send(message) => if sent.is_err() { break },
                    () = reg.kicked.notified() => break,
                }
            }
            Step::Close(code, reason) => {
                let frame = CloseFrame {
                    code: CloseCode::from(code),
                    reason: reason.into(),
                };
                let _ = tokio::time::timeout(
                    Duration::from_secs(2),
                    ws.send(Message::Close(Some(frame))),
                )
                .await;
                break;
            }
        }
    }
    registry.unregister(user, reg.id);
}

enum Step {
    Nothing,
    End,
    Send(Message),
    Close(u16, &'static str),
}
