//! Published course versions are checked here, because a grader has the
//! sandbox: the instructor's files run nowhere else. A version is taken
//! from Postgres under a lease (`store::versions`), unpacked and read by
//! the course loader (file and field named), its tests listed by the
//! runner's own loader in the sandbox, then every reference solution must
//! pass and every starter must fail, graded exactly as learners' work is.
//! Only then does it go live; else it is rejected with every reason. Each
//! sandbox run takes one of the replica's grading slots, so a check shares
//! the replica with learners' work rather than adding to it.

use std::sync::Arc;
use std::time::Duration;

use courseload::archive;
use courseload::listers::Listing;
use domain::course::{AssignmentSource, CourseSource, CourseVersionEvent, Kind, VersionNews};
use domain::runners::Runner;
use domain::verdict::Verdict;
use futures::StreamExt;
use serde::Deserialize;
use store::versions::{Passed, Taken, MAX_ATTEMPTS};
use tokio::sync::Semaphore;
use uuid::Uuid;

use crate::judge::{framed, hidden_details, judge};
use crate::sandbox::{new_nonce, ExecutionSpec, Limits, SandboxError, Task, TestSuite};
use crate::worker::Grader;

/// How long a grader holds a version it checks before another may take
/// it; renewed every third of it while the check goes on.
const LEASE: Duration = Duration::from_secs(120);
/// The longest a check may take: past it the version is rejected.
const CHECK_BUDGET: Duration = Duration::from_secs(1200);
/// How long a version waits after the sandbox failed to check it.
const RETRY_AFTER: Duration = Duration::from_secs(10);
/// The limits of listing a version's tests (the instructor's files only).
const LIST_LIMITS: (u64, u64, u32) = (20_000, 20_000, 512);
/// The longest failure message quoted in a reason.
const QUOTE_CHARS: usize = 300;

/// Checks published versions, one at a time, until `stop`.
pub async fn run(
    grader: Arc<Grader>,
    slots: Arc<Semaphore>,
    stop: impl std::future::Future<Output = ()>,
) {
    let mut stop = std::pin::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => return,
            () = tokio::time::sleep(grader.config.version_poll) => {}
        }
        match store::versions::take(&grader.pool, LEASE).await {
            Ok(Some(taken)) => {
                tokio::select! {
                    () = &mut stop => return,
                    () = check(&grader, &slots, &taken) => {}
                }
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "cannot look for course versions to check"),
        }
    }
}

#[tracing::instrument(skip_all, fields(course = %taken.slug, version = taken.version))]
async fn check(grader: &Grader, slots: &Semaphore, taken: &Taken) {
    let checked = tokio::select! {
        checked = tokio::time::timeout(CHECK_BUDGET, verdict_on(grader, slots, taken)) => checked,
        never = keep_lease(grader, taken) => match never {},
    };
    let checked = checked.unwrap_or_else(|_| {
        Ok(Err(vec![format!(
            "its check took over {} minutes: fewer assignments, or shorter time limits",
            CHECK_BUDGET.as_secs() / 60
        )]))
    });
    let ended = match checked {
        Ok(Ok(source)) => store::versions::pass(&grader.pool, taken, &source)
            .await
            .map(|passed| match passed {
                Passed::Served => Some(news(taken, "live", true, Vec::new())),
                Passed::Kept => Some(news(taken, "live", false, Vec::new())),
                Passed::Gone => None,
            }),
        Ok(Err(reasons)) => store::versions::reject(&grader.pool, taken, &reasons)
            .await
            .map(|ended| ended.then(|| news(taken, "rejected", false, reasons))),
        Err(e) if taken.attempts >= MAX_ATTEMPTS => {
            let reasons = vec![format!(
                "the sandbox could not check this version in {MAX_ATTEMPTS} attempts ({e}); \
                 publish it again, and tell your operator if it fails again"
            )];
            store::versions::reject(&grader.pool, taken, &reasons)
                .await
                .map(|ended| ended.then(|| news(taken, "rejected", false, reasons)))
        }
        Err(e) => {
            tracing::warn!(error = %e, "the sandbox failed; the version will be checked again");
            store::versions::give_back(&grader.pool, taken, RETRY_AFTER)
                .await
                .map(|()| None)
        }
    };
    match ended {
        Ok(Some(event)) => {
            tracing::info!(status = %event.course_version.status, reasons = ?event.course_version.reasons, "course version checked");
            if let Err(e) = grader.events.publish_event(&event).await {
                tracing::warn!(error = %e, "could not announce the course version");
            }
        }
        Ok(None) => {}
        Err(e) => {
            tracing::warn!(error = %e, "cannot record the version's check; it is taken again after its lease")
        }
    }
}

