//! Jupyter notebooks (nbformat v4) as a notebook assignment takes them: the
//! one reading of the format, used by the course loader (starter and
//! reference), the API (a learner's upload) and the grader (the code cells
//! to run). What is checked is what grading needs: the v4 shape, text
//! sources, and no IPython magic or shell escape, which plain Python in the
//! sandbox cannot run. Outputs are dropped: a learner's upload is stored and
//! graded without them, so nothing it claims to have printed counts.

use serde_json::{Map, Value};

/// The largest notebook taken, as uploaded (its JSON).
pub const MAX_NOTEBOOK_BYTES: usize = 1024 * 1024;

/// Why a notebook was refused; the message is for the learner.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotebookError {
    /// Over [`MAX_NOTEBOOK_BYTES`].
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    Invalid(String),
}

/// Refuses a notebook of `bytes` over [`MAX_NOTEBOOK_BYTES`]: the one size
/// rule, whatever form the notebook came in.
pub fn check_size(bytes: usize) -> Result<(), NotebookError> {
    if bytes > MAX_NOTEBOOK_BYTES {
        return Err(NotebookError::TooLarge(format!(
            "the notebook is larger than {} MiB",
            MAX_NOTEBOOK_BYTES >> 20
        )));
    }
    Ok(())
}

/// One code cell: its number (1-based, over the code cells alone: a
/// learner counts those, as Jupyter's `In [n]` does) and its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeCell {
    pub number: usize,
    pub source: String,
}

impl CodeCell {
    /// How the learner is told which cell: "code cell 2 (`def longest(w…`)",
    /// the number and how the cell starts. The runner names the cell's code
    /// so, so a traceback says it too.
    pub fn label(&self) -> String {
        cell_label(self.number, &self.source)
    }
}

/// The label of code cell `number` whose source is `source` ([`CodeCell::label`]).
fn cell_label(number: usize, source: &str) -> String {
    const SHOWN: usize = 24;
    let first = source
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let mut start: String = first.chars().filter(|c| *c != '`').take(SHOWN).collect();
    if first.chars().count() > SHOWN {
        start.push('…');
    }
    if start.is_empty() {
        format!("code cell {number}")
    } else {
        format!("code cell {number} (`{start}`)")
    }
}

/// A checked notebook, its outputs dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct Notebook(Value);

fn refuse(message: impl Into<String>) -> NotebookError {
    NotebookError::Invalid(message.into())
}

/// A cell's source: text, or a list of lines (nbformat allows both).
fn source_of(cell: &Map<String, Value>, number: usize) -> Result<String, NotebookError> {
    match cell.get("source") {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Array(lines)) => lines
            .iter()
            .map(|l| l.as_str())
            .collect::<Option<String>>()
            .ok_or_else(|| refuse(format!("cell {number}: its source must be text"))),
        _ => Err(refuse(format!("cell {number} has no source"))),
    }
}

/// The first line of `source` that IPython alone understands: a magic
/// (`%name`, `%%name`) or a shell escape (`!command`) at the start of a
/// logical line. Neither is Python. A line inside brackets or a string, or
/// after a backslash, continues a logical line: `!= b` or `% n` there is
/// Python.
fn magic_line(source: &str) -> Option<&str> {
    let mut scan = Scan::default();
    for line in source.lines() {
        let trimmed = line.trim_start();
        if scan.at_logical_start() && is_magic(trimmed) {
            return Some(trimmed);
        }
        scan.line(line);
    }
    None
}

/// Where a scan of Python source stands between lines: open brackets, an
/// open string (its quote), a backslash continuation.
#[derive(Default)]
struct Scan {
    depth: usize,
    string: Option<&'static str>,
    continued: bool,
}

impl Scan {
    fn at_logical_start(&self) -> bool {
        self.depth == 0 && self.string.is_none() && !self.continued
    }

    fn line(&mut self, line: &str) {
        self.continued = false;
        let mut rest = line;
        while let Some(c) = rest.chars().next() {
            if let Some(quote) = self.string {
                if rest.starts_with('\\') {
                    rest = rest.get(2..).unwrap_or("");
                    continue;
                }
                if rest.starts_with(quote) {
                    self.string = None;
                    rest = &rest[quote.len()..];
                    continue;
                }
            } else {
                match c {
                    '#' => break,
                    '(' | '[' | '{' => self.depth += 1,
                    ')' | ']' | '}' => self.depth = self.depth.saturating_sub(1),
                    '\\' if rest.len() == 1 => self.continued = true,
                    '\'' | '"' => {
                        let quote = ["\"\"\"", "'''", "\"", "'"]
                            .into_iter()
                            .find(|q| rest.starts_with(q))
                            .expect("a quote");
                        self.string = Some(quote);
                        rest = &rest[quote.len()..];
                        continue;
                    }
                    _ => {}
                }
            }
            rest = &rest[c.len_utf8()..];
        }
        // A one-quote string ends with its line (left open, it is an error
        // Python reports).
        if matches!(self.string, Some("\"" | "'")) {
            self.string = None;
        }
    }
}

