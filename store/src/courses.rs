//! Courses and their assignments in Postgres: made to match what a course
//! version says: the image's folders at start (version 1), a published
//! version when it goes live (`crate::versions`). Each row is written from
//! one struct, by column name: a new setting is a field of its row struct
//! here and a column in a migration.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use domain::course::{AssignmentSource, Course, CourseSource};
use serde::Serialize;

use crate::Error;

/// A `courses` row as the folders make it.
#[derive(Serialize)]
struct CourseRow<'a> {
    slug: &'a str,
    title: &'a str,
    term: &'a str,
    join_policy: &'a str,
    join_code_hash: Option<&'a str>,
    stuck_after: i32,
    lti_student_number: bool,
    live_version: i32,
}

impl<'a> CourseRow<'a> {
    fn new(c: &'a Course, live_version: i32) -> Self {
        Self {
            slug: &c.slug,
            title: &c.title,
            term: &c.term,
            join_policy: c.join.as_str(),
            join_code_hash: c.join_code_hash.as_deref(),
            stuck_after: c.stuck_after,
            lti_student_number: c.lti_student_number,
            live_version,
        }
    }
}

/// An `assignments` row as its folder makes it.
#[derive(Serialize)]
struct AssignmentRow<'a> {
    course_id: i32,
    slug: &'a str,
    position: i32,
    kind: &'a str,
    runner: &'a str,
    title: &'a str,
    handout_md: &'a str,
    starter_code: &'a str,
    test_code: &'a str,
    time_limit_ms: i32,
    test_time_limit_ms: i32,
    memory_limit_mb: i32,
    test_ids: &'a [String],
    hidden_tests: &'a [String],
    skipped_tests: &'a [String],
    opens_at: Option<DateTime<Utc>>,
    due_at: Option<DateTime<Utc>>,
    late_policy: &'a str,
    late_penalty_pct: Option<i16>,
    max_submissions: Option<i32>,
    release: &'a str,
    before_release: &'a str,
    content_hash: &'a str,
    course_version: i32,
}

impl<'a> AssignmentRow<'a> {
    fn new(course_id: i32, version: i32, a: &'a AssignmentSource) -> Self {
        Self {
            course_id,
            slug: &a.slug,
            position: a.position,
            kind: a.kind.as_str(),
            runner: a.runner.name,
            title: &a.title,
            handout_md: &a.handout_md,
            starter_code: &a.starter_code,
            test_code: &a.test_code,
            time_limit_ms: a.time_limit_ms,
            test_time_limit_ms: a.test_time_limit_ms,
            memory_limit_mb: a.memory_limit_mb,
            test_ids: &a.test_ids,
            hidden_tests: &a.hidden_tests,
            skipped_tests: &a.skipped_tests,
            opens_at: a.schedule.opens_at,
            due_at: a.schedule.due_at,
            late_policy: a.schedule.late.as_str(),
            late_penalty_pct: a.schedule.late.penalty_pct(),
            max_submissions: a.schedule.max_submissions,
            release: a.schedule.release.as_str(),
            before_release: a.schedule.release.before_release(),
            content_hash: &a.content_hash,
            course_version: version,
        }
    }
}

/// An upsert of a row struct into `table`, keyed by `key`: the struct's
/// fields are the columns, passed as one JSON object and read back by
/// Postgres's own `jsonb_populate_record` into the table's row type.
fn upsert_statement(table: &str, key: &str, columns: &[String]) -> String {
    let list = columns.join(", ");
    let updates: Vec<String> = columns
        .iter()
        .filter(|c| !key.split(", ").any(|k| k == c.as_str()))
        .map(|c| format!("{c} = EXCLUDED.{c}"))
        .collect();
    format!(
        "INSERT INTO {table} ({list})
         SELECT {list} FROM jsonb_populate_record(NULL::{table}, $1)
         ON CONFLICT ({key}) DO UPDATE SET {}
         RETURNING id",
        updates.join(", ")
    )
}

/// The field names of a row struct, in order.
fn columns_of(row: &impl Serialize) -> Vec<String> {
    match serde_json::to_value(row) {
        Ok(serde_json::Value::Object(fields)) => fields.keys().cloned().collect(),
        _ => unreachable!("a row struct serialises to an object"),
    }
}

