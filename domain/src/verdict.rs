//! The verdicts: the one table of what each is called, how it reads to a
//! learner, which of a runner's outcomes it judges, the status it ends a
//! submission in, and which wins when a run fails in several ways. The
//! grader's judge, the API (which serves the table to the page as
//! `/js/verdict-table.js`) and the terminal client all read it; a new verdict
//! is a variant and a row here, the runner that reports it, and the list in
//! docs/sandbox.md.

use serde::{Deserialize, Serialize};

use crate::work::SubmissionStatus;

/// The grader's judgement of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Passed,
    WrongAnswer,
    SyntaxError,
    RuntimeError,
    TimeLimit,
    MemoryLimit,
    OutputLimit,
    InternalError,
}

/// One verdict's row.
#[derive(Debug, Serialize)]
pub struct Row {
    #[serde(skip)]
    pub verdict: Verdict,
    /// Its name on the wire, in the database and in every client.
    pub name: &'static str,
    /// How it reads on the page, the staff pages and the terminal.
    pub text: &'static str,
    /// The runners' outcomes (of a test's part, or of loading the learner's
    /// code) judged as this verdict. An outcome no row lists is a fault of
    /// ours (internal error).
    #[serde(skip)]
    pub outcomes: &'static [&'static str],
    /// Whether a test's failure can be this verdict and so take part in the
    /// precedence (a syntax error is a load's alone; passed is no failure).
    #[serde(skip)]
    pub ranked: bool,
    /// Whether the same code's verdict against the same version of the
    /// assignment may be given again without a run. Not a time limit: that
    /// can be a matter of the grader's load, not of the code.
    #[serde(skip)]
    pub reused: bool,
}

/// Every verdict, the failures in the order they win (a test that fails in
/// several ways, and a run whose tests do, are judged by the first ranked
/// row any of them has), then those that never compete.
pub static TABLE: [Row; 8] = [
    Row {
        verdict: Verdict::InternalError,
        name: "internal_error",
        text: "⚠ Could not be graded",
        outcomes: &[],
        ranked: true,
        reused: true,
    },
    Row {
        verdict: Verdict::TimeLimit,
        name: "time_limit",
        text: "⏱ Time limit exceeded",
        outcomes: &["time_limit"],
        ranked: true,
        reused: false,
    },
    Row {
        verdict: Verdict::OutputLimit,
        name: "output_limit",
        text: "✘ Too much output",
        outcomes: &["output_limit"],
        ranked: true,
        reused: true,
    },
    Row {
        verdict: Verdict::MemoryLimit,
        name: "memory_limit",
        text: "✘ Memory limit exceeded",
        outcomes: &["memory_limit"],
        ranked: true,
        reused: true,
    },
    Row {
        verdict: Verdict::RuntimeError,
        name: "runtime_error",
        text: "✘ Runtime error",
        // `crashed`: the learner's process died (an OOM kill seen from
        // outside makes it a memory verdict: the grader's judge).
        outcomes: &["error", "crashed"],
        ranked: true,
        reused: true,
    },
    Row {
        verdict: Verdict::WrongAnswer,
        name: "wrong_answer",
        text: "✘ Wrong answer",
        outcomes: &["failed", "expected_failure", "unexpected_success"],
        ranked: true,
        reused: true,
    },
    Row {
        verdict: Verdict::SyntaxError,
        name: "syntax_error",
        text: "✘ Syntax error",
        outcomes: &["syntax_error"],
        ranked: false,
        reused: true,
    },
    Row {
        verdict: Verdict::Passed,
        name: "passed",
        text: "✔ Passed",
        // A part the test's author skipped fails nothing.
        outcomes: &["passed", "skipped"],
        ranked: false,
        reused: true,
    },
];

