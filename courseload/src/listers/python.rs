//! Which tests a Python assignment has, found by a trusted run of
//! unittest's loader over its test file, with a stand-in for the learner's
//! module. The loader is the runner's own (`runners/python/suite.py`), so the
//! ids listed
//! here are the ids the runner reports; the grader believes a pass only
//! when exactly these ran and passed.
//!
//! Runs `python3 -I` on this machine, once per distinct test file in a
//! process: the instructor's test code is trusted, the learner's never runs
//! here.

use std::collections::HashMap;
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::Error;

/// The runner's loader, which is also a program that lists ids.
const LOADER: &str = include_str!("../../../runners/python/suite.py");

/// The tests of one test file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Listing {
    /// Every test's id, in unittest's order.
    pub ids: Vec<String>,
    /// Those a decorator of the author's skips (`@skip`, or `@skipIf` on
    /// something other than the learner's module, which the listing does
    /// not have): never required for a pass.
    pub skipped: Vec<String>,
}

#[derive(Deserialize)]
struct Listed {
    #[serde(flatten)]
    listing: Option<Listing>,
    error: Option<String>,
}

fn cache() -> &'static Mutex<HashMap<[u8; 32], Listing>> {
    static CACHE: OnceLock<Mutex<HashMap<[u8; 32], Listing>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// For each test source, its tests, or why it does not load. Err only
/// when Python itself cannot be run.
pub fn list(sources: &[&str]) -> Result<Vec<Result<Listing, String>>, Error> {
    let keys: Vec<[u8; 32]> = sources.iter().map(|s| Sha256::digest(s).into()).collect();
    let missing: Vec<&str> = {
        let cached = cache().lock().expect("test id cache");
        sources
            .iter()
            .zip(&keys)
            .filter(|(_, k)| !cached.contains_key(*k))
            .map(|(s, _)| *s)
            .collect()
    };
    let mut errors = HashMap::new();
    if !missing.is_empty() {
        for (source, listed) in missing.iter().zip(run_loader(&missing)?) {
            let key: [u8; 32] = Sha256::digest(source).into();
            match (listed.listing, listed.error) {
                (Some(listing), None) => {
                    cache().lock().expect("test id cache").insert(key, listing);
                }
                (_, error) => {
                    errors.insert(key, error.unwrap_or_else(|| "no answer".into()));
                }
            }
        }
    }
    let cached = cache().lock().expect("test id cache");
    Ok(keys
        .iter()
        .map(|k| match errors.get(k) {
            Some(e) => Err(e.clone()),
            None => Ok(cached[k].clone()),
        })
        .collect())
}

fn run_loader(sources: &[&str]) -> Result<Vec<Listed>, Error> {
    let unavailable = |e: &dyn std::fmt::Display| {
        Error::Config(format!(
            "cannot list the tests with python3 (is it installed?): {e}"
        ))
    };
    let mut child = Command::new("python3")
        .args(["-I", "-c", LOADER])
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("LANG", "C.UTF-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| unavailable(&e))?;
    let input = serde_json::to_vec(sources).map_err(|e| unavailable(&e))?;
    let mut stdin = child.stdin.take().expect("piped");
    // Written from a thread: a large course would fill the pipe before
    // the loader starts answering.
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().map_err(|e| unavailable(&e))?;
    let _ = writer.join();
    let listed: Vec<Listed> = serde_json::from_slice(&output.stdout).map_err(|e| {
        unavailable(&format!(
            "{e}; stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        ))
    })?;
    if listed.len() != sources.len() {
        return Err(unavailable(
            &"the loader answered for the wrong number of files",
        ));
    }
    Ok(listed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_test_methods_in_order_and_reports_broken_files() {
        let good = "import unittest\nfrom solution import f, G\n\nclass A(unittest.TestCase):\n    def test_two(self):\n        f(G(1).x)\n    def test_one(self):\n        pass\n\nclass B(A):\n    def helper(self):\n        pass\n";
        let broken = "import unittest\nclass A(unittest.TestCase:\n";
        let listed = list(&[good, broken]).unwrap();
        assert_eq!(
            listed[0].as_ref().unwrap().ids,
            [
                "test_solution.A.test_one",
                "test_solution.A.test_two",
                "test_solution.B.test_one",
                "test_solution.B.test_two"
            ]
        );
        assert!(listed[1].as_ref().unwrap_err().contains("SyntaxError"));
        assert!(listed[0].as_ref().unwrap().skipped.is_empty());
    }

    #[test]
    fn lists_what_the_authors_decorators_skip_and_loads_subclasses_of_solution_classes() {
        let tests = "import sys, unittest\nimport solution\n\nclass Square(solution.Rectangle):\n    pass\n\nclass T(unittest.TestCase):\n    @unittest.skip('extra credit')\n    def test_a(self):\n        pass\n    @unittest.skipIf(sys.version_info < (3,), 'old')\n    def test_b(self):\n        pass\n    @unittest.skipUnless(hasattr(solution, 'volume'), 'optional')\n    def test_c(self):\n        pass\n\n@unittest.skip('bonus')\nclass U(unittest.TestCase):\n    def test_d(self):\n        pass\n";
        let listed = list(&[tests]).unwrap().remove(0).unwrap();
        assert_eq!(listed.ids.len(), 4);
        // test_c depends on the learner's module: decided when the tests run.
        assert_eq!(
            listed.skipped,
            ["test_solution.T.test_a", "test_solution.U.test_d"]
        );
    }

    #[test]
    fn lists_tests_that_star_import_the_solution() {
        // The names `from solution import *` gives are the learner's module's
        // to say; while listing, any name is one of them.
        let tests = "import unittest\nfrom solution import *\n\nclass Loud(Greeter):\n    pass\n\nclass T(unittest.TestCase):\n    def test_add(self):\n        self.assertEqual(add(2, 3), 5)\n";
        let listed = list(&[tests]).unwrap().remove(0).unwrap();
        assert_eq!(listed.ids, ["test_solution.T.test_add"]);
    }
}
