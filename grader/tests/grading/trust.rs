//! What the split between runner and learner promises beyond resisting the
//! attack suite: one runaway test costs only itself, hidden tests give away
//! nothing but their verdict class, and any byte the learner's code prints
//! ends in a stored verdict on the first delivery.

use std::time::Duration;

use domain::verdict::Verdict;
use serde_json::Value;
use testkit::TestEnv;
use uuid::Uuid;

use crate::helpers::{
    config, docker_sandbox, final_state, grade_with, limits, source, submit, suite, Running,
};

#[tokio::test]
async fn a_test_past_its_limit_fails_alone_and_the_others_still_report() {
    let sandbox = docker_sandbox().await;
    let loops_on_empty =
        "def greet(name):\n    while not name:\n        pass\n    return f\"Hello, {name}!\"\n";
    let tests = source("greeting", "tests");

    let (verdict, feedback) =
        grade_with(&sandbox, loops_on_empty, &suite(&tests, &[]), limits(2000)).await;

    assert_eq!(verdict, Verdict::TimeLimit, "{feedback:?}");
    let by_name = |name: &str| {
        feedback
            .tests
            .iter()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("{name} missing: {feedback:?}"))
    };
    let looping = by_name("test_empty_name_greets_the_world");
    assert_eq!(looping.verdict, Some(Verdict::TimeLimit));
    assert!(
        looping.message.contains("time limit of 1.0 s"),
        "{looping:?}"
    );
    for name in [
        "test_greets_by_name",
        "test_keeps_the_name_as_written",
        "test_returns_rather_than_prints",
    ] {
        assert!(by_name(name).passed, "{feedback:?}");
    }
    assert!(
        feedback
            .summary
            .starts_with("3 of 4 tests passed; 1 ran past the time limit"),
        "{}",
        feedback.summary
    );
}

/// Tests with two secrets, and code that tells everything it is given; the
/// e2e test of hidden tests uses the same two files.
const SECRET_TESTS: &str = include_str!("../fixtures/secret_tests.py");
const TELLS_ALL: &str = include_str!("../fixtures/tells_all.py");

#[tokio::test]
async fn hidden_tests_report_their_verdict_class_and_nothing_else() {
    let sandbox = docker_sandbox().await;
    let hidden = suite(SECRET_TESTS, &["test_secret", "test_secret_raises"]);

    let (verdict, feedback) = grade_with(&sandbox, TELLS_ALL, &hidden, limits(2000)).await;

    let json = serde_json::to_string(&feedback).unwrap();
    assert!(!json.contains("SECRET"), "a hidden test leaked: {json}");
    assert_eq!(verdict, Verdict::RuntimeError, "{json}");
    let names: Vec<&str> = feedback.tests.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["test_visible", "Hidden test 1", "Hidden test 2"]);
    assert!(feedback.tests[0].passed);
    assert_eq!(feedback.tests[1].verdict, Some(Verdict::WrongAnswer));
    assert_eq!(feedback.tests[2].verdict, Some(Verdict::RuntimeError));
    assert!(feedback.tests[1..].iter().all(|t| t.hidden && !t.passed));
    // The learner's own runtime error is named by its builtin type alone.
    assert_eq!(
        feedback.tests[2].message,
        "This hidden test failed: runtime error (ValueError)."
    );
    // What the visible test printed is still shown.
    assert!(feedback.stdout.contains("printed: ['plain']"), "{json}");
}

/// The attack on naming a hidden test's exception type: a class named for
/// the input it was given. Only builtin types are named.
const NAMES_ITS_CLASS: &str = "def echo(text, twice=False):\n    \
if twice:\n        raise type('E_' + text.replace('-', '_'), (Exception,), {})('x')\n    \
return text + '!'\n";

#[tokio::test]
async fn a_hidden_tests_error_of_a_class_named_for_its_input_names_no_class() {
    let sandbox = docker_sandbox().await;
    let hidden = suite(SECRET_TESTS, &["test_secret", "test_secret_raises"]);

    let (verdict, feedback) = grade_with(&sandbox, NAMES_ITS_CLASS, &hidden, limits(2000)).await;

    let json = serde_json::to_string(&feedback).unwrap();
    assert!(!json.contains("SECRET"), "a hidden test leaked: {json}");
    assert_eq!(verdict, Verdict::RuntimeError, "{json}");
    assert_eq!(
        feedback.tests[2].message,
        "This hidden test failed: runtime error."
    );
}

