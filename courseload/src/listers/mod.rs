//! Test listers, one per runner: each lists a test file's tests by a
//! trusted run of that runner's own loader, so the ids the grader expects
//! are the ids its runner reports.
//!
//! - [`python`]: unittest's loader (`runners/python/suite.py`), for the
//!   Python runners.

pub mod python;

use domain::runners::Runner;

pub use python::Listing;

/// For each test source, its tests or why it does not load; Err only when
/// the lister itself cannot run.
pub type ListTests = fn(&[&str]) -> Result<Vec<Result<Listing, String>>, crate::Error>;

/// The lister of `runner`, by its row's `tests_lister`.
pub fn for_runner(runner: &Runner) -> ListTests {
    match runner.tests_lister {
        domain::runners::TestsLister::PythonUnittest => python::list,
    }
}
