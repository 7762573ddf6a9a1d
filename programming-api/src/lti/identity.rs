//! Who an LMS user is here. A learner: one learner per issuer and subject,
//! always the same, made on the first launch and enrolled in the course of
//! each launch. A member of staff: one account per issuer, subject and
//! course (a staff account belongs to one course), without a password, its
//! role as the latest launch says.

use deadpool_postgres::Pool;
use service::token::Role;
use uuid::Uuid;

/// What a launch tells of a learner, cleaned to what a learner may set.
pub struct Profile {
    pub name: Option<String>,
    /// Only where the course allows it.
    pub student_number: Option<String>,
}

/// The learner `subject` of `issuer` is, made if new, enrolled in `course`;
/// the profile's fields fill theirs where they set none.
pub async fn learner(
    pool: &Pool,
    issuer: &str,
    subject: &str,
    course_id: i32,
    profile: &Profile,
) -> Result<Uuid, store::Error> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let fresh = Uuid::new_v4();
    // Two first launches at once: one insert wins, both read its learner.
    tx.execute(
        "WITH made AS (INSERT INTO users (id) SELECT $3
                       WHERE NOT EXISTS (SELECT 1 FROM lti_learners
                                         WHERE issuer = $1 AND subject = $2)
                       RETURNING id)
         INSERT INTO lti_learners (issuer, subject, user_id) SELECT $1, $2, id FROM made
         ON CONFLICT DO NOTHING",
        &[&issuer, &subject, &fresh],
    )
    .await?;
    let user_id: Uuid = tx
        .query_one(
            "SELECT user_id FROM lti_learners WHERE issuer = $1 AND subject = $2",
            &[&issuer, &subject],
        )
        .await?
        .get("user_id");
    tx.execute(
        "INSERT INTO enrolments (user_id, course_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        &[&user_id, &course_id],
    )
    .await?;
    tx.execute(
        "UPDATE users SET display_name = coalesce(display_name, $2),
                          student_number = coalesce(student_number, $3)
         WHERE id = $1",
        &[&user_id, &profile.name, &profile.student_number],
    )
    .await?;
    tx.commit().await?;
    // A learner made by a losing insert is left unreferenced: remove it.
    if user_id != fresh {
        client
            .execute(
                "DELETE FROM users WHERE id = $1 AND NOT EXISTS
                     (SELECT 1 FROM lti_learners WHERE user_id = $1)",
                &[&fresh],
            )
            .await?;
    }
    Ok(user_id)
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
            tx.execute(
                "INSERT INTO lti_staff (issuer, subject, course_id, staff_id)
                 VALUES ($1, $2, $3, $4)",
                &[&issuer, &subject, &course_id, &id],
            )
            .await?;
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
