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
//! a class bursts, graded work goes first and runs wait. Regrades (staff
//! re-judging submissions) wait in `grading:regrades`, read only when the
//! runs' stream is empty too: a class keeps getting its verdicts first.
//!
//! An entry names its work, kind and id (`kind`, `id`); Postgres holds
//! everything else, so lost streams are rebuilt from the `queued` rows (the
//! reconciler).

use std::collections::{HashSet, VecDeque};
use std::net::IpAddr;
use std::time::Duration;

use redis::aio::{ConnectionManager, MultiplexedConnection};
use redis::streams::{
    StreamAutoClaimOptions, StreamAutoClaimReply, StreamClaimOptions, StreamId,
    StreamPendingCountReply, StreamRangeReply, StreamReadOptions, StreamReadReply,
};
use redis::AsyncCommands;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use domain::work::{WorkKind, WorkRef};

use crate::names::{RedisNames, GRADER_GROUP};
use crate::Error;

/// An entry's fields: the kind of work and its id.
const KIND_FIELD: &str = "kind";
const ID_FIELD: &str = "id";
/// The fields of entries written before entries named their kind (read
/// still, for a stream an older API wrote during a rolling update).
const OLD_FIELDS: [(&str, WorkKind); 2] = [
    ("submission_id", WorkKind::Submission),
    ("run_id", WorkKind::PracticeRun),
];

/// How many lanes jobs wait in. Two clients share a lane one time in this
/// many; the API and every grader must agree on it, so it is not a setting.
pub const LANES: u16 = 16;

/// The lane a regraded submission's job is pushed with: the regrades'
/// stream (stored as -1 in a submission's `lane`).
pub const REGRADE_LANE: u16 = u16::MAX;

/// The lane of a client's jobs: a stable hash of its address.
pub fn lane_for(client: IpAddr) -> u16 {
    lane_of(&client.to_string())
}

/// The lane of the jobs `key` names (an address, an integration): a
/// stable hash.
pub fn lane_of(key: &str) -> u16 {
    let digest = Sha256::digest(key.as_bytes());
    u16::from_be_bytes([digest[0], digest[1]]) % LANES
}

/// Which stream a job waits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// One of the [`LANES`] lanes of submissions.
    Lane(u16),
    /// The practice runs' stream, read only when every lane is empty.
    PracticeRuns,
    /// Regraded submissions, read only when the runs' stream is empty too.
    Regrades,
}

impl Stream {
    /// Where `kind`'s work waits: a submission in its lane (a regraded
    /// one in the regrades' stream), a practice run in the runs' stream.
    pub fn of(kind: WorkKind, lane: u16) -> Self {
        match kind {
            WorkKind::Submission if lane == REGRADE_LANE => Self::Regrades,
            WorkKind::Submission => Self::Lane(lane % LANES),
            WorkKind::PracticeRun => Self::PracticeRuns,
        }
    }

    /// The kind of work that waits in it.
    pub fn kind(self) -> WorkKind {
        match self {
            Self::Lane(_) | Self::Regrades => WorkKind::Submission,
            Self::PracticeRuns => WorkKind::PracticeRun,
        }
    }
}

/// One delivery of a job to a grader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The stream it waited in, and its entry id there: needed to ack.
    pub stream: Stream,
    pub entry_id: String,
    /// The work it names. None when the entry is malformed (or names work
    /// of another stream's kind): it is acked and dropped.
    pub work: Option<WorkRef>,
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
    pub(crate) conn: ConnectionManager,
    names: RedisNames,
}

impl JobQueue {
    pub fn new(conn: ConnectionManager, names: RedisNames) -> Self {
        Self { conn, names }
    }

    pub(crate) fn stream_name(&self, stream: Stream) -> String {
        match stream {
            Stream::Lane(lane) => self.names.jobs_stream(lane),
            Stream::PracticeRuns => self.names.runs_stream(),
            Stream::Regrades => self.names.regrades_stream(),
        }
    }

    /// The streams `kind`'s work waits in.
    fn streams_of(&self, kind: WorkKind) -> Vec<(Stream, String)> {
        let streams: Vec<Stream> = match kind {
            WorkKind::Submission => (0..LANES)
                .map(Stream::Lane)
                .chain([Stream::Regrades])
                .collect(),
            WorkKind::PracticeRun => vec![Stream::PracticeRuns],
        };
        streams
            .into_iter()
            .map(|s| (s, self.stream_name(s)))
            .collect()
    }

    /// Every stream with its name: the lanes, the regrades', then the
    /// practice runs'.
    pub(crate) fn all_streams(&self) -> Vec<(Stream, String)> {
        WorkKind::ALL
            .into_iter()
            .flat_map(|k| self.streams_of(k))
            .collect()
    }

