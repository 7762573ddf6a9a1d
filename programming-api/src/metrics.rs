//! Prometheus metrics of the API, served as text on /metrics.

use prometheus::{HistogramVec, IntCounter, IntCounterVec};
use service::telemetry::MetricsRegistry;

pub struct Metrics {
    /// Every metric below, for `/metrics`.
    pub registry: MetricsRegistry,
    pub requests: IntCounterVec,
    pub request_seconds: HistogramVec,
    pub submissions: IntCounterVec,
    pub runs: IntCounter,
    pub cache_lookups: IntCounterVec,
    pub requeued: IntCounter,
    /// Scores owed to LMSs (LTI grade passback), and those of them whose
    /// last delivery failed.
    pub lti_scores_pending: prometheus::IntGauge,
    pub lti_scores_failing: prometheus::IntGauge,
    /// Queue lag per stream (`lane-N`, `runs`, `regrades`), kept fresh by
    /// `queue_lag::watch`.
    pub queue_waiting: prometheus::IntGaugeVec,
    pub queue_oldest_waiting: prometheus::GaugeVec,
    pub queue_in_flight: prometheus::IntGaugeVec,
}

impl Default for Metrics {
    fn default() -> Self {
        let r = MetricsRegistry::default();
        Self {
            requests: r.counter_vec(
                "http_requests_total",
                "HTTP requests by route and status",
                &["route", "status"],
            ),
            request_seconds: r.histogram_vec(
                "http_request_duration_seconds",
                "HTTP request latency",
                &[
                    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
                ],
                &["route"],
            ),
            submissions: r.counter_vec(
                "submissions_total",
                "Accepted submissions by outcome",
                &["outcome"],
            ),
            runs: r.counter("runs_total", "Accepted practice runs (\"Run tests\")"),
            cache_lookups: r.counter_vec(
                "cache_lookups_total",
                "Query cache lookups by result",
                &["result"],
            ),
            requeued: r.counter(
                "reconciler_requeued_total",
                "Submissions the reconciler pushed back onto the stream",
            ),
            lti_scores_pending: r.gauge(
                "lti_scores_pending",
                "Scores not yet acknowledged by their LMS (LTI grade passback)",
            ),
            lti_scores_failing: r.gauge(
                "lti_scores_failing",
                "Scores whose last delivery to their LMS failed",
            ),
            queue_waiting: r.int_gauge_vec(
                "grading_queue_waiting",
                "Jobs no grader has been handed yet, per stream",
                &["stream"],
            ),
            queue_oldest_waiting: r.gauge_vec(
                "grading_queue_oldest_waiting_seconds",
                "How long the oldest waiting job has waited, per stream (0: none waits)",
                &["stream"],
            ),
            queue_in_flight: r.int_gauge_vec(
                "grading_queue_in_flight",
                "Jobs handed to a grader and not yet acknowledged, per stream",
                &["stream"],
            ),
            registry: r,
        }
    }
}

impl Metrics {
    pub fn cache_hit(&self, hit: bool) {
        self.cache_lookups
            .with_label_values(&[if hit { "hit" } else { "miss" }])
            .inc();
    }
}

/// A low-cardinality name for a request path: ids become `:id`.
pub fn route_label(path: &str) -> &'static str {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        ["api", "users"] => "/api/users",
        ["api", "me"] => "/api/me",
        ["api", "assignments"] => "/api/assignments",
        ["api", "assignments", _] => "/api/assignments/:id",
        ["api", "assignments", _, "submissions"] => "/api/assignments/:id/submissions",
        ["api", "submissions", _] => "/api/submissions/:id",
        ["api", "assignments", _, "runs"] => "/api/assignments/:id/runs",
        ["api", "runs", _] => "/api/runs/:id",
        ["healthz"] => "/healthz",
        ["readyz"] => "/readyz",
        ["metrics"] => "/metrics",
        ["api", ..] => "/api/other",
        _ => "ui",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_do_not_become_labels() {
        assert_eq!(route_label("/api/assignments/17"), "/api/assignments/:id");
        assert_eq!(route_label("/api/submissions/abc"), "/api/submissions/:id");
        assert_eq!(route_label("/index.html"), "ui");
        assert!(Metrics::default()
            .registry
            .render()
            .contains("reconciler_requeued_total"));
    }
}
