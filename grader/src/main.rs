use anyhow::Context;
use grader::config::Config;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    service::telemetry::init("grader");
    service::memory::give_back_freed_memory();
    let config = Config::from_env().context("invalid configuration")?;
    let metrics_addr = config.metrics_addr;
    let grader = grader::build(config).await?;
    let listener = tokio::net::TcpListener::bind(metrics_addr)
        .await
        .with_context(|| format!("cannot listen on {metrics_addr}"))?;
    let (stop_admin, admin_stopped) = tokio::sync::oneshot::channel::<()>();
    let admin = tokio::spawn(grader.clone().serve_admin(listener, async {
        let _ = admin_stopped.await;
    }));
    grader.run(service::telemetry::shutdown_signal()).await;
    let _ = stop_admin.send(());
    let _ = admin.await;
    tracing::info!("stopped");
    Ok(())
}
