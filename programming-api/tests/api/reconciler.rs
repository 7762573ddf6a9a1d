//! The reconciler pushes what Postgres has queued and the stream lost, once.

use std::time::Duration;

use programming_api::reconciler::reconcile_once;
use uuid::Uuid;

use crate::helpers::{eventually, TestApp};

/// A submission in `status` that the stream never saw, an hour old.
async fn insert(app: &TestApp, user: Uuid, assignment: i32, status: &str) -> Uuid {
    let id = Uuid::new_v4();
    let client = app.ctx.pool.get().await.unwrap();
    // raw write: a fixture in a state no transition leaves behind (lost
    // from the stream, an hour ago).
    client
        .execute(
            "INSERT INTO submissions (id, user_id, assignment_id, code, code_hash,
                 assignment_hash, status, enqueued_at)
             VALUES ($1, $2, $3, 'x', 'h', 'h', $4::text::submission_status,
                     now() - interval '1 hour')",
            &[&id, &user, &assignment, &status],
        )
        .await
        .unwrap();
    id
}

/// How many entries, in any lane, name the submission.
async fn entries_for(app: &TestApp, id: Uuid) -> usize {
    let mut conn = app.ctx.redis.clone();
    let mut count = 0;
    for lane in 0..queue::jobs::LANES {
        let entries: Vec<(String, Vec<(String, String)>)> = redis::cmd("XRANGE")
            .arg(app.ctx.names.jobs_stream(lane))
            .arg("-")
            .arg("+")
            .query_async(&mut conn)
            .await
            .unwrap();
        count += entries
            .iter()
            .filter(|(_, fields)| fields.iter().any(|(_, v)| *v == id.to_string()))
            .count();
    }
    count
}

#[tokio::test]
async fn a_queued_submission_the_stream_never_got_is_pushed_once() {
    let app = TestApp::spawn().await;
    let learner = app.learner().await;
    let a = app.first_assignment().await;
    // As if the API died between its commit and its push.
    let id = insert(&app, learner.id, a, "queued").await;

    let pushed = eventually(Duration::from_secs(5), || async {
        entries_for(&app, id).await == 1
    })
    .await;
    assert!(pushed, "the reconciler did not push it");
    for _ in 0..3 {
        reconcile_once(&app.ctx, Duration::from_millis(0))
            .await
            .unwrap();
    }
    assert_eq!(entries_for(&app, id).await, 1, "pushed more than once");
}

#[tokio::test]
async fn a_grading_submission_whose_job_was_lost_is_queued_again() {
    let app = TestApp::spawn().await;
    let learner = app.learner().await;
    let a = app.first_assignment().await;
    // As if Redis lost its data while a grader held the job.
    let id = insert(&app, learner.id, a, "grading").await;

    let requeued = eventually(Duration::from_secs(5), || async {
        entries_for(&app, id).await == 1
    })
    .await;

    assert!(requeued);
    let client = app.ctx.pool.get().await.unwrap();
    let status: String = client
        .query_one(
            "SELECT status::text AS status FROM submissions WHERE id = $1",
            &[&id],
        )
        .await
        .unwrap()
        .get("status");
    assert_eq!(status, "queued");
}

#[tokio::test]
async fn work_already_in_the_stream_or_finished_is_left_alone() {
    let app = TestApp::spawn().await;
    let (one, two) = (app.learner().await, app.learner().await);
    let a = app.first_assignment().await;
    let submitted: serde_json::Value = app
        .submit(&one, a, "in the stream")
        .await
        .json()
        .await
        .unwrap();
    let in_stream: Uuid = submitted["submission"]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let client = app.ctx.pool.get().await.unwrap();
    // raw write: an hour passes.
    client
        .execute(
            "UPDATE submissions SET enqueued_at = now() - interval '1 hour' WHERE id = $1",
            &[&in_stream],
        )
        .await
        .unwrap();
    let finished = insert(&app, two.id, a, "failed").await;

    let pushed = reconcile_once(&app.ctx, Duration::from_millis(0))
        .await
        .unwrap();

    assert_eq!(pushed, 0);
    assert_eq!(entries_for(&app, in_stream).await, 1);
    assert_eq!(entries_for(&app, finished).await, 0);
}
