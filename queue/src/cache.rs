//! The Redis query cache: JSON bodies of reads, dropped by the writes that
//! change them.
//!
//! Two kinds of entry:
//! - plain keys ([`QueryCache::get`], [`QueryCache::put`], [`QueryCache::invalidate`])
//!   for data that changes only at start-up (the course);
//! - generation keys ([`QueryCache::get_generation`]) for data that changes while
//!   it is read (a learner's submission list, changed by the API and the
//!   grader). A writer bumps the generation after its commit; a reader notes the
//!   generation before it reads Postgres and stores under it. A reader that
//!   raced a writer stores under the old generation, which nobody reads again,
//!   so a read after a write never sees the state before it.
//!
//! Coherence when Redis fails: a write whose invalidation fails marks the
//! cache suspect; while suspect, reads bypass it, and the next successful
//! [`QueryCache::recover`] flushes every cache key before the cache is trusted
//! again. Every entry also carries a TTL as a backstop.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use redis::aio::ConnectionManager;
use redis::AsyncCommands;

use crate::names::RedisNames;
use crate::Error;

#[derive(Clone)]
pub struct QueryCache {
    conn: ConnectionManager,
    names: RedisNames,
    ttl: Duration,
    /// Off only to measure what the cache buys (benchmarks).
    enabled: bool,
    /// Set when an invalidation may have been lost; cleared only by a full flush.
    suspect: Arc<AtomicBool>,
}

impl QueryCache {
    pub fn new(conn: ConnectionManager, names: RedisNames, ttl: Duration) -> Self {
        Self {
            conn,
            names,
            ttl,
            enabled: true,
            suspect: Arc::new(AtomicBool::new(false)),
        }
    }

    /// A cache that never stores or serves anything; invalidations still run.
    pub fn disabled(mut self) -> Self {
        self.enabled = false;
        self
    }

    fn usable(&self) -> bool {
        self.enabled && !self.suspect.load(Ordering::Acquire)
    }

    pub fn names(&self) -> &RedisNames {
        &self.names
    }

    /// A cached body, or None on a miss, while suspect, or when Redis fails
    /// (the caller then reads Postgres).
    pub async fn get(&self, key: &str) -> Option<String> {
        if !self.usable() {
            return None;
        }
        let mut conn = self.conn.clone();
        match conn.get::<_, Option<String>>(key).await {
            Ok(hit) => hit,
            Err(e) => {
                tracing::warn!(error = %e, "cache read failed; reading Postgres");
                None
            }
        }
    }

    /// Stores a body. Failure only costs a later miss.
    pub async fn put(&self, key: &str, body: &str) {
        if !self.usable() {
            return;
        }
        let mut conn = self.conn.clone();
        let res: redis::RedisResult<()> = conn.set_ex(key, body, self.ttl.as_secs().max(1)).await;
        if let Err(e) = res {
            tracing::warn!(error = %e, "cache write failed");
        }
    }

    /// Drops the given keys after a write. On failure the cache turns suspect.
    pub async fn invalidate(&self, keys: &[String]) {
        let mut conn = self.conn.clone();
        let res: redis::RedisResult<()> = conn.unlink(keys).await;
        if let Err(e) = res {
            tracing::warn!(error = %e, "cache invalidation failed; cache bypassed until flushed");
            self.suspect.store(true, Ordering::Release);
        }
    }

    /// The current generation of `base` and the body cached under it.
    pub async fn get_generation(&self, base: &str) -> Generation {
        if !self.usable() {
            return Generation::default();
        }
        let mut conn = self.conn.clone();
        let generation: u64 = match conn.get::<_, Option<u64>>(generation_key(base)).await {
            Ok(g) => g.unwrap_or(0),
            Err(e) => {
                tracing::warn!(error = %e, "cache read failed; reading Postgres");
                return Generation::default();
            }
        };
        let body = self.get(&versioned_key(base, generation)).await;
        Generation {
            generation: Some(generation),
            body,
        }
    }

    /// Stores a body under the generation noted before Postgres was read.
    pub async fn put_generation(&self, base: &str, generation: &Generation, body: &str) {
        if let Some(g) = generation.generation {
            self.put(&versioned_key(base, g), body).await;
        }
    }

    /// Moves `base` to a new generation after a write. On failure the cache turns suspect.
    pub async fn bump_generation(&self, base: &str) {
        let mut conn = self.conn.clone();
        let key = generation_key(base);
        // The generation outlives every body stored under it, so it never
        // restarts at a number whose body is still cached.
        let res: redis::RedisResult<()> = redis::pipe()
            .incr(&key, 1)
            .ignore()
            .expire(&key, (self.ttl.as_secs().max(1) * 10) as i64)
            .ignore()
            .query_async(&mut conn)
            .await;
        if let Err(e) = res {
            tracing::warn!(error = %e, "cache invalidation failed; cache bypassed until flushed");
            self.suspect.store(true, Ordering::Release);
        }
    }

    pub fn is_suspect(&self) -> bool {
        self.suspect.load(Ordering::Acquire)
    }

    /// Flushes every cache key if the cache is suspect; trusts it again after.
    pub async fn recover(&self) -> Result<(), Error> {
        if self.is_suspect() {
            self.flush_all().await?;
            self.suspect.store(false, Ordering::Release);
            tracing::info!("query cache flushed after a Redis failure");
        }
        Ok(())
    }

    /// Removes every key under this prefix's cache namespace.
    pub async fn flush_all(&self) -> Result<(), Error> {
        let mut conn = self.conn.clone();
        let mut cursor: u64 = 0;
        loop {
            let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(self.names.cache_pattern())
                .arg("COUNT")
                .arg(500)
                .query_async(&mut conn)
                .await?;
            if !keys.is_empty() {
                let _: () = conn.unlink(&keys).await?;
            }
            if next == 0 {
                return Ok(());
            }
            cursor = next;
        }
    }
}

/// A read of a generation-keyed entry: `generation` is None when the cache
/// cannot be used, and then nothing is stored.
#[derive(Debug, Default)]
pub struct Generation {
    generation: Option<u64>,
    pub body: Option<String>,
}

fn generation_key(base: &str) -> String {
    format!("{base}:gen")
}

fn versioned_key(base: &str, generation: u64) -> String {
    format!("{base}:v{generation}")
}
