//! Monte Carlo simulation of callers through the menu and its agent pools.
//!
//! [`simulate`] compiles the hotline ([`plan`]), runs independent
//! replications ([`engine`]) on a rayon pool, each with a seed derived from
//! (run seed, replication index), folds their statistics ([`stats`]) in
//! replication order, and reports every metric as a mean with a 95%
//! Student-t confidence interval. The result does not depend on the number
//! of threads.

pub mod engine;
pub mod events;
pub mod plan;
pub mod stats;

use indexmap::IndexMap;
use rayon::prelude::*;
use serde::Serialize;

use crate::menu::Channel;
use crate::menu::Hotline;
use engine::{Engine, RepResult, RunSettings};
use plan::Plan;
use stats::{CallerAcc, ChannelAcc, ChatAcc, Estimate, Hist, Metrics, Outcome, QueueAcc, Welford, ratio};

/// Settings of a run.
#[derive(Clone, Debug)]
pub struct SimOptions {
    /// Replications (default: the menu's).
    pub replications: u32,
    /// Run seed (default: the menu's).
    pub seed: u64,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Service-level target, seconds.
    pub sl_target: f64,
    /// Most callers in the system at once before a replication is stopped.
    pub max_in_system: usize,
    /// Set from another thread (Ctrl-C) to stop after the current batch.
    pub stop: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    /// Staffing intervals, seconds (0: none): the report then has each
    /// pool's metrics per interval (`SimReport::intervals`).
    pub interval: f64,
}

impl SimOptions {
    /// The menu's settings with the defaults of the command line.
    pub fn from_menu(h: &Hotline) -> SimOptions {
        SimOptions {
            replications: h.simulation.replications,
            seed: h.simulation.seed,
            threads: 0,
            sl_target: 20.0,
            max_in_system: 1_000_000,
            stop: None,
            interval: 0.0,
        }
    }
}

/// The seed of replication `i` of a run with seed `seed` (SplitMix64 of both).
pub fn replication_seed(seed: u64, i: u64) -> u64 {
    fn mix(mut z: u64) -> u64 {
        z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    mix(seed ^ mix(i.wrapping_add(0x5151_5151)))
}

/// A time series across the day: mean and 95% band per bin.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Series {
    /// Start of each bin, seconds of day.
    pub clock: Vec<f64>,
    /// Mean per bin across replications.
    pub mean: Vec<f64>,
    /// Lower end of the 95% interval.
    pub lo: Vec<f64>,
    /// Upper end of the 95% interval.
    pub hi: Vec<f64>,
}

/// Pooled data for plots (not part of the JSON summary).
#[derive(Clone, Debug, Default)]
pub struct PlotData {
    /// Waits of all queued calls, pooled over replications.
    pub waits: QueueAcc,
    /// Times from first dial to an agent, pooled.
    pub time_to_human: Hist,
    /// Per pool: callers waiting over the day.
    pub queue_length: IndexMap<String, Series>,
    /// Per pool: busy seats over the day.
    pub busy_seats: IndexMap<String, Series>,
    /// Per pool: staffed seats over the day.
    pub seats: IndexMap<String, Vec<f64>>,
    /// Final outcome counts of all callers, pooled.
    pub outcomes: Vec<(&'static str, u64)>,
    /// Callers by channel switches made (0, 1, 2, 3, 4 or more), pooled;
    /// empty when the menu has no online node.
    pub switch_counts: Vec<u64>,
    /// Per chat queue: first-response times, pooled.
    pub first_response: IndexMap<String, Hist>,
}

/// The top-level metrics of each replication (the first [`MAX_ROWS`]),
/// kept as one list of keys and a flat table of numbers: ten thousand
/// replications take about 3 MB.
#[derive(Clone, Debug, Default)]
pub struct Rows {
    keys: Vec<String>,
    values: Vec<f64>,
}

impl Rows {
    /// The metric names, in column order.
    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    /// Number of replications kept.
    pub fn len(&self) -> usize {
        self.values.len().checked_div(self.keys.len()).unwrap_or(0)
    }

