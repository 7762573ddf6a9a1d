//! Deep linking (LTI Deep Linking 2.0): an instructor's launch asks what a
//! new link should open; the tool shows the course's assignments, and the
//! pick goes back to the LMS as a signed `LtiDeepLinkingResponse` holding
//! one `ltiResourceLink` (custom `assignment=<slug>`, and a line item of
//! `scoreMaximum` 100 when the platform offers grade passback). A request
//! is picked from once, within [`REQUEST_TTL_SECS`].

use domain::codes::Code;
use serde::Deserialize;
use serde_json::json;
use warp::reply::Response;

use super::claims::Launch;
use super::launch::Refused;
use super::pages::{self, Choice};
use super::platforms::Platform;
use super::{logins, Lti};
use crate::catalog::Course;
use crate::context::AppContext;
use crate::error::ApiError;

const REQUEST_TTL_SECS: f64 = 3600.0;
/// How long the signed answer is good for.
const RESPONSE_TTL_SECS: i64 = 300;
const SCORE_SCOPE: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/score";

/// The picker's form post.
#[derive(Debug, Deserialize)]
pub struct Pick {
    pub request: String,
    pub assignment: String,
}

/// Keeps the request and shows the picker.
pub async fn offer(
    ctx: &AppContext,
    _lti: &Lti,
    platform: &Platform,
    launch: &Launch,
    course: &Course,
) -> Result<Response, Refused> {
    let settings = launch
        .claims
        .deep_linking
        .as_ref()
        .expect("claims::verify requires the settings of a deep-linking launch");
    if !settings.accept_types.is_empty()
        && !settings.accept_types.iter().any(|t| t == "ltiResourceLink")
    {
        return Err(ApiError::new(
            Code::UnsupportedLaunch,
            "the LMS does not accept a resource link here, the only thing this tool offers",
        )
        .into());
    }
    let line_items = launch
        .claims
        .ags
        .as_ref()
        .is_some_and(|a| a.scope.iter().any(|s| s == SCORE_SCOPE));
    let id = logins::random_token();
    let client = ctx.pool.get().await.map_err(ApiError::from)?;
    client
        .execute(
            "DELETE FROM lti_deep_links WHERE created_at < now() - make_interval(secs => $1)",
            &[&REQUEST_TTL_SECS],
        )
        .await
        .map_err(ApiError::from)?;
    client
        .execute(
            "INSERT INTO lti_deep_links (id, issuer, client_id, deployment_id, course_id,
                                         return_url, data, line_items)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &id,
                &platform.issuer,
                &platform.client_id,
                &launch.deployment_id,
                &course.id,
                &settings.deep_link_return_url,
                &settings.data,
                &line_items,
            ],
        )
        .await
        .map_err(ApiError::from)?;
    let rows = client
        .query(
            "SELECT slug, position, title FROM assignments
             WHERE course_id = $1 AND position IS NOT NULL ORDER BY position",
            &[&course.id],
        )
        .await
        .map_err(ApiError::from)?;
    let listed: Vec<(String, i32, String)> = rows
        .iter()
        .map(|r| (r.get("slug"), r.get("position"), r.get("title")))
        .collect();
    let choices: Vec<Choice<'_>> = listed
        .iter()
        .map(|(slug, position, title)| Choice {
            slug,
            position: *position,
            title,
        })
        .collect();
    Ok(pages::picker(&course.title, &id, &choices))
}

/// Takes the request once and answers with the signed pick.
pub async fn pick(ctx: &AppContext, lti: &Lti, pick: Pick) -> Result<Response, ApiError> {
    let used = || {
        ApiError::new(
            Code::InvalidState,
            "this choice was made already, or is too old: start again from the LMS",
        )
    };
    // Ids are made like states: anything else is refused before Postgres.
    if !logins::plausible_state(&pick.request) || pick.assignment.contains('\0') {
        return Err(used());
    }
    let client = ctx.pool.get().await?;
    let request = client
        .query_opt(
            "DELETE FROM lti_deep_links
             WHERE id = $1 AND created_at >= now() - make_interval(secs => $2)
             RETURNING issuer, client_id, deployment_id, course_id, return_url, data, line_items",
            &[&pick.request, &REQUEST_TTL_SECS],
        )
        .await?
        .ok_or_else(used)?;
    let course_id: i32 = request.get("course_id");
    let chosen = client
        .query_opt(
            "SELECT slug, title FROM assignments
             WHERE course_id = $1 AND slug = $2 AND position IS NOT NULL",
            &[&course_id, &pick.assignment],
        )
        .await?
        .ok_or_else(|| {
            ApiError::new(
                Code::UnknownLink,
                format!("the course has no assignment {:?}", pick.assignment),
            )
        })?;
    let (slug, title): (String, String) = (chosen.get("slug"), chosen.get("title"));
    let mut item = json!({
        "type": "ltiResourceLink",
        "title": title,
        "url": lti.launch_url(),
        "custom": { "assignment": slug },
    });
    if request.get::<_, bool>("line_items") {
        item["lineItem"] = json!({ "scoreMaximum": domain::course::ASSIGNMENT_POINTS, "label": title, "resourceId": slug });
    }
    let now = ctx.clock.now().timestamp();
    let issuer: String = request.get("issuer");
    let client_id: String = request.get("client_id");
    let mut claims = json!({
        "iss": client_id,
        "aud": issuer,
        "iat": now,
        "exp": now + RESPONSE_TTL_SECS,
        "nonce": logins::random_token(),
        "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiDeepLinkingResponse",
        "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": request.get::<_, String>("deployment_id"),
        "https://purl.imsglobal.org/spec/lti-dl/claim/content_items": [item],
    });
    if let Some(data) = request.get::<_, Option<serde_json::Value>>("data") {
        claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] = data;
    }
    let jwt = lti.keys.sign(&claims).map_err(|e| {
        tracing::error!(error = %e, "signing a deep-linking response failed");
        ApiError::internal()
    })?;
    Ok(pages::deep_link_return(
        &request.get::<_, String>("return_url"),
        &jwt,
    ))
}
