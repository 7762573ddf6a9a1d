//! Learner accounts, so a learner keeps who they are across browsers and
//! the terminal:
//!
//! - `POST /api/me/account` `{username, password}`: the current learner
//!   (anonymous so far) keeps all their work under a username and password;
//!   201 `{user_id, username}`, 409 `username_taken` or `account_exists`,
//!   400 `invalid_account`, 403 `external_learner` for an LMS's or an
//!   integration's learner (they sign in through their system).
//! - `POST /api/sessions` `{username, password}`: 200 `{user_id, token}`,
//!   the same learner anywhere; a wrong password and an unknown username
//!   answer alike, limited as staff sign-in is (`crate::sign_in`).
//! - `PUT /api/courses/{c}/learners/{user_id}/password` `{password}`: an
//!   instructor sets a new password for a learner of their course; 204.

use std::net::IpAddr;

use domain::codes::Code;
use domain::published::{Account, Session};
use serde::Deserialize;
use uuid::Uuid;
use warp::http::{header, StatusCode};
use warp::reply::{Reply, Response};
use warp::Filter;

use super::{json, respond, sign_in_request, with_ctx};
use crate::body::{self, Body};
use crate::caller::{self, Caller, Instructor, Learner};
use crate::context::AppContext;
use crate::error::ApiError;
use crate::{passwords, sign_in};

/// Where a learner's device cookie is sent back: their sign-in alone.
const SIGN_IN_PATH: &str = "/api/sessions";

pub fn routes(
    ctx: AppContext,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let claim = warp::path!("api" / "me" / "account")
        .and(warp::post())
        .and(with_ctx(ctx.clone()))
        .and(caller::learner(ctx.clone()))
        .and(body::json_up_to::<Credentials>(
            ctx.admission.clone(),
            passwords::CREDENTIALS_BODY_BYTES,
        ))
        .then(
            |ctx: AppContext, caller: Caller<Learner>, body| async move {
                respond(claim(&ctx, caller, body).await)
            },
        );
    let sign_in = warp::path!("api" / "sessions")
        .and(warp::post())
        .and(sign_in_request::<Credentials>(ctx.clone()))
        .then(
            |ctx: AppContext, client: IpAddr, cookies: Option<String>, body| async move {
                respond(sign_in(&ctx, client, cookies, body).await)
            },
        );
    let reset = warp::path!("api" / "courses" / String / "learners" / String / "password")
        .and(warp::put())
        .and(with_ctx(ctx.clone()))
        .and(caller::instructor(ctx.clone()))
        .and(body::json_up_to::<NewPassword>(
            ctx.admission.clone(),
            passwords::CREDENTIALS_BODY_BYTES,
        ))
        .then(
            |_course: String,
             learner: String,
             ctx: AppContext,
             caller: Caller<Instructor>,
             body| async move { respond(reset(&ctx, caller, &learner, body).await) },
        );
    claim.or(sign_in).unify().or(reset).unify()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    username: String,
    password: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    password: String,
}

async fn claim(
    ctx: &AppContext,
    caller: Caller<Learner>,
    body: Body<Credentials>,
) -> Result<Response, ApiError> {
    let user_id = caller?.id;
    let Credentials { username, password } = body.read().await?;
    passwords::check_username(&username)?;
    passwords::check_password(&password)?;
    let client = ctx.pool.get().await?;
    let who = client
        .query_opt(
            "SELECT username,
                    EXISTS (SELECT 1 FROM external_learners x WHERE x.user_id = u.id) AS external
             FROM users u WHERE id = $1",
            &[&user_id],
        )
        .await?
        .ok_or_else(ApiError::unknown_user)?;
    if who.get::<_, bool>("external") {
        return Err(ApiError::new(
            Code::ExternalLearner,
            "you came through your school's system: sign in there, not with a password",
        ));
    }
    if let Some(name) = who.get::<_, Option<String>>("username") {
        return Err(ApiError::new(
            Code::AccountExists,
            format!("your progress is kept already, as {name:?}"),
        ));
    }
    let taken = || ApiError::new(Code::UsernameTaken, "that username is taken; pick another");
    // Before the (costly) hash: a taken name costs a lookup alone.
    let exists: bool = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM users WHERE username = $1) AS taken",
            &[&username],
        )
        .await?
        .get("taken");
    if exists {
        return Err(taken());
    }
    let hash = passwords::hash(password).await?;
    let updated = client
        .execute(
            "UPDATE users SET username = $2, password_hash = $3, account_at = now()
             WHERE id = $1 AND username IS NULL",
            &[&user_id, &username, &hash],
        )
        .await
        .map_err(|e| match e.code() {
            Some(c) if *c == tokio_postgres::error::SqlState::UNIQUE_VIOLATION => taken(),
            _ => e.into(),
        })?;
    if updated == 0 {
        // Claimed a moment ago, by this learner's other tab.
        return Err(ApiError::new(
            Code::AccountExists,
            "your progress is kept already",
        ));
    }
    tracing::info!(user = %user_id, "a learner kept their progress as an account");
    Ok(json(StatusCode::CREATED, &Account { user_id, username }))
}

async fn sign_in(
    ctx: &AppContext,
    client: IpAddr,
    cookies: Option<String>,
    body: Body<Credentials>,
) -> Result<Response, ApiError> {
    let Credentials { username, password } = body.read().await?;
    let account = match passwords::plausible(&username, &password) {
        true => {
            let db = ctx.pool.get().await?;
            db.query_opt(
                "SELECT id, password_hash FROM users WHERE username = $1",
                &[&username],
            )
            .await?
            .map(|r| {
                (
                    r.get::<_, Uuid>("id"),
                    r.get::<_, Option<String>>("password_hash"),
                )
            })
        }
        false => None,
    };
    let user_id = sign_in::check(
        ctx,
        client,
        cookies.as_deref(),
        &format!("learner:{username}"),
        account,
        password,
    )
    .await?;
    let now = ctx.clock.now();
    let mut response = json(
        StatusCode::OK,
        &Session {
            user_id,
            token: ctx.signer.sign(user_id),
        },
    );
    response.headers_mut().insert(
        header::SET_COOKIE,
        sign_in::device_cookie(&ctx.signer, user_id, now, SIGN_IN_PATH),
    );
    Ok(response)
}

async fn reset(
    ctx: &AppContext,
    caller: Caller<Instructor>,
    raw_learner: &str,
    body: Body<NewPassword>,
) -> Result<Response, ApiError> {
    let instructor = caller?;
    let learner = Uuid::parse_str(raw_learner).map_err(|_| ApiError::invalid_id("learner"))?;
    let NewPassword { password } = body.read().await?;
    passwords::check_password(&password)?;
    let hash = passwords::hash(password).await?;
    let client = ctx.pool.get().await?;
    let updated = client
        .execute(
            "UPDATE users SET password_hash = $3
             WHERE id = $1 AND username IS NOT NULL
               AND EXISTS (SELECT 1 FROM enrolments e WHERE e.user_id = $1 AND e.course_id = $2)",
            &[&learner, &instructor.course_id, &hash],
        )
        .await?;
    if updated == 0 {
        return Err(ApiError::not_found(
            "learner with an account in this course",
        ));
    }
    tracing::info!(learner = %learner, staff = %instructor.staff_id, "an instructor set a learner's password");
    Ok(StatusCode::NO_CONTENT.into_response())
}
