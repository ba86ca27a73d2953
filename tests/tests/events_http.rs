//! HTTP delivery of events (events.md §1, §3): the axum route served on 127.0.0.1, fed
//! real bytes with reqwest or a raw socket. Every seed event plain and encrypted+signed,
//! the documented test vectors, the refusals and their statuses, body limits, the
//! acknowledgement deadline, callback replies, `app_ticket` feeding a marketplace client,
//! and thousands of random and mutated requests.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use feishu_runtime::events::http::{DecryptError, EncryptKey, EventServer, Rejection};
use feishu_runtime::events::{
    Dispatcher, DispatcherBuilder, Event, EventHeader, HandlerError, NoReply, QUICK_APPROVAL_TYPE,
};
use feishu_runtime::json::{FromJson, JsonError, ToJson};
use feishu_tests::*;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The Verification Token the fixtures carry.
const TOKEN: &str = "rvaYgkND1GOiu5MM0E1rncYC6PLtF7JV";
const ENCRYPT_KEY: &str = "encrypt-key-never-printed";
/// The quick-approval fixture's `action_callback_token`, and a key of its own.
const CALLBACK_TOKEN: &str = "approval-callback-token";
const CALLBACK_KEY: &str = "approval-callback-key-never-printed";

const CARD_TYPE: &str = "card.action.trigger";

// ---------------------------------------------------------------------------------
// Test event types, written by hand until the generated crate has typed events: each
// keeps the one field that identifies it, read from a JSON pointer into the payload.

/// What a test event is known by in the record of handled events.
trait Keyed {
    fn key(&self) -> &str;
}

macro_rules! test_event {
    ($name:ident, $ty:expr, $pointer:literal, $reply:ty) => {
        #[derive(Debug)]
        struct $name {
            key: String,
        }
        impl FromJson for $name {
            fn from_json(value: Value) -> Result<Self, JsonError> {
                let key = match value.pointer($pointer) {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Number(n)) => n.to_string(),
                    Some(other) => return Err(JsonError::expected("a string", other)),
                    None => return Err(JsonError::missing($pointer)),
                };
                Ok(Self { key })
            }
        }
        impl ToJson for $name {
            fn to_json(&self) -> Value {
                json!({ "key": self.key })
            }
        }
        impl Event for $name {
            const EVENT_TYPE: &'static str = $ty;
            type Reply = $reply;
        }
        impl Keyed for $name {
            fn key(&self) -> &str {
                &self.key
            }
        }
    };
}

/// A callback's reply: any JSON.
struct JsonReply(Value);

impl ToJson for JsonReply {
    fn to_json(&self) -> Value {
        self.0.clone()
    }
}

test_event!(
    FeedbackCreated,
    "application.application.feedback.created_v6",
    "/feedback_id",
    NoReply
);
test_event!(
    FeedbackUpdated,
    "application.application.feedback.updated_v6",
    "/feedback_ids/0",
    NoReply
);
test_event!(
    VersionAudit,
    "application.application.app_version.audit_v6",
    "/version_id",
    NoReply
);
test_event!(
    PublishApply,
    "application.application.app_version.publish_apply_v6",
    "/online_version/version_id",
    NoReply
);
test_event!(
    PublishRevoke,
    "application.application.app_version.publish_revoke_v6",
    "/version_id",
    NoReply
);
test_event!(AppTicket, "app_ticket", "/app_ticket", NoReply);
test_event!(
    MessageReceive,
    "im.message.receive_v1",
    "/message/message_id",
    NoReply
);
test_event!(CardAction, CARD_TYPE, "/action/value/key", JsonReply);
test_event!(QuickApproval, QUICK_APPROVAL_TYPE, "/message_id", JsonReply);

/// (event type, key) of each handled event, in order.
type Seen = Arc<Mutex<Vec<(String, String)>>>;

fn seen_now(seen: &Seen) -> Vec<(String, String)> {
    seen.lock().unwrap().clone()
}

fn record<E: Event + Keyed>(
    builder: DispatcherBuilder,
    seen: &Seen,
    reply: fn(&E) -> E::Reply,
) -> DispatcherBuilder {
    let seen = seen.clone();
    builder.on::<E, _, _>(move |event: E, header: EventHeader| {
        let answer = reply(&event);
        seen.lock()
            .unwrap()
            .push((header.event_type.clone(), event.key().to_owned()));
        async move { Ok::<_, HandlerError>(answer) }
    })
}

fn toast(card: &CardAction) -> JsonReply {
    JsonReply(json!({"toast": {"type": "success", "content": format!("done: {}", card.key)}}))
}

fn approval_reply(approval: &QuickApproval) -> JsonReply {
    JsonReply(json!({"code": 0, "message_id": approval.key}))
}

/// A dispatcher with a recording handler for every seed event.
fn all_handlers(seen: &Seen) -> DispatcherBuilder {
    let b = Dispatcher::builder();
    let b = record::<FeedbackCreated>(b, seen, |_| NoReply);
    let b = record::<FeedbackUpdated>(b, seen, |_| NoReply);
    let b = record::<VersionAudit>(b, seen, |_| NoReply);
    let b = record::<PublishApply>(b, seen, |_| NoReply);
    let b = record::<PublishRevoke>(b, seen, |_| NoReply);
    let b = record::<AppTicket>(b, seen, |_| NoReply);
    let b = record::<MessageReceive>(b, seen, |_| NoReply);
    let b = record::<CardAction>(b, seen, toast);
    record::<QuickApproval>(b, seen, approval_reply)
}

// ---------------------------------------------------------------------------------
// The server and the wire.

