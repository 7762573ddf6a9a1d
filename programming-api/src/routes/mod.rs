//! The routes, one module per resource, each exposing its filter. Handlers
//! take their caller (`crate::caller`) and return `Result<Response,
//! ApiError>`; [`respond`] turns the error into the JSON shape, so a matched
//! route never falls through to another.
//!
//! - `accounts`: learner accounts: keeping one's progress, signing in, an instructor's reset.
//! - `users`: a new learner, their progress and their name.
//! - `assignments`: a course's assignments and one assignment, cached.
//! - `courses`: the courses one can join, and joining.
//! - `submissions`: a learner's submissions: create, read, list, delete.
//! - `practice_runs`: "Run tests" on the visible tests: create and read.
//! - `staff`: staff sign-in, who they are, a course's staff.
//! - `gradebook`: a course's learners × assignments, as JSON and CSV.
//! - `class`: the live class view's snapshot.
//! - `review`: any submission of a course, for its staff.
//! - `extensions`: instructors' extensions of a learner's due date.
//! - `overrides`: instructors' manual points for a learner, with a reason.
//! - `versions`: a course's versions: published, checked, made live again.
//! - `regrades`: an assignment's submissions judged again, and how far that has come.
//! - `integrations`: the signed integration API: another system submits its users' work.
//! - `lti`: LTI 1.3: login, launch, the tool's JWKS, deep linking.
//! - `health`: `/healthz` and `/readyz` on the public port.
//! - `pages`: the learner's page, the staff pages and the UI's files.

mod accounts;
mod assignments;
mod class;
mod courses;
mod extensions;
mod gradebook;
mod health;
mod integrations;
mod lti;
mod overrides;
mod pages;
mod practice_runs;
mod regrades;
mod review;
mod staff;
pub(crate) mod submissions;
pub(crate) mod users;
mod versions;

use std::convert::Infallible;
use std::net::IpAddr;

use service::client::ClientAddr;
use std::path::PathBuf;

use serde::Serialize;
use uuid::Uuid;
use warp::http::{header, StatusCode};
use warp::reply::Response;
use warp::{Filter, Reply};

use crate::context::AppContext;
use crate::error::{self, ApiError};

/// Every route of the API and the UI, with warp's own rejections mapped to JSON.
pub fn routes(
    ctx: AppContext,
    ui_dir: PathBuf,
    ws_url: Option<String>,
) -> impl Filter<Extract = (Response,), Error = Infallible> + Clone {
    let gateway = ws_url.as_deref().map(|url| {
        crate::security::gateway_origin(url).expect("WS_PUBLIC_URL was checked at start")
    });
    let framers = ctx
        .lti
        .as_ref()
        .map(|lti| lti.platforms.origins())
        .unwrap_or_default();
    let policy = crate::security::Policy::new(gateway.as_deref(), framers);
    // Each group is boxed: warp's nested types otherwise grow past the
    // compiler's query depth limit in a build from scratch (seen in CI, not
    // in an incremental build).
    let api = users::routes(ctx.clone())
        .boxed()
        .or(accounts::routes(ctx.clone()).boxed())
        .unify()
        .or(assignments::routes(ctx.clone()).boxed())
        .unify()
        .or(courses::routes(ctx.clone()).boxed())
        .unify()
        .or(staff::routes(ctx.clone()).boxed())
        .unify()
        .or(gradebook::routes(ctx.clone()).boxed())
        .unify()
        .or(class::routes(ctx.clone()).boxed())
        .unify()
        .or(extensions::routes(ctx.clone()).boxed())
        .unify()
        .or(overrides::routes(ctx.clone()).boxed())
        .unify()
        .or(versions::routes(ctx.clone()).boxed())
        .unify()
        .or(regrades::routes(ctx.clone()).boxed())
        .unify()
        .or(review::routes(ctx.clone()).boxed())
        .unify()
        .or(submissions::routes(ctx.clone()).boxed())
        .unify()
        .or(practice_runs::routes(ctx.clone()).boxed())
        .unify()
        .or(lti::routes(ctx.clone()).boxed())
        .unify()
        .or(integrations::routes(ctx.clone()).boxed())
        .unify()
        .or(health::routes(ctx).boxed())
        .unify();
    api.or(pages::routes(ui_dir, ws_url).boxed())
        .unify()
        .recover(error::recover)
        .unify()
        .and(
            // A Host that is not text is no host to allow.
            warp::header::optional::<String>("host")
                .or(warp::any().map(|| None))
                .unify(),
        )
        .map(move |response, host: Option<String>| policy.apply(response, host.as_deref()))
}

