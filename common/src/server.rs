//! How every listener of every service accepts, serves and drains: one
//! accept loop ([`serve`]) that backs off on accept errors and gives each
//! connection a token cancelled at shutdown; one way to serve an HTTP
//! connection on it ([`serve_http`]), closing gracefully on that token; and
//! the one JSON error body ([`error_body`]).

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::service::Service;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use serde::Serialize;
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::codes::Code;

/// The first pause after a failed accept (out of file descriptors and the
/// like); it doubles up to a second while accepts keep failing.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(20);

/// Accepts on `listener` until `shutdown` resolves, running `handle` for each
/// connection in a task of its own. At shutdown it stops accepting, cancels
/// every connection's token (each closes as it sees fit: HTTP finishes the
/// request in hand, a WebSocket sends its close frame) and waits up to
/// `drain` for them to end.
pub async fn serve<H, F>(
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
    drain: Duration,
    handle: H,
) where
    H: Fn(TcpStream, SocketAddr, CancellationToken) -> F,
    F: Future<Output = ()> + Send + 'static,
{
    let stop = CancellationToken::new();
    let tasks = TaskTracker::new();
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
        let _ = stream.set_nodelay(true);
        tasks.spawn(handle(stream, peer, stop.child_token()));
    }
    drop(listener);
    stop.cancel();
    tasks.close();
    if tokio::time::timeout(drain, tasks.wait()).await.is_err() {
        tracing::warn!("connections still open after the drain period; closing them");
    }
}

/// Serves one HTTP/1 connection (upgrades allowed) with `service`; when
/// `stop` is cancelled, the request in hand finishes and the connection
/// closes.
pub async fn serve_http<S, B>(stream: TcpStream, service: S, stop: CancellationToken)
where
    S: Service<hyper::Request<Incoming>, Response = hyper::Response<B>> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let builder = Builder::new(TokioExecutor::new());
    let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
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

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: &'a str,
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
