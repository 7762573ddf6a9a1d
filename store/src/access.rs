//! Who may work on an assignment, and when: the one statement of each rule,
//! used by both kinds of graded work's creation (`work::submissions`,
//! `work::practice_runs`) and by the API's reads (`is_member`).
//!
//! - A course's members: anyone, for an open course; for a join-code
//!   course, the learners who joined it ([`open_to_all`] is the same rule
//!   for a reader without a token).
//! - An assignment is open from its `opens_at` on.
//! - An assignment's due date for a learner is the later of its own and an
//!   instructor's extension for them (an extension only ever moves it later).
//!
//! Each is a piece of SQL over `assignments a JOIN courses c`, written once
//! here as a macro so that the statements that use it stay constants.

use deadpool_postgres::Pool;
use domain::course::Join;
use uuid::Uuid;

use crate::Error;

/// SQL: whether the learner `$user` is a member of assignment `a`'s course
/// `c`.
macro_rules! member {
    ($user:literal) => {
        concat!(
            "(c.join_policy = 'open' OR EXISTS (SELECT 1 FROM enrolments e WHERE e.user_id = ",
            $user,
            " AND e.course_id = a.course_id))"
        )
    };
}

/// SQL: whether assignment `a` is not open yet at `$now`.
macro_rules! not_open {
    ($now:literal) => {
        concat!("(a.opens_at IS NOT NULL AND ", $now, " < a.opens_at)")
    };
}

/// SQL: assignment `a`'s due date for the learner whose extension row is
/// `x` (null: none).
macro_rules! due_date {
    () => {
        "CASE WHEN a.due_at IS NOT NULL THEN greatest(x.due_at, a.due_at) END"
    };
}

pub(crate) use {due_date, member, not_open};

/// The rule [`member!`] states, for a course read without a token: only an
/// open course takes anyone.
pub fn open_to_all(join: Join) -> bool {
    join == Join::Open
}

/// Whether `learner` is a member of the course `course_id`.
pub async fn is_member(pool: &Pool, learner: Uuid, course_id: i32) -> Result<bool, Error> {
    const MEMBER: &str = concat!(
        "SELECT ",
        member!("$1"),
        " AS member FROM courses c, (SELECT $2::int AS course_id) a WHERE c.id = a.course_id"
    );
    let client = pool.get().await?;
    let statement = client.prepare_cached(MEMBER).await?;
    Ok(client
        .query_opt(&statement, &[&learner, &course_id])
        .await?
        .map(|r| r.get::<_, bool>("member"))
        .unwrap_or(false))
}
