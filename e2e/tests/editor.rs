//! The learner's editor in a real headless Chromium: CodeMirror (copied from
//! Debian's libjs-codemirror by scripts/vendor-ui.sh) loads and highlights
//! Python, keeps the page's keys (Tab and Shift+Tab indent with spaces,
//! Enter keeps the indentation, Ctrl+Enter submits, Escape then Tab or
//! Shift+Tab leaves it either way) and the draft; and where its script does
//! not load, the plain textarea does the same work.

mod chromium;

use std::time::Duration;

use chromium::{solution, type_code, wait_for, wait_for_any, Browser};
use e2e::{repo, start_stack};
use fantoccini::Client;
use serde_json::{json, Value};
use testkit::TestEnv;

// Keys as WebDriver spells them; a modifier stays down until RELEASE.
const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";
const ESC: &str = "\u{E00C}";
const SHIFT: &str = "\u{E008}";
const CTRL: &str = "\u{E009}";
const RELEASE: &str = "\u{E000}";

/// Types `keys` into whatever has the focus.
async fn keys(c: &Client, keys: &str) {
    c.active_element()
        .await
        .unwrap()
        .send_keys(keys)
        .await
        .unwrap();
}

async fn run(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.unwrap()
}

async fn code(c: &Client) -> String {
    let value = run(
        c,
        "const e = document.getElementById('editor'); return e.cm ? e.cm.getValue() : e.value;",
    )
    .await;
    value.as_str().unwrap().to_owned()
}

/// Puts the focus in the editor with the caret at the end.
async fn focus_editor(c: &Client) {
    run(
        c,
        "const e = document.getElementById('editor');
         if (e.cm) { e.cm.focus(); e.cm.execCommand('goDocEnd'); }
         else { e.focus(); e.selectionStart = e.selectionEnd = e.value.length; }",
    )
    .await;
}

/// Where the focus is: "editor", "body", or the focused element's id.
async fn focus(c: &Client) -> String {
    let at = run(
        c,
        "const a = document.activeElement;
         if (!a || a === document.body) return 'body';
         if (a.id === 'editor' || a.closest('.CodeMirror')) return 'editor';
         return a.id || a.tagName;",
    )
    .await;
    at.as_str().unwrap().to_owned()
}

/// The keys every editor keeps, CodeMirror or the textarea.
async fn keys_work(c: &Client) {
    type_code(c, "").await;
    focus_editor(c).await;
    keys(c, &format!("if x:{ENTER}y")).await;
    assert_eq!(code(c).await, "if x:\n    y", "Enter indents after a colon");

    type_code(c, "a").await;
    focus_editor(c).await;
    run(
        c,
        "const e = document.getElementById('editor');
         if (e.cm) e.cm.setCursor(0, 0); else e.selectionStart = e.selectionEnd = 0;",
    )
    .await;
    keys(c, TAB).await;
    assert_eq!(code(c).await, "    a", "Tab indents with four spaces");
    keys(c, &format!("{SHIFT}{TAB}{RELEASE}")).await;
    assert_eq!(code(c).await, "a", "Shift+Tab outdents");

    // Escape then Tab leaves forwards, to Submit; Escape then Shift+Tab
    // backwards (Shift on its way down must not cancel the Escape).
    focus_editor(c).await;
    keys(c, &format!("{ESC}{TAB}")).await;
    assert_eq!(focus(c).await, "submit");
    focus_editor(c).await;
    keys(c, &format!("{ESC}{SHIFT}{TAB}{RELEASE}")).await;
    let back = focus(c).await;
    assert!(
        back != "editor" && back != "body" && back != "submit",
        "{back}"
    );
    assert_eq!(code(c).await, "a", "leaving typed nothing");

    // Ctrl+Enter submits.
    type_code(c, &solution("greeting")).await;
    focus_editor(c).await;
    keys(c, &format!("{CTRL}{ENTER}{RELEASE}")).await;
    wait_for(c, "#status", "Passed", 30).await;
}

