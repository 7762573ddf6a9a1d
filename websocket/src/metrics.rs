//! Prometheus metrics of the gateway.

use prometheus::{IntCounter, IntGauge};
use service::telemetry::MetricsRegistry;

pub struct Metrics {
    /// Every metric below, for `/metrics`.
    pub registry: MetricsRegistry,
    pub connections: IntGauge,
    pub delivered: IntCounter,
    pub dropped_slow: IntCounter,
    pub redis_connected: IntGauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let r = MetricsRegistry::default();
        Self {
            connections: r.gauge("ws_connections", "Open WebSocket connections"),
            delivered: r.counter("ws_messages_delivered_total", "Messages queued to sockets"),
            dropped_slow: r.counter(
                "ws_dropped_slow_clients_total",
                "Sockets dropped because they stopped reading",
            ),
            redis_connected: r.gauge(
                "ws_redis_subscribed",
                "1 while the gateway is subscribed to the event channel",
            ),
            registry: r,
        }
    }
}
