//! What every page and answer carries for the browser's sake: a strict
//! Content-Security-Policy and friends, and HEAD wherever GET works.

use reqwest::StatusCode;

use crate::helpers::{config, TestApp};
use testkit::TestEnv;

fn policy(res: &reqwest::Response) -> String {
    res.headers()
        .get("content-security-policy")
        .expect("a Content-Security-Policy")
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn every_answer_carries_a_strict_policy() {
    let app = TestApp::spawn().await;
    for path in [
        "/",
        "/c/intro",
        "/staff",
        "/js/app.js",
        "/js/staff.js",
        "/style.css",
        "/api/assignments",
        "/api/no-such-thing",
    ] {
        let res = app.get(path, None).await;
        assert!(res.status() != StatusCode::INTERNAL_SERVER_ERROR, "{path}");
        let csp = policy(&res);
        for directive in [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        // Without WS_PUBLIC_URL the page may reach only its own host's gateway.
        let host = app.addr.ip();
        assert!(
            csp.contains(&format!(
                "connect-src 'self' ws://{host}:8081 wss://{host}:8081;"
            )),
            "{path}: {csp}"
        );
        assert_eq!(res.headers()["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(res.headers()["referrer-policy"], "no-referrer", "{path}");
    }
}

#[tokio::test]
async fn a_host_header_cannot_write_into_the_policy() {
    let app = TestApp::spawn().await;
    let res = app
        .http
        .get(app.url("/"))
        .header("host", "evil.org; script-src *")
        .send()
        .await
        .unwrap();
    let csp = policy(&res);
    assert!(csp.contains("connect-src 'self';"), "{csp}");
    assert!(!csp.contains("evil"), "{csp}");
}

#[tokio::test]
async fn a_configured_gateway_is_the_only_one_the_page_may_reach_and_is_told() {
    let env = TestEnv::empty().await;
    let mut config = config(&env);
    config.ws_public_url = Some("wss://live.example.org/ws".into());
    let app = TestApp::start(env, config).await;
    for page in ["/c/intro", "/staff"] {
        let res = app.get(page, None).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(policy(&res).contains("connect-src 'self' wss://live.example.org;"));
        let html = res.text().await.unwrap();
        assert!(
            html.contains(r#"<meta name="ws-url" content="wss://live.example.org/ws">"#),
            "{page}: {html}"
        );
    }
}

#[tokio::test]
async fn head_answers_wherever_get_does_without_a_body() {
    let app = TestApp::spawn().await;
    for path in [
        "/",
        "/c/intro",
        "/staff",
        "/style.css",
        "/api/assignments",
        "/healthz",
    ] {
        let get = app.get(path, None).await;
        let get_status = get.status();
        let get_type = get.headers().get("content-type").cloned();
        let head = app.http.head(app.url(path)).send().await.unwrap();
        assert_eq!(head.status(), get_status, "HEAD {path}");
        assert_eq!(
            head.headers().get("content-type"),
            get_type.as_ref(),
            "{path}"
        );
        assert!(head.headers().contains_key("content-security-policy"));
        assert!(
            head.bytes().await.unwrap().is_empty(),
            "HEAD {path} has a body"
        );
    }
}

#[tokio::test]
async fn static_files_are_compressed_for_who_takes_it_and_revalidated_by_etag() {
    use std::io::Read;
    let app = TestApp::spawn().await;
    let plain = app.http.get(app.url("/js/app.js")).send().await.unwrap();
    assert_eq!(plain.status(), StatusCode::OK);
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(
        plain.headers()["cache-control"],
        "no-cache",
        "the site's own: revalidated"
    );
    assert_eq!(plain.headers()["vary"], "accept-encoding");
    let etag = plain.headers()["etag"].clone();
    let plain = plain.bytes().await.unwrap();

    let zipped = app
        .http
        .get(app.url("/js/app.js"))
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(zipped.headers()["content-encoding"], "gzip");
    assert!(zipped.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    let zipped = zipped.bytes().await.unwrap();
    assert!(
        zipped.len() < plain.len() / 2,
        "{} of {}",
        zipped.len(),
        plain.len()
    );
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&zipped[..])
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, plain);

    let again = app
        .http
        .get(app.url("/js/app.js"))
        .header("if-none-match", etag.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert!(again.bytes().await.unwrap().is_empty());

    // Pages are revalidated too; the vendored editor is kept a day.
    let page = app.get("/c/intro", None).await;
    assert_eq!(page.headers()["cache-control"], "no-cache");
    let editor = app.get("/vendor/codemirror/codemirror.js", None).await;
    assert_eq!(editor.status(), StatusCode::OK, "run scripts/vendor-ui.sh");
    assert_eq!(editor.headers()["cache-control"], "public, max-age=86400");
    for missing in ["/nope.js", "/js/../../Cargo.toml", "/c/intro/extra"] {
        let res = app.get(missing, None).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{missing}");
    }
}

/// The page reads the verdicts' texts from the one table the grader judges
/// by, as a module the API makes from it; and each runner's editor mode is
/// among the vendored CodeMirror modes the page loads by the runner's name.
#[tokio::test]
async fn the_page_is_served_the_verdict_table_and_every_runners_editor_mode() {
    let app = TestApp::spawn().await;
    let res = app.get("/js/verdict-table.js", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    let module = res.text().await.unwrap();
    let json = module
        .split_once("export const VERDICTS = ")
        .and_then(|(_, rest)| rest.trim_end().strip_suffix(';'))
        .unwrap_or_else(|| panic!("{module}"));
    let rows: Vec<serde_json::Value> = serde_json::from_str(json).unwrap();
    let served: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), r["text"].as_str().unwrap()))
        .collect();
    let table: Vec<(&str, &str)> = domain::verdict::TABLE
        .iter()
        .map(|row| (row.name, row.text))
        .collect();
    assert_eq!(served, table);
    for runner in domain::runners::ALL {
        let path = format!("/vendor/codemirror/mode/{0}/{0}.js", runner.language);
        let mode = app.get(&path, None).await;
        assert_eq!(
            mode.status(),
            StatusCode::OK,
            "{path}: run scripts/vendor-ui.sh"
        );
    }
}
