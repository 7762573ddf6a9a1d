//! The course as code: each `assignments/NN-slug/` folder is one assignment.
//!
//! ```text
//! assignment.toml    title, time_limit_ms, memory_limit_mb
//! handout.md         shown to the learner, rendered server-side
//! starter.py         the editor's initial content
//! test_solution.py   unittest tests; imports the learner's module `solution`
//! solution.py        the reference; never sent to a browser
//! ```

use std::path::{Path, PathBuf};

use deadpool_postgres::Pool;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::Error;

/// One assignment as read from its folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentSource {
    pub slug: String,
    /// From the folder's `NN-` prefix; the course order.
    pub position: i32,
    pub title: String,
    pub handout_md: String,
    pub starter_code: String,
    pub test_code: String,
    pub solution_code: String,
    pub time_limit_ms: i32,
    pub memory_limit_mb: i32,
    /// Hash of everything that can change a verdict (tests and limits), so a
    /// changed test never reuses a verdict reached before the change.
    pub content_hash: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    title: String,
    time_limit_ms: i32,
    memory_limit_mb: i32,
}

/// Reads every `NN-slug` folder under `dir`, in position order.
pub fn load_course(dir: &Path) -> Result<Vec<AssignmentSource>, Error> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::Config(format!("cannot read the course at {}: {e}", dir.display())))?;
    let mut course = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| Error::Config(format!("{}: {e}", dir.display())))?
            .path();
        if path.is_dir() {
            course.push(load_assignment(&path)?);
        }
    }
    course.sort_by_key(|a| a.position);
    for pair in course.windows(2) {
        if pair[0].position == pair[1].position {
            return Err(Error::Config(format!(
                "assignments {} and {} share position {}",
                pair[0].slug, pair[1].slug, pair[0].position
            )));
        }
    }
    Ok(course)
}

fn load_assignment(dir: &Path) -> Result<AssignmentSource, Error> {
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let (position, slug) = parse_folder_name(name).ok_or_else(|| {
        Error::Config(format!(
            "{}: folder names are NN-slug (digits, a dash, lowercase letters, digits and dashes)",
            dir.display()
        ))
    })?;
    let read = |file: &str| -> Result<String, Error> {
        let path: PathBuf = dir.join(file);
        std::fs::read_to_string(&path)
            .map_err(|e| Error::Config(format!("{}: {e}", path.display())))
    };
    let manifest: Manifest = toml::from_str(&read("assignment.toml")?)
        .map_err(|e| Error::Config(format!("{}/assignment.toml: {e}", dir.display())))?;
    if !(100..=60_000).contains(&manifest.time_limit_ms)
        || !(16..=4096).contains(&manifest.memory_limit_mb)
    {
        return Err(Error::Config(format!(
            "{}/assignment.toml: time_limit_ms must be 100..=60000 and memory_limit_mb 16..=4096",
            dir.display()
        )));
    }
    let test_code = read("test_solution.py")?;
    let content_hash = content_hash(&test_code, manifest.time_limit_ms, manifest.memory_limit_mb);
    Ok(AssignmentSource {
        slug: slug.to_owned(),
        position,
        title: manifest.title,
        handout_md: read("handout.md")?,
        starter_code: read("starter.py")?,
        test_code,
        solution_code: read("solution.py")?,
        time_limit_ms: manifest.time_limit_ms,
        memory_limit_mb: manifest.memory_limit_mb,
        content_hash,
    })
}

fn parse_folder_name(name: &str) -> Option<(i32, &str)> {
    let (digits, slug) = name.split_once('-')?;
    let valid_slug = !slug.is_empty()
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || !valid_slug {
        return None;
    }
    Some((digits.parse().ok()?, slug))
}

/// sha256 over the tests and limits, length-prefixed so no two inputs collide.
pub fn content_hash(test_code: &str, time_limit_ms: i32, memory_limit_mb: i32) -> String {
    let mut h = Sha256::new();
    h.update(b"codeplatform-assignment-v1\0");
    h.update((test_code.len() as u64).to_be_bytes());
    h.update(test_code.as_bytes());
    h.update(time_limit_ms.to_be_bytes());
    h.update(memory_limit_mb.to_be_bytes());
    hex::encode(h.finalize())
}

/// Makes the database match the folders: inserts new assignments, updates
/// changed ones, and hides (position NULL) those whose folder is gone, keeping
/// their submissions. One transaction, serialised across replicas.
pub async fn upsert_course(pool: &Pool, course: &[AssignmentSource]) -> Result<(), Error> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock(7243015)", &[])
        .await?;
    let slugs: Vec<&str> = course.iter().map(|a| a.slug.as_str()).collect();
    tx.execute(
        "UPDATE assignments SET position = NULL WHERE slug <> ALL($1)",
        &[&slugs],
    )
    .await?;
    let upsert = tx
        .prepare(
            "INSERT INTO assignments (slug, position, title, handout_md, starter_code, test_code,
                 time_limit_ms, memory_limit_mb, content_hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (slug) DO UPDATE SET position = EXCLUDED.position,
                 title = EXCLUDED.title, handout_md = EXCLUDED.handout_md,
                 starter_code = EXCLUDED.starter_code, test_code = EXCLUDED.test_code,
                 time_limit_ms = EXCLUDED.time_limit_ms,
                 memory_limit_mb = EXCLUDED.memory_limit_mb,
                 content_hash = EXCLUDED.content_hash",
        )
        .await?;
    for a in course {
        tx.execute(
            &upsert,
            &[
                &a.slug,
                &a.position,
                &a.title,
                &a.handout_md,
                &a.starter_code,
                &a.test_code,
                &a.time_limit_ms,
                &a.memory_limit_mb,
                &a.content_hash,
            ],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The `assignments/` folder of this repository, for tools and tests.
pub fn repository_course_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../assignments")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names_give_position_and_slug() {
        assert_eq!(parse_folder_name("01-hello"), Some((1, "hello")));
        assert_eq!(parse_folder_name("12-two-words2"), Some((12, "two-words2")));
        for bad in [
            "hello",
            "01-",
            "-x",
            "ab-cd",
            "01-Caps",
            "01-sp ace",
            "01-../x",
        ] {
            assert_eq!(parse_folder_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_changed_test_or_limit_changes_the_hash() {
        let base = content_hash("assert 1", 2000, 128);
        assert_eq!(base, content_hash("assert 1", 2000, 128));
        assert_ne!(base, content_hash("assert 2", 2000, 128));
        assert_ne!(base, content_hash("assert 1", 3000, 128));
        assert_ne!(base, content_hash("assert 1", 2000, 256));
    }

    #[test]
    fn a_course_folder_loads_in_order() {
        let dir = std::env::temp_dir().join(format!("cp-course-{}", std::process::id()));
        for (name, title) in [("02-second", "Second"), ("01-first", "First")] {
            let d = dir.join(name);
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(
                d.join("assignment.toml"),
                format!("title = \"{title}\"\ntime_limit_ms = 2000\nmemory_limit_mb = 128\n"),
            )
            .unwrap();
            for f in [
                "handout.md",
                "starter.py",
                "test_solution.py",
                "solution.py",
            ] {
                std::fs::write(d.join(f), format!("# {f}\n")).unwrap();
            }
        }
        let course = load_course(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(course.len(), 2);
        assert_eq!((course[0].position, course[0].slug.as_str()), (1, "first"));
        assert_eq!(course[1].title, "Second");
    }
}
