//! The `grading:jobs` stream: the API enqueues, graders read, ack and claim.
//!
//! An entry carries only the submission id; Postgres holds everything else,
//! so a lost stream is rebuilt from the `queued` rows (see the API's reconciler).

use std::collections::HashSet;
use std::time::Duration;

use redis::aio::{ConnectionManager, MultiplexedConnection};
use redis::streams::{
    StreamAutoClaimOptions, StreamAutoClaimReply, StreamClaimOptions, StreamId,
    StreamPendingCountReply, StreamPendingReply, StreamRangeReply, StreamReadOptions,
    StreamReadReply,
};
use redis::AsyncCommands;
use uuid::Uuid;

use crate::names::{RedisNames, GRADER_GROUP};
use crate::Error;

const FIELD: &str = "submission_id";

/// One delivery of a job to a grader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The stream entry id, needed to ack.
    pub entry_id: String,
    /// None when the entry is malformed: it is acked and dropped.
    pub submission_id: Option<Uuid>,
    /// How many times the entry has been delivered, this time included.
    pub deliveries: u64,
}

/// Queue depth as the metrics show it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueStats {
    /// Entries in the stream (acked entries are deleted, so this is the backlog
    /// plus what is pending).
    pub length: u64,
    /// Delivered to a grader and not yet acked.
    pub pending: u64,
}

/// The job stream seen through a shared, auto-reconnecting connection.
#[derive(Clone)]
pub struct JobQueue {
    conn: ConnectionManager,
    names: RedisNames,
}

impl JobQueue {
    pub fn new(conn: ConnectionManager, names: RedisNames) -> Self {
        Self { conn, names }
    }

    /// Pushes a submission onto the stream.
    pub async fn enqueue_job(&self, submission_id: Uuid) -> Result<(), Error> {
        let mut conn = self.conn.clone();
        let _: String = conn
            .xadd(
                self.names.jobs_stream(),
                "*",
                &[(FIELD, submission_id.to_string())],
            )
            .await?;
        Ok(())
    }

