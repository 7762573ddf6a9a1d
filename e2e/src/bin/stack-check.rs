//! The accounting of `scripts/test-stack.sh`: the script orchestrates Docker,
//! this decides whether the stack kept its promises. It reaches the stack's
//! Postgres (`DATABASE_URL`, `DATABASE_PASSWORD_FILE`) and its API (`API_URL`,
//! default http://127.0.0.1:8080) and mints learners' tokens with the stack's
//! secret (`TOKEN_SECRET_FILE`), as the services themselves read them.
//!
//!   stack-check settle [--jobs N --started-at-ns T]   nothing left in flight
//!   stack-check account --k6 SUMMARY --sent RECORDS...  one run's table cells
//!   stack-check soak --k6 SUMMARY --sent RECORDS...     the soak's table rows
//!   stack-check same-counts --restored DATABASE       a restore kept every row
//!   stack-check outage PROBE_FILE                      how long the API was away
//!
//! Exits 1, saying why on stderr, when a check fails.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::{Parser, Subcommand};
use e2e::accounting::{self, Sent};
use e2e::k6::Summary;

/// How long submissions may take to settle after a run.
const SETTLE_LIMIT: Duration = Duration::from_secs(600);

#[derive(Parser)]
#[command(about = "The stack test's accounting")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Waits until no submission is queued or grading; prints the seconds
    /// since --started-at-ns (or since now) and, with --jobs, the rate.
    Settle {
        #[arg(long)]
        jobs: Option<u64>,
        #[arg(long)]
        started_at_ns: Option<u128>,
    },
    /// One paced run: settles, then holds its records against Postgres and
    /// the API; prints `failed | accepted | stored | left | error | misjudged | points`.
    Account {
        #[arg(long)]
        k6: PathBuf,
        #[arg(long, num_args = 1.., required = true)]
        sent: Vec<PathBuf>,
    },
    /// The soak: as `account`, printed as the soak table's rows.
    Soak {
        #[arg(long)]
        k6: PathBuf,
        #[arg(long, num_args = 1.., required = true)]
        sent: Vec<PathBuf>,
    },
    /// Submissions and completions counted in DATABASE_URL's database and in
    /// the database named --restored on the same server must be equal.
    SameCounts {
        #[arg(long)]
        restored: String,
    },
    /// From a probe's lines (the Unix time of each failed poll, 0.2 s apart):
    /// first failure to last, plus one poll.
    Outage { probe: PathBuf },
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse().command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stack-check: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<(), String> {
    match command {
        Command::Settle {
            jobs,
            started_at_ns,
        } => settle(jobs, started_at_ns).await,
        Command::Account { k6, sent } => {
            let (summary, account) = account(&k6, &sent).await?;
            println!("{} | {}", summary.failed(), account.cells());
            holds(&account)
        }
        Command::Soak { k6, sent } => {
            let (summary, account) = account(&k6, &sent).await?;
            for row in summary.soak_rows() {
                println!("{row}");
            }
            println!(
                "| submissions accepted / stored / left in flight | {} / {} / {} |",
                account.accepted, account.stored, account.in_flight
            );
            println!(
                "| ended in error / misjudged | {} / {} |",
                account.gave_up,
                account.misjudged.len()
            );
            println!(
                "| learners' points checked through the API | {} learners, {} wrong |",
                account.learners,
                account.points_wrong.len()
            );
            holds(&account)
        }
        Command::SameCounts { restored } => same_counts(&restored).await,
        Command::Outage { probe } => {
            let text =
                std::fs::read_to_string(&probe).map_err(|e| format!("{}: {e}", probe.display()))?;
            let times = text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| l.trim().parse::<f64>().map_err(|e| format!("{l:?}: {e}")))
                .collect::<Result<Vec<_>, _>>()?;
            let outage = match (
                times.iter().copied().reduce(f64::min),
                times.iter().copied().reduce(f64::max),
            ) {
                (Some(first), Some(last)) => last - first + 0.2,
                _ => 0.0,
            };
            println!("{outage:.1} s");
            Ok(())
        }
    }
}

async fn connect(config: tokio_postgres::Config) -> Result<tokio_postgres::Client, String> {
    let (client, connection) = config
        .connect(tokio_postgres::NoTls)
        .await
        .map_err(|e| format!("connecting to the stack's Postgres: {e}"))?;
    tokio::spawn(connection);
    Ok(client)
}

async fn database() -> Result<tokio_postgres::Client, String> {
    connect(database_config()?).await
}

/// Waits until nothing is in flight; how long that took.
async fn settled(db: &tokio_postgres::Client) -> Result<Duration, String> {
    accounting::settle(db, SETTLE_LIMIT).await?.ok_or_else(|| {
        format!(
            "submissions still in flight after {} s",
            SETTLE_LIMIT.as_secs()
        )
    })
}

async fn settle(jobs: Option<u64>, started_at_ns: Option<u128>) -> Result<(), String> {
    let db = database().await?;
    let waited = settled(&db).await?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970");
    let since = started_at_ns.map_or(waited, |t| {
        now.saturating_sub(Duration::from_nanos(t as u64))
    });
    let secs = since.as_secs_f64();
    match jobs {
        Some(n) => println!("{secs:.1} s | {:.1}", n as f64 / secs),
        None => println!("{secs:.1}"),
    }
    Ok(())
}

async fn account(
    k6: &std::path::Path,
    sent: &[PathBuf],
) -> Result<(Summary, accounting::Account), String> {
    let summary = Summary::read(k6)?;
    let mut records = Sent::default();
    for path in sent {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        records.extend(Sent::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?);
    }
    let db = database().await?;
    settled(&db).await?;
    let signer = service::token::TokenSigner::new(
        service::config::secret("TOKEN_SECRET")
            .map_err(|e| e.to_string())?
            .as_bytes(),
    )
    .map_err(|e| e.to_string())?;
    let api = std::env::var("API_URL").unwrap_or_else(|_| "http://127.0.0.1:8080".into());
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string())?;
    let account = accounting::account(&db, &http, &api, &signer, &records).await?;
    Ok((summary, account))
}

fn holds(account: &accounting::Account) -> Result<(), String> {
    if account.holds() {
        Ok(())
    } else {
        Err(account.problems().join("; "))
    }
}

async fn same_counts(restored: &str) -> Result<(), String> {
    let live_config = database_config()?;
    let mut restored_config = live_config.clone();
    restored_config.dbname(restored);
    let live = accounting::counts(&database().await?).await?;
    let copy = accounting::counts(&connect(restored_config).await?).await?;
    println!(
        "submissions/completions {}/{} live, {}/{} restored",
        live.0, live.1, copy.0, copy.1
    );
    if live == copy {
        Ok(())
    } else {
        Err("the restored database differs".into())
    }
}

/// The stack's Postgres settings, as the services read them.
fn database_config() -> Result<tokio_postgres::Config, String> {
    let (url, password) = service::config::database_settings().map_err(|e| e.to_string())?;
    store::db::config(&url, password).map_err(|e| e.to_string())
}