/// Keeps the version's lease while its check goes on; never returns.
async fn keep_lease(grader: &Grader, taken: &Taken) -> std::convert::Infallible {
    loop {
        tokio::time::sleep(LEASE / 3).await;
        if let Err(e) = store::versions::renew(&grader.pool, taken, LEASE).await {
            tracing::warn!(error = %e, "cannot renew the version's lease");
        }
    }
}

fn news(taken: &Taken, status: &str, current: bool, reasons: Vec<String>) -> CourseVersionEvent {
    CourseVersionEvent {
        course_id: taken.course_id,
        course_version: VersionNews {
            version: taken.version,
            status: status.to_owned(),
            current,
            reasons,
        },
    }
}

/// The version as checked (tests listed), or every reason it may not go
/// live; Err when the sandbox itself failed.
async fn verdict_on(
    grader: &Grader,
    slots: &Semaphore,
    taken: &Taken,
) -> Result<Result<CourseSource, Vec<String>>, SandboxError> {
    let (archive, slug) = (taken.archive.clone(), taken.slug.clone());
    let read = tokio::task::spawn_blocking(move || {
        let unpacked = archive::unpack(&archive, &slug)?;
        courseload::courses::read_course_folder(unpacked.course_dir(), &slug)
            .map_err(|e| courseload::Error::Config(unpacked.relative(&e.to_string())))
    })
    .await
    .map_err(|e| SandboxError::Unavailable(format!("reading the archive: {e}")))?;
    let mut source = match read {
        Ok(source) => source,
        // This machine's fault (no room to unpack): checked again later.
        Err(courseload::Error::Unavailable(why)) => return Err(SandboxError::Unavailable(why)),
        Err(reason) => return Ok(Err(vec![reason.to_string()])),
    };
    for runner in domain::runners::ALL {
        let sources = courseload::assignments::tests_of(runner, &source.assignments);
        if sources.is_empty() {
            continue;
        }
        if !grader.config.allowed_runners.contains(&runner.name) {
            return Ok(Err(vec![format!(
                "the course uses the {:?} runner, which this platform's graders may not use \
                 (GRADER_ALLOWED_RUNNERS)",
                runner.name
            )]));
        }
        let listed = match list_tests(grader, slots, runner, &sources).await? {
            Ok(listed) => listed,
            Err(reason) => return Ok(Err(vec![reason])),
        };
        if let Err(e) =
            courseload::assignments::take_listing(runner, &mut source.assignments, listed)
        {
            return Ok(Err(vec![e.to_string()]));
        }
    }
    let reasons = try_every_assignment(grader, slots, &source.assignments).await?;
    Ok(if reasons.is_empty() {
        Ok(source)
    } else {
        Err(reasons)
    })
}

/// A listing as the runner reports it: one entry per test file.
#[derive(Deserialize)]
struct Listed {
    status: String,
    #[serde(default)]
    listings: Vec<ListedFile>,
}

#[derive(Deserialize)]
struct ListedFile {
    #[serde(flatten)]
    listing: Option<Listing>,
    error: Option<String>,
}

