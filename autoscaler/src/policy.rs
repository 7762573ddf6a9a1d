//! When to scale the graders, decided from the queue's lag alone: a pure
//! function of what was seen and when, so every rule is tested without a
//! swarm.
//!
//! - **Wanted**: enough replicas for the work there is, waiting and in
//!   flight, at [`Policy::jobs_per_replica`] each, within `min..=max`.
//! - **Up** only once the oldest waiting job has waited [`Policy::up_lag`]:
//!   a blip the warm replicas clear in a moment starts nobody.
//! - **Down** only after fewer have been wanted for [`Policy::down_after`]
//!   without a break, and then to the most wanted in that time: a class
//!   that pauses between two waves keeps its graders.
//! - **Cool-down**: after any change, none for [`Policy::cooldown`], so a
//!   new replica's warm-up is seen before the next step.
//!
//! The asymmetry (quick up, slow down) is the hysteresis: a backlog
//! oscillating around one threshold never flaps the service.

use std::time::{Duration, Instant};

use queue::lag::StreamLag;

/// The autoscaler's bounds and pace, from its settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub min: u32,
    pub max: u32,
    /// Jobs one replica grades at once (its `GRADER_CONCURRENCY`).
    pub jobs_per_replica: u32,
    pub up_lag: Duration,
    pub down_after: Duration,
    pub cooldown: Duration,
}

/// The queue at one moment, summed over every stream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Observation {
    pub waiting: u64,
    pub in_flight: u64,
    /// The longest any waiting job has waited, in any stream.
    pub oldest_waiting: Duration,
}

impl Observation {
    pub fn of(lags: &[StreamLag]) -> Self {
        lags.iter().fold(Self::default(), |o, l| Self {
            waiting: o.waiting + l.waiting,
            in_flight: o.in_flight + l.in_flight,
            oldest_waiting: o.oldest_waiting.max(l.oldest_waiting),
        })
    }
}

/// What to do now, and why (the reason is logged with every decision).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Scale {
        to: u32,
        reason: String,
    },
    /// `steady`: nothing else was wanted (not a decision against one).
    Hold {
        reason: String,
        steady: bool,
    },
}

/// The decisions' memory: when the service last changed, and since when
/// fewer replicas have been wanted.
#[derive(Debug, Default)]
pub struct Autoscaler {
    last_change: Option<Instant>,
    /// The change before the last, and the quiet spell the last one
    /// ended, restored when the last one failed.
    before_last: Option<Instant>,
    fewer_before: Option<(Instant, u32)>,
    /// Since when fewer than the current replicas have been wanted, and
    /// the most wanted since then.
    fewer_since: Option<(Instant, u32)>,
}

impl Autoscaler {
    /// The decision for `current` replicas seeing `seen` at `now`. A
    /// `Scale` is taken as done: call [`Self::failed`] if it was not.
    pub fn decide(
        &mut self,
        policy: &Policy,
        current: u32,
        seen: Observation,
        now: Instant,
    ) -> Decision {
        let want = wanted(policy, seen);
        let work = format!(
            "{} waiting (oldest {:.1} s), {} in flight: {want} wanted",
            seen.waiting,
            seen.oldest_waiting.as_secs_f64(),
            seen.in_flight
        );
        if current < policy.min || current > policy.max {
            let to = current.clamp(policy.min, policy.max);
            return self.scale(
                to,
                format!(
                    "{current} is outside {}..={}; {work}",
                    policy.min, policy.max
                ),
                now,
            );
        }
        let cooling = self
            .last_change
            .map(|at| policy.cooldown.saturating_sub(now - at))
            .filter(|left| !left.is_zero());
        if want > current {
            self.fewer_since = None;
            if seen.oldest_waiting < policy.up_lag {
                return hold(format!(
                    "{work}, but none has waited {:.1} s yet",
                    policy.up_lag.as_secs_f64()
                ));
            }
            if let Some(left) = cooling {
                return hold(format!(
                    "{work}, cooling down {:.1} s more",
                    left.as_secs_f64()
                ));
            }
            return self.scale(want, format!("up from {current}: {work}"), now);
        }
        if want == current {
            self.fewer_since = None;
            return Decision::Hold {
                reason: format!("steady at {current}: {work}"),
                steady: true,
            };
        }
        self.down(policy, current, want, cooling, work, now)
    }

