//! The command-line client against the real platform (API, grader in
//! Docker, gateway, Postgres and Redis), run as a learner runs it: the
//! built binary, with its own config directory.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;

use e2e::{repo, start_stack};
use serde_json::Value;
use testkit::TestEnv;

/// Runs the client with `args`, its config under `home`, and `env`.
async fn cli(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_codeplatform"));
    command
        .args(args)
        .env_clear()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .envs(env.iter().copied());
    command.output().await.expect("the client runs")
}

/// [`cli`] with `input` on its standard input.
async fn cli_with_input(home: &Path, args: &[&str], input: &str) -> Output {
    use tokio::io::AsyncWriteExt;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_codeplatform"))
        .args(args)
        .env_clear()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the client runs");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).await.unwrap();
    drop(stdin);
    child.wait_with_output().await.unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn reference(slug: &str) -> (String, String) {
    let course =
        courseload::assignments::load_course(&courseload::assignments::repository_course_dir())
            .unwrap();
    let a = course.into_iter().find(|a| a.slug == slug).unwrap();
    (a.starter_code, a.solution_code)
}

#[tokio::test]
async fn a_learner_logs_in_fetches_runs_and_submits_from_a_terminal() {
    let env = TestEnv::new().await;
    let stack = start_stack(&env, &repo().join("courses")).await;
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let server = stack.api_url.as_str();

    let before = cli(home, &["--server", server, "assignments"], &[]).await;
    assert_eq!(before.status.code(), Some(3));
    assert!(err(&before).contains("not logged in"), "{}", err(&before));

    let login = cli(home, &["--server", server, "login"], &[]).await;
    assert_eq!(login.status.code(), Some(0), "{}", err(&login));
    let file = home.join("config/codeplatform/credentials.json");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the token file is the learner's alone");
    let saved: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let token = saved["tokens"][server].as_str().unwrap().to_owned();
    let me: Value = reqwest::Client::new()
        .get(format!("{server}/api/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(me["user_id"].is_string(), "the kept token works: {me}");

    // The server from CODEPLATFORM_SERVER, then from the last login.
    let list = cli(home, &["assignments"], &[("CODEPLATFORM_SERVER", server)]).await;
    assert_eq!(list.status.code(), Some(0), "{}", err(&list));
    assert!(
        out(&list).contains("greeting") && out(&list).contains("0 of 15 passed"),
        "{}",
        out(&list)
    );
    let dir = home.join("work/greeting");
    let fetch = cli(
        home,
        &["fetch", "greeting", "--dir", dir.to_str().unwrap()],
        &[],
    )
    .await;
    assert_eq!(fetch.status.code(), Some(0), "{}", err(&fetch));
    let (starter, solution) = reference("greeting");
    assert_eq!(
        std::fs::read_to_string(dir.join("solution.py")).unwrap(),
        starter
    );
    let handout = std::fs::read_to_string(dir.join("handout.html")).unwrap();
    assert!(handout.contains("Hello, function"), "{handout}");

    // The starter fails, run or submitted: exit 1, each test printed.
    let starter_file = dir.join("solution.py");
    let starter_file = starter_file.to_str().unwrap();
    let run = cli(
        home,
        &["run", starter_file, "--assignment", "greeting"],
        &[],
    )
    .await;
    assert_eq!(run.status.code(), Some(1), "{}{}", out(&run), err(&run));
    assert!(
        out(&run).contains("Test run: ✘") && out(&run).contains("not submitted"),
        "{}",
        out(&run)
    );
    let submit = cli(home, &["submit", starter_file, "-a", "greeting"], &[]).await;
    assert_eq!(
        submit.status.code(),
        Some(1),
        "{}{}",
        out(&submit),
        err(&submit)
    );
    assert!(out(&submit).contains("✘"), "{}", out(&submit));
    assert!(
        out(&submit).contains("test_"),
        "each test is named: {}",
        out(&submit)
    );

    // The reference solution passes: exit 0; and --json is one document.
    std::fs::write(dir.join("solution.py"), &solution).unwrap();
    let pass = cli(
        home,
        &["submit", starter_file, "--assignment", "greeting"],
        &[],
    )
    .await;
    assert_eq!(pass.status.code(), Some(0), "{}{}", out(&pass), err(&pass));
    assert!(out(&pass).starts_with("✔ Passed"), "{}", out(&pass));
    let again = cli(
        home,
        &["--json", "submit", starter_file, "-a", "greeting"],
        &[],
    )
    .await;
    assert_eq!(again.status.code(), Some(0), "{}", err(&again));
    let parsed: Value = serde_json::from_str(out(&again).trim()).unwrap();
    assert_eq!(parsed["verdict"], "passed");
    let list = cli(home, &["--json", "assignments"], &[]).await;
    let rows: Value = serde_json::from_str(out(&list).trim()).unwrap();
    assert_eq!(rows[0]["passed"], true, "{rows}");

    // A notebook assignment: the starter notebook is fetched; submitted, it
    // fails per question; the reference notebook passes.
    let nb_dir = home.join("work/nb");
    let fetch = cli(
        home,
        &["fetch", "word-stats", "--dir", nb_dir.to_str().unwrap()],
        &[],
    )
    .await;
    assert_eq!(fetch.status.code(), Some(0), "{}", err(&fetch));
    let starter = nb_dir.join("word-stats.ipynb");
    let notebook: Value =
        serde_json::from_str(&std::fs::read_to_string(&starter).unwrap()).unwrap();
    assert_eq!(notebook["nbformat"], 4);
    let failed = cli(
        home,
        &["submit", starter.to_str().unwrap(), "-a", "word-stats"],
        &[],
    )
    .await;
    assert_eq!(
        failed.status.code(),
        Some(1),
        "{}{}",
        out(&failed),
        err(&failed)
    );
    assert!(
        out(&failed).contains("q2: 3 of 4 tests failed"),
        "{}",
        out(&failed)
    );
    let reference = repo().join("courses/intro/14-word-stats/solution.ipynb");
    let passed = cli(
        home,
        &["submit", reference.to_str().unwrap(), "-a", "word-stats"],
        &[],
    )
    .await;
    assert_eq!(
        passed.status.code(),
        Some(0),
        "{}{}",
        out(&passed),
        err(&passed)
    );
    assert!(
        out(&passed).contains("q3: all 3 tests passed"),
        "{}",
        out(&passed)
    );

    // The same learner on a second machine: the token from standard input
    // (never on the command line), kept and working.
    let other = tempfile::tempdir().unwrap();
    let again = cli_with_input(
        other.path(),
        &["--server", server, "login", "--with-token"],
        &format!("{token}\n"),
    )
    .await;
    assert_eq!(again.status.code(), Some(0), "{}", err(&again));
    let kept =
        std::fs::read_to_string(other.path().join("config/codeplatform/credentials.json")).unwrap();
    assert!(kept.contains(&token));
    let list = cli(other.path(), &["assignments"], &[]).await;
    assert!(out(&list).contains("2 of 15 passed"), "{}", out(&list));
}

/// A server that answers every request 502 with an HTML page, as a broken
/// proxy in front of the platform would.
async fn failing_proxy() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (mut stream, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let _ = stream.read(&mut buf).await;
                let body = "<html><h1>502 Bad Gateway</h1></html>";
                let reply = format!(
                    "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(reply.as_bytes()).await;
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn failures_are_clear_and_never_exit_zero() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();

    let none = cli(home, &["assignments"], &[]).await;
    assert_eq!(none.status.code(), Some(2), "no server is a usage error");
    assert!(err(&none).contains("no server"), "{}", err(&none));

    let closed = format!("http://127.0.0.1:{}", testkit::free_port());
    let unreachable = cli(home, &["--server", &closed, "login"], &[]).await;
    assert_eq!(unreachable.status.code(), Some(3));
    assert!(
        err(&unreachable).contains("cannot reach"),
        "{}",
        err(&unreachable)
    );

    let proxy = failing_proxy().await;
    let failed = cli(home, &["--server", &proxy, "login"], &[]).await;
    assert_eq!(failed.status.code(), Some(3));
    let message = err(&failed);
    assert!(
        message.contains("the server failed (HTTP 502 Bad Gateway"),
        "{message}"
    );
    let json = cli(home, &["--json", "--server", &proxy, "login"], &[]).await;
    assert_eq!(json.status.code(), Some(3));
    let parsed: Value = serde_json::from_str(out(&json).trim()).unwrap();
    assert!(
        parsed["error"].as_str().unwrap().contains("502"),
        "{parsed}"
    );
    assert!(
        !home.join("config/codeplatform/credentials.json").exists(),
        "nothing is kept from a failed login"
    );

    // A credentials file that does not read is never overwritten.
    let broken = tempfile::tempdir().unwrap();
    let file = broken.path().join("config/codeplatform/credentials.json");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, "{\"tokens\": {\"http://a\": \"only copy\"").unwrap();
    let refused = cli(broken.path(), &["--server", &closed, "login"], &[]).await;
    assert_eq!(refused.status.code(), Some(3));
    assert!(err(&refused).contains("does not read"), "{}", err(&refused));
    assert!(std::fs::read_to_string(&file)
        .unwrap()
        .contains("only copy"));

    let usage = cli(home, &["--server", &proxy, "submit", "x.py"], &[]).await;
    assert_eq!(
        usage.status.code(),
        Some(2),
        "a missing --assignment is a usage error"
    );
    let bad = cli(home, &["--server", "ftp://example.org", "login"], &[]).await;
    assert_eq!(bad.status.code(), Some(2));
    assert!(err(&bad).contains("http://host"), "{}", err(&bad));
}

#[tokio::test]
async fn the_servers_refusals_reach_the_learner_as_its_messages() {
    let env = TestEnv::new().await;
    let stack = start_stack(&env, &repo().join("courses")).await;
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let server = stack.api_url.as_str();
    assert_eq!(
        cli(home, &["--server", server, "login"], &[])
            .await
            .status
            .code(),
        Some(0)
    );
    let file = home.join("big.py");
    std::fs::write(&file, "#".repeat(70 * 1024)).unwrap();
    let file = file.to_str().unwrap();

    let too_big = cli(home, &["submit", file, "-a", "greeting"], &[]).await;
    assert_eq!(too_big.status.code(), Some(3));
    assert!(
        err(&too_big).contains("code_too_large"),
        "{}",
        err(&too_big)
    );
    let unknown = cli(home, &["submit", file, "-a", "no-such-thing"], &[]).await;
    assert_eq!(unknown.status.code(), Some(3));
    assert!(
        err(&unknown).contains("no assignment \"no-such-thing\""),
        "{}",
        err(&unknown)
    );
    let text = home.join("notes.txt");
    std::fs::write(&text, "hello").unwrap();
    let wrong_kind = cli(
        home,
        &["run", text.to_str().unwrap(), "-a", "greeting"],
        &[],
    )
    .await;
    assert_eq!(wrong_kind.status.code(), Some(2));
    assert!(
        err(&wrong_kind).contains(".py file or an .ipynb"),
        "{}",
        err(&wrong_kind)
    );
    let no_course = cli(home, &["assignments", "--course", "nope"], &[]).await;
    assert_eq!(no_course.status.code(), Some(3));
    assert!(err(&no_course).contains("404"), "{}", err(&no_course));
}

#[tokio::test]
async fn a_learner_signs_in_to_their_account_from_a_terminal() {
    let env = TestEnv::new().await;
    let stack = start_stack(&env, &repo().join("courses")).await;
    let server = stack.api_url.as_str();
    let http = reqwest::Client::new();
    // On the page: a learner keeps their progress as an account.
    let made: Value = http
        .post(format!("{server}/api/users"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let res = http
        .post(format!("{server}/api/me/account"))
        .bearer_auth(made["token"].as_str().unwrap())
        .json(&serde_json::json!({"username": "lin", "password": "a long enough password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    // In a terminal: the same learner.
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let login = cli_with_input(
        home,
        &["--server", server, "--json", "login", "--username", "lin"],
        "a long enough password\n",
    )
    .await;
    assert_eq!(login.status.code(), Some(0), "{}", err(&login));
    let said: Value = serde_json::from_str(&out(&login)).unwrap();
    assert_eq!(said["user_id"], made["user_id"]);
    let text = cli_with_input(
        home,
        &["--server", server, "login", "--username", "lin"],
        "a long enough password\n",
    )
    .await;
    assert!(out(&text).contains("as lin (learner "), "{}", out(&text));
    // A wrong password is the server's refusal, exit code 3, nothing kept.
    let other = tempfile::tempdir().unwrap();
    let wrong = cli_with_input(
        other.path(),
        &["--server", server, "login", "--username", "lin"],
        "not the password at all\n",
    )
    .await;
    assert_eq!(wrong.status.code(), Some(3));
    assert!(err(&wrong).contains("bad_credentials"), "{}", err(&wrong));
    assert!(!other
        .path()
        .join("config/codeplatform/credentials.json")
        .exists());
}

#[tokio::test]
async fn the_folder_fetch_made_names_its_assignment_and_a_pass_shows_the_points() {
    let env = TestEnv::new().await;
    let stack = start_stack(&env, &repo().join("courses")).await;
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let server = stack.api_url.as_str();
    assert_eq!(
        cli(home, &["--server", server, "login"], &[])
            .await
            .status
            .code(),
        Some(0)
    );
    let dir = home.join("greeting");
    let fetch = cli(
        home,
        &["fetch", "greeting", "--dir", dir.to_str().unwrap()],
        &[],
    )
    .await;
    assert_eq!(fetch.status.code(), Some(0), "{}", err(&fetch));
    // The handout has its title once.
    let handout = std::fs::read_to_string(dir.join("handout.html")).unwrap();
    assert_eq!(handout.matches("<h1").count(), 1, "{handout}");
    // A file in that folder is that assignment's, without --assignment.
    let (_, solution) = reference("greeting");
    let file = dir.join("solution.py");
    std::fs::write(&file, solution).unwrap();
    let submit = cli(home, &["submit", file.to_str().unwrap()], &[]).await;
    assert_eq!(
        submit.status.code(),
        Some(0),
        "{}{}",
        out(&submit),
        err(&submit)
    );
    assert!(
        out(&submit).contains("You have 100 points."),
        "{}",
        out(&submit)
    );
    // An exam holding results until its due date: the submission is
    // received, when the results come is said, and it is no failure.
    let due = env
        .pool
        .get()
        .await
        .unwrap()
        .query_one(
            "UPDATE assignments SET due_at = date_trunc('second', now()) + interval '1 day',
                 release = 'after_due'
             WHERE slug = 'temperature' RETURNING due_at",
            &[],
        )
        .await
        .unwrap()
        .get::<_, chrono::DateTime<chrono::Utc>>("due_at");
    let (_, solution) = reference("temperature");
    let file = home.join("exam.py");
    std::fs::write(&file, solution).unwrap();
    let exam = cli(
        home,
        &[
            "submit",
            file.to_str().unwrap(),
            "--assignment",
            "temperature",
        ],
        &[],
    )
    .await;
    assert_eq!(exam.status.code(), Some(0), "{}{}", out(&exam), err(&exam));
    let when = due.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
    assert!(
        out(&exam).contains(&format!(
            "Received. Its results and points are released at {when}."
        )),
        "{}",
        out(&exam)
    );
    assert!(
        !out(&exam).contains("points."),
        "no points told: {}",
        out(&exam)
    );
    // A file elsewhere still needs it: a usage error saying so.
    let loose = home.join("loose.py");
    std::fs::write(&loose, "x = 1\n").unwrap();
    let usage = cli(home, &["run", loose.to_str().unwrap()], &[]).await;
    assert_eq!(usage.status.code(), Some(2));
    assert!(err(&usage).contains("give --assignment"), "{}", err(&usage));
    // The list keeps its columns past 9.
    let list = cli(home, &["assignments"], &[]).await;
    let lines: Vec<String> = out(&list).lines().map(str::to_owned).collect();
    let column = |n: &str| {
        let line = lines
            .iter()
            .find(|l| l.contains(&format!("{n}. ")))
            .unwrap();
        line.find(". ").unwrap()
    };
    assert_eq!(column(" 9"), column("10"), "{lines:?}");
    // Where nothing answers, the client says so (not "not logged in").
    let nowhere = format!("http://127.0.0.1:{}", testkit::free_port());
    let lost = cli(home, &["--server", &nowhere, "assignments"], &[]).await;
    assert_eq!(lost.status.code(), Some(3));
    assert!(err(&lost).contains("nothing answers at"), "{}", err(&lost));
}

#[tokio::test]
async fn an_instructor_publishes_a_course_folder_and_sees_it_live_or_rejected() {
    let env = TestEnv::new().await;
    let stack = start_stack(&env, &repo().join("courses")).await;
    let server = stack.api_url.as_str();
    programming_api::staff::add(
        &stack.api.ctx.pool,
        "intro",
        service::token::Role::Instructor,
        "ada",
        "an instructor's long password",
    )
    .await
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    // A copy of the course, its greeting renamed, named for the course.
    let folder = tempfile::tempdir().unwrap();
    let course = folder.path().join("intro");
    testkit::copy_dir(&repo().join("courses/intro"), &course);
    let manifest = course.join("01-greeting/assignment.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text.replace("Hello, function", "Hello, terminal"),
    )
    .unwrap();
    let dir = course.to_str().unwrap();

    let live = cli_with_input(
        home,
        &[
            "--server",
            server,
            "course",
            "publish",
            dir,
            "--username",
            "ada",
        ],
        "an instructor's long password\n",
    )
    .await;
    assert_eq!(live.status.code(), Some(0), "{}{}", out(&live), err(&live));
    assert!(
        err(&live).contains("intro: version 2 taken"),
        "{}",
        err(&live)
    );
    assert!(
        out(&live).contains("intro: version 2 is live"),
        "{}",
        out(&live)
    );
    let titles: Value = reqwest::get(format!("{server}/api/courses/intro/assignments"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(titles[0]["title"], "Hello, terminal");

    // A broken reference: rejected, exit 1, the reason printed; with a
    // token from the environment, as a CI job runs it.
    std::fs::write(
        course.join("03-fizzbuzz/solution.py"),
        "def fizzbuzz(n):\n    return []\n",
    )
    .unwrap();
    let session: Value = reqwest::Client::new()
        .post(format!("{server}/api/staff/sessions"))
        .json(&serde_json::json!({"username": "ada", "password": "an instructor's long password"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let rejected = cli(
        home,
        &["--server", server, "--json", "course", "publish", dir],
        &[(
            "CODEPLATFORM_STAFF_TOKEN",
            session["token"].as_str().unwrap(),
        )],
    )
    .await;
    assert_eq!(rejected.status.code(), Some(1), "{}", err(&rejected));
    let state: Value = serde_json::from_str(&out(&rejected)).unwrap();
    assert_eq!(
        (state["version"].as_i64(), state["status"].as_str()),
        (Some(3), Some("rejected"))
    );
    assert!(
        state["reasons"][0]
            .as_str()
            .unwrap()
            .starts_with("fizzbuzz: the reference solution (solution.py) does not pass"),
        "{state}"
    );

    // Not a course folder, and no one to publish as: usage errors.
    let nothing = cli(
        home,
        &[
            "--server",
            server,
            "course",
            "publish",
            "/tmp",
            "--username",
            "ada",
        ],
        &[],
    )
    .await;
    assert_eq!(nothing.status.code(), Some(2));
    assert!(
        err(&nothing).contains("no course.toml"),
        "{}",
        err(&nothing)
    );
    let nobody = cli(home, &["--server", server, "course", "publish", dir], &[]).await;
    assert_eq!(nobody.status.code(), Some(2));
    assert!(
        err(&nobody).contains("CODEPLATFORM_STAFF_TOKEN"),
        "{}",
        err(&nobody)
    );
}
