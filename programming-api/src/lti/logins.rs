//! Logins in progress (OIDC's third-party initiated login): each has a
//! `state` and a `nonce`, kept in Postgres until its launch comes back or
//! [`LOGIN_TTL`] passes, and a secret in a cookie that binds it to the
//! browser that began it. A launch takes its login once: a second launch
//! with the same state, or the same token under a new login, finds none.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use deadpool_postgres::Pool;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// How long a login waits for its launch.
pub const LOGIN_TTL_SECS: i64 = 600;
/// The state cookie's name: this and the state (one cookie per login, so
/// two tabs launching at once do not undo each other), `__Host-` first on
/// https, so no sibling host of the domain can set it.
pub fn cookie_name(secure: bool, state: &str) -> String {
    let host_only = if secure { "__Host-" } else { "" };
    format!("{host_only}cp_lti_{state}")
}

/// Where the state cookie is sent: the launch alone on plain-http loopback;
/// on https a `__Host-` cookie must have `Path=/`.
pub fn cookie_path(secure: bool) -> &'static str {
    if secure {
        "/"
    } else {
        "/lti/launch"
    }
}

/// Whether `state` could be one this tool made (43 base64url characters):
/// anything else is refused before Postgres sees it.
pub fn plausible_state(state: &str) -> bool {
    state.len() == 43
        && state
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The longest login hint, message hint or target link a login may carry.
pub const MAX_HINT_BYTES: usize = 2048;

/// 32 random bytes, base64url.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A login begun: what the platform is sent and what the browser keeps.
pub struct Begun {
    pub state: String,
    pub nonce: String,
    /// The state cookie's value.
    pub browser_secret: String,
}

/// What a launch needs of its login.
#[derive(Debug)]
pub struct Pending {
    pub nonce: String,
    pub issuer: String,
    pub client_id: String,
    pub login_hint: String,
    pub lti_message_hint: Option<String>,
    pub target_link_uri: String,
    browser: Vec<u8>,
}

impl Pending {
    /// Whether `secret` (the state cookie's value) is the one this login set.
    pub fn bound_to(&self, secret: Option<&str>) -> bool {
        secret.is_some_and(|s| {
            let hash = Sha256::digest(s.as_bytes());
            // Both are hashes: comparing them leaks nothing of the secret.
            hash.as_slice() == self.browser.as_slice()
        })
    }
}

/// What the login request named.
pub struct LoginRequest<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub login_hint: &'a str,
    pub lti_message_hint: Option<&'a str>,
    pub target_link_uri: &'a str,
}

pub async fn begin(pool: &Pool, req: &LoginRequest<'_>) -> Result<Begun, store::Error> {
    let begun = Begun {
        state: random_token(),
        nonce: random_token(),
        browser_secret: random_token(),
    };
    let browser = Sha256::digest(begun.browser_secret.as_bytes()).to_vec();
    let client = pool.get().await?;
    // Old logins go as new ones come: no timer needed.
    client
        .execute(
            "DELETE FROM lti_logins WHERE created_at < now() - make_interval(secs => $1)",
            &[&(LOGIN_TTL_SECS as f64)],
        )
        .await?;
    client
        .execute(
            "INSERT INTO lti_logins (state, nonce, issuer, client_id, browser, login_hint,
                                     lti_message_hint, target_link_uri)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &begun.state,
                &begun.nonce,
                &req.issuer,
                &req.client_id,
                &browser,
                &req.login_hint,
                &req.lti_message_hint,
                &req.target_link_uri,
            ],
        )
        .await?;
    Ok(begun)
}

/// Takes the login `state` names, once; None when there is none (never
/// begun, used, or older than [`LOGIN_TTL_SECS`]).
pub async fn take(pool: &Pool, state: &str) -> Result<Option<Pending>, store::Error> {
    if !plausible_state(state) {
        return Ok(None);
    }
    let client = pool.get().await?;
    let row = client
        .query_opt(
            "DELETE FROM lti_logins
             WHERE state = $1 AND created_at >= now() - make_interval(secs => $2)
             RETURNING nonce, issuer, client_id, browser, login_hint, lti_message_hint,
                       target_link_uri",
            &[&state, &(LOGIN_TTL_SECS as f64)],
        )
        .await?;
    Ok(row.map(|r| Pending {
        nonce: r.get("nonce"),
        issuer: r.get("issuer"),
        client_id: r.get("client_id"),
        browser: r.get("browser"),
        login_hint: r.get("login_hint"),
        lti_message_hint: r.get("lti_message_hint"),
        target_link_uri: r.get("target_link_uri"),
    }))
}
