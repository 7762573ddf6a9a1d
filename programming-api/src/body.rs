//! Reading request bodies without ever rejecting into a 5xx, and without
//! letting a client make the API hold what it should not:
//!
//! - a body is read only when its handler asks ([`Body::read`]), which it
//!   does once the caller's token checks out, so no one without a token
//!   makes the API hold a byte of theirs;
//! - a `Content-Length` over the route's cap is refused before a byte is
//!   read, and a chunked body at the cap;
//! - the whole body must arrive within a deadline (`API_BODY_TIMEOUT_MS`),
//!   else 408 `body_timeout` and the connection closes;
//! - what is held is what arrived, chunk by chunk (no doubling buffer), and
//!   one address may have only so many bytes of bodies in the API at once
//!   (`API_BODY_BYTES_PER_ADDRESS`), else 429 `rate_limited`;
//! - a JSON content type (an HTML form's, for the few routes a browser
//!   posts a form to: LTI's), and parse errors that say which rule was broken.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::{Buf, Bytes, BytesMut};
use futures::{Stream, TryStreamExt};
use serde::de::DeserializeOwned;
use warp::Filter;

use crate::admission::Admission;
use crate::error::ApiError;
use domain::codes::Code;

/// The largest body read at all, where a route sets no cap of its own.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// How long a client is told to wait when its address holds too much.
const BUSY_RETRY: Duration = Duration::from_secs(5);

type Chunks = Pin<Box<dyn Stream<Item = Result<Bytes, warp::Error>> + Send>>;

/// How a body is written.
#[derive(Clone, Copy)]
enum Format {
    Json,
    /// `application/x-www-form-urlencoded`, as a browser posts a form.
    Form,
    /// `application/gzip`: a course version's `.tar.gz`, taken as bytes.
    Gzip,
}

/// A body taken as its bytes: a `.tar.gz` archive.
pub struct Gzip;

/// A request's body of type `T`, not read yet.
pub struct Body<T> {
    format: Format,
    content_type: Option<String>,
    content_length: Option<u64>,
    chunks: Option<Chunks>,
    limit: usize,
    client: IpAddr,
    admission: Arc<Admission>,
    _of: PhantomData<fn() -> T>,
}

/// The body of a request, capped at [`MAX_BODY_BYTES`], read when the handler asks.
pub fn json<T: DeserializeOwned + Send>(
    admission: Arc<Admission>,
) -> impl Filter<Extract = (Body<T>,), Error = std::convert::Infallible> + Clone {
    json_up_to(admission, MAX_BODY_BYTES)
}

/// [`json`] with a cap of `limit` bytes instead (a notebook's upload, a sign-in).
pub fn json_up_to<T: DeserializeOwned + Send>(
    admission: Arc<Admission>,
    limit: usize,
) -> impl Filter<Extract = (Body<T>,), Error = std::convert::Infallible> + Clone {
    body(admission, limit, Format::Json)
}

/// An HTML form's body, capped at `limit` bytes, read when the handler asks.
pub fn form_up_to<T: DeserializeOwned + Send>(
    admission: Arc<Admission>,
    limit: usize,
) -> impl Filter<Extract = (Body<T>,), Error = std::convert::Infallible> + Clone {
    body(admission, limit, Format::Form)
}

/// A `.tar.gz` body (`application/gzip`), capped at `limit` bytes, read
/// as bytes when the handler asks.
pub fn gzip_up_to(
    admission: Arc<Admission>,
    limit: usize,
) -> impl Filter<Extract = (Body<Gzip>,), Error = std::convert::Infallible> + Clone {
    body(admission, limit, Format::Gzip)
}

fn body<T: Send>(
    admission: Arc<Admission>,
    limit: usize,
    format: Format,
) -> impl Filter<Extract = (Body<T>,), Error = std::convert::Infallible> + Clone {
    let chunks = warp::body::stream()
        .map(boxed)
        .or(warp::any().map(|| None))
        .unify();
    warp::header::optional::<String>("content-type")
        .or(warp::any().map(|| None))
        .unify()
        .and(
            warp::header::optional::<u64>("content-length")
                .or(warp::any().map(|| None))
                .unify(),
        )
        .and(crate::routes::client())
        .and(chunks)
        .map(move |content_type, content_length, client, chunks| Body {
            format,
            content_type,
            content_length,
            chunks,
            limit,
            client,
            admission: admission.clone(),
            _of: PhantomData,
        })
}

