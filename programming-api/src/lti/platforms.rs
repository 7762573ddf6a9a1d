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
//! loopback address (a local LMS, the tests). An optional `frame_origins =
//! ["https://school.instructure.com"]` names the hosts whose pages frame
//! the tool where they differ from the issuer's (Canvas, Blackboard).

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
    /// Origins whose pages frame the tool, beside the issuer's.
    #[serde(default)]
    pub frame_origins: Vec<String>,
}

impl Platform {
    /// The platform's own origins: its issuer's, its endpoints' and its
    /// frames'. Who may frame the tool, and where its grade service may be.
    pub fn origins(&self) -> Vec<String> {
        let mut origins: Vec<String> = [
            &self.issuer,
            &self.auth_url,
            &self.token_url,
            &self.jwks_url,
        ]
        .into_iter()
        .chain(&self.frame_origins)
        .filter_map(|u| reqwest::Url::parse(u).ok())
        .map(|u| u.origin().ascii_serialization())
        .collect();
        origins.sort();
        origins.dedup();
        origins
    }

    /// Whether a grade-service URL a launch names (`lineitems`, `lineitem`)
    /// is this platform's: https (http on loopback) on one of its origins,
    /// so a launch cannot point the tool's requests anywhere else.
    pub fn owns_service_url(&self, url: &str) -> bool {
        check_url(url).is_ok()
            && reqwest::Url::parse(url)
                .is_ok_and(|u| self.origins().contains(&u.origin().ascii_serialization()))
    }
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
            ]
            .into_iter()
            .chain(p.frame_origins.iter().map(|o| ("frame_origins", o)))
            {
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
        let mut origins: Vec<String> = self.0.iter().flat_map(Platform::origins).collect();
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

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"
[[platform]]
issuer = "https://canvas.instructure.com"
client_id = "10000000000001"
deployment_ids = ["1:abc"]
auth_url = "https://sso.canvaslms.com/api/lti/authorize_redirect"
token_url = "https://school.instructure.com/login/oauth2/token"
jwks_url = "https://sso.canvaslms.com/api/lti/security/jwks"
frame_origins = ["https://school.instructure.com"]
[platform.contexts]
"ctx" = "intro"
"#;

    #[test]
    fn a_platform_frames_and_serves_grades_from_its_own_hosts_only() {
        let all = Platforms::parse(ONE, |c| c == "intro").unwrap();
        let p = &all.all()[0];
        assert!(all
            .origins()
            .contains(&"https://school.instructure.com".to_owned()));
        assert!(p.owns_service_url("https://school.instructure.com/api/lti/courses/1/line_items"));
        assert!(!p.owns_service_url("https://evil.example/line_items"));
        assert!(
            !p.owns_service_url("http://school.instructure.com/line_items"),
            "https only"
        );
        assert!(!p.owns_service_url("http://169.254.169.254/latest"));
    }

    #[test]
    fn a_bad_registration_names_what_is_wrong() {
        let http = ONE.replace(
            "https://sso.canvaslms.com/api/lti/security/jwks",
            "http://example.org/jwks",
        );
        assert!(Platforms::parse(&http, |_| true)
            .unwrap_err()
            .contains("jwks_url"));
        let unknown = Platforms::parse(ONE, |_| false).unwrap_err();
        assert!(unknown.contains("\"intro\""), "{unknown}");
        let twice = format!("{ONE}{ONE}").replace("[platform.contexts]\n\"ctx\" = \"intro\"\n", "");
        assert!(Platforms::parse(&twice, |_| true)
            .unwrap_err()
            .contains("twice"));
    }
}
