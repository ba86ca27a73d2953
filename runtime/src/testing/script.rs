//! Answers a test scripts for one endpoint: queued, each used by one request that fits
//! the schema, in order; when the queue is empty the endpoint answers its example again.

use std::time::Duration;

use bytes::Bytes;
use serde_json::Value;

use super::state::State;

/// A failure of the transport rather than of the platform.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answers with this HTTP status and a plain-text body, as a failing gateway does
    /// (a status outside 200..=599 is sent as 500).
    Status(u16),
    /// Waits this long, then answers as if nothing were scripted.
    Delay(Duration),
    /// Closes the connection without answering.
    Drop,
}

/// One scripted answer.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    /// A success with this payload (`data`, or the top level of a flat envelope).
    Respond(Value),
    /// A success with these bytes (a download).
    Bytes(Bytes),
    /// An error code, with its documented HTTP status and message.
    Error(i64),
    /// HTTP 429, code 99991400, `x-ogw-ratelimit-reset` in seconds.
    RateLimited(u64),
    /// A transport failure.
    Fault(Fault),
}

/// Queues answers for one endpoint: `fake.script(id).respond(page_1).respond(page_2)`.
/// Each answer is used once, by the next request to the endpoint that fits its schema
/// and carries a valid token.
#[derive(Debug)]
pub struct Script<'a> {
    pub(crate) state: &'a State,
    pub(crate) endpoint: &'static str,
}

impl Script<'_> {
    fn push(self, step: Step) -> Self {
        self.state.push_step(self.endpoint, step);
        self
    }

    /// Answers with success and this payload instead of the example: the `data` of the
    /// envelope, or for the auth endpoints (flat envelopes) the fields beside
    /// `code` and `msg`.
    pub fn respond(self, data: Value) -> Self {
        self.push(Step::Respond(data))
    }

    /// Answers a download with these bytes.
    pub fn respond_bytes(self, bytes: impl Into<Bytes>) -> Self {
        self.push(Step::Bytes(bytes.into()))
    }

    /// Answers with this error code: the endpoint's documented HTTP status and message
    /// for it (or the common codes'); a code documented nowhere comes with HTTP 400.
    pub fn error(self, code: i64) -> Self {
        self.push(Step::Error(code))
    }

    /// Answers as the platform's rate limiter does: HTTP 429, code 99991400 and
    /// `x-ogw-ratelimit-reset: reset_secs`.
    pub fn rate_limited(self, reset_secs: u64) -> Self {
        self.push(Step::RateLimited(reset_secs))
    }

    /// Fails the transport: a 5xx, a delay, a dropped connection.
    pub fn fault(self, fault: Fault) -> Self {
        self.push(Step::Fault(fault))
    }

    /// Repeats the answer queued last so that it is queued `n` times in all:
    /// `script(id).rate_limited(1).times(3)` answers the next three requests with 429.
    pub fn times(self, n: usize) -> Self {
        self.state.repeat_last(self.endpoint, n.saturating_sub(1));
        self
    }
}
