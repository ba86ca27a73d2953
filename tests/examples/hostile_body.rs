//! Peak memory of a call whose server sends a huge or endless body, on 127.0.0.1.
//!
//! `cargo run --release -p feishu-tests --example hostile_body` runs each case in a
//! process of its own (peak RSS only grows) and prints what the call returned, how long
//! it took and the process's peak resident memory.

use std::time::{Duration, Instant};

use feishu_tests::raw_http;
use tokio::io::AsyncWriteExt;

const MIB: usize = 1 << 20;

/// What the server sends.
#[derive(Clone, Copy)]
enum Body {
    /// `x` bytes with a `Content-Length`.
    Sized(u64),
    /// `x` bytes, chunked, ending after this many (2^40: never, in practice).
    Chunked(u64),
    /// A JSON envelope of this many bytes whose `data` is `[0,0,...]`: small on the
    /// wire, large once parsed, the worst case of a body under the limit.
    Zeros(usize),
}

/// (name, what the server sends, the client's limit if not the default)
const CASES: [(&str, Body, Option<usize>); 5] = [
    ("200 MiB, Content-Length", Body::Sized(200 << 20), None),
    ("200 MiB, chunked", Body::Chunked(200 << 20), None),
    ("endless, chunked", Body::Chunked(1 << 40), None),
    (
        "200 MiB, chunked, limit raised to 256 MiB",
        Body::Chunked(200 << 20),
        Some(256 * MIB),
    ),
    ("15 MiB of `[0,0,...]` JSON", Body::Zeros(15 * MIB), None),
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
    let (name, body, limit) = CASES[i];
    let (base, _) = raw_http::serve(move |mut s| async move {
        let filler = vec![b'x'; 64 * 1024];
        match body {
            Body::Chunked(size) => raw_http::endless_chunked(s, filler, size).await,
            Body::Sized(size) => {
                raw_http::head(&mut s, "200 OK", &[("content-length", size.to_string())]).await;
                let mut sent = 0;
                while sent < size && s.write_all(&filler).await.is_ok() {
                    sent += filler.len() as u64;
                }
            }
            Body::Zeros(size) => {
                let mut json = br#"{"code":0,"data":[0"#.to_vec();
                while json.len() + 4 < size {
                    json.extend_from_slice(b",0");
                }
                json.extend_from_slice(b"]}");
                let length = json.len().to_string();
                raw_http::head(&mut s, "200 OK", &[("content-length", length)]).await;
                let _ = s.write_all(&json).await;
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
        Err(e @ feishu::Error::Transport { .. }) => {
            format!("{e}: {:?}", std::error::Error::source(&e))
        }
        Err(e) => format!("{e}"),
    };
    println!(
        "| {name} | {outcome} | {} ms | {} MiB |",
        started.elapsed().as_millis(),
        peak_rss_kib() / 1024
    );
}

/// The process's peak resident set, in KiB.
fn peak_rss_kib() -> u64 {
    feishu_tests::proc_kib("self", "VmHWM")
}
