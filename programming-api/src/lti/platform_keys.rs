//! Each platform's signing keys, from its JWKS URL: fetched on first need,
//! kept for [`KEEP_FOR`] (a key the platform withdrew stops working then),
//! and fetched again once when a token names a `kid` the kept set lacks
//! (the platform rotated). Fetches, failed ones too, are spaced, so a
//! stream of forged kids cannot make the API hammer an LMS.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::DecodingKey;
use tokio::sync::Mutex;

/// The least time between two fetches of one platform's keys: a stream of
/// forged kids costs the LMS one fetch a second at most, and a key the
/// platform published a moment ago is seen within it.
const REFETCH_SPACING: Duration = Duration::from_secs(1);
/// How long a fetched key set is trusted without looking again.
const KEEP_FOR: Duration = Duration::from_secs(3600);
/// A JWKS larger than this is not a key set.
const MAX_JWKS_BYTES: usize = 256 << 10;

struct Kept {
    /// None while the last fetch failed.
    keys: Option<JwkSet>,
    fetched: Instant,
}

/// The platforms' key sets, by JWKS URL. Cheap to clone.
#[derive(Clone)]
pub struct PlatformKeys {
    http: reqwest::Client,
    kept: Arc<Mutex<HashMap<String, Kept>>>,
}

/// Why a key could not be had.
#[derive(Debug, Clone, thiserror::Error)]
pub enum KeyError {
    #[error("the token names no key (kid)")]
    NoKid,
    #[error("the platform's key set does not have key {0:?}")]
    UnknownKid(String),
    #[error("the platform's key set could not be read: {0}")]
    Fetch(String),
    #[error("the platform's key {0:?} is not a usable RSA key")]
    Unusable(String),
}

impl PlatformKeys {
    pub fn new(http: reqwest::Client) -> Self {
        Self {
            http,
            kept: Arc::default(),
        }
    }

    /// The key `kid` of the platform whose JWKS is at `url`.
    pub async fn key(&self, url: &str, kid: Option<&str>) -> Result<DecodingKey, KeyError> {
        let kid = kid.ok_or(KeyError::NoKid)?;
        // One lock for the whole lookup: concurrent launches after a
        // rotation wait for one fetch rather than each making their own.
        let mut kept = self.kept.lock().await;
        let stale = match kept.get(url) {
            Some(k) if k.fetched.elapsed() >= KEEP_FOR => true,
            Some(k) if k.keys.as_ref().is_some_and(|keys| keys.find(kid).is_some()) => false,
            Some(k) => k.fetched.elapsed() >= REFETCH_SPACING,
            None => true,
        };
        if stale {
            let fetched = self.fetch(url).await;
            let failed = fetched.as_ref().err().cloned();
            kept.insert(
                url.to_owned(),
                Kept {
                    keys: fetched.ok(),
                    fetched: Instant::now(),
                },
            );
            if let Some(e) = failed {
                return Err(e);
            }
        }
        let jwk = kept
            .get(url)
            .and_then(|k| k.keys.as_ref())
            .and_then(|keys| keys.find(kid))
            .ok_or_else(|| KeyError::UnknownKid(kid.to_owned()))?;
        DecodingKey::from_jwk(jwk).map_err(|_| KeyError::Unusable(kid.to_owned()))
    }

    async fn fetch(&self, url: &str) -> Result<JwkSet, KeyError> {
        let res = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| KeyError::Fetch(e.without_url().to_string()))?;
        if !res.status().is_success() {
            return Err(KeyError::Fetch(format!("HTTP {}", res.status())));
        }
        let body = res
            .bytes()
            .await
            .map_err(|e| KeyError::Fetch(e.without_url().to_string()))?;
        if body.len() > MAX_JWKS_BYTES {
            return Err(KeyError::Fetch("the key set is too large".into()));
        }
        serde_json::from_slice(&body).map_err(|e| KeyError::Fetch(format!("not a JWKS: {e}")))
    }
}
