//! A simulation split into shards ([`crate::shard`]): the head every
//! shard of a run shares (the menu and the run settings) and the checks a
//! replication's statistics read back from a partial file must pass before
//! they are folded into a report.
//!
//! A partial file is untrusted: every list must have the menu's length,
//! every counter must be consistent with the others (answered calls are
//! among the queued, a histogram holds as many waits as the calls it
//! counts), no counter may be so large that the sums over a million
//! replications could overflow, and every sum must be finite and not
//! negative.

use serde::{Deserialize, Serialize};

use super::engine::{self, RepResult, RunSettings};
use super::plan::Plan;
use super::stats::{CallerAcc, ChatAcc, Hist, QueueAcc};
use super::{SimOptions, setup};
use crate::menu::Hotline;
use crate::shard::{Job, at_most, finite};

/// Most replications a run may have (as `--replications` accepts).
pub const MAX_REPLICATIONS: u32 = 1_000_000;
/// Largest counter one replication may report: 2^40 (a replication
/// simulating that many callers would run for hours), so that sums over a
/// million replications stay far below 2^64 and exact in an `f64`.
pub const MAX_COUNT: u64 = 1 << 40;

/// The menu a shard ran.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MenuRef {
    /// The path as given.
    pub path: String,
    /// FNV-1a hash of its text.
    pub hash: String,
    /// The menu it stands for, as text (a vendor flow's text, or the
    /// hotline YAML of a flow or menu with an overlay laid over it).
    pub source: String,
}

/// The settings every shard of a run shares.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunKey {
    /// Replications of the whole run.
    pub replications: u32,
    /// Its seed.
    pub seed: u64,
    /// Service-level target, seconds.
    pub sl_target: f64,
    /// Most callers in the system at once.
    pub max_in_system: usize,
}

/// What every shard of one run shares.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimHead {
    /// The menu.
    pub menu: MenuRef,
    /// The run's settings.
    pub settings: RunKey,
}

impl SimHead {
    /// The head of a run of `h` (named `path`, standing for `source`).
    pub fn new(path: &str, source: &str, o: &SimOptions) -> SimHead {
        SimHead {
            menu: MenuRef {
                path: path.to_string(),
                hash: crate::shard::hash(source),
                source: source.to_string(),
            },
            settings: RunKey {
                replications: o.replications,
                seed: o.seed,
                sl_target: o.sl_target,
                max_in_system: o.max_in_system,
            },
        }
    }

    /// The run's options (`threads` worker threads).
    pub fn options(&self, threads: usize) -> SimOptions {
        let key = &self.settings;
        SimOptions {
            replications: key.replications,
            seed: key.seed,
            threads,
            sl_target: key.sl_target,
            max_in_system: key.max_in_system,
            stop: crate::cancel::Cancel::new(),
            log: false,
            interval: 0.0,
        }
    }
}

/// A simulation's replications, as a [`Job`].
#[derive(Debug)]
pub struct SimJob;

impl Job for SimJob {
    const KIND: &'static str = "simulation";
    const FORMAT: &'static str = "hotline partial";
    const UNITS: &'static str = "replications";
    type Head = SimHead;
    type Item = RepResult;

    fn units(head: &SimHead) -> Result<u32, String> {
        let s = &head.settings;
        if !(1..=MAX_REPLICATIONS).contains(&s.replications) {
            return Err(format!(
                "damaged (replications = {}: a run has 1 to {MAX_REPLICATIONS})",
                s.replications
            ));
        }
        if !(s.sl_target.is_finite() && s.sl_target >= 0.0) {
            return Err(format!("damaged (sl_target = {}: seconds from 0 up)", s.sl_target));
        }
        if s.max_in_system == 0 {
            return Err("damaged (max_in_system = 0)".into());
        }
        if crate::shard::hash(&head.menu.source) != head.menu.hash {
            return Err("damaged (the menu text does not match its hash)".into());
        }
        Ok(s.replications)
    }

    fn differs(a: &SimHead, b: &SimHead) -> String {
        if a.menu.hash != b.menu.hash {
            format!("another menu ({} against {})", b.menu.path, a.menu.path)
        } else {
            "other run settings (replications, seed, service-level target or --max-in-system)".into()
        }
    }
}

