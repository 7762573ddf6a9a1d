//! Integrations: another system (a JupyterHub, an LMS plug-in, a grading
//! script) submitting its own users' work, each request signed. An
//! operator registers each in the file `INTEGRATIONS` names:
//!
//! ```toml
//! [[integration]]
//! name = "hub"                          # its tokens' `iss`
//! secret_file = "/run/secrets/hub"      # HS256, 32 bytes or more; or
//! # public_key_file = "/etc/hub.pem"    # RS256: its public key (PEM)
//! courses = ["intro"]                   # where it may act
//! callback_url = "https://hub.example.edu/verdicts"   # optional
//! callback_secret_file = "/run/secrets/hub-callback"  # with callback_url
//! ```
//!
//! A request carries `Authorization: Bearer <JWT>` with `iss` (the name),
//! `aud` [`AUDIENCE`], `iat`, `exp` (at most [`MAX_LIFETIME_SECS`] after
//! `iat`), `course` (the path's) and a `jti` used once. The token is checked
//! by the caller filter (`crate::caller::integration`) with [`Integrations::check`].
//! Its routes are `crate::routes::integrations`; its learners are
//! `crate::external`'s, source `integration:<name>`.
//!
//! - [`callbacks`]: verdicts posted to an integration's callback, signed.

pub mod callbacks;

use std::path::Path;

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

/// What `INTEGRATIONS`, `INTEGRATION_SEND_INTERVAL_MS` and
/// `INTEGRATION_RETRY_MAX_SECS` set, read at start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub toml: String,
    /// How often the callbacks' outbox is looked at, and the longest wait
    /// between two tries of one callback.
    pub send_interval: std::time::Duration,
    pub retry_max: std::time::Duration,
}

/// Every integration token's `aud`.
pub const AUDIENCE: &str = "codeplatform";
/// The longest a token may live: a request's signature, not a session.
pub const MAX_LIFETIME_SECS: i64 = 300;
const SKEW_SECS: u64 = 30;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    secret_file: Option<String>,
    public_key_file: Option<String>,
    courses: Vec<String>,
    callback_url: Option<String>,
    callback_secret_file: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    integration: Vec<Entry>,
}

/// Where verdicts are posted, and the key that signs them.
#[derive(Clone)]
pub struct Callback {
    pub url: String,
    pub secret: Vec<u8>,
}

/// One registered integration. Its `Debug` names it only.
#[derive(Clone)]
pub struct Integration {
    pub name: String,
    key: DecodingKey,
    algorithm: Algorithm,
    pub courses: Vec<String>,
    pub callback: Option<Callback>,
}

impl std::fmt::Debug for Integration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Integration")
            .field("name", &self.name)
            .field("courses", &self.courses)
            .finish_non_exhaustive()
    }
}

/// Every registered integration.
#[derive(Clone, Debug, Default)]
pub struct Integrations(Vec<Integration>);

/// A request's claims.
#[derive(Deserialize)]
struct Claims {
    iat: i64,
    exp: i64,
    course: String,
    jti: String,
}

/// A request whose token checked out, but for its `jti`'s first use,
/// which the caller filter records.
#[derive(Debug, Clone)]
pub struct Checked {
    pub integration: String,
    pub course: String,
    pub jti: String,
    pub expires_at: i64,
}

/// Why a request's token is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// No token, a bad one, an unknown issuer, an expired one: 401.
    Token(String),
    /// A genuine token for a course the path does not name or the
    /// integration may not act in: 403.
    Course(String),
}

impl Integrations {
    /// The integrations in `text` (the file's), their key files read by
    /// `read` (a path to its text); `known_course` says whether a slug is
    /// a course this API serves.
    pub fn parse(
        text: &str,
        read: impl Fn(&Path) -> Result<String, String>,
        known_course: impl Fn(&str) -> bool,
    ) -> Result<Self, String> {
        let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut all: Vec<Integration> = Vec::new();
        for e in file.integration {
            let who = format!("integration {:?}", e.name);
            let valid_name = (1..=64).contains(&e.name.len())
                && e.name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
            if !valid_name || all.iter().any(|i| i.name == e.name) {
                return Err(format!(
                    "{who}: a name is 1 to 64 letters, digits, '-', '_' or '.', each used once"
                ));
            }
            let (key, algorithm) = key_of(&e, &read, &who)?;
            if e.courses.is_empty() {
                return Err(format!("{who}: it must name the courses it may act in"));
            }
            if let Some(course) = e.courses.iter().find(|c| !known_course(c)) {
                return Err(format!(
                    "{who}: course {course:?} is not one this API serves"
                ));
            }
            let callback = match (e.callback_url, e.callback_secret_file) {
                (None, None) => None,
                (Some(url), Some(path)) => {
                    crate::lti::platforms::check_url(&url)
                        .map_err(|e| format!("{who}: callback_url {e}"))?;
                    let secret = read(Path::new(&path))?;
                    if secret.len() < 32 {
                        return Err(format!(
                            "{who}: its callback secret must be at least 32 bytes"
                        ));
                    }
                    Some(Callback {
                        url,
                        secret: secret.into_bytes(),
                    })
                }
                _ => {
                    return Err(format!(
                        "{who}: callback_url and callback_secret_file go together"
                    ))
                }
            };
            all.push(Integration {
                name: e.name,
                key,
                algorithm,
                courses: e.courses,
                callback,
            });
        }
        Ok(Self(all))
    }