    /// Whether no replication is kept.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Adds a replication's metrics (the first one fixes the columns; a
    /// metric missing from a later one is `NaN`).
    fn push(&mut self, m: &Metrics) {
        if self.keys.is_empty() {
            self.keys = m.keys().cloned().collect();
        }
        self.values
            .extend(self.keys.iter().map(|k| m.get(k).copied().unwrap_or(f64::NAN)));
    }

    /// The rows in replication order.
    pub fn iter(&self) -> impl Iterator<Item = Row<'_>> {
        self.values.chunks(self.keys.len().max(1)).map(|values| Row {
            keys: &self.keys,
            values,
        })
    }
}

/// One replication's top-level metrics.
#[derive(Clone, Copy, Debug)]
pub struct Row<'a> {
    keys: &'a [String],
    values: &'a [f64],
}

impl Row<'_> {
    /// The value of a metric (`NaN` when undefined in this replication).
    pub fn get(&self, key: &str) -> Option<f64> {
        self.keys.iter().position(|k| k == key).map(|i| self.values[i])
    }

    /// The values, in the order of [`Rows::keys`].
    pub fn values(&self) -> &[f64] {
        self.values
    }
}

impl std::ops::Index<&str> for Row<'_> {
    type Output = f64;

    /// The value of a metric; panics when no metric has that name.
    fn index(&self, key: &str) -> &f64 {
        match self.keys.iter().position(|k| k == key) {
            Some(i) => &self.values[i],
            None => panic!("no metric named {key}"),
        }
    }
}

/// The result of a simulation.
#[derive(Clone, Debug, Serialize)]
pub struct SimReport {
    /// The hotline's name.
    pub hotline: String,
    /// Replications run.
    pub replications: u32,
    /// Run seed.
    pub seed: u64,
    /// Callers counted, over all replications.
    pub callers: u64,
    /// Their calls, over all replications.
    pub calls: u64,
    /// Settings of the run.
    pub settings: Settings,
    /// Metrics over all queued calls and all callers.
    pub metrics: IndexMap<String, Estimate>,
    /// Metrics per queue node.
    pub queues: IndexMap<String, IndexMap<String, Estimate>>,
    /// Metrics per caller segment.
    pub segments: IndexMap<String, IndexMap<String, Estimate>>,
    /// Metrics per channel (`phone`, `online`), when the menu has online nodes.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub channels: IndexMap<String, IndexMap<String, Estimate>>,
    /// Per pool and staffing interval, when the run kept them
    /// ([`SimOptions::interval`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub intervals: Vec<IntervalReport>,
    /// Things the reader should know about the run.
    pub warnings: Vec<String>,
    /// One row of top-level metrics per replication (first 10,000).
    #[serde(skip)]
    pub rows: Rows,
    /// Data for plots.
    #[serde(skip)]
    pub plots: PlotData,
}

impl SimReport {
    /// The per-queue, per-segment and per-channel metrics, named `queue X`,
    /// `segment Y` and `channel Z`.
    pub fn scopes(&self) -> impl Iterator<Item = (String, &IndexMap<String, Estimate>)> {
        let queues = self.queues.iter().map(|(k, v)| (format!("queue {k}"), v));
        let segments = self.segments.iter().map(|(k, v)| (format!("segment {k}"), v));
        let channels = self.channels.iter().map(|(k, v)| (format!("channel {k}"), v));
        queues.chain(segments).chain(channels)
    }
}

/// One pool's figures for the calls that joined its queues in one
/// staffing interval.
#[derive(Clone, Debug, Serialize)]
pub struct IntervalReport {
    /// The pool.
    pub pool: String,
    /// Start of the interval, seconds of day.
    pub from: f64,
    /// Its length, seconds.
    pub length: f64,
    /// `queued_calls`, `queue_arrival_rate_per_h`, `service_level`,
    /// `p_abandon`, `mean_wait_s`, `occupancy`.
    pub metrics: IndexMap<String, Estimate>,
}

/// Settings echoed in the report.
#[derive(Clone, Debug, Serialize)]
pub struct Settings {
    /// Time of day the measured period starts.
    pub start: String,
    /// Measured period, seconds.
    pub duration_s: f64,
    /// Warm-up before it, seconds.
    pub warmup_s: f64,
    /// Service-level target, seconds.
    pub sl_target_s: f64,
}

