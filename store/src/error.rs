/// What can go wrong with the store; each service maps it to its own outcome.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("postgres: {}", postgres_detail(.0))]
    Postgres(#[from] tokio_postgres::Error),
    #[error("postgres pool: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    #[error("migration: {0}")]
    Migration(#[from] refinery::Error),
    #[error(transparent)]
    Queue(#[from] queue::Error),
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
