//! A course's assignments as code: each `NN-slug/` folder of a course
//! folder (`courses/<course>/`, see [`crate::courses`]) is one assignment.
//!
//! ```text
//! assignment.toml    title, time_limit_ms, memory_limit_mb; optional
//!                    runner (default python), test_time_limit_ms (per
//!                    test), hidden_tests, and the schedule: opens_at,
//!                    due_at, late (refuse, mark or penalty, with
//!                    late_penalty_pct) and max_submissions; release
//!                    (immediately, or after_due with before_release:
//!                    received or visible_tests)
//! handout.md         shown to the learner, rendered server-side
//! and the runner's files (for python: starter.py, the editor's initial
//! content; test_solution.py, unittest tests importing the learner's module
//! `solution`; solution.py, the reference, never sent to a browser)
//! ```
//!
//! With `kind = "notebook"` the learner hands in a Jupyter notebook instead:
//! the folder holds `starter.ipynb` (downloaded from the page; its markdown
//! cells are the handout, so no handout.md), `solution.ipynb` (the
//! reference, never sent to a browser) and the runner's tests, one
//! `unittest.TestCase` class per question (`class Q1`), importing the names
//! the notebook's code cells define as `solution`.
//!
//! Loading also records which tests each assignment has (by its runner's own
//! test loader): the grader believes a pass only when exactly those ran and
//! passed.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use domain::course::{
    default_test_time_limit_ms, AssignmentSource, Kind, LatePolicy, Release, Schedule,
};
use domain::notebook::Notebook;
use domain::runners::Runner;

use crate::listers::Listing;

use crate::Error;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    title: String,
    kind: Option<String>,
    runner: Option<String>,
    time_limit_ms: i32,
    memory_limit_mb: i32,
    test_time_limit_ms: Option<i32>,
    /// Test names as `test_method` or `Class.test_method`.
    #[serde(default)]
    hidden_tests: Vec<String>,
    opens_at: Option<toml::value::Datetime>,
    due_at: Option<toml::value::Datetime>,
    late: Option<String>,
    late_penalty_pct: Option<i16>,
    max_submissions: Option<i32>,
    release: Option<String>,
    before_release: Option<String>,
}

/// The schedule a manifest gives, or what is wrong with it (its field named).
fn schedule(m: &Manifest) -> Result<Schedule, String> {
    let time = |field: &str, value: &Option<toml::value::Datetime>| {
        value
            .as_ref()
            .map(|v| {
                DateTime::parse_from_rfc3339(&v.to_string())
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|_| {
                        format!("{field} must be a date and time with its offset, e.g. 2026-12-01T09:00:00Z")
                    })
            })
            .transpose()
    };
    let opens_at = time("opens_at", &m.opens_at)?;
    let due_at = time("due_at", &m.due_at)?;
    if let (Some(opens), Some(due)) = (opens_at, due_at) {
        if opens >= due {
            return Err("opens_at must come before due_at".into());
        }
    }
    let late = match (m.late.as_deref(), m.late_penalty_pct) {
        (None | Some("refuse"), None) => LatePolicy::Refuse,
        (Some("mark"), None) => LatePolicy::Mark,
        (Some("penalty"), Some(pct)) if (1..=100).contains(&pct) => LatePolicy::Penalty(pct),
        (Some("penalty"), _) => {
            return Err("late = \"penalty\" needs late_penalty_pct, 1 to 100".into());
        }
        (Some("refuse" | "mark"), Some(_)) => {
            return Err("late_penalty_pct goes only with late = \"penalty\"".into());
        }
        (Some(other), _) => {
            return Err(format!(
                "late must be refuse, mark or penalty, not {other:?}"
            ));
        }
        (None, Some(_)) => {
            return Err("late_penalty_pct goes only with late = \"penalty\"".into());
        }
    };
    if late != LatePolicy::Refuse && due_at.is_none() {
        return Err("late needs a due_at".into());
    }
    if let Some(n) = m.max_submissions {
        if !(1..=10_000).contains(&n) {
            return Err("max_submissions must be 1 to 10000".into());
        }
    }
    Ok(Schedule {
        opens_at,
        due_at,
        late,
        max_submissions: m.max_submissions,
        release: release(m, due_at.is_some())?,
    })
}

