//! The gradebook: for the course's staff only, equal to a recomputation
//! from the submissions, and its CSV parses back with a real CSV reader,
//! with every formula-like cell neutralised.

use domain::work::WorkRef;
use std::collections::BTreeMap;

use domain::verdict::Verdict;
use domain::work::{Feedback, TestOutcome};
use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::TestEnv;
use uuid::Uuid;

use crate::course::two_courses;
use crate::helpers::{config, Learner, TestApp};
use crate::staff::{add_staff, get_as, sign_in, PASSWORD};

/// Submits `code` and grades it as the grader would, failing `failing` tests.
pub async fn graded(
    app: &TestApp,
    learner: &Learner,
    assignment: i32,
    code: &str,
    failing: &[&str],
) {
    graded_with(app, learner, assignment, code, failing, &[]).await
}

/// [`graded`], with `skipped` tests the author skipped besides.
async fn graded_with(
    app: &TestApp,
    learner: &Learner,
    assignment: i32,
    code: &str,
    failing: &[&str],
    skipped: &[&str],
) {
    let res = app.submit(learner, assignment, code).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let body: Value = res.json().await.unwrap();
    let id: Uuid = body["submission"]["id"].as_str().unwrap().parse().unwrap();
    let verdict = if failing.is_empty() {
        Verdict::Passed
    } else {
        Verdict::WrongAnswer
    };
    let outcome = |name: &&str, skipped: bool| TestOutcome {
        title: None,
        detail: None,
        name: (*name).into(),
        passed: false,
        message: "no".into(),
        verdict: Some(if skipped {
            Verdict::Passed
        } else {
            Verdict::WrongAnswer
        }),
        hidden: false,
        skipped,
    };
    let tests = failing
        .iter()
        .map(|n| outcome(n, false))
        .chain(skipped.iter().map(|n| outcome(n, true)))
        .collect();
    let feedback = Feedback {
        summary: verdict.as_str().into(),
        tests,
        ..Default::default()
    };
    app.finish_as_grader(WorkRef::submission(id), verdict, &feedback, &[])
        .await;
}

