//! codeplatform's domain, as every service, the terminal client and the page
//! see it. Pure data and the rules that are only data: no I/O.
//!
//! - [`work`]: graded work (submissions and practice runs), their statuses,
//!   feedback and events.
//! - [`verdict`]: the verdicts' one table: names, texts, the runners'
//!   outcomes each judges, and which wins.
//! - [`course`]: courses and their assignments: kind, schedule, late and
//!   join policies.
//! - [`published`]: what the API publishes of a course's assignments and
//!   of a learner's standing, written by the API and read by the client.
//! - [`codes`]: every error code a client can get, with its HTTP status.
//! - [`notebook`]: the one reading of a Jupyter notebook (nbformat 4).
//! - [`runners`]: the runner table: each runner's image, files and language.

pub mod codes;
pub mod course;
pub mod notebook;
pub mod published;
pub mod runners;
pub mod verdict;
pub mod work;
