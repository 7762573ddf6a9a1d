//! The folder `fetch` made: a small file in it (`.codeplatform.json`) says
//! which assignment of which course and server it is for, so `run` and
//! `submit` of a file there need no `--assignment`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

const MARKER: &str = ".codeplatform.json";

/// What the folder is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marker {
    pub server: String,
    pub course: Option<String>,
    pub assignment: String,
}

/// Notes in `dir` what it is for.
pub fn mark(dir: &Path, marker: &Marker) -> anyhow::Result<PathBuf> {
    let path = dir.join(MARKER);
    std::fs::write(&path, serde_json::to_string_pretty(marker)? + "\n")?;
    Ok(path)
}

/// What the folder holding `file` is for, if `fetch` made it.
pub fn of(file: &Path) -> Option<Marker> {
    let dir = file.parent().map_or(Path::new("."), |d| {
        if d.as_os_str().is_empty() {
            Path::new(".")
        } else {
            d
        }
    });
    let text = std::fs::read_to_string(dir.join(MARKER)).ok()?;
    serde_json::from_str(&text).ok()
}
