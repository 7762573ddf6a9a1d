//! The LTI 1.3 routes (`crate::lti`): `GET|POST /lti/login` (third-party
//! initiated login), `POST /lti/launch`, `GET /lti/jwks` (also
//! `/.well-known/jwks.json`), `POST /lti/deep-link` (an instructor's
//! pick), and `GET /api/courses/{c}/lti/scores` (the scores still owed to
//! the course's LMSs, for its staff). With LTI off they answer 404 `not_found`. A refusal is its JSON
//! error, or a page saying why for a browser, and never carries a token.

use std::net::IpAddr;

use domain::codes::Code;
use serde::Deserialize;
use warp::http::{header, HeaderValue, StatusCode};
use warp::reply::Response;
use warp::Filter;

use super::{client, cookies, json, respond, with_ctx};
use crate::body::{self, Body};
use crate::caller::{self, Caller, CourseStaff};
use crate::context::AppContext;
use crate::error::ApiError;
use crate::lti::launch::{LaunchForm, Refused};
use crate::lti::{deep_links, launch, logins, pages, Lti};

/// The largest form an LMS posts here (an id_token of a few KiB).
const FORM_LIMIT: usize = 64 * 1024;

pub fn routes(
    ctx: AppContext,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let deliveries = warp::path!("api" / "courses" / String / "lti" / "scores")
        .and(warp::get())
        .and(with_ctx(ctx.clone()))
        .and(caller::course_staff(ctx.clone()))
        .then(
            |_course: String, ctx: AppContext, caller: Caller<CourseStaff>| async move {
                respond(deliveries(&ctx, caller).await)
            },
        );
    login_routes(ctx.clone())
        .or(exchange_routes(ctx))
        .unify()
        .or(deliveries)
        .unify()
}

/// The course's scores still owed to its LMSs, for its staff.
async fn deliveries(ctx: &AppContext, caller: Caller<CourseStaff>) -> Result<Response, ApiError> {
    let staff = caller?;
    lti_of(ctx)?;
    let owed = crate::lti::passback::deliveries(ctx, staff.course_id).await?;
    Ok(json(StatusCode::OK, &owed))
}

/// The request's `Accept`, to answer a browser with a page.
fn accept() -> impl Filter<Extract = (Option<String>,), Error = std::convert::Infallible> + Copy {
    warp::header::optional::<String>("accept")
        .or(warp::any().map(|| None))
        .unify()
}

/// `GET|POST /lti/login`.
fn login_routes(
    ctx: AppContext,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let login_get = warp::path!("lti" / "login")
        .and(warp::get())
        .and(with_ctx(ctx.clone()))
        .and(client())
        .and(warp::query::raw().or(warp::any().map(String::new)).unify())
        .and(accept())
        .then(
            |ctx: AppContext, client: IpAddr, query: String, accept: Option<String>| async move {
                let params = serde_urlencoded::from_str::<LoginParams>(&query).map_err(|e| {
                    ApiError::new(
                        Code::InvalidLogin,
                        format!("the login request is incomplete: {e}"),
                    )
                });
                answer(accept.as_deref(), begin_login(&ctx, client, params).await)
            },
        );
    let login_post =
        warp::path!("lti" / "login")
            .and(warp::post())
            .and(with_ctx(ctx.clone()))
            .and(client())
            .and(body::form_up_to::<LoginParams>(
                ctx.admission.clone(),
                FORM_LIMIT,
            ))
            .and(accept())
            .then(
                |ctx: AppContext,
                 client: IpAddr,
                 body: Body<LoginParams>,
                 accept: Option<String>| async move {
                    let params = body.read().await.map_err(|e| ApiError {
                        code: Code::InvalidLogin,
                        ..e
                    });
                    answer(accept.as_deref(), begin_login(&ctx, client, params).await)
                },
            );
    login_get.or(login_post).unify()
}

