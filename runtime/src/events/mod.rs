//! Receiving events and callbacks: the typed-event contract the generated crate
//! implements, and the one [`Dispatcher`] both deliveries (HTTP callbacks and the long
//! connection) hand their plaintext JSON to.
//!
//! A delivery authenticates and decrypts; the dispatcher reads the envelope, drops
//! duplicates, runs the registered handler under the acknowledgement deadline and
//! returns what to answer. Keeping that split means the rules of events.md that do not
//! depend on the wire (dedupe, deadlines, unhandled types, `app_ticket`) live once.

mod dedupe;
mod dispatcher;
mod envelope;
#[cfg(feature = "events-http")]
pub mod http;
mod tasks;
#[cfg(feature = "events-ws")]
pub mod ws;

pub use dedupe::{DEDUPE_WINDOW, Dedupe, MemoryDedupe};
pub use dispatcher::{
    DEFAULT_ACK_DEADLINE, DispatchStats, Dispatched, Dispatcher, DispatcherBuilder, HandlerError,
};
pub use envelope::{
    EnvelopeError, EnvelopeVersion, EventHeader, MAX_ID_BYTES, QUICK_APPROVAL_TYPE, delivery_token,
};
pub use tasks::HandlerTasks;

use serde_json::Value;

use crate::json::{FromJson, ToJson};

/// An event or callback type described in `schema/`. The generated crate implements it
/// for each event's payload struct; register a handler with [`DispatcherBuilder::on`].
pub trait Event: FromJson + ToJson + Send + 'static {
    /// The type as it appears on the wire: `header.event_type` (2.0), `event.type`
    /// (1.0), or the name a callback without an envelope is known by.
    const EVENT_TYPE: &'static str;
    /// What the handler answers: [`NoReply`] for events, which only get an
    /// acknowledgement; a typed reply for callbacks (card action, quick approval).
    type Reply: Reply;
    /// How long the platform waits for the answer, when the schema says it differs
    /// from the 3 s of events (the quick-approval callback waits 10 s). The dispatcher
    /// answers half a second before it; `None` uses its own deadline.
    const PLATFORM_DEADLINE: Option<std::time::Duration> = None;
}

/// A handler's answer, as the delivery sends it back.
pub trait Reply: Send + 'static {
    /// The JSON body of the answer, or `None` for a plain acknowledgement.
    fn into_json(self) -> Option<Value>;
}

/// The answer of an event that is only acknowledged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoReply;

impl Reply for NoReply {
    fn into_json(self) -> Option<Value> {
        None
    }
}

impl<T: ToJson + Send + 'static> Reply for T {
    fn into_json(self) -> Option<Value> {
        Some(self.to_json())
    }
}