/// `%name`, `%%name` or `!command`; not `!=` or `% n`.
fn is_magic(line: &str) -> bool {
    let after = line
        .strip_prefix("%%")
        .or_else(|| line.strip_prefix('%'))
        .or_else(|| line.strip_prefix('!').filter(|r| !r.starts_with('=')));
    after.is_some_and(|r| {
        r.starts_with(|c: char| c.is_alphanumeric() || matches!(c, '_' | '/' | '.' | '~'))
    })
}

impl Notebook {
    /// Checks `value` as an nbformat v4 notebook, drops its outputs, and
    /// holds the size rule against the form that will be stored and graded:
    /// filling in `outputs` and `execution_count` can double a notebook of
    /// many small cells.
    pub fn parse(value: Value) -> Result<Self, NotebookError> {
        let checked = Self::normalised(value)?;
        check_size(checked.to_text().len())?;
        Ok(checked)
    }

    /// [`Self::parse`] without the size rule.
    fn normalised(value: Value) -> Result<Self, NotebookError> {
        let Value::Object(mut top) = value else {
            return Err(refuse("a notebook is a JSON object (an .ipynb file)"));
        };
        match top.get("nbformat").and_then(Value::as_i64) {
            Some(4) => {}
            Some(v) => {
                return Err(refuse(format!(
                    "this is an nbformat {v} notebook; save it as nbformat 4 (any current Jupyter does)"
                )))
            }
            None => return Err(refuse("not a notebook: no nbformat")),
        }
        if !top.get("nbformat_minor").is_some_and(Value::is_u64) {
            return Err(refuse("not a notebook: no nbformat_minor"));
        }
        if !top.get("metadata").is_some_and(Value::is_object) {
            return Err(refuse("not a notebook: no metadata"));
        }
        let Some(Value::Array(cells)) = top.get_mut("cells") else {
            return Err(refuse("not a notebook: no cells"));
        };
        let mut code_number = 0;
        for (i, cell) in cells.iter_mut().enumerate() {
            let number = i + 1;
            let Value::Object(cell) = cell else {
                return Err(refuse(format!("cell {number} is not a cell")));
            };
            let source = source_of(cell, number)?;
            match cell.get("cell_type").and_then(Value::as_str) {
                Some("code") => {
                    code_number += 1;
                    if let Some(line) = magic_line(&source) {
                        let line: String = line.chars().take(60).collect();
                        return Err(refuse(format!(
                            "{} uses an IPython magic or shell escape ({line}); \
                             only plain Python runs here",
                            cell_label(code_number, &source)
                        )));
                    }
                    cell.insert("outputs".into(), Value::Array(Vec::new()));
                    cell.insert("execution_count".into(), Value::Null);
                }
                Some("markdown" | "raw") => {}
                _ => {
                    return Err(refuse(format!(
                        "cell {number}: cell_type must be code, markdown or raw"
                    )))
                }
            }
            // One form for the source, so equal notebooks store equal text.
            cell.insert("source".into(), Value::String(source));
        }
        Ok(Self(Value::Object(top)))
    }

    /// Reads and checks notebook JSON text.
    pub fn from_text(text: &str) -> Result<Self, NotebookError> {
        check_size(text.len())?;
        Self::parse(Self::json(text)?)
    }

    /// A notebook as it was stored: checked at the door already, so its
    /// size is not held against it (one stored before the size rule
    /// applied to the stored form is still graded).
    pub fn from_stored(text: &str) -> Result<Self, NotebookError> {
        Self::normalised(Self::json(text)?)
    }

    fn json(text: &str) -> Result<Value, NotebookError> {
        serde_json::from_str(text)
            .map_err(|e| refuse(format!("the notebook is not valid JSON: {e}")))
    }

    /// The checked notebook as compact JSON text: what is stored.
    pub fn to_text(&self) -> String {
        self.0.to_string()
    }

