//! Staffing to a target: the fewest seats per pool, per interval of the
//! day, meeting every target, found by simulating the whole menu.
//!
//! The search follows the iterative staffing idea of Feldman, Mandelbaum,
//! Massey and Whitt (Management Science 2008): a pilot run with ample seats
//! measures each pool's offered load per interval (the calls that reach its
//! queues through the menu, busy deflections and redials included); an
//! Erlang C answer on that load is the first plan; then the plan is
//! simulated, each interval's targets judged on the calls that joined in
//! it, and each interval's seats moved by one — up where a target fails,
//! down one to probe where it holds — until every interval holds with one
//! seat fewer known to fail. Every run uses the same seeds (common random
//! numbers). A figure whose interval straddles its target at the chosen
//! confidence is "close": the replications double (up to 32 times the
//! first) before the mean decides, and the row says so.

use indexmap::IndexMap;
use serde::Serialize;

use crate::menu::Hotline;
use crate::sim::stats::Estimate;
use crate::sim::{SimOptions, SimReport, simulate};
use crate::target::{Metric, Target};
use crate::value::Clock;

/// Settings of a staffing search.
#[derive(Clone, Debug)]
pub struct StaffOptions {
    /// The targets every pool and interval must meet.
    pub targets: Vec<Target>,
    /// Interval length, seconds (a multiple of 5 minutes); a model with a
    /// constant rate and no schedules has one interval whatever this is.
    pub interval: f64,
    /// Confidence at which a target must hold (0.5 to 0.999).
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
    /// What a plain Erlang C calculator says for this pool's offered load.
    pub erlang_c: u32,
    /// Calls an hour joining the pool's queues (from the ample pilot run).
    pub offered_per_h: f64,
    /// Offered load in erlangs (arrivals × mean handle time).
    pub offered_erlangs: f64,
    /// The plan's figures in this interval.
    pub achieved: IndexMap<String, Estimate>,
    /// Whether a target stayed within the confidence interval at the
    /// most replications (decided by the mean).
    pub close: bool,
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
    /// Confidence.
    pub confidence: f64,
    /// Shrinkage.
    pub shrinkage: f64,
    /// Replications of the final check.
    pub replications: u32,
    /// Search rounds run.
    pub rounds: usize,
    /// One row per pool and interval.
    pub plan: Vec<PlanRow>,
    /// Agent hours of the plan (seats × hours), scheduled hours, and what
    /// Erlang C would staff.
    pub agent_hours: f64,
    /// Scheduled agent hours.
    pub scheduled_hours: f64,
    /// Erlang C agent hours.
    pub erlang_c_hours: f64,
    /// Things to know.
    pub warnings: Vec<String>,
}

/// Erlang C figures: P(wait) and the tail rate, for `c` servers.
fn erlang_c(a: f64, mu: f64, c: u32) -> Option<(f64, f64)> {
    if c == 0 || a >= f64::from(c) {
        return None;
    }
    let mut term = 1.0;
    let mut sum = 0.0;
    for k in 0..c {
        if k > 0 {
            term *= a / f64::from(k);
        }
        sum += term;
    }
    let top = term * a / f64::from(c) / (1.0 - a / f64::from(c));
    Some((top / (sum + top), f64::from(c) * mu - a * mu))
}

/// The fewest servers for which Erlang C meets every target (abandonment
/// is 0 there).
pub fn erlang_c_servers(lambda: f64, mean_handle: f64, targets: &[Target]) -> u32 {
    if lambda <= 0.0 {
        return 0;
    }
    let (a, mu) = (lambda * mean_handle, 1.0 / mean_handle);
    let mut c = (a.floor() as u32).max(1);
    loop {
        if let Some((pw, rate)) = erlang_c(a, mu, c) {
            let ok = targets.iter().all(|t| match t.metric {
                Metric::ServiceLevel(s) => t.met_by(1.0 - pw * (-rate * s).exp()),
                Metric::MeanWait => t.met_by(pw / rate),
                Metric::PAbandon => true,
                Metric::Occupancy => t.met_by(a / f64::from(c)),
            });
            if ok || c > 1_000_000 {
                return c;
            }
        }
        c += 1;
    }
}

/// Half-width multiplier from 95% to `confidence` (normal quantiles).
fn widen(confidence: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    let n = Normal::new(0.0, 1.0).expect("standard normal");
    n.inverse_cdf(0.5 + confidence / 2.0) / n.inverse_cdf(0.975)
}

/// How a target stands on an estimate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Judged {
    Holds,
    Fails,
    Close,
}

