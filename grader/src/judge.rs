//! From a run to a verdict and the learner's feedback. Only the runner's
//! nonce-framed report counts, and only for the tests the grader knows the
//! assignment has: a pass needs exactly those to have run and passed. Hidden
//! tests leave here as their verdict class and nothing else.

use std::collections::HashSet;

use domain::course::Kind;
use domain::runners::Runner;
use domain::verdict::Verdict;
use domain::work::{FailureDetail, Feedback, TestOutcome};
use serde::Deserialize;

use crate::sandbox::{ExecutionOutcome, Limits, TestSuite};

/// The runner's report (`runners/python/runner.py`).
#[derive(Debug, Deserialize)]
struct Report {
    /// `ran`, `load_failed` (the learner's module did not load) or
    /// `runner_failed` (a fault of ours).
    status: String,
    /// For `load_failed`: how, as a test outcome.
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    tests: Vec<ReportedTest>,
    #[serde(default)]
    duration_ms: u64,
    #[serde(default)]
    stdout: String,
    #[serde(default)]
    stderr: String,
}

#[derive(Debug, Deserialize)]
struct ReportedTest {
    id: String,
    name: String,
    /// Each part's outcome (the test, its subtests, its clean-up), as they
    /// happened; the test is judged by the worst, under the verdict table's precedence
    /// (`domain::verdict`).
    outcomes: Vec<String>,
    #[serde(default)]
    message: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    call: Option<String>,
    #[serde(default)]
    expected: Option<String>,
    #[serde(default)]
    actual: Option<String>,
    #[serde(default)]
    printed: Option<String>,
    /// The builtin exception type the learner's code raised in it (the
    /// runner names no other): what a hidden test tells of its error.
    #[serde(default)]
    raised: Option<String>,
}

impl ReportedTest {
    /// The readable name and the failure's detail, clipped: for visible
    /// tests only (a hidden test's call and values would give it away).
    fn shown_extras(&self, passed: bool) -> (Option<String>, Option<FailureDetail>) {
        let title = self.title.as_deref().map(|t| clip(t, 200));
        let detail = match (&self.call, passed) {
            (Some(call), false) => Some(FailureDetail {
                call: clip(call, 400),
                expected: self.expected.as_deref().map(|v| clip(v, 400)),
                actual: self.actual.as_deref().map(|v| clip(v, 400)),
                printed: self.printed.as_deref().map(|v| clip(v, 600)),
            }),
            _ => None,
        };
        (title, detail)
    }
}

/// The report between the first two occurrences of the nonce, if any. A
/// framed report that does not parse is the runner's defect: logged with
/// its reason, never a silent "no report".
fn find_report(channel: &[u8], nonce: &str) -> Option<Report> {
    framed(channel, nonce)
}

/// What the runner wrote between the first two occurrences of the nonce,
/// read as `T` (a grading's report, a listing).
pub(crate) fn framed<T: serde::de::DeserializeOwned>(channel: &[u8], nonce: &str) -> Option<T> {
    let text = String::from_utf8_lossy(channel);
    let start = text.find(nonce)? + nonce.len();
    let end = start + text[start..].find(nonce)?;
    serde_json::from_str(&text[start..end])
        .inspect_err(|e| {
            tracing::error!(error = %e, bytes = end - start, "the runner's report does not parse")
        })
        .ok()
}

fn clip(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n… (cut)", &s[..end])
}

/// The outcome of a part skipped by the test's own code (a decorator, or
/// `skipTest` in setUp or the test). Only the tests' code can skip: the
/// learner's exceptions reach the runner as builtin types or as the
/// runner's stand-ins, never as unittest's SkipTest.
const SKIPPED: &str = "skipped";

/// Whether the test's author skipped it: every part of it was a skip. It
/// is then neither passed nor failed, and not required for a pass.
fn author_skipped(test: &ReportedTest) -> bool {
    !test.outcomes.is_empty() && test.outcomes.iter().all(|o| o == SKIPPED)
}

