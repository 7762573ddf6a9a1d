//! The learner's page as a learner works it in Chromium: the keyboard's
//! focus stays on the button pressed, a refusal shows in view beside it, a
//! new run or submission replaces the older panel (and Reset clears it),
//! numbers that differ are labelled, nothing scrolls sideways on a phone,
//! a touch screen gets no keyboard hints, and axe-core finds no violation.

mod chromium;

use std::time::Duration;

use chromium::{axe_violations, text, type_code, wait_for, wait_for_any, Browser};
use e2e::{repo, start_stack, Stack};
use fantoccini::key::Key;
use fantoccini::Client;
use serde_json::{json, Value};
use testkit::TestEnv;

async fn run(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.unwrap()
}

/// The id of the element the keyboard is on.
async fn focused(c: &Client) -> String {
    run(
        c,
        "return document.activeElement && document.activeElement.id;",
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

/// Presses Enter on the button `id`, as a keyboard does.
async fn press(c: &Client, id: &str) {
    run(c, &format!("document.getElementById('{id}').focus();")).await;
    c.active_element()
        .await
        .unwrap()
        .send_keys(&Key::Enter.to_string())
        .await
        .unwrap();
}

async fn open(stack: &Stack, b: &Browser, slug: &str, title: &str) {
    let id = e2e::assignment_id(&reqwest::Client::new(), &stack.api_url, slug).await;
    b.c.goto(&format!("{}/#/a/{id}", stack.api_url))
        .await
        .unwrap();
    wait_for(&b.c, "#assignment-title", title, 10).await;
    wait_for(&b.c, "#connection", "live", 10).await;
}

/// Whether `css` lies wholly inside the window.
async fn in_view(c: &Client, css: &str) -> Value {
    c.execute(
        "const r = document.querySelector(arguments[0]).getBoundingClientRect();
         return [r.top >= 0 && r.bottom <= window.innerHeight, Math.round(r.top), window.innerHeight];",
        vec![json!(css)],
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn focus_stays_panels_replace_each_other_and_numbers_are_labelled() {
    let env = TestEnv::new().await;
    let stack = start_stack(&env, &repo().join("courses")).await;
    let b = Browser::open().await;
    let c = &b.c;
    c.set_window_size(1280, 800).await.unwrap();
    open(&stack, &b, "temperature", "Celsius to Fahrenheit").await;

    // Run tests with the keyboard: the focus stays on the button.
    type_code(c, "def to_fahrenheit(celsius):\n    return 0\n").await;
    press(c, "run").await;
    wait_for_any(c, "#run-status", &["Wrong answer", "fail"], 30).await;
    assert_eq!(focused(c).await, "run");
    // The run's failed comparison of numbers is labelled, both sides.
    let failure = text(c, "#run-tests .failure").await;
    assert!(
        failure.contains("Expected212.0") && failure.contains("Your result0"),
        "{failure}"
    );

    // Submit with the keyboard: the verdict replaces the run's panel.
    press(c, "submit").await;
    wait_for(c, "#status", "Wrong answer", 30).await;
    assert_eq!(focused(c).await, "submit");
    let run_hidden = run(c, "return document.getElementById('run-result').hidden;").await;
    assert_eq!(
        run_hidden,
        json!(true),
        "no stale test run beside the verdict"
    );
    assert!(text(c, "#tests .failure").await.contains("Your result0"));
    // Announced: the verdict's panel is a live region.
    let live = run(
        c,
        "return document.getElementById('result').getAttribute('aria-live');",
    )
    .await;
    assert_eq!(live, json!("polite"));

    // A new test run replaces the verdict; Reset clears what is shown.
    press(c, "run").await;
    wait_for_any(c, "#run-status", &["Wrong answer", "fail"], 30).await;
    let result_hidden = run(c, "return document.getElementById('result').hidden;").await;
    assert_eq!(result_hidden, json!(true));
    press(c, "reset").await;
    let both = run(
        c,
        "return [document.getElementById('run-result').hidden, document.getElementById('result').hidden];",
    )
    .await;
    assert_eq!(both, json!([true, true]));

    // A refusal shows beside the buttons, in view in an 800 px window.
    type_code(c, &format!("x = '{}'\n", "a".repeat(70 * 1024))).await;
    press(c, "submit").await;
    wait_for(c, "#message", "64 KiB", 10).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let seen = in_view(c, "#message").await;
    assert_eq!(seen[0], json!(true), "the refusal off-screen: {seen}");
    assert_eq!(focused(c).await, "submit");

    // And the page has no accessibility violation.
    type_code(c, "def to_fahrenheit(celsius):\n    return 0\n").await;
    press(c, "submit").await;
    wait_for(c, "#status", "Wrong answer", 30).await;
    let violations = axe_violations(c).await;
    assert!(violations.is_empty(), "axe-core: {violations:#?}");
    b.close().await;
}

#[tokio::test]
async fn on_phones_of_320_and_390_px_nothing_scrolls_sideways_and_no_keyboard_hints_show() {
    let env = TestEnv::new().await;
    let stack = start_stack(&env, &repo().join("courses")).await;
    for width in [320, 390] {
        let b = Browser::phone(width).await;
        let c = &b.c;
        open(&stack, &b, "greeting", "Hello, function").await;
        let inner = run(c, "return window.innerWidth;").await;
        assert_eq!(inner, json!(width), "the emulated phone's width");
        let hint = run(
            c,
            "return getComputedStyle(document.querySelector('.editor-label .keys')).display;",
        )
        .await;
        assert_eq!(hint, json!("none"), "keyboard hints on a touch screen");
        // A syntax error's long caret line (`^^^^` under the whole
        // generator) stays inside.
        type_code(
            c,
            "def greet(name):\n    return max(name_with_a_rather_long_name_for_a_phone for name_with_a_rather_long_name_for_a_phone in name, 1)\n",
        )
        .await;
        run(c, "document.getElementById('submit').click();").await;
        wait_for(c, "#status", "Syntax error", 30).await;
        let wide = run(
            c,
            "return [document.documentElement.scrollWidth, window.innerWidth,
                     [...document.querySelectorAll('body *')]
                       .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
                       .slice(0, 5).map((e) => e.tagName + '#' + e.id + '.' + e.className)];",
        )
        .await;
        assert!(
            wide[0].as_f64() <= wide[1].as_f64(),
            "sideways scrolling at {width} px: {wide}"
        );
        chromium::screenshot(c, &format!("phone-{width}-syntax-error")).await;
        b.close().await;
    }
}
