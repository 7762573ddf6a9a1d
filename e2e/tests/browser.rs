//! A learner works through the course in a real headless Chromium: a wrong
//! answer names the failing test, a fix passes with +100 points, the next
//! assignment opens, a reload mid-grading still gets its verdict, and with
//! the gateway down the verdict arrives by polling. Screenshots of each state
//! go to `target/e2e-screenshots/`. A busy platform (queue full, a rate
//! limit) is a message and a countdown on Submit, not an error.

mod chromium;

use std::time::Duration;

use chromium::{browser, click, screenshot, solution, text, type_code, wait_for, wait_for_any};
use e2e::{repo, start_stack};
use serde_json::{json, Value};
use testkit::TestEnv;

#[tokio::test]
async fn a_learner_works_through_the_course_with_live_feedback() {
    let env = TestEnv::new().await;
    let mut stack = start_stack(&env, &repo().join("courses")).await;
    let profile =
        std::env::temp_dir().join(format!("cp-e2e-profile-{}", uuid::Uuid::new_v4().simple()));
    let (c, _driver) = browser(&profile).await;

    // First visit: a new learner, the first assignment, the live socket.
    // The API tells the page where the gateway is (WS_PUBLIC_URL), and its
    // Content-Security-Policy lets the page reach only that one.
    c.goto(&stack.api_url).await.unwrap();
    wait_for(&c, "#assignment-title", "Hello, function", 10).await;
    wait_for(&c, "#connection", "live", 10).await;
    let starter: Value = c
        .execute("return document.getElementById('editor').value;", vec![])
        .await
        .unwrap();
    assert!(
        starter.as_str().unwrap().contains("def greet(name)"),
        "{starter}"
    );
    screenshot(&c, "1-first-visit").await;

    // A wrong answer names its failing test by the test's docstring, with
    // the call it made, what was expected, the learner's result and what
    // the call printed, labelled.
    type_code(
        &c,
        "def greet(name):\n    print('greeting', name)\n    return 'Hi ' + name\n",
    )
    .await;
    click(&c, "submit").await;
    wait_for(&c, "#status", "Wrong answer", 30).await;
    let tests = wait_for(&c, "#tests", "Greets a person by name — failed", 5).await;
    for shown in [
        "(test_greets_by_name)",
        "Callgreet('Ada')",
        "Expected'Hello, Ada!'",
        "Your result'Hi Ada'",
        "It printedgreeting Ada",
        "An empty name greets the world — failed",
        "Callgreet('')",
    ] {
        assert!(tests.contains(shown), "{shown:?} not in {tests}");
    }
    screenshot(&c, "2-wrong-answer").await;

    // The fix passes, earns 100 points, and offers the next assignment.
    type_code(&c, &solution("greeting")).await;
    click(&c, "submit").await;
    wait_for(&c, "#status", "Passed", 30).await;
    wait_for(&c, "#summary", "+100 points", 10).await;
    wait_for(&c, "#points", "100", 10).await;
    wait_for(&c, "#course-list", "✔", 5).await;
    screenshot(&c, "3-passed").await;
    click(&c, "next").await;
    wait_for(&c, "#assignment-title", "Celsius to Fahrenheit", 10).await;

    // A reload mid-grading still shows the verdict.
    type_code(
        &c,
        &format!("import time\ntime.sleep(1.5)\n{}", solution("temperature")),
    )
    .await;
    click(&c, "submit").await;
    wait_for_any(&c, "#status", &["Queued", "Grading"], 10).await;
    // A second submit while grading is a clear message, not an error page.
    click(&c, "submit").await;
    wait_for(&c, "#message", "already have a submission waiting", 10).await;
    screenshot(&c, "4-second-submit-while-grading").await;
    c.refresh().await.unwrap();
    wait_for(&c, "#assignment-title", "Celsius to Fahrenheit", 10).await;
    let pending = text(&c, "#status").await;
    assert!(
        pending.contains("Queued") || pending.contains("Grading") || pending.contains("Passed"),
        "{pending}"
    );
    screenshot(&c, "5-reloaded-mid-grading").await;
    wait_for(&c, "#status", "Passed", 30).await;
    wait_for(&c, "#points", "200", 10).await;

    // With the gateway down the page polls, and the verdict still arrives.
    stack.gateway.take().unwrap().stop().await;
    wait_for(&c, "#connection", "offline", 10).await;
    click(&c, "next").await;
    wait_for(&c, "#assignment-title", "FizzBuzz", 10).await;
    type_code(&c, &solution("fizzbuzz")).await;
    click(&c, "submit").await;
    wait_for(&c, "#status", "Passed", 30).await;
    screenshot(&c, "6-passed-by-polling").await;

    // The editor keeps the draft across reloads.
    type_code(&c, "# my draft\n").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    c.refresh().await.unwrap();
    wait_for(&c, "#assignment-title", "FizzBuzz", 10).await;
    let draft: Value = c
        .execute("return document.getElementById('editor').value;", vec![])
        .await
        .unwrap();
    assert_eq!(draft, json!("# my draft\n"));

    c.close().await.unwrap();
    let _ = std::fs::remove_dir_all(&profile);
}

