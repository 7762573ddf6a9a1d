//! Who is calling: the token checks, as filters a route declares. Each hands
//! its handler a typed caller ([`Learner`], [`Staff`], [`CourseStaff`],
//! [`Instructor`], or a [`Reader`] whose right to read the enrolment rule
//! decides), so no route reads the `Authorization` header itself.
//!
//! A filter yields `Result<caller, ApiError>` and never rejects: a route whose
//! path matched answers 401/403/404 itself rather than falling through to
//! another route, and its handler takes the caller (`caller?`) first, before
//! it reads a byte of the body (`crate::body`).

use service::token::{Role, StaffClaims};
use uuid::Uuid;
use warp::path::FullPath;
use warp::Filter;

use crate::catalog::Course;
use crate::context::AppContext;
use crate::error::ApiError;
use domain::codes::Code;

/// A caller of type `T`, or why the request does not name one.
pub type Caller<T> = Result<T, ApiError>;

/// A learner whose token is genuine.
#[derive(Clone, Copy, Debug)]
pub struct Learner {
    pub id: Uuid,
}

/// A member of staff of any course, signed in (token genuine and unexpired).
#[derive(Clone, Debug)]
pub struct Staff(pub StaffClaims);

/// A member of staff of the course the path names (`/api/courses/{c}/…`).
#[derive(Clone, Debug)]
pub struct CourseStaff(pub StaffClaims);

/// An instructor of the course the path names: tutors read, instructors write.
#[derive(Clone, Debug)]
pub struct Instructor(pub StaffClaims);

macro_rules! claims_deref {
    ($($t:ty),*) => {$(
        impl std::ops::Deref for $t {
            type Target = StaffClaims;
            fn deref(&self) -> &StaffClaims {
                &self.0
            }
        }
    )*};
}
claims_deref!(Staff, CourseStaff, Instructor);

/// Whoever asks to read a course's assignments: anyone for an open course,
/// else its staff or members (`crate::enrolment::may_read` decides). The
/// header is verified only if the course asks.
pub struct Reader {
    header: Option<String>,
}

impl Reader {
    /// Is the caller staff of `course`?
    pub fn is_staff_of(&self, ctx: &AppContext, course: &Course) -> bool {
        staff_of(ctx, self.header.as_deref(), Some(&course.slug)).is_ok()
    }

    /// The learner the caller is, if their token is genuine.
    pub fn learner(&self, ctx: &AppContext) -> Caller<Learner> {
        learner_of(ctx, self.header.as_deref())
    }
}

/// The learner an `Authorization: Bearer` token names.
pub fn learner(
    ctx: AppContext,
) -> impl Filter<Extract = (Caller<Learner>,), Error = std::convert::Infallible> + Clone {
    authorization().map(move |auth: Option<String>| learner_of(&ctx, auth.as_deref()))
}

/// Any course's member of staff.
pub fn staff(
    ctx: AppContext,
) -> impl Filter<Extract = (Caller<Staff>,), Error = std::convert::Infallible> + Clone {
    authorization()
        .map(move |auth: Option<String>| staff_of(&ctx, auth.as_deref(), None).map(Staff))
}

/// Staff of the course in the path; anyone else's token gets 404, as if the
/// course were not there.
pub fn course_staff(
    ctx: AppContext,
) -> impl Filter<Extract = (Caller<CourseStaff>,), Error = std::convert::Infallible> + Clone {
    authorization()
        .and(warp::path::full())
        .map(move |auth: Option<String>, path: FullPath| {
            staff_of(&ctx, auth.as_deref(), Some(course_in(&path))).map(CourseStaff)
        })
}

/// An instructor of the course in the path: a tutor of it gets 403
/// `instructor_only`, anyone else what [`course_staff`] answers.
pub fn instructor(
    ctx: AppContext,
) -> impl Filter<Extract = (Caller<Instructor>,), Error = std::convert::Infallible> + Clone {
    course_staff(ctx).map(|staff: Caller<CourseStaff>| {
        let CourseStaff(claims) = staff?;
        if claims.role != Role::Instructor {
            return Err(ApiError::new(
                Code::InstructorOnly,
                "only an instructor of this course may change it; tutors read",
            ));
        }
        Ok(Instructor(claims))
    })
}

