//! The course content itself, and an instructor's edit reaching the API.

use std::process::Command;

use courseload::assignments::{load_course, repository_course_dir};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{config, TestApp};

/// Runs `test_solution.py` against `code` as module `solution` with the local Python.
fn run_tests(test_code: &str, code: &str) -> std::process::Output {
    let dir = std::env::temp_dir().join(format!("cp-course-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("test_solution.py"), test_code).unwrap();
    std::fs::write(dir.join("solution.py"), code).unwrap();
    let out = Command::new("timeout")
        // Debian's Python, with numpy and pandas from scripts/deps.sh for the
        // data-science notebook.
        .args([
            "60",
            "/usr/bin/python3",
            "-m",
            "unittest",
            "-q",
            "test_solution",
        ])
        .current_dir(&dir)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("python3 runs");
    std::fs::remove_dir_all(&dir).unwrap();
    out
}

/// What runs as module `solution`: the code, or a notebook's code cells in
/// order.
fn module_source(a: &domain::course::AssignmentSource, code: &str) -> String {
    match a.kind {
        domain::course::Kind::Code => code.to_owned(),
        domain::course::Kind::Notebook => domain::notebook::Notebook::from_text(code)
            .unwrap()
            .code_cells()
            .into_iter()
            .map(|c| c.source)
            .collect::<Vec<_>>()
            .join("\n\n"),
    }
}

#[test]
fn every_reference_solution_passes_and_every_starter_fails() {
    let course = load_course(&repository_course_dir()).unwrap();
    assert!(
        course.len() >= 12,
        "the course has {} assignments",
        course.len()
    );
    for a in &course {
        let solved = run_tests(&a.test_code, &module_source(a, &a.solution_code));
        assert!(
            solved.status.success(),
            "{}: the reference solution fails:\n{}",
            a.slug,
            String::from_utf8_lossy(&solved.stderr)
        );
        let started = run_tests(&a.test_code, &module_source(a, &a.starter_code));
        assert!(!started.status.success(), "{}: the starter passes", a.slug);
        let report = String::from_utf8_lossy(&started.stderr);
        assert!(
            report.contains("FAILED") && !report.contains("SyntaxError"),
            "{}: the starter should fail its tests, not break:\n{report}",
            a.slug
        );
    }
}

/// The repository's default course's assignment folders, in course order.
fn assignment_folders() -> Vec<std::path::PathBuf> {
    let mut folders: Vec<_> = std::fs::read_dir(repository_course_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    folders
}

#[tokio::test]
async fn an_instructors_edit_shows_after_a_restart_and_a_changed_test_changes_the_hash() {
    let root = std::env::temp_dir().join(format!("cp-edit-{}", uuid::Uuid::new_v4()));
    let course_dir = root.join("intro");
    std::fs::create_dir_all(&course_dir).unwrap();
    std::fs::copy(
        repository_course_dir().join("course.toml"),
        course_dir.join("course.toml"),
    )
    .unwrap();
    let folders = assignment_folders();
    for f in &folders[..2] {
        testkit::copy_dir(f, &course_dir.join(f.file_name().unwrap()));
    }
    let first = course_dir.join(folders[0].file_name().unwrap());
    let second = course_dir.join(folders[1].file_name().unwrap());
    let env = testkit::TestEnv::empty().await;
    let mut config = config(&env);
    config.courses_dir = root.clone();
    let app = TestApp::start(env, config).await;
    let ids = app.assignment_ids().await;
    assert_eq!(ids.len(), 2);
    let hash_of = |app: &TestApp, id: i32| {
        let pool = app.ctx.pool.clone();
        async move {
            let client = pool.get().await.unwrap();
            let row = client
                .query_one("SELECT content_hash FROM assignments WHERE id = $1", &[&id])
                .await
                .unwrap();
            row.get::<_, String>("content_hash")
        }
    };
    let hash_before = hash_of(&app, ids[0]).await;
    // Warm the cache so the restart has something stale to drop.
    app.get(&format!("/api/assignments/{}", ids[0]), None).await;
    let (env, config) = app.stop().await;

    // The instructor edits a test and the handout, adds an assignment, removes one.
    let tests = first.join("test_solution.py");
    let mut code = std::fs::read_to_string(&tests).unwrap();
    code.push_str("\n# an extra comment changes the tests\n");
    std::fs::write(&tests, code).unwrap();
    std::fs::write(first.join("handout.md"), "# Rewritten\n\nA new handout.\n").unwrap();
    testkit::copy_dir(&folders[2], &course_dir.join("03-brand-new"));
    std::fs::remove_dir_all(&second).unwrap();
    let app = TestApp::start(env, config).await;

    let list: Vec<Value> = app
        .get("/api/assignments", None)
        .await
        .json()
        .await
        .unwrap();
    let slugs: Vec<&str> = list.iter().map(|a| a["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs.len(), 2, "{slugs:?}");
    assert!(slugs.contains(&"brand-new"), "{slugs:?}");
    let detail: Value = app
        .get(&format!("/api/assignments/{}", ids[0]), None)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        detail["handout_html"]
            .as_str()
            .unwrap()
            .contains("Rewritten"),
        "{detail}"
    );
    assert_ne!(hash_of(&app, ids[0]).await, hash_before);
    let removed = app.get(&format!("/api/assignments/{}", ids[1]), None).await;
    assert_eq!(
        removed.status(),
        StatusCode::NOT_FOUND,
        "a removed folder leaves the course"
    );
    std::fs::remove_dir_all(&root).unwrap();
}

/// A courses folder with `intro` (two assignments, open) and `cs1` (one,
/// join code), copied from the repository's course.
pub fn two_courses() -> std::path::PathBuf {
    let root = std::env::temp_dir().join(format!("cp-courses-{}", uuid::Uuid::new_v4()));
    let folders = assignment_folders();
    for (course, toml, take) in [
        (
            "intro",
            "title = \"Intro\"\njoin = \"open\"\n",
            &folders[..2],
        ),
        (
            "cs1",
            "title = \"CS 1\"\nterm = \"Spring\"\njoin = \"code\"\njoin_code = \"tulip-42\"\nlti_student_number = true\n",
            &folders[2..3],
        ),
    ] {
        let dir = root.join(course);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("course.toml"), toml).unwrap();
        for f in take {
            testkit::copy_dir(f, &dir.join(f.file_name().unwrap()));
        }
    }
    root
}

async fn slugs(
    app: &TestApp,
    path: &str,
    learner: Option<&crate::helpers::Learner>,
) -> Vec<String> {
    let res = app.get(path, learner).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    let list: Vec<Value> = res.json().await.unwrap();
    list.iter()
        .map(|a| a["slug"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn several_courses_each_at_its_own_address_and_a_removed_one_is_unlisted() {
    let root = two_courses();
    let env = testkit::TestEnv::empty().await;
    let mut config = config(&env);
    config.courses_dir = root.clone();
    let app = TestApp::start(env, config).await;

    let courses: Vec<Value> = app.get("/api/courses", None).await.json().await.unwrap();
    assert_eq!(courses.len(), 2, "{courses:?}");
    assert_eq!(courses[0]["slug"], "cs1");
    assert_eq!(courses[0]["join"], "code");
    assert_eq!(courses[0]["term"], "Spring");
    assert_eq!(courses[0]["default"], false);
    assert_eq!(courses[1]["slug"], "intro");
    assert_eq!(courses[1]["default"], true);
    assert!(
        !courses[0].to_string().contains("tulip"),
        "the join code is never shown"
    );

    let intro = slugs(&app, "/api/courses/intro/assignments", None).await;
    assert_eq!(intro.len(), 2);
    assert_eq!(
        slugs(&app, "/api/assignments", None).await,
        intro,
        "the default course"
    );
    // cs1 takes a join code (see enrolment.rs): a member reads it.
    let member = app.learner().await;
    let joined = app
        .http
        .post(app.url("/api/courses/cs1/join"))
        .bearer_auth(&member.token)
        .json(&serde_json::json!({ "code": "tulip-42" }))
        .send()
        .await
        .unwrap();
    assert_eq!(joined.status(), StatusCode::OK);
    let cs1 = slugs(&app, "/api/courses/cs1/assignments", Some(&member)).await;
    assert_eq!(cs1.len(), 1);
    // The same folder name in two courses would be two assignments; here
    // each course has its own.
    assert!(!intro.contains(&cs1[0]));
    for path in [
        "/api/courses/nope/assignments",
        "/api/courses/..%2f/assignments",
    ] {
        let res = app.get(path, None).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "not_found", "{path}");
    }
    let cs1_list: Vec<Value> = app
        .get("/api/courses/cs1/assignments", Some(&member))
        .await
        .json()
        .await
        .unwrap();
    let cs1_id = cs1_list[0]["id"].as_i64().unwrap();
    let (env, config) = app.stop().await;

    // The cs1 folder goes: the course is unlisted and its assignment hidden.
    std::fs::remove_dir_all(root.join("cs1")).unwrap();
    let app = TestApp::start(env, config).await;
    let courses: Vec<Value> = app.get("/api/courses", None).await.json().await.unwrap();
    assert_eq!(courses.len(), 1, "{courses:?}");
    let gone = app.get("/api/courses/cs1/assignments", None).await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    let gone = app.get(&format!("/api/assignments/{cs1_id}"), None).await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    let (env, mut config) = app.stop().await;

    // A default course that does not exist stops the start, naming it.
    config.default_course = "missing".into();
    let err = match programming_api::build(&config).await {
        Ok(_) => panic!("the API started without its default course"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains("DEFAULT_COURSE") && err.contains("missing"),
        "{err}"
    );
    drop(env);
    std::fs::remove_dir_all(&root).unwrap();
}
