//! The generated event types through the runtime's dispatcher: every seed event of
//! events.md §3 as delivered (fixtures in tests/fixtures/events/), decoded into its
//! typed payload, answered, and serialised back.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use feishu::application::v6::{
    AppVersionAuditOperation, AppVersionAuditV6Event, AppVersionPublishApplyV6Event,
    AppVersionPublishRevokeV6Event, AppVersionStatus, FaultType, FeedbackCreatedV6Event,
    FeedbackStatus, FeedbackUpdatedV6Event,
};
use feishu::approval::v4::{QuickApprovalAction, QuickApprovalCallback, QuickApprovalReply};
use feishu::auth::v3::AppTicketEvent;
use feishu::card::v1::{CardActionTriggerEvent, CardActionTriggerReply, CardToast, CardToastType};
use feishu::im::v1::{MessageChatType, MessageReceiveV1Event};
use feishu_runtime::events::{
    Dispatched, Dispatcher, DispatcherBuilder, EnvelopeVersion, Event, EventHeader, NoReply,
};
use feishu_runtime::json::FromJson;
use serde_json::{Value, json};

fn fixture(name: &str) -> Value {
    let path = format!("{}/fixtures/events/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

type Seen = Arc<Mutex<Vec<(EventHeader, Value)>>>;

/// Registers a handler for `E` that records the header and the payload serialised
/// back, and answers with `reply`.
fn record<E: Event>(
    b: DispatcherBuilder,
    seen: &Seen,
    reply: fn(&E) -> E::Reply,
) -> DispatcherBuilder
where
    E::Reply: Send,
{
    let seen = Arc::clone(seen);
    b.on::<E, _, _>(move |event: E, header| {
        let seen = Arc::clone(&seen);
        async move {
            let answer = reply(&event);
            seen.lock().unwrap().push((header, event.to_json()));
            Ok(answer)
        }
    })
}

fn every_seed_event(seen: &Seen) -> Dispatcher {
    let b = Dispatcher::builder();
    let b = record::<FeedbackCreatedV6Event>(b, seen, |_| NoReply);
    let b = record::<FeedbackUpdatedV6Event>(b, seen, |_| NoReply);
    let b = record::<AppVersionAuditV6Event>(b, seen, |_| NoReply);
    let b = record::<AppVersionPublishApplyV6Event>(b, seen, |_| NoReply);
    let b = record::<AppVersionPublishRevokeV6Event>(b, seen, |_| NoReply);
    let b = record::<AppTicketEvent>(b, seen, |_| NoReply);
    let b = record::<MessageReceiveV1Event>(b, seen, |_| NoReply);
    let b = record::<QuickApprovalCallback>(b, seen, |_| QuickApprovalReply::new());
    let b = record::<CardActionTriggerEvent>(b, seen, |_| {
        CardActionTriggerReply::default()
            .toast(CardToast::new(CardToastType::Success).content("received"))
    });
    b.build()
}

async fn handled(d: &Dispatcher, name: &str) -> (EventHeader, Option<Value>) {
    match d.dispatch(fixture(name)).await {
        Dispatched::Handled { header, reply } => (header, reply),
        other => panic!("{name}: {other:?}"),
    }
}

#[tokio::test]
async fn every_seed_event_decodes_into_its_type_and_serialises_back() {
    let seen = Seen::default();
    let d = every_seed_event(&seen);
    let names = [
        "feedback_created_v6",
        "feedback_updated_v6",
        "app_version_audit_v6",
        "app_version_publish_apply_v6",
        "app_version_publish_revoke_v6",
        "app_ticket",
        "im_message_receive_v1",
        "quick_approval_callback",
        "card_action_trigger",
    ];
    for name in names {
        handled(&d, name).await;
    }
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), names.len());
    for ((header, back), name) in seen.iter().zip(names) {
        let mut original = fixture(name);
        // Integers the docs give as strings but that also arrive as numbers are read
        // either way and written as the documented string.
        if name == "app_version_publish_apply_v6" {
            original["event"]["online_version"]["publish_time"] = json!("1610462760");
            original["event"]["under_audit_version"]["create_time"] = json!("1610462800");
        }
        if name == "quick_approval_callback" {
            original["message_id"] = json!("7040981893475647508");
        }
        let payload = original.get("event").unwrap_or(&original);
        // Every field the fixture sends comes back with the same value.
        for (key, value) in payload.as_object().unwrap() {
            assert_eq!(
                &back[key], value,
                "{name}: `{key}` changed on the way through"
            );
        }
        assert!(!header.event_id.is_empty(), "{name}");
    }
}

