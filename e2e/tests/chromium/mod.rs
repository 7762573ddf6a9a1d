//! What the Chromium tests share: a headless Chromium session per learner or
//! member of staff, each with its own profile, and reading and waiting on
//! what a page shows. Each test binary uses part of it.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use e2e::repo;
use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};
use testkit::free_port;

/// A Chromium session with a fresh profile; the profile goes when it drops.
pub struct Browser {
    pub c: Client,
    _driver: tokio::process::Child,
    profile: PathBuf,
}

impl Browser {
    pub async fn open() -> Self {
        Self::open_with(&[]).await
    }

    /// A session started with Chromium's `extra` switches as well.
    pub async fn open_with(extra: &[&str]) -> Self {
        let profile =
            std::env::temp_dir().join(format!("cp-e2e-profile-{}", uuid::Uuid::new_v4().simple()));
        let (c, driver) = browser_with(&profile, extra).await;
        Self {
            c,
            _driver: driver,
            profile,
        }
    }

    /// A phone `width` CSS pixels wide with a touch screen, as Chromium
    /// emulates one (so `(pointer: coarse)` holds, as on a real phone).
    pub async fn phone(width: u32) -> Self {
        let profile =
            std::env::temp_dir().join(format!("cp-e2e-profile-{}", uuid::Uuid::new_v4().simple()));
        let mobile = json!({
            "deviceMetrics": {"width": width, "height": 800, "pixelRatio": 2.0, "touch": true},
            "userAgent": "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36"
        });
        let (c, driver) = launch(&profile, &[], Some(mobile)).await;
        Self {
            c,
            _driver: driver,
            profile,
        }
    }

    pub async fn close(self) {
        let _ = self.c.clone().close().await;
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

pub async fn browser(profile: &std::path::Path) -> (Client, tokio::process::Child) {
    browser_with(profile, &[]).await
}

pub async fn browser_with(
    profile: &std::path::Path,
    extra: &[&str],
) -> (Client, tokio::process::Child) {
    launch(profile, extra, None).await
}

/// Chromium under chromedriver, with `extra` switches and, where given,
/// chromedriver's `mobileEmulation`.
async fn launch(
    profile: &std::path::Path,
    extra: &[&str],
    mobile: Option<Value>,
) -> (Client, tokio::process::Child) {
    // Fails only when a provider is installed already, which is what we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let port = free_port();
    let driver = tokio::process::Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("chromedriver runs (./test.sh installs chromium-driver)");
    let mut args: Vec<String> = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,1000",
    ]
    .iter()
    .chain(extra)
    .map(|a| (*a).to_owned())
    .collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    let mut options = json!({ "binary": "/usr/bin/chromium", "args": args });
    if let Some(mobile) = mobile {
        options["mobileEmulation"] = mobile;
    }
    let caps = json!({ "goog:chromeOptions": options });
    let caps = match caps {
        Value::Object(map) => map,
        _ => unreachable!(),
    };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let client = ClientBuilder::rustls()
        .unwrap()
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a Chromium session");
    (client, driver)
}

pub async fn text(c: &Client, css: &str) -> String {
    c.execute(
        "const el = document.querySelector(arguments[0]); return el && !el.closest('[hidden]') ? el.textContent : '';",
        vec![json!(css)],
    )
    .await
    .unwrap()
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

/// Waits until the text of `css` contains `needle`.
pub async fn wait_for(c: &Client, css: &str, needle: &str, secs: u64) -> String {
    wait_for_any(c, css, &[needle], secs).await
}

/// Waits until the text of `css` contains one of `needles`.
pub async fn wait_for_any(c: &Client, css: &str, needles: &[&str], secs: u64) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let t = text(c, css).await;
        if needles.iter().any(|n| t.contains(n)) {
            return t;
        }
        if tokio::time::Instant::now() > deadline {
            screenshot(c, "failure").await;
            let log: Value = c
                .execute("return document.body.innerText;", vec![])
                .await
                .unwrap();
            panic!("{css} never showed {needles:?}; it shows {t:?}; the page: {log}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub async fn type_code(c: &Client, code: &str) {
    c.execute(
        // Through CodeMirror where it loaded, else the plain textarea.
        "const e = document.getElementById('editor');
         if (e.cm) e.cm.setValue(arguments[0]);
         else { e.value = arguments[0]; e.dispatchEvent(new Event('input')); }",
        vec![json!(code)],
    )
    .await
    .unwrap();
}

pub async fn click(c: &Client, id: &str) {
    c.execute(&format!("document.getElementById('{id}').click();"), vec![])
        .await
        .unwrap();
}

pub async fn screenshot(c: &Client, name: &str) {
    let dir = repo().join("target/e2e-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join(format!("{name}.png")),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
}

/// axe-core's violations on the page `c` shows (as PyPI's
/// axe-selenium-python ships axe; `scripts/deps.sh a11y` unpacks it), each
/// as "rule (impact): the first offending element".
pub async fn axe_violations(c: &Client) -> Vec<String> {
    let path = repo().join(".data/axe/axe_selenium_python/node_modules/axe-core/axe.min.js");
    let axe = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}: run `scripts/deps.sh a11y`", path.display()));
    c.execute(&axe, vec![]).await.expect("axe loads");
    let found = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document).then((r) => done(r.violations.map((v) =>
               `${v.id} (${v.impact}): ${v.nodes[0] ? v.nodes[0].target.join(' ') : ''}`)),
               (e) => done([`axe failed: ${e}`]));",
            vec![],
        )
        .await
        .expect("axe runs");
    serde_json::from_value(found).expect("a list of violations")
}

pub fn solution(slug: &str) -> String {
    courseload::assignments::load_course(&courseload::assignments::repository_course_dir())
        .unwrap()
        .into_iter()
        .find(|a| a.slug == slug)
        .unwrap()
        .solution_code
}
