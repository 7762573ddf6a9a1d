//! The HTML an LTI exchange answers with: the landing page that keeps a
//! sign-in where the learner's or the staff page keeps it and goes there,
//! the deep-linking picker, the form that carries the pick back to the
//! LMS, and refusals for people. Every value is escaped; the script is
//! the site's own (`ui/js/lti.js`), as the Content-Security-Policy wants.

use warp::http::{header, HeaderValue, StatusCode};
use warp::reply::Response;

use crate::error::ApiError;
use crate::security::{FormTarget, Frameable};

/// Text or an attribute value, escaped for HTML.
fn esc(text: &str) -> String {
    ammonia::clean_text(text)
}

fn page(status: StatusCode, title: &str, main: &str) -> Response {
    let body = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} · codeplatform</title>\n<link rel=\"stylesheet\" href=\"/style.css\">\n\
         <script type=\"module\" src=\"/js/lti.js\"></script>\n</head>\n<body>\n\
         <main class=\"lti\">\n{main}\n</main>\n</body>\n</html>\n",
        esc(title)
    );
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    // A page carrying a token is never kept by a cache.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response.extensions_mut().insert(Frameable);
    response
}

/// Where a sign-in is kept: the learner's page keeps its token in
/// localStorage, the staff pages their session in sessionStorage.
pub enum Keep {
    Learner,
    Staff,
}

/// Keeps `value` under `key` as the page for `keep` does, then goes to `to`.
pub fn landing(keep: Keep, key: &str, value: &str, to: &str) -> Response {
    let store = match keep {
        Keep::Learner => "local",
        Keep::Staff => "session",
    };
    page(
        StatusCode::OK,
        "Opening",
        &format!(
            "<div id=\"lti-landing\" data-store=\"{store}\" data-key=\"{}\" data-value=\"{}\" \
             data-to=\"{}\">\n<p>Opening <a href=\"{}\">codeplatform</a>…</p>\n</div>",
            esc(key),
            esc(value),
            esc(to),
            esc(to)
        ),
    )
}

/// One assignment to offer in the picker.
pub struct Choice<'a> {
    pub slug: &'a str,
    pub position: i32,
    pub title: &'a str,
}

/// The deep-linking picker: each assignment a button
/// (`data-assignment="<slug>"`) posting the pick with the request's id.
pub fn picker(course_title: &str, request: &str, choices: &[Choice<'_>]) -> Response {
    let buttons: String = choices
        .iter()
        .map(|c| {
            format!(
                "<li><button type=\"submit\" name=\"assignment\" value=\"{slug}\" \
                 data-assignment=\"{slug}\">{}. {}</button></li>\n",
                c.position,
                esc(c.title),
                slug = esc(c.slug)
            )
        })
        .collect();
    page(
        StatusCode::OK,
        "Add an assignment",
        &format!(
            "<h1>Add an assignment of {}</h1>\n<p>Pick the assignment this link opens. \
             Its points go to the LMS's gradebook.</p>\n\
             <form method=\"post\" action=\"/lti/deep-link\">\n\
             <input type=\"hidden\" name=\"request\" value=\"{}\">\n<ul class=\"lti-picks\">\n{buttons}</ul>\n</form>",
            esc(course_title),
            esc(request)
        ),
    )
}

/// The pick, signed, posted back to the LMS by the page's script (or its
/// button, without scripts).
pub fn deep_link_return(return_url: &str, jwt: &str) -> Response {
    let mut response = page(
        StatusCode::OK,
        "Returning to the LMS",
        &format!(
            "<form id=\"lti-return\" method=\"post\" action=\"{}\">\n\
             <input type=\"hidden\" name=\"JWT\" value=\"{}\">\n\
             <p><button type=\"submit\">Return to the LMS</button></p>\n</form>",
            esc(return_url),
            esc(jwt)
        ),
    );
    if let Some(origin) = reqwest::Url::parse(return_url)
        .ok()
        .map(|u| u.origin().ascii_serialization())
    {
        response.extensions_mut().insert(FormTarget(origin));
    }
    response
}

/// A refusal for a person: the same code and status as the JSON one, and
/// what to do. `retry` offers to begin the login again in a new window,
/// where a frame could not keep the state cookie.
pub fn refusal(error: &ApiError, advice: Option<&str>, retry: Option<&str>) -> Response {
    let advice = advice
        .map(|a| format!("<p>{}</p>\n", esc(a)))
        .unwrap_or_default();
    let retry = retry
        .map(|url| {
            format!(
                "<p><a href=\"{}\" target=\"_blank\" rel=\"opener\">Open codeplatform in a new window</a></p>\n",
                esc(url)
            )
        })
        .unwrap_or_default();
    page(
        error.status(),
        "Cannot open codeplatform",
        &format!(
            "<h1>Cannot open codeplatform</h1>\n<p id=\"lti-error\" data-code=\"{}\">{}</p>\n{advice}{retry}",
            error.code.as_str(),
            esc(&error.message)
        ),
    )
}
