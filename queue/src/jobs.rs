//! The job streams: the API enqueues, graders read, ack and claim.
//!
//! Jobs wait in [`LANES`] streams, `grading:jobs:<lane>`, and a client's
//! jobs all go to the lane its address hashes to ([`lane_for`]). A grader
//! takes new jobs lane by lane in turn ([`JobReader`]), so a flood from one
//! address waits behind its own jobs in its lane while every other lane with
//! work waiting gets its turn: one job per lane per round, whatever the
//! flood's size. Work-conserving: a lane alone gets every grader.
//!
//! Practice runs ("Run tests") wait in a stream of their own,
//! `grading:runs`, which a grader reads only when every lane is empty: when
//! a class bursts, graded work goes first and runs wait.
//!
//! An entry carries only the submission's (or run's) id; Postgres holds
//! everything else, so lost streams are rebuilt from the `queued` rows (the
//! reconciler).

use std::collections::{HashSet, VecDeque};
use std::net::IpAddr;
use std::time::Duration;

use redis::aio::{ConnectionManager, MultiplexedConnection};
use redis::streams::{
    StreamAutoClaimOptions, StreamAutoClaimReply, StreamClaimOptions, StreamId,
    StreamPendingCountReply, StreamPendingReply, StreamRangeReply, StreamReadOptions,
    StreamReadReply,
};
use redis::AsyncCommands;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::names::{RedisNames, GRADER_GROUP};
use crate::Error;

const FIELD: &str = "submission_id";
const RUN_FIELD: &str = "run_id";

/// How many lanes jobs wait in. Two clients share a lane one time in this
/// many; the API and every grader must agree on it, so it is not a setting.
pub const LANES: u16 = 16;

/// The lane of a client's jobs: a stable hash of its address.
pub fn lane_for(client: IpAddr) -> u16 {
    let digest = Sha256::digest(client.to_string().as_bytes());
    u16::from_be_bytes([digest[0], digest[1]]) % LANES
}

/// Which stream a job waits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// One of the [`LANES`] lanes of graded submissions.
    Graded(u16),
    /// The practice runs' stream, read only when every lane is empty.
    Runs,
}

/// One delivery of a job to a grader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The stream it waited in, and its entry id there: needed to ack.
    pub lane: Lane,
    pub entry_id: String,
    /// The submission's id, or the run's in [`Lane::Runs`]. None when the
    /// entry is malformed: it is acked and dropped.
    pub id: Option<Uuid>,
    /// How many times the entry has been delivered, this time included.
    pub deliveries: u64,
}

/// Queue depth as the metrics show it, over every lane.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueStats {
    /// Entries in the streams (acked entries are deleted, so this is the
    /// backlog plus what is pending).
    pub length: u64,
    /// Delivered to a grader and not yet acked.
    pub pending: u64,
}

/// The job streams seen through a shared, auto-reconnecting connection.
#[derive(Clone)]
pub struct JobQueue {
    conn: ConnectionManager,
    names: RedisNames,
}

impl JobQueue {
    pub fn new(conn: ConnectionManager, names: RedisNames) -> Self {
        Self { conn, names }
    }

    fn stream(&self, lane: Lane) -> String {
        match lane {
            Lane::Graded(lane) => self.names.jobs_stream(lane),
            Lane::Runs => self.names.runs_stream(),
        }
    }

