//! Gateway benchmark: how many idle sockets one gateway process holds, its
//! resident memory at that load, and the delay from PUBLISH to the socket.
//!
//! Usage: fanout <gateway-pid> <ws-url> <sockets> <events>
//! with REDIS_URL, TOKEN_SECRET and REDIS_PREFIX as the gateway has them.
//! Prints a markdown table; `scripts/bench-live.sh` records it.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use chrono::Utc;
use domain::work::{Submission, SubmissionEvent, SubmissionStatus};
use futures::StreamExt;
use queue::events::EventPublisher;
use queue::names::RedisNames;
use service::token::TokenSigner;
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap_or(0)
}

fn now_micros() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_micros()
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let pid: u32 = args[1].parse().unwrap();
    let url = args[2].clone();
    let sockets: usize = args[3].parse().unwrap();
    let events: usize = args[4].parse().unwrap();
    let signer = TokenSigner::new(std::env::var("TOKEN_SECRET").unwrap().as_bytes()).unwrap();
    let names = RedisNames::new(std::env::var("REDIS_PREFIX").unwrap_or_default());
    let client = redis::Client::open(std::env::var("REDIS_URL").unwrap()).unwrap();
    let publisher = EventPublisher::new(
        redis::aio::ConnectionManager::new(client).await.unwrap(),
        names,
    );

    let rss_before = rss_kib(pid);
    let users: Vec<Uuid> = (0..sockets).map(|_| Uuid::new_v4()).collect();
    let delays = Arc::new(Mutex::new(Vec::<u128>::with_capacity(events)));
    let started = Instant::now();
    let connected = futures::stream::iter(users.iter().copied())
        .map(|user| {
            let url = format!("{url}?token={}", signer.sign(user));
            async move {
                tokio_tungstenite::connect_async(url)
                    .await
                    .map(|(ws, _)| ws)
            }
        })
        .buffer_unordered(200)
        .collect::<Vec<_>>()
        .await;
    let connect_secs = started.elapsed().as_secs_f64();
    let mut open = 0;
    for ws in connected {
        let Ok(mut ws) = ws else { continue };
        open += 1;
        let delays = delays.clone();
        tokio::spawn(async move {
            while let Some(Ok(msg)) = ws.next().await {
                if let Message::Text(t) = msg {
                    let v: serde_json::Value = serde_json::from_str(&t).unwrap();
                    if let Some(sent) = v["submission"]["code"]
                        .as_str()
                        .and_then(|c| c.parse::<u128>().ok())
                    {
                        delays.lock().await.push(now_micros().saturating_sub(sent));
                    }
                }
            }
        });
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_held = rss_kib(pid);

    // Events to random learners, at a steady 500 per second.
    let mut tick = tokio::time::interval(Duration::from_millis(2));
    for i in 0..events {
        tick.tick().await;
        let user = users[(i * 7919) % users.len()];
        let event = SubmissionEvent {
            user_id: user,
            course_id: None,
            submission: Submission {
                id: Uuid::new_v4(),
                assignment_id: 1,
                status: SubmissionStatus::Passed,
                verdict: None,
                code: now_micros().to_string(),
                created_at: Utc::now(),
                graded_at: None,
                feedback: None,
                late: false,
                held_until: None,
            },
            held: None,
        };
        publisher.publish_event(&event).await.unwrap();
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut d = delays.lock().await.clone();
    d.sort();
    let pct = |p: f64| d[((d.len() as f64 - 1.0) * p).round() as usize] as f64 / 1000.0;
    println!("| measure | value |");
    println!("| --- | ---: |");
    println!("| idle sockets held by one gateway process | {open} of {sockets} (opened in {connect_secs:.1} s) |");
    println!("| gateway resident memory, before → with them open | {:.1} MiB → {:.1} MiB ({:.1} KiB per socket) |",
        rss_before as f64 / 1024.0, rss_held as f64 / 1024.0, (rss_held.saturating_sub(rss_before)) as f64 / open.max(1) as f64);
    println!(
        "| events published (500/s to random learners) / delivered | {events} / {} |",
        d.len()
    );
    println!(
        "| delay PUBLISH → socket, p50 / p95 / p99 | {:.2} / {:.2} / {:.2} ms |",
        pct(0.5),
        pct(0.95),
        pct(0.99)
    );
}
