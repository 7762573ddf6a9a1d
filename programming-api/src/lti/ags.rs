//! Assignment and Grade Services 2.0, the tool's side: access tokens by
//! client credentials with an RS256 client assertion (RFC 7523: `iss` =
//! `sub` = the client id, `aud` the token URL, `iat`, a short `exp`, a
//! unique `jti`), kept per platform and scope until shortly before they
//! expire; line items found or made by resource link; scores posted.
//! A 401 fetches a new token once.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::Mutex;

use super::keys::ToolKeys;
use super::logins::random_token;
use super::platforms::Platform;

pub const SCOPE_LINEITEM: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem";
pub const SCOPE_SCORE: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/score";
const LINEITEM_TYPE: &str = "application/vnd.ims.lis.v2.lineitem+json";
const LINEITEMS_TYPE: &str = "application/vnd.ims.lis.v2.lineitemcontainer+json";
const SCORE_TYPE: &str = "application/vnd.ims.lis.v1.score+json";
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// How long a client assertion is good for.
const ASSERTION_TTL_SECS: i64 = 300;
/// A token is fetched again this long before it expires.
const TOKEN_MARGIN: Duration = Duration::from_secs(60);
/// An answer longer than this is not read whole (an LMS's error page).
const MAX_ANSWER_BYTES: usize = 1 << 20;

/// Why a call to the platform failed: what the staff page shows. Never a
/// token or a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct AgsError(pub String);

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

struct Kept {
    token: String,
    until: Instant,
}

/// Tokens by platform (issuer, client id) and scope.
type Tokens = HashMap<(String, String, String), Kept>;

/// The tool as an AGS client. Cheap to clone.
#[derive(Clone)]
pub struct Ags {
    http: reqwest::Client,
    keys: ToolKeys,
    tokens: Arc<Mutex<Tokens>>,
}

/// What a score says: LTI AGS's score, always completed and fully graded.
pub struct Score<'a> {
    pub user_id: &'a str,
    pub points: i32,
    pub timestamp: chrono::DateTime<chrono::Utc>,
}

/// What a line item is made with, when the launch named none.
pub struct LineItemSpec<'a> {
    pub resource_link_id: &'a str,
    pub resource_id: &'a str,
    pub label: &'a str,
}

impl Ags {
    pub fn new(http: reqwest::Client, keys: ToolKeys) -> Self {
        Self {
            http,
            keys,
            tokens: Arc::default(),
        }
    }