    fn cells(&self) -> impl Iterator<Item = (usize, &str, &str)> {
        self.0["cells"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, c)| {
                (
                    i + 1,
                    c["cell_type"].as_str().unwrap_or(""),
                    c["source"].as_str().unwrap_or(""),
                )
            })
    }

    /// The code cells, in order: what runs.
    pub fn code_cells(&self) -> Vec<CodeCell> {
        self.cells()
            .filter(|(_, kind, _)| *kind == "code")
            .enumerate()
            .map(|(i, (_, _, source))| CodeCell {
                number: i + 1,
                source: source.to_owned(),
            })
            .collect()
    }

    /// The markdown cells, joined: a notebook assignment's handout.
    pub fn markdown(&self) -> String {
        self.cells()
            .filter(|(_, kind, _)| *kind == "markdown")
            .map(|(_, _, source)| source)
            .collect::<Vec<_>>()
            .join("\n\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn notebook(cells: Value) -> Value {
        json!({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells})
    }

    #[test]
    fn a_notebook_keeps_its_cells_in_order_and_loses_its_outputs() {
        let nb = Notebook::parse(notebook(json!([
            {"cell_type": "markdown", "metadata": {}, "source": ["# Q1\n", "Say hi."]},
            {"cell_type": "code", "metadata": {}, "execution_count": 3, "source": ["x = 1\n", "y = 2"],
             "outputs": [{"output_type": "stream", "name": "stdout", "text": "all tests passed"}]},
            {"cell_type": "code", "metadata": {}, "execution_count": null, "source": "z = x + y", "outputs": []}
        ])))
        .unwrap();
        assert_eq!(
            nb.code_cells(),
            vec![
                CodeCell {
                    number: 1,
                    source: "x = 1\ny = 2".into()
                },
                CodeCell {
                    number: 2,
                    source: "z = x + y".into()
                },
            ]
        );
        assert_eq!(nb.markdown(), "# Q1\nSay hi.");
        let stored = nb.to_text();
        assert!(!stored.contains("all tests passed"), "{stored}");
        assert_eq!(
            Notebook::from_text(&stored).unwrap(),
            nb,
            "stored text reads back the same"
        );
    }

    #[test]
    fn what_is_not_a_v4_notebook_is_refused_with_a_reason() {
        let cases = [
            (json!([1, 2]), "JSON object"),
            (
                json!({"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": []}),
                "nbformat 3",
            ),
            (json!({"cells": []}), "no nbformat"),
            (
                json!({"nbformat": 4, "nbformat_minor": 5, "metadata": {}}),
                "no cells",
            ),
            (
                notebook(json!([{"cell_type": "code", "source": 5}])),
                "cell 1 has no source",
            ),
            (
                notebook(json!([{"cell_type": "widget", "source": ""}])),
                "cell 1: cell_type",
            ),
            (
                notebook(json!([{"cell_type": "markdown", "source": "# hi"},
                                {"cell_type": "code", "source": "import os\n  %timeit f()"}])),
                "code cell 1 (`import os`) uses an IPython magic",
            ),
            (
                notebook(json!([{"cell_type": "code", "source": "!pip install x"}])),
                "code cell 1 (`!pip install x`) uses",
            ),
        ];
        for (value, expected) in cases {
            let e = Notebook::parse(value.clone()).unwrap_err().to_string();
            assert!(e.contains(expected), "{value}: {e}");
        }
        assert!(Notebook::from_text("{not json}")
            .unwrap_err()
            .to_string()
            .contains("not valid JSON"));
        // Python that only looks like a magic is Python.
        for python in [
            "same = (a\n    != b)",
            "text = (\"total: %d\"\n     % n)",
            "doc = \"\"\"\n%d items\n!done\n\"\"\"",
            "x = 1 \\\n    % 2",
            "y = 5 % 3  # (unbalanced in a comment\n% 4",
        ] {
            let nb = notebook(json!([{"cell_type": "code", "source": python}]));
            assert!(Notebook::parse(nb).is_ok(), "{python}");
        }
        for magic in [
            "%%time\nx = 1",
            "x = [1,\n 2]\n!ls -l",
            "  %matplotlib inline",
            "!./run",
            "s = 'it''s'\n%who",
        ] {
            let nb = notebook(json!([{"cell_type": "code", "source": magic}]));
            assert!(Notebook::parse(nb).is_err(), "{magic}");
        }
        let big = format!("\"{}\"", "x".repeat(MAX_NOTEBOOK_BYTES));
        assert!(Notebook::from_text(&big)
            .unwrap_err()
            .to_string()
            .contains("larger than 1 MiB"));
    }

    /// Under 1 MiB as sent, over it once every cell has its `outputs` and
    /// `execution_count`: refused, in the form that would be stored.
    fn many_bare_cells() -> String {
        let cell = r#"{"cell_type":"code","metadata":{},"source":""}"#;
        let count = (MAX_NOTEBOOK_BYTES - 200) / (cell.len() + 1);
        let cells = vec![cell; count].join(",");
        format!(r#"{{"nbformat":4,"nbformat_minor":5,"metadata":{{}},"cells":[{cells}]}}"#)
    }

    #[test]
    fn the_size_rule_holds_for_the_stored_form() {
        let sent = many_bare_cells();
        assert!(sent.len() <= MAX_NOTEBOOK_BYTES, "{}", sent.len());
        let e = Notebook::from_text(&sent).unwrap_err();
        assert!(matches!(e, NotebookError::TooLarge(_)), "{e}");
        // One already stored that large (accepted before the rule) still reads.
        let raw: Value = serde_json::from_str(&sent).unwrap();
        let mut grown = raw.clone();
        for cell in grown["cells"].as_array_mut().unwrap() {
            cell["outputs"] = json!([]);
            cell["execution_count"] = Value::Null;
        }
        let stored = grown.to_string();
        assert!(stored.len() > MAX_NOTEBOOK_BYTES);
        let read = Notebook::from_stored(&stored).unwrap();
        assert_eq!(
            read.code_cells().len(),
            raw["cells"].as_array().unwrap().len()
        );
        assert!(Notebook::from_stored("{not json}").is_err());
    }
}