    /// The graded lanes.
    fn lanes(&self) -> impl Iterator<Item = (Lane, String)> + '_ {
        (0..LANES).map(|lane| (Lane::Graded(lane), self.names.jobs_stream(lane)))
    }

    /// The graded lanes, then the runs' stream.
    fn all_streams(&self) -> impl Iterator<Item = (Lane, String)> + '_ {
        self.lanes()
            .chain(std::iter::once((Lane::Runs, self.names.runs_stream())))
    }

    /// Pushes a submission onto its lane.
    pub async fn enqueue_job(&self, submission_id: Uuid, lane: u16) -> Result<(), Error> {
        let mut conn = self.conn.clone();
        let _: String = conn
            .xadd(
                self.names.jobs_stream(lane % LANES),
                "*",
                &[(FIELD, submission_id.to_string())],
            )
            .await?;
        Ok(())
    }

    /// Pushes a practice run onto the runs' stream.
    pub async fn enqueue_run(&self, run_id: Uuid) -> Result<(), Error> {
        let mut conn = self.conn.clone();
        let _: String = conn
            .xadd(
                self.names.runs_stream(),
                "*",
                &[(RUN_FIELD, run_id.to_string())],
            )
            .await?;
        Ok(())
    }

    /// Creates the consumer group on every lane at `0`, so jobs enqueued
    /// before any grader started are still read. Safe to call from every
    /// replica.
    pub async fn ensure_group(&self) -> Result<(), Error> {
        let mut conn = self.conn.clone();
        for (_, stream) in self.all_streams() {
            let created: redis::RedisResult<()> = conn
                .xgroup_create_mkstream(&stream, GRADER_GROUP, "0")
                .await;
            match created {
                Ok(()) => {}
                Err(e) if e.code() == Some("BUSYGROUP") => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// Claims entries another consumer has held longer than `min_idle`
    /// (it died or hangs), with their delivery counts, from every lane and
    /// then the runs.
    pub async fn claim_stale_jobs(
        &self,
        consumer: &str,
        min_idle: Duration,
        count: usize,
    ) -> Result<Vec<Job>, Error> {
        let mut conn = self.conn.clone();
        let mut jobs = Vec::new();
        for (lane, stream) in self.all_streams() {
            if jobs.len() >= count {
                break;
            }
            let opts = StreamAutoClaimOptions::default().count(count - jobs.len());
            let reply: StreamAutoClaimReply = conn
                .xautoclaim_options(
                    &stream,
                    GRADER_GROUP,
                    consumer,
                    min_idle.as_millis() as u64,
                    "0-0",
                    opts,
                )
                .await?;
            for entry in reply.claimed {
                let deliveries = self.deliveries(&stream, &entry.id).await?;
                jobs.push(job_from_entry(lane, entry, deliveries));
            }
        }
        Ok(jobs)
    }

    /// Tells the group that `consumer` is still working on `job`, so a job
    /// longer than the visibility timeout is not taken from a live grader.
    /// Resets the entry's idle time only if it has been idle at least
    /// `min_idle` (so a job another consumer just took over stays with it),
    /// and never counts as a delivery. True when the claim was renewed.
    pub async fn keep_job(
        &self,
        consumer: &str,
        job: &Job,
        min_idle: Duration,
    ) -> Result<bool, Error> {
        let mut conn = self.conn.clone();
        let renewed: Vec<String> = conn
            .xclaim_options(
                self.stream(job.lane),
                GRADER_GROUP,
                consumer,
                min_idle.as_millis() as u64,
                &[&job.entry_id],
                StreamClaimOptions::default().with_justid(),
            )
            .await?;
        Ok(!renewed.is_empty())
    }

    /// How many times an entry has been delivered (XAUTOCLAIM does not say).
    async fn deliveries(&self, stream: &str, entry_id: &str) -> Result<u64, Error> {
        let mut conn = self.conn.clone();
        let reply: StreamPendingCountReply = conn
            .xpending_count(stream, GRADER_GROUP, entry_id, entry_id, 1)
            .await?;
        Ok(reply.ids.first().map_or(1, |p| p.times_delivered as u64))
    }

    /// Acknowledges a job and deletes its entry so the streams hold only
    /// work still to do. Called only after the verdict is committed.
    pub async fn ack_job(&self, job: &Job) -> Result<(), Error> {
        let mut conn = self.conn.clone();
        let stream = self.stream(job.lane);
        let _: () = redis::pipe()
            .atomic()
            .xack(&stream, GRADER_GROUP, &[&job.entry_id])
            .ignore()
            .xdel(&stream, &[&job.entry_id])
            .ignore()
            .query_async(&mut conn)
            .await?;
        Ok(())
    }

    /// Every submission id with an entry in any lane, read or not. Acked
    /// entries are deleted, so this is the work the streams still know of;
    /// the reconciler re-pushes queued submissions missing from it.
    pub async fn submissions_in_stream(&self) -> Result<HashSet<Uuid>, Error> {
        let streams: Vec<_> = self.lanes().collect();
        self.ids_in(streams).await
    }

    /// Every run id with an entry in the runs' stream, read or not.
    pub async fn runs_in_stream(&self) -> Result<HashSet<Uuid>, Error> {
        self.ids_in(vec![(Lane::Runs, self.names.runs_stream())])
            .await
    }

    async fn ids_in(&self, streams: Vec<(Lane, String)>) -> Result<HashSet<Uuid>, Error> {
        let mut conn = self.conn.clone();
        let mut ids = HashSet::new();
        for (lane, stream) in streams {
            let mut start = "-".to_owned();
            loop {
                let page: StreamRangeReply = conn.xrange_count(&stream, &start, "+", 1000).await?;
                let last = page.ids.last().map(|e| e.id.clone());
                let full = page.ids.len() == 1000;
                ids.extend(
                    page.ids
                        .into_iter()
                        .filter_map(|e| job_from_entry(lane, e, 1).id),
                );
                match last {
                    // Exclusive start: continue after the last entry seen.
                    Some(last) if full => start = format!("({last}"),
                    _ => break,
                }
            }
        }
        Ok(ids)
    }

    /// Streams' length and pending count (runs included), for metrics and
    /// benchmarks.
    pub async fn queue_stats(&self) -> Result<QueueStats, Error> {
        let mut conn = self.conn.clone();
        let mut stats = QueueStats::default();
        for (_, stream) in self.all_streams() {
            stats.length += conn.xlen::<_, u64>(&stream).await?;
            let pending: redis::RedisResult<StreamPendingReply> =
                conn.xpending(&stream, GRADER_GROUP).await;
            stats.pending += match pending {
                Ok(p) => p.count() as u64,
                // No group yet: nothing is pending.
                Err(e) if e.code() == Some("NOGROUP") => 0,
                Err(e) => return Err(e.into()),
            };
        }
        Ok(stats)
    }
}

/// A grader's reader of new jobs, taking them lane by lane in turn.
pub struct JobReader {
    queue: JobQueue,
    /// Its own connection: a blocking read on the shared one would hold up
    /// every other command, and the shared one's response timeout would cut
    /// the block short.
    conn: MultiplexedConnection,
    /// The lane to look at first next time: the one after the last served.
    next_lane: u16,
    /// Jobs a blocking read delivered beyond what was asked (several lanes
    /// can fill at the same instant); handed out first.
    extra: VecDeque<Job>,
}

impl JobReader {
    /// Opens the reader's own connection (no response timeout: a blocking
    /// read waits by design).
    pub async fn connect(queue: &JobQueue, client: &redis::Client) -> Result<Self, Error> {
        let config = redis::AsyncConnectionConfig::new().set_response_timeout(None);
        Ok(Self {
            queue: queue.clone(),
            conn: client
                .get_multiplexed_async_connection_with_config(&config)
                .await?,
            next_lane: 0,
            extra: VecDeque::new(),
        })
    }

    /// Up to `count` new jobs: one from each lane with work, in turn from
    /// where the last read stopped; practice runs only when every lane is
    /// empty; when there are none either, waits up to `block` for the first
    /// job anywhere.
    pub async fn read(
        &mut self,
        consumer: &str,
        count: usize,
        block: Duration,
    ) -> Result<Vec<Job>, Error> {
        let mut jobs: Vec<Job> = self.extra.drain(..count.min(self.extra.len())).collect();
        for step in 0..LANES {
            if jobs.len() >= count {
                return Ok(jobs);
            }
            let lane = (self.next_lane + step) % LANES;
            let opts = StreamReadOptions::default()
                .group(GRADER_GROUP, consumer)
                .count(1);
            if let Some(job) = self.read_lanes(&[Lane::Graded(lane)], &opts).await?.pop() {
                self.next_lane = (lane + 1) % LANES;
                jobs.push(job);
            }
        }
        if jobs.is_empty() {
            let opts = StreamReadOptions::default()
                .group(GRADER_GROUP, consumer)
                .count(count);
            jobs.extend(self.read_lanes(&[Lane::Runs], &opts).await?);
        }
        if jobs.is_empty() {
            let opts = StreamReadOptions::default()
                .group(GRADER_GROUP, consumer)
                .count(1)
                .block(block.as_millis() as usize);
            let lanes: Vec<Lane> = (0..LANES)
                .map(Lane::Graded)
                .chain(std::iter::once(Lane::Runs))
                .collect();
            let mut arrived = self.read_lanes(&lanes, &opts).await?.into_iter();
            jobs.extend(arrived.by_ref().take(count));
            self.extra.extend(arrived);
        }
        Ok(jobs)
    }

    async fn read_lanes(
        &mut self,
        lanes: &[Lane],
        opts: &StreamReadOptions,
    ) -> Result<Vec<Job>, Error> {
        let streams: Vec<String> = lanes.iter().map(|l| self.queue.stream(*l)).collect();
        let ids = vec![">"; streams.len()];
        let reply: Option<StreamReadReply> = self.conn.xread_options(&streams, &ids, opts).await?;
        Ok(reply
            .into_iter()
            .flat_map(|r| r.keys)
            .flat_map(|key| {
                let lane = lanes[streams.iter().position(|s| *s == key.key).unwrap_or(0)];
                key.ids
                    .into_iter()
                    .map(move |entry| job_from_entry(lane, entry, 1))
            })
            .collect())
    }
}

fn job_from_entry(lane: Lane, entry: StreamId, deliveries: u64) -> Job {
    let field = match lane {
        Lane::Graded(_) => FIELD,
        Lane::Runs => RUN_FIELD,
    };
    let id = entry
        .get::<String>(field)
        .and_then(|s| Uuid::parse_str(&s).ok());
    Job {
        lane,
        deliveries: entry.delivered_count.map_or(deliveries, |d| d as u64),
        entry_id: entry.id,
        id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clients_lane_is_stable_and_clients_spread_over_the_lanes() {
        let a: IpAddr = "203.0.113.7".parse().unwrap();
        assert_eq!(lane_for(a), lane_for(a));
        let lanes: HashSet<u16> = (0..=255u8)
            .map(|i| lane_for(IpAddr::from([10, 0, 0, i])))
            .collect();
        assert_eq!(lanes.len(), LANES as usize, "256 addresses fill every lane");
        assert!(lanes.iter().all(|l| *l < LANES));
    }
}
