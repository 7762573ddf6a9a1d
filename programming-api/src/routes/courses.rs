//! `GET /api/courses`: the courses a visitor can join, from the catalog
//! read at start.

use serde::Serialize;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::Filter;

use super::{json, with_ctx};
use crate::context::AppContext;

#[derive(Serialize)]
struct Listed<'a> {
    slug: &'a str,
    title: &'a str,
    term: &'a str,
    /// `open`, or `code` when joining takes the course's join code.
    join: &'static str,
    /// The course `/` and the learner routes without a course mean.
    default: bool,
}

pub fn routes(
    ctx: AppContext,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    warp::path!("api" / "courses")
        .and(warp::get())
        .and(with_ctx(ctx))
        .map(|ctx: AppContext| {
            let default = ctx.catalog.default_course().id;
            let listed: Vec<Listed> = ctx
                .catalog
                .courses()
                .iter()
                .map(|c| Listed {
                    slug: &c.slug,
                    title: &c.title,
                    term: &c.term,
                    join: c.join.as_str(),
                    default: c.id == default,
                })
                .collect();
            json(StatusCode::OK, &listed)
        })
}
