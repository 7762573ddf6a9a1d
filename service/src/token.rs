//! Bearer tokens, signed with the server secret (HMAC-SHA256). URL-safe so
//! they can ride in `/ws?token=`; holding the secret is the only way to mint
//! one, so nobody can name another person's id.
//!
//! - A learner's: `<uuid>.<base64url(mac)>`; it does not expire (the learner
//!   is anonymous and the token is all they have).
//! - A member of staff's: `staff.<base64url(claims)>.<base64url(mac)>`, the
//!   claims being their id, course, role and expiry.
//! - A device's: `<base64url(account:expiry)>.<base64url(mac)>`, kept in a
//!   cookie by a browser that signed in to that account: no credential, only
//!   proof that this browser signed in before (the sign-in rule,
//!   `programming-api/src/sign_in.rs`).
//!
//! Each kind is MACed under its own context, so none verifies as another.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

type HmacSha256 = Hmac<Sha256>;

/// Domain separation: a MAC minted here is useless as any other kind of MAC.
const CONTEXT: &[u8] = b"codeplatform:user-token:v1:";
const STAFF_CONTEXT: &[u8] = b"codeplatform:staff-token:v1:";
const STAFF_PREFIX: &str = "staff.";
const DEVICE_CONTEXT: &[u8] = b"codeplatform:device:v1:";

/// What a member of staff may do in their course.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Everything in their own course.
    Instructor,
    /// Reads the gradebook and submissions; changes nothing.
    Tutor,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Instructor => "instructor",
            Self::Tutor => "tutor",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "instructor" => Some(Self::Instructor),
            "tutor" => Some(Self::Tutor),
            _ => None,
        }
    }
}

/// Who a staff token names, and until when (unix seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffClaims {
    pub staff_id: Uuid,
    pub course_id: i32,
    pub role: Role,
    pub expires_at: i64,
}

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

    fn staff_mac(&self, claims: &[u8]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(STAFF_CONTEXT);
        mac.update(claims);
        mac
    }

    pub fn sign_staff(&self, claims: &StaffClaims) -> String {
        let text = format!(
            "{}:{}:{}:{}",
            claims.staff_id,
            claims.course_id,
            claims.role.as_str(),
            claims.expires_at
        );
        let tag = self.staff_mac(text.as_bytes()).finalize().into_bytes();
        format!(
            "{STAFF_PREFIX}{}.{}",
            URL_SAFE_NO_PAD.encode(text),
            URL_SAFE_NO_PAD.encode(tag)
        )
    }

    /// The claims of a genuine staff token that has not expired by `now`
    /// (unix seconds); None for anything else, a learner's token included.
    pub fn verify_staff(&self, token: &str, now: i64) -> Option<StaffClaims> {
        let rest = token.strip_prefix(STAFF_PREFIX)?;
        let (claims, tag) = rest.split_once('.')?;
        if claims.len() > 200 || tag.len() > 64 {
            return None;
        }
        let text = URL_SAFE_NO_PAD.decode(claims).ok()?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        self.staff_mac(&text).verify_slice(&tag).ok()?;
        let text = String::from_utf8(text).ok()?;
        let mut parts = text.split(':');
        let claims = StaffClaims {
            staff_id: parts.next()?.parse().ok()?,
            course_id: parts.next()?.parse().ok()?,
            role: Role::parse(parts.next()?)?,
            expires_at: parts.next()?.parse().ok()?,
        };
        (parts.next().is_none() && now < claims.expires_at).then_some(claims)
    }
}

impl TokenSigner {
    fn device_mac(&self, claims: &[u8]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(DEVICE_CONTEXT);
        mac.update(claims);
        mac
    }

    /// A device token: this browser signed in to `account`; good until
    /// `expires_at` (unix seconds).
    pub fn sign_device(&self, account: Uuid, expires_at: i64) -> String {
        let text = format!("{account}:{expires_at}");
        let tag = self.device_mac(text.as_bytes()).finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(text),
            URL_SAFE_NO_PAD.encode(tag)
        )
    }

    /// The account a genuine, unexpired device token names.
    pub fn verify_device(&self, token: &str, now: i64) -> Option<Uuid> {
        let (claims, tag) = token.split_once('.')?;
        if claims.len() > 100 || tag.len() > 64 {
            return None;
        }
        let text = URL_SAFE_NO_PAD.decode(claims).ok()?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        self.device_mac(&text).verify_slice(&tag).ok()?;
        let text = String::from_utf8(text).ok()?;
        let (account, expires_at) = text.split_once(':')?;
        let expires_at: i64 = expires_at.parse().ok()?;
        (now < expires_at).then_some(account.parse().ok()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_token_names_its_account_until_it_expires_and_is_no_other_kind() {
        let s = signer(1);
        let account = Uuid::new_v4();
        let device = s.sign_device(account, 1_000);
        assert_eq!(s.verify_device(&device, 999), Some(account));
        assert_eq!(s.verify_device(&device, 1_000), None, "expired");
        assert_eq!(signer(2).verify_device(&device, 0), None, "another secret");
        assert_eq!(s.verify(&device), None);
        assert_eq!(s.verify_staff(&format!("staff.{device}"), 0), None);
        let learner = s.sign(account);
        assert_eq!(s.verify_device(&learner, 0), None);
        let staff = s.sign_staff(&claims(1_000));
        assert_eq!(s.verify_device(staff.trim_start_matches("staff."), 0), None);
    }

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

    fn claims(expires_at: i64) -> StaffClaims {
        StaffClaims {
            staff_id: Uuid::new_v4(),
            course_id: 7,
            role: Role::Tutor,
            expires_at,
        }
    }

    #[test]
    fn a_staff_token_verifies_until_it_expires() {
        let c = claims(1_000);
        let token = signer(1).sign_staff(&c);
        assert_eq!(signer(1).verify_staff(&token, 999), Some(c));
        assert_eq!(signer(1).verify_staff(&token, 1_000), None, "expired");
        assert_eq!(signer(2).verify_staff(&token, 0), None, "another secret");
    }

    #[test]
    fn a_staff_token_cannot_be_edited_or_swapped_for_a_learners() {
        let s = signer(1);
        let token = s.sign_staff(&claims(1_000));
        let (_, rest) = token.split_once('.').unwrap();
        let (_, tag) = rest.split_once('.').unwrap();
        // The same MAC over claims promoting the tutor, in another course, for longer.
        let forged = format!(
            "staff.{}.{tag}",
            URL_SAFE_NO_PAD.encode(format!("{}:8:instructor:9999999999", Uuid::new_v4()))
        );
        assert_eq!(s.verify_staff(&forged, 0), None);
        // Neither kind verifies as the other.
        let learner = s.sign(Uuid::new_v4());
        assert_eq!(s.verify_staff(&learner, 0), None);
        assert_eq!(s.verify(&token), None);
        assert_eq!(s.verify_staff(&format!("staff.{learner}"), 0), None);
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!(TokenSigner::new(b"short").is_err());
    }
}