/// A runner outcome (of a test's part, or of loading the learner's module)
/// as a verdict (`domain::verdict::TABLE`); one no row lists is a fault of
/// ours. The kernel's OOM kill, seen only from outside, turns a crash into a
/// memory verdict.
fn verdict_of(outcome: &str, oom_killed: bool) -> Verdict {
    match Verdict::of_outcome(outcome) {
        Some(Verdict::RuntimeError) if outcome == "crashed" && oom_killed => Verdict::MemoryLimit,
        Some(v) => v,
        None => Verdict::InternalError,
    }
}

/// A test's verdict: the worst of its parts' (the table's one precedence);
/// none at all is ours.
fn test_verdict(test: &ReportedTest, oom_killed: bool) -> Verdict {
    Verdict::worst(test.outcomes.iter().map(|o| verdict_of(o, oom_killed)))
        .unwrap_or(Verdict::InternalError)
}

pub fn judge(
    outcome: &ExecutionOutcome,
    nonce: &str,
    suite: &TestSuite,
    runner: &Runner,
    limits: &Limits,
) -> (Verdict, Feedback) {
    let report = find_report(&outcome.channel, nonce);
    let mut feedback = Feedback {
        duration_ms: report
            .as_ref()
            .map_or(outcome.wall.as_millis() as u64, |r| r.duration_ms),
        ..Default::default()
    };
    let (verdict, summary) = match &report {
        _ if outcome.timed_out => (
            Verdict::TimeLimit,
            format!(
                "Your code ran longer than the limit of {:.1} s and was stopped.",
                limits.run_time.as_secs_f64()
            ),
        ),
        None => no_report(outcome),
        Some(r) => {
            feedback.stdout = clip(&r.stdout, limits.shown_output);
            feedback.stderr = clip(&r.stderr, limits.shown_output);
            match r.status.as_str() {
                "ran" if !ran_the_known_tests(r, suite) => {
                    tracing::error!(
                        expected = ?suite.ids,
                        ran = ?r.tests.iter().map(|t| &t.id).collect::<Vec<_>>(),
                        "the tests that ran are not the assignment's tests"
                    );
                    // Nothing of tests we do not know of is shown.
                    (
                        Verdict::InternalError,
                        "The tests that ran are not this assignment's tests. This is our fault, \
                         not your code's: please submit again."
                            .into(),
                    )
                }
                "ran" => {
                    feedback.tests = shown_tests(r, suite, outcome.oom_killed, limits);
                    let (verdict, summary) = judge_tests(&feedback.tests, limits);
                    match suite.kind {
                        Kind::Notebook if verdict != Verdict::InternalError => (
                            verdict,
                            format!("{summary}\n{}", by_question(r, &feedback.tests)),
                        ),
                        _ => (verdict, summary),
                    }
                }
                "load_failed" => judge_load(r, runner, outcome.oom_killed, limits),
                _ => (
                    Verdict::InternalError,
                    "The grader failed while running the tests. This is our fault, not your \
                     code's: please submit again."
                        .into(),
                ),
            }
        }
    };
    // Limits seen from outside win over whatever the report says.
    let verdict = if outcome.oom_killed && !matches!(verdict, Verdict::TimeLimit) {
        Verdict::MemoryLimit
    } else {
        verdict
    };
    feedback.summary = if verdict == Verdict::MemoryLimit && !summary.contains("memory") {
        "Your code used more memory than allowed.".into()
    } else {
        summary
    };
    (verdict, feedback)
}

fn no_report(outcome: &ExecutionOutcome) -> (Verdict, String) {
    if outcome.oom_killed {
        return (
            Verdict::MemoryLimit,
            "Your code used more memory than allowed.".into(),
        );
    }
    tracing::error!(
        exit_code = ?outcome.exit_code,
        overflow = outcome.channel_overflow,
        stderr = %String::from_utf8_lossy(&outcome.stderr),
        "the runner left no report"
    );
    (
        Verdict::InternalError,
        "The grader's runner stopped without a report. This is our fault, not your code's: \
         please submit again."
            .into(),
    )
}