/// When learners see their results: `release` and `before_release`.
fn release(m: &Manifest, due: bool) -> Result<Release, String> {
    let release = m.release.as_deref().unwrap_or("immediately");
    let before = m.before_release.as_deref();
    match (release, before) {
        ("immediately", None) => Ok(Release::Immediately),
        ("immediately", Some(_)) => {
            Err("before_release goes only with release = \"after_due\"".into())
        }
        ("after_due", _) if !due => Err("release = \"after_due\" needs a due_at".into()),
        ("after_due", None | Some("received")) => Ok(Release::AfterDue {
            visible_tests: false,
        }),
        ("after_due", Some("visible_tests")) => Ok(Release::AfterDue {
            visible_tests: true,
        }),
        ("after_due", Some(other)) => Err(format!(
            "before_release must be received or visible_tests, not {other:?}"
        )),
        (other, _) => Err(format!(
            "release must be immediately or after_due, not {other:?}"
        )),
    }
}

/// Reads every `NN-slug` folder under `dir`, in position order, and lists
/// each one's tests with its runner's lister on this machine (the
/// instructor's test code is trusted here: the image's own courses).
pub fn load_course(dir: &Path) -> Result<Vec<AssignmentSource>, Error> {
    let mut course = read_course(dir)?;
    for runner in domain::runners::ALL {
        let listed = crate::listers::for_runner(runner)(&tests_of(runner, &course))?;
        take_listing(runner, &mut course, listed)?;
    }
    Ok(course)
}

/// Reads every `NN-slug` folder under `dir`, in position order, running
/// nothing: the tests are not listed yet ([`take_listing`] completes them).
pub fn read_course(dir: &Path) -> Result<Vec<AssignmentSource>, Error> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::Config(format!("cannot read the course at {}: {e}", dir.display())))?;
    let mut course = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| Error::Config(format!("{}: {e}", dir.display())))?
            .path();
        if path.is_dir() {
            course.push(load_assignment(&path)?);
        }
    }
    course.sort_by_key(|a| a.position);
    for pair in course.windows(2) {
        if pair[0].position == pair[1].position {
            return Err(Error::Config(format!(
                "assignments {} and {} share position {}",
                pair[0].slug, pair[1].slug, pair[0].position
            )));
        }
    }
    let mut slugs: Vec<&str> = course.iter().map(|a| a.slug.as_str()).collect();
    slugs.sort_unstable();
    if let Some(twice) = slugs.windows(2).find(|pair| pair[0] == pair[1]) {
        return Err(Error::Config(format!(
            "two assignment folders are named for {:?}: a slug is an assignment's address",
            twice[0]
        )));
    }
    Ok(course)
}

/// The test files of `runner`'s assignments, in course order: what its
/// lister is given, here or in a grader's sandbox.
pub fn tests_of<'a>(runner: &Runner, course: &'a [AssignmentSource]) -> Vec<&'a str> {
    course
        .iter()
        .filter(|a| a.runner.name == runner.name)
        .map(|a| a.test_code.as_str())
        .collect()
}

