//! `POST /api/users` (a new anonymous learner) and `GET /api/me` (progress).

use chrono::{DateTime, Utc};
use domain::codes::Code;
use domain::published::{NewLearner, PointChange, Progress};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::Filter;

use std::net::IpAddr;

use super::{client, json, respond, with_ctx};
use crate::body::{self, Body};
use crate::caller::{self, Caller, Learner};
use crate::context::AppContext;
use crate::error::ApiError;

pub fn routes(
    ctx: AppContext,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let create =
        warp::path!("api" / "users")
            .and(warp::post())
            .and(with_ctx(ctx.clone()))
            .and(client())
            .then(|ctx: AppContext, client: IpAddr| async move {
                respond(create_user(&ctx, client).await)
            });
    let me = warp::path!("api" / "me")
        .and(warp::get())
        .and(with_ctx(ctx.clone()))
        .and(caller::learner(ctx.clone()))
        .then(|ctx: AppContext, caller: Caller<Learner>| async move {
            respond(progress(&ctx, caller).await)
        });
    let profile = warp::path!("api" / "me")
        .and(warp::patch())
        .and(with_ctx(ctx.clone()))
        .and(caller::learner(ctx.clone()))
        .and(body::json::<Profile>(ctx.admission.clone()))
        .then(
            |ctx: AppContext, caller: Caller<Learner>, body| async move {
                respond(set_profile(&ctx, caller, body).await)
            },
        );
    create.or(me).unify().or(profile).unify()
}

/// The longest display name and student number, in characters.
const DISPLAY_NAME_MAX: usize = 80;
const STUDENT_NUMBER_MAX: usize = 32;

/// What a learner may tell their courses' staff; anonymous by default.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    display_name: Option<String>,
    student_number: Option<String>,
}

/// A profile field as stored: None to clear it (an empty string), else the
/// trimmed text, at most `max` characters and no control characters.
fn profile_field(value: &str, what: &str, max: usize) -> Result<Option<String>, ApiError> {
    let value = value.trim();
    if value.chars().count() > max || value.chars().any(char::is_control) {
        return Err(ApiError::new(
            Code::InvalidProfile,
            format!("a {what} is at most {max} characters, without control characters"),
        ));
    }
    Ok((!value.is_empty()).then(|| value.to_owned()))
}

/// An LMS's name for a learner as a display name: control characters
/// dropped, at most 80 characters (what a learner may set themselves).
pub(crate) fn display_name_from_lms(name: &str) -> Option<String> {
    from_lms(name, "display name", DISPLAY_NAME_MAX)
}

/// An LMS's student number, as a learner's own would be kept; None for one
/// longer than a learner may set (cut, it would name someone else).
pub(crate) fn student_number_from_lms(number: &str) -> Option<String> {
    (number.trim().chars().count() <= STUDENT_NUMBER_MAX)
        .then(|| from_lms(number, "student number", STUDENT_NUMBER_MAX))
        .flatten()
}

fn from_lms(value: &str, what: &str, max: usize) -> Option<String> {
    let clean: String = value
        .chars()
        .filter(|c| !c.is_control())
        .take(max)
        .collect();
    profile_field(&clean, what, max).ok().flatten()
}

async fn set_profile(
    ctx: &AppContext,
    caller: Caller<Learner>,
    body: Body<Profile>,
) -> Result<Response, ApiError> {
    let user_id = caller?.id;
    let body = body.read().await?;
    let name = body
        .display_name
        .as_deref()
        .map(|v| profile_field(v, "display name", DISPLAY_NAME_MAX))
        .transpose()?;
    let number = body
        .student_number
        .as_deref()
        .map(|v| profile_field(v, "student number", STUDENT_NUMBER_MAX))
        .transpose()?;
    let client = ctx.pool.get().await?;
    // A field not sent keeps its value; one sent empty is cleared.
    let row = client
        .query_opt(
            "UPDATE users SET
                 display_name = CASE WHEN $2 THEN $3 ELSE display_name END,
                 student_number = CASE WHEN $4 THEN $5 ELSE student_number END
             WHERE id = $1 RETURNING display_name, student_number",
            &[
                &user_id,
                &name.is_some(),
                &name.flatten(),
                &number.is_some(),
                &number.flatten(),
            ],
        )
        .await?
        .ok_or_else(ApiError::unknown_user)?;
    Ok(json(
        StatusCode::OK,
        &Profile {
            display_name: row.get("display_name"),
            student_number: row.get("student_number"),
        },
    ))
}

