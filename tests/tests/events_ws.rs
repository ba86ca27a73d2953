//! The long-connection client against the fake platform on 127.0.0.1, fault by fault:
//! split messages out of order or incomplete, a half-open connection, a connection
//! dropped mid-message, refused handshakes, busy and fatal discovery answers, pushed
//! config, slow, failing and panicking handlers, a burst of 1,000 messages, a proxy,
//! and a close that leaves nothing behind. Every timing is shortened, so the whole
//! file runs in seconds.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use feishu_runtime::events::ws::{WsClient, WsClientBuilder, WsError, WsHandle, WsState};
use feishu_runtime::events::{Dispatcher, Event, EventHeader, HandlerError, NoReply};
use feishu_runtime::json::{FromJson, JsonError, ToJson};
use feishu_tests::fake_ws::{Discovery, FakeWs, Frame, Refusal, envelope};
use serde_json::{Value, json};
use tokio::sync::Notify;

const WAIT: Duration = Duration::from_secs(5);

/// Test event types, written by hand until the generated crate has typed events.
macro_rules! test_event {
    ($name:ident, $wire:literal, $reply:ty) => {
        #[derive(Debug, Clone)]
        struct $name(Value);
        impl FromJson for $name {
            fn from_json(value: Value) -> Result<Self, JsonError> {
                match value.get("text") {
                    Some(Value::String(_)) => Ok($name(value)),
                    _ => Err(JsonError::missing("text")),
                }
            }
        }
        impl ToJson for $name {
            fn to_json(&self) -> Value {
                self.0.clone()
            }
        }
        impl Event for $name {
            const EVENT_TYPE: &'static str = $wire;
            type Reply = $reply;
        }
    };
}

test_event!(Note, "test.note_v1", NoReply);
test_event!(Slow, "test.slow_v1", NoReply);
test_event!(Flaky, "test.flaky_v1", NoReply);
test_event!(Panics, "test.panics_v1", NoReply);
test_event!(CardAction, "card.action.trigger", Value);

/// How often each event id was handled.
#[derive(Clone, Default)]
struct Handled(Arc<Mutex<HashMap<String, usize>>>);

impl Handled {
    fn add(&self, header: &EventHeader) {
        *self
            .0
            .lock()
            .unwrap()
            .entry(header.event_id.clone())
            .or_default() += 1;
    }
    fn count(&self, id: &str) -> usize {
        self.0.lock().unwrap().get(id).copied().unwrap_or(0)
    }
    fn total(&self) -> usize {
        self.0.lock().unwrap().values().sum()
    }
    fn distinct(&self) -> usize {
        self.0.lock().unwrap().len()
    }
}

fn notes(handled: &Handled) -> Dispatcher {
    let h = handled.clone();
    Dispatcher::builder()
        .on::<Note, _, _>(move |_, header| {
            let h = h.clone();
            async move {
                h.add(&header);
                Ok::<_, HandlerError>(NoReply)
            }
        })
        .build()
}

/// Server config for tests: quick pings and reconnects.
fn quick() -> Value {
    json!({"PingInterval": 0.2, "ReconnectInterval": 0.02, "ReconnectNonce": 0.01, "ReconnectCount": -1})
}

fn builder(fake: &FakeWs, dispatcher: Dispatcher) -> WsClientBuilder {
    WsClient::builder("cli_test", "app-secret-value")
        .open_base(fake.open_base())
        .dispatcher(dispatcher)
        .ping_interval(Duration::from_secs(60))
        .pong_timeout(Duration::from_millis(400))
        .handshake_timeout(Duration::from_secs(2))
        .discovery_timeout(Duration::from_secs(2))
        .reconnect(None, Duration::from_millis(20), Duration::ZERO)
        .close_grace(Duration::from_secs(2))
}

fn note(id: &str) -> Vec<u8> {
    envelope("test.note_v1", id, json!({"text": id}))
}

/// Acks of `message_id`, as the fake saw them.
fn acks_of(fake: &FakeWs, message_id: &str) -> Vec<i64> {
    fake.seen(|s| {
        s.acks
            .iter()
            .filter(|a| a.message_id == message_id)
            .map(|a| a.code)
            .collect()
    })
}

