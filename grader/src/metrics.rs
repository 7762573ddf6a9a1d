//! Prometheus metrics of a grader replica, and the small HTTP port serving them.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::rt::TokioIo;
use prometheus::{Histogram, HistogramOpts, IntCounterVec, IntGauge, Opts, Registry};
use tokio::net::TcpListener;

pub struct Metrics {
    registry: Registry,
    pub graded: IntCounterVec,
    pub grading_seconds: Histogram,
    pub container_start_seconds: Histogram,
    pub queue_length: IntGauge,
    pub pending: IntGauge,
    pub in_flight: IntGauge,
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new();
        let graded = IntCounterVec::new(
            Opts::new("grader_jobs_graded_total", "Submissions graded, by verdict"),
            &["verdict"],
        )
        .unwrap();
        let grading_seconds = Histogram::with_opts(
            HistogramOpts::new(
                "grader_grading_duration_seconds",
                "From claim to committed verdict",
            )
            .buckets(vec![0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 30.0]),
        )
        .unwrap();
        let container_start_seconds = Histogram::with_opts(
            HistogramOpts::new(
                "grader_container_start_seconds",
                "Attach and start of a sandbox container",
            )
            .buckets(vec![0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 2.0, 5.0]),
        )
        .unwrap();
        let queue_length =
            IntGauge::new("grader_queue_length", "Entries in the job stream").unwrap();
        let pending =
            IntGauge::new("grader_pending_jobs", "Jobs delivered and not yet acked").unwrap();
        let in_flight =
            IntGauge::new("grader_jobs_in_flight", "Jobs this replica is grading").unwrap();
        common::telemetry::register(
            &registry,
            vec![
                Box::new(graded.clone()),
                Box::new(grading_seconds.clone()),
                Box::new(container_start_seconds.clone()),
                Box::new(queue_length.clone()),
                Box::new(pending.clone()),
                Box::new(in_flight.clone()),
            ],
        );
        Self {
            registry,
            graded,
            grading_seconds,
            container_start_seconds,
            queue_length,
            pending,
            in_flight,
        }
    }

    pub fn render(&self) -> String {
        common::telemetry::render(&self.registry)
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// Serves `/metrics` and `/healthz` until the task is dropped.
pub async fn serve(listener: TcpListener, metrics: Arc<Metrics>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let metrics = metrics.clone();
        tokio::spawn(async move {
            let service =
                hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let metrics = metrics.clone();
                    async move {
                        let (status, body) = match req.uri().path() {
                            "/metrics" => (200, metrics.render()),
                            "/healthz" => (200, r#"{"status":"ok"}"#.to_owned()),
                            _ => (
                                404,
                                r#"{"error":{"code":"not_found","message":"no such resource"}}"#
                                    .to_owned(),
                            ),
                        };
                        hyper::Response::builder()
                            .status(status)
                            .body(Full::new(Bytes::from(body)))
                    }
                });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
