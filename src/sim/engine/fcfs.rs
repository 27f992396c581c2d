//! The exact fast path: menus whose pools each answer one first-come line
//! are advanced by the recursion of the FCFS multi-server queue instead of
//! events.
//!
//! In a pool without priorities, busy rules, call-backs or chats, the
//! agent who answers a caller is the one who frees first after the caller
//! joined, and a caller who hangs up never holds an agent; so a caller's
//! start is `max(joined, earliest free seat)` over the seats left by the
//! callers who joined before, and the caller abandons when the patience
//! (or `max_wait`) runs out before that. Shift changes act on the seats
//! when the line reaches them: more seats are free from the shift, fewer
//! drop the seats that free first (the agents who stay are the busy ones,
//! as in the event engine, where no one is answered until fewer agents are
//! busy than seated). Callers are processed in the order they join; the
//! walk through the menu is the event engine's own, and every draw (the
//! handle time included) is made in the walk, so both engines draw the
//! same stream and give the same replication (`tests/it/fast_path.rs`
//! compares them on random menus). The pools' time integrals are added
//! per caller, clipped to the measured period and split over its time
//! bins, instead of snapshots.

mod bins;
mod seats;

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::*;
use bins::{Bin, spread};
use seats::Seats;

/// What the recursion needs of a caller who joins a queue.
#[derive(Clone, Copy)]
struct Joiner {
    /// Segment slot.
    seg: usize,
    /// Whether the caller arrived in the measured period.
    counted: bool,
    /// When the caller first called.
    first: f64,
    /// Patience left.
    patience: f64,
    /// Whether that patience is a point mass.
    fixed: bool,
    /// The handle time of the agent who answers.
    handle: f64,
}

const _: () = assert!(
    MAX_STEPS > 2,
    "a caller forced out straight from the entry walks one step on"
);

/// The state of the recursion.
pub(super) struct Fast {
    /// Callers walking towards a queue they reach later:
    /// (time as bits, order, slot, queue), earliest first.
    pending: BinaryHeap<Reverse<(u64, u64, u32, u32)>>,
    order: u64,
    pools: Vec<FastPool>,
    /// Per queue: integral of callers waiting over the measured period.
    queue_area: Vec<f64>,
    /// The time bin found last.
    bin: Bin,
}

struct FastPool {
    /// When each seat frees.
    free: Seats,
    /// When the seats change next (infinite without a schedule).
    next_shift: f64,
    /// When the callers who joined leave the line (answered or not), in
    /// the order they joined, from the first who may still wait: an upper
    /// bound of the callers waiting, exact when they leave in order.
    leaves: VecDeque<f64>,
}

/// Whether the fast path gives `plan` exactly what the event engine does:
/// no online channel, chats, redials, busy rules or call-backs, one
/// priority per pool, and `max_wait` only ending the call.
pub(super) fn eligible(plan: &Plan) -> bool {
    let ends = |to: u32| to == END || matches!(plan.steps[to as usize], Step::Hangup);
    !plan.has_online
        && plan.online_peak <= 0.0
        && plan.chat_queues.is_empty()
        && plan.redial.is_none()
        && plan.queues.iter().all(|q| {
            q.busy.is_none()
                && q.callback.is_none()
                && q.chat.is_none()
                && q.max_wait.is_none_or(|(_, to)| ends(to))
                && plan.queues.iter().all(|o| o.pool != q.pool || o.priority == q.priority)
        })
}

impl Fast {
    pub(super) fn new(plan: &Plan) -> Fast {
        Fast {
            pending: BinaryHeap::new(),
            order: 0,
            pools: plan.pools.iter().map(|_| FastPool::default()).collect(),
            queue_area: vec![0.0; plan.queues.len()],
            bin: Bin::default(),
        }
    }
}

impl Default for FastPool {
    fn default() -> FastPool {
        FastPool {
            free: Seats::default(),
            next_shift: f64::INFINITY,
            leaves: VecDeque::new(),
        }
    }
}

