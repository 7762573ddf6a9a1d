//! The WebSocket port: `/ws` upgrades only after the token checks out (a bad
//! or missing token gets 401 before any upgrade). A learner's token follows
//! that learner's own events and nothing else: asking for a course is refused
//! (403 `staff_only`). A staff token follows its own course's topic; asking
//! for another course gets 404, as everything of another course does.
//! The handshake is HTTP served as every listener serves it
//! (`service::server::serve_http`), so every refusal, a plain request that is
//! no upgrade (426 `upgrade_required`) and a request hyper cannot parse
//! included, is the JSON error body with the security headers.
//! Health, readiness and metrics are on the admin port (`service::admin`).

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use domain::codes::Code;
use http::{header, HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::WebSocketStream;
use tokio_util::sync::CancellationToken;

use crate::registry::Topic;
use crate::socket::{Follower, SocketLimits};
use crate::Gateway;

/// Largest message a page may send; pages only ever send pongs.
const MAX_MESSAGE: usize = 64 * 1024;

/// An admitted handshake: whom the socket follows, and the connection once
/// hyper hands it over after the 101.
type Admitted = Arc<Mutex<Option<(Follower, OnUpgrade)>>>;

/// Serves one connection on the WebSocket port: the handshake over HTTP,
/// then, when it was admitted, the socket.
pub async fn serve_connection(stream: TcpStream, gateway: Arc<Gateway>, stop: CancellationToken) {
    let admitted: Admitted = Arc::default();
    let slot = admitted.clone();
    let handshakes = gateway.clone();
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let answer = handshake(&handshakes, req, &slot);
        async move { Ok::<_, Infallible>(answer) }
    });
    let deadline = gateway.config.listener.header_timeout;
    service::server::serve_http(stream, service, stop.clone(), deadline).await;
    let Some((follower, upgrade)) = admitted.lock().unwrap_or_else(|e| e.into_inner()).take()
    else {
        return;
    };
    let Ok(Ok(upgraded)) = tokio::time::timeout(deadline, upgrade).await else {
        return;
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
    let ws =
        WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, Some(config)).await;
    let limits = SocketLimits {
        ping_interval: gateway.config.ping_interval,
        write_timeout: gateway.config.write_timeout,
        frame_rate: gateway.config.frame_rate,
    };
    crate::socket::serve(ws, follower, gateway.registry.clone(), limits, stop).await;
}

/// The answer to one request on the WebSocket port: 101 for an admitted
/// upgrade (which `admitted` then holds), else the refusal.
fn handshake(
    gateway: &Gateway,
    mut req: Request<Incoming>,
    admitted: &Admitted,
) -> Response<Full<Bytes>> {
    if req.uri().path() != "/ws" {
        return refusal(Code::NotFound, "the socket is at /ws");
    }
    let Some(key) = websocket_key(req.method(), req.headers()) else {
        let mut res = refusal(
            Code::UpgradeRequired,
            "/ws takes only WebSocket upgrades (GET with Upgrade: websocket and \
             Sec-WebSocket-Version: 13)",
        );
        res.headers_mut()
            .insert(header::UPGRADE, HeaderValue::from_static("websocket"));
        res.headers_mut()
            .insert("sec-websocket-version", HeaderValue::from_static("13"));
        return res;
    };
    let per_learner = gateway.config.max_sockets_per_learner;
    let follower = match admit(
        &gateway.config.signer,
        req.uri().query().unwrap_or(""),
        unix_now(),
    ) {
        Ok(f) if !gateway.registry.has_room(f.holder) => {
            return refusal(
                Code::TooManySockets,
                &format!(
                    "{per_learner} sockets are open with this token's holder already; close one"
                ),
            )
        }
        Ok(f) => f,
        Err((code, message)) => return refusal(code, message),
    };
    *admitted.lock().unwrap_or_else(|e| e.into_inner()) =
        Some((follower, hyper::upgrade::on(&mut req)));
    let mut res = Response::new(Full::default());
    *res.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = res.headers_mut();
    headers.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
    headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    if let Ok(accept) = HeaderValue::from_str(&derive_accept_key(key.as_bytes())) {
        headers.insert("sec-websocket-accept", accept);
    }
    res
}

/// The `Sec-WebSocket-Key` of a WebSocket upgrade (RFC 6455, 4.2.1), or
/// None when the request is not one.
fn websocket_key(method: &Method, headers: &HeaderMap) -> Option<String> {
    let has = |name: header::HeaderName, token: &str| {
        headers.get_all(name).iter().any(|v| {
            v.to_str()
                .is_ok_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
        })
    };
    let upgrade = method == Method::GET
        && has(header::CONNECTION, "upgrade")
        && has(header::UPGRADE, "websocket")
        && headers
            .get("sec-websocket-version")
            .is_some_and(|v| v.as_bytes() == b"13");
    let key = headers.get("sec-websocket-key")?.to_str().ok()?.trim();
    (upgrade && !key.is_empty()).then(|| key.to_owned())
}

/// What a handshake's query may follow, or why not.
pub fn admit(
    signer: &service::token::TokenSigner,
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

fn refusal(code: Code, message: &str) -> Response<Full<Bytes>> {
    let mut res = Response::new(Full::from(service::server::error_body(code, message)));
    *res.status_mut() = service::server::status_of(code);
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    service::server::add_security_headers(res.headers_mut());
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
    use service::token::{Role, StaffClaims};
    use uuid::Uuid;

    #[test]
    fn the_token_is_found_among_other_parameters() {
        assert_eq!(param("token=abc.def", "token"), Some("abc.def"));
        assert_eq!(param("x=1&token=abc", "token"), Some("abc"));
        assert_eq!(param("x=1", "token"), None);
        assert_eq!(param("token=", "token"), None);
        assert_eq!(param("tokens=1", "token"), None);
    }

    fn staff(signer: &service::token::TokenSigner, course_id: i32, expires_at: i64) -> String {
        signer.sign_staff(&StaffClaims {
            staff_id: Uuid::new_v4(),
            course_id,
            role: Role::Tutor,
            expires_at,
        })
    }

    #[test]
    fn a_learner_follows_only_their_own_events() {
        let signer = testkit::test_signer();
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
        let signer = testkit::test_signer();
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
            &service::token::TokenSigner::new(&[9u8; 32]).unwrap(),
            3,
            1_000,
        );
        let forged = admit(&signer, &format!("token={foreign}"), 0);
        assert_eq!(forged.unwrap_err().0, Code::Unauthorized);
    }
}
