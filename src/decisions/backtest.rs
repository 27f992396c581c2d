//! Backtest: the menu (with its overlay) simulated over the records' day
//! and compared with the records, interval by interval: offered calls,
//! answered share, abandonment, mean wait and service level. Each
//! replication is a day; the logged value (the mean over the records'
//! D days) is inside when it lies in the band a mean of D simulated days
//! falls in 95% of the time (mean ± t·sd·√(1/D + 1/R)).

use serde::Serialize;

use crate::fit::{FitReport, Logged};
use crate::input::records::Outcome;
use crate::menu::Hotline;
use crate::menu::value::Clock;
use crate::sim::{SimError, SimOptions};

/// The simulated side of one comparison.
#[derive(Clone, Debug, Serialize)]
pub struct Simulated {
    /// Mean over the replications (days).
    pub mean: f64,
    /// Where the mean of D days falls 95% of the time.
    pub ci95: [f64; 2],
}

/// One interval and metric.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    /// Start, `HH:MM`.
    pub from: String,
    /// End, `HH:MM`.
    pub to: String,
    /// `offered_per_day`, `p_answered`, `p_abandon`, `mean_wait_s` or `service_level`.
    pub metric: &'static str,
    /// From the records.
    pub logged: f64,
    /// From the simulation.
    pub simulated: Simulated,
    /// Whether the logged value is inside the band.
    pub inside: bool,
}

/// The backtest.
#[derive(Clone, Debug, Serialize)]
pub struct Backtest {
    /// Days in the records.
    pub days: u64,
    /// Replications simulated.
    pub replications: u32,
    /// Every comparison.
    pub intervals: Vec<Row>,
    /// Share of comparisons inside their band.
    pub inside_share: f64,
    /// Share inside, per metric.
    pub inside_by_metric: indexmap::IndexMap<&'static str, f64>,
}

/// The metrics compared, in order.
pub const METRICS: [&str; 5] = [
    "offered_per_day",
    "p_answered",
    "p_abandon",
    "mean_wait_s",
    "service_level",
];

fn values(l: &Logged, days: f64) -> [f64; 5] {
    let q = l.queued as f64;
    let r = |a: f64| if q > 0.0 { a / q } else { f64::NAN };
    [
        l.offered as f64 / days,
        r(l.answered as f64),
        r(l.abandoned as f64),
        r(l.wait_sum),
        r(l.within_sl as f64),
    ]
}

/// Simulates `h` over the records' intervals and compares.
pub fn backtest(h: &Hotline, fit: &FitReport, o: &SimOptions, interval: f64) -> Result<Backtest, SimError> {
    let days = fit.arrivals.days.max(1);
    let n_int = ((86400.0 / interval).ceil() as usize).max(1);
    let mut h = h.clone();
    // Simulate the whole span the records cover, from the first interval
    // with calls to the end of the last.
    let slot_of = |from: &str| Clock::parse(from).map_or(0, |c| (f64::from(c.0) / interval) as usize);
    let first = fit.logged.iter().map(|(f, _, _)| slot_of(f)).min().unwrap_or(0);
    let last = fit.logged.iter().map(|(f, _, _)| slot_of(f)).max().unwrap_or(0);
    h.simulation.start = Clock((first as f64 * interval) as u32);
    h.simulation.duration = (last + 1 - first) as f64 * interval;
    let mut o = o.clone();
    o.log = true;
    let sl = o.sl_target;
    let clock0 = h.simulation.start.secs() - h.simulation.warmup;
    let warmup = h.simulation.warmup;
    // Per replication, per interval of the day: the figures of its calls.
    let mut per_rep: Vec<Vec<Logged>> = Vec::new();
    crate::sim::simulate_each(&h, &o, &|_, _, _| {}, &mut |_, r| {
        let mut v = vec![Logged::default(); n_int];
        for c in &r.log {
            if c.start < warmup {
                continue;
            }
            let tod = (clock0 + c.start).rem_euclid(86400.0);
            let l = &mut v[((tod / interval) as usize).min(n_int - 1)];
            if !c.online {
                l.offered += 1;
            }
            if c.pool.is_none() || c.online {
                continue;
            }
            l.queued += 1;
            let end = if c.answered.is_finite() { c.answered } else { c.ended };
            let wait = (end - c.queued).max(0.0);
            l.wait_sum += wait;
            match c.outcome {
                Outcome::Answered => {
                    l.answered += 1;
                    if wait <= sl {
                        l.within_sl += 1;
                    }
                }
                Outcome::Abandoned => l.abandoned += 1,
                _ => {}
            }
        }
        per_rep.push(v);
        Ok(())
    })?;
    let mut rows = Vec::new();
    for (from, to, logged) in &fit.logged {
        let i = slot_of(from);
        let lv = values(logged, days as f64);
        let sims: Vec<[f64; 5]> = per_rep.iter().map(|v| values(&v[i.min(n_int - 1)], 1.0)).collect();
        for (m, name) in METRICS.iter().enumerate() {
            if !lv[m].is_finite() {
                continue;
            }
            let xs: Vec<f64> = sims.iter().map(|s| s[m]).filter(|x| x.is_finite()).collect();
            if xs.len() < 2 {
                continue;
            }
            let n = xs.len() as f64;
            let mean = xs.iter().sum::<f64>() / n;
            let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            let t = crate::sim::stats::t_quantile_975(xs.len() as u64 - 1);
            let half = t * sd * (1.0 / days as f64 + 1.0 / n).sqrt();
            let band = [mean - half, mean + half];
            rows.push(Row {
                from: from.clone(),
                to: to.clone(),
                metric: name,
                logged: lv[m],
                simulated: Simulated { mean, ci95: band },
                inside: lv[m] >= band[0] - 1e-12 && lv[m] <= band[1] + 1e-12,
            });
        }
    }
    let share = |rows: &mut dyn Iterator<Item = &Row>| {
        let (n, k) = rows.fold((0, 0), |(n, k), r| (n + 1, k + usize::from(r.inside)));
        if n == 0 { f64::NAN } else { k as f64 / n as f64 }
    };
    let inside_share = share(&mut rows.iter());
    let inside_by_metric = METRICS
        .iter()
        .map(|m| (*m, share(&mut rows.iter().filter(|r| r.metric == *m))))
        .collect();
    Ok(Backtest {
        days,
        replications: o.replications,
        intervals: rows,
        inside_share,
        inside_by_metric,
    })
}