    /// Pushes `work` onto its stream: a submission onto `lane`.
    pub async fn enqueue(&self, work: WorkRef, lane: u16) -> Result<(), Error> {
        let mut conn = self.conn.clone();
        let _: String = conn
            .xadd(
                self.stream_name(Stream::of(work.kind, lane)),
                "*",
                &[
                    (KIND_FIELD, work.kind.as_str().to_owned()),
                    (ID_FIELD, work.id.to_string()),
                ],
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
                self.stream_name(job.stream),
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
        let stream = self.stream_name(job.stream);
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

    /// Every id of `kind`'s work with an entry in its streams, read or not.
    /// Acked entries are deleted, so this is the work the streams still
    /// know of; the reconciler re-pushes queued work missing from it.
    pub async fn in_streams(&self, kind: WorkKind) -> Result<HashSet<Uuid>, Error> {
        let mut conn = self.conn.clone();
        let mut ids = HashSet::new();
        for (lane, stream) in self.streams_of(kind) {
            let mut start = "-".to_owned();
            loop {
                let page: StreamRangeReply = conn.xrange_count(&stream, &start, "+", 1000).await?;
                let last = page.ids.last().map(|e| e.id.clone());
                let full = page.ids.len() == 1000;
                ids.extend(
                    page.ids
                        .into_iter()
                        .filter_map(|e| job_from_entry(lane, e, 1).work)
                        .map(|w| w.id),
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
    /// benchmarks: the sum of every stream's [`lag`](Self::lag).
    pub async fn queue_stats(&self) -> Result<QueueStats, Error> {
        let mut stats = QueueStats::default();
        for lag in self.lag().await? {
            stats.length += lag.waiting + lag.in_flight;
            stats.pending += lag.in_flight;
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
    /// Free slots regrades leave while learners are about
    /// ([`Self::keep_free_of_regrades`]).
    kept_free: usize,
    /// When a learner's job (a submission or a run) was last read.
    learners_seen: Option<std::time::Instant>,
}

/// How long after a learner's last job regrades still leave them a slot.
const LEARNERS_ABOUT: Duration = Duration::from_secs(10);

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
            kept_free: 0,
            learners_seen: None,
        })
    }

    /// While learners are about (a job of theirs read in the last
    /// [`LEARNERS_ABOUT`]), regrades are read only while more than `slots`
    /// of the grader's are free, so a learner's submission arriving
    /// mid-regrade finds a slot; with no learner about, regrades take
    /// every free slot. (A grader of one slot keeps none: its regrades
    /// would wait for a quiet class.)
    pub fn keep_free_of_regrades(&mut self, slots: usize) {
        self.kept_free = slots;
    }

    /// How many regrades may be read with `free` slots.
    fn regrades_for(&self, free: usize) -> usize {
        let about = self
            .learners_seen
            .is_some_and(|seen| seen.elapsed() < LEARNERS_ABOUT);
        if about {
            free.saturating_sub(self.kept_free)
        } else {
            free
        }
    }

    /// Up to `count` new jobs: one from each lane with work, in turn from
    /// where the last read stopped; practice runs only when every lane is
    /// empty, regrades only when there are no runs either; when there are
    /// none at all, waits up to `block` for the first job anywhere.
    pub async fn read(
        &mut self,
        consumer: &str,
        count: usize,
        block: Duration,
    ) -> Result<Vec<Job>, Error> {
        let jobs = self.take(consumer, count, block).await?;
        if jobs.iter().any(|j| j.stream != Stream::Regrades) {
            self.learners_seen = Some(std::time::Instant::now());
        }
        Ok(jobs)
    }

    /// [`Self::read`]'s reading, before it notes whether learners are about.
    async fn take(
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
            if let Some(job) = self.read_streams(&[Stream::Lane(lane)], &opts).await?.pop() {
                self.next_lane = (lane + 1) % LANES;
                jobs.push(job);
            }
        }
        // Below learners' submissions: their runs, and below those regrades,
        // which leave slots free for learners.
        let regrades = self.regrades_for(count);
        for (below, most) in [(Stream::PracticeRuns, count), (Stream::Regrades, regrades)] {
            if jobs.is_empty() && most > 0 {
                let opts = StreamReadOptions::default()
                    .group(GRADER_GROUP, consumer)
                    .count(most);
                jobs.extend(self.read_streams(&[below], &opts).await?);
            }
        }
        if jobs.is_empty() {
            let opts = StreamReadOptions::default()
                .group(GRADER_GROUP, consumer)
                .count(1)
                .block(block.as_millis() as usize);
            let streams: Vec<Stream> = self
                .queue
                .all_streams()
                .into_iter()
                .map(|(s, _)| s)
                .filter(|s| *s != Stream::Regrades || regrades > 0)
                .collect();
            let mut arrived = self.read_streams(&streams, &opts).await?.into_iter();
            jobs.extend(arrived.by_ref().take(count));
            self.extra.extend(arrived);
        }
        Ok(jobs)
    }

    async fn read_streams(
        &mut self,
        streams: &[Stream],
        opts: &StreamReadOptions,
    ) -> Result<Vec<Job>, Error> {
        let names: Vec<String> = streams.iter().map(|s| self.queue.stream_name(*s)).collect();
        let ids = vec![">"; names.len()];
        let reply: Option<StreamReadReply> = self.conn.xread_options(&names, &ids, opts).await?;
        Ok(reply
            .into_iter()
            .flat_map(|r| r.keys)
            .flat_map(|key| {
                let stream = streams[names.iter().position(|s| *s == key.key).unwrap_or(0)];
                key.ids
                    .into_iter()
                    .map(move |entry| job_from_entry(stream, entry, 1))
            })
            .collect())
    }
}

/// The work an entry names: its kind and id, which must be of the stream's
/// kind (a submission is never taken from the runs' stream, nor a run from
/// a lane).
fn work_of(stream: Stream, entry: &StreamId) -> Option<WorkRef> {
    let id = |field: &str| {
        entry
            .get::<String>(field)
            .and_then(|s| Uuid::parse_str(&s).ok())
    };
    let work = match entry.get::<String>(KIND_FIELD) {
        Some(kind) => WorkKind::parse(&kind).zip(id(ID_FIELD)),
        None => OLD_FIELDS
            .iter()
            .find_map(|(field, kind)| id(field).map(|id| (*kind, id))),
    };
    let (kind, id) = work?;
    (kind == stream.kind()).then_some(WorkRef { kind, id })
}

fn job_from_entry(stream: Stream, entry: StreamId, deliveries: u64) -> Job {
    Job {
        stream,
        work: work_of(stream, &entry),
        deliveries: entry.delivered_count.map_or(deliveries, |d| d as u64),
        entry_id: entry.id,
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
