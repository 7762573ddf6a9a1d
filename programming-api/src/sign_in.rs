//! Who may try a password, for every kind of account (staff now, learner
//! accounts the same way): failures from an address bar that address;
//! failures for a username bar that username only for strangers. An address
//! the account signed in from within [`KNOWN_FOR`], or a browser holding the
//! device cookie a successful sign-in set, is its owner's own, and
//! strangers' failures never bar it (its own failures still count against
//! its address). So an account is never locked out by requests it did not
//! make. The rates are `crate::admission`'; this module says who is a stranger.

use std::net::IpAddr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use uuid::Uuid;
use warp::http::HeaderValue;

use service::token::TokenSigner;

/// How long a successful sign-in makes its address and browser known.
pub const KNOWN_FOR: Duration = Duration::from_secs(180 * 24 * 3600);

/// The device cookie's name for `account`: one per account, so a browser
/// used for two accounts is known to both.
fn cookie_name(account: Uuid) -> String {
    format!("cp_device_{}", account.simple())
}

/// Whether this request comes from `account`'s own address or browser.
/// The query runs whether or not there is an account, so the time taken
/// says nothing about which usernames exist.
pub async fn is_known(
    pool: &Pool,
    signer: &TokenSigner,
    account: Option<Uuid>,
    address: IpAddr,
    cookies: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, store::Error> {
    let client = pool.get().await?;
    let since = now - chrono::Duration::from_std(KNOWN_FOR).expect("a short duration");
    let known_address: bool = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM known_sign_ins
                            WHERE account_id = $1 AND address = $2 AND last_at > $3) AS known",
            &[&account, &address, &since],
        )
        .await?
        .try_get("known")?;
    let Some(account) = account else {
        return Ok(false);
    };
    let device = cookie(cookies, &cookie_name(account))
        .and_then(|token| signer.verify_device(token, now.timestamp()))
        == Some(account);
    Ok(known_address || device)
}

/// After a successful sign-in: its address is known from now on.
pub async fn remember(
    pool: &Pool,
    account: Uuid,
    address: IpAddr,
    now: DateTime<Utc>,
) -> Result<(), store::Error> {
    let client = pool.get().await?;
    client
        .execute(
            "INSERT INTO known_sign_ins (account_id, address, last_at) VALUES ($1, $2, $3)
             ON CONFLICT (account_id, address) DO UPDATE SET last_at = EXCLUDED.last_at",
            &[&account, &address, &now],
        )
        .await?;
    Ok(())
}

/// The `Set-Cookie` that makes this browser known to `account`, sent back
/// only to `path` (the sign-in route), never to scripts.
pub fn device_cookie(
    signer: &TokenSigner,
    account: Uuid,
    now: DateTime<Utc>,
    path: &str,
) -> HeaderValue {
    let max_age = KNOWN_FOR.as_secs();
    let token = signer.sign_device(account, now.timestamp() + max_age as i64);
    HeaderValue::from_str(&format!(
        "{}={token}; Max-Age={max_age}; Path={path}; HttpOnly; SameSite=Strict",
        cookie_name(account)
    ))
    .expect("a cookie of URL-safe characters")
}

/// The value of the cookie `name` in a `Cookie` header.
pub(crate) fn cookie<'h>(header: Option<&'h str>, name: &str) -> Option<&'h str> {
    header?
        .split(';')
        .find_map(|pair| pair.trim().strip_prefix(name)?.strip_prefix('='))
}

/// A password sign-in, of staff and learners alike: whether the address or
/// browser is the account's own (strangers' failures never bar it), whether
/// this username may be tried (the rates, `crate::admission`), the password
/// checked at a bounded cost, a failure counted and a success remembered.
/// `limited_as` is the username as the limits know it; `account` the
/// account's id and stored hash, when the username names one. Returns the
/// account's id, or 401 `bad_credentials`, the same for an unknown username.
pub async fn check(
    ctx: &crate::context::AppContext,
    address: IpAddr,
    cookies: Option<&str>,
    limited_as: &str,
    account: Option<(Uuid, Option<String>)>,
    password: String,
) -> Result<Uuid, crate::error::ApiError> {
    let now = ctx.clock.now();
    let id = account.as_ref().map(|a| a.0);
    let known = is_known(&ctx.pool, &ctx.signer, id, address, cookies, now).await?;
    // Failures are what is limited: a barred address, or a username barred
    // for strangers, is refused before anything is tried, so a right guess
    // then is no use.
    ctx.admission.sign_in(address, limited_as, known)?;
    let matches = password.len() <= crate::passwords::MAX_PASSWORD_BYTES
        && crate::passwords::verify_password_bounded(
            account.as_ref().and_then(|a| a.1.clone()),
            password,
        )
        .await?;
    let Some((id, _)) = account.filter(|_| matches) else {
        ctx.admission.sign_in_failed(address, limited_as, known)?;
        return Err(crate::error::ApiError::new(
            domain::codes::Code::BadCredentials,
            "wrong username or password",
        ));
    };
    remember(&ctx.pool, id, address, now).await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cookie_is_found_by_its_exact_name() {
        let header = Some("a=1; cp_device_x=tok; cp_device_xy=other");
        assert_eq!(cookie(header, "cp_device_x"), Some("tok"));
        assert_eq!(cookie(header, "cp_device_xy"), Some("other"));
        assert_eq!(cookie(header, "cp_device"), None);
        assert_eq!(cookie(None, "a"), None);
    }

    #[test]
    fn the_device_cookie_names_its_account_and_stays_off_scripts() {
        let signer = testkit::test_signer();
        let account = Uuid::new_v4();
        let now = Utc::now();
        let set = device_cookie(&signer, account, now, "/api/staff/sessions");
        let set = set.to_str().unwrap();
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Strict"),
            "{set}"
        );
        let (pair, _) = set.split_once(';').unwrap();
        let value = cookie(Some(pair), &cookie_name(account)).unwrap();
        assert_eq!(signer.verify_device(value, now.timestamp()), Some(account));
    }
}
