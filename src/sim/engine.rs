//! One replication: a discrete-event simulation of callers walking the menu
//! and waiting for agents.
//!
//! The menu walk between queues is done at once for each call (it does not
//! depend on other callers, except for the clock on hour branches); only
//! queue arrivals, disconnection, call-back offers, seats freeing while
//! callers wait, shift changes and snapshots go through the event queue.
//! A pool's seats are the times they free (`seats.rs`): a caller who
//! finds one free takes it without an event, and its busy time goes to
//! the books at once (`bins.rs`). The next arrival is
//! kept beside it, calls on their way to a queue in a small heap of their
//! own (due within a walk, earlier than most events), and patience
//! deadlines in an indexed heap of their own ([`super::events`]) so a
//! caller answered first leaves nothing behind. All four share one
//! sequence counter and are merged by (time, sequence number), so equal
//! times stay first-in first-out and a seed always gives the same run.

mod arrivals;
mod bins;
mod books;
mod ev;
mod fcfs;
mod queues;
mod seats;
mod timers;
mod walk;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};

use rand::RngExt;
use rand::rngs::Xoshiro256PlusPlus as Rng;
use rand_distr::{Distribution, Exp1};

use super::events::{Deadlines, Event, EventQueue, key_time};
use super::plan::{END, Plan, Step};
use super::stats::{CallerAcc, ChannelAcc, ChatAcc, Outcome, PoolAcc, QueueAcc, WaitEnd};
use crate::input::records::Outcome as LogOutcome;
use crate::menu::BusyWhen;
use ev::{Ev, split, two};

pub use crate::menu::MAX_STEPS;
/// Most calls one caller makes (call-backs and redials) before giving up.
pub const MAX_CALLS: u32 = 100;
/// How long after the last arrival the run may go on to finish calls.
pub const DRAIN_LIMIT: f64 = 7.0 * 86400.0;
/// Width of the time bins of the queue-length and busy-seat series.
pub const BIN: f64 = 300.0;
/// Time bins in a day: a run longer than a day folds onto one day, so the
/// series are the average day and their size does not grow with the run.
pub const DAY_BINS: u64 = 288;

/// Time bins of one replication's series: one per `BIN` of the measured
/// period from its start, at most a day's.
pub fn series_bins(s: &RunSettings) -> usize {
    measured_bins(s).min(DAY_BINS) as usize
}

/// `BIN`-wide steps from the start of the measured period to its end (the
/// last one may be shorter).
fn measured_bins(s: &RunSettings) -> u64 {
    (((s.end - s.warmup) / BIN).ceil() as u64).max(1)
}

/// Settings of one replication.
#[derive(Clone, Copy, Debug)]
pub struct RunSettings {
    /// Seconds of day at simulated time 0 (the start of the warm-up).
    pub clock0: f64,
    /// Warm-up length.
    pub warmup: f64,
    /// End of arrivals (warm-up + measured duration).
    pub end: f64,
    /// Service-level target in seconds.
    pub sl_target: f64,
    /// Most callers in the system at once before the run is stopped.
    pub max_in_system: usize,
    /// Length of the staffing intervals, seconds (0: not kept): queued
    /// calls are then also counted per pool and interval of joining.
    pub interval: f64,
}

/// Staffing intervals of a run: `interval`-long steps of the measured
/// period from its start, at most a day's (longer runs fold onto one day).
pub fn intervals(s: &RunSettings) -> usize {
    if s.interval <= 0.0 {
        return 0;
    }
    let span = (s.end - s.warmup).min(86400.0);
    ((span / s.interval).ceil() as usize).max(1)
}

/// Queued calls of one pool that joined in one staffing interval.
#[derive(Clone, Copy, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct IntervalAcc {
    /// Calls that joined.
    pub queued: u64,
    /// Answered within the service-level target.
    pub within_sl: u64,
    /// Abandoned.
    pub abandoned: u64,
    /// Sum of waits (abandoned and disconnected calls until they left).
    pub wait_sum: f64,
}

