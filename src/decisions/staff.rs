//! Staffing to a target: the fewest seats per pool, per interval of the
//! day, meeting every target, found by simulating the whole menu.
//!
//! The search follows the iterative staffing idea of Feldman, Mandelbaum,
//! Massey and Whitt (Management Science 2008): the offered load of each
//! pool per interval (from the menu's own rates and shares when every call
//! is a first call, else measured by a pilot run with ample seats, busy
//! deflections and redials included) gives an Erlang C answer, the first
//! plan; then the plan is simulated, each interval's targets judged on the
//! calls that joined in it, and each interval's seats moved until every
//! interval holds with one seat fewer known to fail (the `search` module). The plan
//! is then confirmed on fresh seeds at the stated confidence shared among
//! the intervals, so an accepted plan meets every target with at least
//! that confidence.
//!
//! A constant model is planned for its steady state: unless the menu
//! writes a warm-up, one is chosen from the load (the queue's relaxation
//! time) and stated in the output. A day profile starts empty at the
//! menu's start, as a centre does when it opens.

mod erlang;
mod schedule;
mod search;

use indexmap::IndexMap;
use serde::Serialize;

use crate::menu::Hotline;
use crate::menu::target::{Metric, Target};
use crate::menu::value::Clock;
use crate::sim::SimOptions;
use crate::sim::stats::Estimate;

pub use erlang::{erlang_a_start, erlang_c_servers, feeds_forward, menu_offered};
pub use schedule::with_schedules;
use search::{Cell, Layout};

/// Settings of a staffing search.
#[derive(Clone, Debug)]
pub struct StaffOptions {
    /// The targets every pool and interval must meet.
    pub targets: Vec<Target>,
    /// Interval length, seconds (a multiple of 5 minutes); a model with a
    /// constant rate and no schedules has one interval whatever this is.
    pub interval: f64,
    /// Confidence at which every target must hold in every interval at
    /// once (0.5 to 0.999).
    pub confidence: f64,
    /// Share of paid time agents are not on the phones: scheduled =
    /// required ÷ (1 − shrinkage).
    pub shrinkage: f64,
    /// Simulation settings (replications, seed, threads, stop flag).
    pub sim: SimOptions,
    /// Most search rounds.
    pub max_rounds: usize,
}

/// One row of the plan: a pool in an interval.
#[derive(Clone, Debug, Serialize)]
pub struct PlanRow {
    /// The pool.
    pub pool: String,
    /// Start of the interval.
    pub from: String,
    /// Its end.
    pub to: String,
    /// Fewest seats meeting every target.
    pub seats: u32,
    /// Seats to schedule: `seats ÷ (1 − shrinkage)`, rounded up.
    pub scheduled: u32,
    /// What a plain Erlang C calculator says for this pool's offered load
    /// (0 where no number of seats meets the targets by Erlang C).
    pub erlang_c: u32,
    /// Calls an hour joining the pool's queues.
    pub offered_per_h: f64,
    /// Offered load in erlangs (arrivals × mean handle time).
    pub offered_erlangs: f64,
    /// The plan's figures in this interval (from the confirmation run).
    pub achieved: IndexMap<String, Estimate>,
    /// Whether a target stayed within the confidence interval at the
    /// most replications of the search (decided by the mean).
    pub close: bool,
    /// Seats the confirmation on fresh seeds added to the search's answer.
    pub confirmation_added: u32,
    /// Targets that could not be met with any number of seats.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unmet: Vec<String>,
}