async fn ack_of(fake: &FakeWs, message_id: &str) -> feishu_tests::fake_ws::AckSeen {
    fake.until(WAIT, |s| {
        s.acks.iter().find(|a| a.message_id == message_id).cloned()
    })
    .await
}

/// Waits for a condition the fake does not see (the client's own counters).
async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !check() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "never happened: {what}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn an_event_is_handled_and_acknowledged_on_the_echoed_frame() {
    let fake = FakeWs::start(quick()).await;
    let handled = Handled::default();
    let handle = builder(&fake, notes(&handled)).build().unwrap().start();
    let conn = fake.connection(0, WAIT).await;

    // Discovery: capitalised credentials and `locale: zh`.
    let (body, locale) = fake.seen(|s| s.discoveries[0].clone());
    assert_eq!(
        body,
        json!({"AppID": "cli_test", "AppSecret": "app-secret-value"})
    );
    assert_eq!(locale.as_deref(), Some("zh"));

    fake.send(conn, vec![Frame::data("event", "m1", note("e1"))]);
    let ack = ack_of(&fake, "m1").await;
    assert_eq!(ack.code, 200);
    assert_eq!(ack.data, None, "an event has no reply");
    assert!(ack.biz_rt.is_some_and(|ms| ms >= 0), "{:?}", ack.biz_rt);
    // The echo keeps the ids, service, method and the headers it was sent with.
    let sent = Frame::data("event", "m1", vec![]);
    assert_eq!(
        (
            ack.frame.seq_id,
            ack.frame.log_id,
            ack.frame.service,
            ack.frame.method
        ),
        (sent.seq_id, sent.log_id, sent.service, 1)
    );
    assert_eq!(ack.frame.header("trace_id"), Some("trace-m1"));
    assert_eq!(handled.count("e1"), 1);

    // The first ping names the service from the URL and carries no payload.
    fake.until(WAIT, |s| (!s.connections[0].pings.is_empty()).then_some(()))
        .await;
    assert_eq!(handle.state(), WsState::Connected);
    handle.close().await.unwrap();
}

#[tokio::test]
async fn event_and_card_frames_both_reach_the_handler_and_carry_its_reply() {
    let fake = FakeWs::start(quick()).await;
    let dispatcher = Dispatcher::builder()
        .on::<CardAction, _, _>(|card, _| async move {
            let text = card.0["text"].clone();
            Ok::<_, HandlerError>(json!({"toast": {"type": "success", "content": text}}))
        })
        .build();
    let handle = builder(&fake, dispatcher).build().unwrap().start();
    let conn = fake.connection(0, WAIT).await;
    for (kind, id) in [("card", "c1"), ("event", "c2")] {
        let body = envelope("card.action.trigger", id, json!({"text": id}));
        fake.send(conn, vec![Frame::data(kind, id, body)]);
        let ack = ack_of(&fake, id).await;
        assert_eq!(ack.code, 200);
        assert_eq!(
            ack.data,
            Some(json!({"toast": {"type": "success", "content": id}})),
            "{kind} frame"
        );
    }
    handle.close().await.unwrap();
}

#[tokio::test]
async fn fragments_out_of_order_are_joined_once() {
    let fake = FakeWs::start(quick()).await;
    let handled = Handled::default();
    let handle = builder(&fake, notes(&handled)).build().unwrap().start();
    let conn = fake.connection(0, WAIT).await;
    let long = "x".repeat(10_000);
    let body = envelope("test.note_v1", "big", json!({"text": long}));
    let mut parts = Frame::split("event", "m-big", &body, 4);
    parts.swap(0, 3);
    parts.swap(1, 2);
    // A repeated fragment changes nothing.
    parts.insert(1, parts[0].clone());
    fake.send(conn, parts);
    let ack = ack_of(&fake, "m-big").await;
    assert_eq!(ack.code, 200);
    assert_eq!(handled.count("big"), 1);
    assert_eq!(acks_of(&fake, "m-big"), vec![200], "acknowledged once");
    handle.close().await.unwrap();
}