fn judge(t: &Target, e: &Estimate, k: f64) -> Judged {
    let half = (e.ci95[1] - e.ci95[0]) / 2.0 * k;
    let (lo, hi) = (e.mean - half, e.mean + half);
    let (good, bad) = if t.at_least {
        (lo >= t.value, hi < t.value)
    } else {
        (hi <= t.value, lo > t.value)
    };
    if good {
        Judged::Holds
    } else if bad {
        Judged::Fails
    } else {
        Judged::Close
    }
}

/// One cell's search state.
#[derive(Clone, Debug)]
struct Cell {
    seats: u32,
    /// Most seats known to fail.
    fails: Option<u32>,
    /// Fewest seats known to hold.
    holds: Option<u32>,
    close: bool,
    ceiling: u32,
    unmet: Vec<String>,
}

/// The menu with every pool staffed by `cells` (pool-major, interval-minor).
fn staffed(h: &Hotline, cells: &[Cell], n: usize, starts: &[f64], constant: bool) -> Hotline {
    let mut x = h.clone();
    for (p, pool) in x.pools.iter_mut().enumerate() {
        let row = &cells[p * n..(p + 1) * n];
        pool.seats = row[0].seats;
        pool.schedule = if constant {
            Vec::new()
        } else {
            starts
                .iter()
                .zip(row)
                .map(|(&s, c)| (Clock((s.rem_euclid(86400.0)) as u32), c.seats))
                .collect()
        };
        pool.schedule.sort_by_key(|(c, _)| *c);
        pool.schedule.dedup_by_key(|(c, _)| *c);
        // A pool nobody reaches keeps one seat in the run, so that the
        // simulator's guard against queues never answered stays quiet.
        if row.iter().all(|c| c.seats == 0) {
            pool.seats = 1;
            pool.schedule.clear();
        }
    }
    x
}