/// Numbers, None and one-letter texts are shared objects in Python, so the
/// runner cannot tell by identity which side of a comparison the learner's
/// result is: it tells by an equal value of the same type on one side.
const COUNTS_TESTS: &str = "import unittest\nfrom solution import count, nothing, letter\n\n\n\
class T(unittest.TestCase):\n    def test_count(self):\n        self.assertEqual(count('abc'), 7)\n\n    \
def test_reversed(self):\n        self.assertEqual(7, count('abcd'))\n\n    \
def test_none(self):\n        self.assertEqual(nothing(), 3)\n\n    \
def test_letter(self):\n        self.assertEqual(letter(), 'b')\n\n    \
def test_other(self):\n        count('a')\n        self.assertEqual(len('xy'), 5)\n";
const COUNTS: &str = "def count(s):\n    return len(s)\n\ndef nothing():\n    pass\n\n\
def letter():\n    return 'a'\n";

#[tokio::test]
async fn failed_comparisons_of_numbers_and_shared_values_are_labelled() {
    let sandbox = docker_sandbox().await;

    let (_, feedback) = grade_with(&sandbox, COUNTS, &suite(COUNTS_TESTS, &[]), limits(2000)).await;

    let detail = |name: &str| {
        let t = feedback.tests.iter().find(|t| t.name == name).unwrap();
        let d = t.detail.clone().unwrap_or_else(|| panic!("{t:?}"));
        (d.call, d.actual, d.expected)
    };
    let some = |s: &str| Some(s.to_owned());
    assert_eq!(
        detail("test_count"),
        ("count('abc')".into(), some("3"), some("7"))
    );
    assert_eq!(
        detail("test_reversed"),
        ("count('abcd')".into(), some("4"), some("7"))
    );
    assert_eq!(
        detail("test_none"),
        ("nothing()".into(), some("None"), some("3"))
    );
    assert_eq!(
        detail("test_letter"),
        ("letter()".into(), some("'a'"), some("'b'"))
    );
    // A comparison about something else is not labelled as the result.
    assert_eq!(detail("test_other"), ("count('a')".into(), None, None));
}

/// A hidden test class's setUpClass is part of the hidden phase: what the
/// learner's code prints there is hidden, and the phase's one deadline holds
/// for the fixture and the test together (at b4aa48e the fixture printed
/// into the feedback and had a test's time of its own, past the padding;
/// found by a red-team review).
const HIDDEN_FIXTURE_TESTS: &str = "import unittest\nfrom solution import echo\n\n\n\
class Visible(unittest.TestCase):\n    def test_visible(self):\n        \
self.assertEqual(echo('plain'), 'plain!')\n\n\nclass Hidden(unittest.TestCase):\n    \
@classmethod\n    def setUpClass(cls):\n        cls.answer = echo('SECRET-INPUT-7f3a')\n\n    \
def test_secret(self):\n        self.assertEqual(self.answer, 'SECRET-INPUT-7f3a!')\n";
const SLOW_FIXTURE_TESTS: &str = "import unittest\nfrom solution import wait\n\n\n\
class Visible(unittest.TestCase):\n    def test_visible(self):\n        \
self.assertEqual(wait(0), 0)\n\n\nclass Hidden(unittest.TestCase):\n    \
@classmethod\n    def setUpClass(cls):\n        wait(0.7)\n\n    \
def test_hidden(self):\n        self.assertEqual(wait(0.7), 0.7)\n";

