//! Notebook assignments through the API: served with their starter and a
//! handout from its markdown (never the reference), and an upload checked as
//! nbformat v4 (outputs dropped before storing) or refused with a clear
//! message: wrong kind, malformed JSON, nbformat 3, a magic, too big.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{Learner, TestApp};

async fn id_of(app: &TestApp, slug: &str) -> i32 {
    let list: Vec<Value> = app
        .get("/api/assignments", None)
        .await
        .json()
        .await
        .unwrap();
    let a = list.iter().find(|a| a["slug"] == slug).unwrap();
    a["id"].as_i64().unwrap() as i32
}

async fn post(app: &TestApp, learner: &Learner, path: &str, body: &Value) -> reqwest::Response {
    app.http
        .post(app.url(path))
        .bearer_auth(&learner.token)
        .json(body)
        .send()
        .await
        .unwrap()
}

fn notebook(code: &str) -> Value {
    json!({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "# Mine"},
        {"cell_type": "code", "metadata": {}, "execution_count": 7, "source": code,
         "outputs": [{"output_type": "stream", "name": "stdout", "text": "CLAIMED OUTPUT"}]}
    ]})
}

#[tokio::test]
async fn a_notebook_assignment_is_served_with_its_starter_and_never_its_reference() {
    let app = TestApp::spawn().await;
    let id = id_of(&app, "word-stats").await;
    let a: Value = app
        .get(&format!("/api/assignments/{id}"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(a["kind"], "notebook");
    assert_eq!(a["solution_file"], "word-stats.ipynb");
    let starter: Value = serde_json::from_str(a["starter_code"].as_str().unwrap()).unwrap();
    assert_eq!(starter["nbformat"], 4);
    assert!(
        a["handout_html"].as_str().unwrap().contains("Question 2"),
        "{a}"
    );
    let text = a.to_string();
    assert!(
        !text.contains("TEXT.count(mark)"),
        "the reference leaked: {text}"
    );
}

#[tokio::test]
async fn an_upload_is_checked_stored_without_outputs_or_refused_clearly() {
    let app = TestApp::spawn().await;
    let learner = app.learner().await;
    let nb = id_of(&app, "word-stats").await;
    let code = app.first_assignment().await;
    let submissions = format!("/api/assignments/{nb}/submissions");

    let res = post(
        &app,
        &learner,
        &submissions,
        &json!({"notebook": notebook("x = 1")}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let body: Value = res.json().await.unwrap();
    let stored = body["submission"]["code"].as_str().unwrap();
    assert!(
        !stored.contains("CLAIMED OUTPUT"),
        "outputs are dropped: {stored}"
    );
    assert!(stored.contains("x = 1"), "{stored}");
    // A run takes a notebook the same way.
    let run = post(
        &app,
        &learner,
        &format!("/api/assignments/{nb}/runs"),
        &json!({"notebook": notebook("x = 2")}),
    )
    .await;
    assert_eq!(run.status(), StatusCode::ACCEPTED);

    let other = app.learner().await;
    let v3 = json!({"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": []});
    let magic = notebook("import math\n%timeit math.sqrt(2)");
    let two_mib = json!({"notebook": notebook(&"#".repeat(2 << 20))});
    // Over 1 MiB but under the body's cap, as an object and as text: one rule.
    let just_over = notebook(&"#".repeat((1 << 20) + 100));
    // Under 1 MiB as sent, about twice that once each of its 31,000 bare
    // cells gets `outputs` and `execution_count`: refused at the door, in
    // the form that would be stored, never after a container started.
    let bare = r#"{"cell_type":"code","metadata":{},"source":""}"#;
    let cells = vec![bare; ((1 << 20) - 200) / (bare.len() + 1)].join(",");
    let grows = format!(r#"{{"nbformat":4,"nbformat_minor":5,"metadata":{{}},"cells":[{cells}]}}"#);
    assert!(grows.len() < 1 << 20);
    for (path, body, status, code_expected, says) in [
        (
            &submissions,
            json!({"code": "x = 1"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "wrong_kind",
            "takes a notebook",
        ),
        (
            &format!("/api/assignments/{code}/submissions"),
            json!({"notebook": notebook("x = 1")}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "wrong_kind",
            "takes code",
        ),
        (
            &submissions,
            json!({"code": "x", "notebook": notebook("x")}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            "only one",
        ),
        (
            &submissions,
            json!({"notebook": "{\"cells\": [oops"}),
            StatusCode::BAD_REQUEST,
            "invalid_notebook",
            "not valid JSON",
        ),
        (
            &submissions,
            json!({"notebook": v3}),
            StatusCode::BAD_REQUEST,
            "invalid_notebook",
            "nbformat 3",
        ),
        (
            &submissions,
            json!({"notebook": magic}),
            StatusCode::BAD_REQUEST,
            "invalid_notebook",
            "code cell 1 (`import math`) uses an IPython magic",
        ),
        (
            &submissions,
            json!({"notebook": [1, 2]}),
            StatusCode::BAD_REQUEST,
            "invalid_notebook",
            "JSON object",
        ),
        (
            &submissions,
            two_mib,
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "larger than",
        ),
        (
            &submissions,
            json!({"notebook": just_over.clone()}),
            StatusCode::PAYLOAD_TOO_LARGE,
            "code_too_large",
            "larger than 1 MiB",
        ),
        (
            &submissions,
            json!({"notebook": just_over.to_string()}),
            StatusCode::PAYLOAD_TOO_LARGE,
            "code_too_large",
            "larger than 1 MiB",
        ),
        (
            &submissions,
            json!({"notebook": serde_json::from_str::<Value>(&grows).unwrap()}),
            StatusCode::PAYLOAD_TOO_LARGE,
            "code_too_large",
            "larger than 1 MiB",
        ),
        (
            &format!("/api/assignments/{nb}/runs"),
            json!({"notebook": serde_json::from_str::<Value>(&grows).unwrap()}),
            StatusCode::PAYLOAD_TOO_LARGE,
            "code_too_large",
            "larger than 1 MiB",
        ),
    ] {
        let res = post(&app, &other, path, &body).await;
        assert_eq!(res.status(), status, "{says}");
        let json: Value = res.json().await.unwrap();
        assert_eq!(json["error"]["code"], code_expected, "{json}");
        assert!(
            json["error"]["message"].as_str().unwrap().contains(says),
            "{json}"
        );
    }
    let listed: Vec<Value> = app
        .get(&submissions, Some(&other))
        .await
        .json()
        .await
        .unwrap();
    assert!(listed.is_empty(), "nothing refused was stored");
}
