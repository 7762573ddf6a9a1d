//! The one cloneable context every route gets.

use std::sync::Arc;

use common::cache::QueryCache;
use common::jobs::JobQueue;
use common::names::RedisNames;
use common::submissions::Submissions;
use common::token::TokenSigner;
use deadpool_postgres::Pool;
use redis::aio::ConnectionManager;
use uuid::Uuid;

use crate::error::ApiError;
use crate::limits::Limits;
use crate::metrics::Metrics;

#[derive(Clone)]
pub struct AppContext {
    pub pool: Pool,
    pub redis: ConnectionManager,
    pub names: RedisNames,
    pub cache: QueryCache,
    pub jobs: JobQueue,
    /// Every write to a submission goes through here.
    pub submissions: Submissions,
    pub signer: TokenSigner,
    pub metrics: Arc<Metrics>,
    /// How often a client may act, and how much may wait.
    pub limits: Arc<Limits>,
}

impl AppContext {
    /// The learner an `Authorization: Bearer` header names, if its token is genuine.
    pub fn authenticate(&self, header: Option<&str>) -> Result<Uuid, ApiError> {
        header
            .and_then(|h| h.strip_prefix("Bearer "))
            .and_then(|token| self.signer.verify(token.trim()))
            .ok_or_else(ApiError::unauthorized)
    }
}