/// The error message of a run stopped by [`SimOptions::stop`].
pub const INTERRUPTED: &str = "interrupted";

/// Most per-replication rows kept for `replications.csv`.
pub const MAX_ROWS: usize = 10_000;

/// Runs the simulation. `progress(done, total, callers)` is called after
/// each batch of replications.
pub fn simulate(h: &Hotline, o: &SimOptions, progress: &(dyn Fn(u32, u32, u64) + Sync)) -> Result<SimReport, String> {
    let (plan, settings) = setup(h, o)?;
    let mut agg = Aggregator::new(&plan, h, settings);
    replications(
        &plan,
        settings,
        o,
        0..o.replications,
        &mut |r| agg.add(r),
        &|done, callers| progress(done, o.replications, callers),
    )?;
    Ok(agg.finish(h, o))
}

/// Runs replications `range` of the run (out of `o.replications`) and
/// returns their statistics in order, for a shard of a run split across
/// machines (see [`aggregate`]).
pub fn simulate_range(
    h: &Hotline,
    o: &SimOptions,
    range: std::ops::Range<u32>,
    progress: &(dyn Fn(u32, u32, u64) + Sync),
) -> Result<Vec<RepResult>, String> {
    let (plan, settings) = setup(h, o)?;
    let total = range.len() as u32;
    let mut out = Vec::with_capacity(range.len());
    replications(
        &plan,
        settings,
        o,
        range,
        &mut |r| out.push(r.clone()),
        &|done, callers| progress(done, total, callers),
    )?;
    Ok(out)
}

/// The report of a run from the statistics of all its replications, in
/// order: exactly what [`simulate`] gives for the same options.
pub fn aggregate(h: &Hotline, o: &SimOptions, results: &[RepResult]) -> Result<SimReport, String> {
    let (plan, settings) = setup(h, o)?;
    if results.len() != o.replications as usize {
        return Err(format!(
            "{} replications given for a run of {}",
            results.len(),
            o.replications
        ));
    }
    let mut agg = Aggregator::new(&plan, h, settings);
    for r in results {
        agg.add(r);
    }
    Ok(agg.finish(h, o))
}

/// The compiled hotline and the settings of its replications.
fn setup(h: &Hotline, o: &SimOptions) -> Result<(Plan, RunSettings), String> {
    let plan = Plan::new(h)?;
    check_runnable(h, &plan)?;
    let sim = &h.simulation;
    let settings = RunSettings {
        clock0: sim.start.secs() - sim.warmup,
        warmup: sim.warmup,
        end: sim.warmup + sim.duration,
        sl_target: o.sl_target,
        max_in_system: o.max_in_system,
        interval: o.interval,
    };
    Ok((plan, settings))
}

/// Runs the replications of `range` on a thread pool, in batches, and
/// hands their statistics to `each` in replication order.
fn replications(
    plan: &Plan,
    settings: RunSettings,
    o: &SimOptions,
    range: std::ops::Range<u32>,
    each: &mut dyn FnMut(&RepResult),
    progress: &dyn Fn(u32, u64),
) -> Result<(), String> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(o.threads)
        .build()
        .map_err(|e| format!("cannot start worker threads: {e}"))?;
    let batch = (pool.current_num_threads() * 2).max(1) as u32;
    let mut done = range.start;
    let mut callers = 0;
    while done < range.end {
        if o.stop
            .as_ref()
            .is_some_and(|s| s.load(std::sync::atomic::Ordering::Relaxed))
        {
            return Err(INTERRUPTED.into());
        }
        let upto = (done + batch).min(range.end);
        let results: Vec<Result<RepResult, String>> = pool.install(|| {
            (done..upto)
                .into_par_iter()
                .map(|i| {
                    Engine::new(plan, settings, replication_seed(o.seed, u64::from(i)))
                        .with_stop(o.stop.as_deref())
                        .run()
                })
                .collect()
        });
        for (i, r) in results.into_iter().enumerate() {
            let r = r.map_err(|e| {
                if e == INTERRUPTED {
                    e
                } else {
                    format!("replication {}: {e}", done as usize + i + 1)
                }
            })?;
            callers += r.callers.callers;
            each(&r);
        }
        done = upto;
        progress(done - range.start, callers);
    }
    Ok(())
}