#[tokio::test]
async fn incomplete_fragments_expire_unacknowledged() {
    let fake = FakeWs::start(quick()).await;
    let handled = Handled::default();
    let handle = builder(&fake, notes(&handled))
        .fragment_limits(Duration::from_millis(100), 1 << 20, 16)
        .build()
        .unwrap()
        .start();
    let conn = fake.connection(0, WAIT).await;
    let parts = Frame::split("event", "m-part", &note("part"), 3);
    fake.send(conn, parts[..2].to_vec());
    eventually("the incomplete set expires", || {
        handle.stats().fragments_dropped == 1
    })
    .await;
    // The last fragment now starts a new set instead of completing the dropped one.
    fake.send(conn, vec![parts[2].clone()]);
    fake.send(conn, vec![Frame::data("event", "m-after", note("after"))]);
    ack_of(&fake, "m-after").await;
    assert!(acks_of(&fake, "m-part").is_empty());
    assert_eq!(handled.count("part"), 0);
    handle.close().await.unwrap();
}

#[tokio::test]
async fn fragment_memory_is_bounded_by_bytes_and_count() {
    let fake = FakeWs::start(quick()).await;
    let handled = Handled::default();
    let handle = builder(&fake, notes(&handled))
        .fragment_limits(Duration::from_secs(30), 10_000, 4)
        .build()
        .unwrap()
        .start();
    let conn = fake.connection(0, WAIT).await;
    // 50 messages, each missing its last fragment, 1,500 bytes held per message.
    let mut frames = Vec::new();
    for i in 0..50 {
        let chunk = vec![b' '; 1500];
        frames.push(Frame::fragment("event", &format!("p{i}"), 2, 0, chunk));
    }
    // One that needs more than the byte bound on its own.
    for seq in 0..3 {
        frames.push(Frame::fragment("event", "huge", 4, seq, vec![b' '; 4000]));
    }
    frames.push(Frame::data("event", "m-ok", note("ok")));
    fake.send(conn, frames);
    ack_of(&fake, "m-ok").await;
    let stats = handle.stats();
    assert!(
        stats.peak_fragment_bytes <= 10_000,
        "{}",
        stats.peak_fragment_bytes
    );
    assert!(stats.fragments_dropped >= 47, "{stats:?}");
    assert_eq!(handled.count("ok"), 1);
    handle.close().await.unwrap();
}

#[tokio::test]
async fn a_half_open_connection_is_replaced() {
    let fake = FakeWs::start(quick()).await;
    fake.set_ponging(false);
    let handled = Handled::default();
    let handle = builder(&fake, notes(&handled)).build().unwrap().start();
    fake.connection(0, WAIT).await;
    // Pings get no pong: the watchdog drops the connection and a new one opens.
    fake.until(WAIT, |s| (!s.connections[0].open).then_some(()))
        .await;
    fake.set_ponging(true);
    let second = fake.connection(1, WAIT).await;
    assert_eq!(handle.stats().disconnects, 1);
    assert_eq!(fake.seen(|s| s.discoveries.len()), 2, "discovery again");
    fake.send(second, vec![Frame::data("event", "m2", note("e2"))]);
    assert_eq!(ack_of(&fake, "m2").await.conn, second);
    handle.close().await.unwrap();
}

#[tokio::test]
async fn a_pushed_ping_interval_applies_at_once() {
    // Discovery does not set the interval; the client's own is a minute.
    let fake = FakeWs::start(json!({"ReconnectCount": -1})).await;
    fake.set_pong_config(Some(json!({"PingInterval": 0.05})));
    let handle = builder(&fake, notes(&Handled::default()))
        .build()
        .unwrap()
        .start();
    fake.connection(0, WAIT).await;
    // Without the pushed interval only the first ping would come in the next minute.
    fake.until(WAIT, |s| (s.connections[0].pings.len() >= 5).then_some(()))
        .await;
    let pings = fake.seen(|s| s.connections[0].pings.clone());
    let gap = pings[4] - pings[3];
    assert!(gap < Duration::from_secs(1), "{gap:?}");
    handle.close().await.unwrap();
}

