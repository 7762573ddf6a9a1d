//! The runners an assignment can be graded by, one description each. A
//! runner is a folder `runners/<name>/` (its sandbox image's Dockerfile, built
//! on the local base image with whatever Debian packages it needs, and
//! whatever runs inside) plus its row in [`ALL`]; nothing else in the tree
//! names a language (a tree rule checks). An assignment picks one with `runner = "<name>"` in its
//! `assignment.toml` (default [`PYTHON`]).
//!
//! Every runner speaks the same protocol: it reads one JSON request line on
//! stdin (nonce, solution, tests, hidden test ids, limits), runs as two
//! processes under two uids (see `runners/python/entry.py`), and writes one
//! report framed by the nonce, whose statuses and per-test outcomes are the
//! ones `grader/src/judge.rs` reads.

/// How the course loader learns an assignment's tests: a trusted run of the
/// runner's own test loader (`courseload::listers`, one file each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestsLister {
    /// `runners/python/suite.py`: unittest's loader with a stand-in module.
    PythonUnittest,
}

#[derive(Debug)]
pub struct Runner {
    /// Its name in `assignment.toml` and in the database.
    pub name: &'static str,
    /// Part of every verdict-reuse key of its assignments: bump it when the
    /// runner changes how it judges, and no verdict reached before is reused.
    pub version: &'static str,
    /// The sandbox image, without its tag.
    pub image: &'static str,
    /// Its folder under `runners/`.
    pub dir: &'static str,
    /// The learner's file: what the page's editor is labelled.
    pub solution_file: &'static str,
    /// An assignment folder's starter code, tests and reference solution.
    pub starter_file: &'static str,
    pub tests_file: &'static str,
    pub reference_file: &'static str,
    /// Its language, as CodeMirror 5 names the mode that highlights it: the
    /// page's editor loads `/vendor/codemirror/mode/<it>/<it>.js` (all of
    /// libjs-codemirror's modes are copied there), and a handout's code
    /// blocks keep the class `language-<it>`.
    pub language: &'static str,
    /// What the learner is told, before the error, when their code cannot be
    /// read at all (a syntax error).
    pub unreadable: &'static str,
    /// How the development-only process sandbox starts the runner: the
    /// program and its arguments, the entry point relative to the runner's
    /// folder; the work directory (and the two uids) follow.
    pub local_command: &'static [&'static str],
    pub tests_lister: TestsLister,
}

/// Python 3 with unittest.
pub static PYTHON: Runner = Runner {
    name: "python",
    // 2: tests and the learner's code in two processes (the verdicts issue).
    // 4: practice runs skip tests; notebooks' cells.
    // 5: every part of a test reported, the judge's one precedence; the
    //    runner's cwd out of the learner's reach; report text always valid.
    // 6: operations between learner objects forwarded; the learner's
    //    exception classes as the runner's stand-ins; dates, Decimal,
    //    Fraction, complex, range and the collections as plain data.
    // 7: long lists and dicts of ints or strs in one piece.
    // 8: namedtuples keep their fields; author skips are not required.
    // 9: the test's callables and mocks lent to the learner's code; module
    //    patches; shared lists, dicts and sets; enums and builtin classes
    //    as values; subclasses of learner classes; exceptions' causes.
    // 10: a red-team review's findings closed (mock machinery, __exit__ by
    //    any path, fixtures' stops, forwarded builtins).
    version: "python-runner/11",
    image: "codeplatform/python-runner",
    dir: "python",
    local_command: &["python3", "-I", "-B", "entry.py"],
    ..PYTHON_FILES
};

/// Python 3 with numpy and pandas (Debian's packages), for data-science
/// assignments: the Python runner's harness in an image of its own
/// (`runners/python-ds/Dockerfile` builds on the Python one).
pub static PYTHON_DS: Runner = Runner {
    name: "python-ds",
    // The Python runner's harness: bump with its version.
    version: "python-ds-runner/11",
    image: "codeplatform/python-ds-runner",
    dir: "python-ds",
    // Debian's Python, where scripts/deps.sh installs numpy and pandas
    // (a `python3` earlier on the PATH, pyenv's say, may have neither).
    local_command: &["/usr/bin/python3", "-I", "-B", "../python/entry.py"],
    ..PYTHON_FILES
};

/// The Python runners' files and test listing.
const PYTHON_FILES: Runner = Runner {
    name: "",
    version: "",
    image: "",
    dir: "",
    solution_file: "solution.py",
    starter_file: "starter.py",
    tests_file: "test_solution.py",
    reference_file: "solution.py",
    language: "python",
    unreadable: "Python could not read your code",
    local_command: &[],
    tests_lister: TestsLister::PythonUnittest,
};

/// Every runner there is.
pub static ALL: [&Runner; 2] = [&PYTHON, &PYTHON_DS];

/// The runner called `name`.
pub fn by_name(name: &str) -> Option<&'static Runner> {
    ALL.iter().copied().find(|r| r.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_runner_has_its_folder_and_a_unique_name() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../runners");
        for runner in ALL {
            assert_eq!(by_name(runner.name).map(|r| r.image), Some(runner.image));
            assert!(
                root.join(runner.dir).join("Dockerfile").is_file(),
                "runners/{}/Dockerfile",
                runner.dir
            );
            let entry = runner.local_command.last().unwrap();
            assert!(root.join(runner.dir).join(entry).is_file(), "{entry}");
        }
        assert!(by_name("cobol").is_none());
    }
}
