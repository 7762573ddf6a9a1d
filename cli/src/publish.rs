//! `course publish DIR`: an instructor's course folder, packed as the
//! platform takes it (`courseload::archive::pack`), sent as a new version,
//! and followed until the platform's check ends: live, or rejected with
//! its reasons. From a terminal or a CI job: the staff token comes from
//! `CODEPLATFORM_STAFF_TOKEN`, or a sign-in with the password on standard
//! input.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use domain::published::{CourseVersion, PublishedVersion, StaffSession};
use serde_json::json;

use crate::api::Api;
use crate::{first_line, Ended, Usage};

/// How long the client follows a check before it leaves it to the server.
const FOLLOW_FOR: Duration = Duration::from_secs(900);
/// How often it asks.
const ASK_EVERY: Duration = Duration::from_secs(1);

/// Who publishes: a staff token, or a username whose password is read
/// from standard input.
pub enum Staff {
    Token(String),
    Username(String),
}

pub async fn publish(
    server: &str,
    dir: &Path,
    course: Option<String>,
    staff: Staff,
    wait: bool,
    as_json: bool,
) -> anyhow::Result<Ended> {
    let slug = match course {
        Some(slug) => slug,
        None => dir
            .canonicalize()
            .ok()
            .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
            .ok_or_else(|| Usage(format!("{}: give --course", dir.display())))?,
    };
    let archive = courseload::archive::pack(dir).map_err(|e| Usage(e.to_string()))?;
    let token = match staff {
        Staff::Token(token) => token,
        Staff::Username(username) => {
            let password = first_line()?;
            let session: StaffSession = serde_json::from_value(
                Api::new(server, None)?
                    .post(
                        "/api/staff/sessions",
                        Some(&json!({ "username": username, "password": password })),
                    )
                    .await?,
            )?;
            session.token
        }
    };
    let api = Api::new(server, Some(token))?;
    let bytes = archive.len();
    let published: PublishedVersion = serde_json::from_value(
        api.post_bytes(
            &format!("/api/courses/{slug}/versions"),
            "application/gzip",
            archive,
        )
        .await?,
    )
    .context("the server's answer to a published version")?;
    if !as_json {
        eprintln!(
            "{slug}: version {} taken ({bytes} bytes); the platform checks it: every reference \
             must pass and every starter fail",
            published.version
        );
    }
    if !wait {
        if as_json {
            println!("{}", serde_json::to_value(&published)?);
        }
        return Ok(Ended::Done);
    }
    let state = follow(&api, &slug, published.version).await?;
    report(&slug, &state, as_json)?;
    Ok(if state.status == "live" {
        Ended::Done
    } else {
        Ended::NotPassed
    })
}

/// The version's state once its check ended.
async fn follow(api: &Api, slug: &str, version: i32) -> anyhow::Result<CourseVersion> {
    let started = Instant::now();
    loop {
        let state: CourseVersion = api
            .get_as(&format!("/api/courses/{slug}/versions/{version}"))
            .await?;
        if state.status != "checking" {
            return Ok(state);
        }
        if started.elapsed() > FOLLOW_FOR {
            anyhow::bail!(
                "version {version} is still being checked after {} s; ask again with \
                 GET /api/courses/{slug}/versions/{version}",
                FOLLOW_FOR.as_secs()
            );
        }
        tokio::time::sleep(ASK_EVERY).await;
    }
}

fn report(slug: &str, state: &CourseVersion, as_json: bool) -> anyhow::Result<()> {
    if as_json {
        println!("{}", serde_json::to_value(state)?);
        return Ok(());
    }
    match state.status.as_str() {
        "live" if state.current => println!("{slug}: version {} is live", state.version),
        "live" => println!(
            "{slug}: version {} passed its check, but another version was made live since it \
             was published, so that one is served; serve this one with POST \
             /api/courses/{slug}/versions/{}/live",
            state.version, state.version
        ),
        _ => {
            println!(
                "{slug}: version {} was rejected; what is served is unchanged",
                state.version
            );
            for reason in &state.reasons {
                println!("  - {reason}");
            }
        }
    }
    Ok(())
}