/// Callers a run is expected to simulate (first calls, warm-up included),
/// over all its replications: the arrival profile integrated over the run.
pub fn expected_callers(h: &Hotline, replications: u32) -> f64 {
    let sim = &h.simulation;
    h.callers.as_ref().map_or(0.0, |c| {
        c.expected_arrivals(sim.start.secs() - sim.warmup, sim.warmup + sim.duration) * f64::from(replications)
    })
}

/// Refuses runs that could never end or would mean nothing.
fn check_runnable(h: &Hotline, plan: &Plan) -> Result<(), String> {
    if plan.peak_rate <= 0.0 && plan.online_peak <= 0.0 {
        return Err("the arrival rate is zero all day: no caller would call".into());
    }
    for q in &plan.queues {
        let pool = &plan.pools[q.pool];
        let never = pool.seats == 0 && pool.schedule.iter().all(|&(_, s)| s == 0)
            || !pool.schedule.is_empty() && pool.schedule.iter().all(|&(_, s)| s == 0);
        // Callers who accepted a call-back keep their place whatever their patience.
        let someone_waits_forever =
            plan.patience.iter().any(Option::is_none) && q.max_wait.is_none() || q.callback.is_some();
        if never && someone_waits_forever {
            return Err(format!(
                "queue \"{}\" is answered by pool \"{}\", which has no seats at any time, and callers there never give up (no patience and no max_wait, or a call-back that keeps their place): they would wait forever",
                plan.ids[q.node as usize], h.pools[q.pool].name
            ));
        }
    }
    Ok(())
}

/// Folds replications in order.
struct Aggregator {
    names_q: Vec<String>,
    names_seg: Vec<String>,
    pool_names: Vec<String>,
    window: f64,
    settings: RunSettings,
    welford: IndexMap<(u8, usize, String), Welford>,
    rows: Rows,
    callers: u64,
    calls: u64,
    plots: PlotData,
    busy: Vec<Vec<Welford>>,
    waiting: Vec<Vec<Welford>>,
    unfinished: u64,
    stuck: u64,
    call_limit: u64,
    outcomes: [u64; 8],
    /// Whether the menu has online nodes (the channel metrics are kept).
    online: bool,
    /// Per pool: whether it answers phone queues, chat queues.
    pool_channels: Vec<[bool; 2]>,
    /// Chat queues: (index among the queues, name).
    chat_names: Vec<(usize, String)>,
    /// Staffing intervals: count, and per pool and interval the metrics.
    n_intervals: usize,
    interval_stats: Vec<IndexMap<&'static str, Welford>>,
    /// Per pool and time bin: chat slots or seats staffed.
    bin_seats: Vec<Vec<f64>>,
}

impl Aggregator {
    fn new(plan: &Plan, h: &Hotline, settings: RunSettings) -> Aggregator {
        let bins = engine::series_bins(&settings);
        Aggregator {
            names_q: plan.queues.iter().map(|q| plan.ids[q.node as usize].clone()).collect(),
            names_seg: plan.segments.clone(),
            pool_names: h.pools.iter().map(|p| p.name.clone()).collect(),
            window: settings.end - settings.warmup,
            settings,
            welford: IndexMap::new(),
            rows: Rows::default(),
            callers: 0,
            calls: 0,
            plots: PlotData::default(),
            busy: vec![vec![Welford::default(); bins]; h.pools.len()],
            waiting: vec![vec![Welford::default(); bins]; h.pools.len()],
            unfinished: 0,
            stuck: 0,
            call_limit: 0,
            outcomes: [0; 8],
            online: plan.has_online,
            pool_channels: (0..h.pools.len())
                .map(|p| {
                    let serves = |ch: u8| {
                        plan.queues
                            .iter()
                            .any(|q| q.pool == p && plan.channel[q.node as usize] == ch)
                    };
                    [serves(0), serves(1)]
                })
                .collect(),
            chat_names: plan
                .chat_queues
                .iter()
                .map(|&q| (q, plan.ids[plan.queues[q].node as usize].clone()))
                .collect(),
            n_intervals: engine::intervals(&settings),
            interval_stats: vec![IndexMap::new(); engine::intervals(&settings) * h.pools.len()],
            bin_seats: (0..h.pools.len())
                .map(|p| {
                    (0..bins)
                        .map(|b| {
                            let mid = settings.clock0 + settings.warmup + (b as f64 + 0.5) * engine::BIN;
                            f64::from(plan.seats_at(p, mid))
                        })
                        .collect()
                })
                .collect(),
        }
    }

