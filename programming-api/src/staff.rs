//! Staff accounts: made by an operator (`programming-api admin add-staff`),
//! one course each, signed in with a username and a password kept only as
//! an argon2id hash. A sign-in gives a signed token carrying the role and
//! the course, which expires ([`service::token::StaffClaims`]).

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use deadpool_postgres::Pool;
use domain::codes::Code;
use service::token::Role;
use uuid::Uuid;

use crate::error::ApiError;

/// Shorter passwords are refused when an account is made.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longer ones are refused everywhere (hashing cost is per byte).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// A username as the schema allows it: what a person types, lower case.
pub fn valid_username(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_lowercase() || b.is_ascii_digit())
        && name.len() <= 64
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

/// The PHC string of `password` under argon2id's default parameters.
/// Slow on purpose: call it off the async workers.
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>()).expect("16 bytes is a salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashes any password within its length limit")
        .to_string()
}

/// Whether `password` matches the stored hash; for no hash (no such user),
/// a dummy hash is checked all the same, so the answer takes as long and
/// does not tell which usernames exist.
pub fn verify_password(stored: Option<&str>, password: &str) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("not anyone's password"));
    let hash = stored.unwrap_or(dummy);
    let Ok(parsed) = PasswordHash::new(hash) else {
        tracing::error!("a stored staff password hash does not parse");
        return false;
    };
    let matches = Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    matches && stored.is_some()
}

/// Password checks that may run at once: each takes argon2's memory
/// (19 MiB by default) and a core for a while.
const CONCURRENT_CHECKS: usize = 4;

/// [`verify_password`] off the async workers, at most [`CONCURRENT_CHECKS`]
/// at a time; a sign-in that waits more than a few seconds for its turn is
/// told to come back.
pub async fn verify_password_bounded(
    stored: Option<String>,
    password: String,
) -> Result<bool, ApiError> {
    static CHECKS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(CONCURRENT_CHECKS);
    let busy = || {
        ApiError::new(
            Code::TooManyAttempts,
            "many sign-ins are being checked just now; try again in a moment",
        )
        .retry_after(std::time::Duration::from_secs(2))
    };
    let _turn = tokio::time::timeout(std::time::Duration::from_secs(5), CHECKS.acquire())
        .await
        .map_err(|_| busy())?
        .map_err(|_| ApiError::internal())?;
    tokio::task::spawn_blocking(move || verify_password(stored.as_deref(), &password))
        .await
        .map_err(|_| ApiError::internal())
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_plain() {
        for good in ["ada", "a.lovelace", "tutor_2", "x-y", "7"] {
            assert!(valid_username(good), "{good}");
        }
        for bad in ["", "Ada", ".ada", "a b", "ada@x", &"a".repeat(65)] {
            assert!(!valid_username(bad), "{bad:?}");
        }
    }

    #[test]
    fn a_password_verifies_against_its_hash_only() {
        let hash = hash_password("correct horse battery");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains("correct"));
        assert!(verify_password(Some(&hash), "correct horse battery"));
        assert!(!verify_password(Some(&hash), "correct horse batterY"));
        assert!(!verify_password(None, "not anyone's password"));
        assert_ne!(hash, hash_password("correct horse battery"), "salted");
    }
}
