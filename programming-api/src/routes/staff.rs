//! Staff sign-in and who they are: `POST /api/staff/sessions`,
//! `GET /api/staff/me`, and `GET /api/courses/{c}/staff` (the course's staff,
//! for its own staff only).

use std::net::IpAddr;

use common::codes::Code;
use common::token::StaffClaims;
use serde::{Deserialize, Serialize};
use warp::http::StatusCode;
use warp::reply::Response;
use warp::Filter;

use super::{authorization, client, json, respond, with_ctx};
use crate::body;
use crate::context::AppContext;
use crate::error::ApiError;
use crate::staff;

pub fn routes(
    ctx: AppContext,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let sign_in = warp::path!("api" / "staff" / "sessions")
        .and(warp::post())
        .and(with_ctx(ctx.clone()))
        .and(client())
        .and(body::json::<SignIn>())
        .then(|ctx: AppContext, client: IpAddr, body| async move {
            respond(sign_in(&ctx, client, body).await)
        });
    let me = warp::path!("api" / "staff" / "me")
        .and(warp::get())
        .and(with_ctx(ctx.clone()))
        .and(authorization())
        .then(|ctx: AppContext, auth: Option<String>| async move {
            respond(me(&ctx, auth.as_deref()).await)
        });
    let course_staff = warp::path!("api" / "courses" / String / "staff")
        .and(warp::get())
        .and(with_ctx(ctx))
        .and(authorization())
        .then(
            |course: String, ctx: AppContext, auth: Option<String>| async move {
                respond(course_staff(&ctx, auth.as_deref(), &course).await)
            },
        );
    sign_in.or(me).unify().or(course_staff).unify()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    username: String,
    password: String,
}

#[derive(Serialize)]
struct Session {
    token: String,
    role: &'static str,
    course: String,
    expires_at: chrono::DateTime<chrono::Utc>,
}

fn bad_credentials() -> ApiError {
    ApiError::new(Code::BadCredentials, "wrong username or password")
}

async fn sign_in(
    ctx: &AppContext,
    client: IpAddr,
    body: Result<SignIn, ApiError>,
) -> Result<Response, ApiError> {
    let SignIn { username, password } = body?;
    // Failures are what is limited: a username or address past its rate is
    // refused before anything is tried, so a right guess then is no use.
    ctx.limits.sign_in(client, &username)?;
    let account = if staff::valid_username(&username) && password.len() <= staff::MAX_PASSWORD_BYTES
    {
        let account = staff::find(&ctx.pool, &username).await?;
        let stored = account.as_ref().map(|a| a.password_hash.clone());
        let matches = staff::verify_password_bounded(stored, password).await?;
        account.filter(|_| matches)
    } else {
        None
    };
    let Some(account) = account else {
        ctx.limits.sign_in_failed(client, &username)?;
        return Err(bad_credentials());
    };
    let expires_at = ctx.clock.now()
        + chrono::Duration::from_std(ctx.staff_token_ttl).map_err(|_| ApiError::internal())?;
    let claims = StaffClaims {
        staff_id: account.id,
        course_id: account.course_id,
        role: account.role,
        expires_at: expires_at.timestamp(),
    };
    tracing::info!(staff = %account.id, course = %account.course_slug, "staff signed in");
    Ok(json(
        StatusCode::OK,
        &Session {
            token: ctx.signer.sign_staff(&claims),
            role: account.role.as_str(),
            course: account.course_slug,
            expires_at,
        },
    ))
}

#[derive(Serialize)]
struct Member {
    username: String,
    role: String,
}

#[derive(Serialize)]
struct Me {
    username: String,
    role: &'static str,
    course: String,
    expires_at: i64,
}

async fn me(ctx: &AppContext, auth: Option<&str>) -> Result<Response, ApiError> {
    let claims = ctx.authenticate_staff(auth, None)?;
    let client = ctx.pool.get().await?;
    let row = client
        .query_opt(
            "SELECT s.username, c.slug FROM staff s JOIN courses c ON c.id = s.course_id
             WHERE s.id = $1",
            &[&claims.staff_id],
        )
        .await?
        // The account was removed since the token was made.
        .ok_or_else(ApiError::unauthorized)?;
    Ok(json(
        StatusCode::OK,
        &Me {
            username: row.get(0),
            role: claims.role.as_str(),
            course: row.get(1),
            expires_at: claims.expires_at,
        },
    ))
}

async fn course_staff(
    ctx: &AppContext,
    auth: Option<&str>,
    course: &str,
) -> Result<Response, ApiError> {
    let claims = ctx.authenticate_staff(auth, Some(course))?;
    let client = ctx.pool.get().await?;
    let members: Vec<Member> = client
        .query(
            "SELECT username, role::text FROM staff WHERE course_id = $1 ORDER BY username",
            &[&claims.course_id],
        )
        .await?
        .iter()
        .map(|r| Member {
            username: r.get(0),
            role: r.get(1),
        })
        .collect();
    Ok(json(StatusCode::OK, &members))
}