    fn add(&mut self, r: &RepResult) {
        self.callers += r.callers.callers;
        self.calls += r.callers.calls;
        self.unfinished += r.unfinished;
        self.stuck += r.stuck_calls;
        self.call_limit += r.call_limit;
        for (a, b) in self.outcomes.iter_mut().zip(r.callers.outcomes) {
            *a += b;
        }
        let busy: f64 = r.pools.iter().map(|p| p.busy_area).sum();
        let seats: f64 = r.pools.iter().map(|p| p.seat_area).sum();
        let waiting: f64 = r.pools.iter().map(|p| p.wait_area).sum();
        let mut top = queue_metrics(&r.total, self.window);
        top.insert("occupancy".into(), ratio(busy, seats));
        top.insert("mean_queue_length".into(), waiting / self.window);
        top.extend(caller_metrics(&r.callers, self.online));
        for (k, v) in &top {
            self.welford.entry((0, 0, k.clone())).or_default().add(*v);
        }
        if self.rows.len() < MAX_ROWS {
            self.rows.push(&top);
        }
        for (i, q) in r.queues.iter().enumerate() {
            let mut m = queue_metrics(q, self.window);
            m.insert("mean_queue_length".into(), r.queue_area[i] / self.window);
            if let Some(c) = self.chat_names.iter().position(|(qi, _)| *qi == i) {
                m.extend(chat_metrics(&r.chats[c], q));
            }
            for (k, v) in m {
                self.welford.entry((1, i, k)).or_default().add(v);
            }
        }
        if self.online {
            for (ch, (c, q)) in r.channels.iter().zip(&r.channel_queues).enumerate() {
                let mut m = channel_metrics(c);
                m.extend(queue_metrics(q, self.window));
                let (busy, seats) = r
                    .pools
                    .iter()
                    .zip(&self.pool_channels)
                    .filter(|(_, serves)| serves[ch])
                    .fold((0.0, 0.0), |(b, s), (p, _)| (b + p.busy_area, s + p.seat_area));
                m.insert("occupancy".into(), ratio(busy, seats));
                for (k, v) in m {
                    self.welford.entry((3, ch, k)).or_default().add(v);
                }
            }
            let counts = &mut self.plots.switch_counts;
            counts.resize(5, 0);
            for (a, b) in counts.iter_mut().zip(r.callers.switch_counts) {
                *a += b;
            }
            for ((_, name), chat) in self.chat_names.iter().zip(&r.chats) {
                self.plots
                    .first_response
                    .entry(name.clone())
                    .or_default()
                    .merge(&chat.hist);
            }
        }
        for (i, (q, c)) in r.seg_queue.iter().zip(&r.seg_callers).enumerate().skip(1) {
            let mut m = caller_metrics(c, self.online);
            m.extend(queue_metrics(q, self.window));
            for (k, v) in m {
                self.welford.entry((2, i - 1, k)).or_default().add(v);
            }
        }
        if self.n_intervals > 0 {
            self.add_intervals(r);
        }
        self.plots.waits.merge_hists(&r.total);
        self.plots.time_to_human.merge(&r.callers.time_to_human);
        // Time averages per bin: the area over the measured seconds the bin
        // received (a short last bin, several days folded onto one).
        for (p, acc) in r.pools.iter().enumerate() {
            for (b, &secs) in r.bin_time.iter().enumerate().filter(|(_, s)| **s > 0.0) {
                self.busy[p][b].add(acc.busy_bins[b] / secs);
                self.waiting[p][b].add(acc.wait_bins[b] / secs);
            }
        }
    }

