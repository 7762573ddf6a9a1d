//! How every listener of every service accepts, serves and drains: one
//! accept loop ([`serve`]) that backs off on accept errors and gives each
//! connection a token cancelled at shutdown; one way to serve an HTTP
//! connection on it ([`serve_http`]), closing gracefully on that token, with
//! hyper's own answers to unreadable requests replaced by ours
//! (`crate::parse_errors`); the one JSON error body ([`error_body`]) and the
//! security headers every answer carries ([`SECURITY_HEADERS`]).

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::Service;
use hyper_util::rt::{TokioIo, TokioTimer};
use serde::Serialize;
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use domain::codes::Code;

/// The first pause after a failed accept (out of file descriptors and the
/// like); it doubles up to a second while accepts keep failing.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(20);

/// What one listener lets its clients hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListenerLimits {
    /// Connections one address may hold at once; more are closed at accept.
    pub per_address: usize,
    /// Connections in all; kept below the process's open-file limit, so the
    /// server always has room to answer others (and Postgres and Redis).
    pub total: usize,
    /// HTTP: how long a request's headers may take, counted from the
    /// connection's start or the end of the previous response. hyper keeps
    /// one clock for both, so this is also the idle keep-alive timeout.
    pub header_timeout: Duration,
}

impl ListenerLimits {
    /// The limits of the listener whose settings start with `prefix`
    /// (`API`, `WS`, `ADMIN`): `{prefix}_MAX_CONNECTIONS` (default: 80% of
    /// the process's open-file limit), `{prefix}_MAX_CONNECTIONS_PER_ADDRESS`
    /// and `{prefix}_HEADER_TIMEOUT_MS`.
    pub fn from_env(prefix: &str, defaults: ListenerLimits) -> Result<Self, crate::Error> {
        use crate::config::env_or;
        let limits = Self {
            per_address: env_or(
                &format!("{prefix}_MAX_CONNECTIONS_PER_ADDRESS"),
                defaults.per_address,
            )?,
            total: env_or(&format!("{prefix}_MAX_CONNECTIONS"), defaults.total)?,
            header_timeout: Duration::from_millis(env_or(
                &format!("{prefix}_HEADER_TIMEOUT_MS"),
                defaults.header_timeout.as_millis() as u64,
            )?),
        };
        if limits.per_address == 0 || limits.total == 0 || limits.header_timeout.is_zero() {
            return Err(crate::Error::Config(format!(
                "{prefix}_MAX_CONNECTIONS, {prefix}_MAX_CONNECTIONS_PER_ADDRESS and \
                 {prefix}_HEADER_TIMEOUT_MS must be above 0"
            )));
        }
        Ok(limits)
    }

    /// The default for a public listener.
    pub fn public() -> Self {
        Self {
            per_address: 1024,
            total: default_total(),
            header_timeout: Duration::from_secs(10),
        }
    }

    /// The default for an admin port (health checks and Prometheus).
    pub fn admin() -> Self {
        Self {
            per_address: 16,
            total: 64,
            header_timeout: Duration::from_secs(5),
        }
    }
}

/// 80% of this process's open-file limit (read from /proc/self/limits),
/// leaving the rest for Postgres, Redis, Docker and logs; 1,000 where the
/// limit cannot be read.
fn default_total() -> usize {
    std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|limits| {
            let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
            let soft: usize = line.split_whitespace().nth(3)?.parse().ok()?;
            Some(soft / 5 * 4)
        })
        .unwrap_or(1000)
}

/// Connections held now, by address and in all.
#[derive(Default)]
struct Held {
    by_address: std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, usize>>,
}

/// One held connection; letting go of it gives its place back.
struct Place {
    held: std::sync::Arc<Held>,
    address: std::net::IpAddr,
}

impl Held {
    /// A place for a connection from `address`, if the limits allow one.
    fn take(
        self: &std::sync::Arc<Self>,
        address: std::net::IpAddr,
        limits: &ListenerLimits,
    ) -> Option<Place> {
        let mut by_address = self.by_address.lock().expect("connection counts");
        let total: usize = by_address.values().sum();
        let mine = by_address.entry(address).or_default();
        if *mine >= limits.per_address || total >= limits.total {
            return None;
        }
        *mine += 1;
        Some(Place {
            held: self.clone(),
            address,
        })
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut by_address = self.held.by_address.lock().expect("connection counts");
        if let Some(n) = by_address.get_mut(&self.address) {
            *n -= 1;
            if *n == 0 {
                by_address.remove(&self.address);
            }
        }
    }
}

