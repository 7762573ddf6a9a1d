//! The autoscaler's own metrics: the replicas it saw and wants, its
//! scalings and the readings it could not make. (The queue's lag itself is
//! the API's `grading_queue_*`.)

use prometheus::{IntCounter, IntCounterVec, IntGauge};
use service::telemetry::MetricsRegistry;

use crate::policy::Observation;

pub struct Metrics {
    pub registry: MetricsRegistry,
    pub replicas: IntGauge,
    pub jobs: IntGauge,
    pub scalings: IntCounterVec,
    pub errors: IntCounter,
}

impl Default for Metrics {
    fn default() -> Self {
        let r = MetricsRegistry::default();
        Self {
            replicas: r.gauge(
                "autoscaler_replicas",
                "Grader replicas the service asked for at the last reading",
            ),
            jobs: r.gauge(
                "autoscaler_jobs",
                "Jobs waiting or in flight at the last reading, over every stream",
            ),
            scalings: r.counter_vec(
                "autoscaler_scalings_total",
                "Changes of the grader service's replicas, by direction",
                &["direction"],
            ),
            errors: r.counter(
                "autoscaler_errors_total",
                "Readings or scalings that failed (Redis or the swarm did not answer)",
            ),
            registry: r,
        }
    }
}

impl Metrics {
    pub fn observed(&self, replicas: u32, seen: Observation) {
        self.replicas.set(i64::from(replicas));
        self.jobs.set((seen.waiting + seen.in_flight) as i64);
    }

    pub fn scaled(&self, from: u32, to: u32) {
        let direction = if to > from { "up" } else { "down" };
        self.scalings.with_label_values(&[direction]).inc();
        self.replicas.set(i64::from(to));
    }
}
