use anyhow::Context;
use programming_api::config::Config;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    common::telemetry::init("programming-api");
    common::memory::give_back_freed_memory();
    let config = Config::from_env().context("invalid configuration")?;
    let ctx = programming_api::build(&config).await?;
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("cannot listen on {}", config.addr))?;
    tracing::info!(addr = %listener.local_addr()?, "programming-api listening");
    programming_api::run(listener, ctx, &config, common::telemetry::shutdown_signal()).await;
    tracing::info!("stopped");
    Ok(())
}