/// `runner`'s loader run over `sources` in the sandbox.
async fn list_tests(
    grader: &Grader,
    slots: &Semaphore,
    runner: &'static Runner,
    sources: &[&str],
) -> Result<Result<Vec<Result<Listing, String>>, String>, SandboxError> {
    let (run_ms, test_ms, memory_mb) = LIST_LIMITS;
    let spec = ExecutionSpec {
        job_id: Uuid::new_v4(),
        runner,
        task: Task::List(sources),
        limits: Limits::new(run_ms, test_ms, memory_mb),
    };
    let nonce = new_nonce();
    let outcome = {
        let _slot = slots.acquire().await.expect("semaphore open");
        grader.sandbox.execute(&spec, &nonce).await?
    };
    let listed = framed::<Listed>(&outcome.channel, &nonce).filter(|l| l.status == "listed");
    let Some(listed) = listed.filter(|l| l.listings.len() == sources.len()) else {
        let why = if outcome.timed_out {
            format!("they took over {} s to load", run_ms / 1000)
        } else if outcome.oom_killed {
            format!("loading them took over {memory_mb} MB")
        } else {
            "their loader gave no answer".to_owned()
        };
        return Ok(Err(format!("the tests could not be listed: {why}")));
    };
    Ok(Ok(listed
        .listings
        .into_iter()
        .map(|f| match (f.listing, f.error) {
            (Some(listing), None) => Ok(listing),
            (_, error) => Err(error.unwrap_or_else(|| "no answer".into())),
        })
        .collect()))
}

/// Every assignment's reference graded (it must pass) and its starter (it
/// must not), two at a time: the reasons it may not go live, none if it may.
async fn try_every_assignment(
    grader: &Grader,
    slots: &Semaphore,
    assignments: &[AssignmentSource],
) -> Result<Vec<String>, SandboxError> {
    // The futures made first and the stream given them whole: a stream
    // that made them with a borrowing closure would not be `Send`.
    let mut runs = Vec::new();
    for a in assignments {
        runs.push(try_one(grader, slots, a, true));
        runs.push(try_one(grader, slots, a, false));
    }
    let results: Vec<Result<Option<String>, SandboxError>> =
        futures::stream::iter(runs).buffered(2).collect().await;
    results.into_iter().filter_map(Result::transpose).collect()
}

/// Why the reference (or the starter) of `a` is not as it must be, if it is not.
async fn try_one(
    grader: &Grader,
    slots: &Semaphore,
    a: &AssignmentSource,
    reference: bool,
) -> Result<Option<String>, SandboxError> {
    let (tests, limits) = (TestSuite::of(a), Limits::of(a));
    let code = if reference {
        &a.solution_code
    } else {
        &a.starter_code
    };
    let spec = ExecutionSpec {
        job_id: Uuid::new_v4(),
        runner: a.runner,
        task: Task::Grade {
            solution: code,
            tests: &tests,
        },
        limits,
    };
    let nonce = new_nonce();
    let outcome = {
        let _slot = slots.acquire().await.expect("semaphore open");
        grader.sandbox.execute(&spec, &nonce).await?
    };
    let (verdict, feedback) = judge(&outcome, &nonce, &tests, a.runner, &limits);
    let passed = verdict == Verdict::Passed;
    if reference && !passed {
        // Staff see the hidden tests too: the reason names what failed.
        let failed = feedback
            .tests
            .iter()
            .filter(|t| !t.hidden)
            .chain(&hidden_details(&outcome, &nonce, &tests, &limits))
            .find(|t| !t.passed)
            .map(|t| format!(" {} failed: {}", t.name, quote(&t.message)))
            .unwrap_or_default();
        return Ok(Some(format!(
            "{}: the reference solution ({}) does not pass ({}): {}{failed}",
            a.slug,
            files_of(a).0,
            verdict.as_str(),
            quote(&feedback.summary)
        )));
    }
    if !reference && passed {
        return Ok(Some(format!(
            "{}: the starter ({}) passes every test; a starter must fail, or the assignment \
             asks nothing",
            a.slug,
            files_of(a).1
        )));
    }
    Ok(None)
}

/// The files an assignment's reference and starter are in.
fn files_of(a: &AssignmentSource) -> (&'static str, &'static str) {
    match a.kind {
        Kind::Code => (a.runner.reference_file, a.runner.starter_file),
        Kind::Notebook => (
            courseload::assignments::REFERENCE_NOTEBOOK,
            courseload::assignments::STARTER_NOTEBOOK,
        ),
    }
}

fn quote(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(QUOTE_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}