fn json(row: &impl Serialize) -> Result<serde_json::Value, Error> {
    serde_json::to_value(row).map_err(|e| Error::Malformed(e.to_string()))
}

static COURSE_UPSERT: LazyLock<String> = LazyLock::new(|| {
    let sample = Course {
        slug: String::new(),
        title: String::new(),
        term: String::new(),
        join: domain::course::Join::Open,
        join_code_hash: None,
        stuck_after: 0,
        lti_student_number: false,
    };
    upsert_statement("courses", "slug", &columns_of(&CourseRow::new(&sample, 1)))
});

/// The advisory lock every change of what courses serve takes, so that
/// replicas starting together and a version going live never interleave.
pub(crate) const COURSES_LOCK: i64 = 7243015;

/// Makes the database match the image's course folders, each version 1 of
/// its course: courses and their assignments are inserted or updated,
/// unless a published version is live (it stays; version 1 is kept, to be
/// made live again); a course whose folder is gone is unlisted and its
/// assignments hidden, as is an assignment whose folder is gone, keeping
/// every submission. One transaction, serialised across replicas.
pub async fn upsert_courses(pool: &Pool, courses: &[CourseSource]) -> Result<(), Error> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&COURSES_LOCK])
        .await?;
    let slugs: Vec<&str> = courses.iter().map(|c| c.course.slug.as_str()).collect();
    tx.execute("UPDATE courses SET listed = (slug = ANY($1))", &[&slugs])
        .await?;
    tx.execute(
        "UPDATE assignments SET position = NULL
         WHERE course_id IN (SELECT id FROM courses WHERE NOT listed)",
        &[],
    )
    .await?;
    for source in courses {
        let live = tx
            .query_opt(
                "SELECT id, live_version FROM courses WHERE slug = $1",
                &[&source.course.slug],
            )
            .await?;
        let course_id = match live {
            Some(row) if row.get::<_, i32>("live_version") != 1 => {
                tracing::info!(
                    course = %source.course.slug,
                    version = row.get::<_, i32>("live_version"),
                    "a published version is live: the image's folder is kept as version 1"
                );
                row.get("id")
            }
            _ => apply(&tx, source, 1).await?,
        };
        tx.execute(
            "INSERT INTO course_versions (course_id, version, status, content, checked_at)
             VALUES ($1, 1, 'live', $2, now())
             ON CONFLICT (course_id, version) DO UPDATE SET content = EXCLUDED.content",
            &[&course_id, &json(source)?],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Makes `source` what its course serves, as `version`, inside the caller's
/// transaction (which holds [`COURSES_LOCK`]): the course row (its
/// `live_version` too) and its assignments. Returns the course's id.
pub(crate) async fn apply(
    tx: &deadpool_postgres::Transaction<'_>,
    source: &CourseSource,
    version: i32,
) -> Result<i32, Error> {
    let row = tx
        .query_one(
            COURSE_UPSERT.as_str(),
            &[&json(&CourseRow::new(&source.course, version))?],
        )
        .await?;
    let course_id = row.get("id");
    upsert_assignments(tx, course_id, version, &source.assignments).await?;
    Ok(course_id)
}

/// Makes one course's assignments match its folders: inserts new ones,
/// updates changed ones, and hides (position NULL) those whose folder is
/// gone, keeping their submissions. Runs inside [`apply`].
async fn upsert_assignments(
    tx: &deadpool_postgres::Transaction<'_>,
    course_id: i32,
    version: i32,
    course: &[AssignmentSource],
) -> Result<(), Error> {
    let slugs: Vec<&str> = course.iter().map(|a| a.slug.as_str()).collect();
    tx.execute(
        "UPDATE assignments SET position = NULL WHERE course_id = $1 AND slug <> ALL($2)",
        &[&course_id, &slugs],
    )
    .await?;
    let Some(first) = course.first() else {
        return Ok(());
    };
    let columns = columns_of(&AssignmentRow::new(course_id, version, first));
    let upsert = tx
        .prepare(&upsert_statement(
            "assignments",
            "course_id, slug",
            &columns,
        ))
        .await?;
    for a in course {
        tx.query_one(
            &upsert,
            &[&json(&AssignmentRow::new(course_id, version, a))?],
        )
        .await?;
    }
    Ok(())
}
