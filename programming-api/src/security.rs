//! Headers every response carries. Learner content (names, code, printed
//! output, exception messages) reaches other people's pages, staff's above
//! all; the pages show it as text, and this policy is the second wall: no
//! script or style but the site's own files runs, the page connects only to
//! this site and its gateway, and no other site may frame it, except that
//! the LMSs registered for LTI may frame the pages a launch opens (a route
//! marks those [`Frameable`]), and a deep-linking answer may post its form
//! to its LMS ([`FormTarget`]).

use warp::http::{header, HeaderValue};
use warp::reply::Response;

/// The port the page finds the gateway on when `WS_PUBLIC_URL` is not set
/// (`ui/js/app.js` uses the same default).
const GATEWAY_PORT: u16 = 8081;

/// Marks a response as a page an LTI launch opens: the registered LMSs'
/// origins may frame it. Set by the route; read here alone.
#[derive(Clone, Copy, Debug)]
pub struct Frameable;

/// Marks a response whose form posts to this origin (an LMS's deep-linking
/// return): `form-action` allows it.
#[derive(Clone, Debug)]
pub struct FormTarget(pub String);

/// The headers every response gets, the policy built once where it can be.
#[derive(Clone)]
pub struct Policy {
    /// The gateway's origin, when configured.
    gateway: Option<String>,
    /// With a configured gateway the usual policy is the same for every request.
    fixed: Option<HeaderValue>,
    /// Who may frame a [`Frameable`] page: the registered LMSs' origins.
    framers: Vec<String>,
}

impl Policy {
    /// `gateway` is the gateway's public origin when configured; otherwise
    /// each response allows the page's own host on the gateway's port, from
    /// the request's `Host`. `framers` are origins (checked URLs' origins).
    pub fn new(gateway: Option<&str>, framers: Vec<String>) -> Self {
        Self {
            gateway: gateway.map(str::to_owned),
            fixed: gateway.and_then(|origin| value(&format!("'self' {origin}"), "'none'", "")),
            framers,
        }
    }

    /// Adds the policy and its companions to `response`.
    pub fn apply(&self, mut response: Response, host: Option<&str>) -> Response {
        let framed = response.extensions().get::<Frameable>().is_some() && !self.framers.is_empty();
        let form_target = response
            .extensions()
            .get::<FormTarget>()
            .map(|t| t.0.clone());
        let policy = if framed || form_target.is_some() {
            let ancestors = if framed {
                self.framers.join(" ")
            } else {
                "'none'".to_owned()
            };
            value(
                &self.connect(host),
                &ancestors,
                form_target.as_deref().unwrap_or(""),
            )
        } else {
            self.fixed
                .clone()
                .or_else(|| value(&self.connect(host), "'none'", ""))
        };
        let headers = response.headers_mut();
        if let Some(policy) = policy {
            headers.insert(header::CONTENT_SECURITY_POLICY, policy);
        }
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        // A framed page has frame-ancestors alone: X-Frame-Options knows no
        // list of origins.
        if !framed {
            headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        }
        response
    }

    /// `connect-src`: this site and its gateway.
    fn connect(&self, host: Option<&str>) -> String {
        match (&self.gateway, host.and_then(host_name)) {
            (Some(origin), _) => format!("'self' {origin}"),
            (None, Some(host)) => {
                format!("'self' ws://{host}:{GATEWAY_PORT} wss://{host}:{GATEWAY_PORT}")
            }
            (None, None) => "'self'".to_owned(),
        }
    }
}

/// The Content-Security-Policy with `connect` as its `connect-src`,
/// `ancestors` as its `frame-ancestors`, and `form_target` beside `'self'`
/// in `form-action`.
fn value(connect: &str, ancestors: &str, form_target: &str) -> Option<HeaderValue> {
    let form = if form_target.is_empty() {
        "'self'".to_owned()
    } else {
        format!("'self' {form_target}")
    };
    HeaderValue::from_str(&format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         font-src 'self'; connect-src {connect}; base-uri 'none'; form-action {form}; \
         frame-ancestors {ancestors}"
    ))
    .ok()
}

/// The host part of a `Host` header, when it is a plain name or address
/// (anything else could smuggle words into the policy).
fn host_name(host: &str) -> Option<&str> {
    let name = if host.starts_with('[') {
        &host[..=host.find(']')?]
    } else {
        host.rsplit_once(':').map_or(host, |(name, _port)| name)
    };
    let plain = !name.is_empty()
        && name.len() <= 253
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'[' | b']' | b':'));
    plain.then_some(name)
}

/// The origin (`scheme://host[:port]`) of a configured gateway URL, checked
/// at start so a typo is a start-up error rather than a silent block.
pub fn gateway_origin(url: &str) -> Result<String, String> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| format!("WS_PUBLIC_URL {url:?} is not a URL"))?;
    if !matches!(scheme, "ws" | "wss") {
        return Err(format!(
            "WS_PUBLIC_URL {url:?} must start with ws:// or wss://"
        ));
    }
    let authority = rest.split('/').next().unwrap_or_default();
    if host_name(authority).is_none()
        || !authority
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'[' | b']' | b':'))
    {
        return Err(format!("WS_PUBLIC_URL {url:?} has no plain host"));
    }
    Ok(format!("{scheme}://{authority}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_plain_host_reaches_the_policy() {
        assert_eq!(host_name("example.org:8080"), Some("example.org"));
        assert_eq!(host_name("127.0.0.1"), Some("127.0.0.1"));
        assert_eq!(host_name("[::1]:8080"), Some("[::1]"));
        for bad in ["", "a b", "x; script-src *", "evil.org'", ":80"] {
            assert_eq!(host_name(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_gateway_url_gives_its_origin() {
        assert_eq!(
            gateway_origin("wss://ws.example.org/ws").unwrap(),
            "wss://ws.example.org"
        );
        assert_eq!(
            gateway_origin("ws://127.0.0.1:41234/ws").unwrap(),
            "ws://127.0.0.1:41234"
        );
        for bad in ["http://x/ws", "ws://", "x", "ws://a b/ws", "ws://x;y/"] {
            assert!(gateway_origin(bad).is_err(), "{bad:?}");
        }
    }
}
