//! Joining split messages (events.md §2 "Reassembly"): a large message arrives as `sum`
//! frames sharing a `message_id`, each with its index in `seq`, in any order.
//!
//! The set of incomplete messages is bounded three ways, because its size is decided by
//! the peer: by age (an incomplete set is dropped after `ttl`; the platform pushes an
//! unacknowledged message again anyway), by count, and by bytes. When a bound is hit,
//! the oldest incomplete message goes first. The byte bound counts what a set costs to
//! keep, not only its payloads: its `message_id` and its slot vector are charged when
//! the set is created, since both are sized by the peer too.

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
    /// Not usable: no `message_id` or an overlong one, `seq` out of range, or the
    /// message alone is over the byte bound.
    Rejected(&'static str),
}

struct Partial {
    started: Instant,
    parts: Vec<Option<Vec<u8>>>,
    /// Payload bytes received so far.
    bytes: usize,
    /// What keeping the set costs besides its payloads: its key and its slot vector.
    overhead: usize,
    missing: usize,
}

impl Partial {
    /// Everything this set holds against the byte bound.
    fn held(&self) -> usize {
        self.bytes + self.overhead
    }
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

/// The longest `message_id` a split message may carry: the id keys the set and is
/// stored with it, and the platform's ids are a few dozen bytes.
pub(crate) const MAX_MESSAGE_ID: usize = 256;

/// What keeping a set costs besides its payloads: its key and its slot vector.
fn overhead(message_id: &str, sum: usize) -> usize {
    message_id.len() + sum * std::mem::size_of::<Option<Vec<u8>>>()
}

impl Reassembler {
    pub fn new(limits: Limits) -> Self {
        Reassembler {
            limits,
            pending: HashMap::new(),
            bytes: 0,
            dropped: 0,
        }
    }

    /// Adds one fragment received at `now`. A split message (`sum` above 1) needs a
    /// non-empty `message_id` of at most [`MAX_MESSAGE_ID`] bytes: without one its
    /// fragments cannot be told from another message's, and a long one is memory the
    /// peer chooses.
    pub fn add(
        &mut self,
        message_id: Option<&str>,
        sum: u64,
        seq: u64,
        payload: Vec<u8>,
        now: Instant,
    ) -> Outcome {
        if sum <= 1 {
            return Outcome::Complete(payload);
        }
        let Some(message_id) = message_id.filter(|id| !id.is_empty()) else {
            return Outcome::Rejected("a split message without a `message_id`");
        };
        if message_id.len() > MAX_MESSAGE_ID {
            return Outcome::Rejected("`message_id` is too long");
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
            let overhead = overhead(message_id, sum as usize);
            if overhead > self.limits.max_bytes {
                self.dropped += 1;
                return Outcome::Rejected("the message is larger than the reassembly bound");
            }
            while self.pending.len() >= self.limits.max_pending.max(1)
                || self.bytes + overhead > self.limits.max_bytes
            {
                if !self.drop_oldest(None) {
                    break;
                }
            }
            self.pending.insert(
                message_id.to_owned(),
                Partial {
                    started: now,
                    parts: vec![None; sum as usize],
                    bytes: 0,
                    overhead,
                    missing: sum as usize,
                },
            );
            self.bytes += overhead;
        }
        let part = &self.pending[message_id];
        if part.parts[seq as usize].is_some() {
            // A repeated fragment: the first copy stands.
            return Outcome::Pending;
        }
        if part.held() + payload.len() > self.limits.max_bytes {
            self.remove(message_id);
            self.dropped += 1;
            return Outcome::Rejected("the message is larger than the reassembly bound");
        }
        while self.bytes + payload.len() > self.limits.max_bytes {
            // Only other messages can be evicted here: this one fits on its own.
            if !self.drop_oldest(Some(message_id)) {
                break;
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
        self.bytes -= part.held();
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
                freed += p.held();
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

    /// Bytes held in incomplete messages: their payloads, ids and slot vectors.
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
            self.bytes -= p.held();
        }
    }

    /// Drops the oldest incomplete message other than `except`; false when there is
    /// none, so that eviction loops end even when nothing can be evicted.
    fn drop_oldest(&mut self, except: Option<&str>) -> bool {
        match self.oldest_other(except) {
            Some(id) => {
                self.remove(&id);
                self.dropped += 1;
                true
            }
            None => false,
        }
    }

    /// The oldest incomplete message other than `except`. No id is a sentinel here:
    /// every string, the empty one included, may be a key.
    fn oldest_other(&self, except: Option<&str>) -> Option<String> {
        self.pending
            .iter()
            .filter(|(id, _)| Some(id.as_str()) != except)
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
            max_bytes: 1000,
            max_pending: 3,
        }
    }

