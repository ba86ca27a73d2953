//! Soak benchmark of the long-connection client against the fake platform:
//! `cargo run --release -p feishu-tests --example ws_soak -- [--messages N] [--reconnects K]`.
//!
//! N messages go through over K forced reconnects. Each reconnect drops the socket
//! while messages are in flight; the fake then pushes the unacknowledged ones again
//! on the new connection, as the platform does, so the run also checks that nothing
//! is lost or handled twice. Prints throughput, ack latency (p50/p99), the median
//! reconnect time and the resident set size at start and end.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use feishu_runtime::events::ws::WsClient;
use feishu_runtime::events::{Dispatcher, Event, HandlerError, NoReply};
use feishu_runtime::json::{FromJson, JsonError, ToJson};
use feishu_tests::fake_ws::{FakeWs, Frame, envelope};
use serde_json::{Value, json};
use tokio::time::Instant;

struct Soak(Value);

impl FromJson for Soak {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        Ok(Soak(value))
    }
}

impl ToJson for Soak {
    fn to_json(&self) -> Value {
        self.0.clone()
    }
}

impl Event for Soak {
    const EVENT_TYPE: &'static str = "soak.message_v1";
    type Reply = NoReply;
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| v.parse().expect("a number"))
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

#[tokio::main]
async fn main() {
    let messages = arg("--messages", 20_000);
    let reconnects = arg("--reconnects", 10);
    let rss_start = rss_kib();
    const WAIT: Duration = Duration::from_secs(120);

    let fake = FakeWs::start(json!({
        "PingInterval": 1, "ReconnectInterval": 0.01, "ReconnectNonce": 0, "ReconnectCount": -1
    }))
    .await;
    let handled = Arc::new(Mutex::new((0usize, HashSet::new())));
    let h = handled.clone();
    let dispatcher = Dispatcher::builder()
        .on::<Soak, _, _>(move |_, header| {
            let h = h.clone();
            async move {
                let mut h = h.lock().unwrap();
                h.0 += 1;
                h.1.insert(header.event_id);
                Ok::<_, HandlerError>(NoReply)
            }
        })
        .build();
    let dispatch_stats = dispatcher.clone();
    let handle = WsClient::builder("cli_soak", "soak-secret")
        .open_base(fake.open_base())
        .dispatcher(dispatcher)
        .build()
        .expect("client")
        .start();

    let mut conn = fake.connection(0, WAIT).await;
    let segments = reconnects + 1;
    let mut reconnect_times = Vec::new();
    let started = Instant::now();
    let mut done = 0usize;
    for segment in 0..segments {
        let end = messages * (segment + 1) / segments;
        let ids: Vec<String> = (done..end).map(|i| format!("m{i}")).collect();
        let frames = |ids: &[String]| -> Vec<Frame> {
            ids.iter()
                .map(|id| {
                    Frame::data(
                        "event",
                        id,
                        envelope("soak.message_v1", id, json!({"n": id})),
                    )
                })
                .collect()
        };
        for chunk in ids.chunks(256) {
            fake.send(conn, frames(chunk));
        }
        if segment + 1 < segments {
            // Drop the socket with about half of the segment still unacknowledged.
            let half = done + ids.len() / 2;
            fake.until(WAIT, |s| (s.acked_ids.len() >= half).then_some(()))
                .await;
            let dropped_at = Instant::now();
            fake.drop_connection(conn);
            conn = fake.connection(conn + 1, WAIT).await;
            reconnect_times.push(fake.seen(|s| s.connections[conn].opened) - dropped_at);
            let unacked: Vec<String> = fake.seen(|s| {
                ids.iter()
                    .filter(|id| !s.acked_ids.contains(*id))
                    .cloned()
                    .collect()
            });
            for chunk in unacked.chunks(256) {
                fake.send(conn, frames(chunk));
            }
        }
        fake.until(WAIT, |s| (s.acked_ids.len() >= end).then_some(()))
            .await;
        done = end;
    }
    let elapsed = started.elapsed();

    let mut latencies: Vec<Duration> = fake.seen(|s| {
        let mut last_ack = std::collections::HashMap::new();
        for a in &s.acks {
            last_ack.insert(a.message_id.clone(), a.at);
        }
        last_ack
            .iter()
            .map(|(id, at)| at.saturating_duration_since(s.sent[id]))
            .collect()
    });
    latencies.sort();
    reconnect_times.sort();
    let stats = handle.stats();
    handle.close().await.expect("clean close");
    let (runs, distinct) = {
        let h = handled.lock().unwrap();
        (h.0, h.1.len())
    };
    let rss_end = rss_kib();

    println!("messages           {messages} over {reconnects} forced reconnects");
    println!(
        "throughput         {:.0} msg/s ({:.2} s in all)",
        messages as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64()
    );
    println!(
        "ack latency        p50 {:.2} ms, p99 {:.2} ms",
        percentile(&latencies, 0.5).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3
    );
    println!(
        "reconnect time     median {:.2} ms (drop to the new socket, discovery included)",
        percentile(&reconnect_times, 0.5).as_secs_f64() * 1e3
    );
    println!(
        "RSS                start {rss_start} KiB, end {rss_end} KiB (client and fake in one process; the fake keeps every ack)"
    );
    let d = dispatch_stats.stats();
    println!(
        "handled            {runs} handler runs for {distinct} distinct events; dispatcher: {} handled, {} duplicates",
        d.handled, d.duplicates
    );
    println!(
        "acks               {} written, {} dropped with their socket (those messages were pushed again)",
        stats.acks, stats.acks_lost
    );
    assert_eq!(distinct, messages, "a message was lost");
    assert_eq!(runs, messages, "a message was handled twice");
}