/// What one replication measured.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct RepResult {
    /// All queued calls.
    pub total: QueueAcc,
    /// Per queue (index in `Plan::queues`).
    pub queues: Vec<QueueAcc>,
    /// Per segment slot (0: no segment).
    pub seg_queue: Vec<QueueAcc>,
    /// All callers.
    pub callers: CallerAcc,
    /// Per segment slot.
    pub seg_callers: Vec<CallerAcc>,
    /// Per pool.
    pub pools: Vec<PoolAcc>,
    /// Callers still in the system when the drain limit was reached.
    pub unfinished: u64,
    /// Calls that hit the step limit.
    pub stuck_calls: u64,
    /// Callers stopped at the call limit.
    pub call_limit: u64,
    /// Per queue: integral of callers waiting over the measured period.
    pub queue_area: Vec<f64>,
    /// Measured seconds that fell in each time bin (over all the days a
    /// long run folds onto it).
    pub bin_time: Vec<f64>,
    /// Per channel (phone, online), when the menu has online nodes.
    pub channels: [ChannelAcc; 2],
    /// Queued calls per channel (empty when the menu has no online node).
    pub channel_queues: Vec<QueueAcc>,
    /// Per chat queue (in the order of `Plan::chat_queues`).
    pub chats: Vec<ChatAcc>,
    /// Per pool and staffing interval (`pool * intervals + i`), when
    /// [`RunSettings::interval`] is set.
    pub intervals: Vec<IntervalAcc>,
    /// The measured calls as records, when the run logs them.
    #[serde(skip)]
    pub log: Vec<super::log::LogCall>,
}

#[derive(Clone, Debug, Default)]
struct Caller {
    epoch: u32,
    seg: u16,
    counted: bool,
    first: f64,
    calls: u32,
    deflected: bool,
    forced: bool,
    waiting: bool,
    callback: bool,
    queue: u32,
    enq: f64,
    /// Patience of the current contact (a call, a chat): drawn afresh at
    /// each contact, spent by every wait within it.
    patience: f64,
    /// Seconds waited in queues so far in the current contact.
    waited: f64,
    /// Handle time of the agent who answers at the queue this call is
    /// heading for, drawn when the walk reaches it (so that a caller's
    /// draws do not depend on when an agent answers, and the two engines
    /// draw the same stream).
    handle: f64,
    /// Menu nodes passed in the current call (busy deflections and
    /// disconnections back into the menu included).
    steps: u32,
    /// The channel the customer is in (0 phone, 1 online).
    channel: u8,
    /// Channels used so far (bit 0 phone, bit 1 online).
    used: u8,
    /// 0: nothing yet; 1: on the phone; 2: online after the phone; 3:
    /// back on the phone after that (bounced).
    bounce: u8,
    /// Channel switches.
    switches: u16,
}

struct Pool {
    /// When each seat (slot) in the schedule now frees (a seat is free
    /// when its time is not after now): a departure needs no event of its
    /// own, only the first seat to free while callers wait ([`Ev::Free`]).
    seats: seats::Seats,
    /// When the [`Ev::Free`] of the pool that is queued is due (infinite
    /// when none is).
    free_at: f64,
    waiting: usize,
    /// FIFO lines by priority, highest first.
    lines: Vec<(i64, VecDeque<(u32, u32)>)>,
    /// Entries in the lines of callers who left them (abandoned or
    /// disconnected); the lines are compacted when these outnumber the
    /// callers waiting, so memory follows the callers waiting.
    stale: usize,
    last: f64,
    /// Areas since time 0: staffed seats, callers waiting (the busy
    /// seats' area is added per answered call, see [`Engine::answer`]).
    cum: [f64; 2],
}

