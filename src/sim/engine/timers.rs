//! Timers set a fixed delay after a caller joins a queue: the queue's
//! `max_wait` and its call-back offer.
//!
//! Each queue's delay is the same for every caller and callers join in
//! time order, so its timers come due in the order they were set: they
//! wait in a line of their own, and only the line's first live timer is
//! in the event queue. A timer whose caller was answered, or left, before
//! it came due would do nothing; it is passed over when the line moves on
//! rather than popped from the event queue (at 95% load most `max_wait`
//! timers are such). The timer in the event queue carries the sequence
//! number it was given when it was set, so events come out in the same
//! order as if every timer had been queued.

use super::*;

/// One timer: when it comes due, its sequence number, and the caller's
/// wait it belongs to (slot and epoch).
#[derive(Clone, Copy, Debug)]
pub(super) struct Timer {
    time: f64,
    seq: u64,
    slot: u32,
    epoch: u32,
}

/// The `max_wait` line of queue `q` (see [`Engine::set_timer`]).
pub(super) fn max_wait_line(q: usize) -> usize {
    2 * q
}

/// The call-back offer line of queue `q`.
pub(super) fn offer_line(q: usize) -> usize {
    2 * q + 1
}

impl<const LOG: bool> Engine<'_, LOG> {
    /// Sets a timer in `line` at `time` for the wait `(slot, epoch)`.
    #[inline]
    pub(super) fn set_timer(&mut self, line: usize, time: f64, slot: u32, epoch: u32) {
        self.seq += 1;
        let timer = Timer {
            time,
            seq: self.seq,
            slot,
            epoch,
        };
        let timers = &mut self.timers[line];
        timers.push_back(timer);
        // A line holds its first timer in the event queue from the moment
        // it has one.
        if timers.len() == 1 {
            self.queue_timer(line, timer);
        }
    }

    /// The first timer of `line` came due: takes it out of the line, puts
    /// the line's next live timer in the event queue, and returns its
    /// caller's slot if the wait is still on (the timer has work to do).
    #[inline]
    pub(super) fn timer_due(&mut self, line: usize) -> Option<u32> {
        let due = self.timers[line].pop_front()?;
        // Callers' waits end for good (an answered or departed caller's
        // epoch moves on), so a timer that would do nothing now never
        // will; and the due timer changes no other caller's wait.
        while let Some(&next) = self.timers[line].front() {
            if self.waits(next.slot, next.epoch) {
                self.queue_timer(line, next);
                break;
            }
            self.timers[line].pop_front();
        }
        self.waits(due.slot, due.epoch).then_some(due.slot)
    }

    /// Whether the wait `(slot, epoch)` is still on: the caller waits in
    /// line and holds no call-back.
    #[inline]
    fn waits(&self, slot: u32, epoch: u32) -> bool {
        let c = &self.callers[slot as usize];
        c.epoch == epoch && c.waiting && !c.callback
    }

    #[inline]
    fn queue_timer(&mut self, line: usize, timer: Timer) {
        let (tag, payload) = Ev::Timer(line as u32).pack();
        self.heap.push(Event::new(timer.time, timer.seq << 3 | tag, payload));
    }
}
