//! Joining split messages (events.md §2 "Reassembly"): a large message arrives as `sum`
//! frames sharing a `message_id`, each with its index in `seq`, in any order.
//!
//! The set of incomplete messages is bounded three ways, because its size is decided by
//! the peer: by age (an incomplete set is dropped after `ttl`; the platform pushes an
//! unacknowledged message again anyway), by count, and by bytes. When a bound is hit,
//! the oldest incomplete message goes first.

use std::collections::HashMap;
use std::time::Duration;

use tokio::time::Instant;

/// Limits of the reassembly buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    pub ttl: Duration,
    pub max_bytes: usize,
    pub max_pending: usize,
}

/// What a fragment completed, if anything.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The whole message, fragments joined in order.
    Complete(Vec<u8>),
    /// Stored; more fragments are due.
    Pending,
    /// Not usable: `seq` out of range, or the message alone is over the byte bound.
    Rejected(&'static str),
}

struct Partial {
    started: Instant,
    parts: Vec<Option<Vec<u8>>>,
    bytes: usize,
    missing: usize,
}

/// Incomplete messages by `message_id`.
pub(crate) struct Reassembler {
    limits: Limits,
    pending: HashMap<String, Partial>,
    bytes: usize,
    dropped: u64,
}

/// The most fragments one message may announce: `sum` comes from the wire and sizes a
/// vector, so it is capped before anything is allocated.
const MAX_FRAGMENTS: u64 = 4096;

impl Reassembler {
    pub fn new(limits: Limits) -> Self {
        Reassembler {
            limits,
            pending: HashMap::new(),
            bytes: 0,
            dropped: 0,
        }
    }

    /// Adds one fragment received at `now`.
    pub fn add(
        &mut self,
        message_id: &str,
        sum: u64,
        seq: u64,
        payload: Vec<u8>,
        now: Instant,
    ) -> Outcome {
        if sum <= 1 {
            return Outcome::Complete(payload);
        }
        if sum > MAX_FRAGMENTS || seq >= sum {
            return Outcome::Rejected("`seq` or `sum` out of range");
        }
        self.expire(now);
        if self
            .pending
            .get(message_id)
            .is_some_and(|p| p.parts.len() as u64 != sum)
        {
            // The same id announcing another count: the old set cannot complete.
            self.remove(message_id);
            self.dropped += 1;
        }
        if !self.pending.contains_key(message_id) {
            while self.pending.len() >= self.limits.max_pending.max(1) {
                self.drop_oldest();
            }
            self.pending.insert(
                message_id.to_owned(),
                Partial {
                    started: now,
                    parts: vec![None; sum as usize],
                    bytes: 0,
                    missing: sum as usize,
                },
            );
        }
        let part = &self.pending[message_id];
        if part.parts[seq as usize].is_some() {
            // A repeated fragment: the first copy stands.
            return Outcome::Pending;
        }
        if part.bytes + payload.len() > self.limits.max_bytes {
            self.remove(message_id);
            self.dropped += 1;
            return Outcome::Rejected("the message is larger than the reassembly bound");
        }
        while self.bytes + payload.len() > self.limits.max_bytes {
            // Only other messages can be evicted here: this one fits on its own.
            let oldest = self.oldest_other(message_id);
            match oldest {
                Some(id) => {
                    self.remove(&id);
                    self.dropped += 1;
                }
                None => break,
            }
        }
        let part = self.pending.get_mut(message_id).expect("inserted above");
        part.bytes += payload.len();
        self.bytes += payload.len();
        part.parts[seq as usize] = Some(payload);
        part.missing -= 1;
        if part.missing > 0 {
            return Outcome::Pending;
        }
        let part = self.pending.remove(message_id).expect("present");
        self.bytes -= part.bytes;
        let mut joined = Vec::with_capacity(part.bytes);
        for piece in part.parts.into_iter().flatten() {
            joined.extend_from_slice(&piece);
        }
        Outcome::Complete(joined)
    }

    /// Drops every incomplete message older than the time bound.
    pub fn expire(&mut self, now: Instant) {
        let ttl = self.limits.ttl;
        let before = self.pending.len();
        let mut freed = 0;
        self.pending.retain(|_, p| {
            let keep = now.saturating_duration_since(p.started) < ttl;
            if !keep {
                freed += p.bytes;
            }
            keep
        });
        self.bytes -= freed;
        self.dropped += (before - self.pending.len()) as u64;
    }

    /// When the oldest incomplete message expires, if there is one.
    pub fn next_expiry(&self) -> Option<Instant> {
        self.pending
            .values()
            .map(|p| p.started + self.limits.ttl)
            .min()
    }

