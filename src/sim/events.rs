//! The simulator's event queues, keyed by (time, sequence number).
//!
//! Times are never negative, so the bits of a time order like the time
//! itself, and the key (time bits, sequence) compares as one 128-bit
//! integer: no floating-point comparison and no branch on ties. Sequence
//! numbers are unique, so two keys are never equal and the order of a run
//! is fixed by its seed.
//!
//! [`EventQueue`] is a binary min-heap for events that happen once
//! scheduled (seats freeing, shift changes, calls reaching a queue).
//! [`Deadlines`] holds the moment each waiting caller's patience runs out
//! and can take a caller's entry out when the caller is answered first, so
//! the heaps never fill with abandonments that will not happen (in a
//! queue at 95% load they would be a third of all events).

/// One event: its key and a payload the engine interprets.
#[derive(Clone, Copy, Debug)]
pub struct Event {
    /// Bits of the (non-negative) time.
    time: u64,
    /// Sequence number, shifted, with a tag in the low bits.
    seq: u64,
    /// What the event is about.
    pub payload: u64,
}

impl Event {
    /// An event at time `t` (not negative) with sequence word `seq`.
    #[inline]
    pub fn new(t: f64, seq: u64, payload: u64) -> Event {
        debug_assert!(t >= 0.0, "event time {t} is negative");
        Event {
            time: t.to_bits(),
            seq,
            payload,
        }
    }

    /// The event's time.
    #[inline]
    pub fn time(&self) -> f64 {
        f64::from_bits(self.time)
    }

    /// The sequence word given to [`Event::new`].
    #[inline]
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// The ordering key: time, then sequence.
    #[inline]
    pub fn key(&self) -> u128 {
        u128::from(self.time) << 64 | u128::from(self.seq)
    }
}

/// The key of no event: after every event (its time is infinite), and
/// [`key_time`] of it is infinity.
pub const NO_KEY: u128 = (0x7FF0_0000_0000_0000_u128) << 64 | u64::MAX as u128;

/// The time of a key made by [`Event::key`] (infinity for [`NO_KEY`]).
#[inline]
pub fn key_time(key: u128) -> f64 {
    f64::from_bits((key >> 64) as u64)
}

/// A min-heap of [`Event`]s: the earliest time first, then the lowest
/// sequence word.
#[derive(Debug, Default)]
pub struct EventQueue {
    heap: Vec<Event>,
}

impl EventQueue {
    /// An empty queue with room for `n` events.
    pub fn with_capacity(n: usize) -> EventQueue {
        EventQueue {
            heap: Vec::with_capacity(n),
        }
    }

    /// Number of events queued.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether no event is queued.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// The key of the earliest event, or [`NO_KEY`] when empty.
    #[inline]
    pub fn next_key(&self) -> u128 {
        self.heap.first().map_or(NO_KEY, Event::key)
    }

    /// Adds an event.
    #[inline(always)]
    pub fn push(&mut self, e: Event) {
        let i = self.heap.len();
        self.heap.push(e);
        self.rise(i, e);
    }

    /// Puts `e` at the hole `i` or above it, moving larger parents down.
    #[inline(always)]
    fn rise(&mut self, mut i: usize, e: Event) {
        let key = e.key();
        let h = &mut self.heap[..=i];
        while i > 0 {
            let parent = (i - 1) / 2;
            let p = h[parent];
            if p.key() < key {
                break;
            }
            h[i] = p;
            i = parent;
        }
        h[i] = e;
    }

    /// Removes and returns the earliest event.
    #[inline(always)]
    pub fn pop(&mut self) -> Option<Event> {
        let last = self.heap.pop()?;
        let Some(&top) = self.heap.first() else {
            return Some(last);
        };
        // Move the hole at the root down to the bottom along the smaller
        // children, then let `last` rise from there: it came from the
        // bottom, so it rarely rises far (as the standard library's heap).
        let h = self.heap.as_mut_slice();
        let n = h.len();
        let mut i = 0;
        let mut child = 1;
        // `child < n - 1` (n is at least 1 here) rather than `child + 1 < n`:
        // the compiler then knows both children are in bounds.
        while child < n - 1 {
            child += usize::from(h[child + 1].key() < h[child].key());
            h[i] = h[child];
            i = child;
            child = 2 * i + 1;
        }
        if child == n - 1 {
            h[i] = h[child];
            i = child;
        }
        self.rise(i, last);
        Some(top)
    }
}

/// No heap position: the slot has no deadline.
const ABSENT: u32 = u32::MAX;

/// An indexed binary min-heap of deadlines, at most one per caller slot;
/// each entry is an [`Event`] whose payload is the slot.
#[derive(Debug, Default)]
pub struct Deadlines {
    heap: Vec<Event>,
    /// Heap position of each slot's deadline, or [`ABSENT`].
    pos: Vec<u32>,
}

impl Deadlines {
    /// Number of deadlines held.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether no deadline is held.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// The earliest deadline, without removing it.
    #[inline]
    pub fn peek(&self) -> Option<&Event> {
        self.heap.first()
    }

    /// Sets the deadline of `slot` (which must have none) at time `t` with
    /// sequence word `seq`.
    #[inline]
    pub fn insert(&mut self, slot: u32, t: f64, seq: u64) {
        let s = slot as usize;
        if s >= self.pos.len() {
            self.pos.resize(s + 1, ABSENT);
        }
        debug_assert_eq!(self.pos[s], ABSENT, "slot {slot} already has a deadline");
        let i = self.heap.len();
        self.heap.push(Event::new(t, seq, u64::from(slot)));
        self.pos[s] = i as u32;
        self.sift_up(i);
    }

