//! What the examples share: the workflows (one module each, run by the example of the
//! same name and by the tests against the fake), their set-up (the real platform or a
//! fake Feishu), and handlers that print each event or callback they receive as one
//! JSON line, the format other tools read from `events_http` and `events_ws`.

pub mod marketplace_tokens;
pub mod review_app_version;
mod setup;
pub mod third_party_approval;
pub mod triage_feedback;
pub mod workplace_badge;

pub use setup::{App, BoxError, Env};

use std::io::Write;

use feishu::application::v6::{
    AppVersionAuditV6Event, AppVersionPublishApplyV6Event, AppVersionPublishRevokeV6Event,
    FeedbackCreatedV6Event, FeedbackUpdatedV6Event,
};
use feishu::approval::v4::{QuickApprovalCallback, QuickApprovalReply};
use feishu::auth::v3::AppTicketEvent;
use feishu::card::v1::{CardActionTriggerEvent, CardActionTriggerReply, CardToast, CardToastType};
use feishu::events::{DispatcherBuilder, Event, NoReply};
use feishu::im::v1::MessageReceiveV1Event;
use serde_json::json;

/// The `--name value` options of the command line, each of `names` at most once;
/// anything else is an error naming it.
pub fn options(names: &[&str]) -> Result<std::collections::BTreeMap<String, String>, String> {
    let mut found = std::collections::BTreeMap::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if !names.contains(&arg.as_str()) {
            return Err(format!("unknown argument {arg}"));
        }
        let value = args.next().ok_or(format!("{arg} needs a value"))?;
        found.insert(arg, value);
    }
    Ok(found)
}

/// Registers a printing handler for every event and callback the schema describes.
/// Card callbacks are answered with a toast "received"; the quick approval with its
/// success answer (HTTP 200, an empty object).
pub fn print_every_event(b: DispatcherBuilder) -> DispatcherBuilder {
    let b = print::<FeedbackCreatedV6Event>(b, |_| NoReply);
    let b = print::<FeedbackUpdatedV6Event>(b, |_| NoReply);
    let b = print::<AppVersionAuditV6Event>(b, |_| NoReply);
    let b = print::<AppVersionPublishApplyV6Event>(b, |_| NoReply);
    let b = print::<AppVersionPublishRevokeV6Event>(b, |_| NoReply);
    let b = print::<AppTicketEvent>(b, |_| NoReply);
    let b = print::<MessageReceiveV1Event>(b, |_| NoReply);
    let b = print::<QuickApprovalCallback>(b, |_| QuickApprovalReply::new());
    print::<CardActionTriggerEvent>(b, |_| {
        CardActionTriggerReply::default()
            .toast(CardToast::new(CardToastType::Info).content("received"))
    })
}

/// Payload fields the schema marks `secret` in the events printed here.
const SECRET_FIELDS: [&str; 2] = ["app_ticket", "token"];

fn print<E: Event>(b: DispatcherBuilder, reply: fn(&E) -> E::Reply) -> DispatcherBuilder {
    b.on::<E, _, _>(move |event: E, header| async move {
        let answer = reply(&event);
        let mut payload = event.to_json();
        // The fields the schema marks secret (the app_ticket, a callback's token) are
        // not printed: stdout ends up in logs.
        for key in SECRET_FIELDS {
            if let Some(value) = payload.get_mut(key) {
                *value = json!("<redacted>");
            }
        }
        let line = json!({
            "type": header.event_type,
            "id": header.event_id,
            "event": payload,
        });
        // One line, written whole and flushed, so a reader never sees half of one.
        let mut out = std::io::stdout().lock();
        writeln!(out, "{line}")?;
        out.flush()?;
        Ok(answer)
    })
}
