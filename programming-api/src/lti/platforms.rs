//! The LMSs an operator registered, from the file `LTI_PLATFORMS` names:
//!
//! ```toml
//! [[platform]]
//! issuer = "https://moodle.example.edu"
//! client_id = "codeplatform"
//! deployment_ids = ["1"]
//! auth_url = "https://moodle.example.edu/mod/lti/auth.php"
//! token_url = "https://moodle.example.edu/mod/lti/token.php"
//! jwks_url = "https://moodle.example.edu/mod/lti/certs.php"
//! [platform.contexts]          # LTI context id -> course slug
//! "42" = "intro"
//! ```
//!
//! Checked whole at start: a platform URL must be https, except on a
//! loopback address (a local LMS, the tests).

use std::collections::BTreeMap;

use serde::Deserialize;

/// One registered platform.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Platform {
    pub issuer: String,
    pub client_id: String,
    pub deployment_ids: Vec<String>,
    pub auth_url: String,
    pub token_url: String,
    pub jwks_url: String,
    /// LTI context id → the slug of the course it is.
    #[serde(default)]
    pub contexts: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    platform: Vec<Platform>,
}

/// Every registered platform.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Platforms(Vec<Platform>);

impl Platforms {
    /// The platforms in `text` (the file's), checked; `known_course` says
    /// whether a slug is a course this API serves.
    pub fn parse(text: &str, known_course: impl Fn(&str) -> bool) -> Result<Self, String> {
        let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut seen = std::collections::BTreeSet::new();
        for p in &file.platform {
            let who = format!("platform {:?}", p.issuer);
            if !seen.insert((&p.issuer, &p.client_id)) {
                return Err(format!(
                    "{who} with client id {:?} is registered twice",
                    p.client_id
                ));
            }
            if p.client_id.is_empty() || p.deployment_ids.is_empty() {
                return Err(format!(
                    "{who}: a client id and at least one deployment id are needed"
                ));
            }
            for (name, url) in [
                ("issuer", &p.issuer),
                ("auth_url", &p.auth_url),
                ("token_url", &p.token_url),
                ("jwks_url", &p.jwks_url),
            ] {
                check_url(url).map_err(|e| format!("{who}: {name} {e}"))?;
            }
            for (context, course) in &p.contexts {
                if !known_course(course) {
                    return Err(format!(
                        "{who}: context {context:?} names course {course:?}, which this API does not serve"
                    ));
                }
            }
        }
        Ok(Self(file.platform))
    }

    /// The platform with this issuer and client id.
    pub fn find(&self, issuer: &str, client_id: Option<&str>) -> Option<&Platform> {
        let mut matching = self.0.iter().filter(|p| p.issuer == issuer);
        match client_id {
            Some(id) => matching.find(|p| p.client_id == id),
            // Without a client id, only an issuer registered once is known.
            None => {
                let first = matching.next()?;
                matching.next().is_none().then_some(first)
            }
        }
    }

    pub fn all(&self) -> &[Platform] {
        &self.0
    }

    /// The origins of the registered platforms: who may frame the LTI pages.
    pub fn origins(&self) -> Vec<String> {
        let mut origins: Vec<String> = self
            .0
            .iter()
            .filter_map(|p| reqwest::Url::parse(&p.issuer).ok())
            .map(|u| u.origin().ascii_serialization())
            .collect();
        origins.sort();
        origins.dedup();
        origins
    }
}

/// https, or http on a loopback address; no user, password or fragment.
pub fn check_url(url: &str) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("{url:?} is not a URL: {e}"))?;
    let loopback = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name == "localhost",
        None => return Err(format!("{url:?} has no host")),
    };
    match parsed.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => {
            return Err(format!(
                "{url:?} must be https (http only on a loopback address)"
            ))
        }
    }
    if !parsed.username().is_empty() || parsed.password().is_some() || parsed.fragment().is_some() {
        return Err(format!(
            "{url:?} may not carry a user, password or fragment"
        ));
    }
    Ok(())
}
