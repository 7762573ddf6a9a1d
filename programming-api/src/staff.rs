//! Staff accounts: made by an operator (`programming-api admin add-staff`),
//! one course each, signed in with a username and a password kept only as
//! an argon2id hash. A sign-in gives a signed token carrying the role and
//! the course, which expires ([`service::token::StaffClaims`]).

use deadpool_postgres::Pool;
use service::token::Role;
use uuid::Uuid;

use crate::passwords::{hash_password, valid_username, MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS};

/// A staff account as sign-in reads it.
pub struct Account {
    pub id: Uuid,
    pub course_id: i32,
    pub course_slug: String,
    pub role: Role,
    /// None for an account that signs in through its LMS alone.
    pub password_hash: Option<String>,
}

pub async fn find(pool: &Pool, username: &str) -> Result<Option<Account>, store::Error> {
    let client = pool.get().await?;
    let row = client
        .query_opt(
            "SELECT s.id, s.course_id, c.slug AS course_slug, s.role::text AS role,
                    s.password_hash
             FROM staff s JOIN courses c ON c.id = s.course_id
             WHERE s.username = $1 AND c.listed",
            &[&username],
        )
        .await?;
    row.map(|r| {
        let role: String = r.try_get("role")?;
        Ok(Account {
            id: r.try_get("id")?,
            course_id: r.try_get("course_id")?,
            course_slug: r.try_get("course_slug")?,
            role: Role::parse(&role)
                .ok_or_else(|| store::Error::Malformed(format!("a staff role {role:?}")))?,
            password_hash: r.try_get("password_hash")?,
        })
    })
    .transpose()
}

/// Makes a staff account in the course `course` (its slug). The errors are
/// for the operator at the command line.
pub async fn add(
    pool: &Pool,
    course: &str,
    role: Role,
    username: &str,
    password: &str,
) -> anyhow::Result<Uuid> {
    anyhow::ensure!(
        valid_username(username),
        "a username is 1 to 64 lowercase letters, digits, dots, dashes and underscores, \
         starting with a letter or digit"
    );
    anyhow::ensure!(
        password.chars().count() >= MIN_PASSWORD_CHARS && password.len() <= MAX_PASSWORD_BYTES,
        "the password must be {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_BYTES} characters"
    );
    let client = pool.get().await?;
    let course_id: i32 = client
        .query_opt(
            "SELECT id FROM courses WHERE slug = $1 AND listed",
            &[&course],
        )
        .await?
        .ok_or_else(|| {
            anyhow::anyhow!("no course {course:?} (the API loads the courses when it starts)")
        })?
        .get("id");
    let hash = {
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || hash_password(&password)).await?
    };
    let id = Uuid::new_v4();
    let inserted = client
        .execute(
            "INSERT INTO staff (id, username, course_id, role, password_hash)
             VALUES ($1, $2, $3, $4::text::staff_role, $5)
             ON CONFLICT (username) DO NOTHING",
            &[&id, &username, &course_id, &role.as_str(), &hash],
        )
        .await?;
    anyhow::ensure!(inserted == 1, "the username {username:?} is taken");
    Ok(id)
}
