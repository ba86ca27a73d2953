//! Counts of what the long connection did, for tests, dashboards and the soak figures.

use std::sync::atomic::{AtomicU64, Ordering};

/// A snapshot of a client's counters since it started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WsStats {
    /// Successful handshakes.
    pub connections: u64,
    /// Connections lost (dropped, half-open, closed by the server), not counting close().
    pub disconnects: u64,
    /// Discovery requests made.
    pub discoveries: u64,
    /// Pings sent.
    pub pings: u64,
    /// Pongs received.
    pub pongs: u64,
    /// Complete messages (event or card) handed to the dispatcher.
    pub messages: u64,
    /// Acknowledgements written; `acks_failed` of them with code 500.
    pub acks: u64,
    /// Acknowledgements with code 500 (the handler failed: the platform pushes again).
    pub acks_failed: u64,
    /// Acknowledgements dropped because their connection had gone.
    pub acks_lost: u64,
    /// Incomplete split messages dropped (expired, evicted by a bound, oversized).
    pub fragments_dropped: u64,
    /// The most bytes ever held in incomplete split messages.
    pub peak_fragment_bytes: u64,
    /// The most messages ever being dispatched at once.
    pub peak_in_flight: u64,
}

#[derive(Default)]
pub(crate) struct Counters {
    pub connections: AtomicU64,
    pub disconnects: AtomicU64,
    pub discoveries: AtomicU64,
    pub pings: AtomicU64,
    pub pongs: AtomicU64,
    pub messages: AtomicU64,
    pub acks: AtomicU64,
    pub acks_failed: AtomicU64,
    pub acks_lost: AtomicU64,
    pub fragments_dropped: AtomicU64,
    pub peak_fragment_bytes: AtomicU64,
    pub peak_in_flight: AtomicU64,
}

impl Counters {
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn peak(counter: &AtomicU64, value: u64) {
        counter.fetch_max(value, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> WsStats {
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        WsStats {
            connections: get(&self.connections),
            disconnects: get(&self.disconnects),
            discoveries: get(&self.discoveries),
            pings: get(&self.pings),
            pongs: get(&self.pongs),
            messages: get(&self.messages),
            acks: get(&self.acks),
            acks_failed: get(&self.acks_failed),
            acks_lost: get(&self.acks_lost),
            fragments_dropped: get(&self.fragments_dropped),
            peak_fragment_bytes: get(&self.peak_fragment_bytes),
            peak_in_flight: get(&self.peak_in_flight),
        }
    }
}
