//! A pool's first-come line: its seats as the times they free, the shift
//! changes reached so far, and the time integrals of the callers it holds.

use super::super::bins::{Bin, spread};
use super::super::seats::Seats;
use super::super::{DRAIN_LIMIT, RunSettings, arrivals};
use crate::sim::plan::Plan;
use crate::sim::stats::{Outcome, QueueAcc, WaitEnd};

/// A pool's line and its books, kept beside the recursion and handed to
/// the replication's result at the end.
#[derive(Default)]
pub(super) struct Line {
    /// When each seat frees.
    pub(super) free: Seats,
    /// When the seats change next (infinite without a schedule).
    pub(super) next_shift: f64,
    /// When the callers who joined since the last count leave the line
    /// (answered or not), and those counted then still waiting.
    pub(super) leaves: Vec<f64>,
    /// Integrals over the measured period: busy seats, callers waiting,
    /// in all and per time bin.
    pub(super) busy_area: f64,
    pub(super) wait_area: f64,
    pub(super) busy_bins: Vec<f64>,
    pub(super) wait_bins: Vec<f64>,
}

/// Where the line is: the plan and run it belongs to, and its pool.
pub(super) struct Place<'a> {
    pub(super) plan: &'a Plan,
    pub(super) s: &'a RunSettings,
    pub(super) pool: usize,
}

/// A caller who joins: when, its patience left and the queue's `max_wait`
/// (infinite without).
#[derive(Clone, Copy)]
pub(super) struct Join {
    pub(super) at: f64,
    pub(super) patience: f64,
    pub(super) max_wait: f64,
    /// The handle time of the agent who answers.
    pub(super) handle: f64,
    /// Whether the patience is a point mass.
    pub(super) fixed: bool,
}

/// How a wait in the line ended.
#[derive(Clone, Copy)]
pub(super) struct Served {
    /// `Answered`, `Abandoned` or `ForcedOut`.
    pub(super) outcome: Outcome,
    /// The same for the wait's counters.
    pub(super) how: WaitEnd,
    /// Whether the wait is a point mass (a fixed patience, `max_wait`).
    pub(super) atom: bool,
    /// When the caller was answered, or forced out (the other ends have
    /// no use for it).
    pub(super) start: f64,
    /// The wait.
    pub(super) wait: f64,
    /// The time the staffing interval is read at (the joining time, as
    /// the end of the wait less the wait).
    pub(super) joined: f64,
}

impl Served {
    /// Counts the wait in `acc`.
    #[inline(always)]
    pub(super) fn count(&self, acc: &mut QueueAcc, sl_target: f64) {
        acc.queued += 1;
        acc.wait(self.wait, self.how, sl_target, self.atom);
    }
}

impl Line {
    /// The line of pool `p` at the start of a run with series of `bins`
    /// bins.
    pub(super) fn new(place: &Place, bins: usize) -> Line {
        let mut line = Line {
            next_shift: next_shift(place, 0.0),
            busy_bins: vec![0.0; bins],
            wait_bins: vec![0.0; bins],
            ..Line::default()
        };
        line.free
            .change_to(place.plan.seats_at(place.pool, place.s.clock0), 0.0);
        line
    }

    /// A caller joins: answered at the first free seat, or gone when its
    /// patience or `max_wait` runs out before that; the waiting and busy
    /// time added to the books (`area`: the queue's waiting time). `None`
    /// when the wait lasts past the drain limit (the event engine stops
    /// with the caller still waiting).
    #[inline(always)]
    pub(super) fn serve(&mut self, place: &Place, bin: &mut Bin, area: &mut f64, j: Join) -> Option<Served> {
        let (warmup, end) = (place.s.warmup, place.s.end);
        let start = self.first_free(place, j.at);
        let (gives_up, forced) = (j.at + j.patience, j.at + j.max_wait);
        let leave = earlier(earlier(start, gives_up), forced);
        if leave > j.at {
            let (a, b) = (later(j.at, warmup), earlier(leave, end));
            if a < b {
                *area += b - a;
                self.wait_area += b - a;
                spread(&mut self.wait_bins, bin, warmup, a, b);
            }
            self.leaves.push(leave);
        }
        if leave > end + DRAIN_LIMIT {
            return None;
        }
        Some(if start <= leave {
            let done = start + j.handle;
            self.free.replace_first(done);
            let (a, b) = (later(start, warmup), earlier(done, end));
            if a < b {
                self.busy_area += b - a;
                spread(&mut self.busy_bins, bin, warmup, a, b);
            }
            let wait = if start > j.at { start - j.at } else { 0.0 };
            Served {
                outcome: Outcome::Answered,
                how: WaitEnd::Answered,
                atom: false,
                start,
                wait,
                joined: start - wait,
            }
        } else if gives_up <= forced {
            Served {
                outcome: Outcome::Abandoned,
                how: WaitEnd::Abandoned,
                atom: j.fixed,
                start,
                wait: j.patience,
                joined: gives_up - j.patience,
            }
        } else {
            Served {
                outcome: Outcome::ForcedOut,
                how: WaitEnd::Forced,
                atom: true,
                start: forced,
                wait: j.max_wait,
                joined: forced - j.max_wait,
            }
        })
    }

    /// The first time at or after `t` a seat is free, the shifts up to it
    /// applied (infinite when the pool has no seat left).
    #[inline(always)]
    fn first_free(&mut self, place: &Place, t: f64) -> f64 {
        loop {
            let start = later(self.free.first(), t);
            let shift = self.next_shift;
            if shift > start || shift > place.s.end + DRAIN_LIMIT {
                return start;
            }
            self.shift(place, shift);
        }
    }

    /// The seats change at `t`.
    #[inline(never)]
    fn shift(&mut self, place: &Place, t: f64) {
        let cap = place.plan.seats_at(place.pool, place.s.clock0 + t);
        self.next_shift = next_shift(place, t);
        self.free.change_to(cap, t);
    }

    /// Callers waiting at `t` (those who joined and leave after it).
    pub(super) fn waiting_at(&mut self, t: f64) -> usize {
        self.leaves.retain(|&l| l > t);
        self.leaves.len()
    }
}

/// When the pool's seats change next after `t` (infinite without a
/// schedule).
pub(super) fn next_shift(place: &Place, t: f64) -> f64 {
    arrivals::shift_after(place.plan, place.s, place.pool, t)
}

/// The earlier of two times (neither is NaN).
#[inline(always)]
pub(super) fn earlier(a: f64, b: f64) -> f64 {
    if b < a { b } else { a }
}

/// The later of two times (neither is NaN).
#[inline(always)]
pub(super) fn later(a: f64, b: f64) -> f64 {
    if b > a { b } else { a }
}