#[tokio::test]
async fn a_hidden_class_fixture_is_in_the_hidden_phase() {
    let sandbox = docker_sandbox().await;

    let hidden = suite(HIDDEN_FIXTURE_TESTS, &["test_secret"]);
    let (verdict, feedback) = grade_with(&sandbox, TELLS_ALL, &hidden, limits(2000)).await;
    let json = serde_json::to_string(&feedback).unwrap();
    assert!(
        !json.contains("SECRET"),
        "a hidden fixture's output leaked: {json}"
    );
    assert!(feedback.stdout.contains("printed: ['plain']"), "{json}");
    assert_eq!(verdict, Verdict::Passed, "{json}");

    // One hidden test at 1 s a test: 0.7 s in its class's setUpClass and 0.7 s
    // in the test overrun the phase, though each is within a test's time.
    let slow = suite(SLOW_FIXTURE_TESTS, &["test_hidden"]);
    let code = "import time\n\ndef wait(seconds):\n    time.sleep(seconds)\n    return seconds\n";
    let (verdict, feedback) = grade_with(&sandbox, code, &slow, limits(2000)).await;
    assert_eq!(verdict, Verdict::TimeLimit, "{feedback:?}");
    assert!(feedback.tests[0].passed, "{feedback:?}");
    assert_eq!(
        feedback.tests[1].verdict,
        Some(Verdict::TimeLimit),
        "{feedback:?}"
    );
}

/// A subclass of a learner class that only a hidden test uses, defined at
/// the top of the test file: the learner's side gets nothing of it (its
/// class attributes, its methods) before a hidden test runs. At 43fd042 it
/// was made there when the test file loaded, and a visible test printed
/// its secret (found by a red-team review).
const HIDDEN_SUBCLASS_TESTS: &str = "import unittest\nimport solution\n\n\
class SecretSquare(solution.Shape):\n    SIDE = 7\n    EXPECTED = 'SECRET-49'\n\n    \
def area(self):\n        return self.SIDE ** 2\n\n\nclass Visible(unittest.TestCase):\n    \
def test_visible(self):\n        print('seen:', solution.seen())\n\n\nclass Hidden(unittest.TestCase):\n    \
def test_hidden(self):\n        self.assertEqual(SecretSquare().area(), 49)\n";
const TELLS_SUBCLASSES: &str = "class Shape:\n    made = []\n\n    \
def __init_subclass__(cls, **kwargs):\n        super().__init_subclass__(**kwargs)\n        \
Shape.made.append((cls.__name__, dict(vars(cls))))\n\n\ndef seen():\n    return repr(Shape.made)\n";

#[tokio::test]
async fn a_hidden_tests_subclass_of_a_learner_class_reaches_the_learner_only_when_it_runs() {
    let sandbox = docker_sandbox().await;
    let hidden = suite(HIDDEN_SUBCLASS_TESTS, &["test_hidden"]);

    let (verdict, feedback) = grade_with(&sandbox, TELLS_SUBCLASSES, &hidden, limits(2000)).await;

    let json = serde_json::to_string(&feedback).unwrap();
    assert!(feedback.stdout.contains("seen: []"), "{json}");
    assert!(
        !json.contains("SECRET"),
        "a hidden test's subclass leaked: {json}"
    );
    // The subclass still works when its hidden test runs.
    assert_eq!(verdict, Verdict::Passed, "{json}");
}

#[tokio::test]
async fn nul_in_output_or_an_exception_ends_in_its_verdict_on_the_first_delivery() {
    let env = TestEnv::new().await;
    let grader = Running::start(config(&env, &format!("nul-{}", Uuid::new_v4().simple()))).await;
    let solution = source("greeting", "solution");
    let prints_nul = format!("import os\nprint('a\\x00b')\nos.write(1, b'\\x00')\n{solution}");
    let raises_nul = "def greet(name):\n    raise ValueError('bad\\x00byte')\n".to_owned();

    let (_, printed) = submit(&env, "greeting", &prints_nul).await;
    let (_, raised) = submit(&env, "greeting", &raises_nul).await;
    let printed_state = final_state(&env, printed, Duration::from_secs(30)).await;
    let raised_state = final_state(&env, raised, Duration::from_secs(30)).await;
    grader.stop().await;

    assert_eq!(
        printed_state,
        ("passed".to_owned(), Some("passed".to_owned()), 1)
    );
    assert_eq!(
        raised_state,
        ("failed".to_owned(), Some("runtime_error".to_owned()), 1)
    );
    let client = env.pool.get().await.unwrap();
    let feedback: Value = client
        .query_one(
            "SELECT feedback FROM submissions WHERE id = $1",
            &[&printed],
        )
        .await
        .unwrap()
        .get("feedback");
    assert!(
        feedback["stdout"].as_str().unwrap().contains("a\u{2400}b"),
        "{feedback}"
    );
}