    pub fn find(&self, name: &str) -> Option<&Integration> {
        self.0.iter().find(|i| i.name == name)
    }

    pub fn all(&self) -> &[Integration] {
        &self.0
    }

    /// Checks `token` for a request to `course` at `now`: its issuer, its
    /// signature by that issuer's key and algorithm alone, `aud`, `exp` and
    /// `iat` (within [`MAX_LIFETIME_SECS`] of each other), `course`, and
    /// that the integration may act there. The `jti` is for the caller to
    /// record.
    pub fn check(&self, token: &str, course: &str, now: i64) -> Result<Checked, Refused> {
        let iss = unverified_issuer(token)
            .ok_or_else(|| Refused::Token("the token is not a signed JWT with an iss".into()))?;
        let integration = self
            .find(&iss)
            .ok_or_else(|| Refused::Token(format!("no integration {iss:?} is registered")))?;
        let mut validation = Validation::new(integration.algorithm);
        validation.leeway = SKEW_SECS;
        validation.set_issuer(&[&integration.name]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud"]);
        let claims = jsonwebtoken::decode::<Claims>(token, &integration.key, &validation)
            .map_err(|e| Refused::Token(format!("the token does not verify: {e}")))?
            .claims;
        if claims.iat > now + SKEW_SECS as i64 || claims.exp - claims.iat > MAX_LIFETIME_SECS {
            return Err(Refused::Token(format!(
                "a token is issued now and lives at most {MAX_LIFETIME_SECS} s"
            )));
        }
        if claims.jti.is_empty() || claims.jti.len() > 128 {
            return Err(Refused::Token(
                "the token needs a jti of 1 to 128 characters".into(),
            ));
        }
        if claims.course != course {
            return Err(Refused::Course(format!(
                "the token is for course {:?}, not this one",
                claims.course
            )));
        }
        if !integration.courses.iter().any(|c| c == course) {
            return Err(Refused::Course(format!(
                "integration {:?} may not act in course {course:?}",
                integration.name
            )));
        }
        Ok(Checked {
            integration: integration.name.clone(),
            course: claims.course,
            jti: claims.jti,
            expires_at: claims.exp,
        })
    }
}

/// The key and algorithm an entry's requests are signed with.
fn key_of(
    e: &Entry,
    read: &impl Fn(&Path) -> Result<String, String>,
    who: &str,
) -> Result<(DecodingKey, Algorithm), String> {
    match (&e.secret_file, &e.public_key_file) {
        (Some(path), None) => {
            let secret = read(Path::new(path))?;
            if secret.len() < 32 {
                return Err(format!("{who}: its secret must be at least 32 bytes"));
            }
            Ok((
                DecodingKey::from_secret(secret.as_bytes()),
                Algorithm::HS256,
            ))
        }
        (None, Some(path)) => {
            let pem = read(Path::new(path))?;
            let key = DecodingKey::from_rsa_pem(pem.as_bytes())
                .map_err(|e| format!("{who}: its public key is not an RSA key in PEM: {e}"))?;
            Ok((key, Algorithm::RS256))
        }
        _ => Err(format!(
            "{who}: give secret_file or public_key_file, one of them"
        )),
    }
}

/// The `iss` of a JWT, read before anything about it is trusted (it picks
/// the key that then checks everything).
fn unverified_issuer(token: &str) -> Option<String> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    value["iss"].as_str().map(str::to_owned)
}

/// A file's text for [`Integrations::parse`], trailing newlines dropped.
pub fn read_key_file(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path)
        .map(|t| t.trim_end_matches(['\n', '\r']).to_owned())
        .map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Records `checked`'s jti; false when it was used before (a replay). Old
/// jtis go as new ones come.
pub async fn first_use(
    pool: &deadpool_postgres::Pool,
    checked: &Checked,
) -> Result<bool, store::Error> {
    let client = pool.get().await?;
    client
        .execute(
            "DELETE FROM integration_jtis WHERE expires_at < now() - interval '1 minute'",
            &[],
        )
        .await?;
    let expires_at = chrono::DateTime::from_timestamp(checked.expires_at, 0).unwrap_or_default();
    let inserted = client
        .execute(
            "INSERT INTO integration_jtis (integration, jti, expires_at) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
            &[&checked.integration, &checked.jti, &expires_at],
        )
        .await?;
    Ok(inserted == 1)
}