    /// The bookkeeping a two-fragment set with a one-byte id costs.
    const SET2: usize = 1 + 2 * std::mem::size_of::<Option<Vec<u8>>>();

    #[test]
    fn a_single_frame_passes_through() {
        let mut r = Reassembler::new(limits());
        let now = Instant::now();
        assert_eq!(
            r.add(Some("m"), 1, 0, b"abc".to_vec(), now),
            Outcome::Complete(b"abc".to_vec())
        );
        // A whole message needs no id: it is never stored.
        assert_eq!(
            r.add(None, 1, 0, b"abc".to_vec(), now),
            Outcome::Complete(b"abc".to_vec())
        );
        assert_eq!(r.pending(), 0);
    }

    #[test]
    fn fragments_out_of_order_join_in_seq_order() {
        let mut r = Reassembler::new(limits());
        let now = Instant::now();
        assert_eq!(r.add(Some("m"), 3, 2, b"c".to_vec(), now), Outcome::Pending);
        assert_eq!(r.add(Some("m"), 3, 0, b"a".to_vec(), now), Outcome::Pending);
        assert_eq!(r.add(Some("m"), 3, 0, b"X".to_vec(), now), Outcome::Pending);
        assert_eq!(r.bytes(), overhead("m", 3) + 2);
        assert_eq!(
            r.add(Some("m"), 3, 1, b"b".to_vec(), now),
            Outcome::Complete(b"abc".to_vec())
        );
        assert_eq!((r.pending(), r.bytes()), (0, 0));
    }

    #[test]
    fn incomplete_sets_expire() {
        let mut r = Reassembler::new(limits());
        let now = Instant::now();
        r.add(Some("m"), 2, 0, b"a".to_vec(), now);
        assert_eq!(r.next_expiry(), Some(now + Duration::from_secs(5)));
        r.expire(now + Duration::from_secs(4));
        assert_eq!(r.pending(), 1);
        r.expire(now + Duration::from_secs(5));
        assert_eq!((r.pending(), r.bytes(), r.dropped()), (0, 0, 1));
        // The late second half starts a new set rather than completing the old one.
        assert_eq!(
            r.add(Some("m"), 2, 1, b"b".to_vec(), now + Duration::from_secs(6)),
            Outcome::Pending
        );
    }

    #[test]
    fn the_count_bound_evicts_the_oldest() {
        let mut r = Reassembler::new(limits());
        let t = Instant::now();
        for (i, id) in ["a", "b", "c", "d"].iter().enumerate() {
            r.add(Some(id), 2, 0, vec![0], t + Duration::from_millis(i as u64));
        }
        assert_eq!(r.pending(), 3);
        assert_eq!(r.dropped(), 1);
        assert_eq!(r.bytes(), 3 * (SET2 + 1));
        // "a" was evicted: its second half does not complete it.
        assert_eq!(
            r.add(Some("a"), 2, 1, vec![1], t + Duration::from_millis(9)),
            Outcome::Pending
        );
        assert_eq!(
            r.add(Some("d"), 2, 1, vec![1], t + Duration::from_millis(9)),
            Outcome::Complete(vec![0, 1])
        );
    }

    #[test]
    fn the_byte_bound_holds_and_rejects_oversized_messages() {
        let mut r = Reassembler::new(limits());
        let t = Instant::now();
        r.add(Some("a"), 2, 0, vec![0; 480], t);
        r.add(Some("b"), 2, 0, vec![0; 480], t + Duration::from_millis(1));
        assert!(r.bytes() <= 1000);
        assert_eq!(r.pending(), 1, "the older message made room");
        assert_eq!(
            r.add(Some("c"), 3, 0, vec![0; 1001], t),
            Outcome::Rejected("the message is larger than the reassembly bound")
        );
        assert!(r.bytes() <= 1000);
    }