    /// The per-interval figures of one replication.
    fn add_intervals(&mut self, r: &RepResult) {
        let n = self.n_intervals;
        let bins_per = (self.settings.interval / engine::BIN).round().max(1.0) as usize;
        for (p, acc) in r.pools.iter().enumerate() {
            for i in 0..n {
                let a = r.intervals[p * n + i];
                let q = a.queued as f64;
                let (mut busy, mut seats) = (0.0, 0.0);
                for b in (i * bins_per..((i + 1) * bins_per).min(r.bin_time.len())).filter(|&b| r.bin_time[b] > 0.0) {
                    busy += acc.busy_bins[b];
                    seats += self.bin_seats[p][b] * r.bin_time[b];
                }
                let secs: f64 = (i * bins_per..((i + 1) * bins_per).min(r.bin_time.len()))
                    .map(|b| r.bin_time[b])
                    .sum();
                let w = &mut self.interval_stats[p * n + i];
                w.entry("queued_calls").or_default().add(q);
                w.entry("queue_arrival_rate_per_h")
                    .or_default()
                    .add(ratio(q * 3600.0, secs));
                w.entry("service_level").or_default().add(ratio(a.within_sl as f64, q));
                w.entry("p_abandon").or_default().add(ratio(a.abandoned as f64, q));
                w.entry("mean_wait_s").or_default().add(ratio(a.wait_sum, q));
                w.entry("occupancy").or_default().add(ratio(busy, seats));
            }
        }
    }

    fn finish(mut self, h: &Hotline, o: &SimOptions) -> SimReport {
        let mut metrics = IndexMap::new();
        let mut partial = Vec::new();
        let mut queues: IndexMap<String, IndexMap<String, Estimate>> =
            self.names_q.iter().map(|n| (n.clone(), IndexMap::new())).collect();
        let mut segments: IndexMap<String, IndexMap<String, Estimate>> =
            self.names_seg.iter().map(|n| (n.clone(), IndexMap::new())).collect();
        let mut channels: IndexMap<String, IndexMap<String, Estimate>> = if self.online {
            Channel::ALL
                .iter()
                .map(|c| (c.name().to_string(), IndexMap::new()))
                .collect()
        } else {
            IndexMap::new()
        };
        for ((scope, i, key), w) in &self.welford {
            let Some(mut e) = w.estimate() else { continue };
            // Every metric is a share (0 to 1) or a non-negative quantity:
            // the mean and its interval are clipped to that range.
            let top = if is_share(key) { 1.0 } else { f64::INFINITY };
            e.mean = e.mean.clamp(0.0, top);
            e.ci95 = [e.ci95[0].clamp(0.0, top), e.ci95[1].clamp(0.0, top)];
            if *scope == 0 && e.n < u64::from(o.replications) {
                partial.push(format!(
                    "{key} is undefined in {} of {} replications ({}): its figure rests on the other {}",
                    u64::from(o.replications) - e.n,
                    o.replications,
                    undefined_because(key),
                    e.n
                ));
            }
            match scope {
                0 => {
                    metrics.insert(key.clone(), e);
                }
                1 => {
                    queues[*i].insert(key.clone(), e);
                }
                3 => {
                    channels[*i].insert(key.clone(), e);
                }
                _ => {
                    segments[*i].insert(key.clone(), e);
                }
            }
        }
        let mut warnings = Vec::new();
        if self.callers == 0 {
            warnings.push(
                "no caller arrived in the measured period of any replication: every figure is undefined (is the arrival rate far too low, or the period too short?)"
                    .into(),
            );
        } else {
            warnings.extend(partial);
        }
        if self.unfinished > 0 {
            warnings.push(format!(
                "{} caller(s) were still in the system seven days after the last arrival and were left out",
                self.unfinished
            ));
        }
        if self.stuck > 0 {
            warnings.push(format!(
                "{} call(s) passed through more than {} menu nodes without leaving the menu (a loop with no way out?)",
                self.stuck,
                engine::MAX_STEPS
            ));
        }
        if self.call_limit > 0 {
            warnings.push(format!(
                "{} caller(s) called more than {} times (a call-back loop?) and were counted as giving up",
                self.call_limit,
                engine::MAX_CALLS
            ));
        }
        if o.replications < 2 {
            warnings.push("one replication gives no confidence interval: use --replications 2 or more".into());
        }
        let clock0 = self.settings.clock0;
        for (p, name) in self.pool_names.iter().enumerate() {
            let series = |ws: &[Welford]| {
                let mut s = Series::default();
                for (b, w) in ws.iter().enumerate() {
                    let t = self.settings.warmup + b as f64 * engine::BIN;
                    let e = w.estimate().unwrap_or(Estimate {
                        mean: 0.0,
                        ci95: [0.0, 0.0],
                        n: 0,
                    });
                    s.clock.push(clock0 + t);
                    s.mean.push(e.mean);
                    s.lo.push(e.ci95[0].max(0.0));
                    s.hi.push(e.ci95[1]);
                }
                s
            };
            let q = series(&self.waiting[p]);
            // Chat pools: each seat holds `concurrency` chats.
            let pool = &h.pools[p];
            let seats = q
                .clock
                .iter()
                .map(|&c| f64::from(pool.seats_at(c) * pool.concurrency))
                .collect();
            self.plots.seats.insert(name.clone(), seats);
            self.plots.queue_length.insert(name.clone(), q);
            self.plots.busy_seats.insert(name.clone(), series(&self.busy[p]));
        }
        self.plots.outcomes = Outcome::ALL
            .iter()
            .zip(self.outcomes)
            .map(|(o, n)| (o.name(), n))
            .collect();
        let mut intervals = Vec::new();
        for (p, pool) in self.pool_names.iter().enumerate() {
            for i in 0..self.n_intervals {
                let metrics = self.interval_stats[p * self.n_intervals + i]
                    .iter()
                    .filter_map(|(k, w)| {
                        let mut e = w.estimate()?;
                        let top = if is_share(k) { 1.0 } else { f64::INFINITY };
                        e.mean = e.mean.clamp(0.0, top);
                        e.ci95 = [e.ci95[0].clamp(0.0, top), e.ci95[1].clamp(0.0, top)];
                        Some(((*k).to_string(), e))
                    })
                    .collect();
                intervals.push(IntervalReport {
                    pool: pool.clone(),
                    from: (self.settings.clock0 + self.settings.warmup + i as f64 * self.settings.interval)
                        .rem_euclid(86400.0),
                    length: self.settings.interval,
                    metrics,
                });
            }
        }
        let sim = &h.simulation;
        SimReport {
            hotline: h.name.clone(),
            replications: o.replications,
            seed: o.seed,
            callers: self.callers,
            calls: self.calls,
            settings: Settings {
                start: sim.start.to_string(),
                duration_s: sim.duration,
                warmup_s: sim.warmup,
                sl_target_s: o.sl_target,
            },
            metrics,
            queues,
            segments,
            channels,
            intervals,
            warnings,
            rows: self.rows,
            plots: self.plots,
        }
    }
}

