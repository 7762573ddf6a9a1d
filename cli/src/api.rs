//! The public HTTP API, as the page uses it. Its JSON errors become clear
//! messages; anything else (a proxy's error page, no answer at all) says
//! what happened.

use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use domain::published::{Assignment, AssignmentSummary};
use serde::de::DeserializeOwned;
use serde_json::Value;

pub struct Api {
    http: reqwest::Client,
    pub server: String,
    token: Option<String>,
}

/// `server` as a base URL: http(s), no trailing slash.
pub fn normalise(server: &str) -> anyhow::Result<String> {
    let usage = || {
        crate::Usage(format!(
            "{server:?}: give the server as http://host[:port] or https://host"
        ))
    };
    let url = reqwest::Url::parse(server).map_err(|_| usage())?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(usage().into());
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

impl Api {
    pub fn new(server: &str, token: Option<String>) -> anyhow::Result<Self> {
        Ok(Self {
            http: reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(10))
                .timeout(Duration::from_secs(60))
                .build()?,
            server: server.to_owned(),
            token,
        })
    }

    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    pub async fn get(&self, path: &str) -> anyhow::Result<Value> {
        self.send(self.http.get(self.url(path))).await
    }

    /// `path`'s answer read as `T`: an answer of another shape (an older
    /// or a foreign server) says which answer it was.
    pub async fn get_as<T: DeserializeOwned>(&self, path: &str) -> anyhow::Result<T> {
        let answer = self.get(path).await?;
        serde_json::from_value(answer).with_context(|| {
            format!(
                "{}{path} answered in a shape this client does not read",
                self.server
            )
        })
    }

    pub async fn post(&self, path: &str, body: Option<&Value>) -> anyhow::Result<Value> {
        let mut req = self.http.post(self.url(path));
        if let Some(body) = body {
            req = req.json(body);
        }
        self.send(req).await
    }

    /// `body` posted as it is, with its content type (a course's archive).
    pub async fn post_bytes(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> anyhow::Result<Value> {
        let req = self
            .http
            .post(self.url(path))
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body);
        self.send(req).await
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server)
    }

    async fn send(&self, mut req: reqwest::RequestBuilder) -> anyhow::Result<Value> {
        if let Some(token) = &self.token {
            req = req.bearer_auth(token);
        }
        let res = req
            .send()
            .await
            .map_err(|e| anyhow!("cannot reach {}: {}", self.server, root_cause(&e)))?;
        let status = res.status();
        let retry = res
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let text = res
            .text()
            .await
            .map_err(|e| anyhow!("the answer from {} broke off: {e}", self.server))?;
        if status.is_success() {
            return serde_json::from_str(&text).with_context(|| {
                format!("{} answered {status} with something not JSON", self.server)
            });
        }
        Err(refusal(status, &text, retry.as_deref()))
    }

    /// The course's assignments (the default course when None).
    pub async fn assignments(
        &self,
        course: Option<&str>,
    ) -> anyhow::Result<Vec<AssignmentSummary>> {
        let path = match course {
            Some(c) => format!("/api/courses/{c}/assignments"),
            None => "/api/assignments".to_owned(),
        };
        self.get_as(&path).await
    }

    /// The assignment `slug` of the course, whole.
    pub async fn assignment_by_slug(
        &self,
        course: Option<&str>,
        slug: &str,
    ) -> anyhow::Result<Assignment> {
        let list = self.assignments(course).await?;
        let Some(found) = list.iter().find(|a| a.slug == slug) else {
            let known: Vec<&str> = list.iter().map(|a| a.slug.as_str()).collect();
            bail!(
                "no assignment {slug:?} in this course; it has: {}",
                known.join(", ")
            );
        };
        self.get_as(&format!("/api/assignments/{}", found.id)).await
    }

    /// Whether anything answers HTTP at the server (any status will do).
    pub async fn answers(&self) -> bool {
        self.http.get(self.url("/healthz")).send().await.is_ok()
    }

    /// The gateway's socket URL, as the page finds it: the page's
    /// `ws-url` meta tag when the server sets one, else port 8081 of the
    /// server's host. None for a plain `ws://` gateway of an `https`
    /// server: the token goes in the socket's address, so never in clear
    /// text when the server itself is reached over TLS (then the client
    /// polls).
    pub async fn gateway_url(&self) -> Option<String> {
        let page = match self.http.get(self.url("/")).send().await {
            Ok(res) => res.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        pick_gateway(&self.server, &page)
    }
}

