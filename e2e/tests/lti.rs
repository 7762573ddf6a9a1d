//! codeplatform inside an LMS, in Chromium: PyPI's lti1p3platform behind
//! FastAPI (`testkit/lms/lms_platform.py`) plays the LMS, with a course page
//! whose button posts the third-party login to the tool, an iframe launch,
//! and a gradebook. A learner launched from it solves an assignment in the
//! platform's page and the score shows in the LMS's gradebook; an
//! instructor deep-links an assignment and then lands on the staff pages.

mod chromium;
mod lms;

use std::time::Duration;

use chromium::{click, screenshot, solution, text, type_code, wait_for, Browser};
use fantoccini::Locator;
use lms::{press, stack_in_lms, INSTRUCTOR};
use testkit::lms::Lms;
use testkit::TestEnv;

#[tokio::test]
async fn a_learner_from_the_lms_solves_an_assignment_and_the_lms_gradebook_shows_it() {
    let env = TestEnv::new().await;
    let lms = Lms::start("codeplatform").await;
    let stack = stack_in_lms(&env, &lms, Duration::from_millis(200)).await;
    let b = Browser::open().await;
    let c = &b.c;

    // The LMS's course page posts the login to the tool; the learner lands
    // on the linked assignment, signed in as the LMS's user.
    c.goto(
        &lms.url("/course?user=ada&name=Ada%20Lovelace&assignment=greeting&resource_link=rl-e2e"),
    )
    .await
    .unwrap();
    press(c, "#open-tool").await;
    wait_for(c, "#assignment-title", "Hello, function", 20).await;
    let url = c.current_url().await.unwrap();
    assert!(
        url.as_str()
            .starts_with(&format!("{}/c/intro#/a/", stack.api_url)),
        "{url}"
    );
    screenshot(c, "lti-1-launched").await;

    type_code(c, &solution("greeting")).await;
    click(c, "submit").await;
    wait_for(c, "#status", "Passed", 60).await;

    // The LMS's gradebook shows the score.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        c.goto(&lms.url("/gradebook")).await.unwrap();
        let book = text(c, "#grades").await;
        if book.contains("ada") && book.contains("100") {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the gradebook shows {book:?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    screenshot(c, "lti-2-lms-gradebook").await;

    // The course's instructor sees it sent, on the staff pages' LMS tab.
    c.goto(&lms.url(&format!("/course?user=prof&roles={INSTRUCTOR}")))
        .await
        .unwrap();
    press(c, "#open-tool").await;
    wait_for(c, "#who", "instructor · intro", 20).await;
    press(c, "#lms-tab").await;
    wait_for(c, "#lms-summary", "1 sent · 0 waiting · 0 failing", 10).await;

    // The same learner in the LMS's iframe: the same page, inside it.
    c.goto(&lms.url("/course?frame=1&user=ada&assignment=temperature&resource_link=rl-frame"))
        .await
        .unwrap();
    let frame = c
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Id("tool"))
        .await
        .unwrap();
    frame.enter_frame().await.unwrap();
    wait_for(c, "#assignment-title", "Celsius to Fahrenheit", 20).await;
    let framed_url: serde_json::Value = c
        .execute("return location.pathname;", vec![])
        .await
        .unwrap();
    assert_eq!(framed_url, "/c/intro");
    screenshot(c, "lti-3-in-a-frame").await;
    b.close().await;
}

#[tokio::test]
async fn an_instructor_deep_links_an_assignment_then_lands_on_the_staff_pages() {
    let env = TestEnv::new().await;
    let lms = Lms::start("codeplatform").await;
    let _stack = stack_in_lms(&env, &lms, Duration::from_millis(200)).await;
    let b = Browser::open().await;
    let c = &b.c;

    c.goto(&lms.url(&format!("/course?user=prof&roles={INSTRUCTOR}&deep_link=1")))
        .await
        .unwrap();
    press(c, "#open-tool").await;
    // The picker: the course's assignments, each a button.
    press(c, "button[data-assignment='temperature']").await;
    // The signed pick goes back to the LMS, which checks and keeps it.
    wait_for(c, "#added", "Added", 20).await;
    let added = text(c, "body").await;
    assert!(added.contains("Celsius to Fahrenheit"), "{added}");
    screenshot(c, "lti-4-deep-linked").await;

    // The instructor's launch of a link: the staff pages, signed in.
    c.goto(&lms.url(&format!(
        "/course?user=prof&roles={INSTRUCTOR}&assignment=temperature"
    )))
    .await
    .unwrap();
    press(c, "#open-tool").await;
    wait_for(c, "#who", "instructor · intro", 20).await;
    assert!(c.current_url().await.unwrap().as_str().ends_with("/staff"));
    screenshot(c, "lti-5-staff").await;
    b.close().await;
}
