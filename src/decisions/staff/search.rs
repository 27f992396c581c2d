//! The search for the fewest seats per pool and interval, then the check
//! that makes the plan keep its promise.
//!
//! Each cell (a pool in an interval) keeps a bracket: the most seats known
//! to fail its targets and the fewest known to hold. A round simulates the
//! whole plan (every round with the same seeds: common random numbers) and
//! moves each cell: down from a seat count that holds, up from one that
//! fails, by steps that double until the bracket closes, then by halves.
//! A cell whose figure straddles its target at the chosen confidence is
//! "close": the replications double (up to 32 times the first) before the
//! means decide.
//!
//! A search makes many decisions on the same seeds, so its own errors add
//! up. The plan it settles on is therefore confirmed on fresh seeds: every
//! cell must hold at the chosen confidence divided among the cells
//! (Bonferroni), and a cell that does not gets a seat more and the check
//! runs again on new seeds. So the chance that any interval of an accepted
//! plan misses its target is at most one minus the confidence.

use super::{StaffOptions, schedule};
use crate::menu::Hotline;
use crate::menu::target::Target;
use crate::sim::stats::Estimate;
use crate::sim::{SimOptions, SimReport};

/// One cell's search state: a pool in an interval.
#[derive(Clone, Debug)]
pub(super) struct Cell {
    /// Seats in the plan.
    pub seats: u32,
    /// Fewest seats allowed: 0 where no call comes, 1 where calls come,
    /// more than the load where nobody ever gives up.
    pub floor: u32,
    /// Most seats tried before a target counts as unmet.
    pub ceiling: u32,
    /// Most seats known to fail.
    fails: Option<u32>,
    /// Fewest seats known to hold.
    holds: Option<u32>,
    /// The next step away from the seats when no bracket is known.
    step: u32,
    /// Whether the means decided at the most replications.
    pub close: bool,
    /// Seats the confirmation added.
    pub confirmed_up: u32,
    /// Targets that could not be met.
    pub unmet: Vec<String>,
}

impl Cell {
    pub(super) fn new(seats: u32, floor: u32, ceiling: u32) -> Cell {
        Cell {
            seats: seats.clamp(floor, ceiling.max(floor)),
            floor,
            ceiling: ceiling.max(floor),
            fails: None,
            holds: None,
            step: 1,
            close: false,
            confirmed_up: 0,
            unmet: Vec::new(),
        }
    }

    /// Moves after a round that found the targets held at `seats`.
    fn held(&mut self) {
        self.holds = Some(self.holds.map_or(self.seats, |h| h.min(self.seats)));
        if self.fails.is_some_and(|f| f >= self.seats) {
            self.fails = None;
        }
        let floor = self.fails.map_or(self.floor, |f| (f + 1).max(self.floor));
        if self.seats <= floor {
            return;
        }
        self.seats = match self.fails {
            Some(f) => f + (self.seats - f).div_ceil(2),
            None => {
                let down = self.seats.saturating_sub(self.step).max(floor);
                self.step = self.step.saturating_mul(2);
                down
            }
        };
    }

    /// Moves after a round that found a target failed at `seats`.
    fn failed(&mut self, missing: Vec<String>) {
        self.fails = Some(self.fails.map_or(self.seats, |f| f.max(self.seats)));
        if self.holds.is_some_and(|h| h <= self.seats) {
            self.holds = None;
        }
        if self.seats >= self.ceiling {
            self.unmet = missing;
            return;
        }
        self.seats = match self.holds {
            Some(h) => self.seats + (h - self.seats) / 2,
            None => {
                let up = self.seats.saturating_add(self.step).min(self.ceiling);
                self.step = self.step.saturating_mul(2);
                up
            }
        }
        .max(self.seats + 1);
    }
}

/// How a target stands on an estimate at a confidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Judged {
    Holds,
    Fails,
    Close,
}

/// Half-width multiplier from the reported 95% interval to a two-sided
/// interval at `confidence` (normal quantiles), so that the one-sided
/// decision "holds" errs with at most (1 − confidence) / 2.
pub(super) fn widen(confidence: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    let n = Normal::new(0.0, 1.0).expect("standard normal");
    n.inverse_cdf(0.5 + confidence / 2.0) / n.inverse_cdf(0.975)
}

pub(super) fn judge(t: &Target, e: &Estimate, k: f64) -> Judged {
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

/// A cell's verdict on the targets more seats help, with the targets that
/// did not hold.
fn verdict(targets: &[Target], m: &indexmap::IndexMap<String, Estimate>, k: f64) -> (Judged, Vec<String>) {
    let judged: Vec<(Judged, &Target)> = targets
        .iter()
        .filter(|t| t.more_seats_help())
        .filter_map(|t| m.get(t.metric.key()).map(|e| (judge(t, e, k), t)))
        .collect();
    let missing = judged
        .iter()
        .filter(|(j, _)| *j != Judged::Holds)
        .map(|(_, t)| t.to_string())
        .collect();
    let state = if judged.iter().any(|(j, _)| *j == Judged::Fails) {
        Judged::Fails
    } else if judged.iter().any(|(j, _)| *j == Judged::Close) {
        Judged::Close
    } else {
        Judged::Holds
    };
    (state, missing)
}

/// What a search settled on.
pub(super) struct Settled {
    /// The plan's last simulation (the confirmation's).
    pub report: SimReport,
    /// Search rounds run.
    pub rounds: usize,
    /// Confirmation runs on fresh seeds.
    pub confirmations: usize,
    /// Whether the last confirmation held everywhere.
    pub confirmed: bool,
    /// Whether the search stopped at its round limit.
    pub unsettled: bool,
}

/// The layout of the plan: intervals per pool, their starts, whether the
/// model is constant.
pub(super) struct Layout<'a> {
    pub h: &'a Hotline,
    pub n: usize,
    pub starts: &'a [f64],
    pub constant: bool,
}

