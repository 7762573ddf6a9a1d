//! What the LTI tests and benchmark share: the stack as an LMS's LTI tool
//! (the LMS is `testkit::lms`, PyPI's lti1p3platform behind FastAPI), told
//! each other's URLs, and pressing a button as soon as it shows.
#![allow(dead_code)]

use std::time::Duration;

use e2e::{repo, start_stack_with, Stack};
use fantoccini::Locator;
use serde_json::json;
use testkit::lms::Lms;
use testkit::TestEnv;

/// An instructor's role URI, as it goes in the LMS's query string.
pub const INSTRUCTOR: &str =
    "http%3A%2F%2Fpurl.imsglobal.org%2Fvocab%2Flis%2Fv2%2Fmembership%23Instructor";

/// The stack as the LMS's tool, the LMS told where the tool is.
/// `send_interval`: how often the score outbox is looked at.
pub async fn stack_in_lms(env: &TestEnv, lms: &Lms, send_interval: Duration) -> Stack {
    let key = std::process::Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
        ])
        .stderr(std::process::Stdio::null())
        .output()
        .expect("openssl runs");
    let key = String::from_utf8(key.stdout).unwrap();
    let port = testkit::free_port();
    let registration = lms.registration("codeplatform", &[("42", "intro")]);
    let stack = start_stack_with(env, &repo().join("courses"), |config| {
        config.addr = format!("127.0.0.1:{port}").parse().unwrap();
        config.lti = Some(programming_api::lti::Settings {
            platforms_toml: registration,
            keys: programming_api::lti::keys::ToolKeys::from_pem(&key).unwrap(),
            tool_url: format!("http://127.0.0.1:{port}"),
            send_interval,
            retry_max: Duration::from_secs(2),
        });
    })
    .await;
    let tool = &stack.api_url;
    let res = reqwest::Client::new()
        .post(lms.url("/_control/tool"))
        .json(&json!({
            "login": format!("{tool}/lti/login"),
            "launch": format!("{tool}/lti/launch"),
            "deep_link": format!("{tool}/lti/launch"),
            "jwks": format!("{tool}/lti/jwks"),
        }))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    stack
}

pub async fn press(c: &fantoccini::Client, css: &str) {
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("{css} shows"))
        .click()
        .await
        .unwrap();
}
