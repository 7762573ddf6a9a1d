//! A listener whose process is out of file descriptors backs off instead of
//! spinning on accept errors, and serves again once descriptors are free.
//! Its own test binary: it lowers this process's open-file limit.

use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use service::server::{serve, ListenerLimits};
use tokio::io::AsyncWriteExt;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

/// Counts the accept loop's "accept failed" warnings.
struct AcceptFailures(Arc<AtomicUsize>);

impl<S: tracing::Subscriber> Layer<S> for AcceptFailures {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        struct Message(bool);
        impl Visit for Message {
            fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
                if field.name() == "message" && format!("{value:?}") == "accept failed" {
                    self.0 = true;
                }
            }
        }
        let mut message = Message(false);
        event.record(&mut message);
        if message.0 {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[tokio::test]
async fn out_of_file_descriptors_the_accept_loop_backs_off_and_recovers() {
    let failures = Arc::new(AtomicUsize::new(0));
    let _guard = tracing::subscriber::set_default(
        tracing_subscriber::registry().with(AcceptFailures(failures.clone())),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // A client waits in the backlog before the process runs out.
    let mut waiting = TcpStream::connect(addr).unwrap();

    // Use up every descriptor the (lowered) limit allows.
    let (soft, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE).unwrap();
    let highest = std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u64>().ok())
        .max()
        .unwrap();
    rlimit::setrlimit(rlimit::Resource::NOFILE, highest + 8, hard).unwrap();
    let mut filler = Vec::new();
    while let Ok(f) = std::fs::File::open("/dev/null") {
        filler.push(f);
    }

    let served = Arc::new(AtomicUsize::new(0));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let count = served.clone();
    let server = tokio::spawn(serve(
        listener,
        ListenerLimits::public(),
        async {
            let _ = stopped.await;
        },
        Duration::from_secs(1),
        move |mut stream, _, _| {
            let count = count.clone();
            async move {
                count.fetch_add(1, Ordering::Relaxed);
                let _ = stream.write_all(b"hello").await;
            }
        },
    ));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let failed = failures.load(Ordering::Relaxed);
    // Backing off from 20 ms, doubling to 1 s: about six tries in 1.5 s;
    // spinning would be thousands.
    assert!(
        failed >= 2,
        "accept never failed ({failed}): the test did not run out of descriptors"
    );
    assert!(
        failed <= 12,
        "{failed} failed accepts in 1.5 s: the loop spins"
    );
    assert_eq!(served.load(Ordering::Relaxed), 0);

    // Descriptors free again: the waiting client is served.
    drop(filler);
    rlimit::setrlimit(rlimit::Resource::NOFILE, soft, hard).unwrap();
    waiting
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let got = tokio::task::spawn_blocking(move || {
        let mut buf = [0u8; 5];
        std::io::Read::read_exact(&mut waiting, &mut buf).map(|()| buf)
    })
    .await
    .unwrap();
    assert_eq!(&got.expect("the waiting client is served"), b"hello");
    let _ = stop.send(());
    server.await.unwrap();
}
