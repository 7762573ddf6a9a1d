//! Verdicts posted to an integration's `callback_url`. The schema writes a
//! row of `integration_callbacks` in the transaction that gives one of its
//! learners' submissions a verdict (`migrations/V17__integrations.sql`);
//! this loop leases due rows (replicas share them), posts each, and marks
//! it sent when the integration answered 2xx. The body is JSON:
//!
//! `{integration, course, learner, assignment, submission, sent_at}`
//!
//! signed with the integration's callback secret: the header
//! `X-Codeplatform-Signature: sha256=<hex HMAC-SHA256 of the body>`.

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use store::db::{hold_columns, hold_from_row, submission_from_row, SUBMISSION_COLUMNS};
use uuid::Uuid;

use super::{Callback, Integrations};
use crate::context::AppContext;

const BATCH: i64 = 16;
const LEASE_SECS: f64 = 120.0;
/// How long a callback may take to answer.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Posts every `interval` until `shutdown` resolves.
pub async fn run(
    ctx: AppContext,
    interval: Duration,
    retry_max: Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let Ok(http) = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
    else {
        tracing::error!("no HTTP client for integration callbacks");
        return;
    };
    let integrations = ctx.integrations.clone();
    crate::rounds::every("integration callbacks", interval, shutdown, || {
        send_once(&ctx, &integrations, &http, retry_max)
    })
    .await;
}

/// One round; how many were posted.
pub async fn send_once(
    ctx: &AppContext,
    integrations: &Integrations,
    http: &reqwest::Client,
    retry_max: Duration,
) -> Result<usize, store::Error> {
    let with_callbacks: Vec<String> = integrations
        .all()
        .iter()
        .filter(|i| i.callback.is_some())
        .map(|i| i.name.clone())
        .collect();
    let client = ctx.pool.get().await?;
    // Only integrations this replica knows a callback of: another replica's
    // registration (mid-roll) keeps its rows for it.
    let due = client
        .query(
            "WITH due AS (
                 SELECT submission_id FROM integration_callbacks
                 WHERE sent_at IS NULL AND next_attempt_at <= now()
                   AND (leased_until IS NULL OR leased_until < now())
                   AND integration = ANY($3)
                 ORDER BY next_attempt_at LIMIT $1
                 FOR UPDATE SKIP LOCKED)
             UPDATE integration_callbacks c
             SET leased_until = now() + make_interval(secs => $2), attempts = c.attempts + 1
             FROM due WHERE c.submission_id = due.submission_id
             RETURNING c.submission_id, c.integration, c.attempts",
            &[&BATCH, &LEASE_SECS, &with_callbacks],
        )
        .await?;
    drop(client);
    let mut sent = 0;
    for row in due {
        let (id, name, attempts): (Uuid, String, i32) = (
            row.get("submission_id"),
            row.get("integration"),
            row.get("attempts"),
        );
        let Some(callback) = integrations.find(&name).and_then(|i| i.callback.as_ref()) else {
            continue;
        };
        let outcome = match body(ctx, id, &name).await? {
            Some(body) => post(http, callback, body).await,
            None => Ok(()),
        };
        let client = ctx.pool.get().await?;
        match outcome {
            Ok(()) => {
                sent += 1;
                client
                    .execute(
                        "UPDATE integration_callbacks
                         SET sent_at = now(), leased_until = NULL, last_error = NULL
                         WHERE submission_id = $1",
                        &[&id],
                    )
                    .await?;
            }
            Err(e) => {
                let wait = crate::rounds::retry_wait(attempts, retry_max);
                client
                    .execute(
                        "UPDATE integration_callbacks
                         SET leased_until = NULL, last_error = $2,
                             next_attempt_at = now() + make_interval(secs => $3)
                         WHERE submission_id = $1",
                        &[&id, &e, &wait.as_secs_f64()],
                    )
                    .await?;
            }
        }
    }
    Ok(sent)
}

/// The callback's body for submission `id` of integration `name`; None
/// when the submission is gone.
async fn body(ctx: &AppContext, id: Uuid, name: &str) -> Result<Option<String>, store::Error> {
    let client = ctx.pool.get().await?;
    let row = client
        .query_opt(
            &format!(
                "SELECT {SUBMISSION_COLUMNS}, {},
                        (SELECT x.external_id FROM external_learners x
                         WHERE x.user_id = submissions.user_id AND x.source = $2) AS learner,
                        (SELECT a.slug FROM assignments a
                         WHERE a.id = submissions.assignment_id) AS assignment_slug,
                        (SELECT c.slug FROM assignments a JOIN courses c ON c.id = a.course_id
                         WHERE a.id = submissions.assignment_id) AS course_slug
                 FROM submissions WHERE id = $1",
                hold_columns("now()")
            ),
            &[&id, &format!("integration:{name}")],
        )
        .await?;
    let Some(row) = row else { return Ok(None) };
    // The integration speaks for the learner: it hears what they may see.
    let submission = submission_from_row(&row)?.as_learner_sees(hold_from_row(&row)?);
    let body = serde_json::json!({
        "integration": name,
        "course": row.get::<_, Option<String>>("course_slug"),
        "learner": row.get::<_, Option<String>>("learner"),
        "assignment": row.get::<_, Option<String>>("assignment_slug"),
        "submission": submission,
        "sent_at": chrono::Utc::now(),
    });
    Ok(Some(body.to_string()))
}

/// The hex HMAC-SHA256 of `body` under `secret`.
pub fn signature(secret: &[u8], body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(body.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Posts `body`; Err says what went wrong, for the next try's log.
async fn post(http: &reqwest::Client, callback: &Callback, body: String) -> Result<(), String> {
    let signed = format!("sha256={}", signature(&callback.secret, &body));
    let res = http
        .post(&callback.url)
        .header("content-type", "application/json")
        .header("x-codeplatform-signature", signed)
        .body(body)
        .send()
        .await
        .map_err(|e| format!("the callback could not be reached: {}", e.without_url()))?;
    if res.status().is_success() {
        Ok(())
    } else {
        Err(format!("the callback answered HTTP {}", res.status()))
    }
}
