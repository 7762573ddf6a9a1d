//! The one place errors become HTTP answers: `{"error": {"code", "message"}}`.
//! Internal details go to the log, never to the client.

use std::convert::Infallible;

use warp::http::{header, StatusCode};
use warp::reply::{Reply, Response};

/// An answer that is not a success. `code` is a stable snake_case name
/// clients branch on; `message` is for people.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid 'Authorization: Bearer <token>' header is required",
        )
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }

    pub fn invalid_id(what: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_id",
            format!("that is not a valid {what} id"),
        )
    }

    pub fn database_unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "database_unavailable",
            "the database is unavailable; please retry shortly",
        )
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "something went wrong on our side",
        )
    }

    pub fn into_response(self) -> Response {
        let body = common::server::error_body(self.code, &self.message);
        let mut response = warp::reply::with_status(body, self.status).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/json"),
        );
        response
    }
}

impl From<common::Error> for ApiError {
    fn from(e: common::Error) -> Self {
        match e {
            common::Error::Pool(_) => {
                tracing::warn!(error = %e, "postgres unavailable");
                Self::database_unavailable()
            }
            common::Error::Postgres(ref pg) if pg.is_closed() || pg.as_db_error().is_none() => {
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
        common::Error::from(e).into()
    }
}

impl From<deadpool_postgres::PoolError> for ApiError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        common::Error::from(e).into()
    }
}

/// Turns warp's own rejections (no route, wrong method, ...) into the JSON shape.
pub async fn recover(rejection: warp::Rejection) -> Result<Response, Infallible> {
    let err = if rejection.is_not_found() {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such resource")
    } else if rejection.find::<warp::reject::MethodNotAllowed>().is_some() {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "that method is not allowed here",
        )
    } else if rejection.find::<warp::reject::InvalidQuery>().is_some() {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            "the query string is invalid",
        )
    } else if rejection.find::<warp::reject::InvalidHeader>().is_some()
        || rejection.find::<warp::reject::MissingHeader>().is_some()
    {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_header",
            "a header is missing or invalid",
        )
    } else {
        tracing::warn!(?rejection, "unhandled rejection");
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "the request could not be handled",
        )
    };
    Ok(err.into_response())
}
