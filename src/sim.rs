//! Monte Carlo simulation of callers through the menu and its agent pools.
//!
//! [`simulate`] compiles the hotline ([`plan`]), runs independent
//! replications ([`engine`]) on a rayon pool, each with a seed derived from
//! (run seed, replication index), folds their statistics ([`stats`]) in
//! replication order, and reports every metric as a mean with a 95%
//! Student-t confidence interval. The result does not depend on the number
//! of threads.

mod aggregate;
pub mod engine;
pub mod events;
pub mod log;
pub mod metric;
pub mod plan;
pub mod shard;
pub mod stats;

use indexmap::IndexMap;
use rayon::prelude::*;
use serde::Serialize;

use crate::menu::Hotline;
use aggregate::Aggregator;
use engine::{Engine, RepResult, RunSettings};
pub use metric::is_share;
use plan::Plan;
use stats::{Estimate, Hist, Metrics, QueueAcc};

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
    pub stop: crate::cancel::Cancel,
    /// Keep every measured call as a record ([`engine::RepResult::log`]).
    pub log: bool,
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
            stop: crate::cancel::Cancel::new(),
            log: false,
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

/// Why a run gave no result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SimError {
    /// Stopped by its [`SimOptions::stop`] token.
    Interrupted,
    /// The menu cannot be simulated, or a replication failed (the message).
    Failed(String),
}