/// Serves `server` through the axum route at `/feishu/events` on 127.0.0.1.
async fn serve(server: EventServer) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().route(
        "/feishu/events",
        feishu_runtime::events::http::axum::route(server),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/feishu/events")
}

fn fixture_event(name: &str) -> Value {
    let text = std::fs::read_to_string(workspace("tests/fixtures/events").join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A request body with the headers that go with it.
#[derive(Clone)]
struct Delivery {
    body: Vec<u8>,
    headers: Vec<(&'static str, String)>,
}

impl Delivery {
    fn plain(event: &Value) -> Self {
        Self {
            body: serde_json::to_vec(event).unwrap(),
            headers: Vec::new(),
        }
    }

    /// Encrypted with `key` under a random IV, as the platform does.
    fn encrypted(event: &Value, key: &str) -> Self {
        let iv: [u8; 16] = std::array::from_fn(|_| fastrand::u8(..));
        let sealed = EncryptKey::new(key).encrypt(iv, &serde_json::to_vec(event).unwrap());
        Self {
            body: serde_json::to_vec(&json!({ "encrypt": sealed })).unwrap(),
            headers: Vec::new(),
        }
    }

    /// Signed with `key` over the body as it will be sent.
    fn signed(mut self, key: &str) -> Self {
        let timestamp = "1700000000".to_owned();
        let nonce = format!("n{}", fastrand::u64(..));
        let signature =
            EncryptKey::new(key).sign(timestamp.as_bytes(), nonce.as_bytes(), &self.body);
        self.headers = vec![
            ("X-Lark-Request-Timestamp", timestamp),
            ("X-Lark-Request-Nonce", nonce),
            ("X-Lark-Signature", signature),
        ];
        self
    }

    /// Encrypted and signed with the Encrypt Key: what the platform sends for events.
    fn sealed(event: &Value) -> Self {
        Self::encrypted(event, ENCRYPT_KEY).signed(ENCRYPT_KEY)
    }

    fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.retain(|(n, _)| *n != name);
        self.headers.push((name, value.to_owned()));
        self
    }
}

struct Answer {
    status: u16,
    content_type: String,
    allow: Option<String>,
    text: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }
}

async fn post(url: &str, delivery: &Delivery) -> Answer {
    send(url, reqwest::Method::POST, delivery).await
}

async fn send(url: &str, method: reqwest::Method, delivery: &Delivery) -> Answer {
    let mut request = reqwest::Client::new()
        .request(method, url)
        .header("content-type", "application/json")
        .body(delivery.body.clone());
    for (name, value) in &delivery.headers {
        request = request.header(*name, value);
    }
    let response = request.send().await.unwrap();
    let header = |name| {
        response
            .headers()
            .get(name)
            .map(|v: &reqwest::header::HeaderValue| v.to_str().unwrap().to_owned())
    };
    let content_type = header("content-type").unwrap_or_default();
    let allow = header("allow");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    Answer {
        status,
        content_type,
        allow,
        text,
    }
}

/// A server with every secret set, a distinct quick-approval token and key, and every
/// seed event's handler.
fn secured(seen: &Seen) -> EventServer {
    EventServer::builder(all_handlers(seen).build())
        .verification_token(TOKEN)
        .encrypt_key(ENCRYPT_KEY)
        .callback_token(CALLBACK_TOKEN)
        .callback_key(CALLBACK_KEY)
        .build()
}

/// Every seed event of events.md §3: fixture, (type, key) the handler records, and
/// the answer's body.
fn seeds() -> Vec<(&'static str, (&'static str, &'static str), Value)> {
    let ok = json!({"msg": "success"});
    vec![
        (
            "feedback_created_v6.json",
            (FeedbackCreated::EVENT_TYPE, "7057888018203574291"),
            ok.clone(),
        ),
        (
            "feedback_updated_v6.json",
            (FeedbackUpdated::EVENT_TYPE, "7057888018203574291"),
            ok.clone(),
        ),
        (
            "app_version_audit_v6.json",
            (
                VersionAudit::EVENT_TYPE,
                "oav_d317f090b7258ad0372aa53963cda70d",
            ),
            ok.clone(),
        ),
        (
            "app_version_publish_apply_v6.json",
            (
                PublishApply::EVENT_TYPE,
                "oav_d317f090b7258ad0372aa53963cda70d",
            ),
            ok.clone(),
        ),
        (
            "app_version_publish_revoke_v6.json",
            (
                PublishRevoke::EVENT_TYPE,
                "oav_e317f090b7258ad0372aa53963cda70e",
            ),
            ok.clone(),
        ),
        (
            "app_ticket.json",
            ("app_ticket", "ticket-from-the-event"),
            ok.clone(),
        ),
        (
            "im_message_receive_v1.json",
            (
                MessageReceive::EVENT_TYPE,
                "om_5ce6d572455d361153b7cb51da133945",
            ),
            ok,
        ),
        (
            "card_action_trigger.json",
            (CARD_TYPE, "approve"),
            json!({"toast": {"type": "success", "content": "done: approve"}}),
        ),
        (
            "quick_approval_callback.json",
            (QUICK_APPROVAL_TYPE, "7040981893475647508"),
            json!({"code": 0, "message_id": "7040981893475647508"}),
        ),
    ]
}

// ---------------------------------------------------------------------------------
// §1.6 test vectors, over the wire.

#[tokio::test]
async fn the_go_sdk_vectors_pass_over_http() {
    // The Go SDK's mock request: token "v", Encrypt Key "1212121212", signed with
    // timestamp "timestamp" and nonce "nonce"; its body is a url_verification.
    let go_body = r#"{"schema":"2.0","header":{"event_id":"f7984f25108f8137722bb63cee927e66","event_type":"contact.user.created_v3","app_id":"cli_xxxxxxxx","tenant_key":"xxxxxxx","create_time":"1603977298000000","token":"v"},"event":{"object":{"open_id":"ou_7dab8a3d3cdcc9da365777c7ad535d62","union_id":"on_576833b917gda3d939b9a3c2d53e72c8","user_id":"e33ggbyz","name":"张三","employee_no":"employee_no"}},"challenge":"1212","type":"url_verification"}"#;
    let go_signature = "4dca085198cb3216defc5b65b0668c1328b038a22dbadf2bc6c4fdc3d32bbc45";
    let go_ciphertext = "bZ3L7yh6m3Fkuffl4g+3uGjIHnhOm5fVZbKVuyT8t7tcd5ABMYm8l28/X900ZL3knZ7n+sCREu/H2WnIzft0amC7+xWqNH8o25IU63N4BnZWfHh+4hyG76QPd19vkw2bPJCx9aqxK8Nz+xqFNbk0RdgyWhmgd30jSxHtcQXAllkI7FMpGpOCteJad3bLXPDBQIV/xkCtKICCS7Z63gakpxZCLaRZ3qCXP1fapHh+LBIupxenrU6ysc7I3nHmjmKie41IiWwS5puG4zQHhVbq6KWLcgWm/3NBZOPQy53ucMu75SXA55I7jarVLZXWUcqBGrcgE3vouWbtwgZuzmoTQl0GSh5VYSVvpW992BuGxUWj0XjPYdICJm6Cr7xouNXwMcdb7N8caVdkdSZeEnswG19qSyDoQhklwzNGW0yiaayulBqJNjfge/G5V3401c2XaIuAeEIo+QQ4RSNpRGfnHkbu/j55FGQAGWjpuBNaIwZbaUoVP3NkGP+vM5rpEDe3sL2GN+Xsd+g9yBs7FqdMV8mXTGgLjCqjrPrke5/km76Q3Pe6KPs2YexMRG4MkSx3xUTzZnNn7zIzShPcjeSwBd2pxk6ht5N+fzueZdxl6Oo=";
    let server = EventServer::builder(Dispatcher::builder().build())
        .verification_token("v")
        .encrypt_key("1212121212")
        .build();
    let url = serve(server).await;
    let signed = Delivery {
        body: go_body.as_bytes().to_vec(),
        headers: vec![
            ("X-Lark-Request-Timestamp", "timestamp".into()),
            ("X-Lark-Request-Nonce", "nonce".into()),
            ("X-Lark-Signature", go_signature.into()),
        ],
    };
    let answer = post(&url, &signed).await;
    assert_eq!(
        (answer.status, answer.text.as_str()),
        (200, r#"{"challenge":"1212"}"#)
    );
    let forged = signed
        .clone()
        .header("X-Lark-Signature", &go_signature.replace('4', "5"));
    assert_eq!(post(&url, &forged).await.status, 401);

    // The ciphertext decrypts to that same body, answered in plaintext.
    let encrypted = Delivery {
        body: serde_json::to_vec(&json!({ "encrypt": go_ciphertext })).unwrap(),
        headers: Vec::new(),
    };
    let answer = post(&url, &encrypted).await;
    assert_eq!(
        (answer.status, answer.text.as_str()),
        (200, r#"{"challenge":"1212"}"#)
    );
}

#[tokio::test]
async fn the_documented_vectors_pass_over_http() {
    assert_eq!(
        EncryptKey::new("test key")
            .decrypt("P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=")
            .unwrap(),
        "hello world"
    );
    let seen = Seen::default();
    let server = EventServer::builder(all_handlers(&seen).build())
        .encrypt_key("test key")
        .build();
    let body = br#"{"encrypt":"P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk="}"#;
    let signed = Delivery {
        body: body.to_vec(),
        headers: vec![
            ("X-Lark-Request-Timestamp", "1700000000".into()),
            ("X-Lark-Request-Nonce", "abc".into()),
            (
                "X-Lark-Signature",
                "0c09d96c2aef2ad08179b3967ea410bbc91dab24ce3aec05af962cf1935844af".into(),
            ),
        ],
    };
    // The signature passes; the plaintext "hello world" is not JSON: 400, not 401.
    let url = serve(server.clone()).await;
    assert_eq!(post(&url, &signed).await.status, 400);
    let request = http::Request::post("/")
        .header("x-lark-request-timestamp", "1700000000")
        .header("x-lark-request-nonce", "abc")
        .header(
            "x-lark-signature",
            "0c09d96c2aef2ad08179b3967ea410bbc91dab24ce3aec05af962cf1935844af",
        )
        .body(Bytes::from_static(body))
        .unwrap();
    let rejection = server.try_handle(request).await.unwrap_err();
    assert!(matches!(rejection, Rejection::NotJson(_)), "{rejection:?}");
    // One nonce character off: the signature fails first.
    let wrong_nonce = signed.header("X-Lark-Request-Nonce", "abd");
    assert_eq!(post(&url, &wrong_nonce).await.status, 401);
    assert!(seen_now(&seen).is_empty());
}

// ---------------------------------------------------------------------------------
// §3 seed events, §1.1–§1.5, §1.7, §3.6.

#[tokio::test]
async fn every_seed_event_is_handled_plain() {
    let seen = Seen::default();
    let server = EventServer::builder(all_handlers(&seen).build())
        .verification_token(TOKEN)
        .callback_token(CALLBACK_TOKEN)
        .build();
    let url = serve(server.clone()).await;
    for (name, expected, reply) in seeds() {
        let answer = post(&url, &Delivery::plain(&fixture_event(name))).await;
        assert_eq!(answer.status, 200, "{name}: {}", answer.text);
        assert_eq!(answer.json(), reply, "{name}");
        assert_eq!(
            answer.content_type, "application/json; charset=utf-8",
            "{name}"
        );
        let last = seen_now(&seen).pop().unwrap();
        assert_eq!((last.0.as_str(), last.1.as_str()), expected, "{name}");
    }
    assert_eq!(seen_now(&seen).len(), seeds().len());
    assert_eq!(server.dispatcher().stats().handled, seeds().len() as u64);
}

#[tokio::test]
async fn every_seed_event_is_handled_encrypted_and_signed() {
    let seen = Seen::default();
    let server = secured(&seen);
    let url = serve(server.clone()).await;
    for (name, expected, reply) in seeds() {
        let event = fixture_event(name);
        // Quick-approval callbacks are sealed with their own key and never signed.
        let delivery = if expected.0 == QUICK_APPROVAL_TYPE {
            Delivery::encrypted(&event, CALLBACK_KEY)
        } else {
            Delivery::sealed(&event)
        };
        let answer = post(&url, &delivery).await;
        assert_eq!(answer.status, 200, "{name}: {}", answer.text);
        assert_eq!(answer.json(), reply, "{name}");
        let last = seen_now(&seen).pop().unwrap();
        assert_eq!((last.0.as_str(), last.1.as_str()), expected, "{name}");
    }
    assert_eq!(server.dispatcher().stats().handled, seeds().len() as u64);
}

#[tokio::test]
async fn quick_approval_uses_the_event_secrets_when_it_has_none_of_its_own() {
    let seen = Seen::default();
    let server = EventServer::builder(all_handlers(&seen).build())
        .verification_token(TOKEN)
        .encrypt_key(ENCRYPT_KEY)
        .build();
    let url = serve(server).await;
    let mut approval = fixture_event("quick_approval_callback.json");
    approval["token"] = json!(CALLBACK_TOKEN);
    let answer = post(&url, &Delivery::encrypted(&approval, ENCRYPT_KEY)).await;
    assert_eq!(answer.status, 403, "its own token is not configured here");
    approval["token"] = json!(TOKEN);
    let answer = post(&url, &Delivery::encrypted(&approval, ENCRYPT_KEY)).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.json()["message_id"], "7040981893475647508");
    assert_eq!(seen_now(&seen).len(), 1);
}

#[tokio::test]
async fn url_verification_is_answered_in_plaintext_plain_or_encrypted() {
    let server = EventServer::builder(Dispatcher::builder().build())
        .verification_token(TOKEN)
        .encrypt_key(ENCRYPT_KEY)
        .build();
    let url = serve(server).await;
    let challenge =
        json!({"challenge": "ajls384kdjx98XX", "token": TOKEN, "type": "url_verification"});
    for delivery in [
        Delivery::plain(&challenge),
        Delivery::encrypted(&challenge, ENCRYPT_KEY),
        Delivery::sealed(&challenge),
    ] {
        let answer = post(&url, &delivery).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        assert_eq!(answer.text, r#"{"challenge":"ajls384kdjx98XX"}"#);
        assert_eq!(answer.content_type, "application/json; charset=utf-8");
    }
    let mut wrong = challenge.clone();
    wrong["token"] = json!("not-the-token");
    assert_eq!(post(&url, &Delivery::plain(&wrong)).await.status, 403);
    assert_eq!(post(&url, &Delivery::sealed(&wrong)).await.status, 403);
    let mut tokenless = challenge;
    tokenless.as_object_mut().unwrap().remove("token");
    assert_eq!(post(&url, &Delivery::plain(&tokenless)).await.status, 403);
}

#[tokio::test]
async fn a_duplicate_is_acknowledged_and_handled_once() {
    let seen = Seen::default();
    let server = secured(&seen);
    let url = serve(server.clone()).await;
    let event = fixture_event("feedback_created_v6.json");
    // A retry is a new encryption (new IV) and a new signature of the same event.
    for _ in 0..3 {
        let answer = post(&url, &Delivery::sealed(&event)).await;
        assert_eq!(
            (answer.status, answer.json()),
            (200, json!({"msg": "success"}))
        );
    }
    let card = fixture_event("card_action_trigger.json");
    assert_eq!(post(&url, &Delivery::sealed(&card)).await.status, 200);
    let again = post(&url, &Delivery::sealed(&card)).await;
    assert_eq!(
        (again.status, again.text.as_str()),
        (200, "{}"),
        "a card's ack is {{}}"
    );
    assert_eq!(seen_now(&seen).len(), 2);
    let stats = server.dispatcher().stats();
    assert_eq!((stats.handled, stats.duplicates), (2, 3));
}

#[tokio::test]
async fn a_wrong_or_missing_signature_is_refused_before_the_handler() {
    let seen = Seen::default();
    let server = secured(&seen);
    let url = serve(server).await;
    let event = fixture_event("im_message_receive_v1.json");
    let good = Delivery::sealed(&event);
    let mut altered_body = good.clone();
    // Whitespace the JSON reader would ignore still breaks the raw-bytes signature.
    altered_body.body.insert(1, b' ');
    let cases = [
        (
            "other key",
            Delivery::encrypted(&event, ENCRYPT_KEY).signed("another key"),
        ),
        ("altered body", altered_body),
        ("uppercase hex", {
            let sig = good.headers[2].1.to_uppercase();
            good.clone().header("X-Lark-Signature", &sig)
        }),
        (
            "other timestamp",
            good.clone()
                .header("X-Lark-Request-Timestamp", "1700000001"),
        ),
        ("no nonce", {
            let mut d = good.clone();
            d.headers.retain(|(n, _)| *n != "X-Lark-Request-Nonce");
            d
        }),
        (
            "empty signature",
            good.clone().header("X-Lark-Signature", ""),
        ),
    ];
    for (what, delivery) in cases {
        let answer = post(&url, &delivery).await;
        assert_eq!(answer.status, 401, "{what}: {}", answer.text);
        assert_eq!(answer.text, r#"{"msg":"unauthorized"}"#, "{what}");
    }
    let unsigned = Delivery::encrypted(&event, ENCRYPT_KEY);
    assert_eq!(
        post(&url, &unsigned).await.status,
        401,
        "events must be signed"
    );
    let plain_unsigned = Delivery::plain(&event);
    assert_eq!(
        post(&url, &plain_unsigned).await.status,
        401,
        "even in plaintext"
    );
    assert!(seen_now(&seen).is_empty());
    // The untouched delivery still passes.
    assert_eq!(post(&url, &good).await.status, 200);
    assert_eq!(seen_now(&seen).len(), 1);
}

#[tokio::test]
async fn a_wrong_or_missing_token_is_refused_before_the_handler() {
    let seen = Seen::default();
    let url = serve(secured(&seen)).await;
    let mut v2 = fixture_event("feedback_updated_v6.json");
    v2["header"]["token"] = json!("rvaYgkND1GOiu5MM0E1rncYC6PLtF7JW");
    let mut v1 = fixture_event("app_ticket.json");
    v1["token"] = json!("");
    let mut v2_none = fixture_event("feedback_created_v6.json");
    v2_none["header"].as_object_mut().unwrap().remove("token");
    let mut approval = fixture_event("quick_approval_callback.json");
    approval["token"] = json!(TOKEN);
    for (what, delivery) in [
        ("2.0 wrong", Delivery::sealed(&v2)),
        ("1.0 empty", Delivery::sealed(&v1)),
        ("2.0 missing", Delivery::sealed(&v2_none)),
        (
            "approval with the event token",
            Delivery::encrypted(&approval, CALLBACK_KEY),
        ),
    ] {
        let answer = post(&url, &delivery).await;
        assert_eq!(answer.status, 403, "{what}: {}", answer.text);
        assert_eq!(answer.text, r#"{"msg":"forbidden"}"#);
    }
    assert!(seen_now(&seen).is_empty());
}

#[tokio::test]
async fn tampered_ciphertext_and_bad_padding_are_400_and_indistinguishable() {
    let seen = Seen::default();
    let server = secured(&seen);
    let url = serve(server.clone()).await;
    let event = fixture_event("card_action_trigger.json");
    let key = EncryptKey::new(ENCRYPT_KEY);
    let sealed = key.encrypt([9; 16], &serde_json::to_vec(&event).unwrap());
    let raw = base64_decode(&sealed);
    let n = raw.len();

    let mut mid_block = raw.clone();
    mid_block[40] ^= 0x55; // garbles two blocks in the middle; the padding survives
    let mut last_pad = raw.clone();
    last_pad[n - 17] ^= 0x01; // the last plaintext byte: the padding breaks
    let mut truncated = raw.clone();
    truncated.truncate(n - 5);
    let mut texts = Vec::new();
    for (what, bytes, expected) in [
        ("middle block", mid_block, None),
        ("padding", last_pad, Some(DecryptError::Padding)),
        ("truncated", truncated, Some(DecryptError::Length(n - 5))),
    ] {
        let body = serde_json::to_vec(&json!({ "encrypt": base64_encode(&bytes) })).unwrap();
        // Signed with the right key, so the decryptor is what refuses it.
        let delivery = Delivery {
            body: body.clone(),
            headers: Vec::new(),
        }
        .signed(ENCRYPT_KEY);
        let answer = post(&url, &delivery).await;
        assert_eq!(answer.status, 400, "{what}: {}", answer.text);
        texts.push(answer.text);

        let mut request = http::Request::post("/").body(Bytes::from(body)).unwrap();
        for (name, value) in &delivery.headers {
            request.headers_mut().insert(*name, value.parse().unwrap());
        }
        let rejection = server.try_handle(request).await.unwrap_err();
        match expected {
            Some(e) => assert!(
                matches!(&rejection, Rejection::Decrypt(d) if *d == e),
                "{what}: {rejection:?}"
            ),
            None => assert!(
                matches!(rejection, Rejection::Decrypt(_) | Rejection::NotJson(_)),
                "{what}: {rejection:?}"
            ),
        }
        assert_eq!(rejection.status(), 400);
    }
    assert!(texts.iter().all(|t| *t == texts[0]), "{texts:?}");
    assert!(seen_now(&seen).is_empty());
}

fn base64_decode(s: &str) -> Vec<u8> {
    // Tests stay free of a base64 dependency: a small standard-alphabet codec.
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for c in s.bytes().filter(|&c| c != b'=') {
        let v = ALPHABET.iter().position(|&a| a == c).unwrap() as u32;
        bits = (bits << 6) | v;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    out
}

fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn the_test_base64_codec_round_trips() {
    for len in 0..10 {
        let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 5) as u8).collect();
        assert_eq!(base64_decode(&base64_encode(&bytes)), bytes);
    }
    assert_eq!(base64_encode(b"hello"), "aGVsbG8=");
}

#[tokio::test]
async fn malformed_bodies_are_400_and_other_methods_405() {
    let url = serve(EventServer::builder(Dispatcher::builder().build()).build()).await;
    for body in [
        &b"not json"[..],
        b"[1,2]",
        b"",
        b"{\"hello\":1}",
        b"{\"encrypt\":5}",
    ] {
        let delivery = Delivery {
            body: body.to_vec(),
            headers: Vec::new(),
        };
        let answer = post(&url, &delivery).await;
        assert_eq!(
            (answer.status, answer.text.as_str()),
            (400, r#"{"msg":"bad request"}"#),
            "{}",
            String::from_utf8_lossy(body)
        );
    }
    let encrypted_without_key = Delivery::encrypted(&json!({}), ENCRYPT_KEY);
    assert_eq!(post(&url, &encrypted_without_key).await.status, 500);
    for m in [
        reqwest::Method::GET,
        reqwest::Method::PUT,
        reqwest::Method::HEAD,
    ] {
        let answer = send(&url, m.clone(), &Delivery::plain(&json!({}))).await;
        assert_eq!(answer.status, 405, "{m}");
        assert_eq!(answer.allow.as_deref(), Some("POST"), "{m}");
    }
}

#[tokio::test]
async fn an_unhandled_type_is_acknowledged_and_counted() {
    let server = EventServer::builder(Dispatcher::builder().build())
        .verification_token(TOKEN)
        .build();
    let url = serve(server.clone()).await;
    let answer = post(
        &url,
        &Delivery::plain(&fixture_event("feedback_created_v6.json")),
    )
    .await;
    assert_eq!(
        (answer.status, answer.json()),
        (200, json!({"msg": "success"}))
    );
    let answer = post(
        &url,
        &Delivery::plain(&fixture_event("card_action_trigger.json")),
    )
    .await;
    assert_eq!((answer.status, answer.text.as_str()), (200, "{}"));
    assert_eq!(server.dispatcher().stats().unhandled, 2);
}

#[tokio::test]
async fn a_failing_handler_is_500_generic_and_the_retry_is_handled() {
    let attempts = Arc::new(Mutex::new(0));
    let counted = attempts.clone();
    let dispatcher = Dispatcher::builder()
        .on::<FeedbackCreated, _, _>(move |_event, _header| {
            let counted = counted.clone();
            async move {
                let mut n = counted.lock().unwrap();
                *n += 1;
                if *n == 1 {
                    Err::<NoReply, HandlerError>(format!("db password={ENCRYPT_KEY}").into())
                } else {
                    Ok(NoReply)
                }
            }
        })
        .build();
    let server = EventServer::builder(dispatcher)
        .verification_token(TOKEN)
        .encrypt_key(ENCRYPT_KEY)
        .build();
    let url = serve(server).await;
    let event = fixture_event("feedback_created_v6.json");
    let answer = post(&url, &Delivery::sealed(&event)).await;
    assert_eq!(answer.status, 500);
    assert_eq!(answer.text, r#"{"msg":"internal error"}"#);
    assert!(!answer.text.contains(ENCRYPT_KEY));
    let retry = post(&url, &Delivery::sealed(&event)).await;
    assert_eq!(
        retry.status, 200,
        "the failed id was forgotten, so the retry runs"
    );
    assert_eq!(*attempts.lock().unwrap(), 2);
}

#[tokio::test]
async fn a_slow_handler_is_acknowledged_at_the_deadline() {
    let dispatcher = Dispatcher::builder()
        .ack_deadline(Duration::from_millis(300))
        .on::<CardAction, _, _>(|_event, _header| async {
            tokio::time::sleep(Duration::from_secs(10)).await;
            Ok::<_, HandlerError>(JsonReply(json!({"toast": {"type": "info"}})))
        })
        .on::<MessageReceive, _, _>(|_event, _header| async {
            tokio::time::sleep(Duration::from_secs(10)).await;
            Ok::<_, HandlerError>(NoReply)
        })
        .build();
    let server = EventServer::builder(dispatcher)
        .verification_token(TOKEN)
        .encrypt_key(ENCRYPT_KEY)
        .build();
    let url = serve(server.clone()).await;
    let started = Instant::now();
    let card = post(
        &url,
        &Delivery::sealed(&fixture_event("card_action_trigger.json")),
    )
    .await;
    assert_eq!((card.status, card.text.as_str()), (200, "{}"));
    let message = post(
        &url,
        &Delivery::sealed(&fixture_event("im_message_receive_v1.json")),
    )
    .await;
    assert_eq!(
        (message.status, message.json()),
        (200, json!({"msg": "success"}))
    );
    let took = started.elapsed();
    assert!(took < Duration::from_secs(3), "answered in {took:?}");
    assert!(
        took >= Duration::from_millis(600),
        "waited for the deadline: {took:?}"
    );
    assert_eq!(server.dispatcher().stats().late, 2);
}

// ---------------------------------------------------------------------------------
// Body limits: refused before more than the limit is read.

#[tokio::test]
async fn a_body_over_the_default_limit_is_413() {
    let seen = Seen::default();
    let server = EventServer::builder(all_handlers(&seen).build()).build();
    assert_eq!(server.body_limit(), 1024 * 1024);
    let url = serve(server.clone()).await;
    let mut event = fixture_event("feedback_created_v6.json");
    event["event"]["description"] = json!("x".repeat(1024 * 1024));
    let answer = post(&url, &Delivery::plain(&event)).await;
    assert_eq!(
        (answer.status, answer.text.as_str()),
        (413, r#"{"msg":"body too large"}"#)
    );
    // The core refuses an already-read body over the limit too.
    let big = http::Request::post("/")
        .body(Bytes::from(vec![b' '; 1024 * 1024 + 1]))
        .unwrap();
    let rejection = server.try_handle(big).await.unwrap_err();
    assert!(matches!(
        rejection,
        Rejection::BodyTooLarge { limit: 1_048_576 }
    ));
    assert!(seen_now(&seen).is_empty());
}

/// Sends `head` then `body` on a raw connection to `url`'s host and reads the answer.
async fn raw_exchange(url: &str, head: String, body: Vec<u8>) -> String {
    let addr = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body).await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
            if answer.windows(4).any(|w| w == b"\r\n\r\n") && answer.ends_with(b"}") {
                break;
            }
        }
    })
    .await;
    assert!(
        read.is_ok(),
        "no answer in 5 s: {}",
        String::from_utf8_lossy(&answer)
    );
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_lying_content_length_is_refused_before_the_body_arrives() {
    let server = EventServer::builder(Dispatcher::builder().build())
        .body_limit(1024)
        .build();
    let url = serve(server).await;
    // Announces 100 MiB, sends 10 bytes and waits: the answer must not wait for the rest.
    let head =
        "POST /feishu/events HTTP/1.1\r\nHost: x\r\nContent-Length: 104857600\r\n\r\n".to_owned();
    let answer = raw_exchange(&url, head, b"{\"a\":\"bbbb".to_vec()).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
}

#[tokio::test]
async fn a_chunked_body_without_length_is_cut_at_the_limit() {
    let server = EventServer::builder(Dispatcher::builder().build())
        .body_limit(1024)
        .build();
    let url = serve(server).await;
    // 1,100 bytes in 100-byte chunks and no final chunk: the server cannot know the
    // end, so an answer proves it stopped at the limit instead of waiting.
    let head =
        "POST /feishu/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".to_owned();
    let mut body = Vec::new();
    for _ in 0..11 {
        body.extend_from_slice(b"64\r\n");
        body.extend_from_slice(&[b' '; 100]);
        body.extend_from_slice(b"\r\n");
    }
    let answer = raw_exchange(&url, head, body).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    // Under the limit, the same framing is read to its end.
    let head = "POST /feishu/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_owned();
    let answer = raw_exchange(&url, head, b"2\r\n[]\r\n0\r\n\r\n".to_vec()).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
}

#[tokio::test]
async fn signature_header_names_are_case_insensitive_on_the_wire() {
    let seen = Seen::default();
    let url = serve(secured(&seen)).await;
    let delivery = Delivery::sealed(&fixture_event("feedback_created_v6.json"));
    let mut head = format!(
        "POST /feishu/events HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n",
        delivery.body.len()
    );
    for ((name, value), spelled) in delivery.headers.iter().zip([
        "X-LARK-REQUEST-TIMESTAMP",
        "x-lark-request-nonce",
        "X-Lark-SIGNATURE",
    ]) {
        assert!(name.eq_ignore_ascii_case(spelled));
        head.push_str(&format!("{spelled}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let answer = raw_exchange(&url, head, delivery.body).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert_eq!(seen_now(&seen).len(), 1);
}

// ---------------------------------------------------------------------------------
// §3.5: app_ticket reaches a marketplace client with no handler of the user's.

#[tokio::test]
async fn an_app_ticket_event_feeds_the_marketplace_client() {
    let feishu = MockServer::start().await;
    Mock::given(path("/open-apis/auth/v3/app_ticket/resend"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"code": 0, "msg": "ok"})))
        .mount(&feishu)
        .await;
    Mock::given(method("POST"))
        .and(path("/open-apis/auth/v3/app_access_token"))
        .and(body_json(json!({
            "app_id": APP_ID, "app_secret": APP_SECRET, "app_ticket": "ticket-from-the-event"
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"code": 0, "msg": "ok", "app_access_token": "a-app", "expire": 7200}),
        ))
        .mount(&feishu)
        .await;
    Mock::given(path("/open-apis/auth/v3/tenant_access_token"))
        .and(body_json(
            json!({"app_access_token": "a-app", "tenant_key": "tenant-9"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"code": 0, "msg": "ok", "tenant_access_token": "t-tenant-9", "expire": 7200}),
        ))
        .mount(&feishu)
        .await;
    let patch = "/open-apis/application/v6/applications/cli_1/feedbacks/1";
    Mock::given(path(patch))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"code": 0, "msg": "success", "data": {}})),
        )
        .mount(&feishu)
        .await;
    let client = feishu::Client::builder()
        .marketplace_app(APP_ID, APP_SECRET)
        .open_base_url(feishu.uri())
        .retry(fast_retries())
        .build()
        .unwrap();
    let call = |c: feishu::Client| async move {
        c.application()
            .v6()
            .application_feedback()
            .patch(feishu::application::v6::ApplicationFeedbackPatchRequired {
                app_id: "cli_1".into(),
                feedback_id: "1".into(),
                status: feishu::application::v6::FeedbackStatus::Marked,
                operator_id: "ou_1".into(),
            })
            .options(feishu::RequestOptions::new().tenant_key("tenant-9"))
            .send()
            .await
    };
    assert!(call(client.clone()).await.is_err(), "no ticket yet");

    let dispatcher = Dispatcher::builder().client(client.runtime()).build();
    let server = EventServer::builder(dispatcher)
        .verification_token(TOKEN)
        .encrypt_key(ENCRYPT_KEY)
        .build();
    let url = serve(server.clone()).await;
    let answer = post(&url, &Delivery::sealed(&fixture_event("app_ticket.json"))).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(
        server.dispatcher().stats().unhandled,
        1,
        "no handler of the user's"
    );

    call(client.clone()).await.unwrap();
    let token_calls = requests_to(&feishu, "/open-apis/auth/v3/app_access_token").await;
    assert_eq!(
        json_body(token_calls.last().unwrap())["app_ticket"],
        "ticket-from-the-event"
    );
    let calls = requests_to(&feishu, patch).await;
    assert_eq!(calls.len(), 1);
    assert_eq!(
        calls[0].headers.get("authorization").unwrap(),
        "Bearer t-tenant-9"
    );
}

// ---------------------------------------------------------------------------------
// Hostile input: never a panic, never a secret, never an unexpected status.

const STATUSES: [u16; 7] = [200, 400, 401, 403, 405, 413, 500];

fn random_bytes(rng: &mut fastrand::Rng, max: usize) -> Vec<u8> {
    let len = rng.usize(..=max);
    (0..len).map(|_| rng.u8(..)).collect()
}

/// One random change: a flipped bit, a byte set, inserted or removed, or a cut.
fn mutate(rng: &mut fastrand::Rng, bytes: &mut Vec<u8>) {
    if bytes.is_empty() {
        bytes.push(rng.u8(..));
        return;
    }
    let at = rng.usize(..bytes.len());
    match rng.u8(..5) {
        0 => bytes[at] ^= 1 << rng.u8(..8),
        1 => bytes[at] = rng.u8(..),
        2 => bytes.insert(at, rng.u8(..)),
        3 => {
            bytes.remove(at);
        }
        _ => bytes.truncate(at),
    }
}

#[tokio::test]
async fn random_and_mutated_requests_never_panic_or_leak() {
    let seen = Seen::default();
    let server = EventServer::builder(all_handlers(&seen).build())
        .verification_token(TOKEN)
        .encrypt_key(ENCRYPT_KEY)
        .callback_token(CALLBACK_TOKEN)
        .callback_key(CALLBACK_KEY)
        .body_limit(64 * 1024)
        .build();
    let mut rng = fastrand::Rng::with_seed(0x5eed_f00d);
    let originals: Vec<Delivery> = seeds()
        .into_iter()
        .map(|(name, ..)| Delivery::sealed(&fixture_event(name)))
        .collect();
    let methods = ["POST", "GET", "PUT", "post", "DELETE", "PATCH", "OPTIONS"];
    let names = [
        "x-lark-request-timestamp",
        "x-lark-request-nonce",
        "x-lark-signature",
        "content-length",
        "content-type",
        "x-other",
    ];
    let mut signed_mutants = 0;
    for round in 0..4000 {
        let original = &originals[rng.usize(..originals.len())];
        let (mut body, mut headers) = (original.body.clone(), original.headers.clone());
        let mutated_body = match round % 4 {
            // Mutated body, headers as signed.
            0 | 1 => {
                for _ in 0..rng.usize(1..4) {
                    mutate(&mut rng, &mut body);
                }
                body != original.body
            }
            // Random body and random header values.
            2 => {
                body = random_bytes(&mut rng, 512);
                for h in &mut headers {
                    h.1 = String::from_utf8_lossy(&random_bytes(&mut rng, 70)).into_owned();
                }
                true
            }
            // Valid body, mutated headers.
            _ => {
                if let Some(h) = headers.get_mut(rng.usize(..3)) {
                    let mut value = h.1.clone().into_bytes();
                    mutate(&mut rng, &mut value);
                    h.1 = String::from_utf8_lossy(&value).into_owned();
                }
                false
            }
        };
        let mut request = http::Request::builder()
            .method(if rng.u8(..8) == 0 {
                methods[rng.usize(..methods.len())]
            } else {
                "POST"
            })
            .uri("/");
        for (name, value) in &headers {
            if let Ok(value) = http::HeaderValue::from_bytes(value.as_bytes()) {
                request = request.header(*name, value);
            }
        }
        if rng.bool() {
            let raw = random_bytes(&mut rng, 20);
            if let Ok(value) = http::HeaderValue::from_bytes(&raw) {
                request = request.header(names[rng.usize(..names.len())], value);
            }
        }
        let Ok(request) = request.body(Bytes::from(body.clone())) else {
            continue;
        };
        let is_post = request.method() == http::Method::POST;
        let response = server.handle(request).await;
        let status = response.status().as_u16();
        assert!(STATUSES.contains(&status), "round {round}: {status}");
        let text = String::from_utf8_lossy(response.body()).into_owned();
        for secret in [ENCRYPT_KEY, CALLBACK_KEY, TOKEN, CALLBACK_TOKEN] {
            assert!(
                !text.contains(secret),
                "round {round} leaked a secret: {text}"
            );
        }
        // A signed body changed in any byte never gets past the signature.
        if mutated_body && round % 4 < 2 && is_post && headers == original.headers {
            signed_mutants += 1;
            assert_ne!(
                status, 200,
                "round {round}: a mutated signed body was accepted"
            );
        }
    }
    assert!(signed_mutants > 1000, "{signed_mutants}");
    // Each original was handled at most once, whatever came before it.
    let handled = seen_now(&seen);
    assert!(handled.len() <= originals.len(), "{handled:?}");
}

#[tokio::test]
async fn random_requests_over_the_wire_always_get_an_answer() {
    let url = serve(secured(&Seen::default())).await;
    let client = reqwest::Client::new();
    let mut rng = fastrand::Rng::with_seed(42);
    let base = Delivery::sealed(&fixture_event("im_message_receive_v1.json"));
    for round in 0..200 {
        let mut body = base.body.clone();
        for _ in 0..rng.usize(1..6) {
            mutate(&mut rng, &mut body);
        }
        if body == base.body {
            continue;
        }
        let mut request = client.post(&url).body(body);
        for (name, value) in &base.headers {
            request = request.header(*name, value);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        assert!([400, 401].contains(&status), "round {round}: {status}");
    }
}
