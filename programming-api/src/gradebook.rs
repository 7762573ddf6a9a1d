//! The gradebook of a course: its learners × its assignments, read from the
//! truth (submissions, completions, attempts), never from a cache. Rows
//! come one learner at a time, in the order they joined, so the CSV export
//! can stream them without holding the course in memory.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::{SinkExt, Stream, TryStreamExt};
use postgres_from_row::FromRow;
use serde::Serialize;
use uuid::Uuid;

/// One learner's standing on one assignment.
#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct Cell {
    pub assignment_id: i32,
    /// The best status they reached: passed once they passed (even if they
    /// deleted that submission), else the best of their submissions: failed,
    /// error, grading or queued; null when they never submitted.
    pub best_status: Option<String>,
    /// What their pass earned (0 without one).
    pub points: i32,
    /// Submissions made, deleted ones included.
    pub attempts: i32,
    pub first_passed_at: Option<DateTime<Utc>>,
    /// Their pass came after the due date.
    pub late: bool,
}

/// One learner's row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LearnerRow {
    pub user_id: Uuid,
    pub display_name: Option<String>,
    pub student_number: Option<String>,
    /// Keeps an account (a username, or an LMS's or integration's
    /// identity): not an anonymous browser's learner.
    pub account: bool,
    pub points: i64,
    pub cells: Vec<Cell>,
}

/// An assignment's column, with how the class did on it.
#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct Column {
    pub id: i32,
    pub slug: String,
    pub title: String,
    pub due_at: Option<DateTime<Utc>>,
    /// Learners who submitted at least once.
    pub tried: i64,
    pub passed: i64,
    /// Over the learners who passed: which of their attempts first passed.
    pub median_attempts_to_pass: Option<f64>,
    /// The test that failed most often in failed submissions, by name.
    pub most_failed_test: Option<String>,
}

/// One row per (learner, assignment), learner by learner in the order they
/// joined, assignments in course order. $1 is the course.
const CELLS: &str = "
    WITH best AS (
        SELECT s.user_id, s.assignment_id,
               -- The rank of the best status, an index into the ARRAY below.
               min(CASE s.status WHEN 'passed' THEN 1 WHEN 'failed' THEN 2 WHEN 'error' THEN 3
                                 WHEN 'grading' THEN 4 ELSE 5 END) AS rank
        FROM submissions s JOIN assignments a ON a.id = s.assignment_id
        WHERE a.course_id = $1
        GROUP BY 1, 2)
    SELECT e.user_id, u.display_name, u.student_number,
           (u.username IS NOT NULL OR EXISTS (
               SELECT 1 FROM external_learners x WHERE x.user_id = u.id)) AS account,
           a.id AS assignment_id,
           -- A pass counts though its submission was deleted; points set
           -- by hand are no pass.
           CASE WHEN c.user_id IS NOT NULL AND completion_passed(c) THEN 'passed'
                ELSE (ARRAY['passed', 'failed', 'error', 'grading', 'queued'])[b.rank] END
               AS best_status,
           coalesce(c.points, 0) AS points, coalesce(t.used, 0) AS attempts,
           c.completed_at AS first_passed_at, coalesce(c.late, false) AS late
    FROM enrolments e
    JOIN users u ON u.id = e.user_id
    JOIN assignments a ON a.course_id = e.course_id AND a.position IS NOT NULL
    LEFT JOIN best b ON b.user_id = e.user_id AND b.assignment_id = a.id
    LEFT JOIN attempts t ON t.user_id = e.user_id AND t.assignment_id = a.id
    LEFT JOIN completions c ON c.user_id = e.user_id AND c.assignment_id = a.id
    WHERE e.course_id = $1
    ORDER BY e.joined_at, e.user_id, a.position";