#[tokio::test]
async fn codemirror_highlights_keeps_the_keys_and_the_draft() {
    let env = TestEnv::new().await;
    let stack = start_stack(&env, &repo().join("courses")).await;
    let b = Browser::open().await;
    let c = &b.c;
    c.goto(&stack.api_url).await.unwrap();
    wait_for(c, "#assignment-title", "Hello, function", 10).await;

    let keyword = wait_for(c, ".CodeMirror .cm-keyword", "def", 10).await;
    assert_eq!(keyword, "def", "the starter's `def` is highlighted");
    let numbered = run(
        c,
        "return document.querySelectorAll('.CodeMirror-linenumber').length > 1;",
    )
    .await;
    assert_eq!(numbered, json!(true), "line numbers");
    let labelled = run(
        c,
        "return document.querySelector('.CodeMirror textarea').getAttribute('aria-label');",
    )
    .await;
    assert_eq!(labelled, json!("Your solution"));
    keys_work(c).await;

    // The draft outlives a reload.
    type_code(c, "# my draft\n").await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    c.refresh().await.unwrap();
    wait_for(c, "#assignment-title", "Hello, function", 10).await;
    wait_for(c, ".CodeMirror", "my draft", 10).await;
    assert_eq!(code(c).await, "# my draft\n");

    // The skip link takes the focus to the editor and leaves the address be.
    let before = run(c, "return location.href;").await;
    run(c, "document.getElementById('skip').click();").await;
    assert_eq!(focus(c).await, "editor");
    assert_eq!(run(c, "return location.href;").await, before);

    // The favicon is there (every load used to ask for one and get a 404).
    let icon = reqwest::get(format!("{}/favicon.svg", stack.api_url))
        .await
        .unwrap();
    assert_eq!(icon.status(), 200);
    assert_eq!(icon.headers()["content-type"], "image/svg+xml");
    b.close().await;
}

#[tokio::test]
async fn without_the_editors_script_the_textarea_does_the_same_work() {
    let env = TestEnv::new().await;
    let stack = start_stack(&env, &repo().join("courses")).await;
    // The same page served from a UI folder without the vendored editor:
    // its script answers 404, as a blocked or failed script would.
    let ui = std::env::temp_dir().join(format!("cp-ui-{}", uuid::Uuid::new_v4().simple()));
    testkit::copy_dir(&repo().join("ui"), &ui);
    std::fs::remove_dir_all(ui.join("vendor")).unwrap();
    let mut config = programming_api::testing::config(&env);
    config.courses_dir = repo().join("courses");
    config.ui_dir = ui.clone();
    config.ws_public_url = Some(stack.ws_url.clone());
    let bare = programming_api::testing::Api::start(config).await;

    let b = Browser::open().await;
    let c = &b.c;
    c.goto(&format!("http://{}", bare.addr)).await.unwrap();
    wait_for(c, "#assignment-title", "Hello, function", 10).await;
    let fallback = run(
        c,
        "return [window.CodeMirror === undefined, !!document.querySelector('.CodeMirror'),
                 document.getElementById('editor').offsetParent !== null];",
    )
    .await;
    assert_eq!(fallback, json!([true, false, true]), "the textarea, shown");
    keys_work(c).await;
    b.close().await;
    bare.stop().await;
    let _ = std::fs::remove_dir_all(&ui);
}

/// Where `css`'s element is against the window: [top, bottom, window height].
async fn placed(c: &Client, css: &str) -> (f64, f64, f64) {
    let v = c
        .execute(
            "const r = document.querySelector(arguments[0]).getBoundingClientRect();
             return [r.top, r.bottom, window.innerHeight];",
            vec![json!(css)],
        )
        .await
        .unwrap();
    let n = |i: usize| v[i].as_f64().unwrap();
    (n(0), n(1), n(2))
}

