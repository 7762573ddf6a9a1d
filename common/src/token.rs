//! The bearer token: a learner id signed with the server secret (HMAC-SHA256).
//!
//! Format: `<uuid>.<base64url(mac)>`, URL-safe so it can ride in `/ws?token=`.
//! Holding the secret is the only way to mint one, so a learner cannot name
//! another learner's id.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

type HmacSha256 = Hmac<Sha256>;

/// Domain separation: a MAC minted here is useless as any other kind of MAC.
const CONTEXT: &[u8] = b"codeplatform:user-token:v1:";

/// Signs and verifies tokens. Cheap to clone.
#[derive(Clone)]
pub struct TokenSigner {
    key: std::sync::Arc<[u8]>,
}

impl std::fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenSigner(<secret>)")
    }
}

impl TokenSigner {
    /// A secret shorter than 32 bytes is refused: it could be guessed.
    pub fn new(secret: &[u8]) -> Result<Self, crate::Error> {
        if secret.len() < 32 {
            return Err(crate::Error::Config(
                "the token secret must be at least 32 bytes".into(),
            ));
        }
        Ok(Self { key: secret.into() })
    }

    fn mac(&self, user_id: &Uuid) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(CONTEXT);
        mac.update(user_id.as_bytes());
        mac
    }

    pub fn sign(&self, user_id: Uuid) -> String {
        let tag = self.mac(&user_id).finalize().into_bytes();
        format!("{}.{}", user_id, URL_SAFE_NO_PAD.encode(tag))
    }

    /// The learner the token names, or None for anything not minted with this secret.
    pub fn verify(&self, token: &str) -> Option<Uuid> {
        let (id, tag) = token.split_once('.')?;
        if id.len() != 36 || tag.len() > 64 {
            return None;
        }
        let user_id = Uuid::parse_str(id).ok()?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        // verify_slice compares in constant time.
        self.mac(&user_id).verify_slice(&tag).ok()?;
        Some(user_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(seed: u8) -> TokenSigner {
        TokenSigner::new(&[seed; 32]).unwrap()
    }

    #[test]
    fn a_signed_token_verifies_to_its_user() {
        let id = Uuid::new_v4();
        assert_eq!(signer(1).verify(&signer(1).sign(id)), Some(id));
    }

    #[test]
    fn a_token_from_another_secret_is_refused() {
        let id = Uuid::new_v4();
        assert_eq!(signer(1).verify(&signer(2).sign(id)), None);
    }

    #[test]
    fn a_tampered_token_is_refused() {
        let s = signer(1);
        let token = s.sign(Uuid::new_v4());
        let other = Uuid::new_v4();
        let (_, tag) = token.split_once('.').unwrap();
        assert_eq!(s.verify(&format!("{other}.{tag}")), None, "swapped user id");
        let mut flipped = token.clone().into_bytes();
        let last = flipped.len() - 1;
        flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(s.verify(std::str::from_utf8(&flipped).unwrap()), None);
        for junk in ["", ".", "abc", "x.y", &token[..token.len() - 3]] {
            assert_eq!(s.verify(junk), None, "{junk:?}");
        }
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!(TokenSigner::new(b"short").is_err());
    }
}