#[tokio::test]
async fn a_connection_dropped_mid_message_is_handled_once_after_the_repush() {
    let fake = FakeWs::start(quick()).await;
    let handled = Handled::default();
    let started = Arc::new(Notify::new());
    let release = Arc::new(Notify::new());
    let (h, s, r) = (handled.clone(), started.clone(), release.clone());
    let dispatcher = Dispatcher::builder()
        .on::<Slow, _, _>(move |_, header| {
            let (h, s, r) = (h.clone(), s.clone(), r.clone());
            async move {
                s.notify_one();
                r.notified().await;
                h.add(&header);
                Ok::<_, HandlerError>(NoReply)
            }
        })
        .on::<Note, _, _>({
            let h = handled.clone();
            move |_, header| {
                let h = h.clone();
                async move {
                    h.add(&header);
                    Ok::<_, HandlerError>(NoReply)
                }
            }
        })
        .build();
    let handle = builder(&fake, dispatcher).build().unwrap().start();
    let first = fake.connection(0, WAIT).await;
    let slow = envelope("test.slow_v1", "s1", json!({"text": "s"}));
    let split = Frame::split("event", "m-split", &note("split"), 2);
    fake.send(first, vec![Frame::data("event", "m-slow", slow.clone())]);
    fake.send(first, vec![split[0].clone()]);
    started.notified().await;
    fake.drop_connection(first);
    let second = fake.connection(1, WAIT).await;
    release.notify_one();
    // The platform pushes both again on the new connection.
    fake.send(second, vec![Frame::data("event", "m-slow", slow)]);
    fake.send(second, split);
    let (slow_ack, split_ack) = (
        ack_of(&fake, "m-slow").await,
        ack_of(&fake, "m-split").await,
    );
    assert_eq!((slow_ack.conn, slow_ack.code), (second, 200));
    assert_eq!((split_ack.conn, split_ack.code), (second, 200));
    eventually("the slow handler finishes", || handled.count("s1") == 1).await;
    assert_eq!(handled.count("split"), 1);
    assert_eq!(
        acks_of(&fake, "m-slow"),
        vec![200],
        "no ack on the dead socket"
    );
    handle.close().await.unwrap();
    assert_eq!(handled.count("s1"), 1, "the repush was a duplicate");
}

#[tokio::test]
async fn handshake_403_is_fatal() {
    let fake = FakeWs::start(quick()).await;
    fake.script_refusals([Refusal {
        status: 403,
        auth_code: None,
    }]);
    let mut handle = builder(&fake, notes(&Handled::default()))
        .build()
        .unwrap()
        .start();
    let err = tokio::time::timeout(WAIT, handle.wait()).await.unwrap();
    assert!(
        matches!(err, Err(WsError::HandshakeRefused { status: 403, .. })),
        "{err:?}"
    );
    assert_eq!(fake.seen(|s| s.handshakes), 1, "not retried");
    assert_eq!(handle.state(), WsState::Stopped);
    assert!(
        handle.close().await.is_err(),
        "close reports the fatal error"
    );
}

#[tokio::test]
async fn handshake_514_is_fatal_only_with_the_connection_limit_code() {
    let fake = FakeWs::start(quick()).await;
    fake.script_refusals([
        Refusal {
            status: 514,
            auth_code: None,
        },
        Refusal {
            status: 500,
            auth_code: None,
        },
        Refusal {
            status: 514,
            auth_code: Some(1_000_040_350),
        },
    ]);
    let mut handle = builder(&fake, notes(&Handled::default()))
        .build()
        .unwrap()
        .start();
    let err = tokio::time::timeout(WAIT, handle.wait()).await.unwrap();
    assert_eq!(
        err,
        Err(WsError::HandshakeRefused {
            status: 514,
            auth_code: Some(1_000_040_350),
            message: "scripted refusal".into()
        })
    );
    assert_eq!(fake.seen(|s| (s.handshakes, s.discoveries.len())), (3, 3));
}

#[tokio::test]
async fn busy_discovery_answers_are_retried_and_others_are_fatal() {
    let fake = FakeWs::start(quick()).await;
    fake.script_discovery([
        Discovery::Code(1),
        Discovery::Code(1_000_040_343),
        Discovery::Http(503),
    ]);
    let handle = builder(&fake, notes(&Handled::default()))
        .build()
        .unwrap()
        .start();
    fake.connection(0, WAIT).await;
    assert_eq!(fake.seen(|s| s.discoveries.len()), 4);
    handle.close().await.unwrap();

    let fake = FakeWs::start(quick()).await;
    fake.script_discovery([Discovery::Code(1), Discovery::Code(10003)]);
    let mut handle = builder(&fake, notes(&Handled::default()))
        .build()
        .unwrap()
        .start();
    let err = tokio::time::timeout(WAIT, handle.wait()).await.unwrap();
    assert!(
        matches!(&err, Err(WsError::Discovery { code: 10003, .. })),
        "{err:?}"
    );
    assert_eq!(fake.seen(|s| (s.discoveries.len(), s.handshakes)), (2, 0));
}

