//! A call's walk through the menu between queues, done at once (it
//! depends on no other caller but for the clock of hour branches).

use super::*;

impl<const LOG: bool> Engine<'_, LOG> {
    /// Walks the menu from `node`, reached at time `t`, until a queue or
    /// the end of the call; `now` is the simulated time (`t` may be later
    /// after a busy message). A queue reached at `now` is joined at once,
    /// a busy deflection from it walked on; one reached later is an event.
    /// A call passing more than [`MAX_STEPS`] nodes, counted across busy
    /// deflections and disconnections back into the menu, ends as stuck.
    pub(super) fn walk(&mut self, slot: u32, mut node: u32, mut t: f64, now: f64) {
        let plan = self.plan;
        let seg = self.callers[slot as usize].seg as usize;
        let mut steps = self.callers[slot as usize].steps;
        let mut channel = self.callers[slot as usize].channel;
        while steps < MAX_STEPS {
            let n = node as usize;
            if plan.has_online && plan.channel[n] != channel {
                // A channel switch: the call ends and the customer goes on
                // online, or an online customer calls.
                if LOG {
                    self.log_switch(slot, t, channel);
                }
                channel = plan.channel[n];
                if !self.begin(slot, channel) {
                    return;
                }
            }
            // A stretch of fixed-time prompts and menus in one draw
            // (`plan/stretch.rs`).
            if let Some(table) = plan.stretches.table(node, seg)
                && steps + table.max_steps <= MAX_STEPS
            {
                let leg = plan.stretches.draw(table, &mut self.rng);
                if LOG
                    && self.callers[slot as usize].counted
                    && let Some(l) = &mut self.log
                {
                    for &v in plan.stretches.visits(leg) {
                        l.visit(slot, v);
                    }
                }
                t += leg.dt;
                steps += leg.steps;
                node = leg.to;
                if node == END {
                    self.mark(t);
                    let forced = self.callers[slot as usize].forced;
                    self.finish(slot, if forced { Outcome::ForcedOut } else { Outcome::HungUp });
                    return;
                }
                continue;
            }
            steps += 1;
            if LOG
                && self.callers[slot as usize].counted
                && let Some(l) = &mut self.log
            {
                l.visit(slot, node);
            }
            let dur = &plan.duration[n];
            match &plan.steps[n] {
                Step::Prompt { next } => {
                    t += dur.sample(&mut self.rng);
                    node = *next;
                }
                Step::Ask {
                    choices,
                    timeout,
                    retries,
                    no_input,
                    invalid,
                    on_fail,
                    understood,
                    on_misunderstood,
                } => {
                    let mut chosen = None;
                    for _ in 0..u64::from(*retries) + 1 {
                        t += dur.sample(&mut self.rng);
                        let u: f64 = self.rng.random();
                        if u < *no_input {
                            t += timeout;
                            continue;
                        }
                        if *invalid > 0.0 && self.rng.random::<f64>() < *invalid {
                            continue;
                        }
                        let v: f64 = self.rng.random();
                        // The last entry's share is infinite: the first
                        // entry above `v` is always found.
                        chosen = choices[seg].iter().find(|c| v < c.cum);
                        break;
                    }
                    node = match chosen {
                        None => *on_fail,
                        Some(c) if c.insist == 0 => c.to,
                        Some(c) => {
                            let mut to = c.to;
                            for r in 0..c.insist {
                                if r > 0 {
                                    t += dur.sample(&mut self.rng);
                                }
                                if *understood < 1.0 && self.rng.random::<f64>() >= *understood {
                                    to = *on_misunderstood;
                                    break;
                                }
                            }
                            to
                        }
                    };
                }
                Step::SelfService { resolves, next } => {
                    t += dur.sample(&mut self.rng);
                    if self.rng.random::<f64>() < *resolves {
                        self.mark(t);
                        self.finish(slot, Outcome::ResolvedSelfService);
                        return;
                    }
                    node = *next;
                }
                Step::Branch { cases, otherwise } => {
                    t += dur.sample(&mut self.rng);
                    let clock = self.s.clock0 + t;
                    node = *otherwise;
                    for c in cases {
                        let admits = c.segment.is_none_or(|s| s + 1 == seg)
                            && c.hours.as_ref().is_none_or(|h| h.contains(clock));
                        // A share is drawn only where there is one, so that
                        // menus without shares keep their random streams.
                        if admits && (c.share >= 1.0 || self.rng.random::<f64>() < c.share) {
                            node = c.to;
                            break;
                        }
                    }
                }
                Step::Queue(q) => {
                    let q = *q as u32;
                    let handle = &plan.pools[plan.queues[q as usize].pool].handle;
                    let h = handle.sample(&mut self.rng);
                    let c = &mut self.callers[slot as usize];
                    c.handle = h;
                    c.steps = steps;
                    if self.fast_path {
                        self.fast_join(slot, q, t, now);
                        return;
                    }
                    if t > now {
                        self.push_arriving(t, slot, q);
                        return;
                    }
                    match self.join_queue(slot, q as usize, t) {
                        Some((to, t2)) => {
                            node = to;
                            t = t2;
                            continue;
                        }
                        None => return,
                    }
                }
                Step::Online {
                    resolves,
                    calls_back,
                    after,
                } => {
                    t += dur.sample(&mut self.rng);
                    let u: f64 = self.rng.random();
                    self.mark(t);
                    if u < *resolves {
                        self.finish(slot, Outcome::ResolvedOnline);
                    } else if u < resolves + calls_back {
                        let d = after.sample(&mut self.rng);
                        self.push(t + d, Ev::NewCall(slot, plan.entry));
                    } else {
                        self.finish(slot, Outcome::GaveUp);
                    }
                    return;
                }
                Step::Hangup => {
                    self.mark(t);
                    let forced = self.callers[slot as usize].forced;
                    self.finish(slot, if forced { Outcome::ForcedOut } else { Outcome::HungUp });
                    return;
                }
            }
            if node == END {
                self.mark(t);
                let forced = self.callers[slot as usize].forced;
                self.finish(slot, if forced { Outcome::ForcedOut } else { Outcome::HungUp });
                return;
            }
        }
        self.out.stuck_calls += 1;
        self.mark(t);
        self.finish(slot, Outcome::Stuck);
    }

    /// In the log, a contact in `channel` ends at `t` and one in the
    /// other channel begins.
    #[inline(never)]
    fn log_switch(&mut self, slot: u32, t: f64, channel: u8) {
        let c = &self.callers[slot as usize];
        let outcome = if c.deflected {
            crate::input::records::Outcome::Deflected
        } else {
            crate::input::records::Outcome::Hangup
        };
        if c.counted
            && let Some(l) = &mut self.log
        {
            l.now = t;
            l.end(slot, outcome, channel == 1);
            l.contact(slot, t);
        }
    }

    /// The time a contact ends in the menu, for the log.
    #[inline]
    pub(super) fn mark(&mut self, t: f64) {
        if LOG && let Some(l) = &mut self.log {
            l.now = t;
        }
    }
}
