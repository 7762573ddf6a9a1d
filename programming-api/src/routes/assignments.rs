//! A course's assignments, public and cached in Redis: `GET
//! /api/courses/{c}/assignments` (and `GET /api/assignments`, the default
//! course's) and `GET /api/assignments/{id}`. The cache is dropped when the
//! courses are upserted at start.

use domain::published::{Assignment, AssignmentSummary};
use warp::http::StatusCode;
use warp::reply::Response;
use warp::Filter;

use super::{parse_assignment_id, raw_json, respond, with_ctx};
use crate::caller::{self, Reader};
use crate::catalog::Course;
use crate::context::AppContext;
use crate::enrolment;
use crate::error::ApiError;
use crate::markdown::render_handout;

pub fn routes(
    ctx: AppContext,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let default_list = warp::path!("api" / "assignments")
        .and(warp::get())
        .and(with_ctx(ctx.clone()))
        .and(caller::reader())
        .then(|ctx: AppContext, reader: Reader| async move {
            let course = ctx.catalog().default_course().clone();
            respond(course_list(&ctx, &course, &reader).await)
        });
    let course_list = warp::path!("api" / "courses" / String / "assignments")
        .and(warp::get())
        .and(with_ctx(ctx.clone()))
        .and(caller::reader())
        .then(|slug: String, ctx: AppContext, reader: Reader| async move {
            respond(match ctx.catalog().by_slug(&slug).cloned() {
                Some(course) => course_list(&ctx, &course, &reader).await,
                None => Err(ApiError::not_found("course")),
            })
        });
    let one = warp::path!("api" / "assignments" / String)
        .and(warp::get())
        .and(with_ctx(ctx.clone()))
        .and(caller::reader())
        .then(|id: String, ctx: AppContext, reader: Reader| async move {
            respond(one(&ctx, &id, &reader).await)
        });
    default_list.or(course_list).unify().or(one).unify()
}

/// A course's list, for those who may read it.
async fn course_list(
    ctx: &AppContext,
    course: &Course,
    reader: &Reader,
) -> Result<Response, ApiError> {
    enrolment::may_read(ctx, course, reader).await?;
    list(ctx, course.id).await
}

async fn list(ctx: &AppContext, course_id: i32) -> Result<Response, ApiError> {
    let key = ctx.names.course_cache(course_id);
    if let Some(body) = ctx.cache.get(&key).await {
        ctx.metrics.cache_hit(true);
        return Ok(raw_json(StatusCode::OK, body));
    }
    ctx.metrics.cache_hit(false);
    let client = ctx.pool.get().await?;
    let course: Vec<AssignmentSummary> = client
        .query(
            "SELECT id, slug, position, title, kind FROM assignments
             WHERE course_id = $1 AND position IS NOT NULL ORDER BY position",
            &[&course_id],
        )
        .await?
        .iter()
        .map(|row| AssignmentSummary {
            id: row.get("id"),
            slug: row.get("slug"),
            position: row.get("position"),
            title: row.get("title"),
            kind: row.get("kind"),
        })
        .collect();
    let body = serde_json::to_string(&course).map_err(|_| ApiError::internal())?;
    ctx.cache.put(&key, &body).await;
    Ok(raw_json(StatusCode::OK, body))
}

async fn one(ctx: &AppContext, raw_id: &str, reader: &Reader) -> Result<Response, ApiError> {
    let id = parse_assignment_id(raw_id)?;
    // An assignment this replica's catalog does not know (its course came
    // after this start) is not served: the course's rules are not known.
    let catalog = ctx.catalog();
    let course = catalog
        .course_of(id)
        .ok_or_else(|| ApiError::not_found("assignment"))?;
    enrolment::may_read(ctx, course, reader).await?;
    let key = ctx.names.assignment_cache(id);
    if let Some(body) = ctx.cache.get(&key).await {
        ctx.metrics.cache_hit(true);
        return Ok(raw_json(StatusCode::OK, body));
    }
    ctx.metrics.cache_hit(false);
    let client = ctx.pool.get().await?;
    let row = client
        .query_opt(
            "SELECT id, slug, position, title, handout_md, starter_code, runner, opens_at,
                    due_at, late_policy::text AS late_policy, late_penalty_pct, max_submissions,
                    kind, release, before_release
             FROM assignments WHERE id = $1 AND position IS NOT NULL",
            &[&id],
        )
        .await?
        .ok_or_else(|| ApiError::not_found("assignment"))?;
    let runner_name: String = row.get("runner");
    let runner = domain::runners::by_name(&runner_name).ok_or_else(|| {
        tracing::error!(runner = %runner_name, "an assignment names a runner this API does not know");
        ApiError::internal()
    })?;
    let kind: String = row.get("kind");
    let slug: String = row.get("slug");
    let solution_file = if kind == domain::course::Kind::Notebook.as_str() {
        format!("{slug}.ipynb")
    } else {
        runner.solution_file.to_owned()
    };
    let detail = Assignment {
        id: row.get("id"),
        slug,
        kind,
        position: row.get("position"),
        title: row.get("title"),
        handout_html: render_handout(row.get("handout_md")),
        starter_code: row.get("starter_code"),
        solution_file,
        language: runner.language.to_owned(),
        opens_at: row.get("opens_at"),
        due_at: row.get("due_at"),
        late_policy: row.get("late_policy"),
        late_penalty_pct: row.get("late_penalty_pct"),
        max_submissions: row.get("max_submissions"),
        release: row.get("release"),
        before_release: row.get("before_release"),
    };
    let body = serde_json::to_string(&detail).map_err(|_| ApiError::internal())?;
    ctx.cache.put(&key, &body).await;
    Ok(raw_json(StatusCode::OK, body))
}
