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

/// A running LMS.
pub struct Lms {
    /// Its base URL, which is also its issuer.
    pub base: String,
    child: tokio::process::Child,
}

impl Lms {
    /// Starts one whose client id for the tool is `client_id`, deployment "1".
    pub async fn start(client_id: &str) -> Self {
        let port = crate::free_port();
        let base = format!("http://127.0.0.1:{port}");
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
                &port.to_string(),
                "--log-level",
                "warning",
                "--app-dir",
            ])
            .arg(repository().join("testkit/lms"))
            .env("LMS_BASE", &base)
            .env("LMS_CLIENT_ID", client_id)
            .env("LMS_DEPLOYMENT_ID", "1")
            .stdout(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("uvicorn starts");
        let lms = Self { base, child };
        for _ in 0..400 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return lms;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the LMS did not answer on {port}");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The process id, to stop it (an LMS outage) and start it again.
    pub fn id(&self) -> Option<u32> {
        self.child.id()
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
