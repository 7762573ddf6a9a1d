//! A stopping API leaves a balancer's rotation before it stops: `/readyz`
//! answers 503 on both ports for its shutdown delay while every other
//! request is still served; then the port closes.

use std::time::Duration;

use reqwest::StatusCode;
use testkit::TestEnv;

use crate::helpers::{config, error_code, TestApp};

#[tokio::test]
async fn a_stopping_api_says_it_is_not_ready_while_it_still_serves() {
    let env = TestEnv::empty().await;
    let mut config = config(&env);
    config.shutdown_delay = Duration::from_secs(5);
    let app = TestApp::start(env, config).await;
    let http = reqwest::Client::new();
    let public = app.url("/readyz");
    let admin = format!("http://{}/readyz", app.admin_addr);
    let work = app.url("/api/assignments");
    assert_eq!(
        http.get(&public).send().await.unwrap().status(),
        StatusCode::OK
    );

    let stopping = tokio::spawn(app.stop());
    let draining = testkit::eventually(Duration::from_secs(2), || async {
        http.get(&admin)
            .send()
            .await
            .is_ok_and(|r| r.status() == StatusCode::SERVICE_UNAVAILABLE)
    })
    .await;
    assert!(
        draining,
        "the admin port's /readyz never said it was draining"
    );
    let res = http.get(&public).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(error_code(res).await, "not_ready");
    let res = http.get(&work).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "still serving while draining");
    assert!(!stopping.is_finished(), "stopped before its delay");

    stopping.await.unwrap();
    assert!(
        http.get(&work).send().await.is_err(),
        "the port still answers after the drain"
    );
}
