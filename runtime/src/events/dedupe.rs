//! Duplicate deliveries (events.md §1.5): the platform retries an unacknowledged event
//! after 15 s, 5 min, 1 h and 6 h, and the long connection re-pushes a message that was
//! not acknowledged in 3 s. Each event id is handled once over that window.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::auth::lock;

/// How long an event id is remembered: the platform's last retry comes about 7 h 5 min
/// after the first delivery; half an hour more covers its own delays.
pub const DEDUPE_WINDOW: Duration = Duration::from_secs(7 * 3600 + 35 * 60);

/// Remembers which event ids were seen. Implement it over a shared store (Redis, a
/// database) when several processes receive the same app's events.
pub trait Dedupe: Send + Sync + fmt::Debug + 'static {
    /// Records `event_id`; `true` the first time within the window, `false` for a duplicate.
    fn first_delivery(&self, event_id: &str) -> bool;
    /// Forgets `event_id`, so the platform's retry is handled (the handler failed).
    fn forget(&self, event_id: &str);
}

/// The in-memory [`Dedupe`]: ids are kept for [`DEDUPE_WINDOW`], at most `capacity` of
/// them (the oldest go first), so memory stays bounded whatever the traffic.
pub struct MemoryDedupe {
    window: Duration,
    capacity: usize,
    seen: Mutex<Seen>,
}

#[derive(Default)]
struct Seen {
    /// id -> when it was first seen.
    at: HashMap<String, Instant>,
    /// Insertion order, for expiry and eviction; entries of forgotten ids are skipped.
    order: VecDeque<(Instant, String)>,
}

impl MemoryDedupe {
    /// Remembers ids for `window`, at most `capacity` of them.
    pub fn new(window: Duration, capacity: usize) -> Self {
        Self {
            window,
            capacity: capacity.max(1),
            seen: Mutex::default(),
        }
    }
}

impl Default for MemoryDedupe {
    /// [`DEDUPE_WINDOW`] and 100,000 ids (about 10 MB at most).
    fn default() -> Self {
        Self::new(DEDUPE_WINDOW, 100_000)
    }
}

impl fmt::Debug for MemoryDedupe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryDedupe")
            .field("window", &self.window)
            .field("capacity", &self.capacity)
            .field("remembered", &lock(&self.seen).at.len())
            .finish()
    }
}

impl Dedupe for MemoryDedupe {
    fn first_delivery(&self, event_id: &str) -> bool {
        let now = Instant::now();
        let mut seen = lock(&self.seen);
        seen.expire(now, self.window);
        if seen.at.contains_key(event_id) {
            return false;
        }
        while seen.at.len() >= self.capacity {
            if !seen.pop_oldest() {
                break;
            }
        }
        seen.at.insert(event_id.to_owned(), now);
        seen.order.push_back((now, event_id.to_owned()));
        true
    }

    fn forget(&self, event_id: &str) {
        let mut seen = lock(&self.seen);
        seen.at.remove(event_id);
        // A forgotten id leaves its entry in the order queue; repeated failures must not
        // grow the queue past the bound, so stale entries go once they double it.
        if seen.order.len() > 2 * self.capacity {
            let Seen { at, order } = &mut *seen;
            order.retain(|(when, id)| at.get(id) == Some(when));
        }
    }
}

impl Seen {
    fn expire(&mut self, now: Instant, window: Duration) {
        while let Some((at, _)) = self.order.front() {
            if now.duration_since(*at) < window {
                break;
            }
            self.pop_oldest();
        }
    }

    /// Drops the oldest entry; `false` when there is none.
    fn pop_oldest(&mut self) -> bool {
        let Some((at, id)) = self.order.pop_front() else {
            return false;
        };
        // A forgotten and re-seen id has a newer entry: only the matching one removes it.
        if self.at.get(&id) == Some(&at) {
            self.at.remove(&id);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_first_once_until_forgotten() {
        let d = MemoryDedupe::default();
        assert!(d.first_delivery("a"));
        assert!(!d.first_delivery("a"));
        d.forget("a");
        assert!(d.first_delivery("a"));
        assert!(!d.first_delivery("a"));
    }

    #[test]
    fn memory_is_bounded_by_capacity_oldest_first() {
        let d = MemoryDedupe::new(DEDUPE_WINDOW, 3);
        for id in ["a", "b", "c", "d"] {
            assert!(d.first_delivery(id));
        }
        assert_eq!(lock(&d.seen).at.len(), 3);
        assert!(d.first_delivery("a"), "the oldest was evicted");
        assert!(!d.first_delivery("d"));
    }

    #[test]
    fn ids_expire_after_the_window() {
        let d = MemoryDedupe::new(Duration::from_millis(20), 10);
        assert!(d.first_delivery("a"));
        std::thread::sleep(Duration::from_millis(40));
        assert!(d.first_delivery("a"));
    }

    #[test]
    fn a_forgotten_then_seen_again_id_survives_its_old_entry() {
        let d = MemoryDedupe::new(DEDUPE_WINDOW, 2);
        assert!(d.first_delivery("a"));
        d.forget("a");
        std::thread::sleep(Duration::from_millis(2));
        assert!(d.first_delivery("a"));
        assert!(d.first_delivery("b"));
        // Evicting for "c" walks past a's stale entry, then removes its live one.
        assert!(d.first_delivery("c"));
        assert_eq!(lock(&d.seen).at.len(), 2);
        assert!(!d.first_delivery("b"));
        assert!(!d.first_delivery("c"));
    }
}
