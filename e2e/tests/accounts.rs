//! A learner keeps their progress on the page, and finds it again in
//! another browser by signing in; signing out starts afresh there.

mod chromium;

use chromium::{click, screenshot, solution, text, type_code, wait_for, Browser};
use e2e::{repo, start_stack};
use fantoccini::Locator;
use serde_json::json;
use testkit::TestEnv;

async fn fill(c: &fantoccini::Client, id: &str, value: &str) {
    c.execute(
        "const e = document.getElementById(arguments[0]); e.value = arguments[1];",
        vec![json!(id), json!(value)],
    )
    .await
    .unwrap();
}

async fn open_account(c: &fantoccini::Client) {
    c.execute("document.getElementById('account').open = true;", vec![])
        .await
        .unwrap();
}

#[tokio::test]
async fn a_learner_keeps_their_progress_and_signs_in_to_it_in_another_browser() {
    let env = TestEnv::new().await;
    let stack = start_stack(&env, &repo().join("courses")).await;

    // First browser: pass an assignment, then keep the progress.
    let first = Browser::open().await;
    let c = &first.c;
    c.goto(&stack.api_url).await.unwrap();
    wait_for(c, "#assignment-title", "Hello, function", 15).await;
    type_code(c, &solution("greeting")).await;
    click(c, "submit").await;
    wait_for(c, "#status", "Passed", 60).await;
    wait_for(c, "#points", "100", 10).await;
    open_account(c).await;
    fill(c, "claim-username", "turing").await;
    fill(c, "claim-password", "a long enough password").await;
    c.find(Locator::Css("#claim button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(c, "#account-summary", "Your account: turing", 10).await;
    screenshot(c, "account-1-kept").await;

    // Another browser, a new anonymous learner at first: sign in.
    let second = Browser::open().await;
    let c2 = &second.c;
    c2.goto(&stack.api_url).await.unwrap();
    wait_for(c2, "#assignment-title", "Hello, function", 15).await;
    assert_eq!(text(c2, "#points").await, "0");
    open_account(c2).await;
    fill(c2, "sign-in-username", "turing").await;
    fill(c2, "sign-in-password", "not the password, though long").await;
    c2.find(Locator::Css("#learner-sign-in button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(c2, "#account-status", "wrong username or password", 10).await;
    fill(c2, "sign-in-password", "a long enough password").await;
    c2.find(Locator::Css("#learner-sign-in button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The page reloads as that learner: their points and their pass.
    wait_for(c2, "#points", "100", 15).await;
    open_account(c2).await;
    wait_for(c2, "#account-summary", "Your account: turing", 10).await;
    screenshot(c2, "account-2-signed-in-elsewhere").await;

    // Signing out there starts a new anonymous learner; the account stays.
    click(c2, "learner-sign-out").await;
    wait_for(c2, "#points", "0", 15).await;
    open_account(c2).await;
    wait_for(c2, "#account-summary", "Keep your progress", 10).await;
    first.close().await;
    second.close().await;
}