/// The sizes a replication's statistics must have for a run of a menu.
#[derive(Clone, Debug)]
pub struct Shape {
    queues: usize,
    segments: usize,
    pools: usize,
    bins: usize,
    chats: usize,
    intervals: usize,
    online: bool,
}

impl Shape {
    /// The shape of a run of `h` with options `o`.
    pub fn new(h: &Hotline, o: &SimOptions) -> Result<Shape, String> {
        let (plan, settings): (Plan, RunSettings) = setup(h, o)?;
        Ok(Shape {
            queues: plan.queues.len(),
            segments: plan.segments.len() + 1,
            pools: plan.pools.len(),
            bins: engine::series_bins(&settings),
            chats: plan.chat_queues.len(),
            intervals: engine::intervals(&settings) * plan.pools.len(),
            online: plan.has_online,
        })
    }

    /// Checks a replication read back: lengths, counters, sums.
    pub fn check(&self, r: &RepResult) -> Result<(), String> {
        let len = |what: &str, got: usize, want: usize| {
            if got == want {
                Ok(())
            } else {
                Err(format!("{what} has {got} entries, the menu has {want}"))
            }
        };
        len("queues", r.queues.len(), self.queues)?;
        len("seg_queue", r.seg_queue.len(), self.segments)?;
        len("seg_callers", r.seg_callers.len(), self.segments)?;
        len("pools", r.pools.len(), self.pools)?;
        len("queue_area", r.queue_area.len(), self.queues)?;
        len("bin_time", r.bin_time.len(), self.bins)?;
        len("chats", r.chats.len(), self.chats)?;
        len("intervals", r.intervals.len(), self.intervals)?;
        len(
            "channel_queues",
            r.channel_queues.len(),
            if self.online { 2 } else { 0 },
        )?;
        check_queue("total", &r.total)?;
        for (i, q) in r.queues.iter().enumerate() {
            check_queue(&format!("queues[{i}]"), q)?;
        }
        for (i, q) in r.seg_queue.iter().chain(&r.channel_queues).enumerate() {
            check_queue(&format!("queue figures {i}"), q)?;
        }
        let sum = r.queues.iter().try_fold(0u64, |s, q| s.checked_add(q.queued));
        if sum != Some(r.total.queued) {
            return Err("total.queued is not the sum of the queues'".into());
        }
        check_callers("callers", &r.callers)?;
        for (i, c) in r.seg_callers.iter().enumerate() {
            check_callers(&format!("seg_callers[{i}]"), c)?;
        }
        for (i, p) in r.pools.iter().enumerate() {
            len(&format!("pools[{i}].busy_bins"), p.busy_bins.len(), self.bins)?;
            len(&format!("pools[{i}].wait_bins"), p.wait_bins.len(), self.bins)?;
            for (what, x) in [
                ("busy_area", p.busy_area),
                ("seat_area", p.seat_area),
                ("wait_area", p.wait_area),
            ] {
                finite(&format!("pools[{i}].{what}"), x)?;
            }
            for x in p.busy_bins.iter().chain(&p.wait_bins) {
                finite(&format!("pools[{i}] bins"), *x)?;
            }
        }
        for x in r.queue_area.iter().chain(&r.bin_time) {
            finite("areas", *x)?;
        }
        for (i, c) in r.chats.iter().enumerate() {
            check_chat(&format!("chats[{i}]"), c)?;
        }
        for (i, a) in r.intervals.iter().enumerate() {
            let what = format!("intervals[{i}]");
            at_most(&what, a.queued, MAX_COUNT)?;
            at_most(&format!("{what}.within_sl"), a.within_sl, a.queued)?;
            at_most(&format!("{what}.abandoned"), a.abandoned, a.queued)?;
            finite(&format!("{what}.wait_sum"), a.wait_sum)?;
        }
        for c in &r.channels {
            at_most("channels.customers", c.customers, MAX_COUNT)?;
            at_most("channels.contacts", c.contacts, MAX_COUNT)?;
            let outcomes = c.outcomes.iter().try_fold(0u64, |s, &n| s.checked_add(n));
            at_most("channels.outcomes", outcomes.unwrap_or(u64::MAX), MAX_COUNT)?;
            finite("channels.time_to_human_sum", c.time_to_human_sum)?;
        }
        for (what, n) in [
            ("unfinished", r.unfinished),
            ("stuck_calls", r.stuck_calls),
            ("call_limit", r.call_limit),
        ] {
            at_most(what, n, MAX_COUNT)?;
        }
        Ok(())
    }
}