/// The course's learners, one row each, as Postgres returns them.
pub async fn learners(
    client: &deadpool_postgres::Object,
    course_id: i32,
) -> Result<impl Stream<Item = Result<LearnerRow, store::Error>> + '_, store::Error> {
    let rows = client
        .query_raw(
            CELLS,
            [&course_id as &(dyn tokio_postgres::types::ToSql + Sync)],
        )
        .await?
        .map_err(store::Error::from);
    // Consecutive rows of one learner fold into that learner's row. The
    // rows are polled no more once they end (tokio-postgres answers a poll
    // after the end with an error).
    let rows = Box::pin(rows);
    Ok(futures::stream::try_unfold(
        (Some(rows), None::<LearnerRow>),
        |(mut rows, mut current)| async move {
            while let Some(stream) = rows.as_mut() {
                let Some(row) = stream.try_next().await? else {
                    rows = None;
                    break;
                };
                let user_id: Uuid = row.try_get("user_id")?;
                let cell = Cell::try_from_row(&row)?;
                match &mut current {
                    Some(learner) if learner.user_id == user_id => {
                        learner.points += i64::from(cell.points);
                        learner.cells.push(cell);
                    }
                    _ => {
                        let next = LearnerRow {
                            user_id,
                            display_name: row.try_get("display_name")?,
                            student_number: row.try_get("student_number")?,
                            account: row.try_get("account")?,
                            points: i64::from(cell.points),
                            cells: vec![cell],
                        };
                        if let Some(done) = current.replace(next) {
                            return Ok(Some((done, (rows, current))));
                        }
                    }
                }
            }
            Ok(current.take().map(|last| (last, (rows, None))))
        },
    ))
}

/// The course's assignments with the class's figures on each.
pub async fn columns(
    client: &deadpool_postgres::Object,
    course_id: i32,
) -> Result<Vec<Column>, store::Error> {
    let rows = client
        .query(
            "SELECT a.id, a.slug, a.title, a.due_at,
                (SELECT count(*) FROM attempts t WHERE t.assignment_id = a.id AND t.used > 0)
                    AS tried,
                (SELECT count(*) FROM completions c WHERE c.assignment_id = a.id) AS passed,
                (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY n) FROM (
                     -- The attempt that passed, as recorded with the pass (older
                     -- passes: the submissions kept up to it).
                     SELECT coalesce(c.attempt, (SELECT count(*) FROM submissions s
                             WHERE s.user_id = c.user_id AND s.assignment_id = c.assignment_id
                               AND s.created_at <= c.completed_at)) AS n
                     FROM completions c WHERE c.assignment_id = a.id) x)
                    AS median_attempts_to_pass,
                -- Staff read the hidden tests' real names (hidden_details), not
                -- the learner's numbered stand-ins.
                (SELECT t->>'name' FROM submissions s,
                        jsonb_array_elements(
                            (SELECT coalesce(jsonb_agg(v), '[]') FROM
                                 jsonb_array_elements(s.feedback->'tests') v
                             WHERE NOT coalesce((v->>'hidden')::boolean, false))
                            || coalesce(s.hidden_details, '[]')) t
                 WHERE s.assignment_id = a.id AND s.status = 'failed'
                   AND (t->>'passed')::boolean = false
                   AND NOT coalesce((t->>'skipped')::boolean, false)
                 GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1) AS most_failed_test
             FROM assignments a
             WHERE a.course_id = $1 AND a.position IS NOT NULL
             ORDER BY a.position",
            &[&course_id],
        )
        .await?;
    rows.iter().map(|r| Ok(Column::try_from_row(r)?)).collect()
}

