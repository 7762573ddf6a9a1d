//! Who an LMS user is here. A learner: one learner per issuer and subject,
//! always the same, made on the first launch and enrolled in the course of
//! each launch (`crate::external`). A member of staff: one account per issuer, subject and
//! course (a staff account belongs to one course), without a password, its
//! role as the latest launch says.

use deadpool_postgres::Pool;
use service::token::Role;
use uuid::Uuid;

pub use crate::external::Profile;

/// The learner `subject` of `issuer` is (`crate::external`: source
/// `lti:<issuer>`), made if new, enrolled in `course`.
pub async fn learner(
    pool: &Pool,
    issuer: &str,
    subject: &str,
    course_id: i32,
    profile: &Profile,
) -> Result<Uuid, store::Error> {
    crate::external::learner(pool, &format!("lti:{issuer}"), subject, course_id, profile).await
}

/// The staff account of `subject` of `issuer` in `course`, made if new,
/// its role set to `role`; with the course's slug.
pub async fn staff(
    pool: &Pool,
    issuer: &str,
    subject: &str,
    course_id: i32,
    role: Role,
) -> Result<Uuid, store::Error> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let existing = tx
        .query_opt(
            "SELECT staff_id FROM lti_staff
             WHERE issuer = $1 AND subject = $2 AND course_id = $3",
            &[&issuer, &subject, &course_id],
        )
        .await?
        .map(|r| r.get::<_, Uuid>("staff_id"));
    let staff_id = match existing {
        Some(id) => id,
        None => {
            let id = Uuid::new_v4();
            // A username no sign-in form takes: "lti." and the account's id.
            let username = format!("lti.{}", id.simple());
            tx.execute(
                "INSERT INTO staff (id, username, course_id, role, password_hash)
                 VALUES ($1, $2, $3, $4::text::staff_role, NULL)",
                &[&id, &username, &course_id, &role.as_str()],
            )
            .await?;
            // Two first launches at once: one mapping wins; the loser's
            // account goes with its transaction.
            let won = tx
                .execute(
                    "INSERT INTO lti_staff (issuer, subject, course_id, staff_id)
                     VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                    &[&issuer, &subject, &course_id, &id],
                )
                .await?;
            if won == 0 {
                drop(tx);
                return Box::pin(staff(pool, issuer, subject, course_id, role)).await;
            }
            id
        }
    };
    tx.execute(
        "UPDATE staff SET role = $2::text::staff_role WHERE id = $1",
        &[&staff_id, &role.as_str()],
    )
    .await?;
    tx.commit().await?;
    Ok(staff_id)
}