    /// Fewer than `current` wanted: down once that has held long enough.
    fn down(
        &mut self,
        policy: &Policy,
        current: u32,
        want: u32,
        cooling: Option<Duration>,
        work: String,
        now: Instant,
    ) -> Decision {
        let (since, most) = match self.fewer_since {
            Some((since, most)) => (since, most.max(want)),
            None => (now, want),
        };
        self.fewer_since = Some((since, most));
        let quiet = now - since;
        if quiet < policy.down_after {
            return hold(format!(
                "{work}, fewer wanted for {:.1} s of {:.1} s",
                quiet.as_secs_f64(),
                policy.down_after.as_secs_f64()
            ));
        }
        if let Some(left) = cooling {
            return hold(format!(
                "{work}, cooling down {:.1} s more",
                left.as_secs_f64()
            ));
        }
        self.scale(
            most,
            format!(
                "down from {current}: at most {most} wanted for {:.1} s; {work}",
                quiet.as_secs_f64()
            ),
            now,
        )
    }

    /// The last `Scale` did not happen (the swarm refused it): it starts
    /// no cool-down.
    pub fn failed(&mut self) {
        self.last_change = self.before_last;
        self.fewer_since = self.fewer_before;
    }

    fn scale(&mut self, to: u32, reason: String, now: Instant) -> Decision {
        self.before_last = self.last_change;
        self.last_change = Some(now);
        self.fewer_before = self.fewer_since.take();
        Decision::Scale { to, reason }
    }
}

fn hold(reason: String) -> Decision {
    Decision::Hold {
        reason,
        steady: false,
    }
}

