//! Grade passback: the sender of the score outbox. The schema writes a row
//! of `lti_scores` in the transaction that changes a learner's points
//! (`lti_score_changed` in `migrations/V16__lti.sql`); this loop, in every
//! API replica, leases pending rows (`FOR UPDATE SKIP LOCKED`, so replicas
//! share them), posts each as an AGS score, and marks it sent only when the
//! LMS answered 2xx, and only the version it sent: a change made meanwhile
//! stays pending and goes next. A failure waits longer each time, up to
//! `LTI_RETRY_MAX_SECS`, and keeps the LMS's answer for the staff page.

use std::time::Duration;

use uuid::Uuid;

use super::ags::{AgsError, LineItemSpec, Score};
use super::Lti;
use crate::context::AppContext;

/// Rows leased at once by one replica: each may take four calls of up to
/// 10 s (token, line items, a new line item, the score), so a batch ends
/// well within its lease.
const BATCH: i64 = 4;
/// How long a lease lasts: a replica that died mid-send frees its rows then.
const LEASE_SECS: f64 = 300.0;

/// One pending score, leased.
struct Pending {
    lease: Uuid,
    link_id: i64,
    user_id: Uuid,
    points: i32,
    scored_at: chrono::DateTime<chrono::Utc>,
    version: i32,
    attempts: i32,
    issuer: String,
    client_id: String,
    resource_link_id: String,
    lineitem_url: Option<String>,
    subject: String,
    slug: String,
    title: String,
}

/// Sends every `interval` until `shutdown` resolves.
pub async fn run(
    ctx: AppContext,
    interval: Duration,
    retry_max: Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let Some(lti) = ctx.lti.clone() else { return };
    crate::rounds::every("lti scores", interval, shutdown, || {
        send_once(&ctx, &lti, retry_max)
    })
    .await;
}

/// One round: leases what is due, sends it, records each outcome; then the
/// metrics. Returns how many were sent.
pub async fn send_once(
    ctx: &AppContext,
    lti: &Lti,
    retry_max: Duration,
) -> Result<usize, store::Error> {
    let mut sent = 0;
    for p in lease(ctx).await? {
        match deliver(ctx, lti, &p).await {
            Ok(()) => {
                sent += 1;
                mark_sent(ctx, &p).await?;
            }
            Err(e) => {
                tracing::info!(link = p.link_id, user = %p.user_id, error = %e, "a score was not delivered");
                mark_failed(ctx, &p, &e, retry_max).await?;
            }
        }
    }
    count(ctx).await?;
    Ok(sent)
}

async fn lease(ctx: &AppContext) -> Result<Vec<Pending>, store::Error> {
    let client = ctx.pool.get().await?;
    let rows = client
        .query(
            "WITH due AS (
                 SELECT link_id, user_id FROM lti_scores
                 WHERE sent_version < version AND next_attempt_at <= now()
                   AND (leased_until IS NULL OR leased_until < now())
                 ORDER BY next_attempt_at LIMIT $1
                 FOR UPDATE SKIP LOCKED)
             UPDATE lti_scores s
             SET leased_until = now() + make_interval(secs => $2), attempts = s.attempts + 1,
                 lease = gen_random_uuid()
             FROM due, lti_links l, lti_link_learners ll, assignments a
             WHERE s.link_id = due.link_id AND s.user_id = due.user_id
               AND l.id = s.link_id AND ll.link_id = s.link_id AND ll.user_id = s.user_id
               AND a.id = l.assignment_id
             RETURNING s.lease, s.link_id, s.user_id, s.points, s.scored_at, s.version, s.attempts,
                       l.issuer, l.client_id, l.resource_link_id, l.lineitem_url, ll.subject, a.slug, a.title",
            &[&BATCH, &LEASE_SECS],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| Pending {
            lease: r.get("lease"),
            link_id: r.get("link_id"),
            user_id: r.get("user_id"),
            points: r.get("points"),
            scored_at: r.get("scored_at"),
            version: r.get("version"),
            attempts: r.get("attempts"),
            issuer: r.get("issuer"),
            client_id: r.get("client_id"),
            resource_link_id: r.get("resource_link_id"),
            lineitem_url: r.get("lineitem_url"),
            subject: r.get("subject"),
            slug: r.get("slug"),
            title: r.get("title"),
        })
        .collect())
}

async fn deliver(ctx: &AppContext, lti: &Lti, p: &Pending) -> Result<(), AgsError> {
    let platform = lti
        .platforms
        .find(&p.issuer, Some(&p.client_id))
        .ok_or_else(|| AgsError("the LMS is no longer registered in LTI_PLATFORMS".into()))?;
    let lineitem = match &p.lineitem_url {
        Some(url) => url.clone(),
        None => line_item_of(ctx, lti, platform, p).await?,
    };
    lti.ags
        .post_score(
            platform,
            &lineitem,
            &Score {
                user_id: &p.subject,
                points: p.points,
                timestamp: p.scored_at,
            },
        )
        .await
}

