//! Soak benchmark of the long-connection client against the fake platform:
//! `cargo run --release -p feishu-tests --example ws_soak -- [--messages N] [--reconnects K]`.
//!
//! N messages go through over K forced reconnects. Each reconnect drops the socket
//! while messages are in flight; the fake then pushes the unacknowledged ones again
//! on the new connection, as the platform does, so the run also checks that nothing
//! is lost or handled twice. Prints throughput, ack latency (p50/p99), the median
//! reconnect time and the resident set size of the client.
//!
//! The client runs in a child process (this program with `--client`), so its memory
//! is measured alone: the fake keeps a record of every frame and ack, which would
//! otherwise dominate the figure.

use std::io::Write;
use std::process::Stdio;
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

/// Resident set size of process `pid`, in KiB.
fn rss_kib(pid: &str) -> u64 {
    feishu_tests::proc_kib(pid, "VmRSS")
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
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--client") {
        let base = args[i + 1].clone();
        let messages: usize = args[i + 2].parse().expect("a number");
        return client(base, messages).await;
    }
    let messages = arg("--messages", 20_000);
    let reconnects = arg("--reconnects", 10);
    const WAIT: Duration = Duration::from_secs(120);

    let fake = FakeWs::start(json!({
        "PingInterval": 1, "ReconnectInterval": 0.01, "ReconnectNonce": 0, "ReconnectCount": -1
    }))
    .await;
    let mut child = tokio::process::Command::new(std::env::current_exe().expect("this program"))
        .args(["--client", fake.open_base(), &messages.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the client process");
    let pid = child.id().expect("a running child").to_string();

    let mut conn = fake.connection(0, WAIT).await;
    let rss_connected = rss_kib(&pid);
    let mut rss_segments = Vec::new();
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
        rss_segments.push(rss_kib(&pid));
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
    // End of input: the client closes gracefully and reports what it handled.
    drop(child.stdin.take());
    let output = child.wait_with_output().await.expect("the client's report");
    assert!(
        output.status.success(),
        "the client failed: {}",
        output.status
    );
    let report: Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
    let count = |k: &str| report[k].as_u64().unwrap_or(0);

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
    let first = rss_segments.first().copied().unwrap_or(0);
    let last = rss_segments.last().copied().unwrap_or(0);
    println!(
        "client RSS         connected {rss_connected} KiB, after the first segment {first} KiB, at the end {last} KiB"
    );
    println!(
        "                   by segment: {}",
        rss_segments
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "handled            {} handler runs for {} distinct events; dispatcher: {} handled, {} duplicates",
        count("runs"),
        count("distinct"),
        count("handled"),
        count("duplicates")
    );
    println!(
        "acks               {} written, {} dropped with their socket (those messages were pushed again)",
        count("acks"),
        count("acks_lost")
    );
    assert_eq!(count("distinct"), messages as u64, "a message was lost");
    assert_eq!(
        count("runs"),
        messages as u64,
        "a message was handled twice"
    );
}

/// The client side: handles `soak.message_v1` events, counting runs per message in a
/// table allocated up front (so the count itself does not grow memory), until end of
/// input; then closes and prints its counts as one JSON line.
async fn client(open_base: String, messages: usize) {
    let seen = Arc::new(Mutex::new((0usize, vec![0u8; messages])));
    let s = seen.clone();
    let dispatcher = Dispatcher::builder()
        .on::<Soak, _, _>(move |_, header| {
            let s = s.clone();
            async move {
                let index: Option<usize> = header
                    .event_id
                    .strip_prefix('m')
                    .and_then(|n| n.parse().ok());
                let mut s = s.lock().unwrap();
                s.0 += 1;
                if let Some(slot) = index.and_then(|i| s.1.get_mut(i)) {
                    *slot = slot.saturating_add(1);
                }
                Ok::<_, HandlerError>(NoReply)
            }
        })
        .build();
    let stats = dispatcher.clone();
    let handle = WsClient::builder("cli_soak", "soak-secret")
        .open_base(open_base)
        .dispatcher(dispatcher)
        .build()
        .expect("client")
        .start();
    let mut stdin = tokio::io::stdin();
    let mut sink = [0u8; 64];
    while matches!(tokio::io::AsyncReadExt::read(&mut stdin, &mut sink).await, Ok(n) if n > 0) {}
    let ws = handle.stats();
    handle.close().await.expect("clean close");
    let (runs, distinct) = {
        let s = seen.lock().unwrap();
        (s.0, s.1.iter().filter(|&&n| n > 0).count())
    };
    let d = stats.stats();
    let report = json!({
        "runs": runs, "distinct": distinct, "handled": d.handled, "duplicates": d.duplicates,
        "acks": ws.acks, "acks_lost": ws.acks_lost,
    });
    let mut out = std::io::stdout().lock();
    writeln!(out, "{report}").expect("stdout");
}
