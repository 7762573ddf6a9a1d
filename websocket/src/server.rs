//! The WebSocket port: `/ws` upgrades only after the token checks out (a bad
//! or missing token gets 401 before any upgrade). Health, readiness and
//! metrics are on the admin port (`common::admin`).

use std::sync::{Arc, OnceLock};

use common::codes::Code;
use http::header;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::handshake::server::{
    ErrorResponse, Request as WsRequest, Response as WsResponse,
};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::socket::SocketLimits;
use crate::Gateway;

/// Largest message a page may send; pages only ever send pongs.
const MAX_MESSAGE: usize = 64 * 1024;

/// Handshakes one connection on the WebSocket port and serves its socket.
// The callback's error type is fixed by tungstenite's `Callback` trait.
#[allow(clippy::result_large_err)]
pub async fn serve_connection(stream: TcpStream, gateway: Arc<Gateway>, stop: CancellationToken) {
    let user: Arc<OnceLock<Uuid>> = Arc::new(OnceLock::new());
    let slot = user.clone();
    let signer = gateway.config.signer.clone();
    let registry = gateway.registry.clone();
    let per_learner = gateway.config.max_sockets_per_learner;
    let check = move |req: &WsRequest, res: WsResponse| -> Result<WsResponse, ErrorResponse> {
        if req.uri().path() != "/ws" {
            return Err(refusal(Code::NotFound, "the socket is at /ws"));
        }
        match req
            .uri()
            .query()
            .and_then(token_param)
            .and_then(|t| signer.verify(t))
        {
            Some(id) if !registry.has_room(id) => Err(refusal(
                Code::TooManySockets,
                &format!("this learner has {per_learner} sockets open already; close one"),
            )),
            Some(id) => {
                let _ = slot.set(id);
                Ok(res)
            }
            None => Err(refusal(Code::Unauthorized, "a valid ?token= is required")),
        }
    };
    // Small buffers: pages only send pongs, and the defaults (128 KiB of
    // read buffer per socket) would cost a gigabyte at 10,000 idle sockets.
    // What waits to be written is capped: a peer that does not read gets
    // an error (and is closed) instead of memory.
    let config = WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_write_buffer_size(gateway.config.max_write_buffer)
        .max_message_size(Some(MAX_MESSAGE))
        .max_frame_size(Some(MAX_MESSAGE));
    let handshake = tokio_tungstenite::accept_hdr_async_with_config(stream, check, Some(config));
    let deadline = gateway.config.listener.header_timeout;
    let ws = match tokio::time::timeout(deadline, handshake).await {
        Ok(Ok(ws)) => ws,
        Ok(Err(e)) => {
            tracing::debug!(error = %e, "handshake refused");
            return;
        }
        Err(_) => return,
    };
    let Some(user) = user.get().copied() else {
        return;
    };
    let limits = SocketLimits {
        ping_interval: gateway.config.ping_interval,
        write_timeout: gateway.config.write_timeout,
        frame_rate: gateway.config.frame_rate,
    };
    crate::socket::serve(ws, user, gateway.registry.clone(), limits, stop).await;
}

fn refusal(code: Code, message: &str) -> ErrorResponse {
    let mut res = ErrorResponse::new(Some(common::server::error_body(code, message)));
    *res.status_mut() = code.status();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    res
}

/// The `token` query parameter. Tokens use only URL-safe characters.
fn token_param(query: &str) -> Option<&str> {
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("token="))
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::token_param;

    #[test]
    fn the_token_is_found_among_other_parameters() {
        assert_eq!(token_param("token=abc.def"), Some("abc.def"));
        assert_eq!(token_param("x=1&token=abc"), Some("abc"));
        assert_eq!(token_param("x=1"), None);
        assert_eq!(token_param("token="), None);
    }
}
