//! Prometheus metrics of a grader replica (served, with health and
//! readiness, on its admin port by `service::admin`).

use prometheus::{Histogram, IntCounterVec, IntGauge};
use service::telemetry::MetricsRegistry;

pub struct Metrics {
    /// Every metric below, for `/metrics`.
    pub registry: MetricsRegistry,
    pub graded: IntCounterVec,
    pub runs: IntCounterVec,
    pub grading_seconds: Histogram,
    pub container_start_seconds: Histogram,
    pub queue_length: IntGauge,
    pub pending: IntGauge,
    pub in_flight: IntGauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let r = MetricsRegistry::default();
        Self {
            graded: r.counter_vec(
                "grader_jobs_graded_total",
                "Submissions graded, by verdict",
                &["verdict"],
            ),
            runs: r.counter_vec(
                "grader_runs_total",
                "Practice runs done, by outcome",
                &["verdict"],
            ),
            grading_seconds: r.histogram(
                "grader_grading_duration_seconds",
                "From claim to committed verdict",
                &[0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 30.0],
            ),
            container_start_seconds: r.histogram(
                "grader_container_start_seconds",
                "Attach and start of a sandbox container",
                &[0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 2.0, 5.0],
            ),
            queue_length: r.gauge("grader_queue_length", "Entries in the job stream"),
            pending: r.gauge("grader_pending_jobs", "Jobs delivered and not yet acked"),
            in_flight: r.gauge("grader_jobs_in_flight", "Jobs this replica is grading"),
            registry: r,
        }
    }
}
