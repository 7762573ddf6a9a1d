//! Reads course folders into the domain's courses, checking every file and
//! field and naming what is wrong.
//!
//! - [`courses`]: `courses/<course>/course.toml`, one folder per course.
//! - [`assignments`]: a course's `NN-slug/` folders, one per assignment.
//! - [`listers`]: which tests an assignment has, by a trusted run of its
//!   runner's own loader; one file per runner.
//! - [`archive`]: a published course version's `.tar.gz`, unpacked with
//!   every entry checked.

pub mod archive;
pub mod assignments;
pub mod courses;
pub mod listers;

/// A course folder that cannot be loaded, or a lister that cannot run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Config(String),
    /// This machine could not do it (no room for a temporary folder): not
    /// the course's fault.
    #[error("{0}")]
    Unavailable(String),
}
