use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{error_code, TestApp};

#[tokio::test]
async fn the_course_is_listed_in_order_with_at_least_twelve_assignments() {
    let app = TestApp::spawn().await;

    let res = app.get("/api/assignments", None).await;

    assert_eq!(res.status(), StatusCode::OK);
    let list: Vec<Value> = res.json().await.unwrap();
    assert!(list.len() >= 12, "only {} assignments", list.len());
    let positions: Vec<i64> = list
        .iter()
        .map(|a| a["position"].as_i64().unwrap())
        .collect();
    let mut sorted = positions.clone();
    sorted.sort();
    assert_eq!(positions, sorted);
    for a in &list {
        let keys: Vec<&str> = a.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        assert_eq!(keys.len(), 5, "{a}");
        assert!(a["slug"].as_str().is_some() && a["title"].as_str().is_some());
        assert!(
            ["code", "notebook"].contains(&a["kind"].as_str().unwrap()),
            "{a}"
        );
    }
    assert!(
        list.iter().filter(|a| a["kind"] == "notebook").count() >= 2,
        "the default course ships notebook assignments"
    );
}

#[tokio::test]
async fn an_assignment_has_a_rendered_handout_and_starter_but_never_the_solution() {
    let app = TestApp::spawn().await;
    let id = app.first_assignment().await;

    let res = app.get(&format!("/api/assignments/{id}"), None).await;

    assert_eq!(res.status(), StatusCode::OK);
    let a: Value = res.json().await.unwrap();
    let html = a["handout_html"].as_str().unwrap();
    assert!(html.contains("<p>") || html.contains("<h1>"), "{html}");
    let client = app.ctx.pool.get().await.unwrap();
    let row = client
        .query_one(
            "SELECT starter_code, slug FROM assignments WHERE id = $1",
            &[&id],
        )
        .await
        .unwrap();
    assert_eq!(a["starter_code"], row.get::<_, String>("starter_code"));
    // The editor's label and language come from the assignment's runner.
    assert_eq!(a["solution_file"], "solution.py");
    assert_eq!(a["language"], "python");
    let slug: String = row.get("slug");
    let folder = std::fs::read_dir(courseload::assignments::repository_course_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .ends_with(&format!("-{slug}"))
        })
        .unwrap();
    let solution = std::fs::read_to_string(folder.join("solution.py")).unwrap();
    let text = a.to_string();
    let body_line = solution
        .lines()
        .rev()
        .find(|l| l.trim().len() > 12)
        .unwrap()
        .trim();
    assert!(
        !text.contains(&body_line.replace('"', "\\\"")),
        "solution leaked: {body_line}"
    );
    assert!(a.get("test_code").is_none() && a.get("solution").is_none());
}

#[tokio::test]
async fn unknown_and_malformed_assignment_ids_are_4xx() {
    let app = TestApp::spawn().await;
    for (path, status, code) in [
        (
            "/api/assignments/999999",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            "/api/assignments/abc",
            StatusCode::BAD_REQUEST,
            "invalid_id",
        ),
        ("/api/assignments/-1", StatusCode::BAD_REQUEST, "invalid_id"),
        (
            "/api/assignments/99999999999999",
            StatusCode::BAD_REQUEST,
            "invalid_id",
        ),
    ] {
        let res = app.get(path, None).await;
        assert_eq!(res.status(), status, "{path}");
        assert_eq!(error_code(res).await, code, "{path}");
    }
}

#[tokio::test]
async fn cached_reads_serve_the_same_body_and_count_hits() {
    let app = TestApp::spawn().await;
    let id = app.first_assignment().await;
    let path = format!("/api/assignments/{id}");

    let first = app.get(&path, None).await.text().await.unwrap();
    let second = app.get(&path, None).await.text().await.unwrap();

    assert_eq!(first, second);
    let cached = app.ctx.cache.get(&app.ctx.names.assignment_cache(id)).await;
    assert_eq!(cached.as_deref(), Some(first.as_str()));
    let metrics = app.metrics().await;
    assert!(
        metrics.contains("cache_lookups_total{result=\"hit\"}"),
        "{metrics}"
    );
}