/// A staffing plan.
#[derive(Clone, Debug, Serialize)]
pub struct Staffing {
    /// The hotline.
    pub hotline: String,
    /// The targets, as written.
    pub targets: Vec<String>,
    /// Interval length, seconds.
    pub interval_s: f64,
    /// Confidence that every interval meets every target.
    pub confidence: f64,
    /// Whether the confirmation on fresh seeds held in every interval at
    /// that confidence (false: the plan is the best found, not confirmed).
    pub confirmed: bool,
    /// Shrinkage.
    pub shrinkage: f64,
    /// Warm-up before each replication's measured period, seconds.
    pub warmup_s: f64,
    /// Whether the warm-up was chosen from the load (the menu writes none
    /// and the model is constant: the plan is for the steady state).
    pub warmup_chosen: bool,
    /// Where the Erlang C column's load comes from: `menu` (its rates and
    /// shares, every call a first call) or `measured` (a pilot run with
    /// ample seats, redials and deflections included).
    pub erlang_c_load: &'static str,
    /// Replications of the confirmation run.
    pub replications: u32,
    /// Search rounds run.
    pub rounds: usize,
    /// Confirmation runs on fresh seeds.
    pub confirmations: usize,
    /// One row per pool and interval.
    pub plan: Vec<PlanRow>,
    /// Agent hours of the plan (seats × hours).
    pub agent_hours: f64,
    /// Scheduled agent hours.
    pub scheduled_hours: f64,
    /// Erlang C agent hours.
    pub erlang_c_hours: f64,
    /// Things to know.
    pub warnings: Vec<String>,
}

/// The warm-up for the steady state of a pool with load `a` erlangs on `c`
/// servers and mean handle `handle` seconds: five relaxation times of the
/// queue — 1 / (cμ (1 − √ρ)²) without abandonment, at most twice the
/// longer of the handle time and the mean patience 1/θ with it — or ten
/// handle times, whichever is longer, rounded up to 5 minutes, from 30
/// minutes to 4 hours.
pub fn steady_warmup(a: f64, c: u32, handle: f64, theta: Option<f64>) -> f64 {
    let c = f64::from(c.max(1));
    let rho = (a / c).min(0.999);
    let mut relax = handle / (c * (1.0 - rho.sqrt()).powi(2));
    if let Some(th) = theta.filter(|t| *t > 0.0) {
        relax = relax.min(2.0 * handle.max(1.0 / th));
    }
    let w = (5.0 * relax).max(10.0 * handle);
    ((w / 300.0).ceil() * 300.0).clamp(1800.0, 4.0 * 3600.0)
}

/// The rate at which waiting callers give up, 1 / mean patience over the
/// callers (segments weighed by their shares), when every caller has a
/// patience.
fn patience_rate(callers: &crate::menu::Callers) -> Option<f64> {
    let rest = 1.0 - callers.segments.iter().map(|s| s.share).sum::<f64>();
    let mut mean = callers.patience.as_ref().map(|p| p.mean() * rest)?;
    for s in &callers.segments {
        mean += s.patience.as_ref().or(callers.patience.as_ref())?.mean() * s.share;
    }
    (mean > 0.0 && mean.is_finite()).then(|| 1.0 / mean)
}

