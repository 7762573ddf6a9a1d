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

/// A service's Prometheus registry: each metric is made and registered in
/// one call, and the whole rendered as Prometheus text.
#[derive(Default)]
pub struct MetricsRegistry(prometheus::Registry);

impl MetricsRegistry {
    fn add<C: prometheus::core::Collector + Clone + 'static>(&self, metric: C) -> C {
        // A name registered twice is a bug, caught by each service's tests.
        self.0
            .register(Box::new(metric.clone()))
            .expect("each metric registered once");
        metric
    }

    pub fn counter(&self, name: &str, help: &str) -> prometheus::IntCounter {
        self.add(prometheus::IntCounter::new(name, help).expect("valid metric"))
    }

    pub fn counter_vec(
        &self,
        name: &str,
        help: &str,
        labels: &[&str],
    ) -> prometheus::IntCounterVec {
        self.add(
            prometheus::IntCounterVec::new(prometheus::Opts::new(name, help), labels)
                .expect("valid metric"),
        )
    }

    pub fn gauge(&self, name: &str, help: &str) -> prometheus::IntGauge {
        self.add(prometheus::IntGauge::new(name, help).expect("valid metric"))
    }

    pub fn gauge_vec(&self, name: &str, help: &str, labels: &[&str]) -> prometheus::GaugeVec {
        self.add(
            prometheus::GaugeVec::new(prometheus::Opts::new(name, help), labels)
                .expect("valid metric"),
        )
    }

    pub fn int_gauge_vec(
        &self,
        name: &str,
        help: &str,
        labels: &[&str],
    ) -> prometheus::IntGaugeVec {
        self.add(
            prometheus::IntGaugeVec::new(prometheus::Opts::new(name, help), labels)
                .expect("valid metric"),
        )
    }

    pub fn histogram(&self, name: &str, help: &str, buckets: &[f64]) -> prometheus::Histogram {
        self.add(
            prometheus::Histogram::with_opts(
                prometheus::HistogramOpts::new(name, help).buckets(buckets.to_vec()),
            )
            .expect("valid metric"),
        )
    }

    pub fn histogram_vec(
        &self,
        name: &str,
        help: &str,
        buckets: &[f64],
        labels: &[&str],
    ) -> prometheus::HistogramVec {
        self.add(
            prometheus::HistogramVec::new(
                prometheus::HistogramOpts::new(name, help).buckets(buckets.to_vec()),
                labels,
            )
            .expect("valid metric"),
        )
    }

    /// Every metric in Prometheus text format.
    pub fn render(&self) -> String {
        use prometheus::Encoder;
        let mut buf = Vec::new();
        prometheus::TextEncoder::new()
            .encode(&self.0.gather(), &mut buf)
            .expect("text encoding never fails");
        String::from_utf8(buf).expect("prometheus text is UTF-8")
    }
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