#[tokio::test]
async fn the_reconnect_count_is_honoured() {
    let fake = FakeWs::start(
        json!({"PingInterval": 0.2, "ReconnectInterval": 0.01, "ReconnectNonce": 0, "ReconnectCount": 2}),
    )
    .await;
    fake.script_refusals((0..10).map(|_| Refusal {
        status: 502,
        auth_code: None,
    }));
    let mut handle = builder(&fake, notes(&Handled::default()))
        .build()
        .unwrap()
        .start();
    let err = tokio::time::timeout(WAIT, handle.wait()).await.unwrap();
    assert!(
        matches!(&err, Err(WsError::ReconnectsExhausted { attempts: 2, .. })),
        "{err:?}"
    );
    assert_eq!(fake.seen(|s| s.handshakes), 3, "the first try and 2 more");
}

#[tokio::test]
async fn slow_handlers_block_neither_reads_nor_pings_and_are_acked_by_the_deadline() {
    let fake = FakeWs::start(quick()).await;
    let handled = Handled::default();
    let h = handled.clone();
    let dispatcher = Dispatcher::builder()
        .ack_deadline(Duration::from_millis(300))
        .on::<Slow, _, _>(|_, _| async {
            std::future::pending::<()>().await;
            Ok::<_, HandlerError>(NoReply)
        })
        .on::<Note, _, _>(move |_, header| {
            let h = h.clone();
            async move {
                h.add(&header);
                Ok::<_, HandlerError>(NoReply)
            }
        })
        .build();
    let handle = builder(&fake, dispatcher)
        .close_grace(Duration::from_millis(100))
        .build()
        .unwrap()
        .start();
    let conn = fake.connection(0, WAIT).await;
    let slow = envelope("test.slow_v1", "s", json!({"text": "s"}));
    let mut frames = vec![Frame::data("event", "m-slow", slow)];
    frames.extend((0..20).map(|i| Frame::data("event", &format!("f{i}"), note(&format!("f{i}")))));
    fake.send(conn, frames);
    let last_fast = ack_of(&fake, "f19").await;
    let slow_ack = ack_of(&fake, "m-slow").await;
    assert!(last_fast.at < slow_ack.at, "fast messages were not held up");
    assert_eq!(slow_ack.code, 200, "acknowledged at the deadline");
    assert!(slow_ack.biz_rt.is_some_and(|ms| (300..2000).contains(&ms)));
    assert_eq!(handled.total(), 20);
    handle.close().await.unwrap();
}

#[tokio::test]
async fn failing_and_panicking_handlers_answer_500_and_run_again_on_the_repush() {
    let fake = FakeWs::start(quick()).await;
    let runs = Arc::new(AtomicUsize::new(0));
    let r = runs.clone();
    let dispatcher = Dispatcher::builder()
        .on::<Flaky, _, _>(move |_, _| {
            let n = r.fetch_add(1, Ordering::SeqCst);
            async move {
                if n == 0 {
                    Err::<NoReply, HandlerError>("database unavailable".into())
                } else {
                    Ok(NoReply)
                }
            }
        })
        .on::<Panics, _, _>(|event, _| async move {
            if event.0["text"] == "p" {
                panic!("handler bug");
            }
            Ok::<_, HandlerError>(NoReply)
        })
        .build();
    let handle = builder(&fake, dispatcher).build().unwrap().start();
    let conn = fake.connection(0, WAIT).await;
    let flaky = envelope("test.flaky_v1", "fl", json!({"text": "f"}));
    fake.send(conn, vec![Frame::data("event", "m-flaky", flaky.clone())]);
    assert_eq!(ack_of(&fake, "m-flaky").await.code, 500);
    fake.send(conn, vec![Frame::data("event", "m-flaky", flaky)]);
    fake.until(WAIT, |s| {
        (s.acks.iter().filter(|a| a.message_id == "m-flaky").count() == 2).then_some(())
    })
    .await;
    assert_eq!(acks_of(&fake, "m-flaky"), vec![500, 200]);
    assert_eq!(runs.load(Ordering::SeqCst), 2);

    let boom = envelope("test.panics_v1", "pa", json!({"text": "p"}));
    fake.send(conn, vec![Frame::data("event", "m-panic", boom)]);
    assert_eq!(ack_of(&fake, "m-panic").await.code, 500);
    // The connection survived the panic.
    fake.send(conn, vec![Frame::data("event", "m-after", note("after"))]);
    assert_eq!(ack_of(&fake, "m-after").await.code, 200);
    let stats = handle.stats();
    assert_eq!((stats.acks_failed, stats.connections), (2, 1));
    handle.close().await.unwrap();
}