/// A cell a spreadsheet could run as a formula (CSV injection), made inert.
/// A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or
/// a CR, and one that splits rows on `;` or a tab (Excel in many locales)
/// or ignores quotes starts a new cell after any of `,` `;` tab CR LF `"`;
/// so wherever a cell could start (spaces skipped), a `'` goes before any of
/// those characters. The writer quotes every text cell besides.
fn neutralised(cell: &str) -> std::borrow::Cow<'_, str> {
    const STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];
    const SEPARATORS: [char; 6] = [',', ';', '\t', '\r', '\n', '"'];
    let mut out = String::with_capacity(cell.len());
    let mut may_start = true;
    for c in cell.chars() {
        if may_start && STARTS.contains(&c) {
            out.push('\'');
        }
        out.push(c);
        may_start = SEPARATORS.contains(&c) || (may_start && c == ' ');
    }
    if out.len() == cell.len() {
        cell.into()
    } else {
        out.into()
    }
}

/// The course's listed assignments' slugs, in course order: all the CSV
/// header needs, and quick to read.
pub async fn slugs(
    client: &deadpool_postgres::Object,
    course_id: i32,
) -> Result<Vec<String>, store::Error> {
    let rows = client
        .query(
            "SELECT slug FROM assignments
             WHERE course_id = $1 AND position IS NOT NULL ORDER BY position",
            &[&course_id],
        )
        .await?;
    rows.iter().map(|r| Ok(r.try_get("slug")?)).collect()
}

/// The CSV header: the learner's columns (with the course's maximum
/// points beside theirs), then five per assignment.
pub fn csv_header(slugs: &[String]) -> Vec<String> {
    let mut header: Vec<String> = [
        "user_id",
        "display_name",
        "student_number",
        "points",
        "max_points",
    ]
    .map(str::to_owned)
    .to_vec();
    for slug in slugs {
        for field in ["status", "points", "attempts", "first_passed_at", "late"] {
            header.push(format!("{slug} {field}"));
        }
    }
    header
}

/// One learner's CSV record, every text cell neutralised.
pub fn csv_record(learner: &LearnerRow) -> Vec<String> {
    let text = |v: &Option<String>| neutralised(v.as_deref().unwrap_or_default()).into_owned();
    let max_points = learner.cells.len() as i64 * i64::from(domain::course::ASSIGNMENT_POINTS);
    let mut record = vec![
        learner.user_id.to_string(),
        text(&learner.display_name),
        text(&learner.student_number),
        learner.points.to_string(),
        max_points.to_string(),
    ];
    for cell in &learner.cells {
        record.push(text(&cell.best_status));
        record.push(cell.points.to_string());
        record.push(cell.attempts.to_string());
        record.push(
            cell.first_passed_at
                .map(|t| t.to_rfc3339())
                .unwrap_or_default(),
        );
        record.push(if cell.late { "yes" } else { "" }.to_owned());
    }
    record
}

/// Staff reads that take two connections at once (the gradebook, the class
/// view) run at most this many at a time: each holds its first connection
/// while it waits for the second, so a crowd of them could otherwise hold
/// the whole pool and wait on each other until the pool's wait runs out.
const TWO_CONNECTION_READS: usize = 8;
static TWO_CONNECTIONS: tokio::sync::Semaphore =
    tokio::sync::Semaphore::const_new(TWO_CONNECTION_READS);

/// Two pooled connections for one read, and the permit that bounds such reads.
pub async fn two_connections(
    pool: &deadpool_postgres::Pool,
) -> Result<
    (
        deadpool_postgres::Object,
        deadpool_postgres::Object,
        tokio::sync::SemaphorePermit<'static>,
    ),
    deadpool_postgres::PoolError,
> {
    let permit = TWO_CONNECTIONS
        .acquire()
        .await
        .expect("the semaphore is never closed");
    Ok((pool.get().await?, pool.get().await?, permit))
}

/// Bytes gathered before a chunk of the CSV goes out.
pub const CSV_CHUNK: usize = 32 * 1024;

/// How long a chunk may wait for the client to take it: a client that stops
/// reading must not hold a database connection for ever.
const SEND_DEADLINE: std::time::Duration = std::time::Duration::from_secs(30);

type Chunks = futures::channel::mpsc::Sender<Result<Bytes, std::io::Error>>;

