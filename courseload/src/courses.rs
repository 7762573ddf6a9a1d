//! Courses as code: each `courses/<slug>/` folder is one course, with its
//! `course.toml` and its `NN-slug/` assignment folders (see [`crate::assignments`]).
//!
//! ```text
//! title = "Introduction to Python"
//! term = "Autumn 2026"        # optional
//! join = "open"               # anyone may join; or "code", with
//! join_code = "…"             # the code learners must give to join
//! stuck_after = 3             # optional: the class view calls a learner
//!                             # stuck after this many failures in a row
//! lti_student_number = false  # optional: an LTI launch's student number
//!                             # fills the learner's profile
//! ```
//!
//! Everything is read and checked before anything is written (by
//! `store::courses`, in one transaction): a bad file stops the start naming
//! the file and the field, and nothing is half-loaded.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use domain::course::{Course, CourseSource, Join, DEFAULT_STUCK_AFTER};

use crate::assignments::{load_course, read_course};
use crate::Error;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    title: String,
    #[serde(default)]
    term: String,
    join: Join,
    join_code: Option<String>,
    #[serde(default = "default_stuck_after")]
    stuck_after: i32,
    #[serde(default)]
    lti_student_number: bool,
}

fn default_stuck_after() -> i32 {
    DEFAULT_STUCK_AFTER
}

/// The longest course title or term, in characters.
const MAX_TEXT: usize = 200;

/// Reads every course folder under `dir`, in slug order.
pub fn load_courses(dir: &Path) -> Result<Vec<CourseSource>, Error> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::Config(format!("cannot read the courses at {}: {e}", dir.display())))?;
    let mut courses = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| Error::Config(format!("{}: {e}", dir.display())))?
            .path();
        if path.is_dir() {
            courses.push(load_one(&path)?);
        }
    }
    if courses.is_empty() {
        return Err(Error::Config(format!(
            "{}: no course folders (courses/<slug>/course.toml)",
            dir.display()
        )));
    }
    courses.sort_by(|a, b| a.course.slug.cmp(&b.course.slug));
    Ok(courses)
}

fn load_one(dir: &Path) -> Result<CourseSource, Error> {
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    if !valid_slug(name) {
        return Err(Error::Config(format!(
            "{}: a course folder's name is its address: 1 to 48 lowercase letters, digits and \
             dashes, starting with a letter or digit",
            dir.display()
        )));
    }
    Ok(CourseSource {
        course: read_course_toml(dir, name)?,
        assignments: load_course(dir)?,
    })
}

/// The course folder `dir` read as the course `slug` (a published
/// archive's folder may be named anything), running nothing: its tests are
/// listed after (`assignments::take_listing`), in a grader's sandbox.
pub fn read_course_folder(dir: &Path, slug: &str) -> Result<CourseSource, Error> {
    Ok(CourseSource {
        course: read_course_toml(dir, slug)?,
        assignments: read_course(dir)?,
    })
}

/// `dir/course.toml`, checked field by field.
fn read_course_toml(dir: &Path, slug: &str) -> Result<Course, Error> {
    let file = dir.join("course.toml");
    let text = std::fs::read_to_string(&file)
        .map_err(|e| Error::Config(format!("{}: {e}", file.display())))?;
    let bad = |what: String| Error::Config(format!("{}: {what}", file.display()));
    let manifest: Manifest = toml::from_str(&text).map_err(|e| bad(e.to_string()))?;
    if manifest.title.trim().is_empty() || manifest.title.chars().count() > MAX_TEXT {
        return Err(bad(format!("title must be 1 to {MAX_TEXT} characters")));
    }
    if manifest.term.chars().count() > MAX_TEXT {
        return Err(bad(format!("term must be at most {MAX_TEXT} characters")));
    }
    if !(1..=100).contains(&manifest.stuck_after) {
        return Err(bad("stuck_after must be 1 to 100 failed submissions".into()));
    }
    let join_code_hash = match (manifest.join, manifest.join_code) {
        (Join::Open, None) => None,
        (Join::Open, Some(_)) => {
            return Err(bad("join_code is set but join is \"open\"".into()));
        }
        (Join::Code, Some(code)) if (6..=64).contains(&code.chars().count()) => {
            Some(join_code_hash(&code))
        }
        (Join::Code, _) => {
            return Err(bad(
                "join = \"code\" needs a join_code of 6 to 64 characters".into(),
            ));
        }
    };
    Ok(Course {
        slug: slug.to_owned(),
        title: manifest.title,
        term: manifest.term,
        join: manifest.join,
        join_code_hash,
        stuck_after: manifest.stuck_after,
        lti_student_number: manifest.lti_student_number,
    })
}

