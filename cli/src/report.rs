//! What the client prints: text for people, one JSON document with `--json`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde_json::{json, Value};

use domain::course::Kind;
use domain::published::{Assignment, AssignmentSummary, Progress};
use domain::verdict::Verdict;
use domain::work::{Feedback, TestOutcome};
use serde::Deserialize;

use crate::live::Job;

/// How a verdict reads: the verdict table's text (`domain::verdict`), the
/// page's too; a name the table does not know (a newer server's) as it is.
fn verdict_text(verdict: &str) -> &str {
    match Verdict::parse(verdict) {
        Some(known) => known.text(),
        None => verdict,
    }
}

pub fn assignments(list: &[AssignmentSummary], me: &Progress, as_json: bool) {
    let passed = |a: &AssignmentSummary| me.completed.contains(&a.id);
    if as_json {
        let rows: Vec<Value> = list
            .iter()
            .map(|a| json!({"slug": a.slug, "title": a.title, "position": a.position, "passed": passed(a)}))
            .collect();
        println!("{}", Value::Array(rows));
        return;
    }
    let width = list.iter().map(|a| a.slug.len()).max().unwrap_or(4);
    for a in list {
        let mark = if passed(a) { "✔" } else { " " };
        println!("{mark} {:>2}. {:width$}  {}", a.position, a.slug, a.title);
    }
    println!(
        "{} of {} passed · {} points",
        list.iter().filter(|a| passed(a)).count(),
        list.len(),
        me.points
    );
}

/// Writes the starter code (kept if there, unless `force`) and the handout
/// into `dir`; returns what was written.
pub fn write_handout(
    assignment: &Assignment,
    dir: &Path,
    force: bool,
) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot make {}", dir.display()))?;
    let mut written = Vec::new();
    let file = assignment.solution_file.as_str();
    // The server names the file; a name with a path in it is refused.
    anyhow::ensure!(
        !file.contains(['/', '\\']) && !file.starts_with('.'),
        "the server named an odd solution file {file:?}"
    );
    let starter = dir.join(file);
    if force || !starter.exists() {
        let mut text = assignment.starter_code.clone();
        if assignment.kind == Kind::Notebook.as_str() {
            // Laid out as Jupyter saves it.
            if let Ok(notebook) = serde_json::from_str::<Value>(&text) {
                text = serde_json::to_string_pretty(&notebook)? + "\n";
            }
        }
        std::fs::write(&starter, text)?;
        written.push(starter);
    }
    let title = &assignment.title;
    let handout = dir.join("handout.html");
    // The server sanitised the handout's HTML; the title is escaped here.
    let escaped = title
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    // A handout that opens with its own heading keeps it alone.
    let heading = if assignment.handout_html.trim_start().starts_with("<h1") {
        String::new()
    } else {
        format!("<h1>{escaped}</h1>\n")
    };
    std::fs::write(
        &handout,
        format!(
            "<!doctype html>\n<meta charset=\"utf-8\">\n<title>{escaped}</title>\n{heading}{}\n",
            assignment.handout_html
        ),
    )?;
    written.push(handout);
    Ok(written)
}

pub fn fetched(assignment: &Assignment, written: &[PathBuf], as_json: bool) {
    if as_json {
        println!(
            "{}",
            json!({"slug": assignment.slug, "id": assignment.id, "written": written})
        );
        return;
    }
    println!("{}. {}", assignment.position, assignment.title);
    for path in written {
        println!("  wrote {}", path.display());
    }
    if let Some(due) = assignment.due_at {
        println!(
            "  due {}",
            due.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
        );
    }
}

/// What the client reads of a finished submission or practice run: the
/// domain's own feedback. The verdict stays text, so a verdict a newer
/// server knows still prints (as its name).
#[derive(Deserialize)]
struct Finished {
    verdict: Option<String>,
    #[serde(default)]
    late: bool,
    feedback: Option<Feedback>,
    /// Set while the assignment holds its results (status `received`).
    #[serde(default)]
    held_until: Option<chrono::DateTime<chrono::Utc>>,
}

/// Whether a finished submission's results are held until the due date.
pub fn held(it: &Value) -> bool {
    it["status"] == "received"
}

pub fn outcome(job: Job, it: &Value, as_json: bool) {
    if as_json {
        println!("{it}");
        return;
    }
    let finished = Finished::deserialize(it).unwrap_or(Finished {
        verdict: None,
        late: false,
        feedback: None,
        held_until: None,
    });
    let verdict = verdict_text(finished.verdict.as_deref().unwrap_or("?"));
    let late = if finished.late { " (late)" } else { "" };
    match (job, finished.held_until.filter(|_| held(it))) {
        (Job::Submission, Some(until)) => println!(
            "Received{late}. Its results and points are released at {}.",
            until.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
        ),
        (Job::Run, _) => println!("Test run: {verdict} (not submitted)"),
        (Job::Submission, None) => println!("{verdict}{late}"),
    }
    let f = finished.feedback.unwrap_or_default();
    if !f.summary.is_empty() {
        println!("{}", f.summary);
    }
    for t in &f.tests {
        print_test(t);
    }
    for (name, text) in [("stdout", &f.stdout), ("stderr", &f.stderr)] {
        if !text.is_empty() {
            println!("{name}:\n{}", indent(text, "  "));
        }
    }
    if job == Job::Run {
        println!("Nothing was submitted and no points changed.");
    }
}

fn print_test(t: &TestOutcome) {
    let shown = match &t.title {
        Some(title) => format!("{title} ({})", t.name),
        None => t.name.clone(),
    };
    let mark = match (t.skipped, t.passed) {
        (true, _) => "– (skipped)",
        (false, true) => "✔",
        (false, false) => "✘",
    };
    println!("  {mark} {shown}");
    let d = t.detail.clone().unwrap_or_default();
    for (label, value) in [
        ("Call", Some(&d.call).filter(|c| !c.is_empty())),
        ("Expected", d.expected.as_ref()),
        ("Your result", d.actual.as_ref()),
        ("It printed", d.printed.as_ref()),
    ] {
        if let Some(value) = value {
            println!(
                "      {label:<12} {}",
                indent(value, "                   ").trim_start()
            );
        }
    }
    if !t.message.is_empty() && d.expected.is_none() {
        println!("{}", indent(&t.message, "      "));
    }
}

fn indent(text: &str, by: &str) -> String {
    text.lines()
        .map(|l| format!("{by}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