/// The last plan simulated, kept so that doubling its replications runs
/// only the new ones.
struct Last {
    seats: Vec<u32>,
    seed: u64,
    menu: Hotline,
    run: crate::sim::Growing,
}

impl Layout<'_> {
    /// Simulates the plan `cells` with `o`; when the plan and the seed are
    /// those of the last run and `o` asks for at least as many
    /// replications, only the new replications run (same report, exactly).
    fn run(&self, cells: &[Cell], o: &SimOptions, last: &mut Option<Last>) -> Result<SimReport, String> {
        let seats: Vec<u32> = cells.iter().map(|c| c.seats).collect();
        let reusable = last
            .as_ref()
            .is_some_and(|l| l.seats == seats && l.seed == o.seed && l.run.done() <= o.replications);
        if !reusable {
            let menu = schedule::staffed(self.h, &seats, self.n, self.starts, self.constant);
            let run = crate::sim::Growing::new(&menu, o).map_err(String::from)?;
            *last = Some(Last {
                seats,
                seed: o.seed,
                menu,
                run,
            });
        }
        let l = last.as_mut().expect("the last run was just set");
        l.run
            .report(&l.menu, o)
            .map_err(String::from)?
            .ok_or_else(|| "the staffing search asked a run for fewer replications than it had".to_string())
    }
}

/// Searches, then confirms; `so` carries the interval, the service-level
/// target and the first replications.
pub(super) fn search(l: &Layout, o: &StaffOptions, cells: &mut [Cell], mut so: SimOptions) -> Result<Settled, String> {
    let base = so.replications.max(2);
    let most = base * 32;
    let k = widen(o.confidence);
    let mut reps = base;
    let mut rounds = 0;
    let mut unsettled = true;
    let mut last = None;
    while rounds < o.max_rounds {
        rounds += 1;
        so.replications = reps;
        let r = l.run(cells, &so, &mut last)?;
        let mut changed = false;
        let mut any_close = false;
        for (c, cell) in cells.iter_mut().enumerate() {
            if cell.ceiling == 0 {
                continue;
            }
            let (state, missing) = verdict(&o.targets, &r.intervals[c].metrics, k);
            cell.close = false;
            let state = match state {
                Judged::Close if reps < most => {
                    any_close = true;
                    continue;
                }
                Judged::Close => {
                    cell.close = true;
                    // Decided by the means.
                    let m = &r.intervals[c].metrics;
                    let all = o
                        .targets
                        .iter()
                        .filter(|t| t.more_seats_help())
                        .all(|t| m.get(t.metric.key()).is_none_or(|e| t.met_by(e.mean)));
                    if all { Judged::Holds } else { Judged::Fails }
                }
                s => s,
            };
            let before = cell.seats;
            match state {
                Judged::Fails => cell.failed(missing),
                _ => cell.held(),
            }
            changed |= cell.seats != before;
        }
        if any_close {
            reps = (reps * 2).min(most);
            continue;
        }
        if !changed {
            unsettled = false;
            break;
        }
        // New seat counts are judged afresh, from the first replications.
        reps = base;
    }
    // Confirmation on fresh seeds, each cell at the confidence divided
    // among the cells that take calls.
    let deciding = cells.iter().filter(|c| c.ceiling > 0).count().max(1);
    let strict = widen(1.0 - (1.0 - o.confidence) / deciding as f64);
    so.replications = reps.max(base * 4).min(most);
    let mut confirmations = 0;
    loop {
        confirmations += 1;
        so.seed = crate::sim::replication_seed(o.sim.seed ^ 0xC0FF_1A11, confirmations as u64);
        let r = l.run(cells, &so, &mut last)?;
        let mut raised = false;
        for (c, cell) in cells.iter_mut().enumerate() {
            if cell.ceiling == 0 || !cell.unmet.is_empty() {
                continue;
            }
            let (state, missing) = verdict(&o.targets, &r.intervals[c].metrics, strict);
            if state != Judged::Holds {
                if cell.seats >= cell.ceiling {
                    cell.unmet = missing;
                } else {
                    cell.seats += 1;
                    cell.confirmed_up += 1;
                    raised = true;
                }
            }
        }
        if !raised || confirmations >= 8 {
            return Ok(Settled {
                report: r,
                rounds,
                confirmations,
                confirmed: !raised,
                unsettled,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bracket_closes_by_doubling_then_halving() {
        // The truth: 37 seats hold, 36 fail. From 10 the steps double up
        // (11, 13, 17, 25, 41), then the bracket (25, 41) halves.
        let truth = 37;
        let mut c = Cell::new(10, 1, 500);
        let mut tried = vec![c.seats];
        for _ in 0..30 {
            if c.seats >= truth {
                c.held();
            } else {
                c.failed(Vec::new());
            }
            if tried.last() == Some(&c.seats) {
                break;
            }
            tried.push(c.seats);
        }
        assert_eq!(c.seats, truth, "{tried:?}");
        assert!(tried.len() < 14, "{tried:?}");
        // Holding at the floor stays there.
        let mut f = Cell::new(1, 1, 10);
        f.held();
        assert_eq!(f.seats, 1);
    }
}
