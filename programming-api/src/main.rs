use std::io::BufRead;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use programming_api::config::Config;
use service::token::Role;

/// The HTTP API and UI server of codeplatform; with `admin`, an operator's
/// command against the same database.
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Operator commands (DATABASE_URL, and DATABASE_PASSWORD_FILE where set,
    /// as the server reads them).
    #[command(subcommand)]
    Admin(Admin),
}

#[derive(Subcommand)]
enum Admin {
    /// Makes a staff account in a course; the password is the first line of
    /// standard input, or of --password-file.
    AddStaff {
        /// The course's slug (its folder under courses/).
        #[arg(long)]
        course: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// A file whose first line is the password (e.g. a Docker secret).
        #[arg(long)]
        password_file: Option<PathBuf>,
        /// The name they sign in with.
        username: String,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| format!("{s:?} is not a role: instructor or tutor"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        None => serve().await,
        Some(Command::Admin(admin)) => run_admin(admin).await,
    }
}

async fn serve() -> anyhow::Result<()> {
    service::telemetry::init("programming-api");
    service::memory::give_back_freed_memory();
    let config = Config::from_env().context("invalid configuration")?;
    let ctx = programming_api::build(&config).await?;
    let (listener, admin) = service::server::bind(config.addr, config.admin_addr).await?;
    tracing::info!(addr = %listener.local_addr()?, admin = %admin.local_addr()?, "programming-api listening");
    programming_api::run(
        listener,
        admin,
        ctx,
        &config,
        service::telemetry::shutdown_signal(),
    )
    .await;
    tracing::info!("stopped");
    Ok(())
}

async fn run_admin(admin: Admin) -> anyhow::Result<()> {
    let (url, password) = service::config::database_settings()?;
    let pool = store::db::pool(store::db::config(&url, password)?, 2)?;
    store::db::migrate(&pool).await?;
    match admin {
        Admin::AddStaff {
            course,
            role,
            password_file,
            username,
        } => {
            let password = match password_file {
                Some(path) => std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read {}", path.display()))?,
                None => {
                    let mut line = String::new();
                    std::io::stdin().lock().read_line(&mut line)?;
                    line
                }
            };
            let password = password.lines().next().unwrap_or_default();
            programming_api::staff::add(&pool, &course, role, &username, password).await?;
            println!("{} {username} can now sign in to {course}", role.as_str());
            Ok(())
        }
    }
}
