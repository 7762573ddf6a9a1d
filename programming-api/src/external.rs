//! People other systems name: an LMS's users (`crate::lti`) and an
//! integration's (`crate::integrations`). Each is one learner here per
//! source and external id, always the same one: made on first use, enrolled
//! in the course of each use (the other system's word stands for a join
//! code), their profile filled where they set none.

use deadpool_postgres::Pool;
use uuid::Uuid;

/// What the other system tells of a learner, cleaned to what a learner may
/// set (`crate::routes::users`).
#[derive(Debug, Default)]
pub struct Profile {
    pub name: Option<String>,
    pub student_number: Option<String>,
}

/// The learner `external_id` of `source` is, made if new, enrolled in
/// `course_id`, with `profile` filling what they have not set.
pub async fn learner(
    pool: &Pool,
    source: &str,
    external_id: &str,
    course_id: i32,
    profile: &Profile,
) -> Result<Uuid, store::Error> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let fresh = Uuid::new_v4();
    // Two first uses at once: one insert wins, both read its learner.
    tx.execute(
        "WITH made AS (INSERT INTO users (id) SELECT $3
                       WHERE NOT EXISTS (SELECT 1 FROM external_learners
                                         WHERE source = $1 AND external_id = $2)
                       RETURNING id)
         INSERT INTO external_learners (source, external_id, user_id)
         SELECT $1, $2, id FROM made ON CONFLICT DO NOTHING",
        &[&source, &external_id, &fresh],
    )
    .await?;
    let user_id: Uuid = tx
        .query_one(
            "SELECT user_id FROM external_learners WHERE source = $1 AND external_id = $2",
            &[&source, &external_id],
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
                     (SELECT 1 FROM external_learners WHERE user_id = $1)",
                &[&fresh],
            )
            .await?;
    }
    Ok(user_id)
}