#[tokio::test]
async fn typed_fields_hold_what_the_platform_sent() {
    let mut delivered = fixture("feedback_created_v6");
    // A fault type the schema does not list yet (9) is kept, not refused.
    delivered["event"]["fault_type"] = json!([1, 2, 9]);
    let created = FeedbackCreatedV6Event::from_json(delivered["event"].take()).unwrap();
    assert_eq!(created.feedback_id.as_deref(), Some("7057888018203574291"));
    let faults = created.fault_type.unwrap();
    assert_eq!(
        faults[..2],
        [FaultType::BlackScreen, FaultType::WhiteScreen]
    );
    assert_eq!(faults[2].value(), 9);
    assert!(!FaultType::KNOWN.contains(&faults[2]));
    assert_eq!(
        created.user_id.unwrap().open_id.as_deref(),
        Some("ou_84aad35d084aa403a838cf73ee18467")
    );

    let updated = FeedbackUpdatedV6Event::from_fixture("feedback_updated_v6");
    assert_eq!(updated.status, Some(FeedbackStatus::Processing));

    let audit = AppVersionAuditV6Event::from_fixture("app_version_audit_v6");
    assert_eq!(audit.operation, Some(AppVersionAuditOperation::Reject));
    assert_eq!(audit.remark.as_deref(), Some("描述不清楚"));

    let apply = AppVersionPublishApplyV6Event::from_fixture("app_version_publish_apply_v6");
    let online = apply.online_version.unwrap();
    assert_eq!(online.status, Some(AppVersionStatus::Audited));
    // `publish_time` arrives as a number here and as a string elsewhere: both read.
    assert_eq!(online.publish_time.as_deref(), Some("1610462760"));
    assert_eq!(online.create_time.as_deref(), Some("1610462759"));
    assert_eq!(
        online.ability.unwrap()["bot"]["card_request_url"],
        "https://www.example.com/card"
    );
    let audited = apply.under_audit_version.unwrap();
    assert_eq!(audited.create_time.as_deref(), Some("1610462800"));
    let revoke = AppVersionPublishRevokeV6Event::from_fixture("app_version_publish_revoke_v6");
    assert_eq!(
        revoke.version_id.as_deref(),
        Some("oav_e317f090b7258ad0372aa53963cda70e")
    );

    let message = MessageReceiveV1Event::from_fixture("im_message_receive_v1");
    let m = message.message.unwrap();
    assert_eq!(m.chat_type, Some(MessageChatType::Group));
    assert_eq!(m.create_time.unwrap().as_millis(), 1_609_073_151_345);
    let content: Value = serde_json::from_str(m.content.as_deref().unwrap()).unwrap();
    assert_eq!(content["text"], "@_user_1 hello");

    let quick = QuickApprovalCallback::from_bare_fixture("quick_approval_callback");
    assert_eq!(quick.action_type, QuickApprovalAction::Approve);
    assert_eq!(quick.message_id.as_deref(), Some("7040981893475647508"));

    let card = CardActionTriggerEvent::from_fixture("card_action_trigger");
    let action = card.action.unwrap();
    assert_eq!(action.form_value.unwrap()["choices"], json!(["a", "b"]));
    assert_eq!(action.checked, Some(false));
}

#[tokio::test]
async fn secrets_in_payloads_never_show_in_debug_output() {
    let ticket = AppTicketEvent::from_v1_fixture("app_ticket");
    assert!(!format!("{ticket:?}").contains("ticket-from-the-event"));
    let quick = QuickApprovalCallback::from_bare_fixture("quick_approval_callback");
    assert!(!format!("{quick:?}").contains("approval-callback-token"));
    let card = CardActionTriggerEvent::from_fixture("card_action_trigger");
    assert!(!format!("{card:?}").contains("c-295ee57216a5dc9de90fefd0aadb4b1d7d337fc7"));
}

#[tokio::test]
async fn callbacks_answer_with_their_typed_reply() {
    let seen = Seen::default();
    let d = every_seed_event(&seen);
    let (header, reply) = handled(&d, "card_action_trigger").await;
    assert_eq!(header.event_type, CardActionTriggerEvent::EVENT_TYPE);
    assert_eq!(
        reply,
        Some(json!({"toast": {"type": "success", "content": "received"}}))
    );
    let (header, reply) = handled(&d, "quick_approval_callback").await;
    assert_eq!(header.version, EnvelopeVersion::Bare);
    assert_eq!(reply, Some(json!({})));
    let (header, reply) = handled(&d, "app_ticket").await;
    assert_eq!(header.version, EnvelopeVersion::V1);
    assert_eq!(header.event_id, "bc447199585340d1f3728d26b1c0297a");
    assert_eq!(reply, None);
}

