//! Submissions: create (queue or reuse an earlier verdict), read one, list
//! mine, delete. A learner only ever sees their own: every query is keyed on
//! the token's user id, and someone else's submission is a plain 404.

use domain::work::Submission;
use serde::Serialize;
use store::db::{hold_columns, hold_from_row, submission_from_row, SUBMISSION_COLUMNS};
use store::work::submissions::{CreateError, Deleted};
use warp::http::StatusCode;
use warp::reply::Response;
use warp::{Filter, Reply};

use std::net::IpAddr;

use super::{client, json, parse_assignment_id, parse_submission_id, raw_json, respond, with_ctx};
use crate::admission::Admission;
use crate::body::{self, Body};
use crate::caller::{self, Caller, Learner};
use crate::context::AppContext;
use crate::error::ApiError;
use crate::handin::{self, HandIn};
use domain::codes::Code;

/// How many of a learner's submissions to one assignment a list shows.
const LIST_LIMIT: i64 = 200;

pub fn routes(
    ctx: AppContext,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let create = warp::path!("api" / "assignments" / String / "submissions")
        .and(warp::post())
        .and(with_ctx(ctx.clone()))
        .and(client())
        .and(caller::learner(ctx.clone()))
        .and(body::json_up_to::<HandIn>(
            ctx.admission.clone(),
            handin::MAX_BODY_BYTES,
        ))
        .then(
            |id: String, ctx: AppContext, client: IpAddr, caller: Caller<Learner>, body| async move {
                respond(create(&ctx, client, caller, &id, body).await)
            },
        );
    let list = warp::path!("api" / "assignments" / String / "submissions")
        .and(warp::get())
        .and(with_ctx(ctx.clone()))
        .and(caller::learner(ctx.clone()))
        .then(
            |id: String, ctx: AppContext, caller: Caller<Learner>| async move {
                respond(list(&ctx, caller, &id).await)
            },
        );
    let read = warp::path!("api" / "submissions" / String)
        .and(warp::get())
        .and(with_ctx(ctx.clone()))
        .and(caller::learner(ctx.clone()))
        .then(
            |id: String, ctx: AppContext, caller: Caller<Learner>| async move {
                respond(read(&ctx, caller, &id).await)
            },
        );
    let delete = warp::path!("api" / "submissions" / String)
        .and(warp::delete())
        .and(with_ctx(ctx.clone()))
        .and(caller::learner(ctx.clone()))
        .then(
            |id: String, ctx: AppContext, caller: Caller<Learner>| async move {
                respond(delete(&ctx, caller, &id).await)
            },
        );
    create.or(list).unify().or(read).unify().or(delete).unify()
}

#[derive(Serialize)]
struct Envelope<'a> {
    submission: &'a Submission,
    /// While it is queued: about how many submissions a grader takes first.
    #[serde(skip_serializing_if = "Option::is_none")]
    ahead: Option<i64>,
}

/// The envelope for `submission`, with its place in the queue while queued
/// (best effort: a failed count leaves it out).
async fn envelope<'a>(ctx: &AppContext, submission: &'a Submission) -> Envelope<'a> {
    let ahead = if submission.status.in_flight() && submission.verdict.is_none() {
        ctx.submissions
            .ahead_of(submission.id)
            .await
            .unwrap_or(None)
    } else {
        None
    };
    Envelope { submission, ahead }
}

#[tracing::instrument(skip_all, fields(assignment = %raw_id, submission_id = tracing::field::Empty))]
async fn create(
    ctx: &AppContext,
    client: IpAddr,
    caller: Caller<Learner>,
    raw_id: &str,
    body: Body<HandIn>,
) -> Result<Response, ApiError> {
    let user_id = caller?.id;
    let assignment_id = parse_assignment_id(raw_id)?;
    let code = handin::text_for(ctx.kind_of(assignment_id)?, body.read().await?)?;
    hand_in(
        ctx,
        client,
        user_id,
        assignment_id,
        &code,
        queue::jobs::lane_for(client),
    )
    .await
}

/// Hands `code` in as `user_id`'s submission to `assignment_id`, in `lane`,
/// under the limits of `client`'s address and of the learner: the one
/// path of a learner's own submit and an integration's.
pub(crate) async fn hand_in(
    ctx: &AppContext,
    client: IpAddr,
    user_id: uuid::Uuid,
    assignment_id: i32,
    code: &str,
    lane: u16,
) -> Result<Response, ApiError> {
    ctx.admission.submission(client, user_id)?;
    let created = ctx
        .submissions
        .create(
            user_id,
            assignment_id,
            code,
            ctx.admission.queue_limit,
            lane,
            ctx.clock.now(),
        )
        .await
        .map_err(|e| match e {
            CreateError::AlreadyInFlight => ApiError::new(Code::AlreadyGrading,
                "you already have a submission waiting for its verdict; wait for it before submitting again",
            ),
            CreateError::UnknownUser => ApiError::unknown_user(),
            CreateError::NoSuchAssignment => ApiError::not_found("assignment"),
            CreateError::QueueFull => Admission::queue_full(),
            CreateError::NotEnrolled => ApiError::new(
                Code::NotEnrolled,
                "join this assignment's course with its join code first",
            ),
            CreateError::NotOpenYet(at) => ApiError::new(
                Code::NotOpenYet,
                format!("this assignment opens at {}", at.to_rfc3339()),
            ),
            CreateError::PastDue(at) => ApiError::new(
                Code::PastDue,
                format!("this assignment was due at {}; it takes no more submissions", at.to_rfc3339()),
            ),
            CreateError::SubmissionLimit(max) => ApiError::new(
                Code::SubmissionLimit,
                format!("you have used all {max} submissions this assignment allows"),
            ),
            CreateError::Store(e) => e.into(),
        })?;
    tracing::Span::current().record(
        "submission_id",
        tracing::field::display(created.submission.id),
    );
    let (label, status) = if created.reused {
        ("reused", StatusCode::OK)
    } else {
        ("queued", StatusCode::ACCEPTED)
    };
    ctx.metrics.submissions.with_label_values(&[label]).inc();
    // A reused verdict is a verdict: held as any other.
    let hold = if created.submission.status.in_flight() {
        None
    } else {
        let client = ctx.pool.get().await?;
        store::db::hold_of(&client, user_id, assignment_id, ctx.clock.now()).await?
    };
    ctx.announce(user_id, created.course_id, &created.submission, hold);
    // The place in the queue is the read's to tell (the page asks while it
    // waits): counting it here would tax every submit of a burst.
    Ok(json(
        status,
        &Envelope {
            submission: &created.submission.clone().as_learner_sees(hold),
            ahead: None,
        },
    ))
}

