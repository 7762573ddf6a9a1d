use anyhow::Context;
use websocket::config::Config;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    service::telemetry::init("websocket");
    service::memory::give_back_freed_memory();
    let config = Config::from_env().context("invalid configuration")?;
    let (listener, admin) = service::server::bind(config.addr, config.admin_addr).await?;
    tracing::info!(addr = %listener.local_addr()?, admin = %admin.local_addr()?, "websocket gateway listening");
    websocket::run(
        listener,
        admin,
        websocket::Gateway::new(config),
        service::telemetry::shutdown_signal(),
    )
    .await;
    tracing::info!("stopped");
    Ok(())
}