/// A service's two listeners: its public address and its admin port
/// (`/healthz`, `/readyz`, `/metrics`). An address taken says which.
pub async fn bind(
    addr: SocketAddr,
    admin: SocketAddr,
) -> std::io::Result<(TcpListener, TcpListener)> {
    let listen = |addr: SocketAddr| async move {
        TcpListener::bind(addr)
            .await
            .map_err(|e| std::io::Error::new(e.kind(), format!("cannot listen on {addr}: {e}")))
    };
    Ok((listen(addr).await?, listen(admin).await?))
}

/// Accepts on `listener` until `shutdown` resolves, running `handle` for each
/// connection in a task of its own. A connection past `limits` (per address
/// or in all) is closed at once. At shutdown it stops accepting, cancels
/// every connection's token (each closes as it sees fit: HTTP finishes the
/// request in hand, a WebSocket sends its close frame) and waits up to
/// `drain` for them to end.
pub async fn serve<H, F>(
    listener: TcpListener,
    limits: ListenerLimits,
    shutdown: impl Future<Output = ()>,
    drain: Duration,
    handle: H,
) where
    H: Fn(TcpStream, SocketAddr, CancellationToken) -> F,
    F: Future<Output = ()> + Send + 'static,
{
    let stop = CancellationToken::new();
    let tasks = TaskTracker::new();
    let held = std::sync::Arc::new(Held::default());
    let mut shutdown = std::pin::pin!(shutdown);
    let mut backoff = ACCEPT_BACKOFF;
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::warn!(error = %e, pause_ms = backoff.as_millis() as u64, "accept failed");
                    tokio::select! {
                        () = tokio::time::sleep(backoff) => {}
                        () = &mut shutdown => break,
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(1));
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        backoff = ACCEPT_BACKOFF;
        let Some(place) = held.take(peer.ip(), &limits) else {
            tracing::debug!(%peer, "connection refused: past the connection limits");
            continue;
        };
        let _ = stream.set_nodelay(true);
        let connection = handle(stream, peer, stop.child_token());
        tasks.spawn(async move {
            connection.await;
            drop(place);
        });
    }
    drop(listener);
    stop.cancel();
    tasks.close();
    if tokio::time::timeout(drain, tasks.wait()).await.is_err() {
        tracing::warn!("connections still open after the drain period; closing them");
    }
}

/// Serves one HTTP/1 connection with `service`. Headers must arrive within
/// `header_timeout` (of the connection's start, or of the previous
/// response's end); when `stop` is cancelled, the request in hand finishes
/// and the connection closes. A request hyper cannot parse gets our JSON
/// answer with the security headers. A service may upgrade the connection
/// (`hyper::upgrade::on`): the gateway's WebSocket handshake.
pub async fn serve_http<S, B>(
    stream: TcpStream,
    service: S,
    stop: CancellationToken,
    header_timeout: Duration,
) where
    S: Service<hyper::Request<Incoming>, Response = hyper::Response<B>> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    let io = TokioIo::new(crate::parse_errors::OwnErrors::new(stream));
    let connection = builder.serve_connection(io, service).with_upgrades();
    let mut connection = std::pin::pin!(connection);
    let ended = tokio::select! {
        ended = connection.as_mut() => ended,
        () = stop.cancelled() => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(e) = ended {
        tracing::debug!(error = %e, "connection ended with an error");
    }
}

/// The headers every answer of every service carries, its errors and
/// hyper's unreadable requests included. The Content-Security-Policy here is
/// for answers that are not pages (JSON, metrics): nothing in them may run
/// or be framed. The API's pages replace it with theirs
/// (`programming-api/src/security.rs`).
pub const SECURITY_HEADERS: [(&str, &str); 4] = [
    (
        "content-security-policy",
        "default-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    ),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
];

/// Adds [`SECURITY_HEADERS`] to `headers`, keeping a policy already set.
pub fn add_security_headers(headers: &mut http::HeaderMap) {
    for (name, value) in SECURITY_HEADERS {
        if !headers.contains_key(name) {
            headers.insert(name, http::HeaderValue::from_static(value));
        }
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: &'a str,
}

/// The HTTP status of an error code (the domain keeps it as a number).
pub fn status_of(code: Code) -> http::StatusCode {
    http::StatusCode::from_u16(code.status()).expect("every code's status is a valid one")
}

/// The one JSON error shape of every service:
/// `{"error": {"code": "snake_case", "message": "..."}}`.
pub fn error_body(code: Code, message: &str) -> String {
    serde_json::to_string(&ErrorBody {
        error: ErrorDetail {
            code: code.as_str(),
            message,
        },
    })
    .expect("strings always serialise")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_body_has_the_one_shape() {
        let body: serde_json::Value =
            serde_json::from_str(&error_body(Code::NotFound, "a \"b\"")).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"error": {"code": "not_found", "message": "a \"b\""}})
        );
    }
}
