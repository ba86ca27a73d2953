//! The dispatcher: envelope -> duplicate check -> typed handler under the
//! acknowledgement deadline -> what the delivery answers.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use super::dedupe::{Dedupe, MemoryDedupe};
use super::envelope::{self, EnvelopeError, EventHeader};
use super::tasks::HandlerTasks;
use super::{Event, Reply};
use crate::auth::{BoxFuture, lock};
use crate::client::Client;
use crate::error::BoxError;
use crate::json::JsonError;

/// What a handler returns when it fails: the delivery answers so that the platform
/// retries (HTTP 500, or an ack with code 500 on the long connection).
pub type HandlerError = BoxError;

/// How long a delivery waits for a handler before acknowledging anyway: the platform
/// wants an answer within 3 s (events.md §1.5, §2); half a second is left for the wire.
pub const DEFAULT_ACK_DEADLINE: Duration = Duration::from_millis(2500);

/// What a delivery was, and how it ended. The delivery turns it into an answer.
#[derive(Debug)]
#[non_exhaustive]
pub enum Dispatched {
    /// The handler finished in time; `reply` is a callback's answer, if it has one.
    Handled {
        /// The delivery's header.
        header: EventHeader,
        /// The JSON answer of a callback; `None` for events.
        reply: Option<Value>,
    },
    /// Seen before within the dedupe window: acknowledged, not handled again.
    Duplicate {
        /// The delivery's header.
        header: EventHeader,
    },
    /// No handler is registered for the type: acknowledged (so the platform stops
    /// retrying) and counted.
    Unhandled {
        /// The delivery's header.
        header: EventHeader,
    },
    /// The handler was still running at the deadline: acknowledged; it runs on, and
    /// its outcome is logged and counted (a failure also forgets the id, so the
    /// platform's retry is handled).
    Late {
        /// The delivery's header.
        header: EventHeader,
    },
    /// The payload does not fit the event's type: acknowledged (a retry carries the
    /// same bytes) and counted.
    Undecodable {
        /// The delivery's header.
        header: EventHeader,
        /// Where and why.
        error: JsonError,
    },
    /// The handler returned an error or panicked: the id is forgotten so that the
    /// platform's retry is handled, and the delivery answers with a failure.
    Failed {
        /// The delivery's header.
        header: EventHeader,
        /// What the handler returned (or that it panicked).
        error: HandlerError,
    },
    /// The same event is being handled now, from an earlier delivery: the delivery
    /// answers with a failure, so the platform sends it again later, when the first
    /// run's outcome (handled, or failed and forgotten) decides.
    InProgress {
        /// The delivery's header.
        header: EventHeader,
    },
    /// Not an event envelope at all.
    Malformed(EnvelopeError),
}

impl Dispatched {
    /// The header, when the envelope could be read.
    pub fn header(&self) -> Option<&EventHeader> {
        match self {
            Self::Handled { header, .. }
            | Self::Duplicate { header }
            | Self::Unhandled { header }
            | Self::Late { header }
            | Self::Undecodable { header, .. }
            | Self::Failed { header, .. }
            | Self::InProgress { header } => Some(header),
            Self::Malformed(_) => None,
        }
    }
}

/// Counts of what the dispatcher saw since it was built.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DispatchStats {
    /// Handled in time.
    pub handled: u64,
    /// Dropped as duplicates.
    pub duplicates: u64,
    /// No handler registered.
    pub unhandled: u64,
    /// Still running at the deadline.
    pub late: u64,
    /// Payload did not fit its type.
    pub undecodable: u64,
    /// The handler failed or panicked.
    pub failed: u64,
    /// A late handler failed or panicked after the acknowledgement.
    pub late_failed: u64,
    /// A copy arrived while the first was being handled.
    pub in_progress: u64,
    /// Not an envelope.
    pub malformed: u64,
}

type Outcome = Result<Option<Value>, Failure>;
type Erased = dyn Fn(Value, EventHeader) -> BoxFuture<'static, Outcome> + Send + Sync;

/// A registered handler, type-erased, with the deadline of its event type if the
/// schema gives one.
#[derive(Clone)]
struct Handler {
    run: Arc<Erased>,
    deadline: Option<Duration>,
}

/// Time left for the answer to travel, from an event type's platform deadline.
const ANSWER_MARGIN: Duration = Duration::from_millis(500);

enum Failure {
    Decode(JsonError),
    Handler(HandlerError),
}

/// Registers typed handlers, then hands deliveries to them. Cheap to clone; one
/// dispatcher serves any number of deliveries (HTTP and the long connection).
#[derive(Clone)]
pub struct Dispatcher {
    inner: Arc<Inner>,
}

struct Inner {
    handlers: HashMap<&'static str, Handler>,
    dedupe: Arc<dyn Dedupe>,
    deadline: Duration,
    tickets: Option<Client>,
    stats: Counters,
    tasks: HandlerTasks,
    /// Ids whose handler is running: a copy arriving meanwhile is `InProgress`.
    in_flight: Mutex<HashSet<String>>,
}

