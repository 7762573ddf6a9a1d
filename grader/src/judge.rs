//! From a run to a verdict and the learner's feedback. Only the harness's
//! nonce-framed report counts; nothing else the program printed is believed.

use common::domain::{Feedback, TestOutcome, Verdict};
use serde::Deserialize;

use crate::sandbox::RunOutcome;

/// Learner output shown in feedback, per stream.
const SHOWN_OUTPUT: usize = 8 * 1024;
const SHOWN_MESSAGE: usize = 2000;

#[derive(Debug, Deserialize)]
struct Report {
    status: String,
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
    #[serde(default)]
    output_exceeded: bool,
}

#[derive(Debug, Deserialize)]
struct ReportedTest {
    name: String,
    outcome: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    exception: Option<String>,
}

/// The report between the first two occurrences of the nonce, if any.
fn find_report(channel: &[u8], nonce: &str) -> Option<Report> {
    let text = String::from_utf8_lossy(channel);
    let start = text.find(nonce)? + nonce.len();
    let end = start + text[start..].find(nonce)?;
    serde_json::from_str(&text[start..end]).ok()
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

pub fn judge(outcome: &RunOutcome, nonce: &str, time_limit_ms: u64) -> (Verdict, Feedback) {
    let report = find_report(&outcome.channel, nonce);
    let mut feedback = Feedback {
        duration_ms: report
            .as_ref()
            .map_or(outcome.wall.as_millis() as u64, |r| r.duration_ms),
        ..Default::default()
    };
    if let Some(r) = &report {
        feedback.stdout = clip(&r.stdout, SHOWN_OUTPUT);
        feedback.stderr = clip(&r.stderr, SHOWN_OUTPUT);
        feedback.tests = r
            .tests
            .iter()
            .map(|t| TestOutcome {
                name: clip(&t.name, 200),
                passed: t.outcome == "passed",
                message: clip(&t.message, SHOWN_MESSAGE),
            })
            .collect();
    }
    let (verdict, summary) = classify(outcome, report.as_ref(), time_limit_ms);
    feedback.summary = summary;
    (verdict, feedback)
}

fn classify(
    outcome: &RunOutcome,
    report: Option<&Report>,
    time_limit_ms: u64,
) -> (Verdict, String) {
    if outcome.timed_out {
        return (
            Verdict::TimeLimit,
            format!(
                "Your code ran longer than the limit of {:.1} s and was stopped.",
                time_limit_ms as f64 / 1000.0
            ),
        );
    }
    if outcome.channel_overflow || report.is_some_and(|r| r.output_exceeded) {
        return (
            Verdict::OutputLimit,
            "Your code printed more output than allowed (1 MiB).".into(),
        );
    }
    let memory_error = report.is_some_and(|r| {
        r.tests
            .iter()
            .any(|t| t.exception.as_deref() == Some("MemoryError"))
            || r.message.contains("MemoryError")
    });
    if outcome.oom_killed || memory_error {
        return (
            Verdict::MemoryLimit,
            "Your code used more memory than allowed.".into(),
        );
    }
    let Some(report) = report else {
        let how = match outcome.exit_code {
            Some(137) => "was killed".to_owned(),
            Some(code) => format!("exited with code {code}"),
            None => "stopped".to_owned(),
        };
        return (
            Verdict::RuntimeError,
            format!(
                "Your program {how} before the tests could report; did it exit or kill itself?"
            ),
        );
    };
    match report.status.as_str() {
        "syntax_error" => (
            Verdict::SyntaxError,
            format!(
                "Python could not read your code:\n{}",
                clip(&report.message, SHOWN_MESSAGE)
            ),
        ),
        "import_error" => (
            Verdict::RuntimeError,
            format!(
                "Your code raised an error when it was loaded:\n{}",
                clip(&report.message, SHOWN_MESSAGE)
            ),
        ),
        "ran" => {
            let total = report.tests.len();
            let passed = report
                .tests
                .iter()
                .filter(|t| t.outcome == "passed")
                .count();
            let errors = report.tests.iter().filter(|t| t.outcome == "error").count();
            if total == 0 {
                (
                    Verdict::RuntimeError,
                    "No test ran: did your code change the test machinery?".into(),
                )
            } else if passed == total {
                (Verdict::Passed, format!("All {total} tests passed."))
            } else if errors > 0 {
                (
                    Verdict::RuntimeError,
                    format!("{passed} of {total} tests passed; {errors} raised an error."),
                )
            } else {
                (
                    Verdict::WrongAnswer,
                    format!("{passed} of {total} tests passed."),
                )
            }
        }
        other => (
            Verdict::InternalError,
            format!(
                "The grader could not read the test report ({})",
                clip(other, 40)
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(channel: &str) -> RunOutcome {
        RunOutcome {
            channel: channel.as_bytes().to_vec(),
            exit_code: Some(0),
            ..Default::default()
        }
    }

    const N: &str = "0123456789abcdef0123456789abcdef";

    fn report(body: &str) -> String {
        format!("{N}{body}{N}\n")
    }

    #[test]
    fn a_clean_report_of_all_passes_is_passed() {
        let r = report(
            r#"{"status":"ran","tests":[{"name":"t1","outcome":"passed","message":""}],"duration_ms":3}"#,
        );
        let (v, f) = judge(&outcome(&r), N, 2000);
        assert_eq!(v, Verdict::Passed);
        assert_eq!(f.tests.len(), 1);
        assert!(f.tests[0].passed);
    }

    #[test]
    fn a_report_without_the_nonce_is_not_believed() {
        let forged = r#"forged{"status":"ran","tests":[{"name":"t1","outcome":"passed"}]}forged"#;
        let (v, _) = judge(&outcome(forged), N, 2000);
        assert_eq!(v, Verdict::RuntimeError);
    }

    #[test]
    fn failures_errors_and_memory_errors_map_to_their_verdicts() {
        let failing = report(
            r#"{"status":"ran","tests":[{"name":"a","outcome":"passed"},{"name":"b","outcome":"failed","message":"1 != 2"}]}"#,
        );
        assert_eq!(judge(&outcome(&failing), N, 2000).0, Verdict::WrongAnswer);
        let erroring = report(
            r#"{"status":"ran","tests":[{"name":"b","outcome":"error","exception":"ZeroDivisionError"}]}"#,
        );
        assert_eq!(judge(&outcome(&erroring), N, 2000).0, Verdict::RuntimeError);
        let memory = report(
            r#"{"status":"ran","tests":[{"name":"b","outcome":"error","exception":"MemoryError"}]}"#,
        );
        assert_eq!(judge(&outcome(&memory), N, 2000).0, Verdict::MemoryLimit);
        let syntax = report(r#"{"status":"syntax_error","message":"invalid syntax"}"#);
        assert_eq!(judge(&outcome(&syntax), N, 2000).0, Verdict::SyntaxError);
    }

    #[test]
    fn limits_win_over_any_report() {
        let passing = report(r#"{"status":"ran","tests":[{"name":"t","outcome":"passed"}]}"#);
        let mut o = outcome(&passing);
        o.timed_out = true;
        assert_eq!(judge(&o, N, 2000).0, Verdict::TimeLimit);
        let mut o = outcome(&passing);
        o.oom_killed = true;
        assert_eq!(judge(&o, N, 2000).0, Verdict::MemoryLimit);
        let mut o = outcome(&passing);
        o.channel_overflow = true;
        assert_eq!(judge(&o, N, 2000).0, Verdict::OutputLimit);
    }
}
