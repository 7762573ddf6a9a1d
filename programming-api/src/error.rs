//! The one place errors become HTTP answers: `{"error": {"code", "message"}}`.
//! Internal details go to the log, never to the client.

use std::convert::Infallible;

use domain::codes::Code;

use warp::http::{header, StatusCode};
use warp::reply::{Reply, Response};

/// An answer that is not a success: a code from the one list
/// (`domain::codes`), which also fixes the status, and a message for people.
#[derive(Debug)]
pub struct ApiError {
    pub code: Code,
    pub message: String,
    /// When to try again (`Retry-After`), for a limit's answer.
    pub retry_after: Option<std::time::Duration>,
}

impl ApiError {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// The same answer, telling the client when to try again.
    pub fn retry_after(mut self, wait: std::time::Duration) -> Self {
        self.retry_after = Some(wait);
        self
    }

    pub fn status(&self) -> StatusCode {
        service::server::status_of(self.code)
    }

    /// A genuine token for a learner this database does not know (it was
    /// reset): the page then makes a new learner.
    pub fn unknown_user() -> Self {
        Self::new(
            Code::UnknownUser,
            "this learner does not exist; create a new one",
        )
    }

    pub fn unauthorized() -> Self {
        Self::new(
            Code::Unauthorized,
            "a valid 'Authorization: Bearer <token>' header is required",
        )
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(Code::NotFound, format!("{what} not found"))
    }

    pub fn invalid_id(what: &str) -> Self {
        Self::new(Code::InvalidId, format!("that is not a valid {what} id"))
    }

    pub fn database_unavailable() -> Self {
        Self::new(
            Code::DatabaseUnavailable,
            "the database is unavailable; please retry shortly",
        )
    }

    pub fn internal() -> Self {
        Self::new(Code::InternalError, "something went wrong on our side")
    }

    pub fn into_response(self) -> Response {
        let body = service::server::error_body(self.code, &self.message);
        let mut response = warp::reply::with_status(body, self.status()).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/json"),
        );
        if let Some(wait) = self.retry_after {
            // Whole seconds, rounded up: never an invitation to retry too soon.
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(secs.max(1)));
        }
        response
    }
}

impl From<store::Error> for ApiError {
    fn from(e: store::Error) -> Self {
        match e {
            store::Error::Pool(_) => {
                tracing::warn!(error = %e, "postgres unavailable");
                Self::database_unavailable()
            }
            store::Error::Postgres(ref pg) if pg.is_closed() || pg.as_db_error().is_none() => {
                tracing::warn!(error = %e, "postgres connection failed");
                Self::database_unavailable()
            }
            other => {
                tracing::error!(error = %other, "unexpected failure");
                Self::internal()
            }
        }
    }
}

impl From<tokio_postgres::Error> for ApiError {
    fn from(e: tokio_postgres::Error) -> Self {
        store::Error::from(e).into()
    }
}

impl From<deadpool_postgres::PoolError> for ApiError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        store::Error::from(e).into()
    }
}

/// Turns warp's own rejections (no route, wrong method, ...) into the JSON shape.
pub async fn recover(rejection: warp::Rejection) -> Result<Response, Infallible> {
    let err = if rejection.is_not_found() {
        ApiError::new(Code::NotFound, "no such resource")
    } else if rejection.find::<warp::reject::MethodNotAllowed>().is_some() {
        ApiError::new(Code::MethodNotAllowed, "that method is not allowed here")
    } else if rejection.find::<warp::reject::InvalidQuery>().is_some() {
        ApiError::new(Code::InvalidQuery, "the query string is invalid")
    } else if rejection.find::<warp::reject::InvalidHeader>().is_some()
        || rejection.find::<warp::reject::MissingHeader>().is_some()
    {
        ApiError::new(Code::InvalidHeader, "a header is missing or invalid")
    } else {
        tracing::warn!(?rejection, "unhandled rejection");
        ApiError::new(Code::BadRequest, "the request could not be handled")
    };
    Ok(err.into_response())
}
