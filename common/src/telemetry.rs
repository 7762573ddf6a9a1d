//! What every service does the same way: tracing (`RUST_LOG` filters, default
//! `info`; `LOG_FORMAT=json` for one JSON object per line), Prometheus text,
//! and the shutdown signal.

use tracing_subscriber::EnvFilter;

pub fn init(service: &'static str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let result = if std::env::var("LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    // A second init (tests) keeps the first subscriber.
    if result.is_ok() {
        tracing::info!(service, version = env!("CARGO_PKG_VERSION"), "starting");
    }
}

/// Registers collectors on a registry; a name registered twice is a bug.
pub fn register(
    registry: &prometheus::Registry,
    collectors: Vec<Box<dyn prometheus::core::Collector>>,
) {
    for c in collectors {
        registry.register(c).expect("each metric registered once");
    }
}

/// The registry in Prometheus text format.
pub fn render(registry: &prometheus::Registry) -> String {
    use prometheus::Encoder;
    let mut buf = Vec::new();
    prometheus::TextEncoder::new()
        .encode(&registry.gather(), &mut buf)
        .expect("text encoding never fails");
    String::from_utf8(buf).expect("prometheus text is UTF-8")
}

/// Resolves on Ctrl+C or SIGTERM (what `docker stop` sends).
pub async fn shutdown_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
