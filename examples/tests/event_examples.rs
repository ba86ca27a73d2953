//! The two event examples as other tools drive them: the built example programs, run
//! as processes, fed real deliveries, read line by line from their stdout.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use feishu::events::http::EncryptKey;
use feishu_tests::fake_ws::{FakeWs, Frame, envelope};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

const TOKEN: &str = "rvaYgkND1GOiu5MM0E1rncYC6PLtF7JV";
const KEY: &str = "an encrypt key";
const WAIT: Duration = Duration::from_secs(20);

/// `cargo test` builds the package's examples next to its test binaries.
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(|deps| deps.parent()).unwrap();
    dir.join("examples").join(name)
}

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/../tests/fixtures/events/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path).unwrap()
}

async fn line(lines: &mut Lines<BufReader<ChildStdout>>) -> Value {
    let line = tokio::time::timeout(WAIT, lines.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    serde_json::from_str(&line).unwrap()
}

fn spawn(name: &str, args: &[&str]) -> Child {
    Command::new(example(name))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

#[tokio::test]
async fn events_http_prints_each_accepted_delivery_once() {
    let mut child = spawn(
        "events_http",
        &[
            "--listen",
            "127.0.0.1:0",
            "--verification-token",
            TOKEN,
            "--encrypt-key",
            KEY,
        ],
    );
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let ready = tokio::time::timeout(WAIT, stderr.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let addr = ready.rsplit(' ').next().unwrap().to_owned();
    let url = format!("http://{addr}/any/path/at/all");
    let key = EncryptKey::new(KEY);
    let http = reqwest::Client::new();
    let post = |body: String| {
        let (timestamp, nonce) = ("1700000000", "nonce");
        let signature = key.sign(timestamp.as_bytes(), nonce.as_bytes(), body.as_bytes());
        http.post(&url)
            .header("X-Lark-Request-Timestamp", timestamp)
            .header("X-Lark-Request-Nonce", nonce)
            .header("X-Lark-Signature", signature)
            .body(body)
            .send()
    };
    let sealed =
        |plain: &str| json!({"encrypt": key.encrypt([7; 16], plain.as_bytes())}).to_string();

    // A plain signed event, then the same one again: answered both times, printed once.
    let feedback = fixture("feedback_created_v6");
    for _ in 0..2 {
        let answer = post(feedback.clone()).await.unwrap();
        assert_eq!(answer.status(), 200);
    }
    // An encrypted card callback: answered with the toast.
    let answer = post(sealed(&fixture("card_action_trigger"))).await.unwrap();
    assert_eq!(answer.status(), 200);
    let reply: Value = serde_json::from_slice(&answer.bytes().await.unwrap()).unwrap();
    assert_eq!(reply["toast"]["content"], "received");
    // A forged signature: refused, nothing printed.
    let forged = http
        .post(&url)
        .header("X-Lark-Signature", "00")
        .body(fixture("im_message_receive_v1"));
    assert_eq!(forged.send().await.unwrap().status(), 401);
    // The challenge, encrypted, answered in plaintext and not printed.
    let challenge = json!({"challenge": "c-1", "token": TOKEN, "type": "url_verification"});
    let answer = post(sealed(&challenge.to_string())).await.unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&answer.bytes().await.unwrap()).unwrap(),
        json!({"challenge": "c-1"})
    );
    // An event after all that: the lines come in order, nothing in between.
    post(fixture("im_message_receive_v1")).await.unwrap();

    let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = line(&mut out).await;
    assert_eq!(first["type"], "application.application.feedback.created_v6");
    assert_eq!(first["id"], "5e3702a84e847582be8db7fb73283c02");
    assert_eq!(first["event"]["feedback_id"], "7057888018203574291");
    let second = line(&mut out).await;
    assert_eq!(second["type"], "card.action.trigger");
    assert_eq!(second["event"]["action"]["tag"], "button");
    let third = line(&mut out).await;
    assert_eq!(third["type"], "im.message.receive_v1");
    child.kill().await.unwrap();
}

#[tokio::test]
async fn events_ws_prints_events_answers_cards_and_exits_0_on_end_of_input() {
    let fake = FakeWs::start(json!({"PingInterval": 30, "ReconnectInterval": 0.05, "ReconnectNonce": 0, "ReconnectCount": -1})).await;
    let mut child = spawn(
        "events_ws",
        &[
            "--open-base",
            fake.open_base(),
            "--app-id",
            "cli_test",
            "--app-secret",
            "secret",
        ],
    );
    let conn = fake.connection(0, WAIT).await;
    let event = json!({"feedback_id": "7057888018203574291", "feedback_type": 1});
    let card = json!({"action": {"tag": "button", "value": {"k": "v"}}, "host": "im_message"});
    fake.send(
        conn,
        vec![
            Frame::data(
                "event",
                "m1",
                envelope("application.application.feedback.created_v6", "ev-1", event),
            ),
            Frame::data("card", "m2", envelope("card.action.trigger", "ev-2", card)),
        ],
    );
    let ack = fake
        .until(WAIT, |s| {
            s.acks.iter().find(|a| a.message_id == "m2").cloned()
        })
        .await;
    assert_eq!(ack.code, 200);
    assert_eq!(ack.data.unwrap()["toast"]["content"], "received");

    let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut lines = [line(&mut out).await, line(&mut out).await];
    lines.sort_by_key(|l| l["id"].as_str().unwrap_or_default().to_owned());
    assert_eq!(
        lines[0]["type"],
        "application.application.feedback.created_v6"
    );
    assert_eq!(lines[0]["event"]["feedback_type"], 1);
    assert_eq!(lines[1]["type"], "card.action.trigger");

    // End of input: a graceful close, exit status 0.
    drop(child.stdin.take());
    let status = tokio::time::timeout(WAIT, child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status}");
    fake.until(WAIT, |s| s.connections[0].closed_by_client.then_some(()))
        .await;
}
