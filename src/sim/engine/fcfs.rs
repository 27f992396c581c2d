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
//! bins, instead of snapshots (`fcfs/line.rs`).
//!
//! A menu whose entry is a queue needs no walk: its callers are run by a
//! loop of their own that holds the queue's line and counters at hand,
//! takes its draws from `fcfs/draws.rs` (standard exponentials made ahead
//! in blocks when every draw is one), counts the calls answered at once
//! and the callers' outcomes after the loop, and copies the time to a
//! human from the wait, which it is.

mod draws;
mod line;

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::bins::Bin;
use super::*;
use draws::{Drawn, Draws, Exponentials, Stream};
use line::{Join, Line, Place};

/// The checks before each arrival, made only when they could fail: the
/// callers in the system (in the menu or waiting) are counted exactly,
/// and as only an arrival adds one, the count cannot pass
/// `max_in_system` before as many arrivals as are left below it (and at
/// most every 1,024, to keep the lines' `leaves` short); the stop flag is
/// read then too.
struct Count {
    /// Arrivals before the next check.
    left: usize,
}

impl Count {
    fn new() -> Count {
        Count { left: 1 }
    }

    /// Counts an arrival: whether the checks are due.
    #[inline(always)]
    fn due(&mut self) -> bool {
        self.left -= 1;
        self.left == 0
    }

    /// The checks with `n` callers in the system: whether one more is
    /// too many.
    fn full(&mut self, n: usize, max: usize) -> bool {
        self.left = max.saturating_sub(n).min(1024);
        n + 1 > max
    }
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
    /// Per pool.
    lines: Vec<Line>,
    queues: Vec<FastQueue>,
    /// Per queue: integral of callers waiting over the measured period.
    queue_area: Vec<f64>,
    /// The time bin found last.
    bin: Bin,
    /// The queue callers arrive at straight, when the entry is one: their
    /// time to a human is their wait, whose figures are copied at the end.
    direct: Option<usize>,
}

/// What a join needs of its queue, at hand.
#[derive(Clone, Copy)]
struct FastQueue {
    pool: usize,
    /// `max_wait` (infinite without) and where it leads.
    max_wait: f64,
    to: u32,
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
    /// The state for `plan`: its lines are set up when
    /// [`Engine::run_fast`] starts (the event engine does not use them).
    pub(super) fn new(plan: &Plan) -> Fast {
        Fast {
            pending: BinaryHeap::new(),
            order: 0,
            lines: Vec::new(),
            queues: plan
                .queues
                .iter()
                .map(|q| {
                    let (max_wait, to) = q.max_wait.unwrap_or((f64::INFINITY, END));
                    FastQueue {
                        pool: q.pool,
                        max_wait,
                        to,
                    }
                })
                .collect(),
            queue_area: vec![0.0; plan.queues.len()],
            bin: Bin::default(),
            direct: None,
        }
    }
}