/// Completes `runner`'s assignments with the listing of [`tests_of`]: their
/// test ids, their hidden tests resolved, the skipped ones and the content
/// hash; or names the assignment whose tests are not usable.
pub fn take_listing(
    runner: &'static Runner,
    course: &mut [AssignmentSource],
    listed: Vec<Result<Listing, String>>,
) -> Result<(), Error> {
    let mine: Vec<&mut AssignmentSource> = course
        .iter_mut()
        .filter(|a| a.runner.name == runner.name)
        .collect();
    if mine.len() != listed.len() {
        return Err(Error::Config(format!(
            "the {} lister answered for {} test files of {}",
            runner.name,
            listed.len(),
            mine.len()
        )));
    }
    for (a, listing) in mine.into_iter().zip(listed) {
        let tests_file = format!("{}/{}", a.slug, runner.tests_file);
        let listing = listing
            .map_err(|e| Error::Config(format!("{tests_file}: the tests do not load: {e}")))?;
        let ids = listing.ids;
        if ids.is_empty() {
            return Err(Error::Config(format!("{tests_file}: no tests found")));
        }
        if listing.skipped.len() == ids.len() {
            return Err(Error::Config(format!(
                "{tests_file}: every test is skipped by a decorator, so nothing would be checked"
            )));
        }
        a.hidden_tests = a
            .hidden_tests
            .iter()
            .map(|name| {
                resolve_test(&ids, name)
                    .map_err(|e| Error::Config(format!("{}/assignment.toml: {e}", a.slug)))
            })
            .collect::<Result<_, _>>()?;
        a.test_ids = ids;
        a.skipped_tests = listing.skipped;
        a.content_hash = content_hash(a);
    }
    Ok(())
}

fn load_assignment(dir: &Path) -> Result<AssignmentSource, Error> {
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let (position, slug) = parse_folder_name(name).ok_or_else(|| {
        Error::Config(format!(
            "{}: folder names are NN-slug (digits, a dash, lowercase letters, digits and dashes)",
            dir.display()
        ))
    })?;
    let read = |file: &str| -> Result<String, Error> {
        let path: PathBuf = dir.join(file);
        std::fs::read_to_string(&path)
            .map_err(|e| Error::Config(format!("{}: {e}", path.display())))
    };
    let manifest: Manifest = toml::from_str(&read("assignment.toml")?)
        .map_err(|e| Error::Config(format!("{}/assignment.toml: {e}", dir.display())))?;
    let runner_name = manifest
        .runner
        .as_deref()
        .unwrap_or(domain::runners::PYTHON.name);
    let runner = domain::runners::by_name(runner_name).ok_or_else(|| {
        Error::Config(format!(
            "{}/assignment.toml: no runner {runner_name:?}",
            dir.display()
        ))
    })?;
    let test_time_limit_ms = manifest
        .test_time_limit_ms
        .unwrap_or_else(|| default_test_time_limit_ms(manifest.time_limit_ms));
    if !(100..=60_000).contains(&manifest.time_limit_ms)
        || !(16..=4096).contains(&manifest.memory_limit_mb)
        || !(50..=manifest.time_limit_ms).contains(&test_time_limit_ms)
    {
        return Err(Error::Config(format!(
            "{}/assignment.toml: time_limit_ms must be 100..=60000, memory_limit_mb 16..=4096 \
             and test_time_limit_ms 50..=time_limit_ms",
            dir.display()
        )));
    }
    let schedule = schedule(&manifest)
        .map_err(|e| Error::Config(format!("{}/assignment.toml: {e}", dir.display())))?;
    let kind = match manifest.kind.as_deref().map(Kind::parse) {
        None => Kind::Code,
        Some(Some(kind)) => kind,
        Some(None) => {
            return Err(Error::Config(format!(
                "{}/assignment.toml: kind must be code or notebook",
                dir.display()
            )))
        }
    };
    let (handout_md, starter_code, solution_code) = learner_files(dir, kind, runner, &read)?;
    Ok(AssignmentSource {
        schedule,
        slug: slug.to_owned(),
        kind,
        runner,
        position,
        title: manifest.title,
        handout_md,
        starter_code,
        test_code: read(runner.tests_file)?,
        solution_code,
        time_limit_ms: manifest.time_limit_ms,
        memory_limit_mb: manifest.memory_limit_mb,
        test_time_limit_ms,
        // Known once the tests are listed.
        test_ids: Vec::new(),
        hidden_tests: manifest.hidden_tests,
        skipped_tests: Vec::new(),
        content_hash: String::new(),
    })
}

