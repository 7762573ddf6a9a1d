//! The API's HTTP service: the warp filter with a header-size guard and
//! request metrics in front, on the accept-and-drain loop every service
//! shares (`common::server`).
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
use warp::http::Request;
use warp::reply::Response;

use crate::error::ApiError;
use crate::metrics::{route_label, Metrics};
use common::codes::Code;

/// Requests whose headers add up to more than this get 431. (hyper itself
/// refuses far larger ones, around 400 KiB, before any of this runs.)
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// How long open connections get to finish after shutdown starts.
const DRAIN: Duration = Duration::from_secs(10);

pub async fn serve<F>(
    listener: TcpListener,
    filter: F,
    metrics: Arc<Metrics>,
    shutdown: impl Future<Output = ()>,
) where
    F: warp::Filter + Clone + Send + Sync + 'static,
    F::Extract: warp::Reply,
{
    let service = warp::service(filter);
    common::server::serve(listener, shutdown, DRAIN, move |stream, _, stop| {
        let service = service.clone();
        let metrics = metrics.clone();
        let handler = hyper::service::service_fn(move |req: Request<Incoming>| {
            let mut service = service.clone();
            let metrics = metrics.clone();
            async move {
                let started = Instant::now();
                let route = route_label(req.uri().path());
                let response = if header_bytes(&req) > MAX_HEADER_BYTES {
                    headers_too_large()
                } else {
                    service.call(req).await.unwrap_or_else(|e| match e {})
                };
                metrics
                    .requests
                    .with_label_values(&[route, response.status().as_str()])
                    .inc();
                metrics
                    .request_seconds
                    .with_label_values(&[route])
                    .observe(started.elapsed().as_secs_f64());
                Ok::<Response, Infallible>(response)
            }
        });
        common::server::serve_http(stream, handler, stop)
    })
    .await;
}

fn header_bytes<B>(req: &Request<B>) -> usize {
    req.headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum::<usize>()
        + req.uri().path_and_query().map_or(0, |p| p.as_str().len())
}

fn headers_too_large() -> Response {
    ApiError::new(
        Code::HeadersTooLarge,
        format!("the request headers exceed {MAX_HEADER_BYTES} bytes"),
    )
    .into_response()
}
