//! The WebSocket port: `/ws` upgrades only after the token checks out (a bad
//! or missing token gets 401 before any upgrade). A learner's token follows
//! that learner's own events and nothing else: asking for a course is refused
//! (403 `staff_only`). A staff token follows its own course's topic; asking
//! for another course gets 404, as everything of another course does.
//! Health, readiness and metrics are on the admin port (`common::admin`).

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use common::codes::Code;
use http::header;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::handshake::server::{
    ErrorResponse, Request as WsRequest, Response as WsResponse,
};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_util::sync::CancellationToken;

use crate::registry::Topic;
use crate::socket::{Follower, SocketLimits};
use crate::Gateway;

/// Largest message a page may send; pages only ever send pongs.
const MAX_MESSAGE: usize = 64 * 1024;

/// Handshakes one connection on the WebSocket port and serves its socket.
// The callback's error type is fixed by tungstenite's `Callback` trait.
#[allow(clippy::result_large_err)]
pub async fn serve_connection(stream: TcpStream, gateway: Arc<Gateway>, stop: CancellationToken) {
    let follower: Arc<OnceLock<Follower>> = Arc::new(OnceLock::new());
    let slot = follower.clone();
    let signer = gateway.config.signer.clone();
    let registry = gateway.registry.clone();
    let per_learner = gateway.config.max_sockets_per_learner;
    let check = move |req: &WsRequest, res: WsResponse| -> Result<WsResponse, ErrorResponse> {
        if req.uri().path() != "/ws" {
            return Err(refusal(Code::NotFound, "the socket is at /ws"));
        }
        match admit(&signer, req.uri().query().unwrap_or(""), unix_now()) {
            Ok(f) if !registry.has_room(f.holder) => Err(refusal(
                Code::TooManySockets,
                &format!(
                    "{per_learner} sockets are open with this token's holder already; close one"
                ),
            )),
            Ok(f) => {
                let _ = slot.set(f);
                Ok(res)
            }
            Err((code, message)) => Err(refusal(code, message)),
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
    let Some(follower) = follower.get().copied() else {
        return;
    };
    let limits = SocketLimits {
        ping_interval: gateway.config.ping_interval,
        write_timeout: gateway.config.write_timeout,
        frame_rate: gateway.config.frame_rate,
    };
    crate::socket::serve(ws, follower, gateway.registry.clone(), limits, stop).await;
}

/// What a handshake's query may follow, or why not.
pub fn admit(
    signer: &common::token::TokenSigner,
    query: &str,
    now: i64,
) -> Result<Follower, (Code, &'static str)> {
    let token = param(query, "token").ok_or((Code::Unauthorized, TOKEN_REQUIRED))?;
    let course = param(query, "course");
    if let Some(claims) = signer.verify_staff(token, now) {
        if course.is_some_and(|c| c.parse::<i32>().ok() != Some(claims.course_id)) {
            return Err((Code::NotFound, "no such course"));
        }
        return Ok(Follower {
            topic: Topic::Course(claims.course_id),
            holder: claims.staff_id,
            expires_in: Some(Duration::from_secs(
                u64::try_from(claims.expires_at - now).unwrap_or(0),
            )),
        });
    }
    let learner = signer
        .verify(token)
        .ok_or((Code::Unauthorized, TOKEN_REQUIRED))?;
    if course.is_some() {
        return Err((
            Code::StaffOnly,
            "only a course's staff may follow the course; a learner's socket carries that \
             learner's own submissions",
        ));
    }
    Ok(Follower {
        topic: Topic::Learner(learner),
        holder: learner,
        expires_in: None,
    })
}

const TOKEN_REQUIRED: &str = "a valid ?token= is required";

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
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

/// A query parameter, taken as it is: tokens and course ids use only
/// URL-safe characters.
fn param<'q>(query: &'q str, name: &str) -> Option<&'q str> {
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use common::token::{Role, StaffClaims};
    use uuid::Uuid;

    #[test]
    fn the_token_is_found_among_other_parameters() {
        assert_eq!(param("token=abc.def", "token"), Some("abc.def"));
        assert_eq!(param("x=1&token=abc", "token"), Some("abc"));
        assert_eq!(param("x=1", "token"), None);
        assert_eq!(param("token=", "token"), None);
        assert_eq!(param("tokens=1", "token"), None);
    }

    fn staff(signer: &common::token::TokenSigner, course_id: i32, expires_at: i64) -> String {
        signer.sign_staff(&StaffClaims {
            staff_id: Uuid::new_v4(),
            course_id,
            role: Role::Tutor,
            expires_at,
        })
    }

    #[test]
    fn a_learner_follows_only_their_own_events() {
        let signer = common::testing::test_signer();
        let learner = Uuid::new_v4();
        let token = signer.sign(learner);

        let own = admit(&signer, &format!("token={token}"), 0).unwrap();
        assert_eq!(own.topic, Topic::Learner(learner));

        for course in ["1", "intro", "-1"] {
            let asked = admit(&signer, &format!("token={token}&course={course}"), 0);
            assert_eq!(asked.unwrap_err().0, Code::StaffOnly, "course={course}");
        }
    }

    #[test]
    fn staff_follow_their_own_course_and_no_other() {
        let signer = common::testing::test_signer();
        let token = staff(&signer, 3, 1_000);

        for query in [format!("token={token}"), format!("token={token}&course=3")] {
            let f = admit(&signer, &query, 999).unwrap();
            assert_eq!(f.topic, Topic::Course(3));
            assert_eq!(f.expires_in, Some(Duration::from_secs(1)));
        }
        let other = admit(&signer, &format!("token={token}&course=4"), 999);
        assert_eq!(other.unwrap_err().0, Code::NotFound);
        let expired = admit(&signer, &format!("token={token}"), 1_000);
        assert_eq!(expired.unwrap_err().0, Code::Unauthorized);
        let foreign = staff(
            &common::token::TokenSigner::new(&[9u8; 32]).unwrap(),
            3,
            1_000,
        );
        let forged = admit(&signer, &format!("token={foreign}"), 0);
        assert_eq!(forged.unwrap_err().0, Code::Unauthorized);
    }
}
