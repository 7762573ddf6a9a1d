//! `GET /api/courses` (the courses a visitor can join, from the catalog
//! read at start) and `POST /api/courses/{c}/join`.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use warp::http::StatusCode;
use warp::reply::Response;
use warp::Filter;

use super::{client, json, respond, with_ctx};
use crate::body::{self, Body};
use crate::caller::{self, Caller, Learner};
use crate::context::AppContext;
use crate::enrolment;
use crate::error::ApiError;

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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Join {
    code: Option<String>,
}

#[derive(Serialize)]
struct Joined<'a> {
    course: &'a str,
}

pub fn routes(
    ctx: AppContext,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let join = warp::path!("api" / "courses" / String / "join")
        .and(warp::post())
        .and(with_ctx(ctx.clone()))
        .and(client())
        .and(caller::learner(ctx.clone()))
        .and(body::json::<Join>(ctx.admission.clone()))
        .then(
            |slug: String, ctx: AppContext, client: IpAddr, caller: Caller<Learner>, body| async move {
                respond(join(&ctx, &slug, client, caller, body).await)
            },
        );
    let list = warp::path!("api" / "courses")
        .and(warp::get())
        .and(with_ctx(ctx.clone()))
        .map(|ctx: AppContext| {
            let default = ctx.catalog().default_course().id;
            let catalog = ctx.catalog();
            let listed: Vec<Listed> = catalog
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
        });
    join.or(list).unify()
}

async fn join(
    ctx: &AppContext,
    slug: &str,
    client: IpAddr,
    caller: Caller<Learner>,
    body: Body<Join>,
) -> Result<Response, ApiError> {
    let learner = caller?.id;
    let catalog = ctx.catalog();
    let course = catalog
        .by_slug(slug)
        .ok_or_else(|| ApiError::not_found("course"))?;
    let code = body.read().await?.code;
    enrolment::join(ctx, course, learner, client, code.as_deref()).await?;
    Ok(json(
        StatusCode::OK,
        &Joined {
            course: &course.slug,
        },
    ))
}