/// `POST /lti/launch`, the JWKS and `POST /lti/deep-link`.
fn exchange_routes(
    ctx: AppContext,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let launch = warp::path!("lti" / "launch")
        .and(warp::post())
        .and(with_ctx(ctx.clone()))
        .and(body::form_up_to::<LaunchForm>(
            ctx.admission.clone(),
            FORM_LIMIT,
        ))
        .and(cookies())
        .and(accept())
        .then(
            |ctx: AppContext,
             body: Body<LaunchForm>,
             cookies: Option<String>,
             accept: Option<String>| async move {
                let (result, state) = take_launch(&ctx, body, cookies.as_deref()).await;
                let mut response = answer(accept.as_deref(), result);
                // The login is used (or refused): its cookie goes too.
                if let (Some(lti), Some(state)) = (ctx.lti.as_deref(), state) {
                    response
                        .headers_mut()
                        .append(header::SET_COOKIE, state_cookie(lti, &state, "", 0));
                }
                response
            },
        );
    let jwks = warp::path!("lti" / "jwks")
        .or(warp::path!(".well-known" / "jwks.json"))
        .unify()
        .and(warp::get())
        .and(with_ctx(ctx.clone()))
        .map(|ctx: AppContext| {
            respond(lti_of(&ctx).map(|lti| json(StatusCode::OK, &lti.keys.jwks())))
        });
    let admission = ctx.admission.clone();
    let pick = warp::path!("lti" / "deep-link")
        .and(warp::post())
        .and(with_ctx(ctx))
        .and(body::form_up_to::<deep_links::Pick>(admission, FORM_LIMIT))
        .and(accept())
        .then(
            |ctx: AppContext, body: Body<deep_links::Pick>, accept: Option<String>| async move {
                let result = async {
                    let lti = lti_of(&ctx)?;
                    let pick = body.read().await?;
                    deep_links::pick(&ctx, lti, pick).await
                }
                .await;
                answer(accept.as_deref(), result.map_err(Refused::from))
            },
        );
    launch.or(jwks).unify().or(pick).unify()
}

fn lti_of(ctx: &AppContext) -> Result<&Lti, ApiError> {
    ctx.lti
        .as_deref()
        .ok_or_else(|| ApiError::new(Code::NotFound, "LTI is not set up on this server"))
}

/// A page for a browser (it accepts HTML), the JSON error for anything else.
fn answer(accept: Option<&str>, result: Result<Response, Refused>) -> Response {
    match result {
        Ok(response) => response,
        Err(refused) if accept.is_some_and(|a| a.contains("text/html")) => pages::refusal(
            &refused.error,
            refused.advice.as_deref(),
            refused.retry.as_deref(),
        ),
        Err(refused) => refused.error.into_response(),
    }
}

/// OIDC's login initiation (LTI Core 1.3 §4.1 and the Security Framework §5.1.1).
#[derive(Debug, Deserialize)]
struct LoginParams {
    iss: String,
    login_hint: String,
    target_link_uri: String,
    lti_message_hint: Option<String>,
    client_id: Option<String>,
    lti_deployment_id: Option<String>,
}

async fn begin_login(
    ctx: &AppContext,
    client: IpAddr,
    params: Result<LoginParams, ApiError>,
) -> Result<Response, Refused> {
    let lti = lti_of(ctx)?;
    let p = params?;
    ctx.admission.lti_login(client)?;
    check_hints(&p)?;
    let platform = lti
        .platforms
        .find(&p.iss, p.client_id.as_deref())
        .ok_or_else(|| {
            ApiError::new(
                Code::UnknownPlatform,
                "no platform with this issuer (and client id) is registered here",
            )
        })?;
    if p.lti_deployment_id
        .as_ref()
        .is_some_and(|d| !platform.deployment_ids.contains(d))
    {
        return Err(
            ApiError::new(Code::UnknownPlatform, "the deployment is not registered").into(),
        );
    }
    if !p.target_link_uri.starts_with(&format!("{}/", lti.tool_url)) {
        return Err(ApiError::new(Code::InvalidLogin, "the target link is not this tool's").into());
    }
    let begun = logins::begin(
        &ctx.pool,
        &logins::LoginRequest {
            issuer: &platform.issuer,
            client_id: &platform.client_id,
            login_hint: &p.login_hint,
            lti_message_hint: p.lti_message_hint.as_deref(),
            target_link_uri: &p.target_link_uri,
        },
    )
    .await
    .map_err(ApiError::from)?;
    let to = authorization_url(lti, platform, &p, &begun);
    let mut response = Response::new(Default::default());
    *response.status_mut() = StatusCode::FOUND;
    let headers = response.headers_mut();
    headers.insert(
        header::LOCATION,
        HeaderValue::from_str(to.as_str()).map_err(|_| ApiError::internal())?,
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::SET_COOKIE,
        state_cookie(
            lti,
            &begun.state,
            &begun.browser_secret,
            logins::LOGIN_TTL_SECS,
        ),
    );
    Ok(response)
}

