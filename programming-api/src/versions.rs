//! Course versions on the API's side: an archive read before it is taken
//! (the grader checks it afterwards, in the sandbox: `grader::versions`),
//! and every replica's catalog following what Postgres says is live, so a
//! version that goes live anywhere is served everywhere within a round.

use std::sync::Arc;
use std::time::Duration;

use domain::codes::Code;

use crate::catalog::Catalog;
use crate::context::AppContext;
use crate::error::ApiError;

/// Checks an archive as the grader will read it, without running any of
/// it: unpacked (paths, links, devices, sizes) and read by the course
/// loader (every file and field), for `slug`. The messages name the entry
/// or the file and field.
pub async fn read_archive(archive: bytes::Bytes, slug: &str) -> Result<(), ApiError> {
    let slug = slug.to_owned();
    tokio::task::spawn_blocking(move || {
        let unpacked = courseload::archive::unpack(&archive, &slug).map_err(|e| match e {
            courseload::Error::Config(why) => ApiError::new(Code::InvalidArchive, why),
            courseload::Error::Unavailable(why) => {
                tracing::error!(error = %why, "cannot unpack a course archive");
                ApiError::internal()
            }
        })?;
        courseload::courses::read_course_folder(unpacked.course_dir(), &slug)
            .map(|_| ())
            .map_err(|e| ApiError::new(Code::InvalidCourse, unpacked.relative(&e.to_string())))
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "reading a course archive");
        ApiError::internal()
    })?
}

/// Follows the live versions every `interval` until `shutdown` resolves.
pub async fn follow(
    ctx: AppContext,
    interval: Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    crate::rounds::every(
        "catalog: course versions followed",
        interval,
        shutdown,
        || follow_once(&ctx),
    )
    .await;
}

/// Reads the catalog again when a course serves another version than the
/// one this replica's catalog has; how many courses changed.
pub async fn follow_once(ctx: &AppContext) -> Result<usize, store::Error> {
    let live = store::versions::live_versions(&ctx.pool).await?;
    let now = ctx.catalog();
    if live == now.live() {
        return Ok(0);
    }
    let changed = live.iter().filter(|l| !now.live().contains(l)).count();
    let catalog = Catalog::load(&ctx.pool, &now.default_course().slug)
        .await
        .map_err(|e| store::Error::Malformed(e.to_string()))?;
    ctx.catalog_now.store(Arc::new(catalog));
    flush_cache(ctx).await;
    Ok(changed)
}

/// The cached reads of every course and assignment dropped: the courses
/// may have changed (a start, a version gone live).
pub async fn flush_cache(ctx: &AppContext) {
    let catalog = ctx.catalog();
    let keys: Vec<String> = catalog
        .courses()
        .iter()
        .map(|c| ctx.names.course_cache(c.id))
        .chain(
            catalog
                .assignment_ids()
                .map(|id| ctx.names.assignment_cache(id)),
        )
        .collect();
    ctx.cache.invalidate(&keys).await;
}
