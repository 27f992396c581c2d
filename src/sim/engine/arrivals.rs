//! Arrivals: the day's rate, the next arrival of each stream, shift
//! changes, and a caller's new contact with its channel bookkeeping.

use super::*;

impl<const LOG: bool> Engine<'_, LOG> {
    /// This day's rate factor: a Gamma draw with mean 1 and the menu's
    /// coefficient of variation; arrival gaps are divided by it.
    #[inline(never)]
    pub(super) fn draw_day(&mut self) {
        let v = self.plan.rate_variation;
        let shape = 1.0 / (v * v);
        if let Ok(g) = rand_distr::Gamma::new(shape, 1.0 / shape) {
            let factor: f64 = g.sample(&mut self.rng);
            self.gap_scale = 1.0 / factor.max(1e-12);
            self.arrival_gap = self.plan.peak_gap * self.gap_scale;
        }
    }

    /// The next arrival after `t` (thinning for a day profile).
    #[inline(always)]
    pub(super) fn next_arrival(&mut self, t: f64) -> f64 {
        let gap = self.arrival_gap;
        next_arrival(&mut self.rng, self.plan, &self.s, gap, t)
    }

    /// The next online arrival after `t` (thinning for a day profile).
    pub(super) fn next_online(&mut self, mut t: f64) -> f64 {
        let peak = self.plan.online_peak;
        loop {
            let e: f64 = Exp1.sample(&mut self.rng);
            t += e / peak * self.gap_scale;
            if t >= self.s.end {
                return t;
            }
            let rate = self.plan.online_rate_at(self.s.clock0 + t);
            if rate >= peak || self.rng.random::<f64>() * peak < rate {
                return t;
            }
        }
    }

    pub(super) fn schedule_shift(&mut self, p: usize, t: f64) {
        let next = shift_after(self.plan, &self.s, p, t);
        if next.is_finite() {
            self.push(next, Ev::Shift(p as u32));
        }
    }

    /// A new customer at `start` (the entry, or `online_entry`).
    #[inline(always)]
    pub(super) fn arrive(&mut self, t: f64, start: u32) -> Result<(), String> {
        let seg = self.plan.draw_segment(&mut self.rng);
        let patience = self.plan.draw_patience(seg, &mut self.rng);
        let counted = t >= self.s.warmup;
        let caller = Caller {
            epoch: 0,
            seg: seg as u16,
            counted,
            first: t,
            patience,
            channel: self.plan.channel[start as usize],
            ..Caller::default()
        };
        let slot = match self.free.pop() {
            Some(s) => {
                let epoch = self.callers[s as usize].epoch.wrapping_add(1);
                self.callers[s as usize] = Caller { epoch, ..caller };
                s
            }
            None => {
                self.callers.push(caller);
                (self.callers.len() - 1) as u32
            }
        };
        if LOG
            && counted
            && let Some(l) = &mut self.log
        {
            l.arrive(slot);
        }
        self.active += 1;
        if self.active > self.s.max_in_system {
            return Err(self.too_many());
        }
        if counted {
            self.out.callers.callers += 1;
            self.out.seg_callers[seg].callers += 1;
        }
        self.contact(slot, start, t);
        Ok(())
    }

    /// The error of a run with more than `max_in_system` callers at once.
    #[inline(never)]
    pub(super) fn too_many(&self) -> String {
        format!(
            "more than {} callers were in the system at once: the queues grow without bound (is the load above the seats, with callers who never abandon?); raise --max-in-system to go on",
            self.s.max_in_system
        )
    }

    /// Starts a contact (a first call or chat, a call-back, a redial) at
    /// `start`.
    #[inline(always)]
    pub(super) fn contact(&mut self, slot: u32, start: u32, t: f64) {
        let c = &mut self.callers[slot as usize];
        c.forced = false;
        c.steps = 0;
        if LOG
            && c.counted
            && let Some(l) = &mut self.log
        {
            l.contact(slot, t);
        }
        if self.begin(slot, self.plan.channel[start as usize]) {
            self.walk(slot, start, t, t);
        }
    }

    /// Counts a new contact in channel `ch` (a channel switch when the
    /// customer was in the other one; a new call when it is the phone);
    /// false when the customer reached the call limit and was let go.
    #[inline(always)]
    pub(super) fn begin(&mut self, slot: u32, ch: u8) -> bool {
        if self.plan.has_online {
            self.enter_channel(slot, ch);
        }
        let c = &mut self.callers[slot as usize];
        c.calls += 1;
        if c.calls > 1 {
            // A new contact: a patience of its own (the first contact's was
            // drawn on arrival).
            let seg = c.seg as usize;
            let patience = self.plan.draw_patience(seg, &mut self.rng);
            let c = &mut self.callers[slot as usize];
            c.patience = patience;
            c.waited = 0.0;
        }
        let c = &mut self.callers[slot as usize];
        if c.counted && ch == 0 {
            self.out.callers.calls += 1;
            self.out.seg_callers[c.seg as usize].calls += 1;
        }
        if c.calls > MAX_CALLS {
            self.out.call_limit += 1;
            self.finish(slot, Outcome::GaveUp);
            return false;
        }
        true
    }

    /// The channel bookkeeping of a new contact in channel `ch`: switches,
    /// bounces, contacts and customers per channel.
    #[inline(never)]
    pub(super) fn enter_channel(&mut self, slot: u32, ch: u8) {
        let c = &mut self.callers[slot as usize];
        if ch != c.channel {
            c.switches = c.switches.saturating_add(1);
            c.channel = ch;
        }
        c.bounce = match (c.bounce, ch) {
            (0, 0) => 1,
            (1, 1) => 2,
            (2, 0) => 3,
            (b, _) => b,
        };
        let first_time = c.used & (1 << ch) == 0;
        c.used |= 1 << ch;
        if c.counted {
            let acc = &mut self.out.channels[usize::from(ch)];
            acc.contacts += 1;
            acc.customers += u64::from(first_time);
        }
    }
}

/// The next arrival after `t` (thinning for a day profile) with mean gap
/// `gap` at the peak rate.
#[inline(always)]
pub(super) fn next_arrival(rng: &mut Rng, plan: &Plan, s: &RunSettings, gap: f64, mut t: f64) -> f64 {
    let peak = plan.peak_rate;
    loop {
        let e: f64 = Exp1.sample(rng);
        t += e * gap;
        if t >= s.end {
            return t;
        }
        let rate = plan.rate_at(s.clock0 + t);
        if rate >= peak || rng.random::<f64>() * peak < rate {
            return t;
        }
    }
}

/// When pool `p`'s seats change next after `t` (infinite without a
/// schedule).
pub(super) fn shift_after(plan: &Plan, s: &RunSettings, p: usize, t: f64) -> f64 {
    let sched = &plan.pools[p].schedule;
    if sched.is_empty() {
        return f64::INFINITY;
    }
    let day = (s.clock0 + t).rem_euclid(86400.0);
    let next = sched
        .iter()
        .map(|&(c, _)| c)
        .find(|&c| c > day + 1e-9)
        .map_or(86400.0 - day + sched[0].0, |c| c - day);
    t + next
}
