//! Grader tests against real Docker, Postgres and Redis.

mod attacks;
mod course;
mod fidelity;
mod helpers;
mod hostile;
mod limits;
mod notebooks;
mod pipeline;
mod pool;
mod practice_runs;
mod process;
mod trust;