pub async fn profile(app: &TestApp, learner: &Learner, body: Value) -> reqwest::Response {
    app.http
        .patch(app.url("/api/me"))
        .bearer_auth(&learner.token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// `learner` joins the open course `intro` without submitting.
async fn join_intro(app: &TestApp, learner: &Learner) {
    let joined = app
        .http
        .post(app.url("/api/courses/intro/join"))
        .bearer_auth(&learner.token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(joined.status(), StatusCode::OK);
}

pub async fn token(app: &TestApp, course: &str, role: &str, name: &str) -> String {
    assert!(add_staff(app, course, role, name, PASSWORD).0);
    let session: Value = sign_in(app, name, PASSWORD).await.json().await.unwrap();
    session["token"].as_str().unwrap().to_owned()
}

/// What the gradebook must say, recomputed from the submissions and
/// completions tables: (learner, assignment) → (best status, attempts, points).
async fn recomputed(app: &TestApp) -> BTreeMap<(Uuid, i32), (Option<String>, i64, i32)> {
    let client = app.ctx.pool.get().await.unwrap();
    let mut out = BTreeMap::new();
    for row in client
        .query(
            "SELECT user_id, assignment_id, status::text AS status FROM submissions",
            &[],
        )
        .await
        .unwrap()
    {
        let entry = out
            .entry((
                row.get::<_, Uuid>("user_id"),
                row.get::<_, i32>("assignment_id"),
            ))
            .or_insert((None, 0, 0));
        let status: String = row.get("status");
        let rank = |s: &Option<String>| {
            ["passed", "failed", "error", "grading", "queued"]
                .iter()
                .position(|x| Some(*x) == s.as_deref())
                .unwrap_or(9)
        };
        if rank(&Some(status.clone())) < rank(&entry.0) {
            entry.0 = Some(status);
        }
        entry.1 += 1;
    }
    for row in client
        .query(
            "SELECT user_id, assignment_id, points FROM completions",
            &[],
        )
        .await
        .unwrap()
    {
        out.get_mut(&(row.get("user_id"), row.get("assignment_id")))
            .unwrap()
            .2 = row.get("points");
    }
    out
}

#[tokio::test]
async fn the_gradebook_is_the_submissions_recounted_for_its_own_staff_only() {
    let root = two_courses();
    let env = TestEnv::empty().await;
    let mut config = config(&env);
    config.courses_dir = root.clone();
    let app = TestApp::start(env, config).await;
    let ids = app.assignment_ids().await;
    let (a, b) = (ids[0], ids[1]);

    // Names a spreadsheet would run as formulas, and one learner with none.
    let l1 = app.learner().await;
    let l2 = app.learner().await;
    let l3 = app.learner().await;
    let res = profile(
        &app,
        &l1,
        json!({"display_name": "=HYPERLINK(\"http://x\")", "student_number": "+123"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        profile(
            &app,
            &l2,
            json!({"display_name": "-Bob", "student_number": "@sum"})
        )
        .await
        .status(),
        StatusCode::OK
    );
    for bad in [
        json!({"display_name": "x".repeat(81)}),
        json!({"student_number": "1\u{7}"}),
    ] {
        let res = profile(&app, &l3, bad.clone()).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    graded(&app, &l1, a, "x = 1", &["test_a", "test_b"]).await;
    graded(&app, &l1, a, "x = 2", &[]).await;
    graded(&app, &l1, b, "x = 3", &["test_b"]).await;
    graded(&app, &l2, a, "x = 4", &[]).await;
    join_intro(&app, &l3).await;

    let instructor = token(&app, "intro", "instructor", "ada").await;
    let tutor = token(&app, "intro", "tutor", "tom").await;
    let other = token(&app, "cs1", "instructor", "cid").await;
    for path in [
        "/api/courses/intro/gradebook",
        "/api/courses/intro/gradebook.csv",
    ] {
        assert_eq!(
            get_as(&app, path, &other).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
        assert_eq!(
            app.get(path, Some(&l1)).await.status(),
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
        assert_eq!(
            app.get(path, None).await.status(),
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
        let res = get_as(&app, path, &tutor).await;
        let status = res.status();
        assert_eq!(
            status,
            StatusCode::OK,
            "{path}: {}",
            res.text().await.unwrap()
        );
    }

    let book: Value = get_as(&app, "/api/courses/intro/gradebook", &instructor)
        .await
        .json()
        .await
        .unwrap();
    let want = recomputed(&app).await;
    let learners = book["learners"].as_array().unwrap();
    assert_eq!(
        learners.len(),
        3,
        "every enrolled learner, joined or submitting"
    );
    for learner in learners {
        let user: Uuid = learner["user_id"].as_str().unwrap().parse().unwrap();
        let mut total = 0;
        for cell in learner["cells"].as_array().unwrap() {
            let assignment = cell["assignment_id"].as_i64().unwrap() as i32;
            let (status, attempts, points) = want
                .get(&(user, assignment))
                .cloned()
                .unwrap_or((None, 0, 0));
            assert_eq!(cell["best_status"].as_str(), status.as_deref(), "{cell}");
            assert_eq!(cell["attempts"], attempts, "{cell}");
            assert_eq!(cell["points"], points, "{cell}");
            assert_eq!(cell["first_passed_at"].is_null(), points == 0, "{cell}");
            total += points;
        }
        assert_eq!(learner["points"], total);
    }
    let l1_row = learners
        .iter()
        .find(|l| l["user_id"] == l1.id.to_string())
        .unwrap();
    assert_eq!(
        l1_row["display_name"], "=HYPERLINK(\"http://x\")",
        "JSON carries the text as it is"
    );
    let columns = book["assignments"].as_array().unwrap();
    assert_eq!(columns[0]["tried"], 2);
    assert_eq!(columns[0]["passed"], 2);
    assert_eq!(columns[0]["median_attempts_to_pass"], 1.5);
    assert_eq!(columns[0]["most_failed_test"], "test_a");
    assert_eq!(columns[1]["tried"], 1);
    assert_eq!(columns[1]["passed"], 0);
    assert!(columns[1]["median_attempts_to_pass"].is_null());
    assert_eq!(columns[1]["most_failed_test"], "test_b");

    // The CSV: streamed (no length known up front), parsed back by a real reader.
    let res = get_as(&app, "/api/courses/intro/gradebook.csv", &instructor).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(res.headers().get("content-length").is_none(), "streamed");
    let text = res.text().await.unwrap();
    assert!(text.contains("\r\n"), "RFC 4180 line ends");
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header = reader.headers().unwrap().clone();
    assert_eq!(header.len(), 5 + 5 * columns.len());
    assert_eq!(&header[0], "user_id");
    assert_eq!(&header[4], "max_points");
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 3);
    for record in &records {
        for cell in record.iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "a live formula: {cell:?}"
            );
        }
    }
    let l1_record = records.iter().find(|r| r[0] == l1.id.to_string()).unwrap();
    assert_eq!(&l1_record[1], "'=HYPERLINK(\"http://x\")");
    assert_eq!(&l1_record[2], "'+123");
    assert_eq!(&l1_record[3], "100");
    // The course's maximum beside each learner's points: 100 an assignment.
    assert_eq!(l1_record[4], (100 * columns.len()).to_string());
    let l2_record = records.iter().find(|r| r[0] == l2.id.to_string()).unwrap();
    assert_eq!((&l2_record[1], &l2_record[2]), ("'-Bob", "'@sum"));

    // A pass stays a pass, and its attempt stays counted, when the learner
    // deletes the passing submission.
    let mine: Vec<Value> = app
        .get(&format!("/api/assignments/{a}/submissions"), Some(&l2))
        .await
        .json()
        .await
        .unwrap();
    let res = app.delete(&l2, mine[0]["id"].as_str().unwrap()).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let book: Value = get_as(&app, "/api/courses/intro/gradebook", &instructor)
        .await
        .json()
        .await
        .unwrap();
    let l2_row = book["learners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["user_id"] == l2.id.to_string())
        .unwrap();
    let cell = &l2_row["cells"][0];
    assert_eq!(
        (&cell["best_status"], &cell["points"], &cell["attempts"]),
        (&json!("passed"), &json!(100), &json!(1)),
        "{cell}"
    );
    assert_eq!(book["assignments"][0]["median_attempts_to_pass"], 1.5);
    std::fs::remove_dir_all(&root).unwrap();
}

#[tokio::test]
async fn a_course_of_a_thousand_learners_streams_in_bounded_chunks() {
    let root = two_courses();
    let env = TestEnv::empty().await;
    let mut config = config(&env);
    config.courses_dir = root;
    let app = TestApp::start(env, config).await;
    let client = app.ctx.pool.get().await.unwrap();
    client
        .batch_execute(
            "INSERT INTO users (id, display_name)
                 SELECT gen_random_uuid(), 'Learner ' || g FROM generate_series(1, 1000) g;
             INSERT INTO enrolments (user_id, course_id)
                 SELECT id, (SELECT id FROM courses WHERE slug = 'intro') FROM users;
             -- raw write: two failed submissions per learner and assignment, as graded ones would be.
             INSERT INTO submissions (id, user_id, assignment_id, code, code_hash, assignment_hash,
                                      status, verdict, graded_at, created_at)
                 SELECT gen_random_uuid(), u.id, a.id, 'x = ' || n, md5(u.id::text || a.id || n),
                        a.content_hash, 'failed', 'wrong_answer', now(), now()
                 FROM users u CROSS JOIN assignments a CROSS JOIN generate_series(1, 2) n
                 WHERE a.position IS NOT NULL
                   AND a.course_id = (SELECT id FROM courses WHERE slug = 'intro');",
        )
        .await
        .unwrap();
    let instructor = token(&app, "intro", "instructor", "ada").await;

    use futures::StreamExt;
    // Through HTTP: a thousand records, parsed back.
    let res = get_as(&app, "/api/courses/intro/gradebook.csv", &instructor).await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    assert_eq!(reader.records().count(), 1000);

    // What the response is fed: the header alone first, then chunks of about
    // CSV_CHUNK bytes (one learner's record past it at most), never the
    // course built whole.
    let course_id = app.ctx.catalog().by_slug("intro").unwrap().id;
    let slugs = programming_api::gradebook::slugs(&client, course_id)
        .await
        .unwrap();
    let chunks: Vec<bytes::Bytes> =
        programming_api::gradebook::csv_chunks(app.ctx.pool.get().await.unwrap(), course_id, slugs)
            .map(Result::unwrap)
            .collect()
            .await;
    let limit = programming_api::gradebook::CSV_CHUNK;
    let lines = |c: &bytes::Bytes| c.iter().filter(|b| **b == b'\n').count();
    assert_eq!(lines(&chunks[0]), 1, "the header goes alone");
    assert!(
        chunks.iter().all(|c| c.len() <= limit + 512),
        "{:?}",
        chunks.iter().map(|c| c.len()).collect::<Vec<_>>()
    );
    assert!(chunks[1..chunks.len() - 1].iter().all(|c| c.len() >= limit));
    assert_eq!(chunks.iter().map(|c| c.len()).sum::<usize>(), text.len());
    assert!(
        chunks.len() > text.len() / (limit + 512),
        "{} chunks",
        chunks.len()
    );
}

/// Where a spreadsheet could start a cell, for every way it might split
/// the file: on `,` or `;`, honouring the quotes or not.
fn cell_starts(text: &str) -> Vec<String> {
    let mut starts = Vec::new();
    for delimiter in [b',', b';'] {
        for quoting in [true, false] {
            let mut reader = csv::ReaderBuilder::new()
                .delimiter(delimiter)
                .quoting(quoting)
                .flexible(true)
                .from_reader(text.as_bytes());
            for record in reader.records() {
                starts.extend(record.unwrap().iter().map(str::to_owned));
            }
        }
    }
    starts
}

#[tokio::test]
async fn no_cell_is_a_formula_whichever_separator_the_spreadsheet_splits_on() {
    let root = two_courses();
    let env = TestEnv::empty().await;
    let mut config = config(&env);
    config.courses_dir = root.clone();
    let app = TestApp::start(env, config).await;
    let names = [
        "a;=1+1;",
        "x,=HYPERLINK(\"http://x\")",
        "\"=1",
        " =1",
        "ok; @SUM(1)",
        "b,+2",
        "c;-3",
    ];
    for name in names {
        let learner = app.learner().await;
        let res = profile(&app, &learner, json!({"display_name": name})).await;
        assert_eq!(res.status(), StatusCode::OK, "{name}");
        join_intro(&app, &learner).await;
    }
    let instructor = token(&app, "intro", "instructor", "ada").await;
    let res = get_as(&app, "/api/courses/intro/gradebook.csv", &instructor).await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    let text = text.trim_start_matches('\u{feff}');

    // Read back as written, every name is there (trimmed, as profiles
    // keep names), marked but whole.
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let written: Vec<String> = reader.records().map(|r| r.unwrap()[1].to_owned()).collect();
    for name in names {
        let marked = written
            .iter()
            .find(|cell| cell.replace('\'', "") == name.trim().replace('\'', ""))
            .unwrap_or_else(|| panic!("{name:?} not in {written:?}"));
        assert_ne!(marked, name, "{name:?} left as it was");
    }
    // However it is split, no cell starts (after spaces) with a formula.
    let starts = cell_starts(text);
    assert!(starts.len() > names.len() * 4, "{starts:?}");
    for cell in starts {
        let cell = cell.trim_start_matches([' ', '"']);
        assert!(
            !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "a live formula: {cell:?} in\n{text}"
        );
    }
}

#[tokio::test]
async fn a_test_its_author_skipped_is_never_the_most_failed() {
    let root = two_courses();
    let env = TestEnv::empty().await;
    let mut config = config(&env);
    config.courses_dir = root.clone();
    let app = TestApp::start(env, config).await;
    let a = app.assignment_ids().await[0];
    for i in 0..3 {
        let learner = app.learner().await;
        let code = format!("x = {i}");
        graded_with(
            &app,
            &learner,
            a,
            &code,
            &["test_b"],
            &["test_a_extra", "test_c_extra"],
        )
        .await;
    }
    let instructor = token(&app, "intro", "instructor", "ada").await;
    let book: Value = get_as(&app, "/api/courses/intro/gradebook", &instructor)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        book["assignments"][0]["most_failed_test"], "test_b",
        "{book}"
    );
}

#[tokio::test]
async fn staff_see_a_hidden_tests_real_name_as_the_most_failed() {
    let app = TestApp::spawn().await;
    let a = app.first_assignment().await;
    for i in 0..2 {
        let learner = app.learner().await;
        let res = app.submit(&learner, a, &format!("x = {i}")).await;
        let body: Value = res.json().await.unwrap();
        let id: Uuid = body["submission"]["id"].as_str().unwrap().parse().unwrap();
        // What the learner reads of it, and what staff alone see.
        let failed = |name: &str, hidden: bool| TestOutcome {
            title: None,
            detail: None,
            name: name.into(),
            passed: false,
            message: String::new(),
            verdict: Some(Verdict::WrongAnswer),
            hidden,
            skipped: false,
        };
        let feedback = Feedback {
            summary: "wrong".into(),
            tests: vec![failed("Hidden test 1", true)],
            ..Default::default()
        };
        app.finish_as_grader(
            WorkRef::submission(id),
            Verdict::WrongAnswer,
            &feedback,
            &[failed("test_large_amount", true)],
        )
        .await;
    }
    let instructor = token(&app, "intro", "instructor", "ada").await;
    let book: Value = get_as(&app, "/api/courses/intro/gradebook", &instructor)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        book["assignments"][0]["most_failed_test"], "test_large_amount",
        "{}",
        book["assignments"][0]
    );
}