fn with_ctx(ctx: AppContext) -> impl Filter<Extract = (AppContext,), Error = Infallible> + Clone {
    warp::any().map(move || ctx.clone())
}

/// The client's address, as the server found it (through trusted proxies
/// only): the key of the per-address limits.
pub(crate) fn client() -> impl Filter<Extract = (IpAddr,), Error = Infallible> + Clone {
    warp::ext::optional::<ClientAddr>()
        .map(|c: Option<ClientAddr>| c.map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0))
}

/// The request's `Cookie` header, if any and if it is text.
fn cookies() -> impl Filter<Extract = (Option<String>,), Error = Infallible> + Copy {
    warp::header::optional::<String>("cookie")
        .or(warp::any().map(|| None))
        .unify()
}

/// What a password sign-in's route takes (staff's and learners'): the
/// context, the client's address, its cookies (the device cookie,
/// `crate::sign_in`) and its credentials, a small body anyone may send.
fn sign_in_request<T: serde::de::DeserializeOwned + Send>(
    ctx: AppContext,
) -> impl Filter<
    Extract = (AppContext, IpAddr, Option<String>, crate::body::Body<T>),
    Error = Infallible,
> + Clone {
    let admission = ctx.admission.clone();
    with_ctx(ctx)
        .and(client())
        .and(cookies())
        .and(crate::body::json_up_to::<T>(
            admission,
            crate::passwords::CREDENTIALS_BODY_BYTES,
        ))
}

fn respond(result: Result<Response, ApiError>) -> Response {
    result.unwrap_or_else(ApiError::into_response)
}

fn json<T: Serialize>(status: StatusCode, value: &T) -> Response {
    warp::reply::with_status(warp::reply::json(value), status).into_response()
}

/// A body that is already JSON text (from the cache or built once).
fn raw_json(status: StatusCode, body: String) -> Response {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}

/// The learner and assignment an address names (`…/{user_id}/{assignment_id}`):
/// an extension's, an override's.
pub(crate) struct LearnerAssignment {
    user_id: Result<Uuid, ApiError>,
    assignment_id: Result<i32, ApiError>,
}

impl LearnerAssignment {
    pub(crate) fn parse(user: &str, assignment: &str) -> Self {
        Self {
            user_id: Uuid::parse_str(user).map_err(|_| ApiError::invalid_id("learner")),
            assignment_id: parse_assignment_id(assignment),
        }
    }

    /// Both ids, the assignment checked to be `course_id`'s.
    pub(crate) fn resolve(self, ctx: &AppContext, course_id: i32) -> Result<(Uuid, i32), ApiError> {
        let (user_id, assignment_id) = (self.user_id?, self.assignment_id?);
        if ctx.catalog().course_of(assignment_id).map(|c| c.id) != Some(course_id) {
            return Err(ApiError::not_found("assignment"));
        }
        Ok((user_id, assignment_id))
    }
}

fn parse_assignment_id(raw: &str) -> Result<i32, ApiError> {
    raw.parse::<i32>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::invalid_id("assignment"))
}

fn parse_submission_id(raw: &str) -> Result<uuid::Uuid, ApiError> {
    uuid::Uuid::parse_str(raw).map_err(|_| ApiError::invalid_id("submission"))
}
