use anyhow::Context;
use grader::config::Config;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    common::telemetry::init("grader");
    let config = Config::from_env().context("invalid configuration")?;
    let metrics_addr = config.metrics_addr;
    let grader = grader::build(config).await?;
    let listener = tokio::net::TcpListener::bind(metrics_addr)
        .await
        .with_context(|| format!("cannot listen on {metrics_addr}"))?;
    tokio::spawn(grader::metrics::serve(listener, grader.metrics.clone()));
    grader.run(common::telemetry::shutdown_signal()).await;
    tracing::info!("stopped");
    Ok(())
}
