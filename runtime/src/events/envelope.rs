//! Reading a delivery's envelope (events.md §1.1): which event it is, its header, and
//! the payload object the typed event is read from.

use serde_json::{Map, Value};

/// The event type a third-party approval quick-action callback (三方快捷审批回调) is
/// dispatched under: it arrives as bare JSON, without an envelope or a type.
pub const QUICK_APPROVAL_TYPE: &str = "approval.instance.quick_approval_callback";

/// Which envelope a delivery came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnvelopeVersion {
    /// `{schema: "2.0", header, event}`: the `*_v1…v6` events and `card.action.trigger`.
    V2,
    /// `{ts, uuid, token, type: "event_callback", event}`: older events such as `app_ticket`.
    V1,
    /// A callback with no envelope (the third-party approval quick action).
    Bare,
}

/// What every delivery says about itself, beside the payload.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EventHeader {
    /// `header.event_id` (2.0) or `uuid` (1.0); for a bare callback, an id built from
    /// the approval, instance, task and action, so a repeated tap is a duplicate.
    pub event_id: String,
    /// The event type, as [`super::Event::EVENT_TYPE`] spells it.
    pub event_type: String,
    /// The envelope it came in.
    pub version: EnvelopeVersion,
    /// `header.create_time` (2.0, milliseconds or microseconds) or `ts` (1.0, seconds
    /// with a fraction), as sent.
    pub create_time: Option<String>,
    /// The tenant the event belongs to.
    pub tenant_key: Option<String>,
    /// The app the event was sent to.
    pub app_id: Option<String>,
}

/// Why a delivery could not be read as an event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// Not a JSON object.
    #[error("the delivery is not a JSON object")]
    NotAnObject,
    /// Neither a 2.0 nor a 1.0 envelope nor a known bare callback.
    #[error("the delivery has no `schema`, `uuid` or known callback fields")]
    Unrecognised,
    /// A field the envelope needs is missing or not a string.
    #[error("the envelope's `{0}` is missing or not a string")]
    Missing(&'static str),
    /// The `event` member is missing or not an object.
    #[error("the envelope has no `event` object")]
    NoPayload,
    /// An id or type longer than any the platform sends ([`MAX_ID_BYTES`]): refused,
    /// so the dedupe store never holds one.
    #[error("the envelope's `{0}` is longer than {MAX_ID_BYTES} bytes")]
    TooLong(&'static str),
}

/// The longest event id or type accepted: platform ids are 32 hex digits (2.0) or a
/// uuid (1.0), types a few dozen characters.
pub const MAX_ID_BYTES: usize = 256;

/// A delivery read: its header and payload.
#[derive(Debug, Clone)]
pub(crate) struct Envelope {
    pub header: EventHeader,
    pub payload: Value,
}

/// The verification token a delivery carries (`header.token` in 2.0, `token` at the
/// top level otherwise), to compare with the configured one.
pub fn delivery_token(delivery: &Value) -> Option<&str> {
    let top = delivery.as_object()?;
    if non_empty(top, "schema").is_some() {
        return top.get("header")?.get("token")?.as_str();
    }
    top.get("token")?.as_str()
}

/// Which envelope `delivery` is in, by the rules of [`read`], without reading it: a
/// delivery checks the token that belongs to it before dispatching.
#[cfg_attr(not(feature = "events-http"), allow(dead_code))]
pub(crate) fn version_of(delivery: &Value) -> Option<EnvelopeVersion> {
    let top = delivery.as_object()?;
    if non_empty(top, "schema").is_some() {
        Some(EnvelopeVersion::V2)
    } else if non_empty(top, "uuid").is_some() {
        Some(EnvelopeVersion::V1)
    } else if is_quick_approval(top) {
        Some(EnvelopeVersion::Bare)
    } else {
        None
    }
}

fn is_quick_approval(top: &Map<String, Value>) -> bool {
    top.contains_key("action_type") && top.contains_key("approval_code")
}

/// Reads the envelope, the way the official SDKs tell them apart: a non-empty `schema`
/// is 2.0, a non-empty `uuid` is 1.0; a bare quick-approval callback is recognised by
/// its required `action_type` and `approval_code`.
pub(crate) fn read(delivery: Value) -> Result<Envelope, EnvelopeError> {
    let Value::Object(mut top) = delivery else {
        return Err(EnvelopeError::NotAnObject);
    };
    if non_empty(&top, "schema").is_some() {
        let header = top
            .get("header")
            .and_then(Value::as_object)
            .ok_or(EnvelopeError::Missing("header"))?;
        let header = EventHeader {
            event_id: required(header, "event_id")?,
            event_type: required(header, "event_type")?,
            version: EnvelopeVersion::V2,
            create_time: optional(header, "create_time"),
            tenant_key: optional(header, "tenant_key"),
            app_id: optional(header, "app_id"),
        };
        let payload = take_object(&mut top, "event")?;
        return Ok(Envelope { header, payload });
    }
    if let Some(uuid) = non_empty(&top, "uuid") {
        if uuid.len() > MAX_ID_BYTES {
            return Err(EnvelopeError::TooLong("uuid"));
        }
        let event_id = uuid.to_owned();
        let create_time = optional(&top, "ts");
        let payload = take_object(&mut top, "event")?;
        let event = payload.as_object().ok_or(EnvelopeError::NoPayload)?;
        let header = EventHeader {
            event_id,
            event_type: required(event, "type")
                .map_err(|_| EnvelopeError::Missing("event.type"))?,
            version: EnvelopeVersion::V1,
            create_time,
            tenant_key: optional(event, "tenant_key"),
            app_id: optional(event, "app_id"),
        };
        return Ok(Envelope { header, payload });
    }
    if is_quick_approval(&top) {
        let part = |key| optional(&top, key).unwrap_or_default();
        let event_id = [
            "approval_code",
            "instance_id",
            "task_id",
            "message_id",
            "id",
            "action_type",
        ]
        .map(|k| match top.get(k) {
            Some(Value::Number(n)) => n.to_string(),
            _ => part(k),
        })
        .join(":");
        // Built from the callback's own fields, so bounded by a stable digest when long.
        let event_id = if event_id.len() > MAX_ID_BYTES {
            format!("quick-approval-{:016x}", fnv1a(event_id.as_bytes()))
        } else {
            event_id
        };
        let header = EventHeader {
            event_id,
            event_type: QUICK_APPROVAL_TYPE.to_owned(),
            version: EnvelopeVersion::Bare,
            create_time: None,
            tenant_key: None,
            app_id: None,
        };
        return Ok(Envelope {
            header,
            payload: Value::Object(top),
        });
    }
    Err(EnvelopeError::Unrecognised)
}

/// FNV-1a: a digest that is the same in every process and release (the dedupe store
/// may be shared), unlike std's randomly keyed hasher.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn non_empty<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    o.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

fn required(o: &Map<String, Value>, key: &'static str) -> Result<String, EnvelopeError> {
    let value = non_empty(o, key).ok_or(EnvelopeError::Missing(key))?;
    if value.len() > MAX_ID_BYTES {
        return Err(EnvelopeError::TooLong(key));
    }
    Ok(value.to_owned())
}

fn optional(o: &Map<String, Value>, key: &str) -> Option<String> {
    match o.get(key)? {
        Value::String(s) => Some(s.clone()),
        // `create_time` and `ts` are strings in the docs; a number is kept as written.
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn take_object(o: &mut Map<String, Value>, key: &str) -> Result<Value, EnvelopeError> {
    match o.remove(key) {
        Some(v @ Value::Object(_)) => Ok(v),
        _ => Err(EnvelopeError::NoPayload),
    }
}