#[tokio::test]
async fn a_database_error_is_logged_with_what_postgres_said() {
    let env = TestEnv::new().await;
    let client = env.pool.get().await.unwrap();
    let nul = serde_json::json!({ "stdout": "a\u{0}b" });

    let error = client
        .execute("SELECT $1::jsonb", &[&nul])
        .await
        .expect_err("jsonb holds no NUL");

    let logged = store::Error::from(error).to_string();
    assert!(
        logged.contains("unsupported Unicode escape sequence") && logged.contains("SQLSTATE 22P05"),
        "{logged}"
    );
}

/// Tests written for one process, run against the learner's code in another.
const ONE_PROCESS_TESTS: &str = r#"import contextlib
import io
import unittest

import solution
from solution import LIMIT, Stack, countdown, shout, sort_in_place, words


class AsIfInOneProcess(unittest.TestCase):
    def test_a_module_constant(self):
        self.assertEqual(LIMIT, 3)
        self.assertEqual(solution.LIMIT, 3)

    def test_printed_output_is_captured_per_call(self):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            self.assertEqual(shout("hi"), "HI")
        self.assertEqual(out.getvalue(), "shouting hi\n")

    def test_builtin_exceptions_keep_their_type(self):
        with self.assertRaises(ValueError):
            shout("")
        with self.assertRaisesRegex(KeyError, "missing"):
            words({})["missing"]

    def test_an_instance_stays_behind_a_handle(self):
        stack = Stack()
        stack.push(1)
        stack.push(2)
        self.assertEqual(len(stack), 2)
        self.assertEqual(stack[0], 1)
        self.assertEqual(stack.top, 2)
        stack.name = "mine"
        self.assertEqual(stack.describe(), "mine: [1, 2]")
        self.assertEqual(str(stack), "Stack of 2")
        self.assertIs(stack.me(), stack)
        with stack as inside:
            self.assertEqual(inside, "entered")
        self.assertEqual(stack.exits, 1)

    def test_generators_iterate(self):
        self.assertEqual(list(countdown(3)), [3, 2, 1])
        self.assertEqual(sum(countdown(4)), 10)

    def test_changes_to_arguments_come_back(self):
        data = [3, 1, 2]
        nested = {"k": [2, 1]}
        self.assertIsNone(sort_in_place(data, nested))
        self.assertEqual(data, [1, 2, 3])
        self.assertEqual(nested, {"k": [1, 2]})

    def test_values_cross_as_what_they_are(self):
        got = words({"a": (1, 2.5, b"x", None, frozenset({1}), {2}, float("inf"), 10**40)})
        self.assertEqual(got["a"], (1, 2.5, b"x", None, frozenset({1}), {2}, float("inf"), 10**40))
        self.assertIs(type(got), dict)
"#;

const ONE_PROCESS_SOLUTION: &str = r#"LIMIT = 3

def shout(text):
    if not text:
        raise ValueError("nothing to shout")
    print("shouting", text)
    return text.upper()

def words(d):
    return dict(d)

class Stack:
    def __init__(self):
        self.items = []
        self.name = "stack"
        self.exits = 0
    def push(self, x):
        self.items.append(x)
    def me(self):
        return self
    @property
    def top(self):
        return self.items[-1]
    def describe(self):
        return f"{self.name}: {self.items}"
    def __len__(self):
        return len(self.items)
    def __getitem__(self, i):
        return self.items[i]
    def __str__(self):
        return f"Stack of {len(self.items)}"
    def __enter__(self):
        return "entered"
    def __exit__(self, *exc):
        self.exits += 1

def countdown(n):
    while n:
        yield n
        n -= 1

def sort_in_place(items, nested):
    items.sort()
    nested["k"].sort()
"#;

#[tokio::test]
async fn tests_written_for_one_process_work_across_the_pipe() {
    let sandbox = docker_sandbox().await;

    let (verdict, feedback) = grade_with(
        &sandbox,
        ONE_PROCESS_SOLUTION,
        &suite(ONE_PROCESS_TESTS, &[]),
        limits(2000),
    )
    .await;

    assert_eq!(verdict, Verdict::Passed, "{feedback:#?}");
    assert_eq!(feedback.tests.len(), 7);
}