/// The body's chunks as `Bytes` (what hyper hands over already: no copy).
fn boxed<S, B>(stream: S) -> Option<Chunks>
where
    S: Stream<Item = Result<B, warp::Error>> + Send + 'static,
    B: Buf,
{
    Some(Box::pin(
        stream.map_ok(|mut b| b.copy_to_bytes(b.remaining())),
    ))
}

impl<T: DeserializeOwned> Body<T> {
    /// Reads the body and parses it, or says which rule it broke. Call it
    /// only once the caller may send it: nothing is read before.
    pub async fn read(self) -> Result<T, ApiError> {
        let format = self.format;
        let body = self.collect().await?;
        match format {
            Format::Json => parse(&body),
            Format::Form => parse_form(&body),
            Format::Gzip => unreachable!("a gzip body is read as bytes"),
        }
    }
}

impl Body<Gzip> {
    /// Reads the body's bytes (a `.tar.gz`, not looked into here), under
    /// the same rules as every other body.
    pub async fn read_bytes(self) -> Result<Bytes, ApiError> {
        self.collect().await
    }
}

impl<T> Body<T> {
    /// The whole body, within its cap, its deadline and its address's
    /// allowance, once its content type is the route's.
    async fn collect(self) -> Result<Bytes, ApiError> {
        if self.content_length.is_some_and(|n| n > self.limit as u64) {
            return Err(too_large(self.limit));
        }
        check_content_type(self.format, self.content_type.as_deref())?;
        let chunks = self.chunks.ok_or_else(unreadable)?;
        let bodies = &self.admission.bodies;
        let mut held = bodies.hold(self.client);
        // What the client says it sends is set aside first, so a crowd of
        // half-sent bodies is refused up front, not half-way through.
        if let Some(n) = self.content_length {
            held.take(n as usize)?;
        }
        let body = tokio::time::timeout(
            bodies.deadline,
            collect_capped(chunks, self.limit, &mut held, self.content_length.is_none()),
        )
        .await
        .map_err(|_| {
            ApiError::new(
                Code::BodyTimeout,
                format!(
                    "the request body did not arrive within {} s",
                    bodies.deadline.as_secs_f64()
                ),
            )
        })??;
        Ok(body)
    }
}

/// Collects the body, refusing it as soon as it passes `limit`. Chunks are
/// kept as they arrived and joined once at the end, so what is held while a
/// body arrives is what arrived. `count` takes each chunk from the
/// address's allowance as it comes (a body of unknown length).
async fn collect_capped(
    chunks: Chunks,
    limit: usize,
    held: &mut Held<'_>,
    count: bool,
) -> Result<Bytes, ApiError> {
    let mut chunks = chunks;
    let mut parts: Vec<Bytes> = Vec::new();
    let mut len = 0;
    while let Some(chunk) = chunks.try_next().await.map_err(|_| unreadable())? {
        len += chunk.len();
        if len > limit {
            return Err(too_large(limit));
        }
        if count {
            held.take(chunk.len())?;
        }
        parts.push(chunk);
    }
    Ok(match parts.len() {
        0 => Bytes::new(),
        1 => parts.pop().expect("one part"),
        _ => {
            let mut whole = BytesMut::with_capacity(len);
            for part in parts {
                whole.extend_from_slice(&part);
            }
            whole.freeze()
        }
    })
}

/// The body deadline and how many bytes of bodies each address may have in
/// the API at once.
pub struct Bodies {
    pub deadline: Duration,
    per_address: usize,
    held: Mutex<HashMap<IpAddr, usize>>,
}

impl Bodies {
    pub fn new(deadline: Duration, per_address: usize) -> Self {
        Self {
            deadline,
            per_address,
            held: Mutex::default(),
        }
    }