/// The line item of `p`'s link, found or made once: the link's row is
/// locked meanwhile, so two replicas never make two.
async fn line_item_of(
    ctx: &AppContext,
    lti: &Lti,
    platform: &super::platforms::Platform,
    p: &Pending,
) -> Result<String, AgsError> {
    let kept = |e: store::Error| AgsError(format!("the line item could not be kept: {e}"));
    let mut client = ctx.pool.get().await.map_err(|e| kept(e.into()))?;
    let tx = client.transaction().await.map_err(|e| kept(e.into()))?;
    let row = tx
        .query_one(
            "SELECT lineitem_url, lineitems_url FROM lti_links WHERE id = $1 FOR UPDATE",
            &[&p.link_id],
        )
        .await
        .map_err(|e| kept(e.into()))?;
    if let Some(url) = row.get::<_, Option<String>>("lineitem_url") {
        return Ok(url);
    }
    let lineitems: String = row
        .get::<_, Option<String>>("lineitems_url")
        .ok_or_else(|| AgsError("the LMS offered no grade service (AGS) with this link".into()))?;
    let found = lti
        .ags
        .line_item(
            platform,
            &lineitems,
            &LineItemSpec {
                resource_link_id: &p.resource_link_id,
                resource_id: &p.slug,
                label: &p.title,
            },
        )
        .await?;
    if !platform.owns_service_url(&found) {
        return Err(AgsError(format!(
            "the LMS named a line item off its own hosts: {found}"
        )));
    }
    tx.execute(
        "UPDATE lti_links SET lineitem_url = $2 WHERE id = $1",
        &[&p.link_id, &found],
    )
    .await
    .map_err(|e| kept(e.into()))?;
    tx.commit().await.map_err(|e| kept(e.into()))?;
    Ok(found)
}

async fn mark_sent(ctx: &AppContext, p: &Pending) -> Result<(), store::Error> {
    let client = ctx.pool.get().await?;
    client
        .execute(
            "UPDATE lti_scores
             SET sent_version = greatest(sent_version, $3), sent_at = now(), leased_until = NULL,
                 last_error = NULL, attempts = 0
             WHERE link_id = $1 AND user_id = $2 AND lease = $4",
            &[&p.link_id, &p.user_id, &p.version, &p.lease],
        )
        .await?;
    Ok(())
}

async fn mark_failed(
    ctx: &AppContext,
    p: &Pending,
    e: &AgsError,
    retry_max: Duration,
) -> Result<(), store::Error> {
    let wait = crate::rounds::retry_wait(p.attempts, retry_max);
    let client = ctx.pool.get().await?;
    client
        .execute(
            "UPDATE lti_scores
             SET leased_until = NULL, last_error = $3,
                 next_attempt_at = now() + make_interval(secs => $4)
             WHERE link_id = $1 AND user_id = $2 AND lease = $5",
            &[&p.link_id, &p.user_id, &e.0, &wait.as_secs_f64(), &p.lease],
        )
        .await?;
    Ok(())
}

/// The outbox's size for `/metrics`: scores waiting, and those of them
/// whose last delivery failed.
async fn count(ctx: &AppContext) -> Result<(), store::Error> {
    let client = ctx.pool.get().await?;
    let row = client
        .query_one(
            "SELECT count(*) AS pending, count(last_error) AS failing
             FROM lti_scores WHERE sent_version < version",
            &[],
        )
        .await?;
    ctx.metrics.lti_scores_pending.set(row.get("pending"));
    ctx.metrics.lti_scores_failing.set(row.get("failing"));
    Ok(())
}

/// One score the LMS has not acknowledged yet, as the course's staff see it.
#[derive(Debug, serde::Serialize)]
pub struct Delivery {
    pub user_id: Uuid,
    pub display_name: Option<String>,
    pub assignment_id: i32,
    pub title: String,
    pub points: i32,
    /// `pending` (not tried yet, or being sent) or `failing` (the last try failed).
    pub state: &'static str,
    pub attempts: i32,
    /// What the LMS answered, or why it could not be reached.
    pub last_error: Option<String>,
    pub next_attempt_at: chrono::DateTime<chrono::Utc>,
}

/// The course's scores still owed to its LMSs, and how many were sent.
#[derive(Debug, serde::Serialize)]
pub struct Deliveries {
    pub sent: i64,
    pub pending: i64,
    pub failing: i64,
    /// The oldest first, at most 500.
    pub waiting: Vec<Delivery>,
}

pub async fn deliveries(ctx: &AppContext, course_id: i32) -> Result<Deliveries, store::Error> {
    let client = ctx.pool.get().await?;
    let counts = client
        .query_one(
            "SELECT count(*) FILTER (WHERE s.sent_version = s.version) AS sent,
                    count(*) FILTER (WHERE s.sent_version < s.version AND s.last_error IS NULL)
                        AS pending,
                    count(*) FILTER (WHERE s.sent_version < s.version AND s.last_error IS NOT NULL)
                        AS failing
             FROM lti_scores s JOIN lti_links l ON l.id = s.link_id
             JOIN assignments a ON a.id = l.assignment_id
             WHERE a.course_id = $1",
            &[&course_id],
        )
        .await?;
    let rows = client
        .query(
            "SELECT s.user_id, u.display_name, a.id AS assignment_id, a.title, s.points,
                    s.attempts, s.last_error, s.next_attempt_at
             FROM lti_scores s JOIN lti_links l ON l.id = s.link_id
             JOIN assignments a ON a.id = l.assignment_id
             JOIN users u ON u.id = s.user_id
             WHERE a.course_id = $1 AND s.sent_version < s.version
             ORDER BY s.scored_at LIMIT 500",
            &[&course_id],
        )
        .await?;
    Ok(Deliveries {
        sent: counts.get("sent"),
        pending: counts.get("pending"),
        failing: counts.get("failing"),
        waiting: rows
            .iter()
            .map(|r| {
                let last_error: Option<String> = r.get("last_error");
                Delivery {
                    user_id: r.get("user_id"),
                    display_name: r.get("display_name"),
                    assignment_id: r.get("assignment_id"),
                    title: r.get("title"),
                    points: r.get("points"),
                    state: if last_error.is_some() {
                        "failing"
                    } else {
                        "pending"
                    },
                    attempts: r.get("attempts"),
                    last_error,
                    next_attempt_at: r.get("next_attempt_at"),
                }
            })
            .collect(),
    })
}