impl Verdict {
    pub fn row(self) -> &'static Row {
        TABLE
            .iter()
            .find(|row| row.verdict == self)
            .expect("every verdict has its row (a test checks)")
    }

    pub fn as_str(self) -> &'static str {
        self.row().name
    }

    /// How it reads to people.
    pub fn text(self) -> &'static str {
        self.row().text
    }

    pub fn parse(s: &str) -> Option<Self> {
        TABLE
            .iter()
            .find(|row| row.name == s)
            .map(|row| row.verdict)
    }

    /// The verdict a runner's outcome is judged as, if any row lists it.
    pub fn of_outcome(outcome: &str) -> Option<Self> {
        TABLE
            .iter()
            .find(|row| row.outcomes.contains(&outcome))
            .map(|row| row.verdict)
    }

    /// The names of the verdicts never reused (`Row::reused`).
    pub fn never_reused() -> Vec<&'static str> {
        TABLE
            .iter()
            .filter(|row| !row.reused)
            .map(|row| row.name)
            .collect()
    }

    /// The final status a submission with this verdict ends in.
    pub fn status(self) -> SubmissionStatus {
        match self {
            Self::Passed => SubmissionStatus::Passed,
            Self::InternalError => SubmissionStatus::Error,
            _ => SubmissionStatus::Failed,
        }
    }

    /// The verdict that wins among `verdicts`: the first ranked row any of
    /// them is, else passed; None for none at all.
    pub fn worst(verdicts: impl IntoIterator<Item = Verdict>) -> Option<Verdict> {
        let verdicts: Vec<Verdict> = verdicts.into_iter().collect();
        TABLE
            .iter()
            .filter(|row| row.ranked)
            .map(|row| row.verdict)
            .find(|v| verdicts.contains(v))
            .or_else(|| verdicts.first().map(|_| Verdict::Passed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_verdict_has_one_row_whose_name_is_its_wire_name() {
        for row in &TABLE {
            assert_eq!(TABLE.iter().filter(|r| r.verdict == row.verdict).count(), 1);
            assert_eq!(TABLE.iter().filter(|r| r.name == row.name).count(), 1);
            let json = serde_json::to_string(&row.verdict).unwrap();
            assert_eq!(json, format!("\"{}\"", row.name));
            assert_eq!(Verdict::parse(row.name), Some(row.verdict));
        }
        assert_eq!(Verdict::parse("accepted"), None);
    }

    #[test]
    fn every_verdict_has_its_row() {
        use Verdict::*;
        // Exhaustive: a new variant does not compile until it has a number
        // here, and then fails until it has its row.
        let number = |v: Verdict| match v {
            Passed => 0,
            WrongAnswer => 1,
            SyntaxError => 2,
            RuntimeError => 3,
            TimeLimit => 4,
            MemoryLimit => 5,
            OutputLimit => 6,
            InternalError => 7,
        };
        let mut numbers: Vec<usize> = TABLE.iter().map(|row| number(row.verdict)).collect();
        numbers.sort_unstable();
        assert_eq!(numbers, (0..8).collect::<Vec<_>>());
    }

    #[test]
    fn only_internal_errors_end_as_error() {
        assert_eq!(Verdict::Passed.status(), SubmissionStatus::Passed);
        assert_eq!(Verdict::WrongAnswer.status(), SubmissionStatus::Failed);
        assert_eq!(Verdict::TimeLimit.status(), SubmissionStatus::Failed);
        assert_eq!(Verdict::InternalError.status(), SubmissionStatus::Error);
    }

    #[test]
    fn only_a_time_limit_is_never_reused() {
        assert_eq!(Verdict::never_reused(), ["time_limit"]);
    }

    #[test]
    fn no_outcome_is_judged_twice() {
        let outcomes: Vec<&str> = TABLE
            .iter()
            .flat_map(|r| r.outcomes.iter().copied())
            .collect();
        for o in &outcomes {
            assert_eq!(outcomes.iter().filter(|x| *x == o).count(), 1, "{o}");
        }
        assert_eq!(Verdict::of_outcome("crashed"), Some(Verdict::RuntimeError));
        assert_eq!(Verdict::of_outcome("something new"), None);
    }

    #[test]
    fn the_first_ranked_row_wins_and_passed_needs_a_part() {
        use Verdict::*;
        assert_eq!(Verdict::worst([OutputLimit, TimeLimit]), Some(TimeLimit));
        assert_eq!(
            Verdict::worst([WrongAnswer, RuntimeError]),
            Some(RuntimeError)
        );
        assert_eq!(
            Verdict::worst([MemoryLimit, OutputLimit]),
            Some(OutputLimit)
        );
        assert_eq!(Verdict::worst([Passed, WrongAnswer]), Some(WrongAnswer));
        assert_eq!(Verdict::worst([Passed, Passed]), Some(Passed));
        assert_eq!(Verdict::worst([]), None);
    }
}
