/// Failures of the shared plumbing; each service maps them to its own outcome.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("postgres: {0}")]
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
