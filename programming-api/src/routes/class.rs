//! `GET /api/courses/{c}/class[?assignment=&learner=&before=]`: the live
//! class view's snapshot, for the course's own staff: each assignment's
//! figures, who is stuck, and the latest submissions (one assignment's or
//! one learner's, a page at a time). The staff page re-reads it when the
//! gateway's course topic says something changed.

use serde::Serialize;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::Filter;

use super::{json, respond, with_ctx};
use crate::caller::{self, Caller, CourseStaff};
use crate::class::{self, Arrival, Listing, Stuck};
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
        .and(warp::query::<Listing>())
        .then(
            |course: String, ctx: AppContext, caller: Caller<CourseStaff>, listing| async move {
                respond(snapshot(&ctx, caller, &course, listing).await)
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
    /// Where the next page starts (`?before=`), when there may be one.
    next_before: Option<uuid::Uuid>,
}

async fn snapshot(
    ctx: &AppContext,
    caller: Caller<CourseStaff>,
    slug: &str,
    listing: Listing,
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
            Ok((stuck, class::recent(&rest, course.id, &listing).await?))
        })?;
    let full = recent.len() as i64 == class::RECENT;
    let next_before = recent.last().filter(|_| full).map(|a| a.id);
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
            next_before,
        },
    ))
}
