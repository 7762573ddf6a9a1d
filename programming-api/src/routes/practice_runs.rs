//! Practice runs ("Run tests"): the learner's code against the assignment's
//! visible tests, through the same stream, graders and sandbox as a
//! submission, as a job kind of its own. Not a submission: it stores no
//! verdict of the learner's, earns nothing, uses no attempt, and runs no
//! hidden test. A learner reads only their own runs.

use domain::codes::Code;
use domain::work::PracticeRun;
use serde::Serialize;
use store::work::practice_runs::CreatePracticeRunError;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::Filter;

use super::{json, parse_assignment_id, respond, with_ctx};
use crate::admission::Admission;
use crate::body::{self, Body};
use crate::caller::{self, Caller, Learner};
use crate::context::AppContext;
use crate::error::ApiError;
use crate::handin::{self, HandIn};

pub fn routes(
    ctx: AppContext,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let create = warp::path!("api" / "assignments" / String / "runs")
        .and(warp::post())
        .and(with_ctx(ctx.clone()))
        .and(caller::learner(ctx.clone()))
        .and(body::json_up_to::<HandIn>(
            ctx.admission.clone(),
            handin::MAX_BODY_BYTES,
        ))
        .then(
            |id: String, ctx: AppContext, caller: Caller<Learner>, body| async move {
                respond(create(&ctx, caller, &id, body).await)
            },
        );
    let read = warp::path!("api" / "runs" / String)
        .and(warp::get())
        .and(with_ctx(ctx.clone()))
        .and(caller::learner(ctx.clone()))
        .then(
            |id: String, ctx: AppContext, caller: Caller<Learner>| async move {
                respond(read(&ctx, caller, &id).await)
            },
        );
    create.or(read).unify()
}

#[derive(Serialize)]
struct Envelope<'a> {
    run: &'a PracticeRun,
}

/// A test run shows the visible tests' results: refused while an
/// assignment holds even those until the learner's due date.
async fn refuse_if_held(
    ctx: &AppContext,
    user_id: uuid::Uuid,
    assignment_id: i32,
) -> Result<(), ApiError> {
    if !ctx.catalog().releases_after_due(assignment_id) {
        return Ok(());
    }
    let client = ctx.pool.get().await?;
    match store::db::hold_of(&client, user_id, assignment_id, ctx.clock.now()).await? {
        Some(hold) if !hold.visible_tests => Err(ApiError::new(
            Code::ResultsHeld,
            format!(
                "this assignment's results, test runs included, are released at {}",
                hold.until.to_rfc3339()
            ),
        )),
        _ => Ok(()),
    }
}

async fn create(
    ctx: &AppContext,
    caller: Caller<Learner>,
    raw_id: &str,
    body: Body<HandIn>,
) -> Result<Response, ApiError> {
    let user_id = caller?.id;
    let assignment_id = parse_assignment_id(raw_id)?;
    let code = handin::text_for(ctx.kind_of(assignment_id)?, body.read().await?)?;
    refuse_if_held(ctx, user_id, assignment_id).await?;
    ctx.admission.run(user_id)?;
    let run = ctx
        .practice_runs
        .create(
            user_id,
            assignment_id,
            &code,
            ctx.admission.queue_limit,
            ctx.clock.now(),
        )
        .await
        .map_err(|e| match e {
            CreatePracticeRunError::UnknownUser => ApiError::unknown_user(),
            CreatePracticeRunError::NoSuchAssignment => ApiError::not_found("assignment"),
            CreatePracticeRunError::AlreadyRunning => ApiError::new(
                Code::AlreadyGrading,
                "your last test run is still waiting for its result; run again once it is in",
            ),
            CreatePracticeRunError::NotEnrolled => ApiError::new(
                Code::NotEnrolled,
                "join this assignment's course with its join code first",
            ),
            CreatePracticeRunError::NotOpenYet(at) => ApiError::new(
                Code::NotOpenYet,
                format!("this assignment opens at {}", at.to_rfc3339()),
            ),
            CreatePracticeRunError::QueueFull => Admission::runs_full(),
            CreatePracticeRunError::Store(e) => e.into(),
        })?;
    ctx.metrics.runs.inc();
    Ok(json(StatusCode::ACCEPTED, &Envelope { run: &run }))
}

async fn read(
    ctx: &AppContext,
    caller: Caller<Learner>,
    raw_id: &str,
) -> Result<Response, ApiError> {
    let user_id = caller?.id;
    let id = uuid::Uuid::parse_str(raw_id).map_err(|_| ApiError::invalid_id("run"))?;
    let run = ctx
        .practice_runs
        .get(user_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("run"))?;
    Ok(json(StatusCode::OK, &Envelope { run: &run }))
}
