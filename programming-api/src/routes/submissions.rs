//! Submissions: create (queue or reuse an earlier verdict), read one, list
//! mine, delete. A learner only ever sees their own: every query is keyed on
//! the token's user id, and someone else's submission is a plain 404.

use common::db::{submission_from_row, SUBMISSION_COLUMNS};
use common::domain::Submission;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio_postgres::error::SqlState;
use uuid::Uuid;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::{Filter, Reply};

use super::{
    authorization, json, parse_assignment_id, parse_submission_id, raw_json, respond, with_ctx,
};
use crate::body;
use crate::context::AppContext;
use crate::error::ApiError;

/// Largest program accepted, in bytes of UTF-8.
pub const MAX_CODE_BYTES: usize = 64 * 1024;

/// Creates a submission: $1 id, $2 user, $3 assignment, $4 code, $5 code hash.
const CREATE_SUBMISSION: &str = "
    WITH assignment AS (
        SELECT a.id, a.content_hash, r.status, r.verdict, r.feedback
        FROM assignments a
        LEFT JOIN LATERAL (
            SELECT s.status, s.verdict, s.feedback FROM submissions s
            WHERE s.assignment_id = a.id AND s.code_hash = $5
              AND s.assignment_hash = a.content_hash
              AND s.status IN ('passed', 'failed')
            ORDER BY s.graded_at DESC LIMIT 1) r ON true
        WHERE a.id = $3 AND a.position IS NOT NULL),
    inserted AS (
        INSERT INTO submissions (id, user_id, assignment_id, code, code_hash, assignment_hash,
                                 status, verdict, feedback, graded_at, enqueued_at)
        SELECT $1, $2, a.id, $4, $5, a.content_hash,
               coalesce(a.status, 'queued'), a.verdict, a.feedback,
               CASE WHEN a.status IS NULL THEN NULL ELSE now() END,
               CASE WHEN a.status IS NULL THEN now() END
        FROM assignment a
        RETURNING *),
    completed AS (
        INSERT INTO completions (user_id, assignment_id, submission_id)
        SELECT user_id, assignment_id, id FROM inserted WHERE status = 'passed'
        ON CONFLICT DO NOTHING)
    SELECT id, assignment_id, status::text AS status, verdict, code, created_at, graded_at,
           feedback
    FROM inserted";

/// How many of a learner's submissions to one assignment a list shows.
const LIST_LIMIT: i64 = 200;

pub fn routes(
    ctx: AppContext,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let create = warp::path!("api" / "assignments" / String / "submissions")
        .and(warp::post())
        .and(with_ctx(ctx.clone()))
        .and(authorization())
        .and(body::json::<NewSubmission>())
        .then(
            |id: String, ctx: AppContext, auth: Option<String>, body| async move {
                respond(create(&ctx, auth.as_deref(), &id, body).await)
            },
        );
    let list = warp::path!("api" / "assignments" / String / "submissions")
        .and(warp::get())
        .and(with_ctx(ctx.clone()))
        .and(authorization())
        .then(
            |id: String, ctx: AppContext, auth: Option<String>| async move {
                respond(list(&ctx, auth.as_deref(), &id).await)
            },
        );
    let read = warp::path!("api" / "submissions" / String)
        .and(warp::get())
        .and(with_ctx(ctx.clone()))
        .and(authorization())
        .then(
            |id: String, ctx: AppContext, auth: Option<String>| async move {
                respond(read(&ctx, auth.as_deref(), &id).await)
            },
        );
    let delete = warp::path!("api" / "submissions" / String)
        .and(warp::delete())
        .and(with_ctx(ctx))
        .and(authorization())
        .then(
            |id: String, ctx: AppContext, auth: Option<String>| async move {
                respond(delete(&ctx, auth.as_deref(), &id).await)
            },
        );
    create.or(list).unify().or(read).unify().or(delete).unify()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSubmission {
    code: String,
}

#[derive(Serialize)]
struct Envelope<'a> {
    submission: &'a Submission,
}

fn code_hash(code: &str) -> String {
    hex::encode(Sha256::digest(code.as_bytes()))
}

fn validate_code(code: &str) -> Result<(), ApiError> {
    if code.len() > MAX_CODE_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "code_too_large",
            format!("the code is larger than {} KiB", MAX_CODE_BYTES / 1024),
        ));
    }
    if code.contains('\0') {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_code",
            "the code contains a NUL character",
        ));
    }
    Ok(())
}