#[tokio::test]
async fn the_page_keeps_the_focus_and_the_verdict_in_view_and_asks_a_newcomer_to_join() {
    let env = TestEnv::new().await;
    // The repository's course, and a join-code course beside it.
    let root = std::env::temp_dir().join(format!("cp-courses-{}", uuid::Uuid::new_v4().simple()));
    testkit::copy_dir(&repo().join("courses/intro"), &root.join("intro"));
    testkit::copy_dir(
        &repo().join("courses/intro/01-greeting"),
        &root.join("cs1/01-greeting"),
    );
    std::fs::write(
        root.join("cs1/course.toml"),
        "title = \"CS 1\"\njoin = \"code\"\njoin_code = \"tulip-42\"\n",
    )
    .unwrap();
    let stack = start_stack(&env, &root).await;
    let b = Browser::open().await;
    let c = &b.c;
    c.goto(&stack.api_url).await.unwrap();
    wait_for(c, "#assignment-title", "Hello, function", 10).await;

    // A wrong answer: its verdict and first failing test are on screen.
    type_code(c, "def greet(name):\n    return 'Hi ' + name\n").await;
    run(c, "document.getElementById('submit').click();").await;
    wait_for(c, "#status", "Wrong answer", 30).await;
    tokio::time::sleep(Duration::from_millis(800)).await; // the smooth scroll
    let (top, _, _) = placed(c, "#status").await;
    let (_, bottom, height) = placed(c, "#tests .fail").await;
    assert!(
        top >= 0.0 && bottom <= height,
        "status top {top}, failure bottom {bottom} of {height}"
    );

    // A pass, then Next: the new title has the focus (and is announced).
    type_code(c, &solution("greeting")).await;
    run(c, "document.getElementById('submit').click();").await;
    wait_for(c, "#status", "Passed", 30).await;
    wait_for(c, "#summary", "+100 points", 10).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let (_, bottom, height) = placed(c, "#next").await;
    assert!(bottom <= height, "Next at {bottom} of {height}");
    run(c, "document.getElementById('next').click();").await;
    wait_for(c, "#assignment-title", "Celsius to Fahrenheit", 10).await;
    assert_eq!(focus(c).await, "assignment-title");
    // Choosing from the course list does the same.
    run(
        c,
        "document.querySelector('#course-list li:nth-child(3) a').click();",
    )
    .await;
    wait_for(c, "#assignment-title", "FizzBuzz", 10).await;
    assert_eq!(focus(c).await, "assignment-title");

    // A first visit to a join-code course, in a fresh browser: the form for
    // the code (the course's list is asked again once the learner exists).
    let newcomer = Browser::open().await;
    newcomer
        .c
        .goto(&format!("{}/c/cs1", stack.api_url))
        .await
        .unwrap();
    wait_for(&newcomer.c, "#join", "Join this course", 10).await;
    b.close().await;
    newcomer.close().await;
}

#[tokio::test]
async fn on_a_phone_the_editor_comes_first_and_a_dark_system_gets_a_dark_page() {
    let env = TestEnv::new().await;
    let stack = start_stack(&env, &repo().join("courses")).await;
    // The code assignment with the longest handout.
    let last = e2e::assignment_id(&reqwest::Client::new(), &stack.api_url, "shortest-path").await;
    let b = Browser::open_with(&["--force-dark-mode"]).await;
    let c = &b.c;
    c.set_window_size(390, 844).await.unwrap();
    c.goto(&format!("{}/#/a/{last}", stack.api_url))
        .await
        .unwrap();
    wait_for(c, "#assignment-title", "Shortest path", 10).await;
    let width = run(c, "return window.innerWidth;").await.as_f64().unwrap();
    assert!(width <= 400.0, "a phone's width: {width}");

    // The course list is folded to one line; the editor and Submit are on
    // the first screen, the longest handout below them.
    let wide = run(
        c,
        "return [document.documentElement.scrollWidth, window.innerWidth,
                 [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
                   .slice(0, 5).map((e) => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))];",
    )
    .await;
    assert!(
        wide[0].as_f64() <= wide[1].as_f64(),
        "sideways scrolling on a phone: {wide}"
    );
    let folded = run(c, "return document.getElementById('course-menu').open;").await;
    assert_eq!(folded, json!(false));
    let (_, submit_bottom, height) = placed(c, "#submit").await;
    let layout = run(
        c,
        "return [...document.querySelectorAll('header, #course-menu, #assignment-title, #schedule, .editor-label, .CodeMirror, .actions, #run-hint')]
           .map((e) => (e.id || e.className || e.tagName) + ' ' + Math.round(e.getBoundingClientRect().top) + '-' + Math.round(e.getBoundingClientRect().bottom));",
    )
    .await;
    assert!(
        submit_bottom <= height,
        "Submit at {submit_bottom} of {height}: {layout}"
    );
    let (handout_top, _, _) = placed(c, "#handout").await;
    assert!(handout_top > submit_bottom, "the handout after the editor");
    chromium::screenshot(c, "phone-1-first-screen").await;

    // A wrong answer: the verdict and its first failing test in view.
    type_code(c, "def shortest_path(grid):\n    return -2\n").await;
    run(c, "document.getElementById('submit').click();").await;
    wait_for_any(c, "#status", &["Wrong answer", "Runtime error"], 30).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let (top, _, _) = placed(c, "#status").await;
    let (_, bottom, height) = placed(c, "#tests .fail").await;
    assert!(
        top >= 0.0 && bottom <= height,
        "status top {top}, failure bottom {bottom} of {height}"
    );
    chromium::screenshot(c, "phone-2-verdict").await;

    // Opening the list and choosing folds it again.
    run(c, "document.querySelector('#course-menu summary').click();").await;
    run(
        c,
        "document.querySelector('#course-list li:first-child a').click();",
    )
    .await;
    wait_for(c, "#assignment-title", "Hello, function", 10).await;
    assert_eq!(
        run(c, "return document.getElementById('course-menu').open;").await,
        json!(false)
    );

    // The system asked for dark: the page is dark.
    let dark = run(
        c,
        "return [matchMedia('(prefers-color-scheme: dark)').matches,
                 getComputedStyle(document.body).backgroundColor];",
    )
    .await;
    assert_eq!(dark, json!([true, "rgb(23, 25, 27)"]));
    b.close().await;
}

