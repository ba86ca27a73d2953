//! Any method, headers and body to the HTTP event core: every request gets one of the
//! documented statuses, never a panic, never a secret in the answer.
//!
//! Three servers see the input, chosen by its first byte: one with no secrets (the
//! envelope and dispatch paths are reachable), one with every secret (signature and
//! token checks), and one whose quick-approval key decrypts unsigned bodies (the
//! decryption path is reachable without forging a signature).
#![no_main]

use std::sync::OnceLock;

use bytes::Bytes;
use feishu_runtime::events::http::EventServer;
use feishu_runtime::events::{Dispatcher, Event, HandlerError, NoReply};
use feishu_runtime::json::{FromJson, JsonError, ToJson};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const SECRETS: [&str; 3] = ["fuzz-token", "fuzz-encrypt-key", "fuzz-callback-key"];

/// An event with one required string field, so typed decoding is exercised too.
struct Feedback(String);

impl FromJson for Feedback {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        match value.get("feedback_id") {
            Some(Value::String(s)) => Ok(Self(s.clone())),
            Some(other) => Err(JsonError::expected("a string", other)),
            None => Err(JsonError::missing("feedback_id")),
        }
    }
}

impl ToJson for Feedback {
    fn to_json(&self) -> Value {
        serde_json::json!({ "feedback_id": self.0 })
    }
}

impl Event for Feedback {
    const EVENT_TYPE: &'static str = "application.application.feedback.created_v6";
    type Reply = NoReply;
}

struct Harness {
    runtime: tokio::runtime::Runtime,
    servers: [EventServer; 3],
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let dispatcher = || {
            Dispatcher::builder()
                .on::<Feedback, _, _>(|_event, _header| async { Ok::<_, HandlerError>(NoReply) })
                .build()
        };
        let [token, key, callback_key] = SECRETS;
        Harness {
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .expect("a current-thread runtime"),
            servers: [
                EventServer::builder(dispatcher())
                    .body_limit(64 * 1024)
                    .build(),
                EventServer::builder(dispatcher())
                    .verification_token(token)
                    .encrypt_key(key)
                    .body_limit(64 * 1024)
                    .build(),
                EventServer::builder(dispatcher())
                    .callback_key(callback_key)
                    .body_limit(64 * 1024)
                    .build(),
            ],
        }
    })
}

const METHODS: [&str; 4] = ["POST", "GET", "PUT", "post"];
const NAMES: [&str; 6] = [
    "x-lark-request-timestamp",
    "x-lark-request-nonce",
    "x-lark-signature",
    "content-length",
    "content-type",
    "x-other",
];

fuzz_target!(|data: &[u8]| {
    let Some((&select, mut rest)) = data.split_first() else {
        return;
    };
    let h = harness();
    let server = &h.servers[usize::from(select % 3)];
    let mut request = http::Request::builder().method(METHODS[usize::from(select / 3 % 4)]);
    // Then up to four headers: a name index, a length, that many value bytes.
    for _ in 0..(select >> 5) % 5 {
        let [name, len, tail @ ..] = rest else { break };
        let len = usize::from(*len).min(tail.len());
        let (value, tail) = tail.split_at(len);
        if let Ok(value) = http::HeaderValue::from_bytes(value) {
            request = request.header(NAMES[usize::from(*name) % NAMES.len()], value);
        }
        rest = tail;
    }
    let Ok(request) = request.body(Bytes::copy_from_slice(rest)) else {
        return;
    };
    let response = h.runtime.block_on(server.handle(request));
    let status = response.status().as_u16();
    assert!(
        [200, 400, 401, 403, 405, 413, 500].contains(&status),
        "unexpected status {status}"
    );
    let body = String::from_utf8_lossy(response.body());
    for secret in SECRETS {
        assert!(!body.contains(secret), "a secret in the answer: {body}");
    }
});