#[tracing::instrument(skip_all, fields(assignment = %raw_id, submission_id = tracing::field::Empty))]
async fn create(
    ctx: &AppContext,
    auth: Option<&str>,
    raw_id: &str,
    body: Result<NewSubmission, ApiError>,
) -> Result<Response, ApiError> {
    let user_id = ctx.authenticate(auth)?;
    let assignment_id = parse_assignment_id(raw_id)?;
    let code = body?.code;
    validate_code(&code)?;
    let code_hash = code_hash(&code);

    let client = ctx.pool.get().await?;
    let id = Uuid::new_v4();
    tracing::Span::current().record("submission_id", tracing::field::display(id));
    // One statement, one round trip, atomic: find the assignment's current
    // version and any final verdict this exact code got against it; insert the
    // submission either queued or with that verdict reused; on a reused pass,
    // record the completion. No row back means no such assignment.
    let statement = client.prepare_cached(CREATE_SUBMISSION).await?;
    let row = client
        .query_opt(&statement, &[&id, &user_id, &assignment_id, &code, &code_hash])
        .await
        .map_err(|e| match e.code() {
            Some(c) if *c == SqlState::UNIQUE_VIOLATION => ApiError::new(
                StatusCode::CONFLICT,
                "already_grading",
                "you already have a submission waiting for its verdict; wait for it before submitting again",
            ),
            // A genuine token for a learner this database does not know (it was reset).
            Some(c) if *c == SqlState::FOREIGN_KEY_VIOLATION => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unknown_user",
                "this learner does not exist; create a new one",
            ),
            _ => e.into(),
        })?
        .ok_or_else(|| ApiError::not_found("assignment"))?;
    let submission = submission_from_row(&row)?;
    let reused = !submission.status.in_flight();

    let list_key = ctx.names.submission_list_cache(user_id, assignment_id);
    let status = if reused {
        ctx.metrics.submissions.with_label_values(&["reused"]).inc();
        ctx.cache.bump_generation(&list_key).await;
        StatusCode::OK
    } else {
        ctx.metrics.submissions.with_label_values(&["queued"]).inc();
        // Both go out together on the one multiplexed Redis connection.
        tokio::join!(
            enqueue(ctx, &client, id),
            ctx.cache.bump_generation(&list_key)
        );
        StatusCode::ACCEPTED
    };
    Ok(json(
        status,
        &Envelope {
            submission: &submission,
        },
    ))
}

/// Pushes a committed submission onto the stream. Postgres already holds it,
/// so a failure here loses nothing: the row is marked for the reconciler.
async fn enqueue(ctx: &AppContext, client: &deadpool_postgres::Object, id: Uuid) {
    if let Err(e) = ctx.jobs.enqueue_job(id).await {
        tracing::warn!(error = %e, "stream push failed; the reconciler will retry");
        let marked = client
            .execute(
                "UPDATE submissions SET enqueued_at = NULL WHERE id = $1 AND status = 'queued'",
                &[&id],
            )
            .await;
        if let Err(e) = marked {
            // Still safe: the reconciler also re-pushes anything queued and absent.
            tracing::warn!(error = %e, "could not mark the submission for the reconciler");
        }
    }
}

async fn read(ctx: &AppContext, auth: Option<&str>, raw_id: &str) -> Result<Response, ApiError> {
    let user_id = ctx.authenticate(auth)?;
    let id = parse_submission_id(raw_id)?;
    let client = ctx.pool.get().await?;
    let statement = client
        .prepare_cached(&format!(
            "SELECT {SUBMISSION_COLUMNS} FROM submissions WHERE id = $1 AND user_id = $2"
        ))
        .await?;
    let row = client
        .query_opt(&statement, &[&id, &user_id])
        .await?
        .ok_or_else(|| ApiError::not_found("submission"))?;
    Ok(json(
        StatusCode::OK,
        &Envelope {
            submission: &submission_from_row(&row)?,
        },
    ))
}

async fn list(ctx: &AppContext, auth: Option<&str>, raw_id: &str) -> Result<Response, ApiError> {
    let user_id = ctx.authenticate(auth)?;
    let assignment_id = parse_assignment_id(raw_id)?;
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

async fn delete(ctx: &AppContext, auth: Option<&str>, raw_id: &str) -> Result<Response, ApiError> {
    let user_id = ctx.authenticate(auth)?;
    let id = parse_submission_id(raw_id)?;
    let client = ctx.pool.get().await?;
    // One statement: the status check and the delete cannot be split by a grader.
    let row = client
        .query_opt(
            "WITH target AS (
                 SELECT id, assignment_id, status FROM submissions
                 WHERE id = $1 AND user_id = $2),
             gone AS (
                 DELETE FROM submissions s USING target t
                 WHERE s.id = t.id AND t.status NOT IN ('queued', 'grading')
                 RETURNING s.id)
             SELECT t.assignment_id, (SELECT count(*) FROM gone) FROM target t",
            &[&id, &user_id],
        )
        .await?
        .ok_or_else(|| ApiError::not_found("submission"))?;
    let assignment_id: i32 = row.get(0);
    let deleted: i64 = row.get(1);
    if deleted == 0 {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "being_graded",
            "this submission is waiting for or under grading; delete it once it has its verdict",
        ));
    }
    ctx.cache
        .bump_generation(&ctx.names.submission_list_cache(user_id, assignment_id))
        .await;
    Ok(warp::reply::with_status(warp::reply::reply(), StatusCode::NO_CONTENT).into_response())
}
