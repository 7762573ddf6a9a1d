/// What can go wrong with Redis; each service maps it to its own outcome.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("config: {0}")]
    Config(String),
    #[error("malformed data: {0}")]
    Malformed(String),
}
