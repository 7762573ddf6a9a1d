//! The API's HTTP service: the warp filter with a header-size guard and
//! request metrics in front, on the accept-and-drain loop every service
//! shares (`service::server`).
//!
//! Not `warp::serve`, so that oversized headers get the JSON error shape and
//! every request is measured in one place.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::body::Incoming;
use tokio::net::TcpListener;
use tower_service::Service;
use tracing::Instrument;
use warp::http::{HeaderValue, Method, Request};
use warp::reply::Response;

use service::client::{ClientAddr, TrustedProxies};
use service::server::ListenerLimits;

use crate::error::ApiError;
use crate::metrics::{route_label, Metrics};
use domain::codes::Code;

/// Requests whose headers add up to more than this get 431. (hyper itself
/// refuses far larger ones, around 400 KiB, before any of this runs.)
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// How long open connections get to finish after shutdown starts.
const DRAIN: Duration = Duration::from_secs(10);

pub async fn serve<F>(
    listener: TcpListener,
    filter: F,
    metrics: Arc<Metrics>,
    proxies: TrustedProxies,
    limits: ListenerLimits,
    shutdown: impl Future<Output = ()>,
) where
    F: warp::Filter + Clone + Send + Sync + 'static,
    F::Extract: warp::Reply,
{
    let service = warp::service(filter);
    service::server::serve(
        listener,
        limits,
        shutdown,
        DRAIN,
        move |stream, peer, stop| {
            let service = service.clone();
            let metrics = metrics.clone();
            let proxies = proxies.clone();
            let handler = hyper::service::service_fn(move |mut req: Request<Incoming>| {
                let mut service = service.clone();
                let metrics = metrics.clone();
                // Who the client is, for the limits: here once, for every route.
                let client = ClientAddr(proxies.client_of(peer.ip(), req.headers()));
                req.extensions_mut().insert(client);
                // HEAD is GET without the body, for every route: hyper knows the
                // request was HEAD and sends no body.
                if req.method() == Method::HEAD {
                    *req.method_mut() = Method::GET;
                }
                let route = route_label(req.uri().path());
                let request_id = request_id(&req);
                // Every line logged for this request carries its id (and, once
                // known, the submission's: see the submit route).
                let span =
                    tracing::info_span!("request", %request_id, method = %req.method(), route);
                async move {
                    let started = Instant::now();
                    let mut response = if header_bytes(&req) > MAX_HEADER_BYTES {
                        headers_too_large()
                    } else {
                        service.call(req).await.unwrap_or_else(|e| match e {})
                    };
                    if let Ok(value) = HeaderValue::from_str(&request_id) {
                        response.headers_mut().insert(REQUEST_ID, value);
                    }
                    metrics
                        .requests
                        .with_label_values(&[route, response.status().as_str()])
                        .inc();
                    metrics
                        .request_seconds
                        .with_label_values(&[route])
                        .observe(started.elapsed().as_secs_f64());
                    tracing::debug!(status = response.status().as_u16(), "answered");
                    Ok::<Response, Infallible>(response)
                }
                .instrument(span)
            });
            service::server::serve_http(stream, handler, stop, limits.header_timeout)
        },
    )
    .await;
}

/// The header a request id travels in, both ways.
const REQUEST_ID: &str = "x-request-id";

/// The caller's `X-Request-Id` when it is a plain token of at most 64
/// characters (a proxy's), else a new one.
fn request_id<B>(req: &Request<B>) -> String {
    req.headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map_or_else(|| uuid::Uuid::new_v4().simple().to_string(), str::to_owned)
}

fn header_bytes<B>(req: &Request<B>) -> usize {
    req.headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum::<usize>()
        + req.uri().path_and_query().map_or(0, |p| p.as_str().len())
}

/// Answered before the routes run, so it gets the security headers here.
fn headers_too_large() -> Response {
    let mut response = ApiError::new(
        Code::HeadersTooLarge,
        format!("the request headers exceed {MAX_HEADER_BYTES} bytes"),
    )
    .into_response();
    service::server::add_security_headers(response.headers_mut());
    response
}