/// The state of one replication.
pub struct Engine<'a, const LOG: bool = false> {
    plan: &'a Plan,
    s: RunSettings,
    rng: Rng,
    heap: EventQueue,
    /// When each waiting caller's patience runs out (callers answered
    /// first are taken out, so no abandonment event goes stale).
    deadlines: Deadlines,
    /// Per queue, its `max_wait` timers and its call-back offers, in the
    /// order they come due (see `timers.rs`).
    timers: Vec<VecDeque<timers::Timer>>,
    /// Calls on their way to a queue ([`Engine::push_arriving`]): due within a
    /// walk's length, earlier than most events, so they rise and sink in
    /// a heap of a few instead of the event queue (merged by key, so the
    /// order of events is the same).
    arriving: EventQueue,
    seq: u64,
    callers: Vec<Caller>,
    free: Vec<u32>,
    active: usize,
    arrival_pending: bool,
    pools: Vec<Pool>,
    queue_waiting: Vec<usize>,
    queue_last: Vec<f64>,
    queue_area: Vec<f64>,
    /// Index of the pending snapshot: snapshot k is taken at the start of
    /// the k-th time bin of the measured period, the last one at its end.
    tick: u64,
    /// Index of the last snapshot.
    last_tick: u64,
    /// Per pool: the waiting area at the previous snapshot.
    snap: Vec<f64>,
    /// Per pool: areas at the start and the end of the measured period.
    window: Vec<([f64; 2], [f64; 2])>,
    /// The time bin the busy time of the last answered call fell in.
    bin: bins::Bin,
    /// Queue areas at the start and the end of the measured period.
    queue_window: (Vec<f64>, Vec<f64>),
    /// Whether the snapshot at the end of the measured period is taken.
    closed: bool,
    /// Set from another thread to stop the replication.
    stop: Option<&'a AtomicBool>,
    /// The calls as records, when asked for (`simulate --log`).
    log: Option<Box<super::log::Logger>>,
    /// This day's arrival gaps relative to the menu's (1 / the day's rate
    /// factor; 1 without `rate_variation`).
    gap_scale: f64,
    /// Mean gap between arrivals at this day's peak rate.
    arrival_gap: f64,
    /// Whether the replication runs by the recursion (see `fcfs.rs`).
    fast_path: bool,
    /// The recursion's state.
    fast: fcfs::Fast,
    out: RepResult,
}

