//! Rules the whole tree keeps, checked on its text:
//! - one owner per rule: nothing writes the `submissions`, `completions`
//!   or `runs` tables but graded work's life, `store/src/work/` (one
//!   lifecycle and each kind's own part). A test that must go past the
//!   state machine on purpose (to show the database holds a rule by itself,
//!   or to build a fixture no transition leaves behind) says so in a
//!   `raw write:` comment just above;
//! - the API reads and verifies tokens in one place, `caller.rs`: a route
//!   declares the caller it needs and never checks a header by hand;
//! - a new verdict is a row of `domain/src/verdict.rs`, the runner that
//!   reports it and docs/sandbox.md; a new language is its folder under `runners/`
//!   and its row in `domain/src/runners.rs`: nothing else names either;
//! - every crate's and folder's module map (the `//!` of a `lib.rs`,
//!   `main.rs` or `mod.rs`) names each module declared there, and a path
//!   in backticks in a comment, README or docs/ names a file that is there;
//! - no function in a crate's `src/` runs over 80 lines.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Each owner (a file or a folder), the tables only it writes, and how many
/// writes it has at least (so the check is seen to find them).
const OWNERS: [(&str, &[&str], usize); 1] = [(
    "store/src/work/",
    &["submissions", "completions", "runs"],
    8,
)];

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

/// Every source file of the repository: (path from its root, text).
fn repository_sources() -> Vec<(String, String)> {
    let root = repository();
    let mut files = Vec::new();
    sources(&root, &mut files);
    files
        .iter()
        .map(|file| {
            let relative = file
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (relative, std::fs::read_to_string(file).unwrap_or_default())
        })
        .collect()
}