/// Hands a chunk to the response; false when the client has gone or has
/// not read for [`SEND_DEADLINE`].
async fn send(tx: &mut Chunks, chunk: Vec<u8>) -> bool {
    matches!(
        tokio::time::timeout(SEND_DEADLINE, tx.send(Ok(chunk.into()))).await,
        Ok(Ok(()))
    )
}

/// The gradebook as CSV, a chunk at a time: a task writes the header and then
/// each learner's record as Postgres's rows arrive, handing the response
/// chunks of about [`CSV_CHUNK`] bytes through a channel of four, so the
/// memory it holds does not grow with the course. A failure midway ends the
/// body early (the client sees a broken body; the cause goes to the log).
pub fn csv_chunks(
    client: deadpool_postgres::Object,
    course_id: i32,
    slugs: Vec<String>,
) -> futures::channel::mpsc::Receiver<Result<Bytes, std::io::Error>> {
    let (mut tx, rx) = futures::channel::mpsc::channel(4);
    tokio::spawn(async move {
        if let Err(e) = write_csv(&client, course_id, &slugs, &mut tx).await {
            tracing::warn!(error = %e, course_id, "the gradebook CSV stopped");
            let _ = tokio::time::timeout(
                SEND_DEADLINE,
                tx.send(Err(std::io::Error::other("gradebook"))),
            )
            .await;
        }
    });
    rx
}

/// Writes the header and every learner's record, a chunk at a time; stops
/// quietly when the client has gone.
async fn write_csv(
    client: &deadpool_postgres::Object,
    course_id: i32,
    slugs: &[String],
    tx: &mut Chunks,
) -> anyhow::Result<()> {
    let builder = {
        let mut b = csv::WriterBuilder::new();
        // Every text cell quoted, so a separator inside it stays inside it
        // for any reader that honours quotes; numbers stay numbers.
        b.terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::NonNumeric);
        b
    };
    // A byte-order mark, so spreadsheets read the names as UTF-8.
    let mut writer = builder.from_writer("\u{feff}".as_bytes().to_vec());
    writer.write_record(csv_header(slugs))?;
    // The header goes out at once: the first byte does not wait for the
    // query, which sorts the whole course before its first row.
    let header = std::mem::replace(&mut writer, builder.from_writer(Vec::new()));
    if !send(tx, header.into_inner()?).await {
        return Ok(());
    }
    let learners = learners(client, course_id).await?;
    let mut learners = std::pin::pin!(learners);
    while let Some(learner) = learners.try_next().await? {
        writer.write_record(csv_record(&learner))?;
        writer.flush()?;
        if writer.get_ref().len() >= CSV_CHUNK {
            let full = std::mem::replace(&mut writer, builder.from_writer(Vec::new()));
            if !send(tx, full.into_inner()?).await {
                return Ok(());
            }
        }
    }
    send(tx, writer.into_inner()?).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_others_kept() {
        for bad in ["=1+1", "+1", "-2", "@SUM(A1)", "\t=x", "\r=x", " =1"] {
            assert!(neutralised(bad).trim_start().starts_with('\''), "{bad:?}");
        }
        for fine in [
            "Ada",
            "12345",
            "",
            "a=b",
            "O'Brien",
            "a - b",
            "Ada Lovelace",
        ] {
            assert_eq!(neutralised(fine), fine);
        }
    }

    #[test]
    fn every_place_a_cell_could_start_is_neutralised() {
        assert_eq!(neutralised("a;=1+1;"), "a;'=1+1;");
        assert_eq!(neutralised("x,+1"), "x,'+1");
        assert_eq!(neutralised("x; @SUM(1)"), "x; '@SUM(1)");
        assert_eq!(neutralised("\"=1"), "\"'=1");
        assert_eq!(neutralised("a;\t=1"), "a;'\t'=1");
        assert_eq!(neutralised("a;b-c"), "a;b-c");
    }
}