    /// Removes the deadline of `slot`; false when it had none.
    #[inline]
    pub fn remove(&mut self, slot: u32) -> bool {
        let Some(&i) = self.pos.get(slot as usize) else {
            return false;
        };
        if i == ABSENT {
            return false;
        }
        self.take(i as usize);
        true
    }

    /// Removes and returns the earliest deadline: (slot, time).
    #[inline]
    pub fn pop(&mut self) -> Option<(u32, f64)> {
        let top = *self.heap.first()?;
        self.take(0);
        Some((top.payload as u32, top.time()))
    }

    /// Removes the entry at heap position `i`.
    fn take(&mut self, i: usize) {
        let gone = self.heap.swap_remove(i);
        self.pos[gone.payload as usize] = ABSENT;
        if i < self.heap.len() {
            self.pos[self.heap[i].payload as usize] = i as u32;
            if i > 0 && self.heap[i].key() < self.heap[(i - 1) / 2].key() {
                self.sift_up(i);
            } else {
                self.sift_down(i);
            }
        }
    }

    fn place(&mut self, i: usize, e: Event) {
        self.pos[e.payload as usize] = i as u32;
        self.heap[i] = e;
    }

    fn sift_up(&mut self, mut i: usize) {
        let e = self.heap[i];
        let key = e.key();
        while i > 0 {
            let parent = (i - 1) / 2;
            let p = self.heap[parent];
            if p.key() < key {
                break;
            }
            self.place(i, p);
            i = parent;
        }
        self.place(i, e);
    }

    fn sift_down(&mut self, mut i: usize) {
        let e = self.heap[i];
        let key = e.key();
        let n = self.heap.len();
        loop {
            let mut child = 2 * i + 1;
            if child >= n {
                break;
            }
            if child + 1 < n && self.heap[child + 1].key() < self.heap[child].key() {
                child += 1;
            }
            if key < self.heap[child].key() {
                break;
            }
            let c = self.heap[child];
            self.place(i, c);
            i = child;
        }
        self.place(i, e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Pops come out sorted by (time, sequence), whatever the order of
        /// pushes and however pushes and pops interleave.
        #[test]
        fn pops_in_key_order(ops in proptest::collection::vec((0u32..50, any::<bool>()), 0..300)) {
            let mut q = EventQueue::default();
            let mut model: Vec<(u64, u64)> = Vec::new();
            for (seq, (t, pop)) in ops.into_iter().enumerate() {
                if pop {
                    let got = q.pop().map(|e| (e.time().to_bits(), e.seq()));
                    model.sort_unstable();
                    let want = if model.is_empty() { None } else { Some(model.remove(0)) };
                    prop_assert_eq!(got, want);
                } else {
                    let t = f64::from(t) * 0.5;
                    q.push(Event::new(t, seq as u64, 0));
                    prop_assert!(q.next_key() < NO_KEY);
                    model.push((t.to_bits(), seq as u64));
                }
                prop_assert_eq!(q.len(), model.len());
            }
            model.sort_unstable();
            for want in model {
                let e = q.pop().expect("an event left");
                prop_assert_eq!((e.time().to_bits(), e.seq()), want);
            }
            prop_assert!(q.is_empty());
            prop_assert_eq!(q.next_key(), NO_KEY);
            prop_assert_eq!(key_time(q.next_key()), f64::INFINITY);
        }
    }

    proptest! {
        /// Deadlines come out in key order, removed ones never come out,
        /// and every slot's position stays right through the moves.
        #[test]
        fn deadlines_pop_in_key_order_after_removals(
            ops in proptest::collection::vec((0u32..20, 0u32..40, 0u8..3), 0..300),
        ) {
            let mut d = Deadlines::default();
            let mut model: std::collections::BTreeMap<u32, (u64, u64)> = Default::default();
            for (seq, (slot, t, op)) in ops.into_iter().enumerate() {
                match op {
                    0 if !model.contains_key(&slot) => {
                        let t = f64::from(t) * 0.25;
                        d.insert(slot, t, seq as u64);
                        model.insert(slot, (t.to_bits(), seq as u64));
                    }
                    1 => prop_assert_eq!(d.remove(slot), model.remove(&slot).is_some()),
                    _ => {
                        let want = model.iter().min_by_key(|(_, k)| **k).map(|(s, k)| (*s, *k));
                        if let Some((s, _)) = want {
                            model.remove(&s);
                        }
                        let got = d.pop().map(|(s, t)| (s, t.to_bits()));
                        prop_assert_eq!(got, want.map(|(s, k)| (s, k.0)));
                    }
                }
                prop_assert_eq!(d.len(), model.len());
                for (i, e) in d.heap.iter().enumerate() {
                    prop_assert_eq!(d.pos[e.payload as usize] as usize, i);
                }
            }
        }
    }

    #[test]
    fn equal_times_pop_in_sequence_order() {
        let mut q = EventQueue::default();
        for s in [5u64, 1, 4, 2, 3] {
            q.push(Event::new(7.0, s, s * 10));
        }
        q.push(Event::new(0.0, 9, 90));
        assert_eq!(key_time(q.next_key()), 0.0);
        let order: Vec<u64> = std::iter::from_fn(|| q.pop().map(|e| e.payload)).collect();
        assert_eq!(order, [90, 10, 20, 30, 40, 50]);
    }
}
