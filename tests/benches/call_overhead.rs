//! The client's overhead over a hand-written reqwest + serde_json call, measured side by
//! side against the same loopback server: N feedback updates sequentially and 64 at a
//! time, rounds alternating between the two so machine noise hits both alike.
//!
//! `cargo bench -p feishu-tests --bench call_overhead [-- N ROUNDS]`

use std::time::{Duration, Instant};

use feishu::application::v6::FeedbackStatus;
use futures_util::StreamExt;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const APP: &str = "cli_9f115af860f7901b";
const FEEDBACK: &str = "7057888018203574291";
const OPERATOR: &str = "ou_9565b69967831233761cc2f11b4c089f";
const TOKEN: &str = "t-7f1bcd13fc57d46bac21793a18e560";

#[derive(serde::Deserialize)]
struct Envelope {
    code: i64,
    #[allow(dead_code)]
    msg: String,
}

/// The hand-written equivalent: what a careful user would write without this crate.
/// It sends the same bytes as the client (same headers, same timeout), so the ratio
/// measures the client's own overhead, not the server parsing one more header.
async fn raw_call(http: &reqwest::Client, base: &str) {
    let url = format!(
        "{base}/open-apis/application/v6/applications/{APP}/feedbacks/{FEEDBACK}?user_id_type=open_id&status=1&operator_id={OPERATOR}"
    );
    let body = http
        .patch(url)
        .header("Authorization", format!("Bearer {TOKEN}"))
        .header("Content-Type", "application/json; charset=utf-8")
        .timeout(Duration::from_secs(30))
        .header("User-Agent", "feishu-rs/0.1.0")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let envelope: Envelope = serde_json::from_slice(&body).unwrap();
    assert_eq!(envelope.code, 0);
}

async fn client_call(client: &feishu::Client) {
    client
        .application()
        .v6()
        .application_feedback()
        .patch(feishu::application::v6::ApplicationFeedbackPatchRequired {
            app_id: APP.into(),
            feedback_id: FEEDBACK.into(),
            status: FeedbackStatus::Marked,
            operator_id: OPERATOR.into(),
        })
        .user_id_type(feishu::UserIdType::OpenId)
        .send()
        .await
        .unwrap();
}

/// Runs `n` calls `concurrency` at a time; returns total time and per-call latencies.
async fn run<F, Fut>(n: usize, concurrency: usize, call: F) -> (Duration, Vec<Duration>)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let start = Instant::now();
    let latencies = futures_util::stream::iter(0..n)
        .map(|_| {
            let fut = call();
            async move {
                let t = Instant::now();
                fut.await;
                t.elapsed()
            }
        })
        .buffer_unordered(concurrency)
        .collect::<Vec<_>>()
        .await;
    (start.elapsed(), latencies)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let n = args.first().copied().unwrap_or(3000);
    let rounds = args.get(1).copied().unwrap_or(9);

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/open-apis/auth/v3/tenant_access_token/internal"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"code": 0, "msg": "ok", "tenant_access_token": TOKEN, "expire": 7200}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"code": 0, "msg": "success", "data": {}})),
        )
        .mount(&server)
        .await;
    let base = server.uri();
    let client = feishu::Client::builder()
        .app_credentials(APP, "secret")
        .open_base_url(&base)
        .build()
        .unwrap();
    let http = reqwest::Client::new();
    // Warm up both: connections, the token cache.
    run(200, 64, || client_call(&client)).await;
    run(200, 64, || raw_call(&http, &base)).await;

    println!(
        "feedback update against a loopback server: {n} calls per round, {rounds} rounds, alternating"
    );
    println!("mode        client calls/s   raw calls/s   throughput ratio   p50 ratio   p99 ratio");
    for concurrency in [1, 64] {
        let (mut ours_tp, mut raw_tp) = (Vec::new(), Vec::new());
        let (mut ours_lat, mut raw_lat) = (Vec::new(), Vec::new());
        let mut ratios = Vec::new();
        for round in 0..rounds {
            server.reset().await;
            Mock::given(method("PATCH"))
                .respond_with(
                    ResponseTemplate::new(200)
                        .set_body_json(json!({"code": 0, "msg": "success", "data": {}})),
                )
                .mount(&server)
                .await;
            // Alternate which goes first, so neither always meets a fresher server.
            let (t_ours, l_ours, t_raw, l_raw);
            if round % 2 == 0 {
                (t_ours, l_ours) = run(n, concurrency, || client_call(&client)).await;
                (t_raw, l_raw) = run(n, concurrency, || raw_call(&http, &base)).await;
            } else {
                (t_raw, l_raw) = run(n, concurrency, || raw_call(&http, &base)).await;
                (t_ours, l_ours) = run(n, concurrency, || client_call(&client)).await;
            }
            let (a, b) = (
                n as f64 / t_ours.as_secs_f64(),
                n as f64 / t_raw.as_secs_f64(),
            );
            ours_tp.push(a);
            raw_tp.push(b);
            ratios.push(a / b);
            ours_lat.extend(l_ours);
            raw_lat.extend(l_raw);
        }
        ours_lat.sort();
        raw_lat.sort();
        let ratio =
            |p: f64| percentile(&ours_lat, p).as_secs_f64() / percentile(&raw_lat, p).as_secs_f64();
        let mode = if concurrency == 1 {
            "sequential"
        } else {
            "64 at once"
        };
        println!(
            "{mode:<10}  {:>14.0}   {:>11.0}   {:>16.3}   {:>9.3}   {:>9.3}",
            median(ours_tp),
            median(raw_tp),
            median(ratios),
            ratio(0.5),
            ratio(0.99)
        );
        println!(
            "            p50 {:.0} µs vs {:.0} µs, p99 {:.0} µs vs {:.0} µs",
            percentile(&ours_lat, 0.5).as_secs_f64() * 1e6,
            percentile(&raw_lat, 0.5).as_secs_f64() * 1e6,
            percentile(&ours_lat, 0.99).as_secs_f64() * 1e6,
            percentile(&raw_lat, 0.99).as_secs_f64() * 1e6
        );
    }
    println!("ratios: client / raw (throughput: higher is better; latency: lower is better)");
}
