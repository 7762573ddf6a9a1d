//! What one client may do how often, and how much may wait: the API's
//! policy over the one rate limiter (`service::rate`), and the bodies it
//! may have in the API (`crate::body::Bodies`). Answers are 429
//! `rate_limited` or 503 `queue_full`, each with `Retry-After`.

use std::net::IpAddr;
use std::time::Duration;

use domain::codes::Code;
use service::rate::{Limiter, Rate, Strikes};
use uuid::Uuid;

use crate::config::Config;
use crate::error::ApiError;

/// How long a client is told to wait when the queue is full: about what
/// the graders need to work a full queue down a little.
pub const QUEUE_FULL_RETRY: Duration = Duration::from_secs(30);

pub struct Admission {
    new_learners_per_address: (Limiter, Rate),
    submissions_per_learner: (Limiter, Rate),
    submissions_per_address: (Limiter, Rate),
    runs_per_learner: (Limiter, Rate),
    sign_in_per_username: (Strikes, Rate),
    sign_in_per_address: (Strikes, Rate),
    join_per_address: (Limiter, Rate),
    join_per_learner: (Limiter, Rate),
    lti_logins_per_address: (Limiter, Rate),
    /// Submissions that may wait for a grader at once.
    pub queue_limit: i64,
    /// How long a body may take, and how much of them an address may hold.
    pub bodies: crate::body::Bodies,
}

impl Admission {
    pub fn new(config: &Config) -> Self {
        let limiter = |rate: Rate| (Limiter::new(rate), rate);
        Self {
            new_learners_per_address: limiter(config.new_learners_per_address),
            submissions_per_learner: limiter(config.submissions_per_learner),
            submissions_per_address: limiter(config.submissions_per_address),
            runs_per_learner: limiter(config.runs_per_learner),
            sign_in_per_username: (
                Strikes::new(config.sign_in_per_username),
                config.sign_in_per_username,
            ),
            sign_in_per_address: (
                Strikes::new(config.sign_in_per_address),
                config.sign_in_per_address,
            ),
            join_per_address: limiter(config.join_per_address),
            join_per_learner: limiter(config.join_per_learner),
            lti_logins_per_address: limiter(config.lti_logins_per_address),
            queue_limit: config.queue_limit,
            bodies: crate::body::Bodies::new(config.body_timeout, config.body_bytes_per_address),
        }
    }

    /// One more LTI login begun from `address` (each is a row kept for
    /// ten minutes).
    pub fn lti_login(&self, address: IpAddr) -> Result<(), ApiError> {
        check(
            &self.lti_logins_per_address,
            &address.to_string(),
            "LTI logins from your address",
        )
    }

    /// One more new learner from `address`.
    pub fn new_learner(&self, address: IpAddr) -> Result<(), ApiError> {
        check(
            &self.new_learners_per_address,
            &address.to_string(),
            "new learners from your address",
        )
    }

    /// One more submission from `learner` at `address`.
    pub fn submission(&self, address: IpAddr, learner: Uuid) -> Result<(), ApiError> {
        check(
            &self.submissions_per_learner,
            &learner.to_string(),
            "submissions from you",
        )?;
        check(
            &self.submissions_per_address,
            &address.to_string(),
            "submissions from your address",
        )
    }

    /// One more practice run by `learner`.
    pub fn run(&self, learner: Uuid) -> Result<(), ApiError> {
        check(
            &self.runs_per_learner,
            &learner.to_string(),
            "test runs from you",
        )
    }

    /// May `username` try to sign in from `address`: the address is not
    /// barred by its failures, and, for a stranger to the account (`known`
    /// false, `crate::sign_in`), neither is the username by strangers'.
    pub fn sign_in(&self, address: IpAddr, username: &str, known: bool) -> Result<(), ApiError> {
        let address = address.to_string();
        for ((strikes, rate), key, what) in self.sign_in_keys(&address, username, known) {
            strikes
                .check(key)
                .map_err(|wait| too_many_failures(*rate, what, wait))?;
        }
        Ok(())
    }

    /// A sign-in failed: counted against the address, and against the
    /// username when a stranger failed; the failure past either's rate is
    /// answered 429 and bars it.
    pub fn sign_in_failed(
        &self,
        address: IpAddr,
        username: &str,
        known: bool,
    ) -> Result<(), ApiError> {
        let address = address.to_string();
        let mut barred = Ok(());
        for ((strikes, rate), key, what) in self.sign_in_keys(&address, username, known) {
            if let Err(wait) = strikes.strike(key) {
                barred = barred.and(Err(too_many_failures(*rate, what, wait)));
            }
        }
        barred
    }

    /// The strikes a sign-in answers to: its address's always; its
    /// username's only for a stranger.
    fn sign_in_keys<'a>(
        &'a self,
        address: &'a str,
        username: &'a str,
        known: bool,
    ) -> impl Iterator<Item = (&'a (Strikes, Rate), &'a str, &'static str)> {
        let by_address = (&self.sign_in_per_address, address, "from your address");
        let by_username = (
            &self.sign_in_per_username,
            username,
            "for that username from addresses it has not signed in from",
        );
        std::iter::once(by_address).chain((!known).then_some(by_username))
    }

    /// One more attempt by `learner` at `address` to join a course with a code.
    pub fn join(&self, address: IpAddr, learner: Uuid) -> Result<(), ApiError> {
        let attempts = |e: ApiError| ApiError {
            code: Code::TooManyAttempts,
            ..e
        };
        check(
            &self.join_per_address,
            &address.to_string(),
            "attempts to join from your address",
        )
        .map_err(attempts)?;
        check(
            &self.join_per_learner,
            &learner.to_string(),
            "attempts to join from you",
        )
        .map_err(attempts)
    }

    /// Forgets clients that have been quiet long enough to be back to a
    /// full allowance.
    pub fn forget_idle(&self) {
        for (limiter, _) in [
            &self.new_learners_per_address,
            &self.submissions_per_learner,
            &self.submissions_per_address,
            &self.runs_per_learner,
            &self.join_per_address,
            &self.join_per_learner,
        ] {
            limiter.forget_idle();
        }
        self.sign_in_per_username.0.forget_idle();
        self.sign_in_per_address.0.forget_idle();
    }

    /// The answer when as many practice runs wait as may.
    pub fn runs_full() -> ApiError {
        ApiError::new(
            Code::QueueFull,
            "so many test runs are waiting for a grader that no more are taken just now; \
             please try again shortly",
        )
        .retry_after(QUEUE_FULL_RETRY)
    }

    pub fn queue_full() -> ApiError {
        ApiError::new(
            Code::QueueFull,
            "so many submissions are waiting for a grader that no more are taken just now; \
             nothing was stored, please submit again shortly",
        )
        .retry_after(QUEUE_FULL_RETRY)
    }
}

fn too_many_failures(rate: Rate, what: &str, wait: Duration) -> ApiError {
    ApiError::new(
        Code::TooManyAttempts,
        format!(
            "too many failed sign-ins {what} (at most {rate}); try again in {} s",
            wait.as_secs() + 1
        ),
    )
    .retry_after(wait)
}

fn check((limiter, rate): &(Limiter, Rate), key: &str, what: &str) -> Result<(), ApiError> {
    limiter.check(key).map_err(|wait| {
        ApiError::new(
            Code::RateLimited,
            format!(
                "too many {what} (at most {rate}); try again in {} s",
                wait.as_secs() + 1
            ),
        )
        .retry_after(wait)
    })
}
