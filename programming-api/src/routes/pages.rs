//! The pages: `/` and `/c/{course}` answer the learner's page, `/staff` the
//! staff pages, each told the gateway's URL when one is configured; every
//! other file under the UI folder is served as it is.

use std::path::PathBuf;

use warp::filters::fs::File;
use warp::http::{header, HeaderValue};
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use crate::error::ApiError;

pub fn routes(
    ui_dir: PathBuf,
    ws_url: Option<String>,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    let index = ui_dir.join("index.html");
    let staff_html = ui_dir.join("staff.html");
    let staff_url = ws_url.clone();
    let staff = warp::get().and(warp::path!("staff")).then(move || {
        let (html, ws_url) = (staff_html.clone(), staff_url.clone());
        async move { page(&html, ws_url.as_deref()).await }
    });
    let page_paths = warp::path::end()
        .or(warp::path!("c" / String)
            .map(|_course: String| ())
            .untuple_one())
        .unify();
    let page = warp::get().and(page_paths).then(move || {
        let (index, ws_url) = (index.clone(), ws_url.clone());
        async move { page(&index, ws_url.as_deref()).await }
    });
    let files = warp::get()
        .and(warp::fs::dir(ui_dir))
        .map(|file: File| file.into_response());
    page.or(staff).unify().or(files).unify()
}

async fn page(index: &std::path::Path, ws_url: Option<&str>) -> Response {
    let html = match tokio::fs::read_to_string(index).await {
        Ok(html) => html,
        Err(e) => {
            tracing::error!(error = %e, path = %index.display(), "the page cannot be read");
            return ApiError::internal().into_response();
        }
    };
    let html = match ws_url {
        // Checked at start to be a plain URL; escaped all the same.
        Some(url) => html.replacen(
            "<head>",
            &format!(
                "<head>\n  <meta name=\"ws-url\" content=\"{}\">",
                escape_attribute(url)
            ),
            1,
        ),
        None => html,
    };
    let mut response = Response::new(html.into());
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

/// `text` safe inside a double-quoted attribute.
fn escape_attribute(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
