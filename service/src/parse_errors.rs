//! Our answer, not hyper's, to a request hyper cannot parse.
//!
//! hyper answers a request line or header it cannot read (a NUL or a bare
//! CR in a header, two Content-Lengths, a bad Transfer-Encoding, obs-fold,
//! too many headers, a space in the path...) by itself, before any service
//! runs: a bare `400`, `414` or `431` with no body and none of our headers,
//! and it cannot be told not to. [`OwnErrors`] wraps a connection's stream
//! and, when that answer goes out, sends ours in its place: the same
//! status, the JSON error body and the security headers.
//!
//! Telling hyper's answer from ours needs no guess about timing: hyper
//! writes it only when no response is under way, as the last thing on the
//! connection, and it is a bare head (status line, `content-length: 0`,
//! `date`); every answer of ours carries `x-content-type-options`, so a
//! head without it is hyper's.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::server::{error_body, SECURITY_HEADERS};
use domain::codes::Code;

/// A connection's stream, with hyper's own error answers replaced by ours.
pub struct OwnErrors<S> {
    inner: S,
    /// Our answer, once hyper's was seen, and how much of it is written.
    /// Anything hyper writes after it is dropped (it writes nothing more).
    replacement: Option<(Vec<u8>, usize)>,
}

impl<S> OwnErrors<S> {
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            replacement: None,
        }
    }
}

/// Our answer in place of `head`, when `head` is a whole response head of
/// hyper's own making: one of the statuses it answers parse errors with, and
/// none of the headers every answer of ours carries.
fn replacement_for(head: &[u8]) -> Option<Vec<u8>> {
    let rest = head
        .strip_prefix(b"HTTP/1.1 ")
        .or_else(|| head.strip_prefix(b"HTTP/1.0 "))?;
    let (code, message) = match rest.get(..4)? {
        b"400 " => (
            Code::BadRequest,
            "the request is not valid HTTP/1.1: a malformed request line or header",
        ),
        b"414 " => (Code::UriTooLong, "the request target is too long"),
        b"431 " => (
            Code::HeadersTooLarge,
            "the request has too many headers, or headers too large",
        ),
        _ => return None,
    };
    let end = head.windows(4).position(|w| w == b"\r\n\r\n")?;
    if end + 4 != head.len() {
        return None;
    }
    let lower = head.to_ascii_lowercase();
    if lower
        .windows(b"x-content-type-options:".len())
        .any(|w| w == b"x-content-type-options:")
    {
        return None;
    }
    Some(answer(code, message))
}

/// A whole HTTP/1.1 answer: `code`'s status, the JSON error body and the
/// security headers; the connection closes after it.
pub fn answer(code: Code, message: &str) -> Vec<u8> {
    let body = error_body(code, message);
    let status = crate::server::status_of(code);
    let mut out = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        body.len()
    );
    for (name, value) in SECURITY_HEADERS {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(&body);
    out.into_bytes()
}

impl<S: AsyncWrite + Unpin> OwnErrors<S> {
    /// Writes what is left of our answer; Ready once it is all out.
    fn poll_replacement(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some((answer, written)) = &mut self.replacement {
            while *written < answer.len() {
                let n = std::task::ready!(
                    Pin::new(&mut self.inner).poll_write(cx, &answer[*written..])
                )?;
                if n == 0 {
                    return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
                }
                *written += n;
            }
        }
        Poll::Ready(Ok(()))
    }

    /// Takes `len` bytes whose first buffer is `first`: Some when they are
    /// hyper's answer (or come after it) and ours goes out instead.
    fn intercept(
        &mut self,
        cx: &mut Context<'_>,
        first: &[u8],
        len: usize,
    ) -> Option<Poll<io::Result<usize>>> {
        if self.replacement.is_none() {
            // A cheap test first: this runs on every write of every connection.
            if !first.starts_with(b"HTTP/1.") {
                return None;
            }
            self.replacement = Some((replacement_for(first)?, 0));
        }
        Some(match self.poll_replacement(cx) {
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            // Taken whole either way: what is left goes out on the next poll.
            _ => Poll::Ready(Ok(len)),
        })
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for OwnErrors<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for OwnErrors<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if let Some(done) = this.intercept(cx, buf, buf.len()) {
            return done;
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let first = bufs
            .iter()
            .find(|b| !b.is_empty())
            .map_or(&[][..], |b| &b[..]);
        let len = bufs.iter().map(|b| b.len()).sum();
        if let Some(done) = this.intercept(cx, first, len) {
            return done;
        }
        Pin::new(&mut this.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        std::task::ready!(self.poll_replacement(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        std::task::ready!(self.poll_replacement(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_bare_head_of_an_error_status_is_hypers() {
        let hyper = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        let ours = replacement_for(hyper).expect("hyper's answer is replaced");
        let text = String::from_utf8(ours).unwrap();
        assert!(text.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{text}");
        assert!(
            text.contains("x-content-type-options: nosniff\r\n"),
            "{text}"
        );
        assert!(text.ends_with(r#""code":"bad_request","message":"the request is not valid HTTP/1.1: a malformed request line or header"}}"#), "{text}");

        let big = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\r\n";
        assert!(String::from_utf8(replacement_for(big).unwrap())
            .unwrap()
            .contains("headers_too_large"));

        // Ours carry the headers; other statuses and partial heads are left alone.
        let mine = b"HTTP/1.1 400 Bad Request\r\nX-Content-Type-Options: nosniff\r\n\r\n";
        assert!(replacement_for(mine).is_none());
        assert!(replacement_for(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").is_none());
        assert!(
            replacement_for(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n\r\n{}").is_none()
        );
        assert!(replacement_for(b"HTTP/1.1 400 Bad Request\r\n").is_none());
    }
}
