//! Queue lag: how much work waits in each stream, how long the oldest of it
//! has waited, and how much is in a grader's hands. The one reading the
//! API's metrics and the autoscaler both use.

use std::time::Duration;

use redis::streams::{StreamInfoGroupsReply, StreamRangeReply};
use redis::AsyncCommands;

use crate::jobs::{JobQueue, Stream};
use crate::names::GRADER_GROUP;
use crate::Error;

/// One stream's backlog at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamLag {
    pub stream: Stream,
    /// Entries no grader has been handed yet.
    pub waiting: u64,
    /// How long the oldest of those has waited (zero when none waits).
    pub oldest_waiting: Duration,
    /// Handed to a grader and not yet acknowledged.
    pub in_flight: u64,
}

impl Stream {
    /// The stream's name in metrics and logs: `lane-3`, `runs`, `regrades`.
    pub fn label(self) -> String {
        match self {
            Self::Lane(lane) => format!("lane-{lane}"),
            Self::PracticeRuns => "runs".to_owned(),
            Self::Regrades => "regrades".to_owned(),
        }
    }
}

/// The milliseconds part of a stream entry's id (`<ms>-<seq>`): when
/// Redis added it.
fn added_at_ms(entry_id: &str) -> Option<u64> {
    entry_id.split('-').next()?.parse().ok()
}

impl JobQueue {
    /// Every stream's lag (see [`StreamLag`]), lanes first, then regrades
    /// and practice runs. Ages are by Redis's clock, which stamped the
    /// entries, so a skewed clock elsewhere does not skew them.
    pub async fn lag(&self) -> Result<Vec<StreamLag>, Error> {
        let mut conn = self.conn.clone();
        let streams = self.all_streams();
        let time: (u64, u64) = redis::cmd("TIME").query_async(&mut conn).await?;
        let mut pipe = redis::pipe();
        for (_, name) in &streams {
            pipe.xlen(name);
        }
        let lengths: Vec<u64> = pipe.query_async(&mut conn).await?;
        let now_ms = time.0 * 1000 + time.1 / 1000;
        let mut lags = Vec::with_capacity(streams.len());
        for ((stream, name), length) in streams.into_iter().zip(lengths) {
            let mut lag = StreamLag {
                stream,
                waiting: 0,
                oldest_waiting: Duration::ZERO,
                in_flight: 0,
            };
            // Acked entries are deleted: an empty stream has nothing
            // waiting and nothing in flight.
            if length > 0 {
                // The stream exists (it has entries), so an error here is
                // Redis's, not a missing group: it fails the reading.
                let groups: StreamInfoGroupsReply = conn.xinfo_groups(&name).await?;
                let group = groups.groups.into_iter().find(|g| g.name == GRADER_GROUP);
                // Without the group yet, every entry waits.
                let (in_flight, after) = match &group {
                    Some(g) => (g.pending as u64, format!("({}", g.last_delivered_id)),
                    None => (0, "-".to_owned()),
                };
                let next: StreamRangeReply = conn.xrange_count(&name, &after, "+", 1).await?;
                lag.in_flight = in_flight;
                lag.waiting = length.saturating_sub(in_flight);
                if let Some(ms) = next.ids.first().and_then(|e| added_at_ms(&e.id)) {
                    lag.oldest_waiting = Duration::from_millis(now_ms.saturating_sub(ms));
                }
            }
            lags.push(lag);
        }
        Ok(lags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_labelled_for_metrics() {
        assert_eq!(Stream::Lane(0).label(), "lane-0");
        assert_eq!(Stream::Lane(15).label(), "lane-15");
        assert_eq!(Stream::PracticeRuns.label(), "runs");
        assert_eq!(Stream::Regrades.label(), "regrades");
    }

    #[test]
    fn an_entry_id_says_when_it_was_added() {
        assert_eq!(added_at_ms("1733500000123-7"), Some(1_733_500_000_123));
        assert_eq!(added_at_ms("junk"), None);
    }
}