#[tokio::test]
async fn a_burst_of_1000_is_handled_and_acknowledged_exactly_once() {
    let fake = FakeWs::start(quick()).await;
    let handled = Handled::default();
    let handle = builder(&fake, notes(&handled))
        .max_in_flight(64)
        .build()
        .unwrap()
        .start();
    let conn = fake.connection(0, WAIT).await;
    let mut frames = Vec::new();
    for i in 0..1000 {
        let id = format!("b{i}");
        if i % 10 == 0 {
            frames.extend(Frame::split("event", &id, &note(&id), 3));
        } else {
            frames.push(Frame::data("event", &id, note(&id)));
        }
    }
    // A hundred of them pushed twice: acknowledged again, not handled again.
    for i in 0..100 {
        let id = format!("b{}", i * 7);
        frames.push(Frame::data("event", &format!("dup-{id}"), note(&id)));
    }
    fake.send(conn, frames);
    fake.until(Duration::from_secs(20), |s| {
        (s.acks.len() >= 1100).then_some(())
    })
    .await;
    let (acks, per_id) = fake.seen(|s| {
        let mut per_id: HashMap<String, usize> = HashMap::new();
        for a in &s.acks {
            *per_id.entry(a.message_id.clone()).or_default() += 1;
        }
        (s.acks.len(), per_id)
    });
    assert_eq!(acks, 1100);
    assert_eq!(per_id.len(), 1100);
    assert!(
        per_id.values().all(|&n| n == 1),
        "every message acknowledged once"
    );
    assert!(fake.seen(|s| s.acks.iter().all(|a| a.code == 200)));
    assert_eq!(handled.distinct(), 1000, "nothing lost");
    assert_eq!(handled.total(), 1000, "nothing handled twice");
    let stats = handle.stats();
    assert!(stats.peak_in_flight <= 64, "{stats:?}");
    assert_eq!(stats.fragments_dropped, 0);
    handle.close().await.unwrap();
}