impl<const LOG: bool> Engine<'_, LOG> {
    /// Runs the replication by the recursion ([`eligible`] menus).
    pub(super) fn run_fast(mut self) -> Result<RepResult, crate::sim::SimError> {
        if self.plan.rate_variation > 0.0 {
            self.draw_day();
        }
        for p in 0..self.pools.len() {
            let (cap, shift) = (self.pools[p].cap, self.shift_after(p, 0.0));
            let pool = &mut self.fast.pools[p];
            for _ in 0..cap {
                pool.free.push(0.0);
            }
            pool.next_shift = shift;
        }
        let mut t = if self.plan.peak_rate > 0.0 {
            self.next_arrival(0.0)
        } else {
            f64::INFINITY
        };
        // A menu whose entry is a queue needs no walk and no caller slot.
        let direct = match self.plan.steps[self.plan.entry as usize] {
            Step::Queue(q) => Some(q),
            _ => None,
        };
        let mut arrivals: u32 = 0;
        // Callers in the system (in the menu or waiting) at the last count,
        // and arrivals since: only an arrival adds one, so the count is
        // taken again only when it could pass `max_in_system`, or every
        // 1,024 arrivals to keep `leaves` short.
        let (mut counted, mut since) = (0, 0);
        while t < self.s.end {
            if arrivals & 0xFFFF == 0xFFFF && self.stop.is_some_and(|f| f.load(Ordering::Relaxed)) {
                return Err(crate::sim::SimError::Interrupted);
            }
            arrivals = arrivals.wrapping_add(1);
            let next = self.next_arrival(t);
            self.flush(t);
            since += 1;
            if since >= 1024 || counted + since > self.s.max_in_system {
                counted = self.active + self.waiting_at(t);
                since = 1;
                if counted + 1 > self.s.max_in_system {
                    return Err(self.too_many().into());
                }
            }
            match direct {
                Some(q) => self.arrive_at_queue(t, q),
                None => self.arrive(t, self.plan.entry)?,
            }
            t = next;
        }
        self.flush(f64::INFINITY);
        self.close_fast();
        Ok(self.out)
    }

    /// When pool `p`'s seats change next after `t` (the event engine's
    /// [`Engine::schedule_shift`], to the same rounding).
    fn shift_after(&self, p: usize, t: f64) -> f64 {
        let sched = &self.plan.pools[p].schedule;
        if sched.is_empty() {
            return f64::INFINITY;
        }
        let day = (self.s.clock0 + t).rem_euclid(86400.0);
        let next = sched
            .iter()
            .map(|&(c, _)| c)
            .find(|&c| c > day + 1e-9)
            .map_or(86400.0 - day + sched[0].0, |c| c - day);
        t + next
    }

    /// A caller's walk reaches queue `q` at `t` (`now`: the time of the
    /// event that walks it): joined at once when nobody can join before
    /// it, else kept until the next arrival.
    #[inline(always)]
    pub(super) fn fast_join(&mut self, slot: u32, q: u32, t: f64, now: f64) {
        let f = &mut self.fast;
        let first = f.pending.peek().is_none_or(|Reverse(p)| f64::from_bits(p.0) >= t);
        if t <= now && first {
            self.join_slot(slot, q as usize, t);
        } else {
            f.order += 1;
            let order = f.order;
            f.pending.push(Reverse((t.to_bits(), order, slot, q)));
        }
    }

    /// Joins the callers who reach their queue before `t`, in order.
    fn flush(&mut self, t: f64) {
        loop {
            let f = &mut self.fast;
            let Some(&Reverse((bits, _, slot, q))) = f.pending.peek() else {
                return;
            };
            let at = f64::from_bits(bits);
            if at >= t {
                return;
            }
            f.pending.pop();
            if at > self.s.end + DRAIN_LIMIT {
                // Past the drain limit: the call stays unfinished.
                continue;
            }
            self.join_slot(slot, q as usize, at);
        }
    }

    /// Callers waiting at `t` (exact: the bound of `leaves` is counted out
    /// only when it is too high).
    fn waiting_at(&mut self, t: f64) -> usize {
        let mut bound = 0;
        for pool in &mut self.fast.pools {
            while pool.leaves.front().is_some_and(|&l| l <= t) {
                pool.leaves.pop_front();
            }
            bound += pool.leaves.len();
        }
        if self.active + 1 + bound <= self.s.max_in_system {
            return bound;
        }
        let f = &mut self.fast;
        f.pools
            .iter()
            .map(|p| p.leaves.iter().filter(|&&l| l > t).count())
            .sum()
    }

    /// The first time at or after `t` a seat of pool `p` is free, the
    /// shifts up to it applied (infinite when the pool has no seat left).
    #[inline(always)]
    fn first_free(&mut self, p: usize, t: f64) -> f64 {
        loop {
            let pool = &self.fast.pools[p];
            let start = later(pool.free.first(), t);
            let shift = pool.next_shift;
            if shift > start || shift > self.s.end + DRAIN_LIMIT {
                return start;
            }
            self.apply_shift(p, shift);
        }
    }

    /// Pool `p`'s seats change at `t`.
    #[inline(never)]
    fn apply_shift(&mut self, p: usize, t: f64) {
        let cap = self.plan.seats_at(p, self.s.clock0 + t);
        let next = self.shift_after(p, t);
        let pool = &mut self.fast.pools[p];
        pool.next_shift = next;
        let seats = pool.free.len();
        let cap = cap as usize;
        if cap > seats {
            for _ in seats..cap {
                pool.free.push(t);
            }
        }
        for _ in cap..seats {
            // The seats that free first go: no one is answered until fewer
            // agents are busy than seated.
            pool.free.pop_first();
        }
    }

    /// A caller the walk brought to queue `q` at `t` joins it.
    fn join_slot(&mut self, slot: u32, q: usize, t: f64) {
        let c = &self.callers[slot as usize];
        let who = Joiner {
            seg: c.seg as usize,
            counted: c.counted,
            first: c.first,
            patience: (c.patience - c.waited).max(0.0),
            fixed: self.plan.fixed_patience[c.seg as usize] && c.waited == 0.0,
            handle: c.handle,
        };
        self.join_fast(who, Some(slot), q, t);
    }

    /// A caller arrives at `t` straight at queue `q`, the menu's entry:
    /// the event engine's arrival, contact and one-step walk, without a
    /// caller slot (the same draws in the same order).
    #[inline(always)]
    fn arrive_at_queue(&mut self, t: f64, q: usize) {
        let plan = self.plan;
        let seg = plan.draw_segment(&mut self.rng);
        let patience = match &plan.patience[seg] {
            Some(p) => p.sample(&mut self.rng),
            None => f64::INFINITY,
        };
        let counted = t >= self.s.warmup;
        if counted {
            self.out.callers.callers += 1;
            self.out.callers.calls += 1;
            let acc = &mut self.out.seg_callers[seg];
            acc.callers += 1;
            acc.calls += 1;
        }
        let handle = plan.pools[plan.queues[q].pool].handle.sample(&mut self.rng);
        let who = Joiner {
            seg,
            counted,
            first: t,
            patience,
            fixed: plan.fixed_patience[seg],
            handle,
        };
        self.join_fast(who, None, q, t);
    }

    /// A caller joins queue `q` at `t`: answered at the first free seat,
    /// or gone when its patience or the queue's `max_wait` runs out before
    /// that. `slot`: the caller's slot, when it has one (callers who
    /// arrive straight at the queue have none).
    #[inline(always)]
    fn join_fast(&mut self, who: Joiner, slot: Option<u32>, q: usize, t: f64) {
        let plan = self.plan;
        let qp = &plan.queues[q];
        let p = qp.pool;
        let start = self.first_free(p, t);
        let gives_up = t + who.patience;
        let forced = qp.max_wait.map_or(f64::INFINITY, |(m, _)| t + m);
        let leave = earlier(earlier(start, gives_up), forced);
        if leave > t {
            self.add_wait_area(p, q, t, leave);
            self.fast.pools[p].leaves.push_back(leave);
        }
        if leave > self.s.end + DRAIN_LIMIT {
            // The event engine stops at the drain limit with the caller
            // still waiting.
            self.count_queue(who.counted, who.seg, q, |a| a.queued += 1);
            return;
        }
        let sl = self.s.sl_target;
        let outcome = if start <= leave {
            let end = start + who.handle;
            self.fast.pools[p].free.replace_first(end);
            self.add_busy_area(p, start, end);
            let wait = if start > t { start - t } else { 0.0 };
            self.count_queue(who.counted, who.seg, q, |a| {
                a.queued += 1;
                a.wait(wait, WaitEnd::Answered, sl, false);
            });
            if self.s.interval > 0.0 {
                self.interval_acc(who.counted, q, start - wait, wait, WaitEnd::Answered);
            }
            if who.counted {
                self.time_to_human(who.seg, start + 0.0 - who.first);
            }
            Outcome::Answered
        } else if gives_up <= forced {
            let wait = who.patience;
            self.count_queue(who.counted, who.seg, q, |a| {
                a.queued += 1;
                a.wait(wait, WaitEnd::Abandoned, sl, who.fixed);
            });
            if self.s.interval > 0.0 {
                self.interval_acc(who.counted, q, gives_up - wait, wait, WaitEnd::Abandoned);
            }
            Outcome::Abandoned
        } else {
            let (m, to) = qp.max_wait.unwrap_or((0.0, END));
            self.count_queue(who.counted, who.seg, q, |a| {
                a.queued += 1;
                a.wait(m, WaitEnd::Forced, sl, true);
            });
            if self.s.interval > 0.0 {
                self.interval_acc(who.counted, q, forced - m, m, WaitEnd::Forced);
            }
            if let Some(slot) = slot
                && to != END
            {
                // On to the hangup node `max_wait` names.
                self.callers[slot as usize].forced = true;
                self.walk(slot, to, forced, forced);
                return;
            }
            // Without a slot the walk on is its one hangup step (the
            // step limit is above two).
            Outcome::ForcedOut
        };
        match slot {
            Some(slot) => self.finish(slot, outcome),
            None if who.counted => self.count_outcome(who.seg, outcome),
            None => {}
        }
    }

    /// Counts a time to a human (of a counted caller).
    #[inline(always)]
    fn time_to_human(&mut self, seg: usize, tth: f64) {
        self.out.callers.time_to_human_sum += tth;
        self.out.callers.time_to_human.add(tth);
        if self.out.seg_callers.len() > 1 {
            let acc = &mut self.out.seg_callers[seg];
            acc.time_to_human_sum += tth;
            acc.time_to_human.add(tth);
        }
    }

    /// Adds a wait in queue `q` of pool `p` from `a` to `b` to the areas.
    #[inline(always)]
    fn add_wait_area(&mut self, p: usize, q: usize, a: f64, b: f64) {
        let (a, b) = (later(a, self.s.warmup), earlier(b, self.s.end));
        if a < b {
            self.fast.queue_area[q] += b - a;
            let acc = &mut self.out.pools[p];
            acc.wait_area += b - a;
            spread(&mut acc.wait_bins, &mut self.fast.bin, self.s.warmup, a, b);
        }
    }

    /// Adds a seat busy from `a` to `b` to pool `p`'s areas.
    #[inline(always)]
    fn add_busy_area(&mut self, p: usize, a: f64, b: f64) {
        let (a, b) = (later(a, self.s.warmup), earlier(b, self.s.end));
        if a < b {
            let acc = &mut self.out.pools[p];
            acc.busy_area += b - a;
            spread(&mut acc.busy_bins, &mut self.fast.bin, self.s.warmup, a, b);
        }
    }

    /// The figures that do not depend on the callers: the measured time
    /// per bin and the seats over the period; then the totals.
    fn close_fast(&mut self) {
        for k in 1..=self.last_tick {
            let bin = ((k - 1) % DAY_BINS) as usize;
            self.out.bin_time[bin] += self.tick_time(k) - self.tick_time(k - 1);
        }
        for p in 0..self.pools.len() {
            // Seats over [warm-up, end], changing at the shifts.
            let (mut t, mut area) = (0.0, 0.0);
            let mut cap = self.plan.seats_at(p, self.s.clock0);
            while t < self.s.end {
                let next = self.shift_after(p, t).min(self.s.end);
                let (a, b) = (t.max(self.s.warmup), next);
                if a < b {
                    area += f64::from(cap) * (b - a);
                }
                t = next;
                cap = self.plan.seats_at(p, self.s.clock0 + t);
            }
            self.out.pools[p].seat_area = area;
        }
        self.out.queue_area = std::mem::take(&mut self.fast.queue_area);
        for q in &self.out.queues {
            self.out.total.merge(q);
        }
        self.out.unfinished = self.active as u64;
    }
}

/// The earlier of two times (neither is NaN).
#[inline(always)]
fn earlier(a: f64, b: f64) -> f64 {
    if b < a { b } else { a }
}

/// The later of two times (neither is NaN).
#[inline(always)]
fn later(a: f64, b: f64) -> f64 {
    if b > a { b } else { a }
}
