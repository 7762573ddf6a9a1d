//! A launch, from the platform's form post to the page it opens: the
//! login it answers (once, from this browser), the token's checks, the
//! course its context maps to, the user it is here, and where they land.
//! A launch acts only in the course of its own context.

use domain::codes::Code;
use service::token::StaffClaims;
use uuid::Uuid;
use warp::reply::Response;

use super::claims::{self, Launch, Message, Refusal};
use super::links::{self, LinkKey};
use super::pages::{self, Keep};
use super::roles::{course_role, CourseRole};
use super::{deep_links, identity, logins, Lti};
use crate::catalog::Course;
use crate::context::AppContext;
use crate::error::ApiError;

/// The launch's form post.
#[derive(Debug, serde::Deserialize)]
pub struct LaunchForm {
    pub id_token: String,
    pub state: String,
}

/// A refusal, with what a person can do about it.
pub struct Refused {
    pub error: ApiError,
    pub advice: Option<String>,
    /// Begin the same login again in a new window (the frame lost the cookie).
    pub retry: Option<String>,
}

impl From<ApiError> for Refused {
    fn from(error: ApiError) -> Self {
        Self {
            error,
            advice: None,
            retry: None,
        }
    }
}

impl From<Refusal> for Refused {
    fn from(r: Refusal) -> Self {
        let code = match r {
            Refusal::Token(_) | Refusal::Replayed => Code::InvalidLaunch,
            Refusal::Platform(_) => Code::UnknownPlatform,
            Refusal::Incomplete(_) | Refusal::Unsupported(_) => Code::UnsupportedLaunch,
        };
        ApiError::new(code, r.to_string()).into()
    }
}

pub async fn launch(
    ctx: &AppContext,
    lti: &Lti,
    form: LaunchForm,
    state_cookie: Option<&str>,
) -> Result<Response, Refused> {
    let login = logins::take(&ctx.pool, &form.state)
        .await
        .map_err(ApiError::from)?
        .ok_or_else(|| {
            ApiError::new(
                Code::InvalidState,
                "this launch's sign-in was used already, or is too old: open the activity again",
            )
        })?;
    if !login.bound_to(state_cookie) {
        return Err(Refused {
            error: ApiError::new(
                Code::InvalidState,
                "this browser did not begin this sign-in (its cookie is missing or different)",
            ),
            advice: Some(
                "Inside the LMS's frame your browser may refuse codeplatform's cookie. \
                 Open it in a new window instead."
                    .into(),
            ),
            retry: Some(lti.login_again_url(&login)),
        });
    }
    let platform = lti
        .platforms
        .find(&login.issuer, Some(&login.client_id))
        .ok_or_else(|| {
            ApiError::new(
                Code::UnknownPlatform,
                "the platform is no longer registered",
            )
        })?;
    let kid = claims::kid(&form.id_token)?;
    let key = lti
        .platform_keys
        .key(&platform.jwks_url, kid.as_deref())
        .await
        .map_err(|e| ApiError::new(Code::InvalidLaunch, e.to_string()))?;
    let now = ctx.clock.now().timestamp();
    let launch = claims::verify(&form.id_token, &key, platform, &login.nonce, now)?;
    let catalog = ctx.catalog();
    let course = lti
        .course_of(platform, &launch.context_id, &catalog)
        .ok_or_else(|| unknown_context(platform.issuer.as_str(), &launch))?;
    let role = course_role(&launch.claims.roles).ok_or_else(|| {
        ApiError::new(
            Code::UnknownRole,
            "the launch has no role this tool knows (Instructor, Administrator, \
             TeachingAssistant or Learner)",
        )
    })?;
    match (launch.message, role) {
        (Message::DeepLinking, CourseRole::Staff(service::token::Role::Instructor)) => {
            deep_links::offer(ctx, lti, platform, &launch, course).await
        }
        (Message::DeepLinking, _) => Err(ApiError::new(
            Code::InstructorOnly,
            "only an instructor may choose what a link opens",
        )
        .into()),
        (Message::ResourceLink, CourseRole::Learner) => {
            learner_lands(ctx, platform, &launch, course).await
        }
        (Message::ResourceLink, CourseRole::Staff(staff_role)) => {
            staff_lands(ctx, platform, &launch, course, staff_role).await
        }
    }
}

/// 403 `unknown_context`: an instructor is told how to map it.
fn unknown_context(issuer: &str, launch: &Launch) -> Refused {
    let staff = matches!(
        course_role(&launch.claims.roles),
        Some(CourseRole::Staff(_))
    );
    Refused {
        error: ApiError::new(
            Code::UnknownContext,
            format!(
                "this LMS course (context {:?}) is not mapped to a course here",
                launch.context_id
            ),
        ),
        advice: staff.then(|| {
            format!(
                "Ask the operator to add the line \"{}\" = \"<course slug>\" under \
                 [platform.contexts] of the platform with issuer {issuer} in the file \
                 LTI_PLATFORMS names, and to restart the API.",
                launch.context_id
            )
        }),
        retry: None,
    }
}

