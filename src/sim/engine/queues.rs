//! Queues: joining (with the busy rules, call-back offers and
//! `max_wait`), leaving by abandonment or disconnection, and agents
//! answering in first-come order within priority.

use super::*;

impl<const LOG: bool> Engine<'_, LOG> {
    /// A caller reaches a queue at `t`, the simulated time; returns where a
    /// busy message sends it, and when, for the caller to walk on.
    pub(super) fn join_queue(&mut self, slot: u32, q: usize, t: f64) -> Option<(u32, f64)> {
        let plan = self.plan;
        let qp = &plan.queues[q];
        let p = qp.pool;
        if let Some((when, msg, deflects, to)) = &qp.busy {
            let pool = &self.pools[p];
            let all_busy = pool.seats.first() > t;
            let applies = match *when {
                BusyWhen::ExpectedWait(w) => {
                    all_busy
                        && (pool.waiting as f64 + 1.0) * plan.pools[p].mean_handle
                            / f64::from(pool.seats.count().max(1))
                            >= w
                }
                BusyWhen::QueueLength(n) => pool.waiting >= n as usize,
            };
            if applies && self.rng.random::<f64>() < *deflects {
                self.queue_acc(slot, q, |a| a.deflected += 1);
                self.callers[slot as usize].deflected = true;
                let t2 = t + msg.sample(&mut self.rng);
                return Some((*to, t2));
            }
        }
        self.queue_acc(slot, q, |a| a.queued += 1);
        let pool = &self.pools[p];
        if pool.waiting == 0 && pool.seats.first() <= t {
            // A free seat: the pool's areas do not change.
            self.answer(slot, q, t, 0.0);
            return None;
        }
        // Wait in line.
        self.touch(p, t);
        self.touch_queue(q, t);
        let c = &mut self.callers[slot as usize];
        c.waiting = true;
        c.callback = false;
        c.queue = q as u32;
        c.enq = t;
        // The patience left in this contact after its earlier waits.
        let (epoch, patience) = (c.epoch, (c.patience - c.waited).max(0.0));
        let pool = &mut self.pools[p];
        pool.waiting += 1;
        self.queue_waiting[q] += 1;
        if let Some(line) = pool.lines.iter_mut().find(|(pr, _)| *pr == qp.priority) {
            line.1.push_back((slot, epoch));
        }
        self.await_seat(p);
        if patience.is_finite() {
            self.seq += 1;
            self.deadlines.insert(slot, t + patience, self.seq << 3);
        }
        if let Some((m, _)) = qp.max_wait {
            self.set_timer(timers::max_wait_line(q), t + m, slot, epoch);
        }
        if let Some((after, _)) = qp.callback {
            self.set_timer(timers::offer_line(q), t + after, slot, epoch);
        }
        None
    }

    /// Takes a waiting caller out of line (the entry in the line goes
    /// stale; the lines are compacted when stale entries outnumber the
    /// callers waiting).
    pub(super) fn leave_line(&mut self, slot: u32, t: f64) -> usize {
        let q = self.callers[slot as usize].queue as usize;
        let p = self.plan.queues[q].pool;
        self.touch(p, t);
        self.take_from_line(slot, q, t);
        let pool = &mut self.pools[p];
        pool.stale += 1;
        if pool.stale > 64 + pool.waiting {
            let callers = &self.callers;
            for (_, line) in &mut pool.lines {
                line.retain(|&(s, e)| {
                    let c = &callers[s as usize];
                    c.epoch == e && c.waiting
                });
            }
            pool.stale = 0;
        }
        q
    }

    /// [`Engine::leave_line`] for a caller of queue `q` when its pool's
    /// areas are already integrated up to `t`.
    #[inline]
    pub(super) fn take_from_line(&mut self, slot: u32, q: usize, t: f64) -> usize {
        let p = self.plan.queues[q].pool;
        self.touch_queue(q, t);
        self.pools[p].waiting -= 1;
        self.queue_waiting[q] -= 1;
        self.deadlines.remove(slot);
        let c = &mut self.callers[slot as usize];
        c.waiting = false;
        c.epoch = c.epoch.wrapping_add(1);
        q
    }

    /// Ends a wait of `wait` seconds by abandonment or disconnection
    /// (`atom`: the wait is a point mass); returns the queue.
    pub(super) fn end_wait(&mut self, slot: u32, t: f64, wait: f64, how: WaitEnd, atom: bool) -> usize {
        let q = self.leave_line(slot, t);
        self.callers[slot as usize].waited += wait;
        let c = &self.callers[slot as usize];
        if LOG
            && c.counted
            && let Some(l) = &mut self.log
        {
            let outcome = if how == WaitEnd::Abandoned {
                LogOutcome::Abandoned
            } else {
                LogOutcome::Disconnected
            };
            l.queue(
                slot,
                self.plan.queues[q].pool,
                t - wait,
                f64::NAN,
                t,
                outcome,
                c.channel == 1,
            );
        }
        let sl = self.s.sl_target;
        self.queue_acc(slot, q, |a| a.wait(wait, how, sl, atom));
        if self.s.interval > 0.0 {
            let counted = self.callers[slot as usize].counted;
            self.interval_acc(counted, q, t - wait, wait, how);
        }
        q
    }

    /// A waiting caller's patience runs out (a caller answered first, or
    /// holding a call-back, has no deadline any more).
    pub(super) fn abandon(&mut self, slot: u32, t: f64) {
        let c = &self.callers[slot as usize];
        debug_assert!(c.waiting && !c.callback, "a deadline outlived its wait");
        // The wait is the patience left: a point mass when the patience is
        // fixed and nothing was spent before.
        let (wait, fixed) = (
            (c.patience - c.waited).max(0.0),
            self.plan.fixed_patience[c.seg as usize] && c.waited == 0.0,
        );
        self.end_wait(slot, t, wait, WaitEnd::Abandoned, fixed);
        if let Some((share, after)) = &self.plan.redial
            && self.rng.random::<f64>() < *share
        {
            // Customers who gave up on a chat come back to the chat.
            let q = self.callers[slot as usize].queue as usize;
            let start = match (self.plan.queues[q].chat, self.plan.online_entry) {
                (Some(_), Some(online)) => online,
                _ => self.plan.entry,
            };
            let d = after.sample(&mut self.rng);
            self.push(t + d, Ev::NewCall(slot, start));
            return;
        }
        self.finish(slot, Outcome::Abandoned);
    }

    /// A wait reaches the queue's `max_wait` (the caller is waiting and
    /// holds no call-back: [`Engine::timer_due`] passes over the others).
    pub(super) fn max_wait(&mut self, slot: u32, t: f64) {
        let c = &self.callers[slot as usize];
        // The wait is `max_wait` exactly, a point mass of the waits.
        let (max, to) = self.plan.queues[c.queue as usize].max_wait.unwrap_or((t - c.enq, END));
        self.end_wait(slot, t, max, WaitEnd::Forced, true);
        self.callers[slot as usize].forced = true;
        if to == END {
            self.finish(slot, Outcome::ForcedOut);
        } else {
            self.walk(slot, to, t, t);
        }
    }

    /// Queues the moment pool `p`'s first seat frees, when callers wait
    /// and no [`Ev::Free`] as early is queued (a pool without seats waits
    /// for a shift).
    #[inline]
    fn await_seat(&mut self, p: usize) {
        let pool = &mut self.pools[p];
        let first = pool.seats.first();
        if pool.waiting > 0 && first < pool.free_at {
            pool.free_at = first;
            self.push(first, Ev::Free(p as u32));
        }
    }

    /// The seats of pool `p` change to the schedule's at `t`.
    pub(super) fn shift(&mut self, p: usize, t: f64) {
        let cap = self.plan.seats_at(p, self.s.clock0 + t);
        self.pools[p].seats.change_to(cap, t);
    }

    /// Answers waiting callers while seats are free (the pool's areas are
    /// integrated up to `t`), then queues the next seat to free if
    /// callers still wait.
    pub(super) fn serve(&mut self, p: usize, t: f64) {
        while self.pools[p].seats.first() <= t && self.pools[p].waiting > 0 {
            let mut next = None;
            let pool = &mut self.pools[p];
            let mut skipped = 0;
            for (_, line) in pool.lines.iter_mut() {
                while let Some((slot, epoch)) = line.pop_front() {
                    let c = &self.callers[slot as usize];
                    if c.epoch == epoch && c.waiting {
                        next = Some(slot);
                        break;
                    }
                    skipped += 1;
                }
                if next.is_some() {
                    break;
                }
            }
            pool.stale = pool.stale.saturating_sub(skipped);
            let Some(slot) = next else { break };
            let c = &self.callers[slot as usize];
            let (wait, q) = (t - c.enq, c.queue as usize);
            self.take_from_line(slot, q, t);
            self.answer(slot, q, t, wait);
        }
        self.await_seat(p);
    }

    /// An agent of queue `q`'s pool answers after `wait`, at `t`, on the
    /// pool's first seat (free at `t`).
    #[inline(always)]
    pub(super) fn answer(&mut self, slot: u32, q: usize, t: f64, wait: f64) {
        let sl = self.s.sl_target;
        self.queue_acc(slot, q, |a| a.wait(wait, WaitEnd::Answered, sl, false));
        if self.s.interval > 0.0 {
            let counted = self.callers[slot as usize].counted;
            self.interval_acc(counted, q, t - wait, wait, WaitEnd::Answered);
        }
        let plan = self.plan;
        let p = plan.queues[q].pool;
        // A chat's human arrives with the agent's first message, which
        // comes within the chat: its reply delay, or the whole chat when
        // that is shorter (the slot is held for the handle time alone).
        let mut reply = 0.0;
        let chat = plan.queues[q].chat;
        let h = self.callers[slot as usize].handle;
        if let Some(chat) = chat {
            reply = plan.pools[p].first_reply.sample(&mut self.rng).min(h);
            if self.callers[slot as usize].counted {
                self.out.chats[chat as usize].add(wait + reply);
            }
        }
        let c = &self.callers[slot as usize];
        if LOG
            && c.counted
            && let Some(l) = &mut self.log
        {
            l.queue(slot, p, t - wait, t, t + h, LogOutcome::Answered, c.channel == 1);
        }
        if c.counted {
            let tth = t + reply - c.first;
            if plan.has_online {
                self.out.channels[usize::from(c.channel)].time_to_human_sum += tth;
            }
            let seg = c.seg as usize;
            self.out.callers.time_to_human_sum += tth;
            self.out.callers.time_to_human.add(tth);
            if self.out.seg_callers.len() > 1 {
                let acc = &mut self.out.seg_callers[seg];
                acc.time_to_human_sum += tth;
                acc.time_to_human.add(tth);
            }
        }
        // The seat is busy until the call ends (the first seat, free now).
        self.pools[p].seats.replace_first(t + h);
        self.busy(p, t, t + h);
        self.finish(slot, Outcome::Answered);
    }
}
