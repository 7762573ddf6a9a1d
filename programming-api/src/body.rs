//! Reading request bodies without ever rejecting into a 5xx: a size cap that
//! holds for chunked bodies too, a JSON content type, and parse errors that
//! say which rule the body broke.

use bytes::{Buf, BufMut, Bytes, BytesMut};
use futures::TryStreamExt;
use serde::de::DeserializeOwned;
use warp::Filter;

use crate::error::ApiError;
use common::codes::Code;

/// The largest body read at all; bigger ones are refused unread.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// The body as JSON of type `T`, or the error that explains why not.
pub fn json<T: DeserializeOwned + Send>(
) -> impl Filter<Extract = (Result<T, ApiError>,), Error = std::convert::Infallible> + Clone {
    json_up_to(MAX_BODY_BYTES)
}

/// [`json`] with a cap of `limit` bytes instead (a notebook's upload).
pub fn json_up_to<T: DeserializeOwned + Send>(
    limit: usize,
) -> impl Filter<Extract = (Result<T, ApiError>,), Error = std::convert::Infallible> + Clone {
    warp::header::optional::<String>("content-type")
        .or(warp::any().map(|| None))
        .unify()
        .and(capped_bytes(limit))
        .map(
            |content_type: Option<String>, body: Result<Bytes, ApiError>| {
                body.and_then(|b| parse(content_type.as_deref(), &b))
            },
        )
}

fn capped_bytes(
    limit: usize,
) -> impl Filter<Extract = (Result<Bytes, ApiError>,), Error = std::convert::Infallible> + Clone {
    warp::body::stream()
        .then(move |stream| collect_capped(stream, limit))
        .or(warp::any().map(|| Err(unreadable())))
        .unify()
}

/// Collects the body, refusing it as soon as it passes `limit` (a chunked
/// body has no Content-Length to check up front).
async fn collect_capped<S, B>(stream: S, limit: usize) -> Result<Bytes, ApiError>
where
    S: futures::Stream<Item = Result<B, warp::Error>>,
    B: Buf,
{
    let mut stream = std::pin::pin!(stream);
    let mut buf = BytesMut::new();
    while let Some(chunk) = stream.try_next().await.map_err(|_| unreadable())? {
        if buf.len() + chunk.remaining() > limit {
            return Err(too_large(limit));
        }
        buf.put(chunk);
    }
    Ok(buf.freeze())
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

fn parse<T: DeserializeOwned>(content_type: Option<&str>, body: &[u8]) -> Result<T, ApiError> {
    let is_json = content_type
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(ApiError::new(
            Code::UnsupportedMediaType,
            "send the body as JSON with 'Content-Type: application/json'",
        ));
    }
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
        parse::<Sample>(ct, body).map_err(|e| e.code.as_str())
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
}
