//! A database from before courses (schema version 4), with learners,
//! submissions and completions, migrates into the default course with all
//! of them, and every point, still there.

use reqwest::StatusCode;
use serde_json::Value;
use testkit::{test_signer, TestEnv};
use uuid::Uuid;

use crate::helpers::{config, TestApp};

/// The last schema version before courses.
const BEFORE_COURSES: i32 = 4;

async fn count(client: &tokio_postgres::Client, sql: &str) -> i64 {
    client.query_one(sql, &[]).await.unwrap().get("n")
}

#[tokio::test]
async fn a_database_from_before_courses_keeps_every_submission_completion_and_point() {
    let env = TestEnv::at_version(Some(BEFORE_COURSES)).await;
    let client = env.pool.get().await.unwrap();
    // The old schema's rows, as the API of that version wrote them: two
    // assignments of the shipped course, three learners.
    client
        .batch_execute(
            "INSERT INTO assignments (slug, position, title, handout_md, starter_code, test_code,
                 time_limit_ms, memory_limit_mb, content_hash)
             VALUES ('greeting', 1, 'Old greeting', '', '', '', 2000, 128, 'old-hash-1'),
                    ('temperature', 2, 'Old temperature', '', '', '', 2000, 128, 'old-hash-2')",
        )
        .await
        .unwrap();
    let ids: Vec<i32> = client
        .query("SELECT id FROM assignments ORDER BY position", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("id"))
        .collect();
    let learners: Vec<Uuid> = (0..3).map(|_| Uuid::new_v4()).collect();
    for (i, learner) in learners.iter().enumerate() {
        client
            .execute("INSERT INTO users (id) VALUES ($1)", &[learner])
            .await
            .unwrap();
        // Learner i passed the first i assignments and failed once before each.
        for &assignment in &ids[..i] {
            let (failed, passed) = (Uuid::new_v4(), Uuid::new_v4());
            // raw write: a fixture at the old schema, which no transition of
            // today's state machine can write.
            client
                .execute(
                    "INSERT INTO submissions (id, user_id, assignment_id, code, code_hash,
                         assignment_hash, status, verdict, attempts, graded_at, enqueued_at)
                     VALUES ($1, $3, $4, 'x = 1', 'h1', 'old', 'failed', 'wrong_answer', 1, now(), now()),
                            ($2, $3, $4, 'x = 2', 'h2', 'old', 'passed', 'passed', 1, now(), now())",
                    &[&failed, &passed, learner, &assignment],
                )
                .await
                .unwrap();
            // raw write: the completion the old grader recorded with the pass.
            client
                .execute(
                    "INSERT INTO completions (user_id, assignment_id, submission_id)
                     VALUES ($1, $2, $3)",
                    &[learner, &assignment, &passed],
                )
                .await
                .unwrap();
        }
    }
    let before = (
        count(&client, "SELECT count(*) AS n FROM submissions").await,
        count(&client, "SELECT count(*) AS n FROM completions").await,
    );
    assert_eq!(before, (6, 3));
    drop(client);

    // Today's API migrates it and upserts the repository's courses.
    let config = config(&env);
    let app = TestApp::start(env, config).await;
    let client = app.ctx.pool.get().await.unwrap();
    let after = (
        count(&client, "SELECT count(*) AS n FROM submissions").await,
        count(&client, "SELECT count(*) AS n FROM completions").await,
    );
    assert_eq!(after, before, "(submissions, completions)");
    let intro = app
        .ctx
        .catalog()
        .by_slug("intro")
        .expect("the default course")
        .id;
    let in_intro: Vec<i32> = client
        .query(
            "SELECT id FROM assignments WHERE course_id = $1 AND slug IN ('greeting', 'temperature')
             ORDER BY position",
            &[&intro],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get("id"))
        .collect();
    assert_eq!(
        in_intro, ids,
        "the old assignments are the intro course's, same ids"
    );
    assert_eq!(
        count(
            &client,
            "SELECT count(*) AS n FROM enrolments e JOIN courses c ON c.id = e.course_id
             WHERE c.slug = 'intro'"
        )
        .await,
        3,
        "every learner is in the default course"
    );
    // The course upsert brought today's handouts onto the same rows.
    let title: String = client
        .query_one("SELECT title FROM assignments WHERE id = $1", &[&ids[0]])
        .await
        .unwrap()
        .get("title");
    assert_ne!(title, "Old greeting");

    for (i, learner) in learners.iter().enumerate() {
        let token = test_signer().sign(*learner);
        let res = app
            .http
            .get(app.url("/api/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let me: Value = res.json().await.unwrap();
        assert_eq!(me["points"], i as i64 * 100, "learner {i}: {me}");
        let res = app
            .http
            .get(app.url(&format!("/api/assignments/{}/submissions", ids[0])))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        let list: Vec<Value> = res.json().await.unwrap();
        assert_eq!(list.len(), if i >= 1 { 2 } else { 0 }, "learner {i}");
    }
}
