//! Notebook assignments in the real sandbox: the code cells run in order in
//! the learner's process, the tests (one class per question) judge the names
//! they made, and the feedback is per question; a failing cell is named by
//! its number; and the hostile suite's techniques, put in a notebook's cell,
//! get the same verdicts as in a `.py`.

use domain::course::Kind;
use domain::verdict::Verdict;
use futures::StreamExt;
use grader::sandbox::TestSuite;
use serde_json::{json, Value};

use crate::helpers::{docker_sandbox, grade_with, limits, suite, ANSWER_TESTS};

/// A notebook of `cells` (markdown where a cell starts with "# ").
fn notebook(cells: &[&str]) -> String {
    let cells: Vec<Value> = cells
        .iter()
        .map(|source| {
            if source.starts_with("# ") {
                json!({"cell_type": "markdown", "metadata": {}, "source": source})
            } else {
                json!({"cell_type": "code", "metadata": {}, "execution_count": null,
                       "outputs": [], "source": source})
            }
        })
        .collect();
    json!({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}).to_string()
}

/// `tests` as a notebook assignment's suite.
fn notebook_suite(tests: &str) -> TestSuite {
    TestSuite {
        kind: Kind::Notebook,
        ..suite(tests, &[])
    }
}

const QUESTIONS: &str = "import unittest

import solution


class Q1(unittest.TestCase):
    def test_total(self):
        self.assertEqual(solution.total, 10)


class Q2(unittest.TestCase):
    def test_double(self):
        \"\"\"Doubles a number\"\"\"
        self.assertEqual(solution.double(4), 8)

    def test_double_zero(self):
        self.assertEqual(solution.double(0), 0)
";

#[tokio::test]
async fn cells_run_in_order_and_the_feedback_is_per_question() {
    let sandbox = docker_sandbox().await;
    let tests = notebook_suite(QUESTIONS);
    let limits = limits(3000);

    // Later cells see what earlier ones made; markdown is not run.
    let right = notebook(&[
        "# Q1",
        "numbers = [1, 2, 3]",
        "total = sum(numbers) + 4",
        "# Q2",
        "def double(n):\n    return 2 * n",
    ]);
    let (verdict, feedback) = grade_with(&sandbox, &right, &tests, limits).await;
    assert_eq!(verdict, Verdict::Passed, "{feedback:?}");
    assert!(
        feedback.summary.contains("q1: all 1 test passed"),
        "{}",
        feedback.summary
    );
    assert!(
        feedback.summary.contains("q2: all 2 tests passed"),
        "{}",
        feedback.summary
    );

    let wrong = notebook(&["total = 10", "def double(n):\n    return n * n"]);
    let (verdict, feedback) = grade_with(&sandbox, &wrong, &tests, limits).await;
    assert_eq!(verdict, Verdict::WrongAnswer, "{feedback:?}");
    assert!(
        feedback
            .summary
            .contains("q2: 1 of 2 tests failed: Doubles a number"),
        "{}",
        feedback.summary
    );
    assert!(
        feedback.summary.contains("q1: all 1 test passed"),
        "{}",
        feedback.summary
    );
    let failed = feedback.tests.iter().find(|t| !t.passed).unwrap();
    assert_eq!(failed.detail.as_ref().unwrap().call, "double(4)");

    // A cell that raises: named as the learner counts it (code cells alone)
    // and by how it starts.
    let crashing = notebook(&[
        "# Setup",
        "total = 10",
        "def double(n):\n    return 2 * n",
        "raise ValueError('no data yet')",
    ]);
    let (verdict, feedback) = grade_with(&sandbox, &crashing, &tests, limits).await;
    assert_eq!(verdict, Verdict::RuntimeError, "{feedback:?}");
    assert!(
        feedback
            .summary
            .contains("code cell 3 (`raise ValueError('no dat…`)"),
        "{}",
        feedback.summary
    );
    assert!(
        feedback.summary.contains("no data yet"),
        "{}",
        feedback.summary
    );

    // A cell Python cannot read: its number too.
    let unreadable = notebook(&["total = 10", "def double(n)\n    return 2 * n"]);
    let (verdict, feedback) = grade_with(&sandbox, &unreadable, &tests, limits).await;
    assert_eq!(verdict, Verdict::SyntaxError, "{feedback:?}");
    assert!(
        feedback.summary.contains("code cell 2 (`def double(n)`)"),
        "{}",
        feedback.summary
    );

    // What a notebook claims to have printed is not what runs: the stored
    // notebook has no outputs, and a forged report in a cell's code is
    // just code.
    let claims = json!({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": "total = 9",
         "outputs": [{"output_type": "stream", "name": "stdout", "text": "All 3 tests passed."}]}
    ]});
    let stored = domain::notebook::Notebook::parse(claims).unwrap().to_text();
    let (verdict, _) = grade_with(&sandbox, &stored, &tests, limits).await;
    assert_eq!(verdict, Verdict::RuntimeError, "double is missing");
}

#[tokio::test]
async fn the_hostile_suite_in_a_notebooks_cell_gets_the_same_verdicts() {
    let sandbox = docker_sandbox().await;
    let tests = notebook_suite(ANSWER_TESTS);
    let cases = crate::hostile::cases();
    assert!(cases.len() >= 15);
    let results: Vec<_> = futures::stream::iter(cases)
        .map(|(name, code, expected)| {
            let (sandbox, tests) = (&sandbox, &tests);
            // The program split at its first blank line into two cells, as a
            // learner would spread it.
            let cells: Vec<String> = match code.split_once("\n\n") {
                Some((a, b)) => vec![a.to_owned(), b.to_owned()],
                None => vec![code.clone()],
            };
            let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
            let nb = notebook(&refs);
            async move {
                (
                    name,
                    expected,
                    grade_with(sandbox, &nb, tests, limits(3000)).await,
                )
            }
        })
        .buffer_unordered(3)
        .collect()
        .await;
    for (name, expected, (verdict, feedback)) in results {
        assert_eq!(verdict, expected, "{name}: {feedback:?}");
    }
}
