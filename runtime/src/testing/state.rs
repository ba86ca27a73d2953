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
    pub routes: &'static [Route],
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
    pub fn new(routes: &'static [Route], common: &'static [Code]) -> State {
        State {
            routes,
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
        self.routes.iter().find(|r| r.spec.id == id)
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
    pub fn record(&mut self, request: RecordedRequest) {
        if self.records.len() == MAX_RECORDED {
            self.records.pop_front();
        }
        self.records.push_back(request);
    }
}
