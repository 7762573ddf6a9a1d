//! `GET /api/courses/{c}/gradebook` (JSON) and `.../gradebook.csv` (RFC 4180,
//! streamed learner by learner), for the course's own staff only.

use futures::TryStreamExt;
use serde::Serialize;
use warp::http::{header, HeaderValue, StatusCode};
use warp::reply::Response;
use warp::{Filter, Reply};

use super::{json, respond, with_ctx};
use crate::caller::{self, Caller, CourseStaff};
use crate::context::AppContext;
use crate::error::ApiError;
use crate::gradebook::{self, Column, LearnerRow};

pub fn routes(
    ctx: AppContext,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let json_book = warp::path!("api" / "courses" / String / "gradebook")
        .and(warp::get())
        .and(with_ctx(ctx.clone()))
        .and(caller::course_staff(ctx.clone()))
        .then(
            |_course: String, ctx: AppContext, caller: Caller<CourseStaff>| async move {
                respond(book(&ctx, caller).await)
            },
        );
    let csv_book = warp::path!("api" / "courses" / String / "gradebook.csv")
        .and(warp::get())
        .and(with_ctx(ctx.clone()))
        .and(caller::course_staff(ctx.clone()))
        .then(
            |course: String, ctx: AppContext, caller: Caller<CourseStaff>| async move {
                respond(csv(&ctx, caller, &course).await)
            },
        );
    json_book.or(csv_book).unify()
}

#[derive(Serialize)]
struct Book {
    assignments: Vec<Column>,
    learners: Vec<LearnerRow>,
}

async fn book(ctx: &AppContext, caller: Caller<CourseStaff>) -> Result<Response, ApiError> {
    let claims = caller?;
    // The figures and the cells at once, on two connections: each is a
    // sizeable query at a thousand learners.
    let (figures, cells, _permit) = gradebook::two_connections(&ctx.pool).await?;
    let (assignments, learners) =
        tokio::try_join!(gradebook::columns(&figures, claims.course_id), async {
            gradebook::learners(&cells, claims.course_id)
                .await?
                .try_collect::<Vec<_>>()
                .await
        })?;
    Ok(json(
        StatusCode::OK,
        &Book {
            assignments,
            learners,
        },
    ))
}

async fn csv(
    ctx: &AppContext,
    caller: Caller<CourseStaff>,
    course: &str,
) -> Result<Response, ApiError> {
    let claims = caller?;
    // Whatever fails before the first byte is still a JSON error.
    let client = ctx.pool.get().await?;
    let slugs = gradebook::slugs(&client, claims.course_id).await?;
    let chunks = gradebook::csv_chunks(client, claims.course_id, slugs);
    let mut response = warp::reply::stream(chunks).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) =
        HeaderValue::from_str(&format!("attachment; filename=\"{course}-gradebook.csv\""))
    {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
