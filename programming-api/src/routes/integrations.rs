//! The signed integration API (`crate::integrations`): another system
//! submits its users' work, each request signed, and reads the verdicts.
//!
//! - `POST /api/integrations/courses/{c}/assignments/{slug}/learners/{external_id}/submissions`
//!   `{"code"}` or `{"notebook"}`: a submission from that learner of the
//!   integration (made and enrolled on first use, always the same one after),
//!   under the same rules and limits as a learner's own, in the
//!   integration's own lane.
//! - `GET /api/integrations/courses/{c}/submissions/{id}`: one of them.

use std::net::IpAddr;

use domain::codes::Code;

use store::db::{hold_columns, hold_from_row, submission_from_row, SUBMISSION_COLUMNS};
use warp::http::StatusCode;
use warp::reply::Response;
use warp::Filter;

use super::{client, json, parse_submission_id, respond, with_ctx};
use crate::body::{self, Body};
use crate::caller::{self, Caller, IntegrationCaller};
use crate::context::AppContext;
use crate::error::ApiError;
use crate::handin::{self, HandIn};

/// The longest external id a learner may have.
const MAX_EXTERNAL_ID: usize = 255;

pub fn routes(
    ctx: AppContext,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let submit = warp::path!(
        "api"
            / "integrations"
            / "courses"
            / String
            / "assignments"
            / String
            / "learners"
            / String
            / "submissions"
    )
    .and(warp::post())
    .and(with_ctx(ctx.clone()))
    .and(client())
    .and(caller::integration(ctx.clone()))
    .and(body::json_up_to::<HandIn>(
        ctx.admission.clone(),
        handin::MAX_BODY_BYTES,
    ))
    .then(
        |_course: String,
         slug: String,
         learner: String,
         ctx: AppContext,
         client: IpAddr,
         caller: Caller<IntegrationCaller>,
         body: Body<HandIn>| async move {
            respond(submit(&ctx, client, caller, &slug, &learner, body).await)
        },
    );
    let read =
        warp::path!("api" / "integrations" / "courses" / String / "submissions" / String)
            .and(warp::get())
            .and(with_ctx(ctx.clone()))
            .and(caller::integration(ctx))
            .then(
                |_course: String,
                 id: String,
                 ctx: AppContext,
                 caller: Caller<IntegrationCaller>| async move {
                    respond(read(&ctx, caller, &id).await)
                },
            );
    submit.or(read).unify()
}

async fn submit(
    ctx: &AppContext,
    client: IpAddr,
    caller: Caller<IntegrationCaller>,
    slug: &str,
    external_id: &str,
    body: Body<HandIn>,
) -> Result<Response, ApiError> {
    let caller = caller?;
    let catalog = ctx.catalog();
    let course = catalog
        .by_slug(&caller.course)
        .ok_or_else(|| ApiError::not_found("course"))?;
    let assignment_id = {
        let client = ctx.pool.get().await?;
        client
            .query_opt(
                "SELECT id FROM assignments
                 WHERE course_id = $1 AND slug = $2 AND position IS NOT NULL",
                &[&course.id, &slug],
            )
            .await?
            .map(|r| r.get::<_, i32>("id"))
            .ok_or_else(|| ApiError::not_found("assignment"))?
    };
    let code = handin::text_for(ctx.kind_of(assignment_id)?, body.read().await?)?;
    // warp hands the path segment on as written: `a%40b` is `a@b`.
    let decoded = percent_encoding::percent_decode_str(external_id).decode_utf8();
    let external_id: &str = &decoded
        .map_err(|_| ApiError::new(Code::InvalidId, "a learner's external id must be UTF-8"))?;
    if external_id.is_empty()
        || external_id.chars().count() > MAX_EXTERNAL_ID
        || external_id.chars().any(char::is_control)
    {
        return Err(ApiError::new(
            Code::InvalidId,
            format!("a learner's external id is 1 to {MAX_EXTERNAL_ID} characters, without control characters"),
        ));
    }
    let user_id = crate::external::learner(
        &ctx.pool,
        &format!("integration:{}", caller.name),
        external_id,
        course.id,
        &Default::default(),
    )
    .await?;
    super::submissions::hand_in(
        ctx,
        client,
        user_id,
        assignment_id,
        &code,
        queue::jobs::lane_of(&format!("integration:{}", caller.name)),
    )
    .await
}

async fn read(
    ctx: &AppContext,
    caller: Caller<IntegrationCaller>,
    raw_id: &str,
) -> Result<Response, ApiError> {
    let caller = caller?;
    let id = parse_submission_id(raw_id)?;
    let client = ctx.pool.get().await?;
    let row = client
        .query_opt(
            &format!(
                "SELECT {SUBMISSION_COLUMNS}, {} FROM submissions
                 WHERE id = $1
                   AND user_id IN (SELECT user_id FROM external_learners
                                   WHERE source = 'integration:' || $2)
                   AND assignment_id IN (SELECT a.id FROM assignments a
                                         JOIN courses c ON c.id = a.course_id
                                         WHERE c.slug = $3)",
                hold_columns("$4")
            ),
            &[&id, &caller.name, &caller.course, &ctx.clock.now()],
        )
        .await?
        .ok_or_else(|| ApiError::not_found("submission"))?;
    // The integration speaks for the learner: it reads what they may see.
    let submission = submission_from_row(&row)?.as_learner_sees(hold_from_row(&row)?);
    Ok(json(
        StatusCode::OK,
        &serde_json::json!({ "submission": submission }),
    ))
}
