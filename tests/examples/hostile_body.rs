//! Peak memory of a call whose server sends a huge or endless body, on 127.0.0.1.
//!
//! `cargo run --release -p feishu-tests --example hostile_body` runs each case in a
//! process of its own (peak RSS only grows) and prints what the call returned, how long
//! it took and the process's peak resident memory.

use std::time::{Duration, Instant};

use feishu_tests::raw_http;

const MIB: usize = 1 << 20;

/// (name, body bytes the server offers, chunked, the client's limit)
const CASES: [(&str, u64, bool, Option<usize>); 4] = [
    (
        "200 MiB, Content-Length, default limit",
        200 << 20,
        false,
        None,
    ),
    ("200 MiB, chunked, default limit", 200 << 20, true, None),
    ("endless, chunked, default limit", 1 << 40, true, None),
    (
        "200 MiB, chunked, limit raised to 256 MiB",
        200 << 20,
        true,
        Some(256 * MIB),
    ),
];

fn main() {
    match std::env::args().nth(1) {
        Some(case) => run_case(case.parse().expect("a case number")),
        None => {
            println!("| case | outcome | time | peak RSS |\n|---|---|---|---|");
            let exe = std::env::current_exe().expect("own path");
            for i in 0..CASES.len() {
                let out = std::process::Command::new(&exe)
                    .arg(i.to_string())
                    .output()
                    .expect("case runs");
                print!("{}", String::from_utf8_lossy(&out.stdout));
            }
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn run_case(i: usize) {
    let (name, size, chunked, limit) = CASES[i];
    let (base, _) = raw_http::serve(move |mut s| async move {
        if chunked {
            raw_http::endless_chunked(s, vec![b'x'; 64 * 1024], size).await;
        } else {
            let length = size.to_string();
            raw_http::head(&mut s, "200 OK", &[("content-length", length)]).await;
            let chunk = vec![b'x'; 64 * 1024];
            let mut sent = 0;
            while sent < size {
                if tokio::io::AsyncWriteExt::write_all(&mut s, &chunk)
                    .await
                    .is_err()
                {
                    break;
                }
                sent += chunk.len() as u64;
            }
        }
    })
    .await;
    let mut builder = feishu::Client::builder()
        .fixed_token("t-bench")
        .open_base_url(base)
        .timeout(Duration::from_secs(60))
        .retry(feishu::RetryPolicy::none());
    if let Some(limit) = limit {
        builder = builder.max_response_bytes(limit);
    }
    let client = builder.build().expect("client");
    let started = Instant::now();
    let call = client
        .application()
        .v6()
        .application_feedback()
        .list("cli_1");
    let outcome = match call.send().await {
        Ok(_) => "ok".to_owned(),
        Err(feishu::Error::TooLarge(e)) => format!("TooLarge at {} MiB", e.limit / MIB),
        Err(feishu::Error::Decode(e)) => format!(
            "Decode, keeps {} KiB of {} MiB",
            e.raw_body.len() / 1024,
            e.body_len / MIB
        ),
        Err(e) => format!("{e}"),
    };
    println!(
        "| {name} | {outcome} | {} ms | {} MiB |",
        started.elapsed().as_millis(),
        peak_rss_kib() / 1024
    );
}

/// The process's peak resident set (VmHWM), in KiB; 0 where /proc is not there.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
