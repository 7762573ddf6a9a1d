//! Courses and their assignments in Postgres: made to match what the course
//! folders say, at start and when a course is published.

use deadpool_postgres::Pool;
use domain::course::{AssignmentSource, CourseSource};

use crate::Error;

/// Makes the database match the folders: courses and their assignments are
/// inserted or updated; a course whose folder is gone is unlisted and its
/// assignments hidden, as is an assignment whose folder is gone, keeping
/// every submission. One transaction, serialised across replicas.
pub async fn upsert_courses(pool: &Pool, courses: &[CourseSource]) -> Result<(), Error> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock(7243015)", &[])
        .await?;
    let slugs: Vec<&str> = courses.iter().map(|c| c.slug.as_str()).collect();
    tx.execute(
        "UPDATE courses SET listed = false WHERE slug <> ALL($1)",
        &[&slugs],
    )
    .await?;
    tx.execute(
        "UPDATE assignments SET position = NULL
         WHERE course_id IN (SELECT id FROM courses WHERE NOT listed)",
        &[],
    )
    .await?;
    for course in courses {
        let row = tx
            .query_one(
                "INSERT INTO courses (slug, title, term, join_policy, join_code_hash, listed,
                                      stuck_after)
                 VALUES ($1, $2, $3, $4::text::course_join, $5, true, $6)
                 ON CONFLICT (slug) DO UPDATE SET title = EXCLUDED.title,
                     term = EXCLUDED.term, join_policy = EXCLUDED.join_policy,
                     join_code_hash = EXCLUDED.join_code_hash, listed = true,
                     stuck_after = EXCLUDED.stuck_after
                 RETURNING id",
                &[
                    &course.slug,
                    &course.title,
                    &course.term,
                    &course.join.as_str(),
                    &course.join_code_hash,
                    &course.stuck_after,
                ],
            )
            .await?;
        upsert_assignments(&tx, row.get(0), &course.assignments).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Makes one course's assignments match its folders: inserts new ones,
/// updates changed ones, and hides (position NULL) those whose folder is
/// gone, keeping their submissions. Runs inside the courses' upsert
/// ([`upsert_courses`]).
async fn upsert_assignments(
    tx: &deadpool_postgres::Transaction<'_>,
    course_id: i32,
    course: &[AssignmentSource],
) -> Result<(), Error> {
    let slugs: Vec<&str> = course.iter().map(|a| a.slug.as_str()).collect();
    tx.execute(
        "UPDATE assignments SET position = NULL WHERE course_id = $1 AND slug <> ALL($2)",
        &[&course_id, &slugs],
    )
    .await?;
    let upsert = tx
        .prepare(
            "INSERT INTO assignments (slug, position, title, handout_md, starter_code, test_code,
                 time_limit_ms, memory_limit_mb, content_hash, test_time_limit_ms, test_ids,
                 hidden_tests, runner, course_id, opens_at, due_at, late_policy,
                 late_penalty_pct, max_submissions, kind, skipped_tests)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                     $17::text::late_policy, $18, $19, $20, $21)
             ON CONFLICT (course_id, slug) DO UPDATE SET position = EXCLUDED.position,
                 title = EXCLUDED.title, handout_md = EXCLUDED.handout_md,
                 starter_code = EXCLUDED.starter_code, test_code = EXCLUDED.test_code,
                 time_limit_ms = EXCLUDED.time_limit_ms,
                 memory_limit_mb = EXCLUDED.memory_limit_mb,
                 content_hash = EXCLUDED.content_hash,
                 test_time_limit_ms = EXCLUDED.test_time_limit_ms,
                 test_ids = EXCLUDED.test_ids, hidden_tests = EXCLUDED.hidden_tests,
                 runner = EXCLUDED.runner, opens_at = EXCLUDED.opens_at,
                 due_at = EXCLUDED.due_at, late_policy = EXCLUDED.late_policy,
                 late_penalty_pct = EXCLUDED.late_penalty_pct,
                 max_submissions = EXCLUDED.max_submissions, kind = EXCLUDED.kind,
                 skipped_tests = EXCLUDED.skipped_tests",
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
                &a.test_time_limit_ms,
                &a.test_ids,
                &a.hidden_tests,
                &a.runner.name,
                &course_id,
                &a.schedule.opens_at,
                &a.schedule.due_at,
                &a.schedule.late.as_str(),
                &a.schedule.late.penalty_pct(),
                &a.schedule.max_submissions,
                &a.kind.as_str(),
                &a.skipped_tests,
            ],
        )
        .await?;
    }
    Ok(())
}
