//! What one fake holds between requests: the table, its credentials, issued tokens,
//! scripted answers and the record. One lock around all of it: a request's answer is
//! decided without awaiting, so the lock is never held across I/O.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::record::RecordedRequest;
use super::script::Step;
use super::table::{Code, Route};
use super::tokens::{self, Tokens};

/// Most requests kept in the record; older ones are forgotten first, so a long-running
/// example or a flood of requests cannot grow the fake without bound.
pub(crate) const MAX_RECORDED: usize = 10_000;

#[derive(Debug)]
pub(crate) struct State {
    /// Every route of every table, in table order.
    pub routes: Vec<&'static Route>,
    pub common: &'static [Code],
    pub app_id: String,
    pub app_secret: String,
    inner: Mutex<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub tokens: Tokens,
    pub scripts: HashMap<&'static str, VecDeque<Step>>,
    pub records: VecDeque<RecordedRequest>,
    pub answered: u64,
}

impl State {
    pub fn new(routes: &'static [&'static [Route]], common: &'static [Code]) -> State {
        State {
            routes: routes.iter().flat_map(|table| table.iter()).collect(),
            common,
            app_id: format!("cli_fake{:012x}", fastrand::u64(..) >> 16),
            app_secret: format!("fake-secret-{:016x}", fastrand::u64(..)),
            inner: Mutex::new(Inner {
                tokens: Tokens::new(),
                scripts: HashMap::new(),
                records: VecDeque::new(),
                answered: 0,
            }),
        }
    }

    /// The lock; a panic elsewhere while holding it leaves data that is still usable.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The route with this id.
    pub fn route(&self, id: &str) -> Option<&'static Route> {
        self.routes.iter().copied().find(|r| r.spec.id == id)
    }

    pub fn push_step(&self, endpoint: &'static str, step: Step) {
        self.lock()
            .scripts
            .entry(endpoint)
            .or_default()
            .push_back(step);
    }

    pub fn repeat_last(&self, endpoint: &'static str, more: usize) {
        let mut inner = self.lock();
        let queue = inner.scripts.entry(endpoint).or_default();
        if let Some(last) = queue.back().cloned() {
            queue.extend(std::iter::repeat_n(last, more));
        }
    }

    /// The code `code` as `route` documents it, else as the common codes do, else with
    /// HTTP 400 and the message the fake knows for it.
    pub fn code(&self, route: Option<&Route>, code: i64) -> Code {
        let documented = route.map_or(&[][..], |r| r.errors);
        documented
            .iter()
            .chain(self.common)
            .find(|c| c.code == code)
            .copied()
            .unwrap_or(Code {
                code,
                http: 400,
                message: builtin_message(code),
            })
    }
}

/// Messages for the codes the fake itself answers with, for a table that does not list
/// them.
fn builtin_message(code: i64) -> &'static str {
    match code {
        tokens::APP_SECRET_INVALID => "app secret invalid",
        tokens::APP_TICKET_INVALID => "app_ticket invalid",
        tokens::APP_TOKEN_INVALID => "invalid app access token",
        99991400 => "request trigger frequency limit",
        99991661 => "missing access token",
        99991663 => "invalid tenant access token",
        99991668 => "invalid user access token",
        _ => "undocumented error",
    }
}

impl Inner {
    /// Keeps `request` with its body capped (`RecordedBody::capped`), forgetting the
    /// oldest request when the record is full.
    pub fn record(&mut self, mut request: RecordedRequest) {
        request.body = request.body.capped();
        if self.records.len() == MAX_RECORDED {
            self.records.pop_front();
        }
        self.records.push_back(request);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::testing::record::{MAX_RECORDED_JSON, RecordedBody};

    fn request(body: RecordedBody) -> RecordedRequest {
        RecordedRequest {
            method: "POST".to_owned(),
            path: "/open-apis/x".to_owned(),
            query: Vec::new(),
            headers: Vec::new(),
            body,
            endpoint: None,
            token: None,
            tenant_key: None,
            status: Some(200),
            code: Some(0),
        }
    }

    #[test]
    fn large_json_bodies_are_recorded_as_their_length() {
        let state = State::new(&[], &[]);
        let mut inner = state.lock();
        let small = json!({"text": "x".repeat(100)});
        inner.record(request(RecordedBody::Json(small.clone())));
        // `{"text":"` and `"}` add 11 bytes around the text.
        let big = json!({"text": "x".repeat(MAX_RECORDED_JSON)});
        inner.record(request(RecordedBody::Json(big)));
        let just_under = json!({"text": "x".repeat(MAX_RECORDED_JSON - 12)});
        inner.record(request(RecordedBody::Json(just_under.clone())));
        inner.record(request(RecordedBody::Other(40 * 1024 * 1024)));
        let bodies: Vec<_> = inner.records.iter().map(|r| r.body.clone()).collect();
        assert_eq!(
            bodies,
            [
                RecordedBody::Json(small),
                RecordedBody::Other(MAX_RECORDED_JSON + 11),
                RecordedBody::Json(just_under),
                RecordedBody::Other(40 * 1024 * 1024),
            ]
        );
    }

    #[test]
    fn the_record_keeps_the_latest_requests() {
        let state = State::new(&[], &[]);
        let mut inner = state.lock();
        for i in 0..=MAX_RECORDED {
            inner.record(request(RecordedBody::Other(i)));
        }
        assert_eq!(inner.records.len(), MAX_RECORDED);
        assert_eq!(inner.records[0].body, RecordedBody::Other(1));
    }
}
