//! An instructor's manual points, with a reason (`store::work::overrides`):
//!
//! - `GET /api/courses/{c}/overrides`: the course's overrides (its staff).
//! - `PUT /api/courses/{c}/overrides/{user_id}/{assignment_id}` `{points,
//!   reason}`: sets one (instructors; points 0 to 100, a reason of 1 to 500
//!   characters); the learner sees it with the reason.
//! - `DELETE` the same: removes it (204), restoring what the learner's work
//!   earned; 404 when there is none.

use domain::codes::Code;
use serde::Deserialize;
use warp::http::StatusCode;
use warp::reply::{Reply, Response};
use warp::Filter;

use super::{json, respond, with_ctx, LearnerAssignment};
use crate::body::{self, Body};
use crate::caller::{self, Caller, CourseStaff, Instructor};
use crate::context::AppContext;
use crate::error::ApiError;

/// The longest reason, in characters (the schema's check too).
const MAX_REASON: usize = 500;

pub fn routes(
    ctx: AppContext,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let list = warp::path!("api" / "courses" / String / "overrides")
        .and(warp::get())
        .and(with_ctx(ctx.clone()))
        .and(caller::course_staff(ctx.clone()))
        .then(
            |_course: String, ctx: AppContext, caller: Caller<CourseStaff>| async move {
                respond(list(&ctx, caller).await)
            },
        );
    let one = || warp::path!("api" / "courses" / String / "overrides" / String / String);
    let set = one()
        .and(warp::put())
        .and(with_ctx(ctx.clone()))
        .and(caller::instructor(ctx.clone()))
        .and(body::json::<Set>(ctx.admission.clone()))
        .then(
            |_course: String,
             user: String,
             assignment: String,
             ctx: AppContext,
             caller: Caller<Instructor>,
             body| async move {
                let target = LearnerAssignment::parse(&user, &assignment);
                respond(set(&ctx, caller, target, body).await)
            },
        );
    let remove = one()
        .and(warp::delete())
        .and(with_ctx(ctx.clone()))
        .and(caller::instructor(ctx))
        .then(
            |_course: String,
             user: String,
             assignment: String,
             ctx: AppContext,
             caller: Caller<Instructor>| async move {
                let target = LearnerAssignment::parse(&user, &assignment);
                respond(remove(&ctx, caller, target).await)
            },
        );
    list.or(set).unify().or(remove).unify()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Set {
    points: i32,
    reason: String,
}

async fn list(ctx: &AppContext, caller: Caller<CourseStaff>) -> Result<Response, ApiError> {
    let staff = caller?;
    Ok(json(
        StatusCode::OK,
        &ctx.work.overrides(staff.course_id).await?,
    ))
}

async fn set(
    ctx: &AppContext,
    caller: Caller<Instructor>,
    target: LearnerAssignment,
    body: Body<Set>,
) -> Result<Response, ApiError> {
    let instructor = caller?;
    let (user_id, assignment_id) = target.resolve(ctx, instructor.course_id)?;
    let Set { points, reason } = body.read().await?;
    let reason = reason.trim();
    if !(0..=100).contains(&points) {
        return Err(ApiError::new(Code::InvalidBody, "points are 0 to 100"));
    }
    if reason.is_empty() || reason.chars().count() > MAX_REASON || reason.contains('\0') {
        return Err(ApiError::new(
            Code::InvalidBody,
            format!("give the reason the learner will read: 1 to {MAX_REASON} characters"),
        ));
    }
    let set = ctx
        .work
        .set_override(
            instructor.course_id,
            user_id,
            assignment_id,
            points,
            reason,
            instructor.staff_id,
        )
        .await?
        .ok_or_else(|| ApiError::not_found("learner in this course"))?;
    tracing::info!(staff = %instructor.staff_id, %user_id, assignment_id, points, "points overridden");
    Ok(json(StatusCode::OK, &set))
}

async fn remove(
    ctx: &AppContext,
    caller: Caller<Instructor>,
    target: LearnerAssignment,
) -> Result<Response, ApiError> {
    let instructor = caller?;
    let (user_id, assignment_id) = target.resolve(ctx, instructor.course_id)?;
    if !ctx
        .work
        .remove_override(user_id, assignment_id, instructor.staff_id)
        .await?
    {
        return Err(ApiError::not_found("override"));
    }
    tracing::info!(staff = %instructor.staff_id, %user_id, assignment_id, "override removed");
    Ok(StatusCode::NO_CONTENT.into_response())
}