impl<'a> Engine<'a> {
    /// A replication with its own seed.
    pub fn new(plan: &'a Plan, s: RunSettings, seed: u64) -> Engine<'a> {
        Engine::build(plan, s, seed)
    }

    /// A replication that keeps its measured calls as records
    /// ([`RepResult::log`]); the hooks cost nothing in runs without.
    pub fn logged(plan: &'a Plan, s: RunSettings, seed: u64) -> Engine<'a, true> {
        Engine::build(plan, s, seed)
    }
}

impl<'a, const LOG: bool> Engine<'a, LOG> {
    fn build(plan: &'a Plan, s: RunSettings, seed: u64) -> Engine<'a, LOG> {
        use rand::SeedableRng;
        let nq = plan.queues.len();
        let nseg = plan.segments.len() + 1;
        let bins = series_bins(&s);
        let pools = plan
            .pools
            .iter()
            .enumerate()
            .map(|(i, _)| {
                let mut prios: Vec<i64> = plan.queues.iter().filter(|q| q.pool == i).map(|q| q.priority).collect();
                prios.sort_unstable_by(|a, b| b.cmp(a));
                prios.dedup();
                let mut seats = seats::Seats::default();
                seats.change_to(plan.seats_at(i, s.clock0), 0.0);
                Pool {
                    seats,
                    free_at: f64::INFINITY,
                    waiting: 0,
                    lines: prios.into_iter().map(|p| (p, VecDeque::new())).collect(),
                    stale: 0,
                    last: 0.0,
                    cum: [0.0; 2],
                }
            })
            .collect();
        Engine {
            plan,
            s,
            rng: Rng::seed_from_u64(seed),
            heap: EventQueue::with_capacity(1024),
            arriving: EventQueue::with_capacity(64),
            deadlines: Deadlines::default(),
            timers: vec![VecDeque::new(); 2 * nq],
            seq: 0,
            callers: Vec::new(),
            free: Vec::new(),
            active: 0,
            arrival_pending: false,
            pools,
            queue_waiting: vec![0; nq],
            queue_last: vec![0.0; nq],
            queue_area: vec![0.0; nq],
            tick: 0,
            last_tick: measured_bins(&s),
            snap: vec![0.0; plan.pools.len()],
            window: vec![([0.0; 2], [0.0; 2]); plan.pools.len()],
            bin: bins::Bin::default(),
            queue_window: (vec![0.0; nq], vec![0.0; nq]),
            closed: false,
            stop: None,
            log: LOG.then(Box::default),
            gap_scale: 1.0,
            arrival_gap: plan.peak_gap,
            fast_path: !LOG && fcfs::eligible(plan),
            fast: fcfs::Fast::new(plan),
            out: RepResult {
                total: QueueAcc::default(),
                queues: vec![QueueAcc::default(); nq],
                seg_queue: vec![QueueAcc::default(); nseg],
                callers: CallerAcc::default(),
                seg_callers: vec![CallerAcc::default(); nseg],
                pools: (0..plan.pools.len())
                    .map(|_| PoolAcc {
                        busy_bins: vec![0.0; bins],
                        wait_bins: vec![0.0; bins],
                        ..PoolAcc::default()
                    })
                    .collect(),
                unfinished: 0,
                stuck_calls: 0,
                call_limit: 0,
                queue_area: Vec::new(),
                bin_time: vec![0.0; bins],
                channels: [ChannelAcc::default(); 2],
                channel_queues: Vec::new(),
                chats: vec![ChatAcc::default(); plan.chat_queues.len()],
                intervals: vec![IntervalAcc::default(); intervals(&s) * plan.pools.len()],
                log: Vec::new(),
            },
        }
    }

    /// Stops the replication (with [`super::SimError::Interrupted`]) soon after
    /// `flag` is set: it is read every 65,536 events (every 1,024
    /// arrivals or fewer on the fast path).
    pub fn with_stop(mut self, flag: Option<&'a AtomicBool>) -> Engine<'a, LOG> {
        self.stop = flag;
        self
    }

    /// Runs the replication event by event even where the fast path
    /// would give the same result (to compare the two).
    pub fn events_only(mut self) -> Engine<'a, LOG> {
        self.fast_path = false;
        self
    }

    /// Whether the replication runs by the recursion of a first-come
    /// queue rather than event by event (see `fcfs.rs`): menus without
    /// an online channel, chats, redials, busy rules, call-backs or
    /// priorities within a pool, and runs that keep no log.
    pub fn fast_path(&self) -> bool {
        self.fast_path
    }

    #[inline(always)]
    fn push(&mut self, t: f64, ev: Ev) {
        self.seq += 1;
        let (tag, payload) = ev.pack();
        self.heap.push(Event::new(t, self.seq << 3 | tag, payload));
    }

    /// A call reaching queue `q` at `t`, after its walk: nothing can
    /// happen to a caller walking the menu, so no epoch is needed.
    #[inline(always)]
    fn push_arriving(&mut self, t: f64, slot: u32, q: u32) {
        self.seq += 1;
        self.arriving.push(Event::new(t, self.seq << 3 | 1, two(slot, q)));
    }

    /// Runs the replication to the end.
    pub fn run(mut self) -> Result<RepResult, super::SimError> {
        if self.fast_path {
            return self.run_fast();
        }
        // A day of its own: rates times a Gamma factor of mean 1 (drawn only
        // with rate_variation, so that other menus keep their streams).
        if self.plan.rate_variation > 0.0 {
            self.draw_day();
        }
        // The next arrival is kept beside the heap: one push and pop fewer per caller.
        let mut next_arrival = f64::INFINITY;
        if self.plan.peak_rate > 0.0 {
            let t = self.next_arrival(0.0);
            if t < self.s.end {
                next_arrival = t;
                self.arrival_pending = true;
            }
        }
        if self.plan.online_peak > 0.0 {
            let t = self.next_online(0.0);
            if t < self.s.end {
                self.push(t, Ev::OnlineArrival);
            }
        }
        for p in 0..self.pools.len() {
            self.schedule_shift(p, 0.0);
        }
        let first = self.tick_time(0);
        self.push(first, Ev::Tick);
        let limit = self.s.end + DRAIN_LIMIT;
        let mut events: u32 = 0;
        loop {
            if events & 0xFFFF == 0xFFFF && self.stop.is_some_and(|f| f.load(Ordering::Relaxed)) {
                return Err(super::SimError::Interrupted);
            }
            events = events.wrapping_add(1);
            // The next event is the earliest of the next arrival, the event
            // queue, the calls on their way to a queue and the abandonment
            // deadlines.
            let mut heap_key = self.heap.next_key();
            let mut arriving = false;
            if !self.arriving.is_empty() {
                let key = self.arriving.next_key();
                if key < heap_key {
                    (heap_key, arriving) = (key, true);
                }
            }
            let abandonment = self.deadlines.peek().is_some_and(|d| d.key() < heap_key);
            let next_t = if abandonment {
                self.deadlines.peek().map_or(f64::INFINITY, Event::time)
            } else {
                key_time(heap_key)
            };
            if next_arrival <= next_t && next_arrival.is_finite() {
                let t = next_arrival;
                let next = self.next_arrival(t);
                self.arrival_pending = next < self.s.end;
                next_arrival = if self.arrival_pending { next } else { f64::INFINITY };
                self.arrive(t, self.plan.entry)?;
                continue;
            }
            if abandonment {
                let Some((slot, t)) = self.deadlines.pop() else { break };
                if t > limit {
                    break;
                }
                self.abandon(slot, t);
                continue;
            }
            if arriving {
                // A call reaching a queue: the caller is in the system,
                // so only the drain limit can end the run here.
                let Some(item) = self.arriving.pop() else { break };
                let t = item.time();
                if t > limit {
                    break;
                }
                let (slot, q) = split(item.payload);
                if let Some((to, t2)) = self.join_queue(slot, q as usize, t) {
                    self.walk(slot, to, t2, t);
                }
                continue;
            }
            let Some(item) = self.heap.pop() else { break };
            let (t, ev) = (item.time(), Ev::unpack(item.seq() & 7, item.payload));
            if let Ev::Tick = ev {
                self.tick(t);
                continue;
            }
            if let Ev::OnlineArrival = ev {
                let next = self.next_online(t);
                if next < self.s.end {
                    self.push(next, Ev::OnlineArrival);
                }
                if let Some(entry) = self.plan.online_entry {
                    self.arrive(t, entry)?;
                }
                continue;
            }
            // Nothing is left to happen once the period is over, its last
            // snapshot taken and nobody is in the system.
            if t > limit || (self.closed && self.active == 0 && !self.arrival_pending && t >= self.s.end) {
                break;
            }
            match ev {
                Ev::NewCall(slot, node) => self.contact(slot, node, t),
                Ev::Timer(line) => {
                    let line = line as usize;
                    let Some(slot) = self.timer_due(line) else {
                        continue;
                    };
                    if line == timers::max_wait_line(line / 2) {
                        self.max_wait(slot, t);
                    } else {
                        let q = line / 2;
                        if let Some((_, accepts)) = self.plan.queues[q].callback
                            && self.rng.random::<f64>() < accepts
                        {
                            self.callers[slot as usize].callback = true;
                            self.deadlines.remove(slot);
                            self.queue_acc(slot, q, |a| a.callbacks += 1);
                        }
                    }
                }
                Ev::Free(p) => {
                    // (An earlier seat freeing after a shift may have
                    // queued one before it: this one is then stale.)
                    let p = p as usize;
                    if self.pools[p].free_at != t {
                        continue;
                    }
                    self.pools[p].free_at = f64::INFINITY;
                    if self.pools[p].waiting > 0 {
                        self.touch(p, t);
                        self.serve(p, t);
                    }
                }
                Ev::Tick | Ev::OnlineArrival => {}
                Ev::Shift(p) => {
                    let p = p as usize;
                    self.touch(p, t);
                    self.shift(p, t);
                    self.serve(p, t);
                    if self.active > 0 || self.arrival_pending || t < self.s.end {
                        self.schedule_shift(p, t);
                    }
                }
            }
        }
        self.close_books();
        for q in &self.out.queues {
            self.out.total.merge(q);
        }
        if self.plan.has_online {
            let mut by_channel = vec![QueueAcc::default(), QueueAcc::default()];
            for (q, acc) in self.plan.queues.iter().zip(&self.out.queues) {
                by_channel[usize::from(self.plan.channel[q.node as usize])].merge(acc);
            }
            self.out.channel_queues = by_channel;
        }
        self.out.unfinished = self.active as u64;
        if let Some(l) = self.log.take() {
            self.out.log = l.calls;
        }
        Ok(self.out)
    }
}