/// The assignment a resource link opens, in `course` only: from the
/// launch's custom `assignment=<slug>`, else from what the link opened
/// before. None: the link opens the course.
async fn linked_assignment(
    ctx: &AppContext,
    key: &LinkKey<'_>,
    launch: &Launch,
    course: &Course,
) -> Result<Option<i32>, ApiError> {
    if let Some(slug) = launch.custom("assignment") {
        let client = ctx.pool.get().await?;
        let found = client
            .query_opt(
                "SELECT id FROM assignments
                 WHERE course_id = $1 AND slug = $2 AND position IS NOT NULL",
                &[&course.id, &slug],
            )
            .await?
            .map(|r| r.get::<_, i32>("id"));
        return found.map(Some).ok_or_else(|| {
            ApiError::new(
                Code::UnknownLink,
                format!(
                    "the link opens assignment {slug:?}, which course {:?} does not have",
                    course.slug
                ),
            )
        });
    }
    let before = links::assignment_of(&ctx.pool, key).await?;
    // A link's course is its context's: one that opened another course's
    // assignment before opens nothing of it now.
    Ok(before.filter(|id| {
        ctx.catalog()
            .course_of(*id)
            .is_some_and(|c| c.id == course.id)
    }))
}

fn link_key<'a>(
    platform: &'a super::platforms::Platform,
    launch: &'a Launch,
) -> Option<LinkKey<'a>> {
    Some(LinkKey {
        issuer: &platform.issuer,
        client_id: &platform.client_id,
        deployment_id: &launch.deployment_id,
        resource_link_id: &launch.claims.resource_link.as_ref()?.id,
    })
}

async fn learner_lands(
    ctx: &AppContext,
    platform: &super::platforms::Platform,
    launch: &Launch,
    course: &Course,
) -> Result<Response, Refused> {
    // What the link opens is settled first: a launch refused for it makes
    // no learner.
    let key = link_key(platform, launch);
    let assignment = match &key {
        Some(key) => linked_assignment(ctx, key, launch, course).await?,
        None => None,
    };
    let profile = identity::Profile {
        name: launch
            .claims
            .name
            .as_deref()
            .and_then(crate::routes::users::display_name_from_lms),
        student_number: launch
            .claims
            .lis
            .as_ref()
            .and_then(|l| l.person_sourcedid.as_deref())
            .filter(|_| course.lti_student_number)
            .and_then(crate::routes::users::student_number_from_lms),
    };
    let user_id: Uuid = identity::learner(
        &ctx.pool,
        &platform.issuer,
        &launch.subject,
        course.id,
        &profile,
    )
    .await
    .map_err(ApiError::from)?;
    let mut to = format!("/c/{}", course.slug);
    if let (Some(key), Some(assignment)) = (&key, assignment) {
        links::record(&ctx.pool, platform, key, launch, assignment, Some(user_id))
            .await
            .map_err(ApiError::from)?;
        to = format!("{to}#/a/{assignment}");
    }
    let token = ctx.signer.sign(user_id);
    Ok(pages::landing(
        Keep::Learner,
        "codeplatform.token",
        &token,
        &to,
    ))
}

async fn staff_lands(
    ctx: &AppContext,
    platform: &super::platforms::Platform,
    launch: &Launch,
    course: &Course,
    role: service::token::Role,
) -> Result<Response, Refused> {
    let staff_id = identity::staff(
        &ctx.pool,
        &platform.issuer,
        &launch.subject,
        course.id,
        role,
    )
    .await
    .map_err(ApiError::from)?;
    if let Some(key) = link_key(platform, launch) {
        if let Some(assignment) = linked_assignment(ctx, &key, launch, course).await? {
            links::record(&ctx.pool, platform, &key, launch, assignment, None)
                .await
                .map_err(ApiError::from)?;
        }
    }
    let now = ctx.clock.now();
    let expires_at =
        now + chrono::Duration::from_std(ctx.staff_token_ttl).unwrap_or(chrono::Duration::hours(8));
    let claims = StaffClaims {
        staff_id,
        course_id: course.id,
        role,
        expires_at: expires_at.timestamp(),
    };
    // The staff pages' session, as `POST /api/staff/sessions` answers it.
    let session = serde_json::json!({
        "token": ctx.signer.sign_staff(&claims),
        "role": role.as_str(),
        "course": course.slug,
        "expires_at": expires_at,
    });
    Ok(pages::landing(
        Keep::Staff,
        "codeplatform.staff",
        &session.to_string(),
        "/staff",
    ))
}