/// Counts live handler futures: dropped (finished or cancelled) means gone.
struct Live(Arc<AtomicUsize>);
impl Live {
    fn new(count: &Arc<AtomicUsize>) -> Live {
        count.fetch_add(1, Ordering::SeqCst);
        Live(count.clone())
    }
}
impl Drop for Live {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn close_acknowledges_in_flight_messages_and_leaves_no_task_behind() {
    let fake = FakeWs::start(quick()).await;
    let metrics = tokio::runtime::Handle::current().metrics();
    let tasks_before = metrics.num_alive_tasks();
    let live = Arc::new(AtomicUsize::new(0));
    let started = Arc::new(Notify::new());
    let finished = Arc::new(AtomicUsize::new(0));
    let (l, s, f) = (live.clone(), started.clone(), finished.clone());
    let dispatcher = Dispatcher::builder()
        .on::<Slow, _, _>(move |_, _| {
            let guard = Live::new(&l);
            let (s, f) = (s.clone(), f.clone());
            async move {
                let _guard = guard;
                s.notify_one();
                // Work that outlasts the close request.
                tokio::time::sleep(Duration::from_millis(200)).await;
                f.fetch_add(1, Ordering::SeqCst);
                Ok::<_, HandlerError>(NoReply)
            }
        })
        .build();
    let handle = builder(&fake, dispatcher).build().unwrap().start();
    let conn = fake.connection(0, WAIT).await;
    let slow = envelope("test.slow_v1", "s", json!({"text": "s"}));
    fake.send(conn, vec![Frame::data("event", "m-slow", slow)]);
    started.notified().await;
    handle.close().await.unwrap();
    assert_eq!(
        finished.load(Ordering::SeqCst),
        1,
        "close waited for the handler"
    );
    assert_eq!(live.load(Ordering::SeqCst), 0);
    let closed_by_client = fake
        .until(WAIT, |s| {
            let c = &s.connections[0];
            (!c.open).then_some(c.closed_by_client)
        })
        .await;
    assert!(
        closed_by_client,
        "the client said goodbye with a close frame"
    );
    // The ack went out before the goodbye.
    assert_eq!(acks_of(&fake, "m-slow"), vec![200]);
    // The fake's own per-connection task is gone too; only its listeners remain.
    eventually("every task ended", || {
        metrics.num_alive_tasks() == tasks_before
    })
    .await;
}

#[tokio::test]
async fn close_during_a_reconnect_wait_returns_promptly() {
    let fake = FakeWs::start(quick()).await;
    fake.script_discovery([Discovery::Http(500)]);
    let handle = builder(&fake, notes(&Handled::default()))
        .reconnect(None, Duration::from_secs(600), Duration::ZERO)
        .build()
        .unwrap()
        .start();
    let mut state = handle.watch_state();
    // The discovery failed; the server's interval (600 s from the builder, since no
    // discovery answer replaced it) is being waited out.
    tokio::time::timeout(WAIT, state.wait_for(|s| *s == WsState::Waiting))
        .await
        .unwrap()
        .unwrap();
    tokio::time::timeout(Duration::from_secs(2), handle.close())
        .await
        .expect("close does not wait for the reconnect interval")
        .unwrap();
}

#[tokio::test]
async fn several_clients_run_side_by_side() {
    let fake = FakeWs::start(quick()).await;
    let (a, b) = (Handled::default(), Handled::default());
    let ha = builder(&fake, notes(&a)).build().unwrap().start();
    fake.connection(0, WAIT).await;
    let hb = builder(&fake, notes(&b)).build().unwrap().start();
    fake.connection(1, WAIT).await;
    fake.send(0, vec![Frame::data("event", "ma", note("ea"))]);
    fake.send(1, vec![Frame::data("event", "mb", note("eb"))]);
    ack_of(&fake, "ma").await;
    ack_of(&fake, "mb").await;
    assert_eq!((a.count("ea"), a.count("eb")), (1, 0));
    assert_eq!((b.count("ea"), b.count("eb")), (0, 1));
    ha.close().await.unwrap();
    fake.until(WAIT, |s| (!s.connections[0].open).then_some(()))
        .await;
    assert!(
        fake.seen(|s| s.connections[1].open),
        "the other client is unaffected"
    );
    fake.send(1, vec![Frame::data("event", "mb2", note("eb2"))]);
    ack_of(&fake, "mb2").await;
    hb.close().await.unwrap();
}

#[tokio::test]
async fn discovery_and_the_websocket_go_through_the_http_proxy() {
    let fake = FakeWs::start(quick()).await;
    let (proxy, lines, proxy_task) = feishu_tests::fake_ws::http_proxy().await;
    let handled = Handled::default();
    let handle = builder(&fake, notes(&handled))
        .proxy(proxy)
        .build()
        .unwrap()
        .start();
    let conn = fake.connection(0, WAIT).await;
    fake.send(conn, vec![Frame::data("event", "m1", note("e1"))]);
    ack_of(&fake, "m1").await;
    let lines = lines.lock().unwrap().clone();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("POST http://") && l.contains("/callback/ws/endpoint")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("CONNECT 127.0.0.1:") && l.ends_with("[auth]")),
        "{lines:?}"
    );
    handle.close().await.unwrap();
    proxy_task.abort();
}