/// Why a top-level metric can be undefined in a replication.
fn undefined_because(key: &str) -> &'static str {
    let per_caller = matches!(
        key,
        "calls_per_caller"
            | "p_deflected"
            | "p_switched_channel"
            | "channel_switches_per_caller"
            | "p_bounced_back_to_phone"
    ) || Outcome::ALL.iter().any(|o| o.key() == key);
    match key {
        "occupancy" => "no seat was staffed in the measured period",
        "mean_time_to_human_s" => "no caller reached a human",
        _ if per_caller => "no caller arrived",
        _ => "no call was queued",
    }
}

/// Whether a metric is a share between 0 and 1.
pub fn is_share(key: &str) -> bool {
    key.starts_with("p_") || matches!(key, "service_level" | "occupancy")
}

/// Metrics of queued calls.
fn queue_metrics(q: &QueueAcc, window: f64) -> Metrics {
    let n = q.queued as f64;
    let mut m = Metrics::new();
    m.insert("queued_calls".into(), n);
    m.insert("p_wait".into(), ratio(q.waited as f64, n));
    m.insert("mean_wait_s".into(), ratio(q.wait_sum, n));
    m.insert(
        "mean_wait_answered_s".into(),
        ratio(q.wait_answered_sum, q.answered as f64),
    );
    m.insert("p_abandon".into(), ratio(q.abandoned as f64, n));
    m.insert("p_disconnected".into(), ratio(q.forced as f64, n));
    m.insert("service_level".into(), ratio(q.within_sl as f64, n));
    m.insert("p_answered_within_180s".into(), ratio(q.within_180 as f64, n));
    m.insert(
        "p_busy_deflected".into(),
        ratio(q.deflected as f64, n + q.deflected as f64),
    );
    m.insert("p_callback".into(), ratio(q.callbacks as f64, n));
    m.insert("wait_p50_s".into(), q.wait_quantile(0.5));
    m.insert("wait_p90_s".into(), q.wait_quantile(0.9));
    m.insert("wait_p95_s".into(), q.wait_quantile(0.95));
    m.insert("queue_arrival_rate_per_h".into(), n / window * 3600.0);
    m
}

