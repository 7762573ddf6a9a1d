use anyhow::Context;
use autoscaler::config::Config;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    service::telemetry::init("autoscaler");
    let config = Config::from_env().context("invalid configuration")?;
    let (addr, limits) = (config.metrics_addr, config.admin);
    let scaler = autoscaler::Scaler::connect(config)?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let (stop_admin, admin_stopped) = tokio::sync::oneshot::channel::<()>();
    let admin = tokio::spawn(service::admin::serve_admin(
        listener,
        limits,
        scaler.clone(),
        async {
            let _ = admin_stopped.await;
        },
    ));
    scaler.run(service::telemetry::shutdown_signal()).await;
    let _ = stop_admin.send(());
    let _ = admin.await;
    tracing::info!("stopped");
    Ok(())
}