impl std::fmt::Display for SimError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SimError::Interrupted => f.write_str("interrupted"),
            SimError::Failed(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for SimError {}

impl From<String> for SimError {
    fn from(m: String) -> SimError {
        SimError::Failed(m)
    }
}

impl From<SimError> for String {
    fn from(e: SimError) -> String {
        e.to_string()
    }
}

/// Most per-replication rows kept for `replications.csv`.
pub const MAX_ROWS: usize = 10_000;

/// Runs the simulation. `progress(done, total, callers)` is called after
/// each batch of replications.
pub fn simulate(h: &Hotline, o: &SimOptions, progress: &(dyn Fn(u32, u32, u64) + Sync)) -> Result<SimReport, SimError> {
    simulate_each(h, o, progress, &mut |_, _| Ok(()))
}

/// [`simulate`], handing each replication's statistics (with its calls,
/// when [`SimOptions::log`] is set) to `each` in replication order.
pub fn simulate_each(
    h: &Hotline,
    o: &SimOptions,
    progress: &(dyn Fn(u32, u32, u64) + Sync),
    each: &mut dyn FnMut(u32, &RepResult) -> Result<(), String>,
) -> Result<SimReport, SimError> {
    let (plan, settings) = setup(h, o)?;
    let mut agg = Aggregator::new(&plan, h, settings);
    let (mut i, mut failed) = (0u32, None);
    replications(
        &plan,
        settings,
        o,
        0..o.replications,
        &mut |r| {
            agg.add(r);
            if failed.is_none()
                && let Err(e) = each(i, r)
            {
                failed = Some(e);
            }
            i += 1;
        },
        &|done, callers| progress(done, o.replications, callers),
    )?;
    if let Some(e) = failed {
        return Err(SimError::Failed(e));
    }
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
) -> Result<Vec<RepResult>, SimError> {
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
    let mut fold = Fold::new(h, o)?;
    for r in results {
        fold.add(r)?;
    }
    fold.finish(h, o)
}

/// A run that grows by replications: [`Growing::report`] with more
/// replications of the same menu, options and seed runs only the new ones
/// and gives exactly what [`simulate`] gives for all of them (a
/// replication's seed depends only on the run's seed and its index). The
/// staffing search doubles the replications of a close plan this way.
pub struct Growing {
    plan: Plan,
    settings: RunSettings,
    agg: Aggregator,
    done: u32,
}

impl Growing {
    /// A run of `h` with options `o` (every option but the replications
    /// must stay the same for its life), no replication run yet.
    pub fn new(h: &Hotline, o: &SimOptions) -> Result<Growing, SimError> {
        let (plan, settings) = setup(h, o)?;
        let agg = Aggregator::new(&plan, h, settings);
        Ok(Growing {
            plan,
            settings,
            agg,
            done: 0,
        })
    }

    /// Replications run so far.
    pub fn done(&self) -> u32 {
        self.done
    }

    /// Runs the replications from [`Growing::done`] up to
    /// `o.replications` and gives the report of all of them; `None` when
    /// `o.replications` is below what was already run.
    pub fn report(&mut self, h: &Hotline, o: &SimOptions) -> Result<Option<SimReport>, SimError> {
        if o.replications < self.done {
            return Ok(None);
        }
        let agg = &mut self.agg;
        replications(
            &self.plan,
            self.settings,
            o,
            self.done..o.replications,
            &mut |r| agg.add(r),
            &|_, _| {},
        )?;
        self.done = o.replications;
        Ok(Some(self.agg.clone().finish(h, o)))
    }
}

/// Replications read back (the shards of a run, merged) folded into a
/// report one at a time, in order, each checked against the run first
/// ([`shard::Shape`]): memory does not grow with the replications.
pub struct Fold {
    agg: Aggregator,
    shape: shard::Shape,
    added: u32,
}

impl Fold {
    /// A fold for a run of `h` with options `o`.
    pub fn new(h: &Hotline, o: &SimOptions) -> Result<Fold, String> {
        let (plan, settings) = setup(h, o)?;
        Ok(Fold {
            agg: Aggregator::new(&plan, h, settings),
            shape: shard::Shape::new(h, o)?,
            added: 0,
        })
    }

    /// Adds the next replication, once it passes the checks.
    pub fn add(&mut self, r: &RepResult) -> Result<(), String> {
        self.shape.check(r)?;
        self.agg.add(r);
        self.added += 1;
        Ok(())
    }

    /// The report, when every replication of the run was added.
    pub fn finish(self, h: &Hotline, o: &SimOptions) -> Result<SimReport, String> {
        if self.added != o.replications {
            return Err(format!(
                "{} replications given for a run of {}",
                self.added, o.replications
            ));
        }
        Ok(self.agg.finish(h, o))
    }
}

/// The compiled hotline and the settings of its replications.
pub fn setup(h: &Hotline, o: &SimOptions) -> Result<(Plan, RunSettings), String> {
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

/// Where the calls of a logged run are put in time: (seconds of day at
/// simulated time 0, whole days one replication spans, with room for the
/// calls that end after the period).
pub fn log_span(h: &Hotline) -> (f64, f64) {
    let sim = &h.simulation;
    let clock0 = sim.start.secs() - sim.warmup;
    let end = clock0 + sim.warmup + sim.duration + 7200.0;
    (clock0, (end / 86400.0).ceil().max(1.0))
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
) -> Result<(), SimError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(o.threads)
        .build()
        .map_err(|e| format!("cannot start worker threads: {e}"))?;
    let batch = (pool.current_num_threads() * 2).max(1) as u32;
    let mut done = range.start;
    let mut callers = 0;
    while done < range.end {
        if o.stop.is_cancelled() {
            return Err(SimError::Interrupted);
        }
        let upto = (done + batch).min(range.end);
        let results: Vec<Result<RepResult, SimError>> = pool.install(|| {
            (done..upto)
                .into_par_iter()
                .map(|i| {
                    let seed = replication_seed(o.seed, u64::from(i));
                    if o.log {
                        Engine::logged(plan, settings, seed)
                            .with_stop(Some(o.stop.flag()))
                            .run()
                    } else {
                        Engine::new(plan, settings, seed).with_stop(Some(o.stop.flag())).run()
                    }
                })
                .collect()
        });
        for (i, r) in results.into_iter().enumerate() {
            let r = r.map_err(|e| match e {
                SimError::Interrupted => e,
                SimError::Failed(m) => SimError::Failed(format!("replication {}: {m}", done as usize + i + 1)),
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

/// Whether a menu can be simulated: `Err` says why not (no caller would
/// call, a queue never staffed where callers wait for ever).
pub fn check(h: &Hotline) -> Result<(), String> {
    let plan = Plan::new(h)?;
    check_runnable(h, &plan)
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