/// A course slug as it may appear in an address.
pub fn valid_slug(slug: &str) -> bool {
    (1..=48).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
}

/// The stored form of a join code, compared in [`join_code_matches`].
pub fn join_code_hash(code: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"codeplatform:join-code:v1:");
    h.update(code.trim().as_bytes());
    hex::encode(h.finalize())
}

/// Whether `code` is the course's join code (hashes compared in constant time).
pub fn join_code_matches(stored_hash: &str, code: &str) -> bool {
    let given = join_code_hash(code);
    given.len() == stored_hash.len()
        && given
            .bytes()
            .zip(stored_hash.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// The `courses/` folder of this repository, for tools and tests.
pub fn repository_courses_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../courses")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_plain() {
        for good in ["intro", "cs1-2026", "a", "2026"] {
            assert!(valid_slug(good), "{good}");
        }
        for bad in ["", "-x", "Intro", "a b", "a/b", "..", &"x".repeat(49)] {
            assert!(!valid_slug(bad), "{bad:?}");
        }
    }

    #[test]
    fn a_join_code_matches_only_itself() {
        let stored = join_code_hash("tulip-42");
        assert!(join_code_matches(&stored, "tulip-42"));
        assert!(join_code_matches(&stored, " tulip-42 "));
        assert!(!join_code_matches(&stored, "tulip-43"));
        assert!(!join_code_matches(&stored, ""));
    }

    fn course_dir(manifest: &str) -> PathBuf {
        let root = std::env::temp_dir().join(format!("cp-courses-{}", uuid::Uuid::new_v4()));
        let dir = root.join("cs1");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("course.toml"), manifest).unwrap();
        root
    }

    #[test]
    fn a_bad_course_file_names_the_file_and_the_field() {
        for (manifest, field) in [
            ("term = \"x\"\njoin = \"open\"\n", "title"),
            ("title = \"T\"\njoin = \"maybe\"\n", "join"),
            ("title = \"T\"\njoin = \"code\"\n", "join_code"),
            (
                "title = \"T\"\njoin = \"code\"\njoin_code = \"abc\"\n",
                "join_code",
            ),
            (
                "title = \"T\"\njoin = \"open\"\njoin_code = \"abcdefgh\"\n",
                "join_code",
            ),
            ("title = \"T\"\njoin = \"open\"\ncolour = 1\n", "colour"),
            ("title = \"\"\njoin = \"open\"\n", "title"),
            (
                "title = \"T\"\njoin = \"open\"\nstuck_after = 0\n",
                "stuck_after",
            ),
            (
                "title = \"T\"\njoin = \"open\"\nstuck_after = \"3\"\n",
                "stuck_after",
            ),
        ] {
            let root = course_dir(manifest);
            let err = load_courses(&root).unwrap_err().to_string();
            std::fs::remove_dir_all(&root).unwrap();
            assert!(err.contains("cs1/course.toml"), "{manifest}: {err}");
            assert!(err.contains(field), "{manifest}: {err}");
        }
    }

    #[test]
    fn the_repository_courses_load() {
        let courses = load_courses(&repository_courses_dir()).unwrap();
        let intro = courses.iter().find(|c| c.course.slug == "intro").unwrap();
        assert!(intro.assignments.len() >= 12);
        assert_eq!(intro.course.join, Join::Open);
    }
}
