//! The learner's tokens, one per server, in `<config dir>/codeplatform/
//! credentials.json` (`$XDG_CONFIG_HOME` or `~/.config` on Linux), readable
//! by its owner alone: a token is the learner's whole identity.

use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::PathBuf;

use anyhow::Context;
use serde::{Deserialize, Serialize};

#[derive(Default, Serialize, Deserialize)]
struct Saved {
    /// The server last logged in to: the default `--server`.
    last: Option<String>,
    tokens: BTreeMap<String, String>,
}

pub struct Store {
    path: PathBuf,
}

impl Store {
    pub fn default_location() -> anyhow::Result<Self> {
        let dir = dirs::config_dir().context("no config directory: set XDG_CONFIG_HOME or HOME")?;
        Ok(Self {
            path: dir.join("codeplatform").join("credentials.json"),
        })
    }

    fn read(&self) -> Saved {
        std::fs::read(&self.path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    pub fn last_server(&self) -> Option<String> {
        self.read().last
    }

    pub fn token_for(&self, server: &str) -> Option<String> {
        self.read().tokens.get(server).cloned()
    }

    /// Keeps `token` for `server`, mode 0600 from the first byte written.
    pub fn save(&self, server: &str, token: &str) -> anyhow::Result<PathBuf> {
        let mut saved = self.read();
        saved.last = Some(server.to_owned());
        saved.tokens.insert(server.to_owned(), token.to_owned());
        let dir = self.path.parent().expect("a file in a directory");
        std::fs::create_dir_all(dir).with_context(|| format!("cannot make {}", dir.display()))?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&self.path)
            .with_context(|| format!("cannot write {}", self.path.display()))?;
        // A file made before, by hand or by an older client, is narrowed too.
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        file.write_all(&serde_json::to_vec_pretty(&saved)?)?;
        Ok(self.path.clone())
    }
}
