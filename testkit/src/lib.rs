//! Dev-only helpers for codeplatform's tests.
//!
//! - [`TestEnv`] (feature `database`): every test gets its own database,
//!   migrated and with the repository's courses loaded, and its own Redis
//!   key prefix, so tests run in parallel against one Postgres and one Redis.
//! - [`test_signer`], [`eventually`], [`Spawned`], [`free_port`],
//!   [`start_redis`], [`copy_dir`]: tokens, waiting, services on port 0, a
//!   Redis of a test's own, a folder a test changes.
//! - [`wire`]: what a client sees on the socket (closed, answered).
//! - [`lms`]: an LMS for LTI tests (lti1p3platform from PyPI, under uvicorn).

#[cfg(feature = "database")]
mod database;
pub mod lms;
pub mod wire;

#[cfg(feature = "database")]
pub use database::{with_database, TestEnv};

/// The course folder `from` packed as `codeplatform course publish` packs
/// it, `change` made to a copy of it first.
#[cfg(feature = "database")]
pub fn course_archive(from: &std::path::Path, change: impl FnOnce(&std::path::Path)) -> Vec<u8> {
    let copy = tempfile::tempdir().expect("a temporary folder");
    copy_dir(from, copy.path());
    change(copy.path());
    courseload::archive::pack(copy.path()).expect("the course packs")
}

/// Copies the folder `from` to `to`, sub-folders too (a course or the UI a
/// test changes).
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("a folder to copy to");
    for entry in std::fs::read_dir(from).expect("a folder to copy") {
        let path = entry.expect("a folder entry").path();
        let target = to.join(path.file_name().expect("a name"));
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("a copied file");
        }
    }
}

/// The token secret every test signs with (32 bytes or more, as the
/// services require).
pub const TEST_SECRET: &[u8] = b"codeplatform-test-secret-codeplatform-test";

/// A signer for [`TEST_SECRET`].
pub fn test_signer() -> service::token::TokenSigner {
    service::token::TokenSigner::new(TEST_SECRET).expect("the test secret is long enough")
}

/// Polls `check` every 25 ms until it holds or `wait` passes; whether it held.
pub async fn eventually<F, Fut>(wait: std::time::Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        if check().await {
            return true;
        }
        if tokio::time::Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

/// The shutdown future a service under test gets: it resolves when the
/// test calls [`Spawned::stop`] (or drops it).
pub struct Shutdown(tokio::sync::oneshot::Receiver<()>);

impl std::future::Future for Shutdown {
    type Output = ();

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        std::pin::Pin::new(&mut self.0).poll(cx).map(|_| ())
    }
}

/// A service's run loop in a task of its own, stopped by the test.
pub struct Spawned {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl Spawned {
    /// Starts `run` with the shutdown future it must honour.
    pub fn spawn<F>(run: impl FnOnce(Shutdown) -> F) -> Self
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        let (stop, stopped) = tokio::sync::oneshot::channel();
        Self {
            stop,
            task: tokio::spawn(run(Shutdown(stopped))),
        }
    }

    /// Resolves the shutdown future and waits until the service returned.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.expect("the service task does not panic");
    }
}

/// A TCP port on loopback that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A throwaway redis-server on `port` (no persistence), answering when this
/// returns; killed when the child is dropped. For tests that stop Redis
/// without disturbing the shared one.
pub async fn start_redis(port: u16) -> tokio::process::Child {
    let child = tokio::process::Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("redis-server runs (./test.sh installs it)");
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return child;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("redis-server did not answer on {port}");
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_name_is_replaced() {
        assert_eq!(
            with_database("postgres://u:p@127.0.0.1:5/codeplatform", "t1"),
            "postgres://u:p@127.0.0.1:5/t1"
        );
        assert_eq!(
            with_database("postgres://u:p@h:5?sslmode=disable", "t1"),
            "postgres://u:p@h:5/t1?sslmode=disable"
        );
    }
}