async fn create_user(ctx: &AppContext, client: IpAddr) -> Result<Response, ApiError> {
    ctx.admission.new_learner(client)?;
    let user_id = Uuid::new_v4();
    let client = ctx.pool.get().await?;
    let insert = client
        .prepare_cached("INSERT INTO users (id) VALUES ($1)")
        .await?;
    client.execute(&insert, &[&user_id]).await?;
    let token = ctx.signer.sign(user_id);
    Ok(json(StatusCode::CREATED, &NewLearner { user_id, token }))
}

async fn progress(ctx: &AppContext, caller: Caller<Learner>) -> Result<Response, ApiError> {
    let user_id = caller?.id;
    let client = ctx.pool.get().await?;
    // A genuine token for a learner this database no longer has (it was
    // reset): 401, so the page makes a new learner instead of showing nothing.
    let Some(profile) = client
        .query_opt(
            "SELECT display_name, student_number, username,
                    EXISTS (SELECT 1 FROM external_learners x WHERE x.user_id = u.id) AS external
             FROM users u WHERE id = $1",
            &[&user_id],
        )
        .await?
    else {
        return Err(ApiError::unknown_user());
    };
    let now = ctx.clock.now();
    // Completions of hidden assignments still count: points once earned stay.
    // Each is worth what its pass earned (100, or less under a late penalty).
    // Those whose results are held until the due date are not told yet.
    let rows = client
        .query(
            "SELECT assignment_id, points, completion_passed(c) AS passed
             FROM completions c
             WHERE user_id = $1 AND held_until(user_id, assignment_id, $2) IS NULL
             ORDER BY assignment_id",
            &[&user_id, &now],
        )
        .await?;
    // Points set by hand count; they mark no assignment passed.
    let completed: Vec<i32> = rows
        .iter()
        .filter(|r| r.get::<_, bool>("passed"))
        .map(|r| r.get("assignment_id"))
        .collect();
    let attempts = client
        .query(
            "SELECT assignment_id, used FROM attempts WHERE user_id = $1",
            &[&user_id],
        )
        .await?
        .iter()
        .map(|r| (r.get("assignment_id"), r.get("used")))
        .collect();
    let extensions = client
        .query(
            "SELECT assignment_id, due_at FROM extensions WHERE user_id = $1",
            &[&user_id],
        )
        .await?
        .iter()
        .map(|r| (r.get("assignment_id"), r.get("due_at")))
        .collect();
    let points: i64 = rows
        .iter()
        .map(|r| i64::from(r.get::<_, i32>("points")))
        .sum();
    let next = next_assignment(&client, user_id, ctx.catalog().default_course().id, now).await?;
    Ok(json(
        StatusCode::OK,
        &Progress {
            user_id,
            username: profile.get("username"),
            external: profile.get("external"),
            display_name: profile.get("display_name"),
            student_number: profile.get("student_number"),
            points,
            completed,
            next_assignment_id: next,
            attempts,
            extensions,
            point_changes: point_changes(&client, user_id, now).await?,
        },
    ))
}

/// The first assignment of `course_id` the learner has not passed (or
/// may not know yet they passed).
async fn next_assignment(
    client: &deadpool_postgres::Object,
    user_id: uuid::Uuid,
    course_id: i32,
    now: DateTime<Utc>,
) -> Result<Option<i32>, ApiError> {
    Ok(client
        .query_opt(
            "SELECT a.id FROM assignments a
             WHERE a.course_id = $2 AND a.position IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM completions c
                               WHERE c.user_id = $1 AND c.assignment_id = a.id
                                 AND completion_passed(c)
                                 AND held_until(c.user_id, c.assignment_id, $3) IS NULL)
             ORDER BY a.position LIMIT 1",
            &[&user_id, &course_id, &now],
        )
        .await?
        .map(|r| r.get("id")))
}

/// How many of a learner's latest point changes their progress shows.
const POINT_CHANGES_SHOWN: i64 = 20;

async fn point_changes(
    client: &deadpool_postgres::Object,
    user_id: uuid::Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<PointChange>, ApiError> {
    Ok(client
        .query(
            "SELECT assignment_id, old_points, new_points, reason, created_at FROM point_changes
             WHERE user_id = $1 AND held_until(user_id, assignment_id, $3) IS NULL
             ORDER BY created_at DESC, id DESC LIMIT $2",
            &[&user_id, &POINT_CHANGES_SHOWN, &now],
        )
        .await?
        .iter()
        .map(|r| PointChange {
            assignment_id: r.get("assignment_id"),
            old_points: r.get("old_points"),
            new_points: r.get("new_points"),
            reason: r.get("reason"),
            at: r.get("created_at"),
        })
        .collect())
}