/// Searches the fewest seats per pool and interval meeting every target.
pub fn staff(h: &Hotline, o: &StaffOptions) -> Result<Staffing, String> {
    if o.targets.is_empty() {
        return Err("no target: give --target (such as \"service_level(20s) >= 80%\") or targets: in the menu".into());
    }
    if !o.targets.iter().any(Target::more_seats_help) {
        return Err(format!(
            "{} bounds the seats from above (more seats lower occupancy): give a target that seats must reach as well, such as service_level(20s) >= 80%, p_abandon <= 5%, mean_wait <= 30s or occupancy <= 90%",
            o.targets[0]
        ));
    }
    let sls: Vec<f64> = o
        .targets
        .iter()
        .filter_map(|t| match t.metric {
            Metric::ServiceLevel(s) => Some(s),
            _ => None,
        })
        .collect();
    if sls.windows(2).any(|w| w[0] != w[1]) {
        return Err("the service-level targets name different times: staff to one time at a time".into());
    }
    let callers = h
        .callers
        .as_ref()
        .ok_or("the menu has no caller model (callers.arrivals): there is no demand to staff")?;
    if !h
        .graph()
        .node_weights()
        .any(|n| matches!(n.kind, crate::menu::Kind::Queue(_)))
    {
        return Err("the menu has no queue: there are no seats to staff".into());
    }
    let sim = &h.simulation;
    let constant = callers.arrivals.len() <= 1
        && callers.online_arrivals.len() <= 1
        && h.pools.iter().all(|p| p.schedule.is_empty());
    let interval = if constant {
        ((sim.duration.min(86400.0) / 300.0).ceil() * 300.0).max(300.0)
    } else {
        o.interval
    };
    if interval < 300.0 || (interval / 300.0).fract() != 0.0 {
        return Err(format!("--interval must be a multiple of 5 minutes, not {interval} s"));
    }
    let mut so = o.sim.clone();
    so.interval = interval;
    if let Some(&s) = sls.first() {
        so.sl_target = s;
    }
    let base = so.replications.max(2);
    let n = ((sim.duration.min(86400.0) / interval).ceil() as usize).max(1);
    let starts: Vec<f64> = (0..n).map(|i| sim.start.secs() + i as f64 * interval).collect();
    let np = h.pools.len();

    // The offered load per cell: from the menu where it says it exactly,
    // else from a pilot run with ample seats everywhere.
    let from_menu: Option<Vec<f64>> = (0..n)
        .map(|i| menu_offered(h, starts[i], interval.min(sim.duration - i as f64 * interval)))
        .collect::<Option<Vec<Vec<f64>>>>()
        .map(|per_interval| (0..np * n).map(|c| per_interval[c % n][c / n]).collect());
    let offered: Vec<f64> = match &from_menu {
        Some(o) => o.clone(),
        None => {
            let ample = vec![100_000; np * n];
            let mut po = so.clone();
            po.replications = base * 8;
            let pilot = crate::sim::simulate(&schedule::staffed(h, &ample, n, &starts, constant), &po, &|_, _, _| {})?;
            pilot
                .intervals
                .iter()
                .map(|r| r.metrics.get("queue_arrival_rate_per_h").map_or(0.0, |e| e.mean) / 3600.0)
                .collect()
        }
    };
    let nobody_gives_up = callers.patience.is_none() && callers.segments.iter().all(|s| s.patience.is_none());
    // Where every caller gives up some time, Erlang A starts the search.
    let theta = patience_rate(callers);
    let erlang: Vec<Option<u32>> = (0..np * n)
        .map(|c| {
            let pool = &h.pools[c / n];
            erlang_c_servers(offered[c], pool.handle_time.mean(), &o.targets).map(|s| s.div_ceil(pool.concurrency))
        })
        .collect();
    let mut cells: Vec<Cell> = (0..np * n)
        .map(|c| {
            let pool = &h.pools[c / n];
            let load = offered[c] * pool.handle_time.mean() / f64::from(pool.concurrency);
            if offered[c] <= 0.0 {
                return Cell::new(0, 0, 0);
            }
            // Where nobody gives up, fewer seats than the load never empty
            // the queue: the plan would only hold for a finite day.
            let floor = if nobody_gives_up && constant {
                load.floor() as u32 + 1
            } else {
                1
            };
            let ceiling = (load * 3.0).ceil() as u32 + 50;
            let start = match theta {
                Some(th) => erlang_a_start(offered[c], pool.handle_time.mean(), th, &o.targets)
                    .map(|s| s.div_ceil(pool.concurrency)),
                None => erlang[c],
            };
            Cell::new(start.unwrap_or(ceiling), floor, ceiling)
        })
        .collect();
    let mut warnings = Vec::new();
    // A constant model is planned for its steady state.
    let mut menu = h.clone();
    let warmup_chosen = constant && sim.warmup == 0.0;
    if warmup_chosen {
        menu.simulation.warmup = (0..np)
            .filter(|&p| offered[p * n] > 0.0)
            .map(|p| {
                let pool = &h.pools[p];
                let a = offered[p * n] * pool.handle_time.mean() / f64::from(pool.concurrency);
                steady_warmup(a, cells[p * n].seats, pool.handle_time.mean(), theta)
            })
            .fold(1800.0, f64::max);
    }
    let per_round = crate::sim::expected_callers(&menu, base);
    if per_round * 32.0 >= 1e8 {
        warnings.push(format!(
            "a large model: about {per_round:.2e} callers a round at {base} replications (up to 32 times that where a target is close)"
        ));
    }
    let layout = Layout {
        h: &menu,
        n,
        starts: &starts,
        constant,
    };
    let settled = search::search(&layout, o, &mut cells, so)?;
    if settled.unsettled {
        warnings.push(format!(
            "the search did not settle within {} rounds: the plan is the last one tried",
            o.max_rounds
        ));
    }
    if !settled.confirmed {
        warnings.push(format!(
            "the plan could not be confirmed on fresh seeds at {:.0}% confidence after {} checks: some interval may miss its target",
            o.confidence * 100.0,
            settled.confirmations
        ));
    }
    // Targets that bound the seats from above, judged on the plan.
    for (c, cell) in cells.iter_mut().enumerate() {
        let m = &settled.report.intervals[c].metrics;
        for t in o.targets.iter().filter(|t| !t.more_seats_help()) {
            if m.get(t.metric.key()).is_some_and(|e| !t.met_by(e.mean)) {
                cell.unmet.push(format!(
                    "{t} (the fewest seats meeting the other targets already give less; fewer seats would miss them)"
                ));
            }
        }
    }
    Ok(report(
        &menu,
        o,
        &cells,
        &erlang,
        &offered,
        &settled,
        Plan {
            n,
            interval,
            starts: &starts,
            warmup_chosen,
            from_menu: from_menu.is_some(),
        },
        warnings,
    ))
}