    #[test]
    fn ids_and_slot_vectors_count_against_the_byte_bound() {
        let mut r = Reassembler::new(limits());
        let t = Instant::now();
        let slot = std::mem::size_of::<Option<Vec<u8>>>();
        assert_eq!(r.add(Some("m"), 3, 0, b"a".to_vec(), t), Outcome::Pending);
        assert_eq!(r.bytes(), 1 + 3 * slot + 1);
        // A set whose slots alone are over the bound is refused before allocating.
        let sum = (1000 / slot + 1) as u64;
        assert_eq!(
            r.add(Some("n"), sum, 0, vec![], t),
            Outcome::Rejected("the message is larger than the reassembly bound")
        );
        assert_eq!(r.pending(), 1);
        // Empty fragments still cost their set's bookkeeping: many of them evict
        // older sets instead of growing past the bound.
        let max_bytes = 1000;
        for (i, id) in ["p", "q", "r", "s"].iter().enumerate() {
            let now = t + Duration::from_millis(1 + i as u64);
            assert_eq!(r.add(Some(id), 30, 0, vec![], now), Outcome::Pending);
            assert!(r.bytes() <= max_bytes, "{} bytes held", r.bytes());
        }
        assert_eq!(r.bytes(), overhead("s", 30));
        // Completion releases the bookkeeping too.
        for seq in 1..29 {
            r.add(Some("s"), 30, seq, vec![], t + Duration::from_millis(9));
        }
        assert_eq!(
            r.add(Some("s"), 30, 29, vec![], t + Duration::from_millis(9)),
            Outcome::Complete(vec![])
        );
        assert_eq!((r.pending(), r.bytes()), (0, 0));
    }

    #[test]
    fn overlong_or_missing_ids_are_refused_for_split_messages() {
        let mut r = Reassembler::new(limits());
        let now = Instant::now();
        let long = "x".repeat(MAX_MESSAGE_ID + 1);
        assert_eq!(
            r.add(Some(&long), 2, 0, vec![0], now),
            Outcome::Rejected("`message_id` is too long")
        );
        for id in [None, Some("")] {
            assert_eq!(
                r.add(id, 2, 0, vec![0], now),
                Outcome::Rejected("a split message without a `message_id`")
            );
        }
        assert_eq!((r.pending(), r.bytes()), (0, 0));
        let longest = "x".repeat(MAX_MESSAGE_ID);
        assert_eq!(r.add(Some(&longest), 2, 0, vec![0], now), Outcome::Pending);
    }

    #[test]
    fn eviction_ends_whatever_the_keys() {
        // An entry under the empty id used to be mistaken for "no exception" and never
        // evicted, so the count bound spun forever. Run on a thread to fail, not hang.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut r = Reassembler::new(Limits {
                max_pending: 1,
                ..limits()
            });
            let now = Instant::now();
            r.pending.insert(
                String::new(),
                Partial {
                    started: now,
                    parts: vec![None, None],
                    bytes: 0,
                    overhead: 0,
                    missing: 2,
                },
            );
            let outcome = r.add(Some("x"), 2, 0, vec![0], now);
            let _ = tx.send((outcome, r.pending(), r.dropped()));
        });
        assert_eq!(
            rx.recv_timeout(Duration::from_secs(10)),
            Ok((Outcome::Pending, 1, 1))
        );
    }

    #[test]
    fn out_of_range_indexes_are_rejected_without_allocating() {
        let mut r = Reassembler::new(limits());
        let now = Instant::now();
        assert!(matches!(
            r.add(Some("m"), 2, 2, vec![], now),
            Outcome::Rejected(_)
        ));
        assert!(matches!(
            r.add(Some("m"), u64::MAX, 0, vec![], now),
            Outcome::Rejected(_)
        ));
        assert_eq!(r.pending(), 0);
    }
}