impl<const LOG: bool> Engine<'_, LOG> {
    /// Runs the replication by the recursion ([`eligible`] menus).
    pub(super) fn run_fast(mut self) -> Result<RepResult, crate::sim::SimError> {
        if self.plan.rate_variation > 0.0 {
            self.draw_day();
        }
        let bins = self.out.bin_time.len();
        self.fast.lines = (0..self.plan.pools.len())
            .map(|p| Line::new(&self.place(p), bins))
            .collect();
        let t = if self.plan.peak_rate > 0.0 {
            self.next_arrival(0.0)
        } else {
            f64::INFINITY
        };
        // A menu whose entry is a queue needs no walk and no caller slot.
        match self.plan.steps[self.plan.entry as usize] {
            Step::Queue(q) => {
                self.fast.direct = Some(q);
                self.arrivals_at_queue(t, q)?;
            }
            _ => self.arrivals_walking(t)?,
        }
        self.flush(f64::INFINITY);
        self.close_fast();
        Ok(self.out)
    }

    /// Pool `p`'s place.
    fn place(&self, p: usize) -> Place<'_> {
        Place {
            plan: self.plan,
            s: &self.s,
            pool: p,
        }
    }

    /// Runs the arrivals from the first, at `t`, of a menu whose callers
    /// walk before they reach a queue.
    #[inline(never)]
    fn arrivals_walking(&mut self, mut t: f64) -> Result<(), crate::sim::SimError> {
        let mut count = Count::new();
        while t < self.s.end {
            let next = self.next_arrival(t);
            self.flush(t);
            if count.due() {
                self.stopped()?;
                let waiting: usize = self.fast.lines.iter_mut().map(|l| l.waiting_at(t)).sum();
                if count.full(self.active + waiting, self.s.max_in_system) {
                    return Err(self.too_many().into());
                }
            }
            self.arrive(t, self.plan.entry)?;
            t = next;
        }
        Ok(())
    }

    /// Runs the arrivals from the first, at `t`, of a menu whose entry is
    /// queue `q`: the event engine's arrival, contact and one-step walk,
    /// without a caller slot (the same draws in the same order). The
    /// queue's line and counters are held at hand for the whole run.
    #[inline(never)]
    fn arrivals_at_queue(&mut self, t: f64, q: usize) -> Result<(), crate::sim::SimError> {
        let p = self.fast.queues[q].pool;
        let mut line = std::mem::take(&mut self.fast.lines[p]);
        let mut acc = std::mem::take(&mut self.out.queues[q]);
        let mut area = 0.0;
        // The stream at hand (nothing else draws until the run ends).
        let (plan, s) = (self.plan, self.s);
        let (rng, gap, handle) = (self.rng.clone(), self.arrival_gap, &plan.pools[p].handle);
        let run = match Exponentials::new(rng.clone(), plan, gap, handle) {
            Some(draws) => self.direct(draws, t, q, &mut line, &mut acc, &mut area),
            None => {
                let draws = Stream {
                    rng,
                    plan,
                    s: &s,
                    gap,
                    handle,
                };
                self.direct(draws, t, q, &mut line, &mut acc, &mut area)
            }
        };
        self.fast.lines[p] = line;
        self.out.queues[q] = acc;
        self.fast.queue_area[q] += area;
        run
    }

    /// The loop of [`Engine::arrivals_at_queue`], drawing from `draws`.
    #[inline(always)]
    fn direct<D: Draws>(
        &mut self,
        mut draws: D,
        mut t: f64,
        q: usize,
        line: &mut Line,
        acc: &mut QueueAcc,
        area: &mut f64,
    ) -> Result<(), crate::sim::SimError> {
        let (plan, s) = (self.plan, self.s);
        let fq = self.fast.queues[q];
        let place = Place {
            plan,
            s: &s,
            pool: fq.pool,
        };
        let mut bin = self.fast.bin;
        let mut count = Count::new();
        // (Without segments the segment counters are filled at the end.)
        let (segments, per_interval) = (self.out.seg_queue.len() > 1, s.interval > 0.0);
        // The counted callers and their outcomes, and the calls answered
        // at once (about half on the Erlang-A reference), added to the
        // books after the loop.
        let (mut callers, mut outcomes, mut at_once) = (0, [0; Outcome::ALL.len()], 0);
        let run = loop {
            if t >= s.end {
                break Ok(());
            }
            if count.due() {
                if let Err(e) = self.stopped() {
                    break Err(e);
                }
                // Nobody walks the menu: the callers in the system are
                // those waiting.
                if count.full(line.waiting_at(t), s.max_in_system) {
                    break Err(self.too_many().into());
                }
            }
            let Drawn {
                next,
                seg,
                patience,
                fixed,
                handle,
            } = draws.caller(t);
            let counted = t >= s.warmup;
            if counted {
                callers += 1;
                if segments {
                    let acc = &mut self.out.seg_callers[seg];
                    acc.callers += 1;
                    acc.calls += 1;
                }
            }
            let join = Join {
                at: t,
                patience,
                max_wait: fq.max_wait,
                handle,
                fixed,
            };
            match line.serve(&place, &mut bin, area, join) {
                // (Without a slot, a caller forced out walks on to its one
                // hangup step: the step limit is above two.)
                Some(sv) => {
                    if counted {
                        if sv.wait == 0.0 && sv.how == WaitEnd::Answered {
                            at_once += 1;
                        } else {
                            sv.count(acc, s.sl_target);
                        }
                        outcomes[sv.outcome as usize] += 1;
                        if segments {
                            sv.count(&mut self.out.seg_queue[seg], s.sl_target);
                            self.out.seg_callers[seg].outcomes[sv.outcome as usize] += 1;
                        }
                    }
                    if per_interval {
                        self.interval_acc(counted, q, sv.joined, sv.wait, sv.how);
                    }
                }
                None if counted => {
                    // Still waiting at the drain limit.
                    acc.queued += 1;
                    if segments {
                        self.out.seg_queue[seg].queued += 1;
                    }
                }
                None => {}
            }
            t = next;
        };
        acc.answered_at_once(at_once, s.sl_target);
        let c = &mut self.out.callers;
        c.callers += callers;
        c.calls += callers;
        for (sum, n) in c.outcomes.iter_mut().zip(outcomes) {
            *sum += n;
        }
        self.rng = draws.into_rng();
        self.fast.bin = bin;
        run
    }

    /// Fails when the replication is asked to stop.
    fn stopped(&self) -> Result<(), crate::sim::SimError> {
        match self.stop {
            Some(f) if f.load(Ordering::Relaxed) => Err(crate::sim::SimError::Interrupted),
            _ => Ok(()),
        }
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

    /// A caller the walk brought to queue `q` at `t` joins it: answered at
    /// the first free seat, or gone when its patience or the queue's
    /// `max_wait` runs out before that.
    fn join_slot(&mut self, slot: u32, q: usize, t: f64) {
        let c = &self.callers[slot as usize];
        let (seg, counted, first) = (c.seg as usize, c.counted, c.first);
        let fq = self.fast.queues[q];
        let join = Join {
            at: t,
            patience: (c.patience - c.waited).max(0.0),
            max_wait: fq.max_wait,
            handle: c.handle,
            fixed: self.plan.fixed_patience[seg] && c.waited == 0.0,
        };
        let place = Place {
            plan: self.plan,
            s: &self.s,
            pool: fq.pool,
        };
        let Fast {
            lines, queue_area, bin, ..
        } = &mut self.fast;
        let served = lines[fq.pool].serve(&place, bin, &mut queue_area[q], join);
        let sl = self.s.sl_target;
        let segments = self.out.seg_queue.len() > 1;
        let Some(sv) = served else {
            // The event engine stops at the drain limit with the caller
            // still waiting.
            if counted {
                self.out.queues[q].queued += 1;
                if segments {
                    self.out.seg_queue[seg].queued += 1;
                }
            }
            return;
        };
        if counted {
            sv.count(&mut self.out.queues[q], sl);
            if segments {
                sv.count(&mut self.out.seg_queue[seg], sl);
            }
            if sv.outcome == Outcome::Answered {
                self.time_to_human(seg, sv.start + 0.0 - first);
            }
        }
        if self.s.interval > 0.0 {
            self.interval_acc(counted, q, sv.joined, sv.wait, sv.how);
        }
        if sv.outcome == Outcome::ForcedOut && fq.to != END {
            // On to the hangup node `max_wait` names.
            self.callers[slot as usize].forced = true;
            self.walk(slot, fq.to, sv.start, sv.start);
            return;
        }
        self.finish(slot, sv.outcome);
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
                let next = line::next_shift(&self.place(p), t).min(self.s.end);
                let (a, b) = (t.max(self.s.warmup), next);
                if a < b {
                    area += f64::from(cap) * (b - a);
                }
                t = next;
                cap = self.plan.seats_at(p, self.s.clock0 + t);
            }
            self.out.pools[p].seat_area = area;
        }
        for (acc, pool) in self.out.pools.iter_mut().zip(&mut self.fast.lines) {
            acc.busy_area = pool.busy_area;
            acc.wait_area = pool.wait_area;
            acc.busy_bins = std::mem::take(&mut pool.busy_bins);
            acc.wait_bins = std::mem::take(&mut pool.wait_bins);
        }
        if let Some(q) = self.fast.direct {
            // A caller who arrives straight at the queue reaches a human
            // after its wait: the same figures, added in the same order.
            let copy = |c: &mut CallerAcc, acc: &QueueAcc| {
                c.time_to_human_sum = acc.wait_answered_sum;
                c.time_to_human.clone_from(&acc.hist_answered);
            };
            copy(&mut self.out.callers, &self.out.queues[q]);
            if self.out.seg_callers.len() > 1 {
                for (c, acc) in self.out.seg_callers.iter_mut().zip(&self.out.seg_queue) {
                    copy(c, acc);
                }
            }
        }
        if self.fast.direct.is_some() && self.plan.segment_cum.is_empty() {
            // Without segments the segment slot counts what the totals do
            // (its time to a human is not kept, as in the event engine).
            let c = &self.out.callers;
            self.out.seg_callers[0] = CallerAcc {
                time_to_human_sum: 0.0,
                time_to_human: Default::default(),
                ..c.clone()
            };
        }
        self.out.queue_area = std::mem::take(&mut self.fast.queue_area);
        for q in &self.out.queues {
            self.out.total.merge(q);
        }
        self.out.unfinished = self.active as u64;
    }
}