    /// A token for `scope` at `platform`, kept or fetched.
    async fn token(
        &self,
        platform: &Platform,
        scope: &str,
        fresh: bool,
    ) -> Result<String, AgsError> {
        let key = (
            platform.issuer.clone(),
            platform.client_id.clone(),
            scope.to_owned(),
        );
        let mut kept = self.tokens.lock().await;
        if !fresh {
            if let Some(k) = kept.get(&key).filter(|k| Instant::now() < k.until) {
                return Ok(k.token.clone());
            }
        }
        let now = chrono::Utc::now().timestamp();
        let assertion = self
            .keys
            .sign(&json!({
                "iss": platform.client_id,
                "sub": platform.client_id,
                "aud": platform.token_url,
                "iat": now,
                "exp": now + ASSERTION_TTL_SECS,
                "jti": random_token(),
            }))
            .map_err(|e| AgsError(format!("the client assertion could not be signed: {e}")))?;
        let res = self
            .http
            .post(&platform.token_url)
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_assertion_type", ASSERTION_TYPE),
                ("client_assertion", assertion.as_str()),
                ("scope", scope),
            ])
            .send()
            .await
            .map_err(|e| unreachable_platform("token", e))?;
        let answer: TokenAnswer = read_json(res, "token").await?;
        let lifetime = Duration::from_secs(answer.expires_in.unwrap_or(3600));
        kept.insert(
            key,
            Kept {
                token: answer.access_token.clone(),
                until: Instant::now() + lifetime.saturating_sub(TOKEN_MARGIN),
            },
        );
        Ok(answer.access_token)
    }

    /// Sends `req` (built by `build` with a token for `scope`); on a 401
    /// fetches a new token and sends once more.
    async fn call(
        &self,
        platform: &Platform,
        scope: &str,
        what: &str,
        build: impl Fn(&str) -> reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, AgsError> {
        let token = self.token(platform, scope, false).await?;
        let res = build(&token)
            .send()
            .await
            .map_err(|e| unreachable_platform(what, e))?;
        if res.status() != reqwest::StatusCode::UNAUTHORIZED {
            return Ok(res);
        }
        let token = self.token(platform, scope, true).await?;
        build(&token)
            .send()
            .await
            .map_err(|e| unreachable_platform(what, e))
    }

    /// The line item of `spec`'s resource link in `lineitems`, found by
    /// resource link and resource id, or made.
    pub async fn line_item(
        &self,
        platform: &Platform,
        lineitems: &str,
        spec: &LineItemSpec<'_>,
    ) -> Result<String, AgsError> {
        let res = self
            .call(platform, SCOPE_LINEITEM, "line items", |token| {
                self.http
                    .get(lineitems)
                    .query(&[
                        ("resource_link_id", spec.resource_link_id),
                        ("resource_id", spec.resource_id),
                    ])
                    .bearer_auth(token)
                    .header("accept", LINEITEMS_TYPE)
            })
            .await?;
        let found: Vec<Value> = read_json(res, "line items").await?;
        if let Some(id) = found
            .iter()
            .find(|li| li["resourceLinkId"] == spec.resource_link_id)
            .and_then(|li| li["id"].as_str())
        {
            return Ok(id.to_owned());
        }
        let body = json!({
            "scoreMaximum": domain::course::ASSIGNMENT_POINTS,
            "label": spec.label,
            "resourceId": spec.resource_id,
            "resourceLinkId": spec.resource_link_id,
        });
        let res = self
            .call(platform, SCOPE_LINEITEM, "a new line item", |token| {
                self.http
                    .post(lineitems)
                    .bearer_auth(token)
                    .header("content-type", LINEITEM_TYPE)
                    .header("accept", LINEITEM_TYPE)
                    .body(body.to_string())
            })
            .await?;
        let made: Value = read_json(res, "a new line item").await?;
        made["id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| AgsError("the LMS made a line item without an id".into()))
    }

    /// Posts `score` to the line item `lineitem`.
    pub async fn post_score(
        &self,
        platform: &Platform,
        lineitem: &str,
        score: &Score<'_>,
    ) -> Result<(), AgsError> {
        let url = scores_url(lineitem)?;
        let body = json!({
            "userId": score.user_id,
            "scoreGiven": score.points,
            "scoreMaximum": domain::course::ASSIGNMENT_POINTS,
            "timestamp": score.timestamp.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "activityProgress": "Completed",
            "gradingProgress": "FullyGraded",
        });
        let res = self
            .call(platform, SCOPE_SCORE, "a score", |token| {
                self.http
                    .post(url.as_str())
                    .bearer_auth(token)
                    .header("content-type", SCORE_TYPE)
                    .body(body.to_string())
            })
            .await?;
        if res.status().is_success() {
            return Ok(());
        }
        Err(refused("a score", res).await)
    }
}

/// `{lineitem}/scores`: the path gets `/scores`, the query stays.
fn scores_url(lineitem: &str) -> Result<reqwest::Url, AgsError> {
    let mut url = reqwest::Url::parse(lineitem)
        .map_err(|_| AgsError(format!("the line item {lineitem:?} is not a URL")))?;
    let path = format!("{}/scores", url.path().trim_end_matches('/'));
    url.set_path(&path);
    Ok(url)
}

fn unreachable_platform(what: &str, e: reqwest::Error) -> AgsError {
    let why = if e.is_timeout() {
        "it did not answer in time".to_owned()
    } else {
        e.without_url().to_string()
    };
    AgsError(format!("the LMS could not be reached for {what}: {why}"))
}

/// The LMS's refusal, in its own words (the start of its answer).
async fn refused(what: &str, res: reqwest::Response) -> AgsError {
    let status = res.status();
    let text = res.text().await.unwrap_or_default();
    let said: String = text.chars().take(300).collect();
    AgsError(format!(
        "the LMS refused {what}: HTTP {status}: {}",
        said.trim()
    ))
}

async fn read_json<T: serde::de::DeserializeOwned>(
    res: reqwest::Response,
    what: &str,
) -> Result<T, AgsError> {
    if !res.status().is_success() {
        return Err(refused(what, res).await);
    }
    let body = res
        .bytes()
        .await
        .map_err(|e| unreachable_platform(what, e))?;
    if body.len() > MAX_ANSWER_BYTES {
        return Err(AgsError(format!(
            "the LMS's answer for {what} is too large"
        )));
    }
    serde_json::from_slice(&body).map_err(|e| {
        AgsError(format!(
            "the LMS's answer for {what} is not what AGS says: {e}"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_go_under_the_line_item_and_its_query_stays() {
        assert_eq!(
            scores_url("https://lms.example/li/7?type_id=3")
                .unwrap()
                .as_str(),
            "https://lms.example/li/7/scores?type_id=3"
        );
        assert_eq!(
            scores_url("https://lms.example/li/7/").unwrap().as_str(),
            "https://lms.example/li/7/scores"
        );
        assert!(scores_url("not a url").is_err());
    }
}
