//! End-to-end tests only: see `tests/browser.rs`. They start the API, a
//! grader and the gateway in-process against real Postgres, Redis and Docker,
//! and drive the page in Debian's headless Chromium through chromedriver.