/// The message for a refusal or a failure: the server's own JSON error
/// where there is one.
fn refusal(status: reqwest::StatusCode, body: &str, retry: Option<&str>) -> anyhow::Error {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let error = parsed.as_ref().map(|v| &v["error"]);
    let (code, message) = match error {
        Some(e) if e["message"].is_string() => (
            e["code"].as_str().unwrap_or("error").to_owned(),
            e["message"].as_str().unwrap_or_default().to_owned(),
        ),
        _ => {
            let snippet: String = body.chars().take(200).collect();
            ("http_error".to_owned(), snippet.trim().to_owned())
        }
    };
    let wait = retry
        .map(|s| format!(" (try again in {s} s)"))
        .unwrap_or_default();
    if status.is_server_error() {
        anyhow!("the server failed (HTTP {status}, {code}): {message}{wait}")
    } else {
        anyhow!("refused (HTTP {status}, {code}): {message}{wait}")
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// The gateway for `server` given its page (see [`Api::gateway_url`]).
fn pick_gateway(server: &str, page: &str) -> Option<String> {
    let server = reqwest::Url::parse(server).ok()?;
    let secure = server.scheme() == "https";
    let url = meta_ws_url(page).unwrap_or_else(|| {
        let scheme = if secure { "wss" } else { "ws" };
        format!(
            "{scheme}://{}:8081/ws",
            server.host_str().unwrap_or("localhost")
        )
    });
    (!secure || url.starts_with("wss://")).then_some(url)
}

/// The `content` of `<meta name="ws-url" content="...">`, unescaped.
fn meta_ws_url(page: &str) -> Option<String> {
    let start =
        page.find(r#"<meta name="ws-url" content=""#)? + r#"<meta name="ws-url" content=""#.len();
    let end = start + page[start..].find('"')?;
    Some(
        page[start..end]
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_are_normalised_and_bad_ones_refused() {
        assert_eq!(
            normalise("http://127.0.0.1:8080/").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            normalise("https://code.example.org").unwrap(),
            "https://code.example.org"
        );
        for bad in ["127.0.0.1:8080", "ftp://x", "not a url"] {
            assert!(normalise(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_token_never_goes_to_a_plain_socket_of_a_tls_server() {
        let page = |url: &str| format!("<head>\n  <meta name=\"ws-url\" content=\"{url}\">");
        assert_eq!(
            pick_gateway(
                "https://code.example.org",
                &page("ws://live.example.org/ws")
            ),
            None
        );
        assert_eq!(
            pick_gateway(
                "https://code.example.org",
                &page("wss://live.example.org/ws")
            )
            .unwrap(),
            "wss://live.example.org/ws"
        );
        assert_eq!(
            pick_gateway("https://code.example.org", "").unwrap(),
            "wss://code.example.org:8081/ws"
        );
        assert_eq!(
            pick_gateway("http://127.0.0.1:8080", "").unwrap(),
            "ws://127.0.0.1:8081/ws"
        );
    }

    #[test]
    fn the_gateway_is_read_from_the_page() {
        let page = "<html><head>\n  <meta name=\"ws-url\" content=\"wss://live.example.org/ws?a=1&amp;b=2\">";
        assert_eq!(
            meta_ws_url(page).unwrap(),
            "wss://live.example.org/ws?a=1&b=2"
        );
        assert_eq!(meta_ws_url("<html><head>"), None);
    }

    #[test]
    fn errors_say_what_the_server_said_or_what_came_back() {
        let json = r#"{"error":{"code":"rate_limited","message":"too many test runs"}}"#;
        let e = refusal(reqwest::StatusCode::TOO_MANY_REQUESTS, json, Some("7")).to_string();
        assert_eq!(e, "refused (HTTP 429 Too Many Requests, rate_limited): too many test runs (try again in 7 s)");
        let e = refusal(
            reqwest::StatusCode::BAD_GATEWAY,
            "<h1>Bad Gateway</h1>",
            None,
        )
        .to_string();
        assert!(
            e.starts_with("the server failed (HTTP 502 Bad Gateway"),
            "{e}"
        );
        assert!(e.contains("<h1>Bad Gateway</h1>"), "{e}");
    }
}
