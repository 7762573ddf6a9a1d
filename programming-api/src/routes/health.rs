//! `/healthz` and `/readyz` (Postgres and Redis answer) on the API's public
//! port too, for load balancers and health checks; `/metrics` only on the
//! admin port (`API_ADMIN_ADDR`), where every service serves all three
//! (`service::admin`): counters of requests and submissions are the
//! operator's, not the public's.

use service::admin::Probes;
use warp::http::header;
use warp::reply::{Reply, Response};
use warp::Filter;

use super::with_ctx;
use crate::context::AppContext;

/// The admin paths the public port answers too.
const PUBLIC: [&str; 2] = ["/healthz", "/readyz"];

pub fn routes(
    ctx: AppContext,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    warp::get()
        .and(warp::path::full())
        .and(with_ctx(ctx))
        .and_then(|path: warp::path::FullPath, ctx: AppContext| async move {
            if !PUBLIC.contains(&path.as_str()) {
                return Err(warp::reject::not_found());
            }
            match service::admin::respond(&ctx, path.as_str()).await {
                Some(answer) => {
                    let mut response =
                        warp::reply::with_status(answer.body, answer.status).into_response();
                    response.headers_mut().insert(
                        header::CONTENT_TYPE,
                        header::HeaderValue::from_static(answer.content_type),
                    );
                    Ok(response)
                }
                None => Err(warp::reject::not_found()),
            }
        })
}

impl Probes for AppContext {
    fn metrics(&self) -> String {
        self.metrics.registry.render()
    }

    async fn readiness(&self) -> Vec<(&'static str, bool)> {
        store::ready(&self.pool, &self.redis, service::admin::PROBE_TIMEOUT).await
    }

    fn draining(&self) -> bool {
        self.drain.draining()
    }
}