    /// Creates the consumer group at `0`, so jobs enqueued before any grader
    /// started are still read. Safe to call from every replica.
    pub async fn ensure_group(&self) -> Result<(), Error> {
        let mut conn = self.conn.clone();
        let created: redis::RedisResult<()> = conn
            .xgroup_create_mkstream(self.names.jobs_stream(), GRADER_GROUP, "0")
            .await;
        match created {
            Ok(()) => Ok(()),
            Err(e) if e.code() == Some("BUSYGROUP") => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Blocks up to `block` for new jobs. Takes its own connection: a blocking
    /// read on the shared one would hold up every other command, and the shared
    /// one's response timeout would cut the block short.
    pub async fn read_jobs(
        &self,
        conn: &mut MultiplexedConnection,
        consumer: &str,
        count: usize,
        block: Duration,
    ) -> Result<Vec<Job>, Error> {
        let opts = StreamReadOptions::default()
            .group(GRADER_GROUP, consumer)
            .count(count)
            .block(block.as_millis() as usize);
        let reply: Option<StreamReadReply> = conn
            .xread_options(&[self.names.jobs_stream()], &[">"], &opts)
            .await?;
        Ok(reply
            .into_iter()
            .flat_map(|r| r.keys)
            .flat_map(|k| k.ids)
            .map(|entry| job_from_entry(entry, 1))
            .collect())
    }

    /// Claims entries another consumer has held longer than `min_idle`
    /// (it died or hangs), with their delivery counts.
    pub async fn claim_stale_jobs(
        &self,
        consumer: &str,
        min_idle: Duration,
        count: usize,
    ) -> Result<Vec<Job>, Error> {
        let mut conn = self.conn.clone();
        let opts = StreamAutoClaimOptions::default().count(count);
        let reply: StreamAutoClaimReply = conn
            .xautoclaim_options(
                self.names.jobs_stream(),
                GRADER_GROUP,
                consumer,
                min_idle.as_millis() as u64,
                "0-0",
                opts,
            )
            .await?;
        let mut jobs = Vec::with_capacity(reply.claimed.len());
        for entry in reply.claimed {
            let deliveries = self.deliveries(&entry.id).await?;
            jobs.push(job_from_entry(entry, deliveries));
        }
        Ok(jobs)
    }

    /// Tells the group that `consumer` is still working on `entry_id`, so a
    /// job longer than the visibility timeout is not taken from a live
    /// grader. Resets the entry's idle time only if it has been idle at least
    /// `min_idle` (so a job another consumer just took over stays with it),
    /// and never counts as a delivery. True when the claim was renewed.
    pub async fn keep_job(
        &self,
        consumer: &str,
        entry_id: &str,
        min_idle: Duration,
    ) -> Result<bool, Error> {
        let mut conn = self.conn.clone();
        let renewed: Vec<String> = conn
            .xclaim_options(
                self.names.jobs_stream(),
                GRADER_GROUP,
                consumer,
                min_idle.as_millis() as u64,
                &[entry_id],
                StreamClaimOptions::default().with_justid(),
            )
            .await?;
        Ok(!renewed.is_empty())
    }

    /// How many times an entry has been delivered (XAUTOCLAIM does not say).
    async fn deliveries(&self, entry_id: &str) -> Result<u64, Error> {
        let mut conn = self.conn.clone();
        let reply: StreamPendingCountReply = conn
            .xpending_count(
                self.names.jobs_stream(),
                GRADER_GROUP,
                entry_id,
                entry_id,
                1,
            )
            .await?;
        Ok(reply.ids.first().map_or(1, |p| p.times_delivered as u64))
    }

    /// Acknowledges a job and deletes its entry so the stream holds only work
    /// still to do. Called only after the verdict is committed.
    pub async fn ack_job(&self, entry_id: &str) -> Result<(), Error> {
        let mut conn = self.conn.clone();
        let stream = self.names.jobs_stream();
        let _: () = redis::pipe()
            .atomic()
            .xack(&stream, GRADER_GROUP, &[entry_id])
            .ignore()
            .xdel(&stream, &[entry_id])
            .ignore()
            .query_async(&mut conn)
            .await?;
        Ok(())
    }

    /// Every submission id with an entry in the stream, read or not. Acked
    /// entries are deleted, so this is the work the stream still knows of;
    /// the reconciler re-pushes queued submissions missing from it.
    pub async fn submissions_in_stream(&self) -> Result<HashSet<Uuid>, Error> {
        let mut conn = self.conn.clone();
        let stream = self.names.jobs_stream();
        let mut ids = HashSet::new();
        let mut start = "-".to_owned();
        loop {
            let page: StreamRangeReply = conn.xrange_count(&stream, &start, "+", 1000).await?;
            let last = page.ids.last().map(|e| e.id.clone());
            let full = page.ids.len() == 1000;
            ids.extend(
                page.ids
                    .into_iter()
                    .filter_map(|e| job_from_entry(e, 1).submission_id),
            );
            match last {
                // Exclusive start: continue after the last entry seen.
                Some(last) if full => start = format!("({last}"),
                _ => return Ok(ids),
            }
        }
    }

    /// Stream length and pending count, for metrics and benchmarks.
    pub async fn queue_stats(&self) -> Result<QueueStats, Error> {
        let mut conn = self.conn.clone();
        let stream = self.names.jobs_stream();
        let length: u64 = conn.xlen(&stream).await?;
        let pending: redis::RedisResult<StreamPendingReply> =
            conn.xpending(&stream, GRADER_GROUP).await;
        let pending = match pending {
            Ok(p) => p.count() as u64,
            // No group yet: nothing is pending.
            Err(e) if e.code() == Some("NOGROUP") => 0,
            Err(e) => return Err(e.into()),
        };
        Ok(QueueStats { length, pending })
    }
}

fn job_from_entry(entry: StreamId, deliveries: u64) -> Job {
    let submission_id = entry
        .get::<String>(FIELD)
        .and_then(|s| Uuid::parse_str(&s).ok());
    Job {
        deliveries: entry.delivered_count.map_or(deliveries, |d| d as u64),
        entry_id: entry.id,
        submission_id,
    }
}
