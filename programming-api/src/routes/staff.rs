//! Staff sign-in and who they are: `POST /api/staff/sessions`,
//! `GET /api/staff/me`, and `GET /api/courses/{c}/staff` (the course's staff,
//! for its own staff only).

use std::net::IpAddr;

use domain::published::StaffSession;
use serde::{Deserialize, Serialize};
use service::token::StaffClaims;
use warp::http::{header, StatusCode};
use warp::reply::Response;
use warp::Filter;

use super::{json, respond, sign_in_request, with_ctx};
use crate::body::Body;
use crate::caller::{self, Caller, CourseStaff, Staff};
use crate::context::AppContext;
use crate::error::ApiError;
use crate::{passwords, sign_in, staff};

pub fn routes(
    ctx: AppContext,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let sign_in = warp::path!("api" / "staff" / "sessions")
        .and(warp::post())
        .and(sign_in_request::<SignIn>(ctx.clone()))
        .then(
            |ctx: AppContext, client: IpAddr, cookies: Option<String>, body| async move {
                respond(sign_in(&ctx, client, cookies, body).await)
            },
        );
    let me = warp::path!("api" / "staff" / "me")
        .and(warp::get())
        .and(with_ctx(ctx.clone()))
        .and(caller::staff(ctx.clone()))
        .then(
            |ctx: AppContext, caller: Caller<Staff>| async move { respond(me(&ctx, caller).await) },
        );
    let course_staff = warp::path!("api" / "courses" / String / "staff")
        .and(warp::get())
        .and(with_ctx(ctx.clone()))
        .and(caller::course_staff(ctx.clone()))
        .then(
            |_course: String, ctx: AppContext, caller: Caller<CourseStaff>| async move {
                respond(course_staff(&ctx, caller).await)
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

/// Where the device cookie is sent back: this route alone.
const SIGN_IN_PATH: &str = "/api/staff/sessions";

async fn sign_in(
    ctx: &AppContext,
    client: IpAddr,
    cookies: Option<String>,
    body: Body<SignIn>,
) -> Result<Response, ApiError> {
    let SignIn { username, password } = body.read().await?;
    let now = ctx.clock.now();
    let account = match passwords::plausible(&username, &password) {
        true => staff::find(&ctx.pool, &username).await?,
        false => None,
    };
    let id = sign_in::check(
        ctx,
        client,
        cookies.as_deref(),
        &username,
        account.as_ref().map(|a| (a.id, a.password_hash.clone())),
        password,
    )
    .await?;
    let account = account
        .filter(|a| a.id == id)
        .ok_or_else(ApiError::internal)?;
    let expires_at =
        now + chrono::Duration::from_std(ctx.staff_token_ttl).map_err(|_| ApiError::internal())?;
    let claims = StaffClaims {
        staff_id: account.id,
        course_id: account.course_id,
        role: account.role,
        expires_at: expires_at.timestamp(),
    };
    tracing::info!(staff = %account.id, course = %account.course_slug, "staff signed in");
    let mut response = json(
        StatusCode::OK,
        &StaffSession {
            token: ctx.signer.sign_staff(&claims),
            role: account.role.as_str().to_owned(),
            course: account.course_slug,
            expires_at,
        },
    );
    response.headers_mut().insert(
        header::SET_COOKIE,
        sign_in::device_cookie(&ctx.signer, account.id, now, SIGN_IN_PATH),
    );
    Ok(response)
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

async fn me(ctx: &AppContext, caller: Caller<Staff>) -> Result<Response, ApiError> {
    let claims = caller?;
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
            username: row.get("username"),
            role: claims.role.as_str(),
            course: row.get("slug"),
            expires_at: claims.expires_at,
        },
    ))
}

async fn course_staff(ctx: &AppContext, caller: Caller<CourseStaff>) -> Result<Response, ApiError> {
    let claims = caller?;
    let client = ctx.pool.get().await?;
    let members: Vec<Member> = client
        .query(
            "SELECT username, role::text AS role FROM staff WHERE course_id = $1
             ORDER BY username",
            &[&claims.course_id],
        )
        .await?
        .iter()
        .map(|r| Member {
            username: r.get("username"),
            role: r.get("role"),
        })
        .collect();
    Ok(json(StatusCode::OK, &members))
}
