//! Integration tests of programming-api against real Postgres and Redis.
//! Each test spawns the app on port 0 with its own database and Redis prefix.

mod accounts;
mod assignments;
mod bad_input;
mod balancer;
mod class;
mod course;
mod deadlines;
mod drain;
mod enrolment;
mod gradebook;
mod hardening;
mod helpers;
mod integrations;
mod limits;
mod lti;
mod lti_passback;
mod migration;
mod notebooks;
mod outages;
mod overrides;
mod pages;
mod queue_lag;
mod reconciler;
mod regrades;
mod release;
mod review;
mod runs;
mod staff;
mod submissions;
mod users;
mod versions;