fn judge_load(
    report: &Report,
    runner: &Runner,
    oom_killed: bool,
    limits: &Limits,
) -> (Verdict, String) {
    let verdict = verdict_of(&report.outcome, oom_killed);
    let message = clip(&report.message, limits.message_chars);
    let summary = match verdict {
        Verdict::SyntaxError => format!("{}:\n{message}", runner.unreadable),
        Verdict::TimeLimit => format!(
            "Your code did not finish loading within {:.1} s, the time for all the tests.",
            limits.run_time.as_secs_f64()
        ),
        Verdict::OutputLimit => format!(
            "Your code printed more than {} KiB while loading.",
            limits.output_kib()
        ),
        Verdict::MemoryLimit => "Your code used more memory than allowed while loading.".into(),
        Verdict::InternalError => "The grader could not read the test report.".into(),
        _ => format!("Your code raised an error when it was loaded:\n{message}"),
    };
    // A load never passes: no test has run.
    let verdict = if verdict == Verdict::Passed {
        Verdict::InternalError
    } else {
        verdict
    };
    (verdict, summary)
}

/// What staff see of the hidden tests and learners never do: each one's
/// name and message, as the runner reported them. Kept apart from the
/// feedback, which is the learner's.
pub fn hidden_details(
    outcome: &ExecutionOutcome,
    nonce: &str,
    suite: &TestSuite,
    limits: &Limits,
) -> Vec<TestOutcome> {
    let Some(report) = find_report(&outcome.channel, nonce) else {
        return Vec::new();
    };
    let hidden: HashSet<&str> = suite.hidden.iter().map(String::as_str).collect();
    report
        .tests
        .iter()
        .filter(|t| hidden.contains(t.id.as_str()))
        .map(|t| as_reported(t, outcome.oom_killed, limits, true))
        .collect()
}

/// A test as the runner reported it, all of it: what the learner sees of a
/// visible test and staff alone of a hidden one.
fn as_reported(t: &ReportedTest, oom_killed: bool, limits: &Limits, hidden: bool) -> TestOutcome {
    let verdict = test_verdict(t, oom_killed);
    let skipped = author_skipped(t);
    let (title, detail) = t.shown_extras(verdict == Verdict::Passed);
    TestOutcome {
        name: clip(&t.name, 200),
        title,
        detail,
        passed: verdict == Verdict::Passed && !skipped,
        message: clip(&t.message, limits.message_chars),
        verdict: Some(verdict),
        hidden,
        skipped,
    }
}

/// " (ZeroDivisionError)" for a hidden test the learner's code failed with
/// a runtime error the runner named: a short identifier only, whatever the
/// report says, and nothing for any other verdict.
fn raised_type(t: &ReportedTest, verdict: Verdict) -> String {
    match t.raised.as_deref() {
        Some(name)
            if verdict == Verdict::RuntimeError
                && (1..=40).contains(&name.len())
                && name.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            format!(" ({name})")
        }
        _ => String::new(),
    }
}

/// What the learner sees of each test: everything of a visible one; of a
/// hidden one, only that it passed or the kind of failure (and, for a
/// runtime error, the builtin exception type the learner's code raised).
fn shown_tests(
    report: &Report,
    suite: &TestSuite,
    oom_killed: bool,
    limits: &Limits,
) -> Vec<TestOutcome> {
    let hidden: HashSet<&str> = suite.hidden.iter().map(String::as_str).collect();
    let mut hidden_seen = 0;
    report
        .tests
        .iter()
        .map(|t| {
            if !hidden.contains(t.id.as_str()) {
                return as_reported(t, oom_killed, limits, false);
            }
            let verdict = test_verdict(t, oom_killed);
            let skipped = author_skipped(t);
            hidden_seen += 1;
            TestOutcome {
                name: format!("Hidden test {hidden_seen}"),
                title: None,
                detail: None,
                passed: verdict == Verdict::Passed && !skipped,
                message: if skipped {
                    "This hidden test was skipped by its author.".into()
                } else if verdict == Verdict::Passed {
                    String::new()
                } else {
                    format!(
                        "This hidden test failed: {}{}.",
                        verdict.as_str().replace('_', " "),
                        raised_type(t, verdict)
                    )
                },
                verdict: Some(verdict),
                hidden: true,
                skipped,
            }
        })
        .collect()
}

