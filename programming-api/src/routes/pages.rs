//! The pages and the files under the UI folder: `/` and `/c/{course}` answer
//! the learner's page, `/staff` the staff pages, each told the gateway's URL
//! when one is configured; every other file is served as it is.
//!
//! Everything is read once, when the routes are built: a request only looks
//! a path up in memory (no file system, so no path to traverse). Each file
//! carries an ETag (a request that has it gets 304), a Cache-Control (the
//! vendored libraries a day, the site's own files revalidated every time, so
//! a deploy is seen at once), and a gzip copy for clients that accept it.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use sha2::{Digest, Sha256};
use warp::http::{header, HeaderValue, StatusCode};
use warp::reply::Response;
use warp::{Filter, Rejection};

/// Files this small are sent as they are: gzip would save next to nothing.
const COMPRESS_FROM: usize = 1024;

/// One file, ready to send.
struct Asset {
    body: Bytes,
    gzip: Option<Bytes>,
    content_type: &'static str,
    etag: HeaderValue,
    cache: &'static str,
}

impl Asset {
    fn new(body: Vec<u8>, content_type: &'static str, cache: &'static str) -> Self {
        let digest = Sha256::digest(&body);
        let etag = HeaderValue::from_str(&format!("\"{}\"", hex::encode(&digest[..12])))
            .expect("hex is a header value");
        let gzip = (body.len() >= COMPRESS_FROM && compressible(content_type)).then(|| {
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            encoder.write_all(&body).expect("writing to memory");
            Bytes::from(encoder.finish().expect("writing to memory"))
        });
        Self {
            body: body.into(),
            gzip,
            content_type,
            etag,
            cache,
        }
    }

    fn reply(&self, accept_encoding: Option<&str>, if_none_match: Option<&str>) -> Response {
        let mut response = if if_none_match.is_some_and(|tags| matches_etag(tags, &self.etag)) {
            let mut r = Response::new(Default::default());
            *r.status_mut() = StatusCode::NOT_MODIFIED;
            r
        } else {
            match (&self.gzip, accepts_gzip(accept_encoding)) {
                (Some(gzip), true) => {
                    let mut r = Response::new(gzip.clone().into());
                    r.headers_mut()
                        .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                    r
                }
                _ => Response::new(self.body.clone().into()),
            }
        };
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        headers.insert(header::ETAG, self.etag.clone());
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(self.cache));
        if self.gzip.is_some() {
            headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
        response
    }
}

/// The UI, read into memory.
struct Ui {
    index: Asset,
    staff: Asset,
    files: HashMap<String, Asset>,
}

pub fn routes(
    ui_dir: PathBuf,
    ws_url: Option<String>,
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone {
    let ui = Arc::new(load(&ui_dir, ws_url.as_deref()));
    warp::get()
        .and(warp::path::full())
        .and(warp::header::optional::<String>("accept-encoding"))
        .and(warp::header::optional::<String>("if-none-match"))
        .and_then(
            move |path: warp::path::FullPath, encoding: Option<String>, tags: Option<String>| {
                let ui = ui.clone();
                async move {
                    let (asset, page) =
                        ui.find(path.as_str()).ok_or_else(warp::reject::not_found)?;
                    let mut response = asset.reply(encoding.as_deref(), tags.as_deref());
                    if page {
                        // An LTI launch lands on the pages: its LMS may frame them.
                        response.extensions_mut().insert(crate::security::Frameable);
                    }
                    Ok::<_, Rejection>(response)
                }
            },
        )
}

impl Ui {
    /// The asset at `path`, and whether it is one of the pages.
    fn find(&self, path: &str) -> Option<(&Asset, bool)> {
        match path.strip_prefix('/')? {
            "" => Some((&self.index, true)),
            "staff" => Some((&self.staff, true)),
            page if page
                .strip_prefix("c/")
                .is_some_and(|c| !c.is_empty() && !c.contains('/')) =>
            {
                Some((&self.index, true))
            }
            file => self.files.get(file).map(|asset| (asset, false)),
        }
    }
}

/// Reads every file under `dir`. A page that cannot be read stops the start.
fn load(dir: &Path, ws_url: Option<&str>) -> Ui {
    let page = |name: &str| {
        let path = dir.join(name);
        let html = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("the page {} cannot be read: {e}", path.display()));
        Asset::new(
            with_gateway(html, ws_url).into_bytes(),
            "text/html; charset=utf-8",
            REVALIDATE,
        )
    };
    let mut files = HashMap::new();
    read_tree(dir, dir, &mut files);
    files.insert(VERDICT_TABLE.into(), verdict_table());
    Ui {
        index: page("index.html"),
        staff: page("staff.html"),
        files,
    }
}

