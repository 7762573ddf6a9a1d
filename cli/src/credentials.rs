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

    /// What is kept; nothing when there is no file yet. A file that does
    /// not read is an error: it may hold the only copy of a learner's token.
    fn read(&self) -> anyhow::Result<Saved> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).with_context(|| {
                format!(
                    "{} does not read as this client's credentials; move it aside to start afresh",
                    self.path.display()
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Saved::default()),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", self.path.display())),
        }
    }

    pub fn last_server(&self) -> anyhow::Result<Option<String>> {
        Ok(self.read()?.last)
    }

    pub fn token_for(&self, server: &str) -> anyhow::Result<Option<String>> {
        Ok(self.read()?.tokens.get(server).cloned())
    }

    /// Keeps `token` for `server`: written to a new file, mode 0600 from
    /// its first byte, then renamed over the old one, so an interrupted
    /// write never loses the tokens already kept.
    pub fn save(&self, server: &str, token: &str) -> anyhow::Result<PathBuf> {
        let mut saved = self.read()?;
        saved.last = Some(server.to_owned());
        saved.tokens.insert(server.to_owned(), token.to_owned());
        let dir = self.path.parent().expect("a file in a directory");
        std::fs::create_dir_all(dir).with_context(|| format!("cannot make {}", dir.display()))?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        let fresh = self
            .path
            .with_extension(format!("json.{}", std::process::id()));
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&fresh)
            .with_context(|| format!("cannot write {}", fresh.display()))?;
        file.write_all(&serde_json::to_vec_pretty(&saved)?)?;
        file.sync_all()?;
        std::fs::rename(&fresh, &self.path)
            .with_context(|| format!("cannot write {}", self.path.display()))?;
        Ok(self.path.clone())
    }
}