/// Past the queue bound or a rate limit the page says so plainly, keeps the
/// code, and holds Submit for the server's Retry-After, counting down.
#[tokio::test]
async fn a_busy_platform_is_a_message_and_submit_comes_back() {
    let env = TestEnv::new().await;
    let mut config = programming_api::testing::config(&env);
    // Every submission finds the queue full; the second within 6 s is over the rate.
    config.queue_limit = 0;
    config.submissions_per_learner = service::rate::Rate {
        count: 1,
        per: Duration::from_secs(6),
    };
    let api = programming_api::testing::Api::start(config).await;
    let profile =
        std::env::temp_dir().join(format!("cp-e2e-profile-{}", uuid::Uuid::new_v4().simple()));
    let (c, _driver) = browser(&profile).await;
    c.goto(&format!("http://{}", api.addr)).await.unwrap();
    wait_for(&c, "#assignment-title", "Hello, function", 10).await;
    type_code(&c, &solution("greeting")).await;

    click(&c, "submit").await;
    let said = wait_for(&c, "#message", "graders are busy", 10).await;
    assert!(said.contains("Your code is kept here"), "{said}");
    let button = wait_for(&c, "#submit", "Submit in", 5).await;
    assert!(button.contains(" s"), "{button}");
    // Held without `disabled`, which would drop the focus to <body>.
    let disabled: Value = c
        .execute(
            "return document.getElementById('submit').getAttribute('aria-disabled');",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(disabled, json!("true"));
    screenshot(&c, "7-queue-full").await;

    // A reload ends the hold; the next submit is over the learner's rate.
    c.refresh().await.unwrap();
    wait_for(&c, "#assignment-title", "Hello, function", 10).await;
    click(&c, "submit").await;
    wait_for(&c, "#message", "submitted many times", 10).await;
    wait_for(&c, "#submit", "Submit in", 5).await;
    screenshot(&c, "8-rate-limited").await;
    // Submit comes back once the Retry-After has passed, and the message goes.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let state: Value = c
            .execute(
                "const b = document.getElementById('submit'); return [b.textContent, b.hasAttribute('aria-disabled'), document.getElementById('message').hidden];",
                vec![],
            )
            .await
            .unwrap();
        if state == json!(["Submit", false, true]) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "still held: {state}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The draft survived all of it.
    let code: Value = c
        .execute("return document.getElementById('editor').value;", vec![])
        .await
        .unwrap();
    assert_eq!(code, json!(solution("greeting")));

    c.close().await.unwrap();
    let _ = std::fs::remove_dir_all(&profile);
}
