//! `GET /api/courses/{c}/class`: the live class view's snapshot, for the
//! course's own staff: each assignment's figures, who is stuck, and the
//! latest submissions. The staff page re-reads it when the gateway's course
//! topic says something changed.

use serde::Serialize;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::Filter;

use super::{json, respond, with_ctx};
use crate::caller::{self, Caller, CourseStaff};
use crate::class::{self, Arrival, Stuck};
use crate::context::AppContext;
use crate::error::ApiError;
use crate::gradebook::{self, Column};

pub fn routes(
    ctx: AppContext,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    warp::path!("api" / "courses" / String / "class")
        .and(warp::get())
        .and(with_ctx(ctx.clone()))
        .and(caller::course_staff(ctx.clone()))
        .then(
            |course: String, ctx: AppContext, caller: Caller<CourseStaff>| async move {
                respond(snapshot(&ctx, caller, &course).await)
            },
        )
}

#[derive(Serialize)]
struct CourseRef<'a> {
    /// What the gateway's `?course=` takes.
    id: i32,
    slug: &'a str,
    title: &'a str,
}

#[derive(Serialize)]
struct Snapshot<'a> {
    course: CourseRef<'a>,
    stuck_after: i32,
    assignments: Vec<Column>,
    stuck: Vec<Stuck>,
    recent: Vec<Arrival>,
}

async fn snapshot(
    ctx: &AppContext,
    caller: Caller<CourseStaff>,
    slug: &str,
) -> Result<Response, ApiError> {
    caller?;
    let catalog = ctx.catalog();
    let course = catalog
        .by_slug(slug)
        .ok_or_else(|| ApiError::not_found("course"))?;
    // The figures beside the rest, on two connections.
    let (figures, rest, _permit) = gradebook::two_connections(&ctx.pool).await?;
    let (assignments, (stuck, recent)) =
        tokio::try_join!(gradebook::columns(&figures, course.id), async {
            let stuck = class::stuck(&rest, course.id, course.stuck_after).await?;
            Ok((stuck, class::recent(&rest, course.id).await?))
        })?;
    Ok(json(
        StatusCode::OK,
        &Snapshot {
            course: CourseRef {
                id: course.id,
                slug: &course.slug,
                title: &course.title,
            },
            stuck_after: course.stuck_after,
            assignments,
            stuck,
            recent,
        },
    ))
}
