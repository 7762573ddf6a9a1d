//! The tool's own RSA keys, from `LTI_KEY_FILE` (PEM, PKCS#8 or PKCS#1).
//! The file may hold several keys: the first signs every JWT the tool
//! makes, and all of them are published in the JWKS, so that a key can be
//! announced before it signs and kept published after it stops (a rotation:
//! see README). Each key's `kid` is its RFC 7638 thumbprint.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// One public key as the JWKS lists it: no private field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicJwk {
    pub kty: &'static str,
    #[serde(rename = "use")]
    pub use_: &'static str,
    pub alg: &'static str,
    pub kid: String,
    pub n: String,
    pub e: String,
}

/// The tool's keys. Its `Debug` names the kids only.
#[derive(Clone)]
pub struct ToolKeys {
    signing: EncodingKey,
    signing_kid: String,
    published: Vec<PublicJwk>,
}

impl std::fmt::Debug for ToolKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolKeys")
            .field("signing_kid", &self.signing_kid)
            .finish_non_exhaustive()
    }
}

impl ToolKeys {
    /// The keys in `pem` (the file's text). The errors name the block that
    /// failed, never its content.
    pub fn from_pem(pem_text: &str) -> Result<Self, String> {
        let blocks = pem::parse_many(pem_text).map_err(|e| format!("not PEM: {e}"))?;
        let mut published = Vec::new();
        let mut signing = None;
        for (i, block) in blocks.iter().enumerate() {
            let pair = match block.tag() {
                "PRIVATE KEY" => ring::rsa::KeyPair::from_pkcs8(block.contents()),
                "RSA PRIVATE KEY" => ring::rsa::KeyPair::from_der(block.contents()),
                other => {
                    return Err(format!(
                        "key {}: a {other:?} block is not an RSA private key",
                        i + 1
                    ))
                }
            }
            .map_err(|e| format!("key {}: not a usable RSA key ({e})", i + 1))?;
            let public = ring::rsa::PublicKeyComponents::<Vec<u8>>::from(pair.public());
            let jwk = public_jwk(&public.n, &public.e);
            if signing.is_none() {
                let key = EncodingKey::from_rsa_pem(pem::encode(block).as_bytes())
                    .map_err(|e| format!("key {}: {e}", i + 1))?;
                signing = Some((key, jwk.kid.clone()));
            }
            published.push(jwk);
        }
        let (signing, signing_kid) = signing.ok_or("no key in the file")?;
        Ok(Self {
            signing,
            signing_kid,
            published,
        })
    }

    /// `claims` signed RS256 with the first key, its `kid` in the header.
    pub fn sign<T: Serialize>(&self, claims: &T) -> Result<String, jsonwebtoken::errors::Error> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.signing_kid.clone());
        jsonwebtoken::encode(&header, claims, &self.signing)
    }

    /// The JWKS: every key's public half.
    pub fn jwks(&self) -> serde_json::Value {
        serde_json::json!({ "keys": self.published })
    }

    pub fn signing_kid(&self) -> &str {
        &self.signing_kid
    }
}

/// The JWK of the public key (`n`, `e` big-endian), its kid the RFC 7638
/// thumbprint: SHA-256 over `{"e","kty","n"}` in that order, no spaces.
fn public_jwk(n: &[u8], e: &[u8]) -> PublicJwk {
    let strip = |b: &[u8]| -> Vec<u8> { b.iter().skip_while(|&&x| x == 0).copied().collect() };
    let n = URL_SAFE_NO_PAD.encode(strip(n));
    let e = URL_SAFE_NO_PAD.encode(strip(e));
    let canonical = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
    let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()));
    PublicJwk {
        kty: "RSA",
        use_: "sig",
        alg: "RS256",
        kid,
        n,
        e,
    }
}