/// An integration acting in the course the path names
/// (`/api/integrations/courses/{c}/…`): its request's token checked
/// (`crate::integrations`) and its `jti` used for the first time.
#[derive(Clone, Debug)]
pub struct IntegrationCaller {
    pub name: String,
    pub course: String,
}

/// The integration a signed request comes from.
pub fn integration(
    ctx: AppContext,
) -> impl Filter<Extract = (Caller<IntegrationCaller>,), Error = std::convert::Infallible> + Clone {
    authorization()
        .and(warp::path::full())
        .then(move |auth: Option<String>, path: FullPath| {
            let ctx = ctx.clone();
            async move { integration_of(&ctx, auth.as_deref(), &path).await }
        })
}

async fn integration_of(
    ctx: &AppContext,
    header: Option<&str>,
    path: &FullPath,
) -> Caller<IntegrationCaller> {
    use crate::integrations::Refused;
    let course = path
        .as_str()
        .strip_prefix("/api/integrations/courses/")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or("");
    let token = bearer(header).ok_or_else(|| {
        ApiError::new(
            Code::Unauthorized,
            "a signed request needs 'Authorization: Bearer <JWT>'",
        )
    })?;
    let checked = ctx
        .integrations
        .check(token, course, ctx.clock.now().timestamp())
        .map_err(|refused| match refused {
            Refused::Token(why) => ApiError::new(Code::Unauthorized, why),
            Refused::Course(why) => ApiError::new(Code::OtherCourse, why),
        })?;
    if !crate::integrations::first_use(&ctx.pool, &checked).await? {
        return Err(ApiError::new(
            Code::ReplayedToken,
            "this token was used already: sign each request anew (a new jti)",
        ));
    }
    Ok(IntegrationCaller {
        name: checked.integration,
        course: checked.course,
    })
}

/// A reader of a course's assignments.
pub fn reader() -> impl Filter<Extract = (Reader,), Error = std::convert::Infallible> + Clone {
    authorization().map(|header| Reader { header })
}

/// The `Authorization` header, if any and if it is text.
fn authorization(
) -> impl Filter<Extract = (Option<String>,), Error = std::convert::Infallible> + Clone {
    warp::header::optional::<String>("authorization")
        .or(warp::any().map(|| None))
        .unify()
}

/// The course segment of `/api/courses/{c}/…`. warp hands path parameters on
/// as they are written (not percent-decoded), so this is the same text the
/// route's own `String` parameter holds.
fn course_in(path: &FullPath) -> &str {
    let rest = path.as_str().strip_prefix("/api/courses/").unwrap_or("");
    rest.split('/').next().unwrap_or("")
}

fn bearer(header: Option<&str>) -> Option<&str> {
    header
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim)
}

fn learner_of(ctx: &AppContext, header: Option<&str>) -> Caller<Learner> {
    bearer(header)
        .and_then(|token| ctx.signer.verify(token))
        .map(|id| Learner { id })
        .ok_or_else(ApiError::unauthorized)
}

/// Staff whose token is genuine and unexpired; with `course`, only staff of
/// that course (anyone else gets 404).
fn staff_of(ctx: &AppContext, header: Option<&str>, course: Option<&str>) -> Caller<StaffClaims> {
    let now = ctx.clock.now().timestamp();
    let claims = bearer(header)
        .and_then(|token| ctx.signer.verify_staff(token, now))
        .ok_or_else(ApiError::unauthorized)?;
    match course {
        Some(slug) if ctx.catalog().by_slug(slug).map(|c| c.id) != Some(claims.course_id) => {
            Err(ApiError::not_found("course"))
        }
        _ => Ok(claims),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a course filter checks is the course the route's handler was given.
    #[tokio::test]
    async fn the_course_checked_is_the_routes_own_parameter() {
        let route = warp::path!("api" / "courses" / String / "class").and(warp::path::full());
        for uri in [
            "/api/courses/intro/class",
            "/api/courses/a%2Fb/class",
            "/api/courses/%69ntro/class",
        ] {
            let (param, full) = warp::test::request()
                .path(uri)
                .filter(&route)
                .await
                .unwrap();
            assert_eq!(course_in(&full), param, "{uri}");
        }
        let other = warp::test::request()
            .path("/api/staff/me")
            .filter(&warp::path::full())
            .await
            .unwrap();
        assert_eq!(course_in(&other), "");
    }
}
