//! The gradebook page of a class of a thousand in Chromium (#21): how long
//! it takes from asking for it to a painted table, its read from the API
//! apart, and how long a sort takes from the click to the painted rows.
//! Run by `scripts/bench-gradebook.sh`, which writes the table; one line
//! per measurement to `BENCH_OUT` ("label ms").

mod chromium;

use std::io::Write;

use chromium::{wait_for, Browser};
use e2e::{repo, start_stack};
use serde_json::{json, Value};
use service::token::Role;
use testkit::TestEnv;

const PASSWORD: &str = "staff-password-for-bench";

#[tokio::test]
#[ignore = "a benchmark: scripts/bench-gradebook.sh"]
async fn bench_the_gradebook_page_of_a_thousand() {
    let learners: i32 = std::env::var("LEARNERS").map_or(1000, |n| n.parse().unwrap());
    let rounds: usize = std::env::var("ROUNDS").map_or(10, |n| n.parse().unwrap());
    let env = TestEnv::new().await;
    let stack = start_stack(&env, &repo().join("courses")).await;
    let client = env.pool.get().await.unwrap();
    client
        .execute(
            "INSERT INTO users (id, display_name, student_number)
                 SELECT gen_random_uuid(), 'Learner ' || g, 's' || g FROM generate_series(1, $1) g",
            &[&learners],
        )
        .await
        .unwrap();
    client
        .batch_execute(
            "INSERT INTO enrolments (user_id, course_id)
                 SELECT id, (SELECT id FROM courses WHERE slug = 'intro') FROM users;
             -- raw write: one to three failed submissions per learner and assignment, as graded ones would be.
             INSERT INTO submissions (id, user_id, assignment_id, code, code_hash, assignment_hash,
                                      status, verdict, graded_at, created_at)
                 SELECT gen_random_uuid(), u.id, a.id, 'x = ' || n, md5(u.id::text || a.id || n),
                        a.content_hash, 'failed', 'wrong_answer', now(), now()
                 FROM users u CROSS JOIN assignments a CROSS JOIN generate_series(1, 3) n
                 WHERE a.position IS NOT NULL AND n <= 1 + (hashtext(u.id::text || a.id) & 3) % 3
                   AND a.course_id = (SELECT id FROM courses WHERE slug = 'intro');",
        )
        .await
        .unwrap();
    programming_api::staff::add(
        &stack.api.ctx.pool,
        "intro",
        Role::Instructor,
        "bench",
        PASSWORD,
    )
    .await
    .unwrap();
    let b = Browser::open().await;
    let c = &b.c;
    c.goto(&format!("{}/staff", stack.api_url)).await.unwrap();
    wait_for(c, "#sign-in", "Staff sign-in", 10).await;
    c.execute(
        "document.getElementById('username').value = 'bench';
         document.getElementById('password').value = arguments[0];
         document.getElementById('sign-in').requestSubmit();",
        vec![json!(PASSWORD)],
    )
    .await
    .unwrap();
    wait_for(c, "#class-title", "Class · ", 10).await;

    let out = std::env::var("BENCH_OUT").unwrap_or_else(|_| "target/gradebook-page.txt".into());
    let mut out = std::fs::File::create(out).unwrap();
    let whole = format!("{learners} of {learners} learners");
    for _ in 0..rounds {
        // From the Class tab to the gradebook painted, in all.
        let total: Value = c
            .execute_async(
                "const [whole, done] = arguments;
                 location.hash = '#class';
                 // The last round's count must not count as this one's table.
                 document.getElementById('book-count').textContent = '';
                 setTimeout(() => {
                   const t0 = performance.now();
                   location.hash = '#gradebook';
                   const wait = () => {
                     if (document.getElementById('book-count').textContent !== whole) return setTimeout(wait, 1);
                     requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t0)));
                   };
                   wait();
                 }, 300);",
                vec![json!(whole)],
            )
            .await
            .unwrap();
        // Its two parts apart: the API's read (the page's own request, to
        // the parsed body), then the page's module rendering that body, to
        // paint (the same module instance the page runs).
        let parts: Value = c
            .execute_async(
                "const done = arguments[0];
                 const session = JSON.parse(sessionStorage.getItem('codeplatform.staff'));
                 const t0 = performance.now();
                 fetch(`/api/courses/${session.course}/gradebook`, { headers: { Authorization: `Bearer ${session.token}` } })
                   .then((r) => r.json())
                   .then(async (book) => {
                     const read = performance.now() - t0;
                     const { renderGradebook } = await import('/js/gradebook.js');
                     const t1 = performance.now();
                     renderGradebook(book, (id, name) => name || id);
                     requestAnimationFrame(() => requestAnimationFrame(() => done([read, performance.now() - t1])));
                   });",
                vec![],
            )
            .await
            .unwrap();
        writeln!(out, "shown {:.1}", total.as_f64().unwrap()).unwrap();
        writeln!(out, "read {:.1}", parts[0].as_f64().unwrap()).unwrap();
        writeln!(out, "rendered {:.1}", parts[1].as_f64().unwrap()).unwrap();
        // A sort by points, then by an assignment's column: click to paint.
        for key in ["points", "a3", "name"] {
            let took: Value = c
                .execute_async(
                    "const [key, done] = arguments;
                     const button = document.querySelector(`#book-head th[data-key=${key}] button`);
                     const t0 = performance.now();
                     button.click();
                     requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t0)));",
                    vec![json!(key)],
                )
                .await
                .unwrap();
            writeln!(out, "sorted {:.1}", took.as_f64().unwrap()).unwrap();
        }
        // A search typed: one keystroke's filtering, to paint.
        let took: Value = c
            .execute_async(
                "const done = arguments[0];
                 const box = document.getElementById('book-search');
                 const t0 = performance.now();
                 box.value = 's99';
                 box.dispatchEvent(new Event('input'));
                 requestAnimationFrame(() => requestAnimationFrame(() => {
                   const t = performance.now() - t0;
                   box.value = '';
                   box.dispatchEvent(new Event('input'));
                   done(t);
                 }));",
                vec![],
            )
            .await
            .unwrap();
        writeln!(out, "searched {:.1}", took.as_f64().unwrap()).unwrap();
    }
    b.close().await;
}