/// Searches the fewest seats per pool and interval meeting every target.
pub fn staff(h: &Hotline, o: &StaffOptions) -> Result<Staffing, String> {
    if o.targets.is_empty() {
        return Err("no target: give --target (such as \"service_level(20s) >= 80%\") or targets: in the menu".into());
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
    let k = widen(o.confidence);

    // Pilot: ample seats everywhere, for the offered load per interval.
    let ample: Vec<Cell> = (0..np * n)
        .map(|_| Cell {
            seats: 100_000,
            fails: None,
            holds: None,
            close: false,
            ceiling: 0,
            unmet: Vec::new(),
        })
        .collect();
    // Eight times the replications: the offered load sets the Erlang C
    // answer shown beside the plan, and a boundary case turns on 0.5%.
    let mut po = so.clone();
    po.replications = base * 8;
    let pilot = run(&staffed(h, &ample, n, &starts, constant), &po)?;
    let offered: Vec<f64> = pilot
        .intervals
        .iter()
        .map(|r| r.metrics.get("queue_arrival_rate_per_h").map_or(0.0, |e| e.mean) / 3600.0)
        .collect();
    let erlang: Vec<u32> = (0..np * n)
        .map(|c| {
            let pool = &h.pools[c / n];
            let slots = erlang_c_servers(offered[c], pool.handle_time.mean(), &o.targets);
            slots.div_ceil(pool.concurrency)
        })
        .collect();
    let mut cells: Vec<Cell> = erlang
        .iter()
        .enumerate()
        .map(|(c, &s)| {
            let pool = &h.pools[c / n];
            let load = offered[c] * pool.handle_time.mean() / f64::from(pool.concurrency);
            Cell {
                seats: s,
                fails: None,
                holds: None,
                close: false,
                ceiling: (load * 3.0).ceil() as u32 + 50,
                unmet: Vec::new(),
            }
        })
        .collect();
    let mut warnings = Vec::new();
    let mut reps = base;
    let mut rounds = 0;
    let mut last: Option<SimReport> = None;
    while rounds < o.max_rounds {
        rounds += 1;
        so.replications = reps;
        let r = run(&staffed(h, &cells, n, &starts, constant), &so)?;
        let mut changed = false;
        let mut any_close = false;
        for (c, cell) in cells.iter_mut().enumerate() {
            let m = &r.intervals[c].metrics;
            let judged: Vec<(Judged, &Target)> = o
                .targets
                .iter()
                .filter_map(|t| m.get(t.metric.key()).map(|e| (judge(t, e, k), t)))
                .collect();
            let state = if judged.iter().any(|(j, _)| *j == Judged::Fails) {
                Judged::Fails
            } else if judged.iter().any(|(j, _)| *j == Judged::Close) {
                Judged::Close
            } else {
                Judged::Holds
            };
            cell.close = false;
            let state = match state {
                Judged::Close if reps < base * 32 => {
                    any_close = true;
                    continue;
                }
                Judged::Close => {
                    cell.close = true;
                    // Decided by the means.
                    let all = judged
                        .iter()
                        .all(|(_, t)| m.get(t.metric.key()).is_none_or(|e| t.met_by(e.mean)));
                    if all { Judged::Holds } else { Judged::Fails }
                }
                s => s,
            };
            let before = cell.seats;
            match state {
                Judged::Fails => {
                    cell.fails = Some(cell.fails.map_or(cell.seats, |f| f.max(cell.seats)));
                    if cell.holds.is_some_and(|h| h <= cell.seats) {
                        cell.holds = None;
                    }
                    if cell.seats >= cell.ceiling {
                        let missing: Vec<String> = judged
                            .iter()
                            .filter(|(j, _)| *j != Judged::Holds)
                            .map(|(_, t)| t.to_string())
                            .collect();
                        cell.unmet = missing;
                    } else {
                        cell.seats = cell.holds.unwrap_or(cell.seats + 1).max(cell.seats + 1);
                    }
                }
                _ => {
                    cell.holds = Some(cell.seats);
                    if cell.fails.is_some_and(|f| f >= cell.seats) {
                        cell.fails = None;
                    }
                    let floor = cell.fails.map_or(0, |f| f + 1);
                    if cell.seats > floor {
                        cell.seats -= 1;
                    }
                }
            }
            changed |= cell.seats != before;
        }
        if any_close {
            reps = (reps * 2).min(base * 32);
            continue;
        }
        if !changed {
            last = Some(r);
            break;
        }
    }
    let Some(r) = last else {
        warnings.push(format!(
            "the search did not settle within {} rounds: the plan is the last one tried",
            o.max_rounds
        ));
        so.replications = reps;
        let r = run(&staffed(h, &cells, n, &starts, constant), &so)?;
        return Ok(report(
            h, o, &cells, &erlang, &offered, &r, n, interval, &starts, rounds, warnings,
        ));
    };
    Ok(report(
        h, o, &cells, &erlang, &offered, &r, n, interval, &starts, rounds, warnings,
    ))
}

fn run(h: &Hotline, o: &SimOptions) -> Result<SimReport, String> {
    simulate(h, o, &|_, _, _| {})
}

#[allow(clippy::too_many_arguments)]
fn report(
    h: &Hotline,
    o: &StaffOptions,
    cells: &[Cell],
    erlang: &[u32],
    offered: &[f64],
    r: &SimReport,
    n: usize,
    interval: f64,
    starts: &[f64],
    rounds: usize,
    mut warnings: Vec<String>,
) -> Staffing {
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
        hours += f64::from(cell.seats) * len;
        sched_hours += f64::from(scheduled) * len;
        ec_hours += f64::from(erlang[c]) * len;
        if !cell.unmet.is_empty() {
            warnings.push(format!(
                "pool {} from {}: {} cannot be met with seats alone (the menu itself sets it: a max_wait, a busy rule, patience?)",
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
            erlang_c: erlang[c],
            offered_per_h: (offered[c] * 3600.0 * 1000.0).round() / 1000.0,
            offered_erlangs: (offered[c] * pool.handle_time.mean() * 1000.0).round() / 1000.0,
            achieved: r.intervals[c].metrics.clone(),
            close: cell.close,
            unmet: cell.unmet.clone(),
        });
    }
    Staffing {
        hotline: h.name.clone(),
        targets: o.targets.iter().map(ToString::to_string).collect(),
        interval_s: interval,
        confidence: o.confidence,
        shrinkage: o.shrinkage,
        replications: r.replications,
        rounds,
        plan,
        agent_hours: (hours * 1000.0).round() / 1000.0,
        scheduled_hours: (sched_hours * 1000.0).round() / 1000.0,
        erlang_c_hours: (ec_hours * 1000.0).round() / 1000.0,
        warnings,
    }
}

/// The plan as text.
pub fn to_text(s: &Staffing) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    writeln!(
        out,
        "{}: {} at {:.0}% confidence; {} search round(s), {} replications at the end",
        s.hotline,
        s.targets.join(", "),
        s.confidence * 100.0,
        s.rounds,
        s.replications
    )
    .ok();
    writeln!(
        out,
        "\n{:<16} {:<13} {:>6} {:>9} {:>8} {:>9}  achieved",
        "pool", "interval", "seats", "scheduled", "Erlang C", "offered/h"
    )
    .ok();
    for row in &s.plan {
        let achieved: Vec<String> = row
            .achieved
            .iter()
            .filter(|(k, _)| ["service_level", "p_abandon", "mean_wait_s", "occupancy"].contains(&k.as_str()))
            .map(|(k, e)| format!("{k} {}", crate::report::show(k, e.mean)))
            .collect();
        writeln!(
            out,
            "{:<16} {:<13} {:>6} {:>9} {:>8} {:>9.1}  {}{}",
            crate::escape::cell(&row.pool),
            format!("{}-{}", row.from, row.to),
            row.seats,
            row.scheduled,
            row.erlang_c,
            row.offered_per_h,
            achieved.join(", "),
            if row.close { " (close)" } else { "" }
        )
        .ok();
    }
    writeln!(
        out,
        "\nagent hours {} (scheduled {} with {:.0}% shrinkage); Erlang C on the same load: {}",
        crate::value::trim_float(s.agent_hours),
        crate::value::trim_float(s.scheduled_hours),
        s.shrinkage * 100.0,
        crate::value::trim_float(s.erlang_c_hours)
    )
    .ok();
    for w in &s.warnings {
        writeln!(out, "warning: {w}").ok();
    }
    out
}

