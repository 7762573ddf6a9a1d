//! A course's versions, published without a rebuild or a restart:
//!
//! - `POST /api/courses/{c}/versions` (instructors; `Content-Type:
//!   application/gzip`, a `.tar.gz` of the course folder, its contents at
//!   the root or in one top folder named for the course): read as the
//!   grader will read it (400 `invalid_archive` naming the entry, 422
//!   `invalid_course` naming the file and field), then stored to be checked
//!   by a grader; 202 `{version, status: "checking"}`.
//! - `GET /api/courses/{c}/versions` (staff): every version, newest first.
//! - `GET /api/courses/{c}/versions/{v}` (staff): `{version, status
//!   (checking | live | rejected), current, reasons, created_at,
//!   checked_at}`.
//! - `POST /api/courses/{c}/versions/{v}/live` (instructors): a version that
//!   passed its check served again (a roll-back); 409
//!   `version_not_checked` for one that did not.

use domain::codes::Code;
use domain::course::{CourseVersionEvent, VersionNews};
use domain::published::PublishedVersion;
use warp::http::{header, StatusCode};
use warp::reply::Response;
use warp::Filter;

use super::{json, respond, with_ctx};
use crate::body::{self, Body, Gzip};
use crate::caller::{self, Caller, CourseStaff, Instructor};
use crate::context::AppContext;
use crate::error::ApiError;

pub fn routes(
    ctx: AppContext,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let publish = warp::path!("api" / "courses" / String / "versions")
        .and(warp::post())
        .and(with_ctx(ctx.clone()))
        .and(caller::instructor(ctx.clone()))
        .and(body::gzip_up_to(
            ctx.admission.clone(),
            courseload::archive::MAX_ARCHIVE_BYTES,
        ))
        .then(
            |course: String, ctx: AppContext, caller: Caller<Instructor>, body| async move {
                respond(publish(&ctx, &course, caller, body).await)
            },
        );
    let list = warp::path!("api" / "courses" / String / "versions")
        .and(warp::get())
        .and(with_ctx(ctx.clone()))
        .and(caller::course_staff(ctx.clone()))
        .then(
            |_course: String, ctx: AppContext, caller: Caller<CourseStaff>| async move {
                respond(list(&ctx, caller).await)
            },
        );
    let one = warp::path!("api" / "courses" / String / "versions" / String)
        .and(warp::get())
        .and(with_ctx(ctx.clone()))
        .and(caller::course_staff(ctx.clone()))
        .then(
            |_course: String,
             version: String,
             ctx: AppContext,
             caller: Caller<CourseStaff>| async move {
                respond(one(&ctx, caller, &version).await)
            },
        );
    let live = warp::path!("api" / "courses" / String / "versions" / String / "live")
        .and(warp::post())
        .and(with_ctx(ctx.clone()))
        .and(caller::instructor(ctx))
        .then(
            |_course: String,
             version: String,
             ctx: AppContext,
             caller: Caller<Instructor>| async move {
                respond(make_live(&ctx, caller, &version).await)
            },
        );
    publish.or(list).unify().or(one).unify().or(live).unify()
}

async fn publish(
    ctx: &AppContext,
    slug: &str,
    caller: Caller<Instructor>,
    body: Body<Gzip>,
) -> Result<Response, ApiError> {
    let instructor = caller?;
    let archive = body.read_bytes().await?;
    crate::versions::read_archive(archive.clone(), slug).await?;
    let version = store::versions::publish(
        &ctx.pool,
        instructor.course_id,
        instructor.staff_id,
        &archive,
    )
    .await?
    .map_err(|store::versions::Refused::Busy| {
        ApiError::new(
            Code::RateLimited,
            format!(
                "{} versions of this course are being checked; publish again once one is done",
                store::versions::MAX_CHECKING
            ),
        )
    })?;
    tracing::info!(course = %slug, version, staff = %instructor.staff_id, bytes = archive.len(), "a course version was published");
    let mut response = json(
        StatusCode::ACCEPTED,
        &PublishedVersion {
            version,
            status: "checking".into(),
        },
    );
    if let Ok(location) = format!("/api/courses/{slug}/versions/{version}").parse() {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

async fn list(ctx: &AppContext, caller: Caller<CourseStaff>) -> Result<Response, ApiError> {
    let staff = caller?;
    let versions = store::versions::list(&ctx.pool, staff.course_id).await?;
    Ok(json(StatusCode::OK, &versions))
}

fn parse_version(raw: &str) -> Result<i32, ApiError> {
    raw.parse::<i32>()
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(|| ApiError::invalid_id("course version"))
}

async fn one(
    ctx: &AppContext,
    caller: Caller<CourseStaff>,
    version: &str,
) -> Result<Response, ApiError> {
    let staff = caller?;
    let version = parse_version(version)?;
    let state = store::versions::state(&ctx.pool, staff.course_id, version)
        .await?
        .ok_or_else(|| ApiError::not_found("course version"))?;
    Ok(json(StatusCode::OK, &state))
}

async fn make_live(
    ctx: &AppContext,
    caller: Caller<Instructor>,
    version: &str,
) -> Result<Response, ApiError> {
    let instructor = caller?;
    let version = parse_version(version)?;
    let not_checked = || {
        ApiError::new(
            Code::VersionNotChecked,
            format!("version {version} has not passed its check, so it cannot go live"),
        )
    };
    let mut source =
        match store::versions::checked_content(&ctx.pool, instructor.course_id, version).await? {
            None => return Err(ApiError::not_found("course version")),
            Some(Err(_)) => return Err(not_checked()),
            Some(Ok(source)) => source,
        };
    // Made anew: a runner upgraded since the check must not reuse verdicts.
    for a in &mut source.assignments {
        a.content_hash = courseload::assignments::content_hash(a);
    }
    if !store::versions::make_live(&ctx.pool, instructor.course_id, version, &source).await? {
        return Err(not_checked());
    }
    tracing::info!(course_id = instructor.course_id, version, staff = %instructor.staff_id, "a course version was made live again");
    // This replica serves it at once; the others within a round.
    crate::versions::follow_once(ctx).await?;
    let event = CourseVersionEvent {
        course_id: instructor.course_id,
        course_version: VersionNews {
            version,
            status: "live".into(),
            current: true,
            reasons: Vec::new(),
        },
    };
    if let Err(e) = ctx.events.publish_event(&event).await {
        tracing::warn!(error = %e, "could not announce the course version");
    }
    let state = store::versions::state(&ctx.pool, instructor.course_id, version)
        .await?
        .ok_or_else(|| ApiError::not_found("course version"))?;
    Ok(json(StatusCode::OK, &state))
}
