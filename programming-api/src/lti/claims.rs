//! An LTI 1.3 `id_token`: its claims, and every check LTI Core 1.3 (§5.1)
//! asks of a tool, in one function ([`verify`]). The signature is checked
//! by jsonwebtoken against the platform's key; the rest here.

use std::collections::BTreeMap;

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use super::platforms::Platform;

/// Clock skew allowed between the platform and the tool, in seconds.
pub const SKEW_SECS: u64 = 30;

pub const RESOURCE_LINK_REQUEST: &str = "LtiResourceLinkRequest";
pub const DEEP_LINKING_REQUEST: &str = "LtiDeepLinkingRequest";

/// `aud` is a string or an array of strings.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    fn contains(&self, id: &str) -> bool {
        match self {
            Self::One(a) => a == id,
            Self::Many(all) => all.iter().any(|a| a == id),
        }
    }

    fn is_many(&self) -> bool {
        matches!(self, Self::Many(all) if all.len() > 1)
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Context {
    pub id: String,
    pub title: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ResourceLink {
    pub id: String,
    pub title: Option<String>,
}

/// The AGS claim: where line items are, and what the tool may do there.
#[derive(Debug, Clone, Deserialize)]
pub struct AgsEndpoint {
    #[serde(default)]
    pub scope: Vec<String>,
    pub lineitems: Option<String>,
    pub lineitem: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DeepLinkingSettings {
    pub deep_link_return_url: String,
    #[serde(default)]
    pub accept_types: Vec<String>,
    /// Opaque: given back as it came.
    pub data: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Lis {
    pub person_sourcedid: Option<String>,
}

/// The claims of a launch, as the tool reads them.
#[derive(Debug, Clone, Deserialize)]
pub struct LaunchClaims {
    pub iss: String,
    pub sub: Option<String>,
    pub aud: Audience,
    pub azp: Option<String>,
    pub iat: i64,
    pub nonce: Option<String>,
    pub name: Option<String>,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti/claim/message_type")]
    pub message_type: Option<String>,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti/claim/version")]
    pub version: Option<String>,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti/claim/deployment_id")]
    pub deployment_id: Option<String>,
    #[serde(default, rename = "https://purl.imsglobal.org/spec/lti/claim/roles")]
    pub roles: Vec<String>,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti/claim/context")]
    pub context: Option<Context>,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti/claim/resource_link")]
    pub resource_link: Option<ResourceLink>,
    #[serde(default, rename = "https://purl.imsglobal.org/spec/lti/claim/custom")]
    pub custom: BTreeMap<String, serde_json::Value>,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti/claim/lis")]
    pub lis: Option<Lis>,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint")]
    pub ags: Option<AgsEndpoint>,
    #[serde(rename = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings")]
    pub deep_linking: Option<DeepLinkingSettings>,
}

/// What a launch is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message {
    ResourceLink,
    DeepLinking,
}

/// A launch that passed every check: who, where, and what for.
#[derive(Debug, Clone)]
pub struct Launch {
    pub claims: LaunchClaims,
    pub subject: String,
    pub deployment_id: String,
    pub context_id: String,
    pub message: Message,
}

impl Launch {
    /// A custom parameter as text.
    pub fn custom(&self, name: &str) -> Option<&str> {
        self.claims.custom.get(name).and_then(|v| v.as_str())
    }
}

/// Why a token was refused: said to the browser, so never the token itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the launch's signature or timing is not valid: {0}")]
    Token(String),
    #[error("the launch is not from a registered platform: {0}")]
    Platform(String),
    #[error("this launch was used already, or does not belong to this sign-in")]
    Replayed,
    #[error("the launch is incomplete: {0}")]
    Incomplete(String),
    #[error("this tool does not take {0}")]
    Unsupported(String),
}

/// The signature, `iss`, `aud` and `exp` (jsonwebtoken's checks), and the
/// claims read.
fn decode(id_token: &str, key: &DecodingKey, platform: &Platform) -> Result<LaunchClaims, Refusal> {
    let mut validation = Validation::new(Algorithm::RS256);
    validation.leeway = SKEW_SECS;
    validation.set_issuer(&[&platform.issuer]);
    validation.set_audience(&[&platform.client_id]);
    validation.set_required_spec_claims(&["exp", "iat", "iss", "aud"]);
    jsonwebtoken::decode::<LaunchClaims>(id_token, key, &validation)
        .map(|data| data.claims)
        .map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::InvalidIssuer => {
                Refusal::Platform("the issuer is not the one the login named".into())
            }
            jsonwebtoken::errors::ErrorKind::InvalidAudience => {
                Refusal::Platform("the audience is not this tool's client id".into())
            }
            _ => Refusal::Token(e.to_string()),
        })
}

/// The token's header `kid`, read before its key is known.
pub fn kid(id_token: &str) -> Result<Option<String>, Refusal> {
    jsonwebtoken::decode_header(id_token)
        .map(|h| h.kid)
        .map_err(|e| Refusal::Token(e.to_string()))
}

/// Checks `id_token` as a launch from `platform` answering the login whose
/// nonce was `nonce`: the RS256 signature with `key`, `iss`, `aud`/`azp`,
/// `exp`/`iat` within [`SKEW_SECS`], the deployment, the nonce, the message
/// type and version, and the claims a launch must have.
pub fn verify(
    id_token: &str,
    key: &DecodingKey,
    platform: &Platform,
    nonce: &str,
    now: i64,
) -> Result<Launch, Refusal> {
    let claims = decode(id_token, key, platform)?;
    if claims.iat > now + SKEW_SECS as i64 {
        return Err(Refusal::Token("it was issued in the future".into()));
    }
    // Several audiences, or an azp at all: the azp must be this tool.
    if (claims.aud.is_many() || claims.azp.is_some())
        && claims.azp.as_deref() != Some(platform.client_id.as_str())
    {
        return Err(Refusal::Platform("azp is not this tool's client id".into()));
    }
    debug_assert!(claims.aud.contains(&platform.client_id));
    if claims.nonce.as_deref() != Some(nonce) {
        return Err(Refusal::Replayed);
    }
    let deployment_id = claims
        .deployment_id
        .clone()
        .filter(|d| platform.deployment_ids.contains(d))
        .ok_or_else(|| Refusal::Platform("the deployment is not registered".into()))?;
    if claims.version.as_deref() != Some("1.3.0") {
        return Err(Refusal::Unsupported(format!(
            "LTI version {:?}",
            claims.version.as_deref().unwrap_or("none")
        )));
    }
    let message = match claims.message_type.as_deref() {
        Some(RESOURCE_LINK_REQUEST) => Message::ResourceLink,
        Some(DEEP_LINKING_REQUEST) => Message::DeepLinking,
        other => {
            return Err(Refusal::Unsupported(format!(
                "the message type {:?}",
                other.unwrap_or("none")
            )))
        }
    };
    let subject = claims
        .sub
        .clone()
        .filter(|s| !s.is_empty() && s.len() <= 255)
        .ok_or_else(|| Refusal::Incomplete("no user (sub)".into()))?;
    let context_id = claims
        .context
        .as_ref()
        .map(|c| c.id.clone())
        .ok_or_else(|| Refusal::Incomplete("no course context".into()))?;
    match message {
        Message::ResourceLink if claims.resource_link.is_none() => {
            return Err(Refusal::Incomplete("no resource link".into()))
        }
        Message::DeepLinking if claims.deep_linking.is_none() => {
            return Err(Refusal::Incomplete("no deep-linking settings".into()))
        }
        _ => {}
    }
    Ok(Launch {
        claims,
        subject,
        deployment_id,
        context_id,
        message,
    })
}
