//! Every malformed request gets a 4xx with the JSON error shape, and nothing is written.

use reqwest::{Method, StatusCode};

use crate::helpers::{error_code, TestApp};

struct Case {
    name: &'static str,
    method: Method,
    path: String,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    extra_header: Option<(&'static str, String)>,
    chunked: bool,
    status: StatusCode,
    code: &'static str,
}

fn case(
    name: &'static str,
    method: Method,
    path: &str,
    status: StatusCode,
    code: &'static str,
) -> Case {
    Case {
        name,
        method,
        path: path.to_owned(),
        content_type: None,
        body: Vec::new(),
        extra_header: None,
        chunked: false,
        status,
        code,
    }
}

fn json_post(
    name: &'static str,
    path: &str,
    body: impl Into<Vec<u8>>,
    status: StatusCode,
    code: &'static str,
) -> Case {
    Case {
        content_type: Some("application/json"),
        body: body.into(),
        ..case(name, Method::POST, path, status, code)
    }
}

#[tokio::test]
async fn malformed_requests_get_a_json_4xx_and_write_nothing() {
    let app = TestApp::spawn().await;
    let learner = app.learner().await;
    let a = app.first_assignment().await;
    let submit = format!("/api/assignments/{a}/submissions");
    let big_code = format!("{{\"code\": \"{}\"}}", "x".repeat(64 * 1024 + 1));
    // Over the cap of a route that takes a hand-in (a notebook's 1 MiB and
    // its envelope); the other routes' cap is 256 KiB.
    let huge_body = format!("{{\"code\": \"{}\"}}", "x".repeat(1100 * 1024));
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    use StatusCode as S;
    let cases = vec![
        json_post(
            "truncated JSON",
            &submit,
            r#"{"code":"#,
            S::BAD_REQUEST,
            "malformed_json",
        ),
        json_post(
            "trailing garbage",
            &submit,
            r#"{"code":"x"} x"#,
            S::BAD_REQUEST,
            "malformed_json",
        ),
        json_post("empty body", &submit, "", S::BAD_REQUEST, "malformed_json"),
        json_post(
            "not JSON at all",
            &submit,
            "code=x",
            S::BAD_REQUEST,
            "malformed_json",
        ),
        json_post(
            "deeply nested",
            &submit,
            deep,
            S::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        json_post(
            "lone surrogate escape",
            &submit,
            r#"{"code":"\udc00"}"#,
            S::BAD_REQUEST,
            "malformed_json",
        ),
        json_post(
            "invalid UTF-8",
            &submit,
            b"{\"code\":\"\xff\xfe\"}".to_vec(),
            S::BAD_REQUEST,
            "invalid_utf8",
        ),
        json_post(
            "code is a number",
            &submit,
            r#"{"code": 5}"#,
            S::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        json_post(
            "code is null",
            &submit,
            r#"{"code": null}"#,
            S::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        json_post(
            "code is a list",
            &submit,
            r#"{"code": ["a"]}"#,
            S::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        json_post(
            "missing code",
            &submit,
            "{}",
            S::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        json_post(
            "unknown field",
            &submit,
            r#"{"code":"x","admin":true}"#,
            S::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        json_post(
            "array body",
            &submit,
            "[]",
            S::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        json_post(
            "string body",
            &submit,
            r#""code""#,
            S::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        json_post(
            "NUL in code",
            &submit,
            r#"{"code":"a\u0000b"}"#,
            S::UNPROCESSABLE_ENTITY,
            "invalid_code",
        ),
        json_post(
            "code over 64 KiB",
            &submit,
            big_code,
            S::PAYLOAD_TOO_LARGE,
            "code_too_large",
        ),
        json_post(
            "body over the hand-in cap",
            &submit,
            huge_body.clone(),
            S::PAYLOAD_TOO_LARGE,
            "body_too_large",
        ),
        Case {
            method: Method::PATCH,
            ..json_post(
                "body over 256 KiB where no hand-in comes",
                "/api/me",
                format!("{{\"display_name\": \"{}\"}}", "x".repeat(300 * 1024)),
                S::PAYLOAD_TOO_LARGE,
                "body_too_large",
            )
        },
        Case {
            chunked: true,
            ..json_post(
                "chunked body over the hand-in cap",
                &submit,
                huge_body,
                S::PAYLOAD_TOO_LARGE,
                "body_too_large",
            )
        },
        Case {
            content_type: None,
            ..json_post(
                "no content type",
                &submit,
                r#"{"code":"x"}"#,
                S::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
            )
        },
        Case {
            content_type: Some("text/plain"),
            ..json_post(
                "text content type",
                &submit,
                r#"{"code":"x"}"#,
                S::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
            )
        },
        Case {
            content_type: Some("application/x-www-form-urlencoded"),
            ..json_post(
                "form content type",
                &submit,
                "code=x",
                S::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
            )
        },
        json_post(
            "unknown assignment",
            "/api/assignments/999999/submissions",
            r#"{"code":"x"}"#,
            S::NOT_FOUND,
            "not_found",
        ),
        json_post(
            "non-numeric assignment id",
            "/api/assignments/abc/submissions",
            r#"{"code":"x"}"#,
            S::BAD_REQUEST,
            "invalid_id",
        ),
        json_post(
            "zero assignment id",
            "/api/assignments/0/submissions",
            r#"{"code":"x"}"#,
            S::BAD_REQUEST,
            "invalid_id",
        ),
        json_post(
            "overflowing assignment id",
            "/api/assignments/4294967296/submissions",
            r#"{"code":"x"}"#,
            S::BAD_REQUEST,
            "invalid_id",
        ),
        Case {
            extra_header: Some(("x-padding", "p".repeat(20 * 1024))),
            ..case(
                "huge header",
                Method::GET,
                "/api/me",
                S::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "headers_too_large",
            )
        },
        case(
            "submission id not a uuid",
            Method::GET,
            "/api/submissions/not-a-uuid",
            S::BAD_REQUEST,
            "invalid_id",
        ),
        case(
            "unknown submission",
            Method::GET,
            &format!("/api/submissions/{}", uuid::Uuid::new_v4()),
            S::NOT_FOUND,
            "not_found",
        ),
        case(
            "delete with a bad id",
            Method::DELETE,
            "/api/submissions/1",
            S::BAD_REQUEST,
            "invalid_id",
        ),
        case(
            "list of an unknown assignment",
            Method::GET,
            "/api/assignments/999999/submissions",
            S::NOT_FOUND,
            "not_found",
        ),
        case(
            "wrong method",
            Method::PUT,
            "/api/assignments",
            S::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
        case(
            "unknown API route",
            Method::GET,
            "/api/nothing-here",
            S::NOT_FOUND,
            "not_found",
        ),
    ];
    assert!(cases.len() >= 25);

    for c in cases {
        let mut req = app
            .http
            .request(c.method.clone(), app.url(&c.path))
            .bearer_auth(&learner.token);
        if let Some(ct) = c.content_type {
            req = req.header("content-type", ct);
        }
        if let Some((name, value)) = &c.extra_header {
            req = req.header(*name, value);
        }
        req = if c.chunked {
            let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
                c.body.chunks(16 * 1024).map(|b| Ok(b.to_vec())).collect();
            req.body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        } else if !c.body.is_empty() {
            req.body(c.body.clone())
        } else {
            req
        };
        let res = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", c.name));
        assert_eq!(res.status(), c.status, "{}", c.name);
        assert_eq!(error_code(res).await, c.code, "{}", c.name);
    }

    let client = app.ctx.pool.get().await.unwrap();
    let n: i64 = client
        .query_one("SELECT count(*) AS n FROM submissions", &[])
        .await
        .unwrap()
        .get("n");
    assert_eq!(n, 0, "a refused request wrote a submission");
    assert!(
        app.stream_ids().await.is_empty(),
        "a refused request reached the stream"
    );
}

#[tokio::test]
async fn every_answer_carries_a_request_id_and_a_sane_one_is_kept() {
    let app = TestApp::spawn().await;
    let url = app.url("/api/assignments");

    let fresh = app.http.get(&url).send().await.unwrap();
    let given = app
        .http
        .get(&url)
        .header("x-request-id", "proxy-42_a")
        .send()
        .await
        .unwrap();
    let hostile = app
        .http
        .get(&url)
        .header("x-request-id", "x".repeat(65))
        .send()
        .await
        .unwrap();

    let id = |r: &reqwest::Response| r.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id(&fresh).len(), 32, "a fresh id: {}", id(&fresh));
    assert_eq!(id(&given), "proxy-42_a");
    assert_eq!(id(&hostile).len(), 32, "an overlong id is replaced");
    assert_ne!(id(&fresh), id(&hostile));
}
