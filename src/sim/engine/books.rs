//! The books of a replication: a journey's end counted by outcome,
//! channel and segment, the pools' areas integrated over time, the
//! snapshots of the time bins and the staffing intervals.

use super::*;

impl<const LOG: bool> Engine<'_, LOG> {
    /// Ends a caller's journey.
    pub(super) fn finish(&mut self, slot: u32, outcome: Outcome) {
        let c = &self.callers[slot as usize];
        if LOG
            && c.counted
            && let Some(l) = &mut self.log
        {
            let o = match outcome {
                _ if c.deflected && outcome != Outcome::Answered => LogOutcome::Deflected,
                Outcome::Answered => LogOutcome::Answered,
                Outcome::Abandoned => LogOutcome::Abandoned,
                Outcome::ForcedOut => LogOutcome::Disconnected,
                Outcome::ResolvedSelfService | Outcome::ResolvedOnline => LogOutcome::Resolved,
                Outcome::GaveUp | Outcome::HungUp | Outcome::Stuck => LogOutcome::Hangup,
            };
            l.end(slot, o, c.channel == 1);
        }
        let c = &mut self.callers[slot as usize];
        c.epoch = c.epoch.wrapping_add(1);
        c.waiting = false;
        if c.counted {
            let i = outcome as usize;
            let seg = c.seg as usize;
            self.count_outcome(seg, outcome);
            let c = &self.callers[slot as usize];
            if c.deflected {
                self.out.callers.deflected += 1;
                self.out.seg_callers[c.seg as usize].deflected += 1;
            }
            if self.plan.has_online {
                self.finish_channels(slot, i);
            }
        }
        self.free.push(slot);
        self.active -= 1;
    }

    /// Counts a counted caller's journey ending with `outcome`.
    #[inline(always)]
    pub(super) fn count_outcome(&mut self, seg: usize, outcome: Outcome) {
        let i = outcome as usize;
        self.out.callers.outcomes[i] += 1;
        self.out.seg_callers[seg].outcomes[i] += 1;
    }

    /// Counts a finished journey's channel, switches and bounce.
    #[inline(never)]
    pub(super) fn finish_channels(&mut self, slot: u32, outcome: usize) {
        let c = &self.callers[slot as usize];
        self.out.channels[usize::from(c.channel)].outcomes[outcome] += 1;
        let (switches, bounced) = (u64::from(c.switches), c.bounce == 3);
        for acc in [&mut self.out.callers, &mut self.out.seg_callers[c.seg as usize]] {
            acc.switches += switches;
            acc.switched += u64::from(switches > 0);
            acc.bounced += u64::from(bounced);
            acc.switch_counts[(switches as usize).min(4)] += 1;
        }
    }

    /// Applies `f` to the queue accumulators of a counted caller's call.
    /// (The total is the sum of the queues, added up at the end; segment
    /// counters are kept only when the menu has segments.)
    #[inline]
    pub(super) fn queue_acc(&mut self, slot: u32, q: usize, f: impl Fn(&mut QueueAcc)) {
        let c = &self.callers[slot as usize];
        self.count_queue(c.counted, c.seg as usize, q, f);
    }

    /// [`Engine::queue_acc`] for a caller of segment slot `seg`, counted
    /// or not.
    #[inline(always)]
    pub(super) fn count_queue(&mut self, counted: bool, seg: usize, q: usize, f: impl Fn(&mut QueueAcc)) {
        if counted {
            f(&mut self.out.queues[q]);
            if self.out.seg_queue.len() > 1 {
                f(&mut self.out.seg_queue[seg]);
            }
        }
    }

    /// Integrates the pool's seats and callers waiting up to `t` (areas
    /// since time 0; the measured period and the time bins are
    /// differences of snapshots taken by [`Ev::Tick`]).
    #[inline]
    pub(super) fn touch(&mut self, p: usize, t: f64) {
        let pool = &mut self.pools[p];
        let dt = t - pool.last;
        pool.last = t;
        pool.cum[0] += f64::from(pool.seats.count()) * dt;
        pool.cum[1] += pool.waiting as f64 * dt;
    }

    /// Adds a seat of pool `p` busy from `a` to `b` to its busy area and
    /// time bins, clipped to the measured period.
    #[inline(always)]
    pub(super) fn busy(&mut self, p: usize, a: f64, b: f64) {
        // (Plain comparisons: the times are never NaN.)
        let (w, e) = (self.s.warmup, self.s.end);
        let (a, b) = (if a < w { w } else { a }, if b > e { e } else { b });
        if a < b {
            let acc = &mut self.out.pools[p];
            acc.busy_area += b - a;
            bins::spread(&mut acc.busy_bins, &mut self.bin, self.s.warmup, a, b);
        }
    }

    #[inline]
    pub(super) fn touch_queue(&mut self, q: usize, t: f64) {
        let dt = t - self.queue_last[q];
        self.queue_last[q] = t;
        self.queue_area[q] += self.queue_waiting[q] as f64 * dt;
    }

    /// When snapshot `k` is taken (see [`Engine::tick`]).
    pub(super) fn tick_time(&self, k: u64) -> f64 {
        if k >= self.last_tick {
            self.s.end
        } else {
            self.s.warmup + k as f64 * BIN
        }
    }

    /// Takes the pending snapshot of the areas: the time since the previous
    /// one goes to its time bin (folded onto one day), the first and the
    /// last mark the measured period.
    pub(super) fn tick(&mut self, t: f64) {
        for p in 0..self.pools.len() {
            self.touch(p, t);
        }
        for q in 0..self.queue_waiting.len() {
            self.touch_queue(q, t);
        }
        let k = self.tick;
        if k > 0 {
            let bin = ((k - 1) % DAY_BINS) as usize;
            self.out.bin_time[bin] += t - self.tick_time(k - 1);
            for ((pool, acc), snap) in self.pools.iter().zip(&mut self.out.pools).zip(&self.snap) {
                acc.wait_bins[bin] += pool.cum[1] - snap;
            }
        }
        for (p, pool) in self.pools.iter().enumerate() {
            self.snap[p] = pool.cum[1];
            if k == 0 {
                self.window[p].0 = pool.cum;
            }
            if k == self.last_tick {
                self.window[p].1 = pool.cum;
            }
        }
        if k == 0 {
            self.queue_window.0.clone_from(&self.queue_area);
        }
        if k == self.last_tick {
            self.queue_window.1.clone_from(&self.queue_area);
            self.closed = true;
        } else {
            self.tick = k + 1;
            let next = self.tick_time(k + 1);
            self.push(next, Ev::Tick);
        }
    }

    /// Fills the pool and queue figures from the snapshots.
    pub(super) fn close_books(&mut self) {
        for (p, acc) in self.out.pools.iter_mut().enumerate() {
            let (start, end) = self.window[p];
            acc.seat_area = end[0] - start[0];
            acc.wait_area = end[1] - start[1];
        }
        self.out.queue_area = self
            .queue_window
            .1
            .iter()
            .zip(&self.queue_window.0)
            .map(|(e, s)| e - s)
            .collect();
    }

    /// Counts a finished wait in its pool's staffing interval (by the time
    /// the call joined the queue).
    #[inline(never)]
    pub(super) fn interval_acc(&mut self, counted: bool, q: usize, joined: f64, wait: f64, how: WaitEnd) {
        if !counted || joined < self.s.warmup || joined >= self.s.end {
            return;
        }
        let n = intervals(&self.s);
        let i = (((joined - self.s.warmup) / self.s.interval) as usize) % n;
        let acc = &mut self.out.intervals[self.plan.queues[q].pool * n + i];
        acc.queued += 1;
        acc.wait_sum += wait;
        match how {
            WaitEnd::Answered if wait <= self.s.sl_target => acc.within_sl += 1,
            WaitEnd::Abandoned => acc.abandoned += 1,
            _ => {}
        }
    }
}
