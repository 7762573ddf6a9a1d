/// Failures of the shared plumbing; each service maps them to its own outcome.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("postgres: {}", postgres_detail(.0))]
    Postgres(#[from] tokio_postgres::Error),
    #[error("postgres pool: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("migration: {0}")]
    Migration(#[from] refinery::Error),
    #[error("config: {0}")]
    Config(String),
    #[error("malformed data: {0}")]
    Malformed(String),
}

/// tokio-postgres shows a server error as just "db error"; the log needs
/// what the server said (and its SQLSTATE) to be of any use.
fn postgres_detail(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!(
            "{}: {} (SQLSTATE {})",
            db.severity(),
            db.message(),
            db.code().code()
        ),
        None => match std::error::Error::source(e) {
            Some(source) => format!("{e}: {source}"),
            None => e.to_string(),
        },
    }
}
