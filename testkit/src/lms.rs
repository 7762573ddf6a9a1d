//! An LMS for LTI tests: `testkit/lms/lms_platform.py` (lti1p3platform from
//! PyPI behind FastAPI) under uvicorn on a free loopback port, from the
//! venv `scripts/deps.sh lms` fills. Killed when dropped.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// The venv's interpreter, where `scripts/deps.sh lms` installs the platform.
pub fn interpreter() -> PathBuf {
    repository().join(".data/venv-lms/bin/python3")
}

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The secret the LMS checks integration callbacks with (it plays the
/// integration's server too, at `/integration/callback`).
pub const CALLBACK_SECRET: &str = "codeplatform-test-callback-secret-0123456789";

/// A running LMS.
pub struct Lms {
    /// Its base URL, which is also its issuer.
    pub base: String,
    port: u16,
    client_id: String,
    child: Option<tokio::process::Child>,
}

impl Lms {
    /// Starts one whose client id for the tool is `client_id`, deployment "1".
    pub async fn start(client_id: &str) -> Self {
        let port = crate::free_port();
        let mut lms = Self {
            base: format!("http://127.0.0.1:{port}"),
            port,
            client_id: client_id.to_owned(),
            child: None,
        };
        lms.start_again().await;
        lms
    }

    /// Stops it (an LMS outage): it answers nothing, and forgets everything.
    pub async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().await.expect("the LMS stops");
        }
    }

    /// Starts it again on its port, as new: its line items, scores and
    /// the tool's URLs are gone (tell it the tool again).
    pub async fn start_again(&mut self) {
        let interpreter = interpreter();
        assert!(
            interpreter.exists(),
            "{} is missing: run `scripts/deps.sh lms` (./test.sh does)",
            interpreter.display()
        );
        let child = tokio::process::Command::new(interpreter)
            .args([
                "-m",
                "uvicorn",
                "lms_platform:app",
                "--host",
                "127.0.0.1",
                "--port",
                &self.port.to_string(),
                "--log-level",
                "warning",
                "--app-dir",
            ])
            .arg(repository().join("testkit/lms"))
            .env("LMS_BASE", &self.base)
            .env("LMS_CLIENT_ID", &self.client_id)
            .env("LMS_DEPLOYMENT_ID", "1")
            .env("LMS_CALLBACK_SECRET", CALLBACK_SECRET)
            .stdout(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("uvicorn starts");
        self.child = Some(child);
        for _ in 0..400 {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the LMS did not answer on {}", self.port);
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The platform's registration for the tool, as `LTI_PLATFORMS` takes
    /// it, with `contexts` (LTI context id → course slug).
    pub fn registration(&self, client_id: &str, contexts: &[(&str, &str)]) -> String {
        let mut toml = format!(
            "[[platform]]\nissuer = \"{b}\"\nclient_id = \"{client_id}\"\n\
             deployment_ids = [\"1\"]\nauth_url = \"{b}/authorize\"\n\
             token_url = \"{b}/token\"\njwks_url = \"{b}/jwks\"\n[platform.contexts]\n",
            b = self.base
        );
        for (context, course) in contexts {
            toml.push_str(&format!("\"{context}\" = \"{course}\"\n"));
        }
        toml
    }
}
