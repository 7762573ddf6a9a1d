//! `GET /api/courses/{c}/gradebook` (JSON) and `.../gradebook.csv` (RFC 4180,
//! streamed learner by learner), for the course's own staff only.

use bytes::Bytes;
use futures::{SinkExt, TryStreamExt};
use serde::Serialize;
use warp::http::{header, HeaderValue, StatusCode};
use warp::reply::Response;
use warp::{Filter, Reply};

use super::{authorization, json, respond, with_ctx};
use crate::context::AppContext;
use crate::error::ApiError;
use crate::gradebook::{self, Column, LearnerRow};

/// Bytes gathered before a chunk of the CSV goes out.
const CHUNK: usize = 32 * 1024;

/// How long a chunk may wait for the client to take it: a client that stops
/// reading must not hold a database connection for ever.
const SEND_DEADLINE: std::time::Duration = std::time::Duration::from_secs(30);

type Chunks = futures::channel::mpsc::Sender<Result<Bytes, std::io::Error>>;

/// Hands a chunk to the response; false when the client has gone or has
/// not read for [`SEND_DEADLINE`].
async fn send(tx: &mut Chunks, chunk: Vec<u8>) -> bool {
    matches!(
        tokio::time::timeout(SEND_DEADLINE, tx.send(Ok(chunk.into()))).await,
        Ok(Ok(()))
    )
}

pub fn routes(
    ctx: AppContext,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let json_book = warp::path!("api" / "courses" / String / "gradebook")
        .and(warp::get())
        .and(with_ctx(ctx.clone()))
        .and(authorization())
        .then(
            |course: String, ctx: AppContext, auth: Option<String>| async move {
                respond(book(&ctx, auth.as_deref(), &course).await)
            },
        );
    let csv_book = warp::path!("api" / "courses" / String / "gradebook.csv")
        .and(warp::get())
        .and(with_ctx(ctx))
        .and(authorization())
        .then(
            |course: String, ctx: AppContext, auth: Option<String>| async move {
                respond(csv(&ctx, auth.as_deref(), &course).await)
            },
        );
    json_book.or(csv_book).unify()
}

#[derive(Serialize)]
struct Book {
    assignments: Vec<Column>,
    learners: Vec<LearnerRow>,
}

async fn book(ctx: &AppContext, auth: Option<&str>, course: &str) -> Result<Response, ApiError> {
    let claims = ctx.authenticate_staff(auth, Some(course))?;
    let client = ctx.pool.get().await?;
    let assignments = gradebook::columns(&client, claims.course_id).await?;
    let learners = gradebook::learners(&client, claims.course_id)
        .await?
        .try_collect()
        .await?;
    Ok(json(
        StatusCode::OK,
        &Book {
            assignments,
            learners,
        },
    ))
}

async fn csv(ctx: &AppContext, auth: Option<&str>, course: &str) -> Result<Response, ApiError> {
    let claims = ctx.authenticate_staff(auth, Some(course))?;
    // Whatever fails before the first byte is still a JSON error.
    let client = ctx.pool.get().await?;
    let slugs = gradebook::slugs(&client, claims.course_id).await?;
    let (mut tx, rx) = futures::channel::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let course_id = claims.course_id;
    tokio::spawn(async move {
        if let Err(e) = write_csv(&client, course_id, &slugs, &mut tx).await {
            // The client sees the body end early; the cause goes to the log.
            tracing::warn!(error = %e, course_id, "the gradebook CSV stopped");
            let _ = tokio::time::timeout(
                SEND_DEADLINE,
                tx.send(Err(std::io::Error::other("gradebook"))),
            )
            .await;
        }
    });
    let mut response = warp::reply::stream(rx).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) =
        HeaderValue::from_str(&format!("attachment; filename=\"{course}-gradebook.csv\""))
    {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// Writes the header and every learner's record, a chunk at a time; stops
/// quietly when the client has gone.
async fn write_csv(
    client: &deadpool_postgres::Object,
    course_id: i32,
    slugs: &[String],
    tx: &mut Chunks,
) -> anyhow::Result<()> {
    let builder = {
        let mut b = csv::WriterBuilder::new();
        b.terminator(csv::Terminator::CRLF);
        b
    };
    // A byte-order mark, so spreadsheets read the names as UTF-8.
    let mut writer = builder.from_writer("\u{feff}".as_bytes().to_vec());
    writer.write_record(gradebook::csv_header(slugs))?;
    // The header goes out at once: the first byte does not wait for the
    // query, which sorts the whole course before its first row.
    let header = std::mem::replace(&mut writer, builder.from_writer(Vec::new()));
    if !send(tx, header.into_inner()?).await {
        return Ok(());
    }
    let learners = gradebook::learners(client, course_id).await?;
    let mut learners = std::pin::pin!(learners);
    while let Some(learner) = learners.try_next().await? {
        writer.write_record(gradebook::csv_record(&learner))?;
        writer.flush()?;
        if writer.get_ref().len() >= CHUNK {
            let full = std::mem::replace(&mut writer, builder.from_writer(Vec::new()));
            if !send(tx, full.into_inner()?).await {
                return Ok(());
            }
        }
    }
    send(tx, writer.into_inner()?).await;
    Ok(())
}
