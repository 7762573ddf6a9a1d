//! The queue's lag on the API's admin port (`grading_queue_*`), as
//! Prometheus and the autoscaler read it: per stream, the jobs waiting,
//! how long the oldest has waited, and the jobs in a grader's hands.

use std::time::Duration;

use queue::jobs::{lane_for, JobReader, Stream};
use reqwest::StatusCode;

use crate::helpers::TestApp;

/// The value of `metric{stream="<stream>"}` on the admin port.
async fn gauge(app: &TestApp, metric: &str, stream: &str) -> f64 {
    let text = app.metrics().await;
    let series = format!("{metric}{{stream=\"{stream}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&series))
        .unwrap_or_else(|| panic!("no {series} in the metrics"))
        .parse()
        .unwrap()
}

/// (waiting, oldest waiting in seconds, in flight) of `stream`.
async fn lag(app: &TestApp, stream: &str) -> (f64, f64, f64) {
    (
        gauge(app, "grading_queue_waiting", stream).await,
        gauge(app, "grading_queue_oldest_waiting_seconds", stream).await,
        gauge(app, "grading_queue_in_flight", stream).await,
    )
}

#[tokio::test]
async fn the_metrics_show_each_streams_waiting_oldest_and_in_flight_jobs() {
    let env = testkit::TestEnv::empty().await;
    let mut config = crate::helpers::config(&env);
    // No reconciler: it would push again a job acked here but never
    // finished in Postgres.
    config.reconcile_interval = Duration::from_secs(3600);
    let app = TestApp::start(env, config).await;
    let assignment = app.first_assignment().await;
    for _ in 0..2 {
        // Two learners: one learner has one submission waiting at a time.
        let learner = app.learner().await;
        let res = app.submit(&learner, assignment, "print(1)").await;
        assert_eq!(res.status(), StatusCode::ACCEPTED);
    }
    // This client's lane; every other stream is empty.
    let lane = Stream::Lane(lane_for([127, 0, 0, 1].into())).label();
    let other = if lane == "lane-0" { "lane-1" } else { "lane-0" };

    let waited = testkit::eventually(Duration::from_secs(10), || async {
        let (waiting, oldest, in_flight) = lag(&app, &lane).await;
        waiting == 2.0 && oldest >= 1.0 && in_flight == 0.0
    })
    .await;
    assert!(
        waited,
        "two waiting, the oldest a second or more: {:?}",
        lag(&app, &lane).await
    );
    assert_eq!(lag(&app, other).await, (0.0, 0.0, 0.0));
    assert_eq!(lag(&app, "runs").await, (0.0, 0.0, 0.0));

    // A grader takes one (the real reader, as graders read, in the group
    // graders make).
    app.jobs().ensure_group().await.unwrap();
    let mut reader = JobReader::connect(&app.jobs(), &app.env.redis)
        .await
        .unwrap();
    let jobs = reader
        .read("lag-test", 1, Duration::from_millis(100))
        .await
        .unwrap();
    assert_eq!(jobs.len(), 1);
    let taken = testkit::eventually(Duration::from_secs(10), || async {
        let (waiting, oldest, in_flight) = lag(&app, &lane).await;
        waiting == 1.0 && oldest >= 1.0 && in_flight == 1.0
    })
    .await;
    assert!(
        taken,
        "one waiting, one in flight: {:?}",
        lag(&app, &lane).await
    );

    // Done and acked: it leaves the stream.
    app.jobs().ack_job(&jobs[0]).await.unwrap();
    let acked = testkit::eventually(Duration::from_secs(10), || async {
        let (waiting, _, in_flight) = lag(&app, &lane).await;
        waiting == 1.0 && in_flight == 0.0
    })
    .await;
    assert!(acked, "{:?}", lag(&app, &lane).await);
    app.stop().await;
}