/// The menu text with each pool's seats and schedule replaced by the plan
/// (the pools' entries are rewritten; the rest of the file, comments
/// included, is kept as written).
pub fn with_schedules(source: &str, h: &Hotline, s: &Staffing) -> Result<String, String> {
    let tree = crate::yaml::parse(source, &Default::default()).map_err(|e| e.message)?;
    let top = tree.as_map().ok_or("the menu is not a mapping")?;
    let lines: Vec<&str> = source.split_inclusive('\n').collect();
    let agents_at = top
        .iter()
        .position(|(k, _)| k.scalar_text().as_deref() == Some("agents"))
        .ok_or("the menu has no agents section")?;
    let (agents_key, agents) = &top[agents_at];
    let pools = agents.as_map().ok_or("agents is not a mapping")?;
    // Where the agents section ends: the next top-level key, or the end.
    let after = top
        .iter()
        .map(|(k, _)| k.pos.line as usize)
        .filter(|&l| l > pools.first().map_or(0, |(k, _)| k.pos.line as usize))
        .min()
        .unwrap_or(lines.len() + 1);
    let mut starts: Vec<usize> = pools.iter().map(|(k, _)| k.pos.line as usize).collect();
    if starts.windows(2).any(|w| w[0] == w[1]) || starts.first().is_some_and(|&l| l == agents_key.pos.line as usize) {
        return Err(
            "agents is written on one line: write each pool on lines of its own to have the plan written in".into(),
        );
    }
    starts.push(after);
    let mut out = String::new();
    let first = starts[0] - 1;
    out.extend(lines[..first].iter().copied());
    for (i, (k, _)) in pools.iter().enumerate() {
        let name = k.scalar_text().unwrap_or_default();
        let indent = " ".repeat(k.pos.column.saturating_sub(1) as usize);
        let pool = h
            .pools
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| format!("pool {name} is not in the menu"))?;
        let rows: Vec<&PlanRow> = s.plan.iter().filter(|r| r.pool == name).collect();
        let q = |x: &str| crate::escape::json_string(x);
        out.push_str(&format!("{indent}{}:\n", q(&name)));
        out.push_str(&format!(
            "{indent}  seats: {}\n",
            rows.first().map_or(pool.seats, |r| r.seats)
        ));
        out.push_str(&format!(
            "{indent}  handle_time: {}\n",
            q(&pool.handle_time.to_string())
        ));
        if pool.concurrency != 1 {
            out.push_str(&format!("{indent}  concurrency: {}\n", pool.concurrency));
        }
        if pool.first_reply.mean() > 0.0 {
            out.push_str(&format!(
                "{indent}  first_reply: {}\n",
                q(&pool.first_reply.to_string())
            ));
        }
        if let Some(l) = &pool.label {
            out.push_str(&format!("{indent}  label: {}\n", q(l)));
        }
        if rows.len() > 1 {
            out.push_str(&format!("{indent}  schedule:\n"));
            for r in &rows {
                out.push_str(&format!(
                    "{indent}    - {{ from: \"{}\", seats: {} }}\n",
                    r.from, r.seats
                ));
            }
        }
        // Lines of the old entry are dropped; blank and comment lines at its end are kept.
        let (a, b) = (starts[i] - 1, (starts[i + 1] - 1).min(lines.len()));
        let tail: Vec<&str> = lines[a..b]
            .iter()
            .rev()
            .take_while(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
            .copied()
            .collect();
        out.extend(tail.into_iter().rev());
    }
    let rest = (after - 1).min(lines.len());
    out.extend(lines[rest..].iter().copied());
    let check = crate::menu::load_str(&out, "the plan", &Default::default());
    if check.has_errors() {
        return Err(format!("the menu with the plan does not load: {}", check.render()));
    }
    Ok(out)
}