#[tokio::test]
async fn duplicates_unhandled_types_failures_and_late_handlers() {
    let calls = Arc::new(Mutex::new(0));
    let counter = Arc::clone(&calls);
    let d = Dispatcher::builder()
        .ack_deadline(Duration::from_millis(200))
        .on::<FeedbackCreatedV6Event, _, _>(move |_, _| {
            let counter = Arc::clone(&counter);
            async move {
                let n = {
                    let mut n = counter.lock().unwrap();
                    *n += 1;
                    *n
                };
                match n {
                    1 => Err("the database is down".into()),
                    3 => {
                        tokio::time::sleep(Duration::from_millis(600)).await;
                        Ok(NoReply)
                    }
                    _ => Ok(NoReply),
                }
            }
        })
        .build();
    let event = fixture("feedback_created_v6");
    // A failure forgets the id, so the platform's retry is handled.
    assert!(matches!(
        d.dispatch(event.clone()).await,
        Dispatched::Failed { .. }
    ));
    assert!(matches!(
        d.dispatch(event.clone()).await,
        Dispatched::Handled { .. }
    ));
    assert!(matches!(
        d.dispatch(event.clone()).await,
        Dispatched::Duplicate { .. }
    ));
    // A slow handler is acknowledged at the deadline and runs on.
    let mut late = fixture("feedback_created_v6");
    late["header"]["event_id"] = json!("another");
    let started = std::time::Instant::now();
    assert!(matches!(d.dispatch(late).await, Dispatched::Late { .. }));
    assert!(started.elapsed() < Duration::from_millis(550));
    // No handler for the type: acknowledged and counted, not an error.
    assert!(matches!(
        d.dispatch(fixture("im_message_receive_v1")).await,
        Dispatched::Unhandled { .. }
    ));
    assert!(matches!(
        d.dispatch(json!([1, 2])).await,
        Dispatched::Malformed(_)
    ));
    let stats = d.stats();
    assert_eq!(
        (
            stats.failed,
            stats.handled,
            stats.duplicates,
            stats.late,
            stats.unhandled,
            stats.malformed
        ),
        (1, 1, 1, 1, 1, 1)
    );
    assert_eq!(*calls.lock().unwrap(), 3);
}

#[tokio::test]
async fn a_payload_that_does_not_fit_its_type_is_reported_with_its_path() {
    let d = every_seed_event(&Seen::default());
    let mut bad = fixture("feedback_created_v6");
    bad["event"]["fault_type"] = json!(["one"]);
    match d.dispatch(bad).await {
        Dispatched::Undecodable { error, .. } => {
            assert!(error.to_string().contains("fault_type"), "{error}")
        }
        other => panic!("{other:?}"),
    }
}

/// Reads a fixture's payload directly into its type.
trait FromFixture: Sized {
    fn from_fixture(name: &str) -> Self;
    fn from_v1_fixture(name: &str) -> Self {
        Self::from_fixture(name)
    }
    fn from_bare_fixture(name: &str) -> Self;
}

impl<E: Event> FromFixture for E {
    fn from_fixture(name: &str) -> Self {
        E::from_json(fixture(name)["event"].take()).unwrap()
    }
    fn from_bare_fixture(name: &str) -> Self {
        E::from_json(fixture(name)).unwrap()
    }
}

#[tokio::test]
async fn a_callback_with_a_longer_platform_deadline_is_waited_for_longer() {
    // The dispatcher's own deadline is short here; the quick-approval callback's schema
    // gives the platform's 10 s, so its handler has 9.5 s.
    let slow = Duration::from_millis(300);
    let d = Dispatcher::builder()
        .ack_deadline(Duration::from_millis(100))
        .on::<QuickApprovalCallback, _, _>(move |_, _| async move {
            tokio::time::sleep(slow).await;
            Ok(QuickApprovalReply::new())
        })
        .on::<FeedbackCreatedV6Event, _, _>(move |_, _| async move {
            tokio::time::sleep(slow).await;
            Ok(NoReply)
        })
        .build();
    assert_eq!(
        QuickApprovalCallback::PLATFORM_DEADLINE,
        Some(Duration::from_secs(10))
    );
    assert!(matches!(
        d.dispatch(fixture("quick_approval_callback")).await,
        Dispatched::Handled { .. }
    ));
    assert!(matches!(
        d.dispatch(fixture("feedback_created_v6")).await,
        Dispatched::Late { .. }
    ));
}

