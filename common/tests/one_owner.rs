//! One owner per rule, checked: nothing in the repository writes the
//! `submissions` or `completions` tables but `common/src/submissions.rs`.
//! A test that must go past the state machine on purpose (to show the
//! database holds a rule by itself, or to build a fixture no transition
//! leaves behind) says so in a `raw write:` comment just above.

use std::path::{Path, PathBuf};

const OWNER: &str = "common/src/submissions.rs";

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy();
        if path.is_dir() {
            if !name.starts_with('.') && name != "target" {
                sources(&path, out);
            }
        } else if [".rs", ".sh", ".py", ".sql", ".js"]
            .iter()
            .any(|ext| name.ends_with(ext))
        {
            out.push(path);
        }
    }
}

/// Whether `line` writes one of the two tables.
fn writes(line: &str) -> bool {
    let line = line.to_ascii_lowercase();
    ["submissions", "completions"].iter().any(|table| {
        [
            format!("insert into {table}"),
            format!("update {table}"),
            format!("delete from {table}"),
        ]
        .iter()
        .any(|w| line.contains(w.as_str()))
    })
}

#[test]
fn only_the_state_machine_writes_submissions_and_completions() {
    let root = repository();
    let mut files = Vec::new();
    sources(&root, &mut files);
    let mut offenders = Vec::new();
    let mut owner_writes = 0;
    for file in &files {
        let relative = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if relative.starts_with("migrations/") || relative == "common/tests/one_owner.rs" {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if !writes(line) {
                continue;
            }
            if relative == OWNER {
                owner_writes += 1;
                continue;
            }
            let marked = lines[i.saturating_sub(6)..i]
                .iter()
                .any(|l| l.contains("raw write:"));
            if !marked {
                offenders.push(format!("{relative}:{}: {}", i + 1, line.trim()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "writes outside {OWNER}:\n{}",
        offenders.join("\n")
    );
    // The check can fail: the owner's own writes are seen.
    assert!(
        owner_writes >= 7,
        "only {owner_writes} writes seen in {OWNER}"
    );
}
