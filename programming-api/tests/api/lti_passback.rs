//! Grade passback (AGS 2.0) to PyPI's lti1p3platform: one score each time
//! a learner's points for a linked assignment change, and nothing else; the
//! line item found or made by resource link; tokens by client assertion,
//! fetched again on a 401; nothing lost while the LMS is down, through an
//! API restart.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::eventually;

use crate::helpers::{Learner, TestApp};
use crate::lti::{me, rsa_key, World};

const INSTRUCTOR: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership%23Instructor";

/// The learner a launch's landing page signs in.
async fn learner_of(world: &World, token: String) -> Learner {
    let id = me(world, &token).await["user_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    Learner { id, token }
}

async fn assignment(app: &TestApp, course: &str, slug: &str) -> i32 {
    app.ctx
        .pool
        .get()
        .await
        .unwrap()
        .query_one(
            "SELECT a.id FROM assignments a JOIN courses c ON c.id = a.course_id
             WHERE c.slug = $1 AND a.slug = $2",
            &[&course, &slug],
        )
        .await
        .unwrap()
        .get("id")
}

/// Submits and grades as the grader would, with `verdict`.
async fn hand_in(app: &TestApp, learner: &Learner, assignment: i32, verdict: &str) {
    let code = format!("# {verdict} {}", uuid::Uuid::new_v4());
    let res = app.submit(learner, assignment, &code).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let s: Value = res.json().await.unwrap();
    app.grade(s["submission"]["id"].as_str().unwrap(), verdict)
        .await;
}

async fn scores(world: &World) -> Vec<Value> {
    world.state().await["scores"].as_array().unwrap().clone()
}

async fn wait_for_scores(world: &World, n: usize) -> Vec<Value> {
    let arrived = eventually(Duration::from_secs(20), || async {
        scores(world).await.len() >= n
    })
    .await;
    let got = scores(world).await;
    assert!(arrived, "{n} scores expected, the LMS has {got:?}");
    got
}

/// The course's owed scores, as its instructor's staff page reads them.
async fn owed(world: &World) -> Value {
    let landing = world.launch(&format!("user=prof&roles={INSTRUCTOR}")).await;
    let session: Value = serde_json::from_str(&landing.value).unwrap();
    let res = world
        .app
        .http
        .get(world.app.url("/api/courses/intro/lti/scores"))
        .bearer_auth(session["token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

#[tokio::test]
async fn a_pass_sends_one_score_to_the_line_item_of_its_resource_link() {
    let world = World::start().await;
    let landing = world
        .launch("user=ada&resource_link=rl-a&assignment=greeting")
        .await;
    let ada = learner_of(&world, landing.value).await;
    let greeting = assignment(&world.app, "intro", "greeting").await;
    // A failed submission changes no points: nothing is sent.
    hand_in(&world.app, &ada, greeting, "wrong_answer").await;
    hand_in(&world.app, &ada, greeting, "passed").await;
    let got = wait_for_scores(&world, 1).await;
    let score = &got[0];
    assert_eq!(score["userId"], "ada");
    assert_eq!(
        (score["scoreGiven"].as_f64(), score["scoreMaximum"].as_f64()),
        (Some(100.0), Some(100.0))
    );
    assert_eq!(score["activityProgress"], "Completed");
    assert_eq!(score["gradingProgress"], "FullyGraded");
    assert!(score["timestamp"].as_str().unwrap().ends_with('Z'));
    // The line item was found or made by the resource link.
    let state = world.state().await;
    let items = state["lineitems"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["resourceLinkId"], "rl-a");
    assert_eq!(items[0]["resourceId"], "greeting");
    assert_eq!(items[0]["scoreMaximum"], 100);
    assert_eq!(score["lineitem"], items[0]["id"]);
    // Every client assertion was as RFC 7523 and LTI ask (the LMS refuses
    // any other; here its claims are read back).
    for t in state["tokens"].as_array().unwrap() {
        assert_eq!(
            (t["iss"].as_str(), t["sub"].as_str()),
            (Some("codeplatform"), Some("codeplatform"))
        );
        assert_eq!(t["aud"], world.lms.url("/token"));
        assert!(t["exp"].as_i64().unwrap() - t["iat"].as_i64().unwrap() <= 300);
        assert!(t["jti"].as_str().is_some_and(|j| j.len() >= 32));
    }
    // Passing again changes no points: still one score.
    hand_in(&world.app, &ada, greeting, "passed").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(scores(&world).await.len(), 1);
    let owed = owed(&world).await;
    assert_eq!(
        (owed["sent"].as_i64(), owed["pending"].as_i64()),
        (Some(1), Some(0))
    );
}

#[tokio::test]
async fn a_pass_made_before_the_link_is_sent_at_its_first_launch_and_a_named_line_item_is_used() {
    let world = World::start().await;
    let first = world
        .launch("user=bo&resource_link=rl-t&assignment=temperature")
        .await;
    let bo = learner_of(&world, first.value).await;
    let temperature = assignment(&world.app, "intro", "temperature").await;
    let greeting = assignment(&world.app, "intro", "greeting").await;
    hand_in(&world.app, &bo, temperature, "passed").await;
    let got = wait_for_scores(&world, 1).await;
    let item = got[0]["lineitem"].as_str().unwrap().to_owned();
    // Bo passed greeting on the platform before any link to it existed;
    // the first launch of a link to it sends that pass, to the line item
    // the launch names.
    hand_in(&world.app, &bo, greeting, "passed").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(scores(&world).await.len(), 1, "no link, no score");
    world
        .launch(&format!(
            "user=bo&resource_link=rl-g&assignment=greeting&lineitem={item}"
        ))
        .await;
    let got = wait_for_scores(&world, 2).await;
    assert_eq!(got[1]["lineitem"], item);
    assert_eq!(got[1]["userId"], "bo");
    assert_eq!(
        world.state().await["lineitems"].as_array().unwrap().len(),
        1
    );
}

#[tokio::test]
async fn a_revoked_token_is_fetched_again_once_and_a_refused_assertion_is_shown_to_staff() {
    let world = World::start().await;
    let landing = world
        .launch("user=cy&resource_link=rl-1&assignment=greeting")
        .await;
    let cy = learner_of(&world, landing.value).await;
    let l2 = world
        .launch("user=cy&resource_link=rl-2&assignment=temperature")
        .await;
    assert!(l2.to.contains("#/a/"));
    let greeting = assignment(&world.app, "intro", "greeting").await;
    let temperature = assignment(&world.app, "intro", "temperature").await;
    hand_in(&world.app, &cy, greeting, "passed").await;
    wait_for_scores(&world, 1).await;
    let tokens_before = world.state().await["tokens"].as_array().unwrap().len();
    // The LMS revokes every token issued so far: the kept one gets a 401,
    // and a new one is fetched (once) and used.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let now = chrono::Utc::now().timestamp();
    world.faults(json!({"revoked_before": now})).await;
    // And the LMS refuses client assertions for a while: the score waits,
    // and the course's staff see why.
    world.faults(json!({"reject_assertions": true})).await;
    hand_in(&world.app, &cy, temperature, "passed").await;
    let seen = eventually(Duration::from_secs(20), || async {
        owed(&world).await["failing"].as_i64() == Some(1)
    })
    .await;
    let owed_now = owed(&world).await;
    assert!(seen, "{owed_now}");
    let waiting = &owed_now["waiting"][0];
    assert_eq!(waiting["state"], "failing");
    assert_eq!(waiting["points"], 100);
    let said = waiting["last_error"].as_str().unwrap();
    assert!(
        said.contains("401") && said.contains("invalid_client"),
        "{said}"
    );
    assert_eq!(scores(&world).await.len(), 1);
    world.faults(json!({"reject_assertions": false})).await;
    let got = wait_for_scores(&world, 2).await;
    assert_eq!(got.len(), 2);
    let tokens_after = world.state().await["tokens"].as_array().unwrap().len();
    assert!(tokens_after > tokens_before, "a new token was fetched");
    assert_eq!(owed(&world).await["failing"], 0);
}

#[tokio::test]
async fn scores_made_while_the_lms_is_down_each_arrive_once_after_an_api_restart() {
    // The repository's course: three assignments to pass.
    let mut world = World::start_in(rsa_key(false), None).await;
    let mut dee = None;
    for (link, slug) in [
        ("rl-1", "greeting"),
        ("rl-2", "temperature"),
        ("rl-3", "fizzbuzz"),
    ] {
        let landing = world
            .launch(&format!("user=dee&resource_link={link}&assignment={slug}"))
            .await;
        dee = Some(learner_of(&world, landing.value).await);
    }
    let dee = dee.unwrap();
    world.lms.stop().await;
    for slug in ["greeting", "temperature", "fizzbuzz"] {
        let id = assignment(&world.app, "intro", slug).await;
        hand_in(&world.app, &dee, id, "passed").await;
    }
    // Each was tried and failed against the absent LMS; each waits.
    let pool = world.app.ctx.pool.clone();
    let failing = || async {
        pool.get()
            .await
            .unwrap()
            .query_one(
                "SELECT count(*) AS n FROM lti_scores
                 WHERE sent_version < version AND last_error LIKE '%could not be reached%'",
                &[],
            )
            .await
            .unwrap()
            .get::<_, i64>("n")
    };
    assert!(eventually(Duration::from_secs(20), || async { failing().await == 3 }).await);
    let metrics = world
        .app
        .http
        .get(format!("http://{}/metrics", world.app.admin_addr))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("lti_scores_failing 3"), "{metrics}");
    // The API restarts; then the LMS comes back, knowing nothing of before.
    let World {
        app,
        lms,
        http,
        keys_pem,
    } = world;
    let (env, config) = app.stop().await;
    let app = TestApp::start(env, config).await;
    let mut world = World {
        app,
        lms,
        http,
        keys_pem,
    };
    world.lms.start_again().await;
    world.tell_lms().await;
    let got = wait_for_scores(&world, 3).await;
    // Once each, with the right points, to a line item each.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let got_later = scores(&world).await;
    assert_eq!(got_later.len(), 3, "{got_later:?}");
    let mut items: Vec<&str> = got
        .iter()
        .map(|s| s["lineitem"].as_str().unwrap())
        .collect();
    items.sort();
    items.dedup();
    assert_eq!(items.len(), 3);
    for s in &got {
        assert_eq!(
            (s["userId"].as_str(), s["scoreGiven"].as_f64()),
            (Some("dee"), Some(100.0))
        );
    }
    let made: Vec<String> = world.state().await["lineitems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|li| li["resourceId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(made.len(), 3, "{made:?}");
    assert_eq!(failing().await, 0);
}

#[tokio::test]
async fn a_grade_service_off_the_lms_own_hosts_is_never_called() {
    let world = World::start().await;
    let landing = world
        .launch("user=eve&resource_link=rl-x&assignment=greeting&fault=foreign_ags")
        .await;
    let eve = learner_of(&world, landing.value).await;
    let greeting = assignment(&world.app, "intro", "greeting").await;
    hand_in(&world.app, &eve, greeting, "passed").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let client = world.app.ctx.pool.get().await.unwrap();
    let kept: Option<String> = client
        .query_one(
            "SELECT lineitems_url FROM lti_links WHERE resource_link_id = 'rl-x'",
            &[],
        )
        .await
        .unwrap()
        .get("lineitems_url");
    assert_eq!(kept, None, "the foreign URL was not kept");
    let owed: i64 = client
        .query_one("SELECT count(*) AS n FROM lti_scores", &[])
        .await
        .unwrap()
        .get("n");
    assert_eq!(
        owed, 0,
        "no score is owed to a link without the LMS's grade service"
    );
    assert!(scores(&world).await.is_empty());
}

#[tokio::test]
async fn a_score_held_until_the_due_date_reaches_the_lms_at_its_release() {
    let world = World::start().await;
    let landing = world
        .launch("user=ada&resource_link=rl-a&assignment=greeting")
        .await;
    let ada = learner_of(&world, landing.value).await;
    let greeting = assignment(&world.app, "intro", "greeting").await;
    // An exam due a few seconds from now (Postgres's clock is the sender's).
    let client = world.app.ctx.pool.get().await.unwrap();
    let due: chrono::DateTime<chrono::Utc> = client
        .query_one(
            "UPDATE assignments SET due_at = date_trunc('milliseconds', now()) + interval '4 s',
                 release = 'after_due'
             WHERE id = $1 RETURNING due_at",
            &[&greeting],
        )
        .await
        .unwrap()
        .get("due_at");
    hand_in(&world.app, &ada, greeting, "passed").await;
    let waiting: chrono::DateTime<chrono::Utc> = client
        .query_one(
            "SELECT next_attempt_at FROM lti_scores WHERE user_id = $1",
            &[&ada.id],
        )
        .await
        .unwrap()
        .get("next_attempt_at");
    assert_eq!(waiting, due, "the score waits for the release");
    assert!(chrono::Utc::now() < due, "graded before the due date");
    assert!(scores(&world).await.is_empty());
    let got = wait_for_scores(&world, 1).await;
    assert!(chrono::Utc::now() >= due);
    assert_eq!(got[0]["scoreGiven"].as_f64(), Some(100.0));
}
