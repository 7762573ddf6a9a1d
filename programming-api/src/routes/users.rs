//! `POST /api/users` (a new anonymous learner) and `GET /api/me` (progress).

use serde::Serialize;
use uuid::Uuid;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::Filter;

use std::net::IpAddr;

use super::{authorization, client, json, respond, with_ctx};
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
        .and(with_ctx(ctx))
        .and(authorization())
        .then(|ctx: AppContext, auth: Option<String>| async move {
            respond(progress(&ctx, auth.as_deref()).await)
        });
    create.or(me).unify()
}

#[derive(Serialize)]
struct NewUser {
    user_id: Uuid,
    token: String,
}

async fn create_user(ctx: &AppContext, client: IpAddr) -> Result<Response, ApiError> {
    ctx.limits.new_learner(client)?;
    let user_id = Uuid::new_v4();
    let client = ctx.pool.get().await?;
    let insert = client
        .prepare_cached("INSERT INTO users (id) VALUES ($1)")
        .await?;
    client.execute(&insert, &[&user_id]).await?;
    let token = ctx.signer.sign(user_id);
    Ok(json(StatusCode::CREATED, &NewUser { user_id, token }))
}

#[derive(Serialize)]
struct Progress {
    user_id: Uuid,
    points: i64,
    completed: Vec<i32>,
    next_assignment_id: Option<i32>,
    /// Submissions made to each assignment (deleted ones count), by id.
    attempts: std::collections::BTreeMap<i32, i32>,
}

async fn progress(ctx: &AppContext, auth: Option<&str>) -> Result<Response, ApiError> {
    let user_id = ctx.authenticate(auth)?;
    let client = ctx.pool.get().await?;
    // A genuine token for a learner this database no longer has (it was
    // reset): 401, so the page makes a new learner instead of showing nothing.
    if client
        .query_opt("SELECT 1 FROM users WHERE id = $1", &[&user_id])
        .await?
        .is_none()
    {
        return Err(ApiError::unknown_user());
    }
    // Completions of hidden assignments still count: points once earned stay.
    // Each is worth what its pass earned (100, or less under a late penalty).
    let rows = client
        .query(
            "SELECT assignment_id, points FROM completions WHERE user_id = $1
             ORDER BY assignment_id",
            &[&user_id],
        )
        .await?;
    let completed: Vec<i32> = rows.iter().map(|r| r.get(0)).collect();
    let attempts = client
        .query(
            "SELECT assignment_id, used FROM attempts WHERE user_id = $1",
            &[&user_id],
        )
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let points: i64 = rows.iter().map(|r| i64::from(r.get::<_, i32>(1))).sum();
    let next: Option<i32> = client
        .query_opt(
            "SELECT a.id FROM assignments a
             WHERE a.course_id = $2 AND a.position IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM completions c
                               WHERE c.user_id = $1 AND c.assignment_id = a.id)
             ORDER BY a.position LIMIT 1",
            &[&user_id, &ctx.catalog.default_course().id],
        )
        .await?
        .map(|r| r.get(0));
    Ok(json(
        StatusCode::OK,
        &Progress {
            user_id,
            points,
            completed,
            next_assignment_id: next,
            attempts,
        },
    ))
}