impl Inner {
    /// A run has ended: the id leaves the in-flight set, and a failed run's id is
    /// forgotten, so the platform's retry is handled.
    fn settle(&self, event_id: &str, outcome: &Outcome) {
        lock(&self.in_flight).remove(event_id);
        if matches!(outcome, Err(Failure::Handler(_))) {
            self.dedupe.forget(event_id);
        }
    }
}

fn flatten(joined: Result<Outcome, tokio::task::JoinError>) -> Outcome {
    joined.unwrap_or_else(|join| Err(Failure::Handler(panicked(join))))
}

#[derive(Default)]
struct Counters {
    handled: AtomicU64,
    duplicates: AtomicU64,
    unhandled: AtomicU64,
    late: AtomicU64,
    undecodable: AtomicU64,
    failed: AtomicU64,
    late_failed: AtomicU64,
    in_progress: AtomicU64,
    malformed: AtomicU64,
}

impl fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut types: Vec<_> = self.inner.handlers.keys().collect();
        types.sort();
        f.debug_struct("Dispatcher")
            .field("handlers", &types)
            .field("dedupe", &self.inner.dedupe)
            .field("deadline", &self.inner.deadline)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Dispatcher`].
pub struct DispatcherBuilder {
    handlers: HashMap<&'static str, Handler>,
    dedupe: Option<Arc<dyn Dedupe>>,
    deadline: Duration,
    tickets: Option<Client>,
}

impl fmt::Debug for DispatcherBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DispatcherBuilder")
            .field("handlers", &self.handlers.len())
            .finish_non_exhaustive()
    }
}

impl Dispatcher {
    /// Starts a dispatcher with no handlers, in-memory dedupe and
    /// [`DEFAULT_ACK_DEADLINE`].
    pub fn builder() -> DispatcherBuilder {
        DispatcherBuilder {
            handlers: HashMap::new(),
            dedupe: None,
            deadline: DEFAULT_ACK_DEADLINE,
            tickets: None,
        }
    }

    /// Counts of what was dispatched so far.
    pub fn stats(&self) -> DispatchStats {
        let c = &self.inner.stats;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        DispatchStats {
            handled: get(&c.handled),
            duplicates: get(&c.duplicates),
            unhandled: get(&c.unhandled),
            late: get(&c.late),
            undecodable: get(&c.undecodable),
            failed: get(&c.failed),
            late_failed: get(&c.late_failed),
            in_progress: get(&c.in_progress),
            malformed: get(&c.malformed),
        }
    }

    /// Dispatches one delivery: the plaintext JSON a delivery received, already
    /// authenticated and decrypted. Never panics; a panicking handler is a failure.
    /// Must be called inside a Tokio runtime (the handler runs in its own task, so a
    /// slow one does not hold up the answer).
    pub async fn dispatch(&self, delivery: Value) -> Dispatched {
        self.dispatch_in(delivery, &self.inner.tasks).await
    }

    /// [`Dispatcher::dispatch`], with the handler's task in `tasks`: a delivery that
    /// stops (the long connection's `close`) stops its own late handlers, not those of
    /// another delivery sharing this dispatcher.
    pub async fn dispatch_in(&self, delivery: Value, tasks: &HandlerTasks) -> Dispatched {
        let outcome = self.dispatch_inner(delivery, tasks).await;
        let c = &self.inner.stats;
        let counter = match &outcome {
            Dispatched::Handled { .. } => &c.handled,
            Dispatched::Duplicate { .. } => &c.duplicates,
            Dispatched::Unhandled { .. } => &c.unhandled,
            Dispatched::Late { .. } => &c.late,
            Dispatched::Undecodable { .. } => &c.undecodable,
            Dispatched::Failed { .. } => &c.failed,
            Dispatched::InProgress { .. } => &c.in_progress,
            Dispatched::Malformed(_) => &c.malformed,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        outcome
    }

    /// Handler tasks started by [`Dispatcher::dispatch`] that are still running (late
    /// ones run on after the acknowledgement).
    pub fn running_handlers(&self) -> usize {
        self.inner.tasks.running()
    }

    /// Waits up to `grace` for the handlers started by [`Dispatcher::dispatch`] to
    /// finish, then aborts the rest; returns how many were aborted. For a clean exit
    /// of an HTTP server.
    pub async fn shutdown(&self, grace: Duration) -> usize {
        self.inner.tasks.shutdown(grace).await
    }

    async fn dispatch_inner(&self, delivery: Value, tasks: &HandlerTasks) -> Dispatched {
        let envelope = match envelope::read(delivery) {
            Ok(e) => e,
            Err(e) => return Dispatched::Malformed(e),
        };
        let header = envelope.header;
        let inner = &self.inner;
        // Idempotent, so a re-sent ticket is stored again rather than checked first.
        if header.event_type == "app_ticket" {
            self.feed_app_ticket(&envelope.payload);
        }
        // Types nobody handles are never remembered: they cost the dedupe store nothing.
        let Some(handler) = inner.handlers.get(header.event_type.as_str()) else {
            return Dispatched::Unhandled { header };
        };
        {
            // One lock over the three steps, so two copies arriving together cannot
            // both miss the in-flight set and one of them be answered as a duplicate.
            let mut running = lock(&inner.in_flight);
            if running.contains(&header.event_id) {
                return Dispatched::InProgress { header };
            }
            if !inner.dedupe.first_delivery(&header.event_id) {
                return Dispatched::Duplicate { header };
            }
            running.insert(header.event_id.clone());
        }
        let mut task = tasks.spawn((handler.run)(envelope.payload, header.clone()));
        let deadline = handler.deadline.unwrap_or(inner.deadline);
        let joined = match tokio::time::timeout(deadline, &mut task).await {
            Ok(joined) => joined,
            Err(_) => {
                tracing::warn!(
                    event_type = %header.event_type,
                    event_id = %header.event_id,
                    "event handler still running at the acknowledgement deadline; acknowledged"
                );
                // The answer is gone; how the handler ends still matters: a failure
                // is logged, counted and forgotten, so the platform's retry is handled.
                let watched = Arc::clone(inner);
                let id = header.event_id.clone();
                let event_type = header.event_type.clone();
                tasks.spawn(async move {
                    let outcome = flatten(task.await);
                    watched.settle(&id, &outcome);
                    match outcome {
                        Ok(_) => tracing::debug!(%event_type, event_id = %id, "late handler finished"),
                        Err(Failure::Decode(error)) => tracing::warn!(%event_type, event_id = %id, %error, "late handler: payload does not fit its type"),
                        Err(Failure::Handler(error)) => {
                            watched.stats.late_failed.fetch_add(1, Ordering::Relaxed);
                            tracing::warn!(%event_type, event_id = %id, %error, "late handler failed after the acknowledgement; the platform's retry will be handled");
                        }
                    }
                });
                return Dispatched::Late { header };
            }
        };
        let outcome = flatten(joined);
        inner.settle(&header.event_id, &outcome);
        match outcome {
            Ok(reply) => Dispatched::Handled { header, reply },
            Err(Failure::Decode(error)) => Dispatched::Undecodable { header, error },
            Err(Failure::Handler(error)) => Dispatched::Failed { header, error },
        }
    }

    fn feed_app_ticket(&self, payload: &Value) {
        let Some(client) = &self.inner.tickets else {
            return;
        };
        if let Some(ticket) = payload.get("app_ticket").and_then(Value::as_str) {
            client.set_app_ticket(ticket.to_owned());
            tracing::debug!("app_ticket stored from the app_ticket event");
        }
    }
}

impl DispatcherBuilder {
    /// Registers `handler` for events of type `E`; a later registration for the same
    /// type replaces the earlier one. Handlers receive the typed payload and the header,
    /// and return `E::Reply` (`NoReply` for events).
    pub fn on<E, F, Fut>(mut self, handler: F) -> Self
    where
        E: Event,
        F: Fn(E, EventHeader) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<E::Reply, HandlerError>> + Send + 'static,
    {
        let handler = Arc::new(handler);
        let erased = move |payload: Value, header: EventHeader| -> BoxFuture<'static, Outcome> {
            let handler = Arc::clone(&handler);
            Box::pin(async move {
                let event = E::from_json(payload).map_err(Failure::Decode)?;
                let reply = handler(event, header).await.map_err(Failure::Handler)?;
                Ok(reply.into_json())
            })
        };
        // The answer leaves half a second before the platform gives up, for the wire.
        let deadline = E::PLATFORM_DEADLINE.map(|d| d.saturating_sub(ANSWER_MARGIN));
        let handler = Handler {
            run: Arc::new(erased),
            deadline,
        };
        self.handlers.insert(E::EVENT_TYPE, handler);
        self
    }

    /// Keeps seen event ids in `dedupe` instead of memory (share it between processes).
    pub fn dedupe(mut self, dedupe: impl Dedupe) -> Self {
        self.dedupe = Some(Arc::new(dedupe));
        self
    }

    /// How long a delivery waits for a handler before acknowledging anyway (default
    /// [`DEFAULT_ACK_DEADLINE`]). A callback's reply must come within it.
    pub fn ack_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Feeds `app_ticket` events to `client`'s ticket store, so a marketplace app's
    /// tokens work with no handler of yours (a no-op for other clients).
    pub fn client(mut self, client: &Client) -> Self {
        self.tickets = Some(client.clone());
        self
    }

    /// The dispatcher.
    pub fn build(self) -> Dispatcher {
        Dispatcher {
            inner: Arc::new(Inner {
                handlers: self.handlers,
                dedupe: self
                    .dedupe
                    .unwrap_or_else(|| Arc::new(MemoryDedupe::default())),
                deadline: self.deadline,
                tickets: self.tickets,
                stats: Counters::default(),
                tasks: HandlerTasks::new(),
                in_flight: Mutex::default(),
            }),
        }
    }
}

fn panicked(join: tokio::task::JoinError) -> HandlerError {
    let what = if join.is_panic() {
        "panicked"
    } else {
        "was cancelled"
    };
    format!("the event handler {what}").into()
}
