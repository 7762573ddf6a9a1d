//! Grader tests against real Docker, Postgres and Redis.

mod course;
mod helpers;
mod hostile;
mod limits;
mod pipeline;
mod process;
