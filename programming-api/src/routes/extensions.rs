//! Instructors' extensions: one learner's own due date for one assignment,
//! which the submit statement (`store::submissions`) goes by instead of the
//! assignment's, for refusing and for marking late.
//!
//! - `GET /api/courses/{c}/extensions`: the course's extensions (its staff).
//! - `PUT /api/courses/{c}/extensions/{user_id}/{assignment_id}` `{"due_at"}`:
//!   gives or moves one (instructors only; a tutor gets 403 `instructor_only`).
//! - `DELETE` the same: takes it back (204), 404 when there is none.

use chrono::{DateTime, Datelike, Utc};
use domain::codes::Code;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::{Filter, Reply};

use super::{json, respond, with_ctx, LearnerAssignment};
use crate::body::{self, Body};
use crate::caller::{self, Caller, CourseStaff, Instructor};
use crate::context::AppContext;
use crate::error::ApiError;

pub fn routes(
    ctx: AppContext,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let list = warp::path!("api" / "courses" / String / "extensions")
        .and(warp::get())
        .and(with_ctx(ctx.clone()))
        .and(caller::course_staff(ctx.clone()))
        .then(
            |_course: String, ctx: AppContext, caller: Caller<CourseStaff>| async move {
                respond(list(&ctx, caller).await)
            },
        );
    let one = || warp::path!("api" / "courses" / String / "extensions" / String / String);
    let grant = one()
        .and(warp::put())
        .and(with_ctx(ctx.clone()))
        .and(caller::instructor(ctx.clone()))
        .and(body::json::<Grant>(ctx.admission.clone()))
        .then(
            |_course: String,
             user: String,
             assignment: String,
             ctx: AppContext,
             caller: Caller<Instructor>,
             body| async move {
                let target = LearnerAssignment::parse(&user, &assignment);
                respond(grant(&ctx, caller, target, body).await)
            },
        );
    let revoke = one()
        .and(warp::delete())
        .and(with_ctx(ctx.clone()))
        .and(caller::instructor(ctx.clone()))
        .then(
            |_course: String,
             user: String,
             assignment: String,
             ctx: AppContext,
             caller: Caller<Instructor>| async move {
                let target = LearnerAssignment::parse(&user, &assignment);
                respond(revoke(&ctx, caller, target).await)
            },
        );
    list.or(grant).unify().or(revoke).unify()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    due_at: DateTime<Utc>,
}

#[derive(Serialize)]
struct Extension {
    user_id: Uuid,
    display_name: Option<String>,
    assignment_id: i32,
    due_at: DateTime<Utc>,
    granted_at: DateTime<Utc>,
}

async fn list(ctx: &AppContext, caller: Caller<CourseStaff>) -> Result<Response, ApiError> {
    let claims = caller?;
    let client = ctx.pool.get().await?;
    let rows = client
        .query(
            "SELECT x.user_id, u.display_name, x.assignment_id, x.due_at, x.granted_at
             FROM extensions x
             JOIN assignments a ON a.id = x.assignment_id
             JOIN users u ON u.id = x.user_id
             WHERE a.course_id = $1
             ORDER BY x.granted_at",
            &[&claims.course_id],
        )
        .await?;
    let list: Vec<Extension> = rows
        .iter()
        .map(|r| Extension {
            user_id: r.get("user_id"),
            display_name: r.get("display_name"),
            assignment_id: r.get("assignment_id"),
            due_at: r.get("due_at"),
            granted_at: r.get("granted_at"),
        })
        .collect();
    Ok(json(StatusCode::OK, &list))
}

async fn grant(
    ctx: &AppContext,
    caller: Caller<Instructor>,
    target: LearnerAssignment,
    body: Body<Grant>,
) -> Result<Response, ApiError> {
    let claims = caller?;
    let (user_id, assignment_id) = target.resolve(ctx, claims.course_id)?;
    let due_at = body.read().await?.due_at;
    let client = ctx.pool.get().await?;
    let due: Option<DateTime<Utc>> = client
        .query_opt(
            "SELECT due_at FROM assignments WHERE id = $1",
            &[&assignment_id],
        )
        .await?
        .ok_or_else(|| ApiError::not_found("assignment"))?
        .get("due_at");
    check_extension(due, due_at)?;
    // Only for a member of the course, and only by an account that still
    // exists (its token may outlive it).
    let row = client
        .query_opt(
            "INSERT INTO extensions (user_id, assignment_id, due_at, granted_by)
             SELECT $1, $2, $3, $4
             WHERE EXISTS (SELECT 1 FROM enrolments WHERE user_id = $1 AND course_id = $5)
               AND EXISTS (SELECT 1 FROM staff WHERE id = $4)
             ON CONFLICT (user_id, assignment_id) DO UPDATE
                 SET due_at = EXCLUDED.due_at, granted_by = EXCLUDED.granted_by,
                     granted_at = now()
             RETURNING granted_at,
                 (SELECT display_name FROM users WHERE id = $1) AS display_name",
            &[
                &user_id,
                &assignment_id,
                &due_at,
                &claims.staff_id,
                &claims.course_id,
            ],
        )
        .await?
        .ok_or_else(|| ApiError::not_found("learner in this course"))?;
    release_moved(&client, user_id, assignment_id).await?;
    tracing::info!(staff = %claims.staff_id, %user_id, assignment_id, %due_at, "extension granted");
    Ok(json(
        StatusCode::OK,
        &Extension {
            user_id,
            display_name: row.get("display_name"),
            assignment_id,
            due_at,
            granted_at: row.get("granted_at"),
        },
    ))
}

/// The learner's due date moved: a score held for the LMS until it waits
/// for the new one (or goes now).
async fn release_moved(
    client: &deadpool_postgres::Object,
    user_id: uuid::Uuid,
    assignment_id: i32,
) -> Result<(), ApiError> {
    client
        .execute(
            "SELECT lti_release_moved($1, $2)",
            &[&user_id, &assignment_id],
        )
        .await?;
    Ok(())
}

/// An extension moves a due date later, within years Postgres and people
/// use; an assignment without one has nothing to extend.
fn check_extension(due: Option<DateTime<Utc>>, to: DateTime<Utc>) -> Result<(), ApiError> {
    let invalid = |why: String| Err(ApiError::new(Code::InvalidBody, why));
    let Some(due) = due else {
        return invalid("this assignment has no due date to extend".into());
    };
    if !(2000..=9999).contains(&to.year()) {
        return invalid("due_at must fall between the years 2000 and 9999".into());
    }
    if to <= due {
        return invalid(format!(
            "an extension moves the due date later: this assignment is due at {}",
            due.to_rfc3339()
        ));
    }
    Ok(())
}

async fn revoke(
    ctx: &AppContext,
    caller: Caller<Instructor>,
    target: LearnerAssignment,
) -> Result<Response, ApiError> {
    let claims = caller?;
    let (user_id, assignment_id) = target.resolve(ctx, claims.course_id)?;
    let client = ctx.pool.get().await?;
    let deleted = client
        .execute(
            "DELETE FROM extensions WHERE user_id = $1 AND assignment_id = $2",
            &[&user_id, &assignment_id],
        )
        .await?;
    if deleted == 0 {
        return Err(ApiError::not_found("extension"));
    }
    release_moved(&client, user_id, assignment_id).await?;
    tracing::info!(staff = %claims.staff_id, %user_id, assignment_id, "extension revoked");
    Ok(StatusCode::NO_CONTENT.into_response())
}
