//! The live class view's snapshot: for the course's own staff only, with the
//! pass counts, the learners stuck after the course's `stuck_after` failures
//! in a row, and the latest submissions, named as their learners chose.

use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::TestEnv;

use crate::course::two_courses;
use crate::gradebook::{graded, profile, token};
use crate::helpers::{config, TestApp};
use crate::staff::get_as;

#[tokio::test]
async fn the_class_view_counts_passes_and_finds_the_stuck_for_its_own_staff_only() {
    let root = two_courses();
    std::fs::write(
        root.join("intro/course.toml"),
        "title = \"Intro\"\njoin = \"open\"\nstuck_after = 2\n",
    )
    .unwrap();
    let env = TestEnv::empty().await;
    let mut config = config(&env);
    config.courses_dir = root;
    let app = TestApp::start(env, config).await;
    let ids = app.assignment_ids().await;
    let (a, b) = (ids[0], ids[1]);
    let (stuck, once, recovered) = (
        app.learner().await,
        app.learner().await,
        app.learner().await,
    );
    let res = profile(
        &app,
        &stuck,
        json!({"display_name": "Sam", "student_number": "s1"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    graded(&app, &stuck, a, "x = 1", &["test_a"]).await;
    graded(&app, &stuck, a, "x = 2", &["test_a"]).await;
    graded(&app, &stuck, b, "x = 3", &[]).await;
    graded(&app, &once, a, "x = 4", &["test_a"]).await;
    graded(&app, &recovered, a, "x = 5", &["test_a"]).await;
    graded(&app, &recovered, a, "x = 6", &["test_b"]).await;
    graded(&app, &recovered, a, "x = 7", &[]).await;

    let tutor = token(&app, "intro", "tutor", "tess").await;
    let other = token(&app, "cs1", "instructor", "olga").await;
    let path = "/api/courses/intro/class";
    assert_eq!(
        get_as(&app, path, &other).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(path, Some(&stuck)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/courses/nope/class", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get_as(&app, "/api/courses/nope/class", &tutor)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let res = get_as(&app, path, &tutor).await;
    assert_eq!(res.status(), StatusCode::OK);
    let view: Value = res.json().await.unwrap();

    assert_eq!(view["course"]["slug"], "intro");
    assert!(view["course"]["id"].as_i64().unwrap() > 0);
    assert_eq!(view["stuck_after"], 2);
    let on = |id: i32| {
        view["assignments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(
        (on(a)["tried"].as_i64(), on(a)["passed"].as_i64()),
        (Some(3), Some(1))
    );
    assert_eq!(
        (on(b)["tried"].as_i64(), on(b)["passed"].as_i64()),
        (Some(1), Some(1))
    );
    // Two failures in a row on `a` and no pass: stuck. One failure is not
    // enough, and a pass after two ends it.
    let stuck_list = view["stuck"].as_array().unwrap();
    assert_eq!(stuck_list.len(), 1, "{stuck_list:?}");
    assert_eq!(stuck_list[0]["user_id"], stuck.id.to_string());
    assert_eq!(stuck_list[0]["display_name"], "Sam");
    assert_eq!(stuck_list[0]["assignment_id"], a);
    assert_eq!(stuck_list[0]["failed"], 2);
    let recent = view["recent"].as_array().unwrap();
    assert_eq!(recent.len(), 7);
    assert_eq!(recent[0]["status"], "passed", "newest first");
    assert_eq!(recent[0]["user_id"], recovered.id.to_string());
    assert!(
        recent.iter().all(|r| r.get("code").is_none()),
        "no code in the list"
    );
    assert!(recent
        .iter()
        .any(|r| r["display_name"] == "Sam" && r["verdict"] == "wrong_answer"));
}

#[tokio::test]
async fn the_class_view_filters_by_assignment_and_learner_and_pages_past_fifty() {
    let root = two_courses();
    let env = TestEnv::empty().await;
    let mut config = config(&env);
    config.courses_dir = root;
    let app = TestApp::start(env, config).await;
    let ids = app.assignment_ids().await;
    let client = app.ctx.pool.get().await.unwrap();
    // Three learners, each with 40 submissions to each of two assignments,
    // a second apart: 240 in all.
    client
        .batch_execute(
            "INSERT INTO users (id, display_name)
                 SELECT gen_random_uuid(), 'Learner ' || g FROM generate_series(1, 3) g;
             -- raw write: failed submissions, as graded ones would be.
             INSERT INTO submissions (id, user_id, assignment_id, code, code_hash, assignment_hash,
                                      status, verdict, graded_at, created_at)
                 SELECT gen_random_uuid(), u.id, a.id, 'x = ' || n, md5(u.id::text || a.id || n),
                        a.content_hash, 'failed', 'wrong_answer', now(),
                        now() - make_interval(secs => n)
                 FROM users u CROSS JOIN assignments a CROSS JOIN generate_series(1, 40) n
                 WHERE a.position IS NOT NULL
                   AND a.course_id = (SELECT id FROM courses WHERE slug = 'intro');",
        )
        .await
        .unwrap();
    let learner: uuid::Uuid = client
        .query_one("SELECT id FROM users WHERE display_name = 'Learner 2'", &[])
        .await
        .unwrap()
        .get("id");
    let tutor = token(&app, "intro", "tutor", "tess").await;
    let page = |query: String| {
        let (app, tutor) = (&app, &tutor);
        async move {
            let res = get_as(app, &format!("/api/courses/intro/class?{query}"), tutor).await;
            assert_eq!(res.status(), StatusCode::OK, "{query}");
            res.json::<Value>().await.unwrap()
        }
    };

    // One learner's work on one assignment: 40, one page, no next.
    let mine = page(format!("assignment={}&learner={learner}", ids[0])).await;
    let recent = mine["recent"].as_array().unwrap();
    assert_eq!(recent.len(), 40);
    assert!(recent
        .iter()
        .all(|r| r["user_id"] == learner.to_string() && r["assignment_id"] == ids[0]));
    assert!(mine["next_before"].is_null());

    // One assignment's 120, page by page, newest first, none twice.
    let mut seen = Vec::new();
    let mut before = None::<String>;
    loop {
        let query = match &before {
            Some(id) => format!("assignment={}&before={id}", ids[0]),
            None => format!("assignment={}", ids[0]),
        };
        let view = page(query).await;
        let recent = view["recent"].as_array().unwrap().clone();
        assert!(recent.iter().all(|r| r["assignment_id"] == ids[0]));
        seen.extend(recent);
        match view["next_before"].as_str() {
            Some(id) => before = Some(id.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 120);
    let mut ids_seen: Vec<&str> = seen.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let times: Vec<&str> = seen
        .iter()
        .map(|r| r["created_at"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    ids_seen.sort_unstable();
    ids_seen.dedup();
    assert_eq!(ids_seen.len(), 120, "no submission twice");

    // Bad filters are the client's mistake, said as JSON.
    for query in ["assignment=x", "learner=nobody", "before=1", "colour=red"] {
        let res = get_as(&app, &format!("/api/courses/intro/class?{query}"), &tutor).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(crate::helpers::error_code(res).await, "invalid_query");
    }
}