#[tokio::test]
async fn the_connection_url_and_the_secret_are_never_displayed() {
    let fake = FakeWs::start(quick()).await;
    fake.script_refusals([Refusal {
        status: 403,
        auth_code: None,
    }]);
    let client = builder(&fake, notes(&Handled::default()))
        .proxy("http://user:proxy-password@127.0.0.1:9")
        .build()
        .unwrap();
    let shown = format!("{client:?}");
    // The proxy is unreachable on purpose: point the client at the fake directly.
    let client = builder(&fake, notes(&Handled::default())).build().unwrap();
    let mut handle: WsHandle = client.start();
    let err = handle.wait().await.unwrap_err();
    let shown = format!("{shown} {handle:?} {err} {err:?}");
    for secret in [
        "TICKET-SECRET",
        "ak-secret",
        "app-secret-value",
        "proxy-password",
    ] {
        assert!(!shown.contains(secret), "{secret} shown in: {shown}");
    }
}

#[tokio::test]
async fn close_waits_for_a_stuck_handler_only_for_the_grace_period() {
    for ack_deadline in [Duration::from_secs(60), Duration::from_millis(20)] {
        // With the long deadline the handler is still inside its dispatch at close; with
        // the short one it was acknowledged as late and runs on in its own task.
        let fake = FakeWs::start(quick()).await;
        let started = Arc::new(Notify::new());
        let dropped = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (s, d) = (started.clone(), dropped.clone());
        let dispatcher = Dispatcher::builder()
            .ack_deadline(ack_deadline)
            .on::<Slow, _, _>(move |_, _| {
                let s = s.clone();
                let guard = DropFlag(d.clone());
                async move {
                    let _guard = guard;
                    s.notify_one();
                    std::future::pending::<()>().await;
                    Ok::<_, HandlerError>(NoReply)
                }
            })
            .build();
        let handle = builder(&fake, dispatcher)
            .close_grace(Duration::from_millis(100))
            .build()
            .unwrap()
            .start();
        let conn = fake.connection(0, WAIT).await;
        let slow = envelope("test.slow_v1", "s", json!({"text": "s"}));
        fake.send(conn, vec![Frame::data("event", "m-stuck", slow)]);
        started.notified().await;
        let began = tokio::time::Instant::now();
        handle.close().await.unwrap();
        let took = began.elapsed();
        assert!(
            took >= Duration::from_millis(80) && took < Duration::from_secs(2),
            "{took:?}"
        );
        // The stuck handler was stopped: its future (and what it held) is gone.
        assert!(
            dropped.load(std::sync::atomic::Ordering::SeqCst),
            "handler left running ({ack_deadline:?})"
        );
        if ack_deadline > Duration::from_secs(1) {
            assert!(acks_of(&fake, "m-stuck").is_empty(), "never acknowledged");
        }
    }
}

/// Sets its flag when dropped: tells that a handler's future was dropped (aborted).
struct DropFlag(Arc<std::sync::atomic::AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Collects every log line (message and fields) emitted on this thread.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<String>>>);

impl tracing::Subscriber for Logs {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut line = String::new();
        span.record(&mut Fields(&mut line));
        self.0.lock().unwrap().push(line);
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut line = String::new();
        values.record(&mut Fields(&mut line));
        self.0.lock().unwrap().push(line);
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut line = String::new();
        event.record(&mut Fields(&mut line));
        self.0.lock().unwrap().push(line);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

struct Fields<'a>(&'a mut String);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!("{}={value:?} ", field.name()));
    }
}

// A current-thread runtime, so every task of the client logs to this thread's subscriber.
#[tokio::test(flavor = "current_thread")]
async fn state_changes_are_logged_without_the_connection_url() {
    let logs = Logs::default();
    let _guard = tracing::subscriber::set_default(logs.clone());
    let fake = FakeWs::start(quick()).await;
    fake.script_refusals([Refusal {
        status: 514,
        auth_code: None,
    }]);
    let handle = builder(&fake, notes(&Handled::default()))
        .build()
        .unwrap()
        .start();
    let first = fake.connection(0, WAIT).await;
    fake.drop_connection(first);
    fake.connection(1, WAIT).await;
    handle.close().await.unwrap();
    let logs = logs.0.lock().unwrap().join("\n");
    for expected in [
        "long connection attempt failed",
        "long connection open",
        "long connection lost",
        "reconnecting",
        "long connection closed",
    ] {
        assert!(logs.contains(expected), "no {expected:?} in:\n{logs}");
    }
    for secret in ["TICKET-SECRET", "ak-secret", "app-secret-value", "ws://"] {
        assert!(!logs.contains(secret), "{secret} logged:\n{logs}");
    }
}