/// Replicas for the work seen, within the bounds.
fn wanted(policy: &Policy, seen: Observation) -> u32 {
    let jobs = seen.waiting + seen.in_flight;
    let per = u64::from(policy.jobs_per_replica.max(1));
    let want = u32::try_from(jobs.div_ceil(per)).unwrap_or(u32::MAX);
    want.clamp(policy.min, policy.max)
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: Policy = Policy {
        min: 1,
        max: 4,
        jobs_per_replica: 2,
        up_lag: Duration::from_secs(2),
        down_after: Duration::from_secs(30),
        cooldown: Duration::from_secs(10),
    };

    fn seen(waiting: u64, in_flight: u64, oldest_secs: u64) -> Observation {
        Observation {
            waiting,
            in_flight,
            oldest_waiting: Duration::from_secs(oldest_secs),
        }
    }

    fn to(d: &Decision) -> Option<u32> {
        match d {
            Decision::Scale { to, .. } => Some(*to),
            Decision::Hold { .. } => None,
        }
    }

    /// Runs `steps` of (seconds from the start, observation) from
    /// `replicas`, applying each scale; returns the replicas after each.
    fn run(replicas: u32, steps: &[(u64, Observation)]) -> Vec<u32> {
        let t0 = Instant::now();
        let mut scaler = Autoscaler::default();
        let mut current = replicas;
        steps
            .iter()
            .map(|(at, o)| {
                if let Some(n) =
                    to(&scaler.decide(&POLICY, current, *o, t0 + Duration::from_secs(*at)))
                {
                    current = n;
                }
                current
            })
            .collect()
    }

    #[test]
    fn a_backlog_scales_up_once_its_oldest_job_has_waited() {
        let t0 = Instant::now();
        let mut scaler = Autoscaler::default();
        let blip = scaler.decide(&POLICY, 1, seen(5, 2, 1), t0);
        assert_eq!(to(&blip), None, "{blip:?}");
        let d = scaler.decide(&POLICY, 1, seen(5, 2, 2), t0 + Duration::from_secs(1));
        assert_eq!(to(&d), Some(4), "7 jobs at 2 a replica: {d:?}");
        let Decision::Scale { reason, .. } = d else {
            unreachable!()
        };
        assert!(
            reason.contains("5 waiting") && reason.contains("2 in flight"),
            "{reason}"
        );
    }

    #[test]
    fn wanted_stays_within_the_bounds() {
        assert_eq!(run(1, &[(0, seen(100, 0, 9))]), [4], "at most max");
        assert_eq!(
            run(2, &[(0, seen(0, 0, 0)), (31, seen(0, 0, 0))]),
            [2, 1],
            "at least min"
        );
        assert_eq!(
            run(7, &[(0, seen(0, 0, 0))]),
            [4],
            "outside the bounds: at once"
        );
        assert_eq!(run(0, &[(0, seen(0, 0, 0))]), [1]);
    }

    #[test]
    fn after_a_change_nothing_changes_until_the_cool_down_is_over() {
        let steps = [
            (0, seen(3, 0, 5)),   // 2 wanted: up
            (5, seen(20, 4, 9)),  // 4 wanted, cooling down
            (10, seen(20, 4, 9)), // cool-down over
        ];
        assert_eq!(run(1, &steps), [2, 2, 4]);
        let cooling = Autoscaler {
            last_change: Some(Instant::now()),
            ..Default::default()
        }
        .decide(
            &POLICY,
            2,
            seen(20, 4, 9),
            Instant::now() + Duration::from_secs(3),
        );
        assert!(
            matches!(&cooling, Decision::Hold { reason, .. } if reason.contains("cooling down 7.0 s")),
            "{cooling:?}"
        );
    }

    #[test]
    fn down_only_after_fewer_were_wanted_throughout_and_to_the_most_wanted_then() {
        let steps = [
            (0, seen(0, 2, 0)),  // 1 wanted of 4
            (10, seen(3, 2, 0)), // 3 wanted, still fewer than 4
            (29, seen(0, 0, 0)),
            (30, seen(0, 0, 0)), // 30 s of fewer: down to the 3 wanted at 10 s
            (45, seen(0, 0, 0)), // a new window, from here
            (75, seen(0, 0, 0)), // 30 s of it: down to 1
        ];
        assert_eq!(run(4, &steps), [4, 4, 4, 3, 3, 1]);
    }

    #[test]
    fn a_wave_inside_the_quiet_window_starts_it_again() {
        let steps = [
            (0, seen(0, 0, 0)),  // fewer wanted from here
            (20, seen(8, 0, 0)), // 4 wanted again (none waited long: no up)
            (35, seen(0, 0, 0)), // fewer again, from 35 s
            (60, seen(0, 0, 0)), // 25 s: held
            (65, seen(0, 0, 0)), // 30 s: down
        ];
        assert_eq!(run(4, &steps), [4, 4, 4, 4, 1]);
    }

    #[test]
    fn a_backlog_hovering_at_a_threshold_never_flaps() {
        // 5 then 4 jobs, every 2 s for two minutes: 3 then 2 wanted at 2
        // a replica. It goes up once and stays.
        let steps: Vec<(u64, Observation)> = (0..60)
            .map(|i| {
                (
                    i * 2,
                    if i % 2 == 0 {
                        seen(3, 2, 3)
                    } else {
                        seen(2, 2, 3)
                    },
                )
            })
            .collect();
        let replicas = run(1, &steps);
        assert_eq!(replicas[0], 3);
        assert!(replicas.iter().all(|r| *r == 3), "{replicas:?}");
    }

    #[test]
    fn a_scale_the_swarm_refused_is_tried_again_at_once() {
        let t0 = Instant::now();
        let mut scaler = Autoscaler::default();
        assert_eq!(to(&scaler.decide(&POLICY, 1, seen(4, 0, 3), t0)), Some(2));
        scaler.failed();
        let again = scaler.decide(&POLICY, 1, seen(4, 0, 3), t0 + Duration::from_secs(2));
        assert_eq!(to(&again), Some(2), "{again:?}");
    }

    #[test]
    fn a_scale_down_the_swarm_refused_is_tried_again_without_a_new_quiet_spell() {
        let t0 = Instant::now();
        let mut scaler = Autoscaler::default();
        assert_eq!(to(&scaler.decide(&POLICY, 3, seen(0, 0, 0), t0)), None);
        let at = |s| t0 + Duration::from_secs(s);
        assert_eq!(
            to(&scaler.decide(&POLICY, 3, seen(0, 0, 0), at(30))),
            Some(1)
        );
        scaler.failed();
        let again = scaler.decide(&POLICY, 3, seen(0, 0, 0), at(32));
        assert_eq!(to(&again), Some(1), "{again:?}");
    }

    #[test]
    fn an_observation_sums_the_streams_and_keeps_the_oldest_wait() {
        use queue::jobs::Stream;
        let lag = |stream, waiting, in_flight, oldest| StreamLag {
            stream,
            waiting,
            oldest_waiting: Duration::from_millis(oldest),
            in_flight,
        };
        let o = Observation::of(&[
            lag(Stream::Lane(0), 3, 1, 400),
            lag(Stream::Lane(7), 1, 0, 2500),
            lag(Stream::PracticeRuns, 2, 1, 100),
        ]);
        assert_eq!(
            o,
            Observation {
                waiting: 6,
                in_flight: 2,
                oldest_waiting: Duration::from_millis(2500)
            }
        );
    }
}
