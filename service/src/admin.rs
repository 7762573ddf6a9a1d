//! What every service answers about itself: `/healthz` (the process
//! answers), `/readyz` (its dependencies answer, each named) and `/metrics`
//! (Prometheus text). The grader and the gateway serve it on an admin port
//! of their own ([`serve_admin`]); the API answers the same paths, through
//! [`respond`], on its main port.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{header, Response, StatusCode};
use http_body_util::Full;
use serde_json::{json, Value};
use tokio::net::TcpListener;

use crate::server::{
    add_security_headers, error_body, serve, serve_http, status_of, ListenerLimits,
};
use domain::codes::Code;

/// A dependency that does not answer within this is reported down.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(1);

/// A service's view of itself.
pub trait Probes: Send + Sync + 'static {
    /// The service's metrics, in Prometheus text format.
    fn metrics(&self) -> String;
    /// Each dependency by name, and whether it answers now.
    fn readiness(&self) -> impl Future<Output = Vec<(&'static str, bool)>> + Send;
    /// Whether it is shutting down (`crate::drain`): then it is not ready,
    /// whatever its dependencies say.
    fn draining(&self) -> bool {
        false
    }
}

/// An answer to an admin path: status, content type and body.
pub struct Answer {
    pub status: StatusCode,
    pub content_type: &'static str,
    pub body: String,
}

impl Answer {
    fn json(status: StatusCode, body: String) -> Self {
        Self {
            status,
            content_type: "application/json",
            body,
        }
    }
}

/// The answer to `path`; None for a path that is not an admin one.
pub async fn respond<P: Probes>(probes: &P, path: &str) -> Option<Answer> {
    Some(match path {
        "/healthz" => Answer::json(StatusCode::OK, json!({"status": "ok"}).to_string()),
        "/readyz" if probes.draining() => Answer::json(
            status_of(Code::NotReady),
            error_body(
                Code::NotReady,
                "shutting down: finishing the requests it holds",
            ),
        ),
        "/readyz" => readiness(probes.readiness().await),
        "/metrics" => Answer {
            status: StatusCode::OK,
            content_type: "text/plain; version=0.0.4",
            body: probes.metrics(),
        },
        _ => return None,
    })
}

fn readiness(dependencies: Vec<(&'static str, bool)>) -> Answer {
    let ready = dependencies.iter().all(|(_, up)| *up);
    let mut body: Value = if ready {
        json!({"status": "ready"})
    } else {
        serde_json::from_str(&error_body(Code::NotReady, "a dependency is unavailable"))
            .expect("the error body is JSON")
    };
    for (name, up) in dependencies {
        body[name] = json!(if up { "up" } else { "down" });
    }
    let status = if ready {
        StatusCode::OK
    } else {
        status_of(Code::NotReady)
    };
    Answer::json(status, body.to_string())
}

/// Runs a readiness probe, down if it does not answer in time.
pub async fn probe(check: impl Future<Output = bool>) -> bool {
    tokio::time::timeout(PROBE_TIMEOUT, check)
        .await
        .unwrap_or(false)
}

/// Serves the admin paths on `listener`, within `limits`, until `shutdown`
/// resolves.
pub async fn serve_admin<P: Probes>(
    listener: TcpListener,
    limits: ListenerLimits,
    probes: Arc<P>,
    shutdown: impl Future<Output = ()>,
) {
    serve(
        listener,
        limits,
        shutdown,
        Duration::from_secs(1),
        move |stream, _, stop| {
            let probes = probes.clone();
            let service =
                hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let probes = probes.clone();
                    async move {
                        let answer = respond(probes.as_ref(), req.uri().path())
                            .await
                            .unwrap_or_else(|| {
                                Answer::json(
                                    status_of(Code::NotFound),
                                    error_body(Code::NotFound, "no such resource"),
                                )
                            });
                        let mut response = Response::builder()
                            .status(answer.status)
                            .header(header::CONTENT_TYPE, answer.content_type)
                            .body(Full::new(Bytes::from(answer.body)))
                            .expect("valid response");
                        add_security_headers(response.headers_mut());
                        Ok::<_, Infallible>(response)
                    }
                });
            serve_http(stream, service, stop, limits.header_timeout)
        },
    )
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readiness_names_each_dependency() {
        let up = readiness(vec![("postgres", true), ("redis", true)]);
        assert_eq!(up.status, StatusCode::OK);
        let body: Value = serde_json::from_str(&up.body).unwrap();
        assert_eq!(
            body,
            json!({"status": "ready", "postgres": "up", "redis": "up"})
        );

        let down = readiness(vec![("postgres", true), ("redis", false)]);
        assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE);
        let body: Value = serde_json::from_str(&down.body).unwrap();
        assert_eq!(body["error"]["code"], "not_ready");
        assert_eq!(body["redis"], "down");
        assert_eq!(body["postgres"], "up");
    }
}