/// A notebook's feedback per question: each `unittest.TestCase` class is
/// one (`class Q2` is q2), in the order its tests ran:
/// "q2: 1 of 3 tests failed: test_mean".
fn by_question(report: &Report, shown: &[TestOutcome]) -> String {
    let mut questions: Vec<(String, Vec<&TestOutcome>)> = Vec::new();
    for (reported, outcome) in report.tests.iter().zip(shown) {
        let mut parts = reported.id.rsplit('.');
        let question = parts
            .nth(1)
            .map_or_else(|| "tests".to_owned(), str::to_lowercase);
        match questions.iter_mut().find(|(q, _)| *q == question) {
            Some((_, tests)) => tests.push(outcome),
            None => questions.push((question, vec![outcome])),
        }
    }
    questions
        .iter()
        .map(|(question, tests)| {
            let failed: Vec<&str> = tests
                .iter()
                .filter(|t| !t.passed && !t.skipped)
                .map(|t| t.title.as_deref().unwrap_or(&t.name))
                .collect();
            match failed.len() {
                0 => format!("{question}: all {} passed", plural(tests.len())),
                n => format!(
                    "{question}: {n} of {} failed: {}",
                    plural(tests.len()),
                    failed.join(", ")
                ),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn plural(n: usize) -> String {
    if n == 1 {
        "1 test".into()
    } else {
        format!("{n} tests")
    }
}

/// Exactly the tests the grader knows the suite has ran, each once.
fn ran_the_known_tests(report: &Report, suite: &TestSuite) -> bool {
    let expected: HashSet<&str> = suite.ids.iter().map(String::as_str).collect();
    let ran: HashSet<&str> = report.tests.iter().map(|t| t.id.as_str()).collect();
    ran == expected && ran.len() == report.tests.len()
}

fn judge_tests(shown: &[TestOutcome], limits: &Limits) -> (Verdict, String) {
    // What the author skipped is not required.
    let skipped = shown.iter().filter(|t| t.skipped).count();
    let shown: Vec<TestOutcome> = shown.iter().filter(|t| !t.skipped).cloned().collect();
    let total = shown.len();
    let passed = shown.iter().filter(|t| t.passed).count();
    let count = |v: Verdict| shown.iter().filter(|t| t.verdict == Some(v)).count();
    if passed == total {
        let also = match skipped {
            0 => String::new(),
            n => format!(" ({n} skipped by the tests' author)"),
        };
        return (Verdict::Passed, format!("All {total} tests passed{also}."));
    }
    let verdict = Verdict::worst(shown.iter().filter_map(|t| t.verdict))
        .filter(|v| *v != Verdict::Passed)
        .unwrap_or(Verdict::WrongAnswer);
    let mut parts = vec![format!("{passed} of {total} tests passed")];
    let described = [
        (
            Verdict::TimeLimit,
            format!(
                "ran past the time limit of {:.1} s",
                limits.test_time.as_secs_f64()
            ),
        ),
        (
            Verdict::OutputLimit,
            format!("printed more than {} KiB", limits.output_kib()),
        ),
        (Verdict::MemoryLimit, "ran out of memory".to_owned()),
        (Verdict::RuntimeError, "raised an error".to_owned()),
        (Verdict::WrongAnswer, "gave a wrong answer".to_owned()),
        (Verdict::InternalError, "could not be judged".to_owned()),
    ];
    for (v, what) in described {
        match count(v) {
            0 => {}
            n => parts.push(format!("{n} {what}")),
        }
    }
    if skipped > 0 {
        parts.push(format!("{skipped} skipped by the tests' author"));
    }
    (verdict, format!("{}.", parts.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::runners::PYTHON;

    const N: &str = "0123456789abcdef0123456789abcdef";

    fn suite(ids: &[&str], hidden: &[&str]) -> TestSuite {
        TestSuite {
            code: String::new(),
            ids: ids.iter().map(|s| s.to_string()).collect(),
            hidden: hidden.iter().map(|s| s.to_string()).collect(),
            skip: Vec::new(),
            kind: domain::course::Kind::Code,
        }
    }

    fn outcome(body: &str) -> ExecutionOutcome {
        ExecutionOutcome {
            channel: format!("{N}{body}{N}\n").into_bytes(),
            exit_code: Some(0),
            ..Default::default()
        }
    }

    fn ran(tests: &[(&str, &str, &str)]) -> String {
        let tests: Vec<_> = tests
            .iter()
            .map(|(id, outcome, message)| {
                serde_json::json!({"id": id, "name": id.rsplit('.').next(), "outcomes": [outcome], "message": message})
            })
            .collect();
        serde_json::json!({"status": "ran", "tests": tests, "stdout": "", "stderr": "", "duration_ms": 3})
            .to_string()
    }

    fn limits() -> Limits {
        Limits::new(2000, 1000, 128)
    }

    #[test]
    fn all_known_tests_passed_is_passed() {
        let s = suite(&["m.T.a", "m.T.b"], &[]);
        let r = ran(&[("m.T.a", "passed", ""), ("m.T.b", "passed", "")]);
        let (v, f) = judge(&outcome(&r), N, &s, &PYTHON, &limits());
        assert_eq!(v, Verdict::Passed);
        assert_eq!(f.tests.len(), 2);
        assert!(f
            .tests
            .iter()
            .all(|t| t.passed && t.verdict == Some(Verdict::Passed)));
    }

    #[test]
    fn a_pass_needs_exactly_the_known_tests() {
        let s = suite(&["m.T.a", "m.T.b"], &[]);
        for r in [
            ran(&[("m.T.a", "passed", "")]),
            ran(&[
                ("m.T.a", "passed", ""),
                ("m.T.b", "passed", ""),
                ("m.T.c", "passed", ""),
            ]),
            ran(&[("m.T.a", "passed", ""), ("m.T.a", "passed", "")]),
            ran(&[]),
        ] {
            assert_eq!(
                judge(&outcome(&r), N, &s, &PYTHON, &limits()).0,
                Verdict::InternalError,
                "{r}"
            );
        }
    }

    #[test]
    fn skips_and_expected_failures_are_failures() {
        let s = suite(&["m.T.a", "m.T.b", "m.T.c"], &[]);
        let r = ran(&[
            ("m.T.a", "skipped", ""),
            ("m.T.b", "expected_failure", ""),
            ("m.T.c", "unexpected_success", ""),
        ]);
        assert_eq!(
            judge(&outcome(&r), N, &s, &PYTHON, &limits()).0,
            Verdict::WrongAnswer
        );
    }

    #[test]
    fn a_report_without_the_nonce_is_not_believed() {
        let s = suite(&["m.T.a"], &[]);
        let forged = format!("forged{}forged", ran(&[("m.T.a", "passed", "")]));
        let o = ExecutionOutcome {
            channel: forged.into_bytes(),
            ..Default::default()
        };
        assert_ne!(judge(&o, N, &s, &PYTHON, &limits()).0, Verdict::Passed);
    }

    #[test]
    fn mixed_failures_are_judged_by_the_worst() {
        let s = suite(&["m.T.a", "m.T.b", "m.T.c"], &[]);
        let r = ran(&[
            ("m.T.a", "passed", ""),
            ("m.T.b", "time_limit", "slow"),
            ("m.T.c", "failed", "1 != 2"),
        ]);
        let (v, f) = judge(&outcome(&r), N, &s, &PYTHON, &limits());
        assert_eq!(v, Verdict::TimeLimit);
        assert_eq!(
            f.summary,
            "1 of 3 tests passed; 1 ran past the time limit of 1.0 s; 1 gave a wrong answer."
        );
        assert_eq!(f.tests[2].message, "1 != 2");
        let r = ran(&[
            ("m.T.a", "error", ""),
            ("m.T.b", "failed", ""),
            ("m.T.c", "memory_limit", ""),
        ]);
        assert_eq!(
            judge(&outcome(&r), N, &s, &PYTHON, &limits()).0,
            Verdict::MemoryLimit
        );
    }

    #[test]
    fn hidden_tests_show_only_their_verdict_class() {
        let s = suite(
            &["m.T.visible", "m.T.secret_input_42"],
            &["m.T.secret_input_42"],
        );
        let r = ran(&[
            ("m.T.visible", "passed", ""),
            ("m.T.secret_input_42", "failed", "'x' != 'expected-42'"),
        ]);
        let (v, f) = judge(&outcome(&r), N, &s, &PYTHON, &limits());
        assert_eq!(v, Verdict::WrongAnswer);
        let json = serde_json::to_string(&f).unwrap();
        assert!(!json.contains("42"), "{json}");
        assert_eq!(f.tests[1].name, "Hidden test 1");
        assert_eq!(f.tests[1].message, "This hidden test failed: wrong answer.");
        assert!(f.tests[1].hidden);
        // Staff get the hidden test's own name and message, apart.
        let details = hidden_details(&outcome(&r), N, &s, &limits());
        assert_eq!(details.len(), 1);
        assert!(details[0].name.contains("secret_input_42"), "{details:?}");
        assert_eq!(details[0].message, "'x' != 'expected-42'");
        assert!(!details[0].passed && details[0].hidden);
    }

    #[test]
    fn a_hidden_tests_runtime_error_names_its_type_and_nothing_else() {
        let s = suite(&["m.T.a", "m.T.b", "m.T.c"], &["m.T.a", "m.T.b", "m.T.c"]);
        let r = serde_json::json!({
            "status": "ran", "stdout": "", "stderr": "", "duration_ms": 3,
            "tests": [
                {"id": "m.T.a", "name": "a", "outcomes": ["error"], "raised": "ZeroDivisionError",
                 "message": "ZeroDivisionError: secret-11 / 0"},
                // Only an identifier is ever shown, whatever the report says.
                {"id": "m.T.b", "name": "b", "outcomes": ["error"], "raised": "input was 42"},
                // A wrong answer has no exception to name.
                {"id": "m.T.c", "name": "c", "outcomes": ["failed"], "raised": "KeyError"},
            ],
        })
        .to_string();
        let (_, f) = judge(&outcome(&r), N, &s, &PYTHON, &limits());
        assert_eq!(
            f.tests[0].message,
            "This hidden test failed: runtime error (ZeroDivisionError)."
        );
        assert_eq!(
            f.tests[1].message,
            "This hidden test failed: runtime error."
        );
        assert_eq!(f.tests[2].message, "This hidden test failed: wrong answer.");
        let json = serde_json::to_string(&f).unwrap();
        assert!(!json.contains("secret") && !json.contains("42"), "{json}");
    }

    #[test]
    fn a_practice_run_whose_runner_ran_a_hidden_test_anyway_shows_none_of_it() {
        // An older runner that does not know `skip` runs the hidden test.
        let run = suite(&["m.T.visible", "m.T.secret"], &["m.T.secret"]).visible_only();
        let r = serde_json::json!({
            "status": "ran", "stdout": "", "stderr": "", "duration_ms": 3,
            "tests": [
                {"id": "m.T.visible", "name": "visible", "outcomes": ["passed"]},
                {"id": "m.T.secret", "name": "secret", "outcomes": ["failed"],
                 "message": "'secret-77' != 'x'", "call": "f('secret-77')"},
            ],
        })
        .to_string();

        let (verdict, f) = judge(&outcome(&r), N, &run, &PYTHON, &limits());

        assert_eq!(verdict, Verdict::InternalError);
        assert!(f.tests.is_empty(), "{f:?}");
        let json = serde_json::to_string(&f).unwrap();
        assert!(!json.contains("secret"), "{json}");
    }

    #[test]
    fn a_failed_visible_test_shows_its_call_and_values_and_a_hidden_one_nothing() {
        let s = suite(&["m.T.visible", "m.T.secret"], &["m.T.secret"]);
        let detailed = |id: &str, input: &str| {
            serde_json::json!({
                "id": id, "name": id.rsplit('.').next(), "outcomes": ["failed"], "message": "m",
                "title": format!("About {input}"), "call": format!("f({input})"),
                "expected": format!("'want-{input}'"), "actual": "'got'", "printed": "p",
            })
        };
        let r = serde_json::json!({
            "status": "ran", "stdout": "", "stderr": "", "duration_ms": 3,
            "tests": [detailed("m.T.visible", "'seen'"), detailed("m.T.secret", "'secret-77'")],
        })
        .to_string();

        let (_, f) = judge(&outcome(&r), N, &s, &PYTHON, &limits());

        assert_eq!(f.tests[0].title.as_deref(), Some("About 'seen'"));
        let d = f.tests[0].detail.as_ref().unwrap();
        assert_eq!(d.call, "f('seen')");
        assert_eq!(d.expected.as_deref(), Some("'want-'seen''"));
        assert_eq!(d.actual.as_deref(), Some("'got'"));
        assert_eq!(d.printed.as_deref(), Some("p"));
        assert!(f.tests[1].title.is_none() && f.tests[1].detail.is_none());
        let json = serde_json::to_string(&f).unwrap();
        assert!(!json.contains("secret-77"), "{json}");
        // Staff see the hidden test's own call and values.
        let details = hidden_details(&outcome(&r), N, &s, &limits());
        assert_eq!(details[0].detail.as_ref().unwrap().call, "f('secret-77')");
    }

    #[test]
    fn load_failures_map_to_their_verdicts() {
        let s = suite(&["m.T.a"], &[]);
        let load = |o: &str| {
            serde_json::json!({"status": "load_failed", "outcome": o, "message": "m"}).to_string()
        };
        for (o, v) in [
            ("syntax_error", Verdict::SyntaxError),
            ("time_limit", Verdict::TimeLimit),
            ("output_limit", Verdict::OutputLimit),
            ("memory_limit", Verdict::MemoryLimit),
            ("crashed", Verdict::RuntimeError),
            ("error", Verdict::RuntimeError),
            ("passed", Verdict::InternalError),
        ] {
            assert_eq!(
                judge(&outcome(&load(o)), N, &s, &PYTHON, &limits()).0,
                v,
                "{o}"
            );
        }
        // Code that cannot be read is told so in its runner's words.
        let (_, f) = judge(&outcome(&load("syntax_error")), N, &s, &PYTHON, &limits());
        assert_eq!(f.summary, format!("{}:\nm", PYTHON.unreadable));
    }

    /// The runner's `OUTCOMES`, read from its source.
    fn runner_outcomes() -> Vec<String> {
        let source = include_str!("../../runners/python/runner.py");
        let start = source
            .find("\nOUTCOMES = (")
            .expect("runner.py has OUTCOMES");
        let body = &source[start..];
        let body = &body[body.find('(').unwrap() + 1..body.find("\n)").unwrap()];
        body.split(',')
            .map(|o| o.trim().trim_matches('"').to_owned())
            .filter(|o| !o.is_empty())
            .collect()
    }

    #[test]
    fn the_runner_and_the_judge_know_the_same_outcomes_and_only_the_judge_ranks() {
        let runner = runner_outcomes();
        assert!(runner.len() >= 10, "{runner:?}");
        // Every outcome the table judges, in any order: the runner's, and
        // syntax_error, a load's alone.
        let mut judged: Vec<&str> = domain::verdict::TABLE
            .iter()
            .flat_map(|row| row.outcomes.iter().copied())
            .collect();
        let mut expected: Vec<&str> = runner.iter().map(String::as_str).collect();
        expected.push("syntax_error");
        judged.sort_unstable();
        expected.sort_unstable();
        assert_eq!(
            judged, expected,
            "runner.py's OUTCOMES and the verdict table's outcomes differ"
        );
        for outcome in &runner {
            assert_ne!(
                verdict_of(outcome, false),
                Verdict::InternalError,
                "{outcome}"
            );
        }
        let source = include_str!("../../runners/python/runner.py");
        assert!(
            !source.contains("SEVERITY"),
            "the runner ranks outcomes again"
        );
    }

    #[test]
    fn a_test_failing_in_several_ways_is_judged_by_the_one_precedence() {
        let s = suite(&["m.T.a"], &[]);
        let judged = |outcomes: &[&str]| {
            let r = serde_json::json!({
                "status": "ran", "stdout": "", "stderr": "", "duration_ms": 3,
                "tests": [{"id": "m.T.a", "name": "a", "outcomes": outcomes, "message": "m"}],
            })
            .to_string();
            judge(&outcome(&r), N, &s, &PYTHON, &limits())
        };
        // The runner once ranked output_limit over time_limit; the judge the other way.
        for (outcomes, verdict) in [
            (&["output_limit", "time_limit"][..], Verdict::TimeLimit),
            (&["time_limit", "output_limit"][..], Verdict::TimeLimit),
            (&["failed", "error"][..], Verdict::RuntimeError),
            (&["passed", "failed"][..], Verdict::WrongAnswer),
            (&["memory_limit", "output_limit"][..], Verdict::OutputLimit),
            (&[][..], Verdict::InternalError),
            (&["something new"][..], Verdict::InternalError),
        ] {
            let (v, f) = judged(outcomes);
            assert_eq!(v, verdict, "{outcomes:?}");
            assert_eq!(f.tests[0].verdict, Some(verdict), "{outcomes:?}");
        }
    }

    #[test]
    fn a_test_its_author_skipped_is_not_required_and_a_skip_with_a_failure_fails() {
        let s = suite(&["m.T.a", "m.T.b", "m.T.c"], &["m.T.c"]);
        let r = ran(&[
            ("m.T.a", "passed", ""),
            ("m.T.b", "skipped", "skipped: extra credit"),
            ("m.T.c", "skipped", "skipped: later"),
        ]);
        let (v, f) = judge(&outcome(&r), N, &s, &PYTHON, &limits());
        assert_eq!(v, Verdict::Passed, "{f:?}");
        assert!(f.summary.contains("2 skipped"), "{}", f.summary);
        assert!(f.tests[1].skipped && !f.tests[1].passed);
        assert_eq!(f.tests[1].message, "skipped: extra credit");
        assert!(f.tests[2].skipped && f.tests[2].message.contains("skipped by its author"));
        // A skip after a failing part is no skip.
        let r = serde_json::json!({
            "status": "ran", "stdout": "", "stderr": "", "duration_ms": 3,
            "tests": [
                {"id": "m.T.a", "name": "a", "outcomes": ["passed"]},
                {"id": "m.T.b", "name": "b", "outcomes": ["failed", "skipped"], "message": "m"},
                {"id": "m.T.c", "name": "c", "outcomes": ["passed"]},
            ],
        })
        .to_string();
        let (v, f) = judge(&outcome(&r), N, &s, &PYTHON, &limits());
        assert_eq!(v, Verdict::WrongAnswer);
        assert!(!f.tests[1].skipped && !f.tests[1].passed);
    }

    #[test]
    fn limits_seen_from_outside_win_over_any_report() {
        let s = suite(&["m.T.a"], &[]);
        let passing = ran(&[("m.T.a", "passed", "")]);
        let mut o = outcome(&passing);
        o.timed_out = true;
        assert_eq!(judge(&o, N, &s, &PYTHON, &limits()).0, Verdict::TimeLimit);
        let mut o = outcome(&passing);
        o.oom_killed = true;
        assert_eq!(judge(&o, N, &s, &PYTHON, &limits()).0, Verdict::MemoryLimit);
        let o = ExecutionOutcome::default();
        assert_eq!(
            judge(&o, N, &s, &PYTHON, &limits()).0,
            Verdict::InternalError
        );
    }
}