    fn hold(&self, client: IpAddr) -> Held<'_> {
        Held {
            bodies: self,
            client,
            bytes: 0,
        }
    }

    /// Bytes of bodies `client` has in the API now.
    pub fn held_by(&self, client: IpAddr) -> usize {
        self.counts().get(&client).copied().unwrap_or(0)
    }

    fn counts(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, usize>> {
        self.held.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One body's share of its address's allowance; given back when dropped.
struct Held<'a> {
    bodies: &'a Bodies,
    client: IpAddr,
    bytes: usize,
}

impl Held<'_> {
    fn take(&mut self, bytes: usize) -> Result<(), ApiError> {
        let mut counts = self.bodies.counts();
        let now = counts.entry(self.client).or_default();
        if now.saturating_add(bytes) > self.bodies.per_address {
            if *now == 0 {
                counts.remove(&self.client);
            }
            return Err(ApiError::new(
                Code::RateLimited,
                "your address is sending the API more request bodies at once than it takes; \
                 try again when they are in",
            )
            .retry_after(BUSY_RETRY));
        }
        *now += bytes;
        self.bytes += bytes;
        Ok(())
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        if self.bytes == 0 {
            return;
        }
        let mut counts = self.bodies.counts();
        if let Some(now) = counts.get_mut(&self.client) {
            *now = now.saturating_sub(self.bytes);
            if *now == 0 {
                counts.remove(&self.client);
            }
        }
    }
}

fn unreadable() -> ApiError {
    ApiError::new(Code::UnreadableBody, "the request body could not be read")
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        Code::BodyTooLarge,
        format!("the request body is larger than {} KiB", limit / 1024),
    )
}

fn check_content_type(format: Format, content_type: Option<&str>) -> Result<(), ApiError> {
    let (wanted, say) = match format {
        Format::Json => (
            "application/json",
            "send the body as JSON with 'Content-Type: application/json'",
        ),
        Format::Form => (
            "application/x-www-form-urlencoded",
            "send the body as a form with 'Content-Type: application/x-www-form-urlencoded'",
        ),
        Format::Gzip => (
            "application/gzip",
            "send the course folder as a .tar.gz with 'Content-Type: application/gzip'",
        ),
    };
    let matches = content_type
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case(wanted));
    if matches {
        Ok(())
    } else {
        Err(ApiError::new(Code::UnsupportedMediaType, say))
    }
}

fn parse_form<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_urlencoded::from_bytes(body).map_err(|e| {
        ApiError::new(
            Code::InvalidBody,
            format!("the form does not have the expected fields: {e}"),
        )
    })
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if std::str::from_utf8(body).is_err() {
        return Err(ApiError::new(
            Code::InvalidUtf8,
            "the request body is not valid UTF-8",
        ));
    }
    serde_json::from_slice(body).map_err(|e| {
        use serde_json::error::Category;
        match e.classify() {
            Category::Data => ApiError::new(
                Code::InvalidBody,
                format!("the JSON does not have the expected shape: {e}"),
            ),
            _ => ApiError::new(
                Code::MalformedJson,
                format!("the body is not valid JSON: {e}"),
            ),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Sample {
        code: String,
    }

    fn code_of(ct: Option<&str>, body: &[u8]) -> Result<Sample, &'static str> {
        check_content_type(Format::Json, ct)
            .and_then(|()| parse::<Sample>(body))
            .map_err(|e| e.code.as_str())
    }

    #[test]
    fn each_broken_rule_has_its_own_code() {
        let json = Some("application/json; charset=utf-8");
        assert!(code_of(json, br#"{"code":"x"}"#).is_ok());
        assert_eq!(
            code_of(None, br#"{"code":"x"}"#).unwrap_err(),
            "unsupported_media_type"
        );
        assert_eq!(
            code_of(Some("text/plain"), b"{}").unwrap_err(),
            "unsupported_media_type"
        );
        assert_eq!(code_of(json, b"{\"code\":").unwrap_err(), "malformed_json");
        assert_eq!(code_of(json, b"\xff\xfe").unwrap_err(), "invalid_utf8");
        assert_eq!(code_of(json, br#"{"code":5}"#).unwrap_err(), "invalid_body");
        assert_eq!(code_of(json, b"{}").unwrap_err(), "invalid_body");
    }

    #[test]
    fn an_address_holds_only_its_allowance_and_gets_it_back() {
        let bodies = Bodies::new(Duration::from_secs(1), 100);
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let mut first = bodies.hold(a);
        first.take(60).unwrap();
        let mut second = bodies.hold(a);
        assert_eq!(second.take(50).unwrap_err().code, Code::RateLimited);
        second.take(40).unwrap();
        assert_eq!(bodies.held_by(a), 100);
        bodies.hold(b).take(100).unwrap();
        drop(first);
        assert_eq!(bodies.held_by(a), 40);
        drop(second);
        assert_eq!(bodies.held_by(a), 0);
        assert!(
            bodies.counts().is_empty(),
            "nothing kept for quiet addresses"
        );
    }
}
