//! Regrades, for a course's staff:
//!
//! - `POST /api/courses/{c}/assignments/{slug}/regrade` `{scope: "latest" |
//!   "all", points: "keep_earned" | "recompute"}` (instructors): the
//!   assignment's submissions judged again in place against the version
//!   served now, in the regrade stream below learners' work; 202 `{regrade,
//!   total}`.
//! - `GET /api/courses/{c}/assignments/{slug}/regrades/{id}` (staff): how
//!   far it has come, `{id, assignment_id, scope, points, course_version,
//!   created_at, total, done, changed, points_changed}`.

use domain::codes::Code;
use serde::{Deserialize, Serialize};
use store::work::regrades::{Points, Scope};
use uuid::Uuid;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::Filter;

use super::{json, respond, with_ctx};
use crate::body::{self, Body};
use crate::caller::{self, Caller, CourseStaff, Instructor};
use crate::context::AppContext;
use crate::error::ApiError;

pub fn routes(
    ctx: AppContext,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let start =
        warp::path!("api" / "courses" / String / "assignments" / String / "regrade")
            .and(warp::post())
            .and(with_ctx(ctx.clone()))
            .and(caller::instructor(ctx.clone()))
            .and(body::json::<Asked>(ctx.admission.clone()))
            .then(
                |_course: String,
                 slug: String,
                 ctx: AppContext,
                 caller: Caller<Instructor>,
                 body| async move { respond(start(&ctx, caller, &slug, body).await) },
            );
    let progress =
        warp::path!("api" / "courses" / String / "assignments" / String / "regrades" / String)
            .and(warp::get())
            .and(with_ctx(ctx.clone()))
            .and(caller::course_staff(ctx))
            .then(
                |_course: String,
                 _slug: String,
                 id: String,
                 ctx: AppContext,
                 caller: Caller<CourseStaff>| async move {
                    respond(progress(&ctx, caller, &id).await)
                },
            );
    start.or(progress).unify()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Asked {
    scope: String,
    points: String,
}

#[derive(Serialize)]
struct Started {
    regrade: Uuid,
    /// Submissions queued to be judged again.
    total: usize,
}

async fn start(
    ctx: &AppContext,
    caller: Caller<Instructor>,
    slug: &str,
    body: Body<Asked>,
) -> Result<Response, ApiError> {
    let instructor = caller?;
    let asked = body.read().await?;
    let (Some(scope), Some(points)) = (Scope::parse(&asked.scope), Points::parse(&asked.points))
    else {
        return Err(ApiError::new(
            Code::InvalidBody,
            "scope is \"latest\" or \"all\", and points \"keep_earned\" or \"recompute\"",
        ));
    };
    let client = ctx.pool.get().await?;
    let assignment: i32 = client
        .query_opt(
            "SELECT id FROM assignments WHERE course_id = $1 AND slug = $2 AND position IS NOT NULL",
            &[&instructor.course_id, &slug],
        )
        .await?
        .ok_or_else(|| ApiError::not_found("assignment"))?
        .get("id");
    let (regrade, total) = ctx
        .work
        .regrade(assignment, scope, points, instructor.staff_id)
        .await?;
    tracing::info!(%regrade, assignment, total, staff = %instructor.staff_id, "a regrade was started");
    Ok(json(StatusCode::ACCEPTED, &Started { regrade, total }))
}

async fn progress(
    ctx: &AppContext,
    caller: Caller<CourseStaff>,
    id: &str,
) -> Result<Response, ApiError> {
    let staff = caller?;
    let id = Uuid::parse_str(id).map_err(|_| ApiError::invalid_id("regrade"))?;
    let progress = ctx
        .work
        .regrade_progress(staff.course_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("regrade"))?;
    Ok(json(StatusCode::OK, &progress))
}