/// Hints and target within [`logins::MAX_HINT_BYTES`] and without NUL: a
/// login is a row for ten minutes.
fn check_hints(p: &LoginParams) -> Result<(), ApiError> {
    let too_long = [
        Some(&p.login_hint),
        p.lti_message_hint.as_ref(),
        Some(&p.target_link_uri),
    ]
    .into_iter()
    .flatten()
    .any(|v| v.len() > logins::MAX_HINT_BYTES || v.contains('\0'));
    if too_long {
        return Err(ApiError::new(
            Code::InvalidLogin,
            format!(
                "a login's hints and target are at most {} bytes, without NUL",
                logins::MAX_HINT_BYTES
            ),
        ));
    }
    Ok(())
}

/// OIDC's authentication request to `platform` (the form-post flow LTI
/// 1.3 uses), for the login `begun`.
fn authorization_url(
    lti: &Lti,
    platform: &crate::lti::platforms::Platform,
    p: &LoginParams,
    begun: &logins::Begun,
) -> reqwest::Url {
    let mut to = reqwest::Url::parse(&platform.auth_url).expect("checked when registered");
    {
        let mut q = to.query_pairs_mut();
        q.append_pair("scope", "openid")
            .append_pair("response_type", "id_token")
            .append_pair("response_mode", "form_post")
            .append_pair("prompt", "none")
            .append_pair("client_id", &platform.client_id)
            .append_pair("redirect_uri", &lti.launch_url())
            .append_pair("login_hint", &p.login_hint)
            .append_pair("state", &begun.state)
            .append_pair("nonce", &begun.nonce);
        if let Some(hint) = &p.lti_message_hint {
            q.append_pair("lti_message_hint", hint);
        }
    }
    to
}

/// The state cookie: sent back to the launch route only, unreadable by
/// scripts, gone with the login. Across sites (the LMS's frame or form
/// post) a cookie needs `SameSite=None; Secure`; on a plain-http loopback
/// tool, where `Secure` cannot be, `Lax` (loopback ports are one site).
fn state_cookie(lti: &Lti, state: &str, value: &str, max_age: i64) -> HeaderValue {
    let secure = lti.secure();
    let same_site = if secure {
        "SameSite=None; Secure"
    } else {
        "SameSite=Lax"
    };
    HeaderValue::from_str(&format!(
        "{}={value}; Path={}; Max-Age={max_age}; HttpOnly; {same_site}",
        logins::cookie_name(secure, state),
        logins::cookie_path(secure),
    ))
    .expect("a cookie of URL-safe characters")
}

/// The launch's outcome, and its state where it names a plausible one
/// (whose cookie is then cleared).
async fn take_launch(
    ctx: &AppContext,
    body: Body<LaunchForm>,
    cookies: Option<&str>,
) -> (Result<Response, Refused>, Option<String>) {
    let lti = match lti_of(ctx) {
        Ok(lti) => lti,
        Err(e) => return (Err(e.into()), None),
    };
    let form = match body.read().await {
        Ok(form) => form,
        Err(e) => return (Err(e.into()), None),
    };
    let state = logins::plausible_state(&form.state).then(|| form.state.clone());
    let name = logins::cookie_name(lti.secure(), &form.state);
    let secret = crate::sign_in::cookie(cookies, &name).map(str::to_owned);
    (
        launch::launch(ctx, lti, form, secret.as_deref()).await,
        state,
    )
}