#[tokio::test]
async fn a_waiting_learner_sees_their_place_in_the_queue() {
    let env = TestEnv::new().await;
    // No grader: what is submitted waits.
    let api = programming_api::testing::Api::start(programming_api::testing::config(&env)).await;
    let base = format!("http://{}", api.addr);
    let http = reqwest::Client::new();
    let first = e2e::first_assignment(&http, &base).await;
    for n in 0..2 {
        let token = e2e::learner_token(&http, &base).await;
        let res = e2e::submit_code(&http, &base, &token, first, &format!("x = {n}")).await;
        assert_eq!(res.status(), 202);
    }
    let b = Browser::open().await;
    let c = &b.c;
    c.goto(&base).await.unwrap();
    wait_for(c, "#assignment-title", "Hello, function", 10).await;
    type_code(c, "x = 'mine'").await;
    run(c, "document.getElementById('submit').click();").await;
    wait_for(c, "#status", "about 2 ahead of yours", 10).await;
    b.close().await;
    api.stop().await;
}

#[tokio::test]
async fn run_tests_shows_the_visible_tests_and_changes_no_points() {
    let env = TestEnv::new().await;
    let stack = start_stack(&env, &repo().join("courses")).await;
    let b = Browser::open().await;
    let c = &b.c;
    c.goto(&stack.api_url).await.unwrap();
    wait_for(c, "#assignment-title", "Hello, function", 10).await;
    wait_for(c, "#connection", "live", 10).await;

    type_code(c, "def greet(name):\n    return 'Hi ' + name\n").await;
    run(c, "document.getElementById('run').click();").await;
    wait_for(c, "#run-status", "Wrong answer (not submitted)", 30).await;
    let failing = wait_for(c, "#run-tests .fail", "failed", 5).await;
    assert!(failing.contains("Your result"), "{failing}");
    type_code(c, &solution("greeting")).await;
    run(c, "document.getElementById('run').click();").await;
    wait_for(c, "#run-status", "The visible tests pass", 30).await;

    // Nothing was submitted: no verdict panel, no points, no submission.
    let shown = run(c, "return document.getElementById('result').hidden;").await;
    assert_eq!(shown, json!(true));
    assert_eq!(chromium::text(c, "#points").await, "0");
    let token = run(c, "return localStorage.getItem('codeplatform.token');").await;
    let http = reqwest::Client::new();
    let me: Value = http
        .get(format!("{}/api/me", stack.api_url))
        .bearer_auth(token.as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["points"], 0, "{me}");
    let first = e2e::first_assignment(&http, &stack.api_url).await;
    let mine: Vec<Value> = http
        .get(format!(
            "{}/api/assignments/{first}/submissions",
            stack.api_url
        ))
        .bearer_auth(token.as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(mine.is_empty(), "{mine:?}");
    b.close().await;
}

#[tokio::test]
async fn a_notebook_uploaded_from_the_page_gets_feedback_per_question() {
    let env = TestEnv::new().await;
    let stack = start_stack(&env, &repo().join("courses")).await;
    let id = e2e::assignment_id(&reqwest::Client::new(), &stack.api_url, "word-stats").await;
    // The reference notebook, and one whose third answer is the starter's.
    let folder = repo().join("courses/intro/14-word-stats");
    let reference = std::fs::read_to_string(folder.join("solution.ipynb")).unwrap();
    let mut wrong: Value = serde_json::from_str(&reference).unwrap();
    for cell in wrong["cells"].as_array_mut().unwrap() {
        if cell["source"].to_string().contains("def word_lengths") {
            cell["source"] = json!("def word_lengths(text):\n    return {}");
        }
    }
    let dir = std::env::temp_dir().join(format!("cp-nb-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let (wrong_path, right_path) = (dir.join("wrong.ipynb"), dir.join("mine.ipynb"));
    std::fs::write(&wrong_path, wrong.to_string()).unwrap();
    std::fs::write(&right_path, &reference).unwrap();

    let b = Browser::open().await;
    let c = &b.c;
    c.goto(&format!("{}/#/a/{id}", stack.api_url))
        .await
        .unwrap();
    wait_for(c, "#assignment-title", "Word statistics", 10).await;
    wait_for(c, "#handout", "Question 3", 5).await;
    let panel = run(c, "return [document.getElementById('notebook-panel').hidden, document.getElementById('starter-download').download, document.getElementById('starter-download').href.slice(0, 5)];").await;
    assert_eq!(panel, json!([false, "word-stats.ipynb", "blob:"]));

    let upload = |path: std::path::PathBuf| async move {
        c.find(fantoccini::Locator::Id("notebook-file"))
            .await
            .unwrap()
            .send_keys(path.to_str().unwrap())
            .await
            .unwrap();
        run(c, "document.getElementById('submit').click();").await;
    };
    upload(wrong_path).await;
    wait_for(c, "#status", "Wrong answer", 30).await;
    let summary = wait_for(c, "#summary", "q3: 2 of 3 tests failed", 5).await;
    assert!(summary.contains("q1: all 1 test passed"), "{summary}");
    upload(right_path).await;
    wait_for(c, "#status", "Passed", 30).await;
    wait_for(c, "#summary", "+100 points", 10).await;
    b.close().await;
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The benchmark `scripts/bench-page.sh` runs (ignored by the suite): the
/// page's load in Chromium with the editor and with the plain textarea (the
/// same UI without `vendor/`), LOADS times each, fresh cache every time.
/// Writes one line per load to `BENCH_OUT`: which page, then first
/// contentful paint, the load event, and the bytes transferred.
#[tokio::test]
#[ignore = "a benchmark: scripts/bench-page.sh"]
async fn bench_page_load_with_and_without_the_editor() {
    let loads: usize = std::env::var("LOADS").map_or(10, |n| n.parse().unwrap());
    let env = TestEnv::new().await;
    let ui = std::env::temp_dir().join(format!("cp-ui-{}", uuid::Uuid::new_v4().simple()));
    testkit::copy_dir(&repo().join("ui"), &ui);
    std::fs::remove_dir_all(ui.join("vendor")).unwrap();
    let mut plain_config = programming_api::testing::config(&env);
    plain_config.ui_dir = ui.clone();
    let plain = programming_api::testing::Api::start(plain_config).await;
    let editor = programming_api::testing::Api::start(programming_api::testing::config(&env)).await;
    let mut lines = Vec::new();
    for round in 0..loads {
        for (label, addr) in [("codemirror", editor.addr), ("textarea", plain.addr)] {
            // A new profile per load: nothing cached.
            let b = Browser::open().await;
            let c = &b.c;
            c.goto(&format!("http://{addr}/")).await.unwrap();
            wait_for(c, "#assignment-title", "Hello, function", 10).await;
            let timing = run(
                c,
                "const nav = performance.getEntriesByType('navigation')[0];
                 const paint = performance.getEntriesByName('first-contentful-paint')[0];
                 const bytes = performance.getEntriesByType('resource')
                   .reduce((n, r) => n + r.transferSize, nav.transferSize);
                 return [paint ? paint.startTime : -1, nav.loadEventEnd, bytes];",
            )
            .await;
            lines.push(format!("{label} {} {} {}", timing[0], timing[1], timing[2]));
            b.close().await;
        }
        println!("round {round} done");
    }
    let out = std::env::var("BENCH_OUT").unwrap_or_else(|_| "target/page-loads.txt".into());
    std::fs::write(&out, lines.join("\n") + "\n").unwrap();
    plain.stop().await;
    editor.stop().await;
    let _ = std::fs::remove_dir_all(&ui);
}