/// A dispatcher whose feedback handler sleeps `pause`, then fails the first time.
fn slow_then_ok(pause: Duration, runs: &Arc<Mutex<u32>>) -> DispatcherBuilder {
    let runs = Arc::clone(runs);
    Dispatcher::builder().on::<FeedbackCreatedV6Event, _, _>(move |_, _| {
        let runs = Arc::clone(&runs);
        async move {
            tokio::time::sleep(pause).await;
            let first = {
                let mut n = runs.lock().unwrap();
                *n += 1;
                *n == 1
            };
            if first {
                Err("the first run fails".into())
            } else {
                Ok(NoReply)
            }
        }
    })
}

#[tokio::test]
async fn a_late_handler_that_fails_is_counted_and_its_retry_handled() {
    let runs = Arc::new(Mutex::new(0));
    let d = slow_then_ok(Duration::from_millis(60), &runs)
        .ack_deadline(Duration::from_millis(20))
        .build();
    let event = fixture("feedback_created_v6");
    assert!(matches!(
        d.dispatch(event.clone()).await,
        Dispatched::Late { .. }
    ));
    // The answer is gone; the failure still counts and forgets the id.
    for _ in 0..100 {
        if d.stats().late_failed == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(d.stats().late_failed, 1);
    assert!(
        matches!(d.dispatch(event).await, Dispatched::Late { .. }),
        "the retry runs again"
    );
}

#[tokio::test]
async fn a_copy_arriving_while_the_first_runs_is_in_progress_not_a_duplicate() {
    let runs = Arc::new(Mutex::new(0));
    let d = slow_then_ok(Duration::from_millis(150), &runs)
        .ack_deadline(Duration::from_secs(2))
        .build();
    let event = fixture("feedback_created_v6");
    let first = tokio::spawn({
        let (d, event) = (d.clone(), event.clone());
        async move { d.dispatch(event).await }
    });
    tokio::time::sleep(Duration::from_millis(30)).await;
    // Answered with a failure (so the platform sends it again), not acknowledged.
    assert!(matches!(
        d.dispatch(event.clone()).await,
        Dispatched::InProgress { .. }
    ));
    assert!(matches!(first.await.unwrap(), Dispatched::Failed { .. }));
    // The first run failed and was forgotten: the platform's next copy is handled.
    assert!(matches!(
        d.dispatch(event.clone()).await,
        Dispatched::Handled { .. }
    ));
    assert!(matches!(
        d.dispatch(event).await,
        Dispatched::Duplicate { .. }
    ));
    assert_eq!(d.stats().in_progress, 1);
}

#[tokio::test]
async fn unhandled_types_are_not_remembered_and_overlong_ids_are_refused() {
    let d = Dispatcher::builder().build();
    for _ in 0..2 {
        assert!(matches!(
            d.dispatch(fixture("feedback_created_v6")).await,
            Dispatched::Unhandled { .. }
        ));
    }
    let mut long = fixture("feedback_created_v6");
    long["header"]["event_id"] = json!("x".repeat(feishu_runtime::events::MAX_ID_BYTES + 1));
    assert!(matches!(d.dispatch(long).await, Dispatched::Malformed(_)));
}

#[tokio::test]
async fn a_plaintext_quick_approval_is_refused_when_a_key_is_set() {
    use bytes::Bytes;
    use feishu_runtime::events::http::{EncryptKey, EventServer};
    let runs = Arc::new(Mutex::new(0));
    let counter = Arc::clone(&runs);
    let d = Dispatcher::builder()
        .on::<QuickApprovalCallback, _, _>(move |_, _| {
            *counter.lock().unwrap() += 1;
            async { Ok(QuickApprovalReply::new()) }
        })
        .build();
    let server = EventServer::builder(d)
        .callback_token("approval-callback-token")
        .encrypt_key("the key")
        .build();
    let post = |body: String| http::Request::post("/").body(Bytes::from(body)).unwrap();
    let plain = fixture("quick_approval_callback").to_string();
    assert_eq!(server.handle(post(plain.clone())).await.status(), 401);
    assert_eq!(
        *runs.lock().unwrap(),
        0,
        "a forged approval never reaches the handler"
    );
    let sealed = json!({"encrypt": EncryptKey::new("the key").encrypt([3; 16], plain.as_bytes())});
    assert_eq!(server.handle(post(sealed.to_string())).await.status(), 200);
    assert_eq!(*runs.lock().unwrap(), 1);
}
