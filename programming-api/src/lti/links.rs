//! Resource links: a link placed in an LMS course opens one assignment of
//! the course its context maps to. The link's assignment comes from its
//! launch's custom parameter `assignment=<slug>` (what deep linking puts
//! there) or, failing that, from what the link opened before.

use deadpool_postgres::Pool;
use uuid::Uuid;

use super::claims::Launch;
use super::platforms::Platform;

/// A link as the launch names it.
pub struct LinkKey<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub deployment_id: &'a str,
    pub resource_link_id: &'a str,
}

/// The assignment this link opened before, if it did.
pub async fn assignment_of(pool: &Pool, key: &LinkKey<'_>) -> Result<Option<i32>, store::Error> {
    let client = pool.get().await?;
    Ok(client
        .query_opt(
            "SELECT assignment_id FROM lti_links
             WHERE issuer = $1 AND client_id = $2 AND deployment_id = $3
               AND resource_link_id = $4",
            &[
                &key.issuer,
                &key.client_id,
                &key.deployment_id,
                &key.resource_link_id,
            ],
        )
        .await?
        .map(|r| r.get("assignment_id")))
}

/// Records that `learner` launched the link to `assignment_id`, with the
/// launch's AGS endpoints; the link's scores go to its line item from now
/// on (a pass made before is sent too: the schema's `lti_score_changed`).
pub async fn record(
    pool: &Pool,
    platform: &Platform,
    key: &LinkKey<'_>,
    launch: &Launch,
    assignment_id: i32,
    learner: Option<Uuid>,
) -> Result<(), store::Error> {
    let scopes: Vec<String> = launch
        .claims
        .ags
        .as_ref()
        .map(|a| a.scope.clone())
        .unwrap_or_default();
    let (lineitems, lineitem) = service_urls(platform, launch);
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let before: Option<i32> = tx
        .query_opt(
            "SELECT assignment_id FROM lti_links
             WHERE issuer = $1 AND client_id = $2 AND deployment_id = $3
               AND resource_link_id = $4 FOR UPDATE",
            &[
                &key.issuer,
                &key.client_id,
                &key.deployment_id,
                &key.resource_link_id,
            ],
        )
        .await?
        .map(|r| r.get("assignment_id"));
    // A line item the launch names replaces the one kept; a launch that
    // names none keeps the one the sender found or made.
    let link_id: i64 = tx
        .query_one(
            "INSERT INTO lti_links (issuer, client_id, deployment_id, resource_link_id, context_id,
                                    assignment_id, lineitems_url, lineitem_url, scopes)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (issuer, client_id, deployment_id, resource_link_id) DO UPDATE
                 SET context_id = EXCLUDED.context_id, assignment_id = EXCLUDED.assignment_id,
                     lineitems_url = EXCLUDED.lineitems_url,
                     lineitem_url = coalesce(EXCLUDED.lineitem_url,
                         CASE WHEN lti_links.assignment_id = EXCLUDED.assignment_id
                              THEN lti_links.lineitem_url END),
                     scopes = EXCLUDED.scopes
             RETURNING id",
            &[
                &key.issuer,
                &key.client_id,
                &key.deployment_id,
                &key.resource_link_id,
                &launch.context_id,
                &assignment_id,
                &lineitems,
                &lineitem,
                &scopes,
            ],
        )
        .await?
        .get("id");
    if before.is_some_and(|b| b != assignment_id) {
        repointed(&tx, link_id, assignment_id).await?;
    }
    if let Some(user_id) = learner {
        tx.execute(
            "INSERT INTO lti_link_learners (link_id, user_id, subject) VALUES ($1, $2, $3)
             ON CONFLICT (link_id, user_id) DO UPDATE SET subject = EXCLUDED.subject",
            &[&link_id, &user_id, &launch.subject],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The launch's grade-service URLs (`lineitems`, `lineitem`) that are the
/// platform's own: a URL elsewhere is not kept, and the link owes no scores.
fn service_urls(platform: &Platform, launch: &Launch) -> (Option<String>, Option<String>) {
    let ags = launch.claims.ags.as_ref();
    let owned = |url: &Option<String>| url.clone().filter(|u| platform.owns_service_url(u));
    (
        ags.and_then(|a| owned(&a.lineitems)),
        ags.and_then(|a| owned(&a.lineitem)),
    )
}

/// A link pointed at another assignment: its learners' passes of that one
/// are owed to the LMS now.
async fn repointed(
    tx: &deadpool_postgres::Transaction<'_>,
    link_id: i64,
    assignment_id: i32,
) -> Result<(), store::Error> {
    tx.execute(
        "SELECT lti_score_changed(user_id, $2) FROM lti_link_learners WHERE link_id = $1",
        &[&link_id, &assignment_id],
    )
    .await?;
    Ok(())
}
