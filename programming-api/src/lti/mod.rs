//! LTI 1.3: codeplatform as a tool inside an LMS (LTI Core 1.3, Deep
//! Linking 2.0, Assignment and Grade Services 2.0). On when `LTI_PLATFORMS`
//! is set; the routes are in `crate::routes::lti`.
//!
//! - [`platforms`]: the registered platforms, and each one's contexts → courses.
//! - [`keys`]: the tool's RSA keys (`LTI_KEY_FILE`): signing, and the JWKS.
//! - [`platform_keys`]: each platform's JWKS, fetched, kept, refetched once on an unknown kid.
//! - [`claims`]: a launch's `id_token` and every check it must pass.
//! - [`roles`]: LTI roles to a role in the course.
//! - [`logins`]: logins in progress: state, nonce, the browser's cookie.
//! - [`identity`]: who an LMS user is here: one learner, or a course's staff member.
//! - [`links`]: resource links and the assignment each opens.
//! - [`launch`]: a launch from its form post to the page it opens.
//! - [`deep_links`]: an instructor picks what a new link opens.
//! - [`pages`]: the HTML of the exchanges and of refusals.
//! - [`ags`]: Assignment and Grade Services: tokens, line items, scores.
//! - [`passback`]: the score outbox's sender, and what it owes, for staff.

pub mod ags;
pub mod claims;
pub mod deep_links;
pub mod identity;
pub mod keys;
pub mod launch;
pub mod links;
pub mod logins;
pub mod pages;
pub mod passback;
pub mod platform_keys;
pub mod platforms;
pub mod roles;

use std::time::Duration;

use crate::catalog::{Catalog, Course};
use keys::ToolKeys;
use platform_keys::PlatformKeys;
use platforms::{Platform, Platforms};

/// How long the tool waits on a platform (its keys, tokens, line items, scores).
const PLATFORM_TIMEOUT: Duration = Duration::from_secs(10);

/// What `LTI_PLATFORMS`, `LTI_KEY_FILE` and `LTI_TOOL_URL` set, read at start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub platforms_toml: String,
    pub keys: ToolKeys,
    /// The tool's base URL as browsers and platforms reach it, no trailing `/`.
    pub tool_url: String,
    /// How often the score outbox is looked at, and the longest wait
    /// between two tries of one score.
    pub send_interval: Duration,
    pub retry_max: Duration,
}

/// `url` as the tool's base URL: https (http on loopback), no path, query
/// or fragment; without its trailing `/`.
pub fn check_tool_url(url: &str) -> Result<String, String> {
    platforms::check_url(url)?;
    let parsed = reqwest::Url::parse(url).map_err(|e| e.to_string())?;
    if parsed.path() != "/" || parsed.query().is_some() {
        return Err(format!(
            "{url:?} must be a base URL without a path or query"
        ));
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// The tool, as the routes use it.
pub struct Lti {
    pub platforms: Platforms,
    pub keys: ToolKeys,
    pub tool_url: String,
    pub platform_keys: PlatformKeys,
    pub ags: ags::Ags,
    pub http: reqwest::Client,
    pub send_interval: Duration,
    pub retry_max: Duration,
}

impl Lti {
    /// The tool for `settings`: the platforms checked against the courses
    /// this API serves.
    pub fn new(settings: &Settings, catalog: &Catalog) -> Result<Self, String> {
        let platforms = Platforms::parse(&settings.platforms_toml, |slug| {
            catalog.by_slug(slug).is_some()
        })?;
        let http = reqwest::Client::builder()
            .timeout(PLATFORM_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("an HTTP client: {e}"))?;
        Ok(Self {
            platforms,
            keys: settings.keys.clone(),
            tool_url: settings.tool_url.clone(),
            platform_keys: PlatformKeys::new(http.clone()),
            ags: ags::Ags::new(http.clone(), settings.keys.clone()),
            http,
            send_interval: settings.send_interval,
            retry_max: settings.retry_max,
        })
    }

    /// Where platforms post launches (the OIDC `redirect_uri`): one URL for
    /// every message type.
    pub fn launch_url(&self) -> String {
        format!("{}/lti/launch", self.tool_url)
    }

    pub fn login_url(&self) -> String {
        format!("{}/lti/login", self.tool_url)
    }

    /// Whether the tool is reached over TLS: its cookies are then
    /// `SameSite=None; Secure`, as a frame in another site needs.
    pub fn secure(&self) -> bool {
        self.tool_url.starts_with("https://")
    }

    /// The course `context` of `platform` is, among those this API serves.
    pub fn course_of<'c>(
        &self,
        platform: &Platform,
        context: &str,
        catalog: &'c Catalog,
    ) -> Option<&'c Course> {
        catalog.by_slug(platform.contexts.get(context)?)
    }

    /// The same login again, begun from a new window.
    pub fn login_again_url(&self, login: &logins::Pending) -> String {
        let mut url = reqwest::Url::parse(&self.login_url()).expect("the tool URL was checked");
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("iss", &login.issuer)
                .append_pair("client_id", &login.client_id)
                .append_pair("login_hint", &login.login_hint)
                .append_pair("target_link_uri", &login.target_link_uri);
            if let Some(hint) = &login.lti_message_hint {
                q.append_pair("lti_message_hint", hint);
            }
        }
        url.into()
    }
}
