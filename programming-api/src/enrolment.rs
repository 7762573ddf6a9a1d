//! Who is in a course. An open course takes anyone: a learner is enrolled by
//! their first submission there. A join-code course shows its assignments
//! and takes submissions only from learners who joined it with its code
//! (and shows them to its own staff).

use std::net::IpAddr;

use courseload::courses::join_code_matches;
use domain::codes::Code;
use uuid::Uuid;

use crate::caller::Reader;
use crate::catalog::Course;
use crate::context::AppContext;
use crate::error::ApiError;

fn not_enrolled(course: &Course) -> ApiError {
    ApiError::new(
        Code::NotEnrolled,
        format!(
            "join the course {:?} with its join code first",
            course.title
        ),
    )
}

/// May `reader` see `course`'s assignments? Anyone, for an open course; else
/// its members (`store::access`, the rule submitting and running are held to
/// as well) and its staff.
pub async fn may_read(ctx: &AppContext, course: &Course, reader: &Reader) -> Result<(), ApiError> {
    if store::access::open_to_all(course.join) || reader.is_staff_of(ctx, course) {
        return Ok(());
    }
    let learner = reader.learner(ctx)?.id;
    if store::access::is_member(&ctx.pool, learner, course.id).await? {
        Ok(())
    } else {
        Err(not_enrolled(course))
    }
}

/// Enrols `learner` in `course`: at once for an open course, with the right
/// code for a join-code course (attempts limited per address and learner).
pub async fn join(
    ctx: &AppContext,
    course: &Course,
    learner: Uuid,
    client: IpAddr,
    code: Option<&str>,
) -> Result<(), ApiError> {
    if let Some(stored) = &course.join_code_hash {
        ctx.admission.join(client, learner)?;
        if !code.is_some_and(|code| join_code_matches(stored, code)) {
            return Err(ApiError::new(
                Code::WrongJoinCode,
                "that is not this course's join code",
            ));
        }
    }
    let client = ctx.pool.get().await?;
    client
        .execute(
            "INSERT INTO enrolments (user_id, course_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[&learner, &course.id],
        )
        .await
        .map_err(|e| {
            if e.code() == Some(&tokio_postgres::error::SqlState::FOREIGN_KEY_VIOLATION) {
                ApiError::unknown_user()
            } else {
                e.into()
            }
        })?;
    Ok(())
}
