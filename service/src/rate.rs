//! The one rate limiter (GCRA, by the `governor` crate): per key (an
//! address, a learner), a bucket of `count` that refills evenly over `per`.
//! Every limit on how often a client may do something goes through here:
//! new learners, submissions, joining with a code, and (counting failures
//! only, [`Strikes`]) staff sign-in.

use std::num::NonZeroU32;
use std::str::FromStr;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

/// `count` per `per`, written `120/h`, `10/min` or `5/s`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub count: u32,
    pub per: Duration,
}

impl FromStr for Rate {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("{s:?} is not a rate like 120/h, 10/min or 5/s");
        let (count, unit) = s.trim().split_once('/').ok_or_else(bad)?;
        let count: u32 = count.trim().parse().map_err(|_| bad())?;
        let per = match unit.trim() {
            "s" => Duration::from_secs(1),
            "min" => Duration::from_secs(60),
            "h" => Duration::from_secs(3600),
            _ => return Err(bad()),
        };
        if count == 0 {
            return Err(bad());
        }
        Ok(Self { count, per })
    }
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = match self.per.as_secs() {
            1 => "s",
            60 => "min",
            _ => "h",
        };
        write!(f, "{}/{unit}", self.count)
    }
}

/// A keyed limiter: each key may do `count` at once, then one more each
/// `per / count`.
pub struct Limiter {
    limiter: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

impl Limiter {
    pub fn new(rate: Rate) -> Self {
        let count = NonZeroU32::new(rate.count).expect("a rate is never zero");
        let quota = Quota::with_period(rate.per / rate.count)
            .expect("a rate's period is never zero")
            .allow_burst(count);
        Self {
            limiter: DefaultKeyedRateLimiter::keyed(quota),
            clock: DefaultClock::default(),
        }
    }

    /// Counts one for `key`; Err with how long until it may, when it may not.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        self.limiter
            .check_key(&key.to_owned())
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// Forgets keys whose buckets are full again, so memory follows the
    /// clients of the last while, not every client ever seen.
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }

    /// Keys remembered now.
    pub fn len(&self) -> usize {
        self.limiter.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A limiter that counts only failures (staff sign-in): a key may fail
/// `count` times at once, then once each `per / count`. The failure past
/// that bars the key until it may fail again, and a barred key is refused
/// before anything is tried, so a right guess then is no use either.
pub struct Strikes {
    limiter: Limiter,
    barred: std::sync::Mutex<std::collections::HashMap<String, std::time::Instant>>,
}

impl Strikes {
    pub fn new(rate: Rate) -> Self {
        Self {
            limiter: Limiter::new(rate),
            barred: Default::default(),
        }
    }

    fn bars(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, std::time::Instant>> {
        self.barred.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Err with how long until `key` may try again, while it is barred.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        let now = std::time::Instant::now();
        match self.bars().get(key) {
            Some(until) if *until > now => Err(*until - now),
            _ => Ok(()),
        }
    }

    /// Counts a failure of `key`; Err (and the key barred) past its rate.
    pub fn strike(&self, key: &str) -> Result<(), Duration> {
        self.limiter.check(key).inspect_err(|wait| {
            self.bars()
                .insert(key.to_owned(), std::time::Instant::now() + *wait);
        })
    }

    /// Forgets keys back at a full allowance and bars that have run out.
    pub fn forget_idle(&self) {
        self.limiter.forget_idle();
        let now = std::time::Instant::now();
        self.bars().retain(|_, until| *until > now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_and_print() {
        let r: Rate = "120/h".parse().unwrap();
        assert_eq!((r.count, r.per), (120, Duration::from_secs(3600)));
        assert_eq!(r.to_string(), "120/h");
        assert_eq!(
            "10/min".parse::<Rate>().unwrap().per,
            Duration::from_secs(60)
        );
        for bad in ["", "10", "0/s", "x/s", "10/day", "-1/s"] {
            assert!(bad.parse::<Rate>().is_err(), "{bad}");
        }
    }

    #[test]
    fn only_failures_count_and_the_one_too_many_bars_the_key() {
        let strikes = Strikes::new("2/min".parse().unwrap());
        for _ in 0..10 {
            assert!(strikes.check("ada").is_ok(), "no failure yet: never barred");
        }
        assert!(strikes.strike("ada").is_ok());
        assert!(strikes.strike("ada").is_ok());
        assert!(strikes.check("ada").is_ok(), "two failures are allowed");
        let wait = strikes.strike("ada").unwrap_err();
        assert!(wait > Duration::from_secs(20), "{wait:?}");
        assert!(strikes.check("ada").is_err(), "barred after the third");
        assert!(strikes.check("bob").is_ok());
    }

    #[test]
    fn a_key_gets_its_burst_then_waits_and_others_are_untouched() {
        let limiter = Limiter::new("3/min".parse().unwrap());
        for _ in 0..3 {
            assert!(limiter.check("a").is_ok());
        }
        let wait = limiter.check("a").unwrap_err();
        assert!(
            wait > Duration::from_secs(15) && wait <= Duration::from_secs(20),
            "{wait:?}"
        );
        assert!(limiter.check("b").is_ok());
        assert_eq!(limiter.len(), 2);
    }
}
