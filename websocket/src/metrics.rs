//! Prometheus metrics of the gateway.

use prometheus::{IntCounter, IntGauge, Registry};

pub struct Metrics {
    registry: Registry,
    pub connections: IntGauge,
    pub delivered: IntCounter,
    pub dropped_slow: IntCounter,
    pub redis_connected: IntGauge,
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new();
        let connections = IntGauge::new("ws_connections", "Open WebSocket connections").unwrap();
        let delivered =
            IntCounter::new("ws_messages_delivered_total", "Messages queued to sockets").unwrap();
        let dropped_slow = IntCounter::new(
            "ws_dropped_slow_clients_total",
            "Sockets dropped because they stopped reading",
        )
        .unwrap();
        let redis_connected = IntGauge::new(
            "ws_redis_subscribed",
            "1 while the gateway is subscribed to the event channel",
        )
        .unwrap();
        common::telemetry::register(
            &registry,
            vec![
                Box::new(connections.clone()),
                Box::new(delivered.clone()),
                Box::new(dropped_slow.clone()),
                Box::new(redis_connected.clone()),
            ],
        );
        Self {
            registry,
            connections,
            delivered,
            dropped_slow,
            redis_connected,
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
