//! What the codeplatform services share.
//!
//! - [`domain`]: submissions, statuses, verdicts and feedback as the API shows them.
//! - [`client`]: a client's address, through trusted proxies only.
//! - [`codes`]: every error code a client can get, with its HTTP status.
//! - [`token`]: the signed bearer token that names a learner.
//! - [`names`]: every Redis key, stream and channel name, under one prefix.
//! - [`jobs`]: the `grading:jobs` stream (enqueue, read, ack, claim).
//! - [`events`]: the `grading:events` channel (publish, subscribe).
//! - [`cache`]: the Redis query cache and its invalidation.
//! - [`course`]: a course's assignments as code (`NN-slug/` folders), and their upsert.
//! - [`courses`]: the courses as code under `courses/`, and their upsert.
//! - [`rate`]: the one rate limiter (per address, per learner).
//! - [`runners`]: each runner's description (image, files, language, how it lists tests).
//! - [`test_ids`]: which tests a Python assignment has, by a trusted run of the runner's loader.
//! - [`db`]: the Postgres pool, migrations and the submission row mapping.
//! - [`submissions`]: the submission state machine, the one writer of submissions and completions.
//! - [`config`]: environment parsing helpers, secrets from files.
//! - [`server`]: the accept-and-drain loop every listener uses, HTTP on it, the JSON error body, the security headers.
//! - [`parse_errors`]: our JSON answer in place of hyper's bare one to a request it cannot parse.
//! - [`admin`]: `/healthz`, `/readyz` and `/metrics`, answered the same way by every service.
//! - [`telemetry`]: tracing set-up.
//! - `testing` (feature `testing`): a fresh database and Redis prefix per test.

pub mod admin;
pub mod cache;
pub mod client;
pub mod codes;
pub mod config;
pub mod course;
pub mod courses;
pub mod db;
pub mod domain;
pub mod events;
pub mod jobs;
pub mod memory;
pub mod names;
pub mod notebook;
pub mod parse_errors;
pub mod rate;
pub mod runners;
pub mod runs;
pub mod server;
pub mod submissions;
pub mod telemetry;
pub mod test_ids;
#[cfg(feature = "testing")]
pub mod testing;
pub mod token;

mod error;

pub use error::Error;
