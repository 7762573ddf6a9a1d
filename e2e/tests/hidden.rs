//! Hidden tests, end to end: a learner whose code tells everything it is
//! given (prints it, raises it, keeps it for later) submits to an assignment
//! with hidden tests; neither the API's answers nor the WebSocket's events
//! carry a hidden test's input, expected value or message.

use std::path::Path;
use std::time::Duration;

use e2e::start_stack;
use futures::StreamExt;
use serde_json::Value;
use testkit::TestEnv;

/// The same tests and learner code as the grader's own hidden-tests check.
const TESTS: &str = include_str!("../../grader/tests/fixtures/secret_tests.py");
const TELLS_ALL: &str = include_str!("../../grader/tests/fixtures/tells_all.py");

fn write_course(dir: &Path) {
    let a = dir.join("01-echo");
    std::fs::create_dir_all(&a).unwrap();
    for (file, text) in [
        (
            "assignment.toml",
            "title = \"Echo\"\ntime_limit_ms = 2000\nmemory_limit_mb = 128\n\
             hidden_tests = [\"test_secret\", \"EchoTest.test_secret_raises\"]\n",
        ),
        ("handout.md", "Write `echo(text)`.\n"),
        ("starter.py", "def echo(text, twice=False):\n    pass\n"),
        (
            "solution.py",
            "def echo(text, twice=False):\n    return text + '!'\n",
        ),
        ("test_solution.py", TESTS),
    ] {
        std::fs::write(a.join(file), text).unwrap();
    }
}

/// The raw body of a GET, as the learner's page would see it.
async fn get(http: &reqwest::Client, base: &str, path: &str, token: Option<&str>) -> String {
    let mut request = http.get(format!("{base}{path}"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap().text().await.unwrap()
}

#[tokio::test]
async fn neither_the_api_nor_the_socket_carries_a_hidden_test() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let env = TestEnv::empty().await;
    let course = std::env::temp_dir().join(format!("cp-hidden-{}", uuid::Uuid::new_v4().simple()));
    write_course(&e2e::default_course_in(&course));
    let stack = start_stack(&env, &course).await;
    let http = reqwest::Client::new();
    let token = e2e::learner_token(&http, &stack.api_url).await;
    let (mut socket, _) =
        tokio_tungstenite::connect_async(format!("{}?token={token}", stack.ws_url))
            .await
            .expect("the gateway accepts the learner");
    let assignments: Value =
        serde_json::from_str(&get(&http, &stack.api_url, "/api/assignments", None).await).unwrap();
    let assignment = assignments[0]["id"].as_i64().unwrap();

    // Every body and event the learner can see, as raw text.
    let mut seen = Vec::new();
    let submitted = http
        .post(format!(
            "{}/api/assignments/{assignment}/submissions",
            stack.api_url
        ))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "code": TELLS_ALL }))
        .send()
        .await
        .unwrap();
    assert_eq!(submitted.status(), 202);
    seen.push(submitted.text().await.unwrap());
    let id = serde_json::from_str::<Value>(&seen[0]).unwrap()["submission"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let last = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let message = socket.next().await.expect("the socket stays open").unwrap();
            let text = message.into_text().unwrap().to_string();
            seen.push(text.clone());
            let event: Value = serde_json::from_str(&text).unwrap();
            let status = event["submission"]["status"].as_str().unwrap_or_default();
            if event["submission"]["id"] == id.as_str() && !matches!(status, "queued" | "grading") {
                return event;
            }
        }
    })
    .await
    .expect("the verdict arrives on the socket");
    for path in [
        format!("/api/submissions/{id}"),
        format!("/api/assignments/{assignment}/submissions"),
    ] {
        seen.push(get(&http, &stack.api_url, &path, Some(&token)).await);
    }
    let _ = std::fs::remove_dir_all(&course);

    for text in &seen {
        assert!(!text.contains("SECRET"), "a hidden test leaked: {text}");
    }
    let feedback = &last["submission"]["feedback"];
    assert_eq!(last["submission"]["verdict"], "runtime_error", "{last}");
    let names: Vec<&str> = feedback["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["test_visible", "Hidden test 1", "Hidden test 2"]);
    assert_eq!(
        feedback["tests"][1]["message"],
        "This hidden test failed: wrong answer."
    );
    assert!(
        feedback["stdout"]
            .as_str()
            .unwrap()
            .contains("printed: ['plain']"),
        "{feedback}"
    );

    // The course's staff, and only they, see what the hidden tests said.
    programming_api::staff::add(
        &stack.api.ctx.pool,
        "intro",
        service::token::Role::Tutor,
        "tom",
        "a tutor's long password",
    )
    .await
    .unwrap();
    let session: Value = http
        .post(format!("{}/api/staff/sessions", stack.api_url))
        .json(&serde_json::json!({"username": "tom", "password": "a tutor's long password"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let review: Value = http
        .get(format!(
            "{}/api/courses/intro/submissions/{id}",
            stack.api_url
        ))
        .bearer_auth(session["token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let hidden: Vec<&str> = review["hidden_tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(hidden.len(), 2, "{review}");
    assert!(hidden.iter().any(|n| n.contains("test_secret")), "{review}");
    assert!(review.to_string().contains("SECRET"), "{review}");
}
