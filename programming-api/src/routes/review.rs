//! `GET /api/courses/{c}/submissions/{id}`: any submission of the course, for
//! its own staff: the code, the learner's feedback, who sent it (their name
//! and number, if they gave them) and what the learner never sees, the
//! hidden tests' names and messages.

use serde::Serialize;
use uuid::Uuid;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::Filter;

use domain::work::{Submission, TestOutcome};
use store::db::{submission_from_row, SUBMISSION_COLUMNS};

use super::{json, parse_submission_id, respond, with_ctx};
use crate::caller::{self, Caller, CourseStaff};
use crate::context::AppContext;
use crate::error::ApiError;

pub fn routes(
    ctx: AppContext,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    warp::path!("api" / "courses" / String / "submissions" / String)
        .and(warp::get())
        .and(with_ctx(ctx.clone()))
        .and(caller::course_staff(ctx.clone()))
        .then(
            |_course: String, id: String, ctx: AppContext, caller: Caller<CourseStaff>| async move {
                respond(review(&ctx, caller, &id).await)
            },
        )
}

#[derive(Serialize)]
struct Review {
    submission: Submission,
    user_id: Uuid,
    display_name: Option<String>,
    student_number: Option<String>,
    hidden_tests: Vec<TestOutcome>,
}

async fn review(
    ctx: &AppContext,
    caller: Caller<CourseStaff>,
    raw_id: &str,
) -> Result<Response, ApiError> {
    let claims = caller?;
    let id = parse_submission_id(raw_id)?;
    let client = ctx.pool.get().await?;
    let row = client
        .query_opt(
            &format!(
                "SELECT {SUBMISSION_COLUMNS}, user_id, display_name, student_number,
                        hidden_details
                 FROM (SELECT s.*, u.display_name, u.student_number
                       FROM submissions s
                       JOIN assignments a ON a.id = s.assignment_id
                       JOIN users u ON u.id = s.user_id
                       WHERE s.id = $1 AND a.course_id = $2) s"
            ),
            &[&id, &claims.course_id],
        )
        .await?
        .ok_or_else(|| ApiError::not_found("submission"))?;
    let hidden: Option<serde_json::Value> = row.try_get("hidden_details")?;
    Ok(json(
        StatusCode::OK,
        &Review {
            submission: submission_from_row(&row)?,
            user_id: row.try_get("user_id")?,
            display_name: row.try_get("display_name")?,
            student_number: row.try_get("student_number")?,
            hidden_tests: hidden
                .and_then(|v| serde_json::from_value(v).ok())
                .unwrap_or_default(),
        },
    ))
}
