//! Prometheus metrics of the gateway.

use prometheus::{Encoder, IntCounter, IntGauge, Registry};

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
        for m in [
            Box::new(connections.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(delivered.clone()),
            Box::new(dropped_slow.clone()),
            Box::new(redis_connected.clone()),
        ] {
            registry.register(m).expect("metric registered once");
        }
        Self {
            registry,
            connections,
            delivered,
            dropped_slow,
            redis_connected,
        }
    }

    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        prometheus::TextEncoder::new()
            .encode(&self.registry.gather(), &mut buf)
            .expect("text encoding never fails");
        String::from_utf8(buf).expect("prometheus text is UTF-8")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