async fn read(
    ctx: &AppContext,
    caller: Caller<Learner>,
    raw_id: &str,
) -> Result<Response, ApiError> {
    let user_id = caller?.id;
    let id = parse_submission_id(raw_id)?;
    let client = ctx.pool.get().await?;
    let statement = client
        .prepare_cached(&format!(
            "SELECT {SUBMISSION_COLUMNS}, {} FROM submissions WHERE id = $1 AND user_id = $2",
            hold_columns("$3")
        ))
        .await?;
    let row = client
        .query_opt(&statement, &[&id, &user_id, &ctx.clock.now()])
        .await?
        .ok_or_else(|| ApiError::not_found("submission"))?;
    let submission = submission_from_row(&row)?.as_learner_sees(hold_from_row(&row)?);
    Ok(json(StatusCode::OK, &envelope(ctx, &submission).await))
}

async fn list(
    ctx: &AppContext,
    caller: Caller<Learner>,
    raw_id: &str,
) -> Result<Response, ApiError> {
    let user_id = caller?.id;
    let assignment_id = parse_assignment_id(raw_id)?;
    if ctx.catalog().releases_after_due(assignment_id) {
        return list_held(ctx, user_id, assignment_id).await;
    }
    let key = ctx.names.submission_list_cache(user_id, assignment_id);
    // The generation is read before Postgres, so a racing write is never cached as current.
    let cached = ctx.cache.get_generation(&key).await;
    if let Some(body) = &cached.body {
        ctx.metrics.cache_hit(true);
        return Ok(raw_json(StatusCode::OK, body.clone()));
    }
    ctx.metrics.cache_hit(false);
    let client = ctx.pool.get().await?;
    let rows = client
        .query(
            &format!(
                "SELECT {SUBMISSION_COLUMNS} FROM submissions
                 WHERE user_id = $1 AND assignment_id = $2
                 ORDER BY created_at DESC, id LIMIT $3"
            ),
            &[&user_id, &assignment_id, &LIST_LIMIT],
        )
        .await?;
    if rows.is_empty() {
        let exists = client
            .query_opt("SELECT 1 FROM assignments WHERE id = $1", &[&assignment_id])
            .await?;
        if exists.is_none() {
            return Err(ApiError::not_found("assignment"));
        }
    }
    let submissions = rows
        .iter()
        .map(submission_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let body = serde_json::to_string(&submissions).map_err(|_| ApiError::internal())?;
    ctx.cache.put_generation(&key, &cached, &body).await;
    Ok(raw_json(StatusCode::OK, body))
}

/// A learner's submissions to an assignment that releases its results
/// after the due date: as they may see them now, never from the cache.
async fn list_held(
    ctx: &AppContext,
    user_id: uuid::Uuid,
    assignment_id: i32,
) -> Result<Response, ApiError> {
    let client = ctx.pool.get().await?;
    let rows = client
        .query(
            &format!(
                "SELECT {SUBMISSION_COLUMNS}, {} FROM submissions
                 WHERE user_id = $1 AND assignment_id = $2
                 ORDER BY created_at DESC, id LIMIT $3",
                hold_columns("$4")
            ),
            &[&user_id, &assignment_id, &LIST_LIMIT, &ctx.clock.now()],
        )
        .await?;
    let submissions = rows
        .iter()
        .map(|r| Ok(submission_from_row(r)?.as_learner_sees(hold_from_row(r)?)))
        .collect::<Result<Vec<_>, store::Error>>()?;
    Ok(json(StatusCode::OK, &submissions))
}

async fn delete(
    ctx: &AppContext,
    caller: Caller<Learner>,
    raw_id: &str,
) -> Result<Response, ApiError> {
    let user_id = caller?.id;
    let id = parse_submission_id(raw_id)?;
    match ctx.submissions.delete(user_id, id).await? {
        Deleted::Deleted => Ok(warp::reply::with_status(
            warp::reply::reply(),
            StatusCode::NO_CONTENT,
        )
        .into_response()),
        Deleted::InFlight => Err(ApiError::new(
            Code::BeingGraded,
            "this submission is waiting for or under grading; delete it once it has its verdict",
        )),
        Deleted::NotFound => Err(ApiError::not_found("submission")),
    }
}