fn check_hist(what: &str, h: &Hist, total: u64) -> Result<(), String> {
    if h.total != total {
        return Err(format!("{what} holds {} values, its counter says {total}", h.total));
    }
    for &(x, n) in &h.atoms {
        finite(&format!("{what} point mass"), x)?;
        at_most(&format!("{what} point mass count"), n, h.total)?;
    }
    Ok(())
}

fn check_queue(what: &str, q: &QueueAcc) -> Result<(), String> {
    at_most(&format!("{what}.queued"), q.queued, MAX_COUNT)?;
    at_most(&format!("{what}.deflected"), q.deflected, MAX_COUNT)?;
    let ended = q
        .answered
        .checked_add(q.abandoned)
        .and_then(|x| x.checked_add(q.forced));
    if ended.is_none_or(|e| e > q.queued) {
        return Err(format!(
            "{what}: {} answered, {} abandoned and {} disconnected calls of {} queued",
            q.answered, q.abandoned, q.forced, q.queued
        ));
    }
    at_most(&format!("{what}.waited"), q.waited, q.queued)?;
    at_most(&format!("{what}.within_sl"), q.within_sl, q.answered)?;
    at_most(&format!("{what}.within_180"), q.within_180, q.answered)?;
    at_most(&format!("{what}.callbacks"), q.callbacks, q.queued)?;
    finite(&format!("{what}.wait_sum"), q.wait_sum)?;
    finite(&format!("{what}.wait_answered_sum"), q.wait_answered_sum)?;
    check_hist(&format!("{what}.hist"), &q.hist, q.answered + q.abandoned + q.forced)?;
    check_hist(&format!("{what}.hist_answered"), &q.hist_answered, q.answered)?;
    check_hist(&format!("{what}.hist_abandoned"), &q.hist_abandoned, q.abandoned)?;
    Ok(())
}

fn check_callers(what: &str, c: &CallerAcc) -> Result<(), String> {
    at_most(&format!("{what}.callers"), c.callers, MAX_COUNT)?;
    at_most(&format!("{what}.calls"), c.calls, MAX_COUNT)?;
    let outcomes = c.outcomes.iter().try_fold(0u64, |s, &n| s.checked_add(n));
    if outcomes.is_none_or(|n| n > c.callers) {
        return Err(format!("{what}: more outcomes than callers"));
    }
    at_most(&format!("{what}.deflected"), c.deflected, c.callers)?;
    at_most(&format!("{what}.switched"), c.switched, c.callers)?;
    at_most(&format!("{what}.bounced"), c.bounced, c.switched)?;
    at_most(&format!("{what}.switches"), c.switches, MAX_COUNT)?;
    let counts = c.switch_counts.iter().try_fold(0u64, |s, &n| s.checked_add(n));
    if counts.is_none_or(|n| n > c.callers) {
        return Err(format!("{what}: more callers counted by switches than callers"));
    }
    finite(&format!("{what}.time_to_human_sum"), c.time_to_human_sum)?;
    if c.time_to_human.total > c.callers {
        return Err(format!("{what}: more times to a human than callers"));
    }
    check_hist(
        &format!("{what}.time_to_human"),
        &c.time_to_human,
        c.time_to_human.total,
    )
}

fn check_chat(what: &str, c: &ChatAcc) -> Result<(), String> {
    at_most(&format!("{what}.answered"), c.answered, MAX_COUNT)?;
    for n in c.within {
        at_most(&format!("{what}.within"), n, c.answered)?;
    }
    at_most(&format!("{what}.zeros"), c.zeros, c.answered)?;
    finite(&format!("{what}.first_response_sum"), c.first_response_sum)?;
    check_hist(&format!("{what}.hist"), &c.hist, c.answered)
}
