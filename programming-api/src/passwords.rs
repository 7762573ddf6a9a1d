//! Usernames and passwords, of staff and learners alike: what a username
//! may be, how long a password must and may be, and argon2id hashing and
//! checking (bounded: each check takes a core and argon2's memory).

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use domain::codes::Code;

use crate::error::ApiError;

/// Shorter passwords are refused when an account is made.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longer ones are refused everywhere (hashing cost is per byte).
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// A body of credentials: a username and a password (at most
/// [`MAX_PASSWORD_BYTES`]), JSON-escaped. Anyone may send one, token or
/// not, so it is small.
pub const CREDENTIALS_BODY_BYTES: usize = 8 * 1024;

/// A username as the schema allows it: what a person types, lower case.
pub fn valid_username(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_lowercase() || b.is_ascii_digit())
        && name.len() <= 64
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

/// Whether a sign-in's username and password could be an account's at
/// all: anything else is checked against nobody (and as slowly).
pub fn plausible(username: &str, password: &str) -> bool {
    valid_username(username) && password.len() <= MAX_PASSWORD_BYTES
}

/// A new password, or why it is refused: 400 `invalid_account`.
pub fn check_password(password: &str) -> Result<(), ApiError> {
    if password.chars().count() < MIN_PASSWORD_CHARS || password.len() > MAX_PASSWORD_BYTES {
        return Err(ApiError::new(
            Code::InvalidAccount,
            format!("a password is {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_BYTES} characters"),
        ));
    }
    Ok(())
}

/// A new username, or why it is refused: 400 `invalid_account`.
pub fn check_username(username: &str) -> Result<(), ApiError> {
    if !valid_username(username) {
        return Err(ApiError::new(
            Code::InvalidAccount,
            "a username is 1 to 64 lowercase letters, digits, dots, dashes and underscores, \
             starting with a letter or digit",
        ));
    }
    Ok(())
}

/// The PHC string of `password` under argon2id's default parameters.
/// Slow on purpose: call it off the async workers ([`hash`]).
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>()).expect("16 bytes is a salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashes any password within its length limit")
        .to_string()
}

/// [`hash_password`] off the async workers, taking a turn among the
/// password checks ([`verify_password_bounded`]): anyone may make an
/// account, so hashing is bounded as checking is.
pub async fn hash(password: String) -> Result<String, ApiError> {
    let _turn = turn().await?;
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|_| ApiError::internal())
}

/// A turn among the [`CONCURRENT_CHECKS`] hashings and checks that may run
/// at once; one that waits more than a few seconds is told to come back.
async fn turn() -> Result<tokio::sync::SemaphorePermit<'static>, ApiError> {
    static CHECKS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(CONCURRENT_CHECKS);
    let busy = || {
        ApiError::new(
            Code::TooManyAttempts,
            "many passwords are being checked just now; try again in a moment",
        )
        .retry_after(std::time::Duration::from_secs(2))
    };
    tokio::time::timeout(std::time::Duration::from_secs(5), CHECKS.acquire())
        .await
        .map_err(|_| busy())?
        .map_err(|_| ApiError::internal())
}

/// Whether `password` matches the stored hash; for no hash (no such
/// account, or one without a password), a dummy hash is checked all the
/// same, so the answer takes as long and does not tell which usernames
/// exist.
pub fn verify_password(stored: Option<&str>, password: &str) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("not anyone's password"));
    let hash = stored.unwrap_or(dummy);
    let Ok(parsed) = PasswordHash::new(hash) else {
        tracing::error!("a stored password hash does not parse");
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
    let _turn = turn().await?;
    tokio::task::spawn_blocking(move || verify_password(stored.as_deref(), &password))
        .await
        .map_err(|_| ApiError::internal())
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