/// The handout, the starter and the reference of an assignment of `kind`:
/// a code assignment's files, or a notebook assignment's two notebooks
/// (checked; the starter's markdown is the handout).
fn learner_files(
    dir: &Path,
    kind: Kind,
    runner: &Runner,
    read: &dyn Fn(&str) -> Result<String, Error>,
) -> Result<(String, String, String), Error> {
    Ok(match kind {
        Kind::Code => (
            read("handout.md")?,
            read(runner.starter_file)?,
            read(runner.reference_file)?,
        ),
        Kind::Notebook => {
            let notebook = |file: &str| {
                Notebook::from_text(&read(file)?)
                    .map_err(|e| Error::Config(format!("{}/{file}: {e}", dir.display())))
            };
            let starter = notebook(STARTER_NOTEBOOK)?;
            let reference = notebook(REFERENCE_NOTEBOOK)?;
            (starter.markdown(), starter.to_text(), reference.to_text())
        }
    })
}

/// A notebook assignment's starter and reference notebooks.
pub const STARTER_NOTEBOOK: &str = "starter.ipynb";
pub const REFERENCE_NOTEBOOK: &str = "solution.ipynb";

fn parse_folder_name(name: &str) -> Option<(i32, &str)> {
    let (digits, slug) = name.split_once('-')?;
    let valid_slug = !slug.is_empty()
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || !valid_slug {
        return None;
    }
    Some((digits.parse().ok()?, slug))
}

/// The full id of the test a manifest names (`test_x` or `Class.test_x`).
fn resolve_test(ids: &[String], name: &str) -> Result<String, String> {
    let suffix = format!(".{name}");
    let found: Vec<&String> = ids.iter().filter(|id| id.ends_with(&suffix)).collect();
    match found[..] {
        [one] => Ok(one.clone()),
        [] => Err(format!("hidden test {name:?} is not among the tests")),
        _ => Err(format!(
            "hidden test {name:?} names more than one test; write Class.{name}"
        )),
    }
}

/// sha256 over what decides a verdict, each part length-prefixed so no two
/// inputs collide.
pub fn content_hash(a: &AssignmentSource) -> String {
    let mut h = Sha256::new();
    let mut part = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_be_bytes());
        h.update(bytes);
    };
    part(b"codeplatform-assignment-v2");
    part(a.runner.version.as_bytes());
    part(a.kind.as_str().as_bytes());
    part(a.test_code.as_bytes());
    part(&a.time_limit_ms.to_be_bytes());
    part(&a.memory_limit_mb.to_be_bytes());
    part(&a.test_time_limit_ms.to_be_bytes());
    for id in &a.hidden_tests {
        part(id.as_bytes());
    }
    hex::encode(h.finalize())
}