/// The plan's layout, for the report.
struct Plan<'a> {
    n: usize,
    interval: f64,
    starts: &'a [f64],
    warmup_chosen: bool,
    from_menu: bool,
}

#[allow(clippy::too_many_arguments)]
fn report(
    h: &Hotline,
    o: &StaffOptions,
    cells: &[Cell],
    erlang: &[Option<u32>],
    offered: &[f64],
    settled: &search::Settled,
    plan_of: Plan,
    mut warnings: Vec<String>,
) -> Staffing {
    let (n, interval, starts) = (plan_of.n, plan_of.interval, plan_of.starts);
    let r = &settled.report;
    let clock = |s: f64| Clock(s.rem_euclid(86400.0).round() as u32 % 86400).to_string();
    let end = h.simulation.start.secs() + h.simulation.duration;
    let mut plan = Vec::new();
    let (mut hours, mut sched_hours, mut ec_hours) = (0.0, 0.0, 0.0);
    for (c, cell) in cells.iter().enumerate() {
        let pool = &h.pools[c / n];
        let from = starts[c % n];
        let to = (from + interval).min(end);
        let len = (to - from) / 3600.0;
        let scheduled = (f64::from(cell.seats) / (1.0 - o.shrinkage)).ceil() as u32;
        let ec = erlang[c].unwrap_or(0);
        hours += f64::from(cell.seats) * len;
        sched_hours += f64::from(scheduled) * len;
        ec_hours += f64::from(ec) * len;
        if !cell.unmet.is_empty() {
            warnings.push(format!(
                "pool {} from {}: {} cannot be met with seats alone (the menu itself sets it: a max_wait, a busy rule, patience, or another target?)",
                pool.name,
                clock(from),
                cell.unmet.join(", ")
            ));
        }
        plan.push(PlanRow {
            pool: pool.name.clone(),
            from: clock(from),
            to: clock(to),
            seats: cell.seats,
            scheduled,
            erlang_c: ec,
            offered_per_h: (offered[c] * 3600.0 * 1000.0).round() / 1000.0,
            offered_erlangs: (offered[c] * pool.handle_time.mean() * 1000.0).round() / 1000.0,
            achieved: r.intervals[c].metrics.clone(),
            close: cell.close,
            confirmation_added: cell.confirmed_up,
            unmet: cell.unmet.clone(),
        });
    }
    Staffing {
        hotline: h.name.clone(),
        targets: o.targets.iter().map(ToString::to_string).collect(),
        interval_s: interval,
        confidence: o.confidence,
        confirmed: settled.confirmed,
        shrinkage: o.shrinkage,
        warmup_s: h.simulation.warmup,
        warmup_chosen: plan_of.warmup_chosen,
        erlang_c_load: if plan_of.from_menu { "menu" } else { "measured" },
        replications: r.replications,
        rounds: settled.rounds,
        confirmations: settled.confirmations,
        plan,
        agent_hours: (hours * 1000.0).round() / 1000.0,
        scheduled_hours: (sched_hours * 1000.0).round() / 1000.0,
        erlang_c_hours: (ec_hours * 1000.0).round() / 1000.0,
        warnings,
    }
}

/// Whether any row of a plan has a target it could not meet.
pub fn has_unmet(s: &Staffing) -> bool {
    s.plan.iter().any(|r| !r.unmet.is_empty())
}
