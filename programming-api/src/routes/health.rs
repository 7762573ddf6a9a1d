//! `/healthz` (the process answers), `/readyz` (Postgres and Redis answer),
//! `/metrics` (Prometheus text).

use std::time::Duration;

use serde_json::json;
use warp::http::StatusCode;
use warp::reply::{Reply, Response};
use warp::Filter;

use super::{json, with_ctx};
use crate::context::AppContext;

/// A dependency that does not answer within this is reported down.
const PROBE_TIMEOUT: Duration = Duration::from_secs(1);

pub fn routes(
    ctx: AppContext,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let healthz = warp::path!("healthz")
        .and(warp::get())
        .map(|| json(StatusCode::OK, &json!({"status": "ok"})));
    let readyz = warp::path!("readyz")
        .and(warp::get())
        .and(with_ctx(ctx.clone()))
        .then(|ctx: AppContext| async move { readiness(&ctx).await });
    let metrics = warp::path!("metrics")
        .and(warp::get())
        .and(with_ctx(ctx))
        .map(|ctx: AppContext| {
            warp::reply::with_header(
                ctx.metrics.render(),
                "content-type",
                "text/plain; version=0.0.4",
            )
            .into_response()
        });
    healthz.or(readyz).unify().or(metrics).unify()
}

async fn readiness(ctx: &AppContext) -> Response {
    let postgres = tokio::time::timeout(PROBE_TIMEOUT, async {
        let client = ctx.pool.get().await.ok()?;
        client.query_one("SELECT 1", &[]).await.ok()
    })
    .await
    .ok()
    .flatten()
    .is_some();
    let redis = tokio::time::timeout(PROBE_TIMEOUT, async {
        let mut conn = ctx.redis.clone();
        redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .ok()
    })
    .await
    .ok()
    .flatten()
    .is_some();
    let state = |up: bool| if up { "up" } else { "down" };
    if postgres && redis {
        json(
            StatusCode::OK,
            &json!({"status": "ready", "postgres": "up", "redis": "up"}),
        )
    } else {
        json(
            StatusCode::SERVICE_UNAVAILABLE,
            &json!({
                "error": {"code": "not_ready", "message": "a dependency is unavailable"},
                "postgres": state(postgres),
                "redis": state(redis),
            }),
        )
    }
}