    /// Bytes held in incomplete messages.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Incomplete messages held.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Incomplete messages dropped so far (expired, evicted or oversized).
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    fn remove(&mut self, id: &str) {
        if let Some(p) = self.pending.remove(id) {
            self.bytes -= p.bytes;
        }
    }

    fn drop_oldest(&mut self) {
        if let Some(id) = self.oldest_other("") {
            self.remove(&id);
            self.dropped += 1;
        }
    }

    fn oldest_other(&self, except: &str) -> Option<String> {
        self.pending
            .iter()
            .filter(|(id, _)| id.as_str() != except)
            .min_by_key(|(_, p)| p.started)
            .map(|(id, _)| id.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            ttl: Duration::from_secs(5),
            max_bytes: 100,
            max_pending: 3,
        }
    }

    #[test]
    fn a_single_frame_passes_through() {
        let mut r = Reassembler::new(limits());
        let now = Instant::now();
        assert_eq!(
            r.add("m", 1, 0, b"abc".to_vec(), now),
            Outcome::Complete(b"abc".to_vec())
        );
        assert_eq!(r.pending(), 0);
    }

    #[test]
    fn fragments_out_of_order_join_in_seq_order() {
        let mut r = Reassembler::new(limits());
        let now = Instant::now();
        assert_eq!(r.add("m", 3, 2, b"c".to_vec(), now), Outcome::Pending);
        assert_eq!(r.add("m", 3, 0, b"a".to_vec(), now), Outcome::Pending);
        assert_eq!(r.add("m", 3, 0, b"X".to_vec(), now), Outcome::Pending);
        assert_eq!(r.bytes(), 2);
        assert_eq!(
            r.add("m", 3, 1, b"b".to_vec(), now),
            Outcome::Complete(b"abc".to_vec())
        );
        assert_eq!((r.pending(), r.bytes()), (0, 0));
    }

    #[test]
    fn incomplete_sets_expire() {
        let mut r = Reassembler::new(limits());
        let now = Instant::now();
        r.add("m", 2, 0, b"a".to_vec(), now);
        assert_eq!(r.next_expiry(), Some(now + Duration::from_secs(5)));
        r.expire(now + Duration::from_secs(4));
        assert_eq!(r.pending(), 1);
        r.expire(now + Duration::from_secs(5));
        assert_eq!((r.pending(), r.bytes(), r.dropped()), (0, 0, 1));
        // The late second half starts a new set rather than completing the old one.
        assert_eq!(
            r.add("m", 2, 1, b"b".to_vec(), now + Duration::from_secs(6)),
            Outcome::Pending
        );
    }

    #[test]
    fn the_count_bound_evicts_the_oldest() {
        let mut r = Reassembler::new(limits());
        let t = Instant::now();
        for (i, id) in ["a", "b", "c", "d"].iter().enumerate() {
            r.add(id, 2, 0, vec![0], t + Duration::from_millis(i as u64));
        }
        assert_eq!(r.pending(), 3);
        assert_eq!(r.dropped(), 1);
        // "a" was evicted: its second half does not complete it.
        assert_eq!(
            r.add("a", 2, 1, vec![1], t + Duration::from_millis(9)),
            Outcome::Pending
        );
        assert_eq!(
            r.add("d", 2, 1, vec![1], t + Duration::from_millis(9)),
            Outcome::Complete(vec![0, 1])
        );
    }

    #[test]
    fn the_byte_bound_holds_and_rejects_oversized_messages() {
        let mut r = Reassembler::new(limits());
        let t = Instant::now();
        r.add("a", 2, 0, vec![0; 60], t);
        r.add("b", 2, 0, vec![0; 60], t + Duration::from_millis(1));
        assert!(r.bytes() <= 100);
        assert_eq!(r.pending(), 1, "the older message made room");
        assert_eq!(
            r.add("c", 3, 0, vec![0; 101], t),
            Outcome::Rejected("the message is larger than the reassembly bound")
        );
        assert!(r.bytes() <= 100);
    }

    #[test]
    fn out_of_range_indexes_are_rejected_without_allocating() {
        let mut r = Reassembler::new(limits());
        let now = Instant::now();
        assert!(matches!(
            r.add("m", 2, 2, vec![], now),
            Outcome::Rejected(_)
        ));
        assert!(matches!(
            r.add("m", u64::MAX, 0, vec![], now),
            Outcome::Rejected(_)
        ));
        assert_eq!(r.pending(), 0);
    }
}