/// Metrics of one channel's customers.
fn channel_metrics(c: &ChannelAcc) -> Metrics {
    let n = c.customers as f64;
    let mut m = Metrics::new();
    m.insert("customers".into(), n);
    m.insert("contacts".into(), c.contacts as f64);
    m.insert("contacts_per_customer".into(), ratio(c.contacts as f64, n));
    for (o, count) in Outcome::ALL.iter().zip(c.outcomes) {
        m.insert(o.key().into(), ratio(count as f64, n));
    }
    m.insert(
        "mean_time_to_human_s".into(),
        ratio(c.time_to_human_sum, c.outcomes[0] as f64),
    );
    m
}

/// First-response metrics of a chat queue (shares of its queued chats).
fn chat_metrics(c: &ChatAcc, q: &QueueAcc) -> Metrics {
    let n = q.queued as f64;
    let mut m = Metrics::new();
    m.insert(
        "first_response_s".into(),
        ratio(c.first_response_sum, c.answered as f64),
    );
    for (within, secs) in c.within.iter().zip(stats::FIRST_RESPONSE_WITHIN) {
        m.insert(format!("p_first_response_within_{secs}s"), ratio(*within as f64, n));
    }
    m.insert("first_response_p50_s".into(), c.quantile(0.5));
    m.insert("first_response_p90_s".into(), c.quantile(0.9));
    m
}

/// Metrics of callers (journeys across call-backs and redials); with
/// `online`, also their channel switches.
fn caller_metrics(c: &CallerAcc, online: bool) -> Metrics {
    let n = c.callers as f64;
    let mut m = Metrics::new();
    m.insert("callers".into(), n);
    m.insert("calls".into(), c.calls as f64);
    m.insert("calls_per_caller".into(), ratio(c.calls as f64, n));
    for (o, count) in Outcome::ALL.iter().zip(c.outcomes) {
        m.insert(o.key().into(), ratio(count as f64, n));
    }
    m.insert("p_deflected".into(), ratio(c.deflected as f64, n));
    let reached = c.outcomes[0] as f64;
    m.insert("mean_time_to_human_s".into(), ratio(c.time_to_human_sum, reached));
    if online {
        m.insert("p_switched_channel".into(), ratio(c.switched as f64, n));
        m.insert("channel_switches_per_caller".into(), ratio(c.switches as f64, n));
        m.insert("p_bounced_back_to_phone".into(), ratio(c.bounced as f64, n));
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_keep_columns_of_the_first_replication() {
        let mut rows = Rows::default();
        assert!(rows.is_empty());
        assert_eq!((rows.len(), rows.iter().count()), (0, 0));
        let m = |pairs: &[(&str, f64)]| -> Metrics { pairs.iter().map(|(k, v)| ((*k).to_string(), *v)).collect() };
        rows.push(&m(&[("p_wait", 0.5), ("callers", 10.0)]));
        rows.push(&m(&[("callers", 12.0)]));
        assert_eq!(rows.len(), 2);
        assert_eq!(rows.keys(), ["p_wait", "callers"]);
        let all: Vec<Row> = rows.iter().collect();
        assert_eq!(all[0]["p_wait"], 0.5);
        assert_eq!(all[1]["callers"], 12.0);
        assert!(all[1]["p_wait"].is_nan(), "a missing metric is NaN");
        assert_eq!(all[0].get("occupancy"), None);
        assert_eq!(all[1].values().len(), 2);
        assert_eq!(all[1].values()[1], 12.0);
    }
}
