//! `codeplatform`: the learner's command-line client, for who works in a
//! terminal or in Jupyter. It talks only to the public API and the gateway,
//! as the page does, and gets the same errors.
//!
//! Exit codes: 0 done (for `run` and `submit`: the code passed; for
//! `submit` also received, where the assignment holds results until its
//! due date), 1 the code did not pass, 2 a usage error (clap's, no server, a server that is not a
//! URL, a file that is neither `.py` nor `.ipynb`), 3 anything else (the
//! server unreachable, a refusal, a server error).
//!
//! - `api`: the public HTTP API, as the page uses it; its errors as clear
//!   messages.
//! - `credentials`: the learner's tokens, one per server, readable by their
//!   owner alone.
//! - `folder`: the folder `fetch` made, and which assignment it is for.
//! - `live`: submitting or running and waiting for the outcome, on the
//!   gateway's socket and by asking the API.
//! - `publish`: an instructor's course folder sent as a new version, and
//!   its check followed.
//! - `report`: what the client prints, for people or as JSON.

mod api;
mod credentials;
mod folder;
mod live;
mod publish;
mod report;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use serde_json::{json, Value};

use domain::published::{NewLearner, Progress, Session};

use crate::api::Api;
use crate::live::Job;

#[derive(Parser)]
#[command(
    name = "codeplatform",
    version,
    about = "Work on codeplatform's assignments from a terminal"
)]
struct Cli {
    /// The platform's address, e.g. https://code.example.org (default: the
    /// one you last logged in to)
    #[arg(long, env = "CODEPLATFORM_SERVER", global = true)]
    server: Option<String>,
    /// Print one JSON document on stdout instead of text
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Become a learner on the server (a new anonymous one, or the one a
    /// token names) and keep the token in your config directory (mode 0600)
    Login {
        /// Read a token you already have from standard input (the page
        /// keeps yours in the browser) instead of becoming a new learner
        #[arg(long, conflicts_with = "username")]
        with_token: bool,
        /// Sign in to your account (made on the page with "Keep my
        /// progress"); the password is read from standard input
        #[arg(long)]
        username: Option<String>,
    },
    /// List a course's assignments, with those you have passed
    Assignments {
        /// The course's slug (default: the server's default course)
        #[arg(long)]
        course: Option<String>,
    },
    /// Write an assignment's starter code and handout into a folder
    Fetch {
        /// The assignment's slug, as `assignments` lists it
        slug: String,
        #[arg(long)]
        course: Option<String>,
        /// Where to write (default: a folder named after the slug)
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Overwrite a starter file that is already there
        #[arg(long)]
        force: bool,
    },
    /// Run the assignment's visible tests on FILE: no submission, no points
    Run(HandIn),
    /// Submit FILE for grading and wait for the verdict
    Submit(HandIn),
    /// For instructors: a course's versions
    #[command(subcommand)]
    Course(CourseCommand),
}

#[derive(Subcommand)]
enum CourseCommand {
    /// Publish the course folder DIR as a new version: the platform checks
    /// it (every reference must pass, every starter fail) and serves it when
    /// it passes. Exit 0 live, 1 rejected (the reasons printed).
    Publish {
        /// The course's folder: course.toml and its NN-slug/ folders
        dir: PathBuf,
        /// The course's slug (default: the folder's name)
        #[arg(long)]
        course: Option<String>,
        /// Your staff username; the password is read from standard input
        #[arg(long, env = "CODEPLATFORM_STAFF_USERNAME")]
        username: Option<String>,
        /// A staff token to publish with instead (a CI job's secret)
        #[arg(long, env = "CODEPLATFORM_STAFF_TOKEN", hide_env_values = true)]
        token: Option<String>,
        /// Return once the version is taken, without following its check
        #[arg(long)]
        no_wait: bool,
    },
}

/// What `run` and `submit` hand in, and to which assignment.
#[derive(clap::Args)]
struct HandIn {
    /// A .py file (or an .ipynb notebook)
    file: PathBuf,
    /// The assignment's slug (default: the one of the folder `fetch` made)
    #[arg(long, short)]
    assignment: Option<String>,
    #[arg(long)]
    course: Option<String>,
}

/// How a command ended, short of an error.
enum Ended {
    Done,
    NotPassed,
}

/// A mistake in how the client was called: exit code 2, as clap's own.
#[derive(Debug)]
pub struct Usage(pub String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    match run(cli).await {
        Ok(Ended::Done) => ExitCode::SUCCESS,
        Ok(Ended::NotPassed) => ExitCode::from(1),
        Err(e) => {
            if json {
                println!("{}", json!({"error": format!("{e:#}")}));
            } else {
                eprintln!("error: {e:#}");
            }
            ExitCode::from(if e.is::<Usage>() { 2 } else { 3 })
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<Ended> {
    let store = credentials::Store::default_location()?;
    // Read first: a credentials file that does not read stops everything
    // before anything is asked of a server.
    let last = store.last_server()?;
    let server = match cli.server.or(last) {
        Some(s) => api::normalise(&s)?,
        None => {
            return Err(
                Usage("no server: pass --server URL or set CODEPLATFORM_SERVER".into()).into(),
            )
        }
    };
    if let Command::Login {
        with_token,
        username,
    } = &cli.command
    {
        let token = if *with_token {
            Some(first_line()?).filter(|t| !t.is_empty())
        } else if let Some(username) = username {
            Some(sign_in(&server, username).await?)
        } else {
            None
        };
        return login(&store, &server, token, cli.json).await;
    }
    let command = match cli.command {
        Command::Course(command) => return course(&server, command, cli.json).await,
        other => other,
    };
    // A hand-in that names no assignment is a usage error before anything.
    if let Command::Run(hand_in) | Command::Submit(hand_in) = &command {
        target(hand_in, &server)?;
    }
    let Some(token) = store.token_for(&server)? else {
        // Not logged in there; or a wrong address, where nothing answers.
        if !Api::new(&server, None)?.answers().await {
            anyhow::bail!("nothing answers at {server}: is that the platform's address?");
        }
        anyhow::bail!(
            "not logged in to {server}: run `codeplatform --server {server} login` first"
        );
    };
    let api = Api::new(&server, Some(token))?;
    match command {
        Command::Login { .. } | Command::Course(_) => unreachable!("handled above"),
        Command::Assignments { course } => {
            let list = api.assignments(course.as_deref()).await?;
            let me: Progress = api.get_as("/api/me").await?;
            report::assignments(&list, &me, cli.json);
            Ok(Ended::Done)
        }
        Command::Fetch {
            slug,
            course,
            dir,
            force,
        } => {
            let assignment = api.assignment_by_slug(course.as_deref(), &slug).await?;
            let dir = dir.unwrap_or_else(|| PathBuf::from(&slug));
            let mut written = report::write_handout(&assignment, &dir, force)?;
            written.push(folder::mark(
                &dir,
                &folder::Marker {
                    server: api.server.clone(),
                    course: course.clone(),
                    assignment: slug.clone(),
                },
            )?);
            report::fetched(&assignment, &written, cli.json);
            Ok(Ended::Done)
        }
        Command::Run(hand_in) => grade(&api, Job::Run, &hand_in, cli.json).await,
        Command::Submit(hand_in) => grade(&api, Job::Submission, &hand_in, cli.json).await,
    }
}

/// An instructor's course command.
async fn course(server: &str, command: CourseCommand, json: bool) -> anyhow::Result<Ended> {
    let CourseCommand::Publish {
        dir,
        course,
        username,
        token,
        no_wait,
    } = command;
    let staff = match (token, username) {
        (Some(token), _) => publish::Staff::Token(token),
        (None, Some(username)) => publish::Staff::Username(username),
        (None, None) => {
            return Err(Usage(
                "give --username (the password on standard input) or set \
                 CODEPLATFORM_STAFF_TOKEN"
                    .into(),
            )
            .into())
        }
    };
    publish::publish(server, &dir, course, staff, !no_wait, json).await
}

/// The assignment (and course) `hand_in` is for: `--assignment`, else the
/// one of the folder `fetch` made for `server`; else a usage error.
fn target(hand_in: &HandIn, server: &str) -> Result<(String, Option<String>), Usage> {
    let marked = folder::of(&hand_in.file).filter(|m| m.server == server);
    match (&hand_in.assignment, marked) {
        (Some(slug), _) => Ok((slug.clone(), hand_in.course.clone())),
        (None, Some(m)) => Ok((m.assignment, hand_in.course.clone().or(m.course))),
        (None, None) => Err(Usage(format!(
            "{}: give --assignment, or hand in a file in the folder `fetch` made",
            hand_in.file.display()
        ))),
    }
}

/// The token of `username`'s account, the password read from standard input.
async fn sign_in(server: &str, username: &str) -> anyhow::Result<String> {
    let password = first_line()?;
    let session: Session = Api::new(server, None)?
        .post(
            "/api/sessions",
            Some(&json!({ "username": username, "password": password })),
        )
        .await
        .and_then(|v| Ok(serde_json::from_value(v)?))?;
    Ok(session.token)
}

/// Standard input's first line, without its line end (a token, a password).
fn first_line() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

async fn login(
    store: &credentials::Store,
    server: &str,
    token: Option<String>,
    json: bool,
) -> anyhow::Result<Ended> {
    let token = match token {
        Some(t) => t,
        None => {
            let created = Api::new(server, None)?.post("/api/users", None).await?;
            serde_json::from_value::<NewLearner>(created)
                .context("the server's answer carried no learner and token")?
                .token
        }
    };
    // Proves the token before keeping it.
    let me: Progress = Api::new(server, Some(token.clone()))?
        .get_as("/api/me")
        .await?;
    let path = store.save(server, &token)?;
    if json {
        println!(
            "{}",
            json!({"server": server, "user_id": me.user_id, "token_file": path})
        );
    } else {
        let who = match &me.username {
            Some(name) => format!("{name} (learner {})", me.user_id),
            None => format!("learner {}", me.user_id),
        };
        println!(
            "Logged in to {server} as {who}. Your token is in {} (readable by you alone).",
            path.display()
        );
    }
    Ok(Ended::Done)
}

/// Runs or submits `file` and waits for the outcome over the gateway.
async fn grade(api: &Api, job: Job, hand_in: &HandIn, json: bool) -> anyhow::Result<Ended> {
    let body = body_of(&hand_in.file)?;
    let (slug, course) = target(hand_in, &api.server)?;
    let assignment = api.assignment_by_slug(course.as_deref(), &slug).await?;
    let outcome = live::submit_and_wait(api, job, assignment.id, body, !json).await?;
    let passed = outcome["verdict"] == "passed";
    report::outcome(job, &outcome, json);
    if report::held(&outcome) {
        // Handed in; whether it passed is not told yet.
        return Ok(Ended::Done);
    }
    if passed && job == Job::Submission && !json {
        // What the pass earned, all told.
        if let Ok(me) = api.get_as::<Progress>("/api/me").await {
            println!("You have {} points.", me.points);
        }
    }
    Ok(if passed {
        Ended::Done
    } else {
        Ended::NotPassed
    })
}

/// The request body for `file`: `{"code"}` for Python, `{"notebook"}` for
/// a notebook (parsed here only as JSON: the server validates it).
fn body_of(file: &std::path::Path) -> anyhow::Result<Value> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    match file.extension().and_then(|e| e.to_str()) {
        Some("py") => Ok(json!({ "code": text })),
        Some("ipynb") => {
            let notebook: Value = serde_json::from_str(&text)
                .with_context(|| format!("{} is not JSON, so not a notebook", file.display()))?;
            Ok(json!({ "notebook": notebook }))
        }
        _ => Err(Usage(format!(
            "{}: give a .py file or an .ipynb notebook",
            file.display()
        ))
        .into()),
    }
}