/// Whether `line` writes one of `tables`.
fn writes(line: &str, tables: &[&str]) -> bool {
    let line = line.to_ascii_lowercase();
    tables.iter().any(|table| {
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
fn only_the_state_machines_write_their_tables() {
    let sources = repository_sources();
    for (owner, tables, at_least) in OWNERS {
        let mut offenders = Vec::new();
        let mut owner_writes = 0;
        for (relative, text) in &sources {
            if relative.starts_with("migrations/") || relative == "testkit/tests/tree_rules.rs" {
                continue;
            }
            let lines: Vec<&str> = text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                if !writes(line, tables) {
                    continue;
                }
                if relative.starts_with(owner) {
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
            "writes outside {owner}:\n{}",
            offenders.join("\n")
        );
        // The check can fail: the owner's own writes are seen.
        assert!(
            owner_writes >= at_least,
            "only {owner_writes} writes seen in {owner}"
        );
    }
}

/// The API's lines, outside `caller.rs`, that read the `Authorization` header
/// or verify a token.
#[test]
fn only_the_caller_filters_check_tokens_in_the_api() {
    let checks = |line: &str| {
        line.contains("\"authorization\"")
            || line.contains(".verify(")
            || line.contains(".verify_staff(")
    };
    let (mut outside, mut inside) = (Vec::new(), 0);
    for (relative, text) in repository_sources() {
        if !relative.starts_with("programming-api/src/") {
            continue;
        }
        let n = text.lines().filter(|l| checks(l)).count();
        if relative == "programming-api/src/caller.rs" {
            inside += n;
        } else if n > 0 {
            outside.push(relative);
        }
    }
    assert!(
        outside.is_empty(),
        "tokens checked outside caller.rs: {outside:?}"
    );
    // The check can fail: caller.rs's own reads are seen.
    assert!(inside >= 3, "only {inside} checks seen in caller.rs");
}

/// The code of `text`: without the lines that are only a comment, and
/// without a Rust file's unit tests (which name verdicts and runners as data).
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .filter(|line| {
            let line = line.trim_start();
            !["//", "#", "--", "*", "/*"]
                .iter()
                .any(|c| line.starts_with(c))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The files under `dirs` (the services' sources, the page, the scripts)
/// whose code matches `pattern`, by path, leaving out tests and `skip`.
fn naming(pattern: &regex::Regex, skip: &[&str]) -> Vec<String> {
    let root = repository();
    let mut files = Vec::new();
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        if dir.join("Cargo.toml").is_file() && dir.join("src").is_dir() {
            sources(&dir.join("src"), &mut files);
        } else if name == "ui" || name == "scripts" {
            sources(&dir, &mut files);
        }
    }
    let html = ["ui/index.html", "ui/staff.html"].map(|p| root.join(p));
    files.extend(html.into_iter().filter(|p| p.is_file()));
    let mut found: Vec<String> = files
        .iter()
        .map(|f| {
            f.strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|rel| !rel.starts_with("ui/vendor/") && !skip.iter().any(|s| rel.starts_with(s)))
        .filter(|rel| {
            let text = std::fs::read_to_string(root.join(rel)).unwrap_or_default();
            pattern.is_match(&code_of(&text))
        })
        .collect();
    found.sort();
    found
}

/// A new verdict touches three files: its variant and row in the verdict
/// table, the runner that reports it (`runners/`, outside what is checked
/// here), and docs/sandbox.md's list. Everything else reads the table: the judge
/// (outcomes, precedence), the store (which verdicts are reused, the one
/// written for our failures), the page (served the table as
/// `/js/verdict-table.js`), the CLI (its texts), the grader's metrics (a
/// label per row). So no other code names a verdict. Two files do, and a new
/// verdict needs neither: the API's error code `internal_error`, another
/// thing of the same name, and the gradebook benchmark, which writes
/// finished submissions as fixtures. (`passed` is also a status, so it is
/// not searched for.)
#[test]
fn a_verdict_is_named_only_by_its_table() {
    let expected = [
        "domain/src/codes.rs",
        "domain/src/verdict.rs",
        "scripts/bench-gradebook.sh",
    ];
    let names: Vec<&str> = domain::verdict::TABLE
        .iter()
        .map(|row| row.name)
        .filter(|name| *name != "passed")
        .collect();
    assert!(names.len() >= 7, "{names:?}");
    let pattern = regex::Regex::new(&format!(r"\b({})\b", names.join("|"))).unwrap();
    assert_eq!(naming(&pattern, &[]), expected);
}

/// A new language touches two files: its folder under `runners/` (its
/// image's Dockerfile, built FROM the local base image with whatever Debian
/// packages it needs, by `scripts/build-runner-image.sh`'s loop over the
/// folders) and its row in `domain/src/runners.rs`, which names its
/// editor mode and handout class (`language`, the page loads the mode from
/// the CodeMirror modes `scripts/vendor-ui.sh` copies, all of them), the
/// words for code that cannot be read (`unreadable`), its files and its test
/// lister. A language whose tests no lister reads yet adds that lister too
/// (`courseload/src/listers/`, one file each, and its variant in the row's
/// `TestsLister`): a third file, for a new test framework rather than a
/// language. So no code outside those names a language. Left out here: the
/// base image every image is built on (Debian with python3, the platform's
/// own tooling as much as a runner's), the benchmarks, which measure the
/// Python runner by name, and the notebook format, Jupyter's Python by
/// definition.
#[test]
fn a_language_is_named_only_by_its_row_and_its_folder() {
    let pattern = regex::Regex::new(r"\b(python|Python)\b").unwrap();
    let tooling = [
        "scripts/build-base-image.sh",
        // The installer names the PyPI packages the project's own tools use
        // (the LTI tests' LMS needs python-multipart).
        "scripts/deps.sh",
        "scripts/bench-",
        "domain/src/notebook.rs",
    ];
    let expected = ["courseload/src/listers/", "domain/src/runners.rs"];
    let found = naming(&pattern, &tooling);
    let outside: Vec<&String> = found
        .iter()
        .filter(|f| !expected.iter().any(|e| f.starts_with(e)))
        .collect();
    assert!(
        outside.is_empty(),
        "a language named outside its row and folder: {outside:?}"
    );
    // The check can fail: the row itself is found.
    assert!(
        found.contains(&"domain/src/runners.rs".to_owned()),
        "{found:?}"
    );
}

/// The modules `text` declares (`mod x;`, `pub mod x;`, `pub(crate) mod x;`).
fn declared_modules(text: &str) -> Vec<String> {
    let declaration = regex::Regex::new(r"^\s*(pub(\([^)]*\))?\s+)?mod\s+(\w+)\s*;").unwrap();
    text.lines()
        .filter_map(|line| declaration.captures(line))
        .map(|c| c[3].to_owned())
        .collect()
}

#[test]
fn every_module_map_names_its_modules() {
    let mut missing = Vec::new();
    let mut maps = 0;
    for (relative, text) in repository_sources() {
        let name = relative.rsplit('/').next().unwrap_or_default();
        let crate_source = relative.split('/').nth(1) == Some("src");
        if !crate_source || !["lib.rs", "main.rs", "mod.rs"].contains(&name) {
            continue;
        }
        let map: String = text
            .lines()
            .filter(|l| l.starts_with("//!"))
            .collect::<Vec<_>>()
            .join("\n");
        let modules = declared_modules(&text);
        maps += usize::from(!modules.is_empty());
        for module in modules {
            if !map.contains(&format!("`{module}`")) && !map.contains(&format!("[`{module}`]")) {
                missing.push(format!("{relative}: {module}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "modules missing from their map:\n{}",
        missing.join("\n")
    );
    assert!(maps >= 10, "only {maps} module maps seen");
    assert_eq!(
        declared_modules("pub mod a;\nmod b;\npub(crate) mod c;\nmod d {"),
        ["a", "b", "c"]
    );
}

/// The paths in backticks that start at one of the repository's top-level
/// folders (`grader/src/judge.rs`, `runners/python/runner.py`).
fn named_paths(text: &str, folders: &[String]) -> Vec<String> {
    let path = regex::Regex::new(
        r"`([A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)+\.(?:rs|py|sh|js|sql|toml|html|css|yml))`",
    )
    .unwrap();
    path.captures_iter(text)
        .map(|c| c[1].to_owned())
        .filter(|p| folders.iter().any(|f| p.starts_with(&format!("{f}/"))))
        .collect()
}

#[test]
fn paths_named_in_comments_and_readme_are_there() {
    let root = repository();
    let folders: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.') && n != "target")
        .collect();
    let mut sources = repository_sources();
    sources.extend(documentation());
    let (mut stale, mut seen) = (Vec::new(), 0);
    for (relative, text) in sources {
        if relative == "testkit/tests/tree_rules.rs" {
            continue;
        }
        for path in named_paths(&text, &folders) {
            seen += 1;
            if !root.join(&path).exists() {
                stale.push(format!("{relative}: {path}"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "paths that are not there:\n{}",
        stale.join("\n")
    );
    assert!(seen >= 50, "only {seen} paths seen");
    let folders = ["grader".to_owned()];
    assert_eq!(
        named_paths(
            "see `grader/runner/runner.py` and `src/config.rs`",
            &folders
        ),
        ["grader/runner/runner.py"]
    );
}

/// Where `text` reads a column by its position (`row.get(3)`,
/// `r.try_get::<_, i32>(0)`): every read names its column.
fn reads_by_position(text: &str) -> Vec<usize> {
    let by_position =
        regex::Regex::new(r"\.(try_)?get(::<[^()]*>)?\(\s*[0-9]+\s*\)").expect("a valid pattern");
    text.lines()
        .enumerate()
        .filter(|(_, line)| by_position.is_match(line))
        .map(|(i, _)| i + 1)
        .collect()
}

#[test]
fn every_row_is_read_by_column_name() {
    let mut found = Vec::new();
    for (relative, text) in repository_sources() {
        if relative == "testkit/tests/tree_rules.rs" {
            continue;
        }
        for line in reads_by_position(&text) {
            found.push(format!("{relative}:{line}"));
        }
    }
    assert!(
        found.is_empty(),
        "columns read by position:\n{}",
        found.join("\n")
    );
    assert_eq!(
        reads_by_position("let n: i64 = row.get(0);\nlet s = row.get(\"slug\");"),
        [1]
    );
    assert_eq!(reads_by_position("row.try_get::<_, i32>(2)?"), [1]);
    assert!(reads_by_position("rest.get(2..)").is_empty());
}

/// The functions in `text` (Rust) longer than `max` lines, as (line, name, length).
fn long_functions(text: &str, max: usize) -> Vec<(usize, String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_start();
        let signature = [
            "fn ",
            "pub fn ",
            "async fn ",
            "pub async fn ",
            "pub(crate) fn ",
        ]
        .iter()
        .find_map(|p| line.strip_prefix(p));
        let Some(rest) = signature else {
            i += 1;
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        // The body: from the first `{` to the brace that closes it.
        let (mut depth, mut opened, mut j) = (0i32, false, i);
        while j < lines.len() {
            for c in lines[j].chars() {
                match c {
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            if (opened && depth <= 0) || (!opened && lines[j].trim_end().ends_with(';')) {
                break;
            }
            j += 1;
        }
        let length = j - i + 1;
        if opened && length > max {
            out.push((i + 1, name, length));
        }
        i = if opened { j + 1 } else { i + 1 };
    }
    out
}

#[test]
fn no_function_in_src_runs_over_80_lines() {
    let mut long = Vec::new();
    for (relative, text) in repository_sources() {
        let in_src = relative.split('/').nth(1) == Some("src");
        if !relative.ends_with(".rs") || !in_src {
            continue;
        }
        for (line, name, length) in long_functions(&text, 80) {
            long.push(format!("{relative}:{line}: {name} is {length} lines"));
        }
    }
    assert!(
        long.is_empty(),
        "functions over 80 lines:\n{}",
        long.join("\n")
    );
    // The check can fail.
    let sample = format!("fn big() {{\n{}}}\n", "    let x = 1;\n".repeat(90));
    assert_eq!(long_functions(&sample, 80).len(), 1);
}

/// README and the pages under `docs/`, by path: what an operator or a
/// teacher reads, so every path it names must be there.
fn documentation() -> Vec<(String, String)> {
    let root = repository();
    let mut pages = vec!["README.md".to_owned()];
    let mut docs: Vec<String> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .flatten()
        .map(|e| format!("docs/{}", e.file_name().to_string_lossy()))
        .filter(|p| p.ends_with(".md"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(root.join(&p)).unwrap();
            (p, text)
        })
        .collect()
}

#[test]
fn the_configuration_reference_is_generated_from_the_tables() {
    let out = std::process::Command::new("python3")
        .arg(repository().join("scripts/config-reference.py"))
        .arg("--check")
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_api_reference_lists_every_error_code_with_its_status() {
    let readme = std::fs::read_to_string(repository().join("docs/api.md")).unwrap();
    let table: Vec<(String, u16)> = readme
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            // | `code` | status | when |
            let [_, code, status, ..] = cells.as_slice() else {
                return None;
            };
            let code = code.strip_prefix('`')?.strip_suffix('`')?;
            Some((code.to_owned(), status.parse().ok()?))
        })
        .collect();
    let listed: Vec<(String, u16)> = domain::codes::Code::ALL
        .iter()
        .map(|c| (c.as_str().to_owned(), c.status()))
        .collect();
    assert_eq!(
        table, listed,
        "docs/api.md's table of error codes and domain::codes differ"
    );
}

/// The environment variables a `config.rs` reads, and those its table
/// documents.
fn variables(config_rs: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    // The string literal first passed to each `call(`, wherever it is wrapped.
    let quoted = |text: &str, call: &str| -> Vec<String> {
        text.split(call)
            .skip(1)
            .filter_map(|rest| rest.trim_start().strip_prefix('"')?.split('"').next())
            .map(str::to_owned)
            .collect()
    };
    let mut read = BTreeSet::new();
    for call in ["env_or(", "required(", "rate(", "secret_file("] {
        read.extend(quoted(config_rs, call));
    }
    for name in quoted(config_rs, "secret(") {
        read.insert(format!("{name}_FILE"));
        read.insert(name);
    }
    for prefix in quoted(config_rs, "ListenerLimits::from_env(") {
        for setting in [
            "MAX_CONNECTIONS",
            "MAX_CONNECTIONS_PER_ADDRESS",
            "HEADER_TIMEOUT_MS",
        ] {
            read.insert(format!("{prefix}_{setting}"));
        }
    }
    if config_rs.contains("database_settings()") {
        read.extend(["DATABASE_URL".into(), "DATABASE_PASSWORD_FILE".into()]);
    }
    if config_rs.contains("redis_settings()") {
        read.extend(["REDIS_URL".into(), "REDIS_PASSWORD_FILE".into()]);
    }
    let documented = config_rs
        .lines()
        .filter_map(|l| l.strip_prefix("//! | "))
        .filter_map(|row| row.split(" | ").next())
        .flat_map(|cell| {
            cell.split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    (read, documented)
}

#[test]
fn each_services_table_of_variables_is_what_it_reads() {
    for service in ["programming-api", "grader", "websocket", "autoscaler"] {
        let path = repository().join(service).join("src/config.rs");
        let (read, documented) = variables(&std::fs::read_to_string(&path).unwrap());
        assert!(read.len() >= 5, "{service}: only {read:?} seen read");
        assert_eq!(
            read, documented,
            "{service}/src/config.rs: read (left) and documented (right) differ"
        );
    }
}