/// The verdicts' names and texts, in the order they win, as a module the
/// page imports: made from `domain::verdict::TABLE`, the one the grader
/// judges by and the terminal client prints, never written by hand.
const VERDICT_TABLE: &str = "js/verdict-table.js";

fn verdict_table() -> Asset {
    let rows = serde_json::to_string(&domain::verdict::TABLE).expect("the table is JSON");
    let module = format!(
        "// Made by the API from domain/src/verdict.rs: the verdicts, in the order they win.\n\
         export const VERDICTS = {rows};\n"
    );
    Asset::new(module.into_bytes(), content_type(VERDICT_TABLE), REVALIDATE)
}

/// The site's own files: always asked again (an ETag makes that a 304).
const REVALIDATE: &str = "no-cache";
/// Libraries copied from Debian packages change only with the package.
const LIBRARY: &str = "public, max-age=86400";

fn read_tree(root: &Path, dir: &Path, out: &mut HashMap<String, Asset>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            read_tree(root, &path, out);
            continue;
        }
        let (Ok(relative), Ok(body)) = (path.strip_prefix(root), std::fs::read(&path)) else {
            continue;
        };
        let relative = relative.to_string_lossy().replace('\\', "/");
        let cache = if relative.starts_with("vendor/") {
            LIBRARY
        } else {
            REVALIDATE
        };
        let asset = Asset::new(body, content_type(&relative), cache);
        out.insert(relative, asset);
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("txt") | None => "text/plain; charset=utf-8",
        Some(_) => "application/octet-stream",
    }
}

fn compressible(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || content_type == "image/svg+xml"
        || content_type == "application/json"
}

/// Whether `Accept-Encoding` takes gzip (and does not refuse it with q=0).
fn accepts_gzip(accept: Option<&str>) -> bool {
    accept.is_some_and(|a| {
        a.split(',').any(|part| {
            let mut bits = part.split(';').map(str::trim);
            matches!(bits.next(), Some("gzip" | "*"))
                && !bits.any(|p| p.replace(' ', "") == "q=0" || p.replace(' ', "") == "q=0.0")
        })
    })
}

fn matches_etag(tags: &str, etag: &HeaderValue) -> bool {
    let etag = etag.to_str().unwrap_or_default();
    tags.split(',')
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == etag || t == "*")
}

/// The page, told the gateway's URL (when configured) in a meta tag.
fn with_gateway(html: String, ws_url: Option<&str>) -> String {
    match ws_url {
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
    }
}

/// `text` safe inside a double-quoted attribute.
fn escape_attribute(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_sent_only_to_clients_that_take_it() {
        for (header, takes) in [
            (Some("gzip, deflate, br"), true),
            (Some("br;q=1.0, gzip;q=0.8"), true),
            (Some("*"), true),
            (Some("gzip;q=0"), false),
            (Some("br"), false),
            (Some("identity"), false),
            (None, false),
        ] {
            assert_eq!(accepts_gzip(header), takes, "{header:?}");
        }
    }

    #[test]
    fn only_a_plain_course_address_is_the_page() {
        let ui = Ui {
            index: Asset::new(b"index".to_vec(), "text/html; charset=utf-8", REVALIDATE),
            staff: Asset::new(b"staff".to_vec(), "text/html; charset=utf-8", REVALIDATE),
            files: HashMap::new(),
        };
        for path in ["/", "/c/intro", "/staff"] {
            assert!(ui.find(path).is_some(), "{path}");
        }
        for path in ["/c/", "/c/intro/x", "/../etc/passwd", "/js/nope.js", ""] {
            assert!(ui.find(path).is_none(), "{path}");
        }
    }
}