/// The default course of this repository (`courses/intro/`), for tools and tests.
pub fn repository_course_dir() -> PathBuf {
    crate::courses::repository_courses_dir().join("intro")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names_give_position_and_slug() {
        assert_eq!(parse_folder_name("01-hello"), Some((1, "hello")));
        assert_eq!(parse_folder_name("12-two-words2"), Some((12, "two-words2")));
        for bad in [
            "hello",
            "01-",
            "-x",
            "ab-cd",
            "01-Caps",
            "01-sp ace",
            "01-../x",
        ] {
            assert_eq!(parse_folder_name(bad), None, "{bad}");
        }
    }

    fn source() -> AssignmentSource {
        AssignmentSource {
            kind: Kind::Code,
            slug: "x".into(),
            runner: &domain::runners::PYTHON,
            position: 1,
            title: "X".into(),
            handout_md: String::new(),
            starter_code: String::new(),
            test_code: "assert 1".into(),
            solution_code: String::new(),
            time_limit_ms: 2000,
            memory_limit_mb: 128,
            test_time_limit_ms: 1000,
            test_ids: vec!["m.T.test_a".into(), "m.T.test_b".into()],
            hidden_tests: Vec::new(),
            skipped_tests: Vec::new(),
            schedule: Schedule::default(),
            content_hash: String::new(),
        }
    }

    #[test]
    fn a_changed_test_limit_or_hidden_set_changes_the_hash() {
        let base = content_hash(&source());
        assert_eq!(base, content_hash(&source()));
        let changes: [fn(&mut AssignmentSource); 5] = [
            |a| a.test_code = "assert 2".into(),
            |a| a.time_limit_ms = 3000,
            |a| a.memory_limit_mb = 256,
            |a| a.test_time_limit_ms = 500,
            |a| a.hidden_tests = vec!["m.T.test_b".into()],
        ];
        for change in changes {
            let mut a = source();
            change(&mut a);
            assert_ne!(base, content_hash(&a));
        }
    }

    fn manifest(schedule: &str) -> Manifest {
        toml::from_str(&format!(
            "title = \"X\"\ntime_limit_ms = 2000\nmemory_limit_mb = 128\n{schedule}"
        ))
        .unwrap()
    }

    #[test]
    fn a_schedule_reads_its_times_and_policy() {
        let s = schedule(&manifest(
            "opens_at = 2026-12-01T09:00:00+01:00\ndue_at = 2026-12-08T23:59:00Z\n\
             late = \"penalty\"\nlate_penalty_pct = 25\nmax_submissions = 5\n",
        ))
        .unwrap();
        assert_eq!(
            s.opens_at.unwrap().to_rfc3339(),
            "2026-12-01T08:00:00+00:00"
        );
        assert_eq!(s.late, LatePolicy::Penalty(25));
        assert_eq!(s.max_submissions, Some(5));
        assert_eq!(s.release, Release::Immediately);
        assert_eq!(schedule(&manifest("")).unwrap(), Schedule::default());
        let due = "due_at = 2026-12-08T23:59:00Z\nrelease = \"after_due\"\n";
        for (extra, visible_tests) in [
            ("", false),
            ("before_release = \"received\"\n", false),
            ("before_release = \"visible_tests\"\n", true),
        ] {
            let s = schedule(&manifest(&format!("{due}{extra}"))).unwrap();
            assert_eq!(s.release, Release::AfterDue { visible_tests });
        }
    }

    #[test]
    fn a_bad_schedule_names_its_field() {
        for (text, field) in [
            ("opens_at = 2026-12-01T09:00:00\n", "opens_at"),
            ("due_at = 2026-12-01\n", "due_at"),
            (
                "opens_at = 2026-12-09T00:00:00Z\ndue_at = 2026-12-08T00:00:00Z\n",
                "opens_at must come before due_at",
            ),
            (
                "due_at = 2026-12-08T00:00:00Z\nlate = \"penalty\"\n",
                "late_penalty_pct",
            ),
            (
                "due_at = 2026-12-08T00:00:00Z\nlate = \"penalty\"\nlate_penalty_pct = 0\n",
                "late_penalty_pct",
            ),
            (
                "due_at = 2026-12-08T00:00:00Z\nlate = \"later\"\n",
                "late must be",
            ),
            ("late = \"mark\"\n", "due_at"),
            ("late_penalty_pct = 5\n", "late_penalty_pct"),
            ("max_submissions = 0\n", "max_submissions"),
            ("release = \"after_due\"\n", "after_due\" needs a due_at"),
            ("release = \"later\"\n", "release must be"),
            ("before_release = \"received\"\n", "before_release goes only"),
            (
                "due_at = 2026-12-08T00:00:00Z\nrelease = \"after_due\"\nbefore_release = \"all\"\n",
                "before_release must be",
            ),
        ] {
            let err = schedule(&manifest(text)).unwrap_err();
            assert!(err.contains(field), "{text}: {err}");
        }
    }

    #[test]
    fn hidden_tests_resolve_to_exactly_one_id() {
        let ids = [
            "m.A.test_x".to_owned(),
            "m.B.test_x".to_owned(),
            "m.B.test_y".to_owned(),
        ];
        assert_eq!(resolve_test(&ids, "test_y").unwrap(), "m.B.test_y");
        assert_eq!(resolve_test(&ids, "A.test_x").unwrap(), "m.A.test_x");
        assert!(resolve_test(&ids, "test_x")
            .unwrap_err()
            .contains("more than one"));
        assert!(resolve_test(&ids, "test_z")
            .unwrap_err()
            .contains("not among"));
        assert!(resolve_test(&ids, "st_y").is_err());
    }

    #[test]
    fn a_course_folder_loads_in_order() {
        let dir = std::env::temp_dir().join(format!("cp-course-{}", std::process::id()));
        for (name, title) in [("02-second", "Second"), ("01-first", "First")] {
            let d = dir.join(name);
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(
                d.join("assignment.toml"),
                format!(
                    "title = \"{title}\"\ntime_limit_ms = 2000\nmemory_limit_mb = 128\n\
                     hidden_tests = [\"test_b\"]\n"
                ),
            )
            .unwrap();
            for f in ["handout.md", "starter.py", "solution.py"] {
                std::fs::write(d.join(f), format!("# {f}\n")).unwrap();
            }
            std::fs::write(
                d.join("test_solution.py"),
                "import unittest\nfrom solution import f\n\nclass T(unittest.TestCase):\n    \
                 def test_b(self):\n        pass\n\n    def test_a(self):\n        pass\n",
            )
            .unwrap();
        }
        let course = load_course(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(course.len(), 2);
        assert_eq!((course[0].position, course[0].slug.as_str()), (1, "first"));
        assert_eq!(course[1].title, "Second");
        assert_eq!(
            course[0].test_ids,
            ["test_solution.T.test_a", "test_solution.T.test_b"]
        );
        assert_eq!(course[0].hidden_tests, ["test_solution.T.test_b"]);
        assert_eq!(course[0].test_time_limit_ms, 1000);
    }

    #[test]
    fn a_notebook_assignment_loads_its_notebooks_and_a_bad_one_is_named() {
        let dir = std::env::temp_dir().join(format!("cp-notebook-{}", std::process::id()));
        let d = dir.join("01-nb");
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(
            d.join("assignment.toml"),
            "title = \"NB\"\nkind = \"notebook\"\ntime_limit_ms = 2000\nmemory_limit_mb = 128\n",
        )
        .unwrap();
        let notebook = |code: &str| {
            serde_json::json!({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
                {"cell_type": "markdown", "metadata": {}, "source": "# Q1\nSet x."},
                {"cell_type": "code", "metadata": {}, "execution_count": null, "outputs": [], "source": code}
            ]})
            .to_string()
        };
        std::fs::write(d.join("starter.ipynb"), notebook("x = None")).unwrap();
        std::fs::write(d.join("solution.ipynb"), notebook("x = 1")).unwrap();
        std::fs::write(
            d.join("test_solution.py"),
            "import unittest\nimport solution\n\nclass Q1(unittest.TestCase):\n    \
             def test_x(self):\n        self.assertEqual(solution.x, 1)\n",
        )
        .unwrap();
        let course = load_course(&dir).unwrap();
        assert_eq!(course[0].kind, Kind::Notebook);
        assert_eq!(course[0].handout_md, "# Q1\nSet x.");
        assert!(course[0].solution_code.contains("x = 1"));

        std::fs::write(d.join("starter.ipynb"), notebook("!ls")).unwrap();
        let e = load_course(&dir).unwrap_err().to_string();
        std::fs::write(
            d.join("assignment.toml"),
            "title = \"NB\"\nkind = \"slides\"\ntime_limit_ms = 2000\nmemory_limit_mb = 128\n",
        )
        .unwrap();
        let kind = load_course(&dir).unwrap_err().to_string();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(
            e.contains("01-nb/starter.ipynb") && e.contains("code cell 1 (`!ls`)"),
            "{e}"
        );
        assert!(
            kind.contains("assignment.toml: kind must be code or notebook"),
            "{kind}"
        );
    }
}
