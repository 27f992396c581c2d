//! A caller model from call records: arrivals per interval of the day
//! with their day-to-day variation, handle times per queue (four families
//! by maximum likelihood, chosen by AIC), patience per queue (Kaplan–Meier
//! and censored maximum likelihood, answered and disconnected waits
//! censored), written as an overlay in the menu's own syntax.
//!
//! The method is that of Brown et al., "Statistical analysis of a
//! telephone call center: a queueing-science perspective" (JASA 2005).

pub mod arrivals;
pub mod contacts;
pub mod dist;
pub mod paths;
pub mod seats;
pub mod survival;
mod write;

pub use contacts::{REDIAL_WINDOW, Redials, Switches};
pub use write::overlay;

use std::collections::BTreeMap;
use std::path::Path;

use indexmap::IndexMap;
use serde::Serialize;

use crate::error::Error;
use crate::input::records::{self, Format, Outcome, Record, SeatChange, Sink};
use dist::{Family, Fit, Sample};

/// Settings of a fit.
#[derive(Clone, Debug)]
pub struct FitOptions {
    /// Length of the arrival intervals, seconds.
    pub interval: f64,
    /// Queue name in the records → pool name in the menu.
    pub map: Vec<(String, String)>,
    /// Service-level threshold for the logged service level, seconds.
    pub sl_target: f64,
    /// The menu the records' paths run through (`--menu`), for key shares.
    pub menu: Option<std::sync::Arc<crate::menu::Hotline>>,
}

impl Default for FitOptions {
    fn default() -> FitOptions {
        FitOptions {
            interval: 1800.0,
            map: Vec::new(),
            sl_target: 20.0,
            menu: None,
        }
    }
}

/// What was read.
#[derive(Clone, Debug, Serialize)]
pub struct RecordsRead {
    /// Calls read.
    pub read: u64,
    /// Calls used.
    pub used: u64,
    /// Lines or records skipped (each with a warning).
    pub skipped: u64,
    /// First arrival, ISO 8601 UTC.
    pub from: Option<String>,
    /// Last end, ISO 8601 UTC.
    pub to: Option<String>,
    /// The format (several files: their formats, comma-separated).
    pub format: String,
}

/// Handle times of one queue.
#[derive(Clone, Debug, Serialize)]
pub struct HandleTime {
    /// The chosen distribution in the menu syntax.
    pub fit: String,
    /// Mean, seconds.
    pub mean_s: f64,
    /// Standard deviation, seconds.
    pub sd_s: f64,
    /// Answered calls the fit rests on.
    pub n: u64,
    /// Every family fitted, best AIC first.
    pub candidates: Vec<Fit>,
    /// Mean after-call work, seconds, where the records give it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_call_mean_s: Option<f64>,
    /// The empirical CDF at 200 quantiles (seconds, share), for the plot.
    #[serde(skip)]
    pub ecdf: Vec<(f64, f64)>,
}

/// Patience of one queue.
#[derive(Clone, Debug, Serialize)]
pub struct Patience {
    /// The chosen distribution in the menu syntax.
    pub fit: String,
    /// Mean, seconds (of the chosen fit).
    pub mean_s: f64,
    /// Share of waits censored (the caller was answered or let go first).
    pub censored: f64,
    /// The naive estimate: the mean wait of those who abandoned. It
    /// ignores the censored waits and is biased low.
    pub naive_mean_s: Option<f64>,
    /// Kaplan–Meier median, seconds, when the curve reaches one half.
    pub km_median_s: Option<f64>,
    /// Every family fitted with censoring, best AIC first.
    pub candidates: Vec<Fit>,
    /// The Kaplan–Meier curve (at most 200 steps, evenly thinned).
    pub kaplan_meier: Vec<survival::Step>,
}

/// One queue.
#[derive(Clone, Debug, Serialize)]
pub struct QueueFit {
    /// The pool it maps to.
    pub pool: String,
    /// Calls that joined it.
    pub calls: u64,
    /// Answered.
    pub answered: u64,
    /// Abandoned.
    pub abandoned: u64,
    /// Disconnected by the queue.
    pub disconnected: u64,
    /// Chats rather than calls.
    pub online: bool,
    /// Handle time, when calls were answered.
    pub handle_time: Option<HandleTime>,
    /// Patience, when someone abandoned.
    pub patience: Option<Patience>,
}

/// Logged figures of one interval of the day (over all days), for
/// `backtest`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Logged {
    /// Arrivals (phone).
    pub offered: u64,
    /// Calls that joined a queue.
    pub queued: u64,
    /// Answered.
    pub answered: u64,
    /// Abandoned.
    pub abandoned: u64,
    /// Sum of waits in queue, seconds.
    pub wait_sum: f64,
    /// Answered within the service-level threshold.
    pub within_sl: u64,
}

/// The whole fit.
#[derive(Clone, Debug, Serialize)]
pub struct FitReport {
    /// What was read.
    pub records: RecordsRead,
    /// Arrivals (phone).
    pub arrivals: arrivals::Arrivals,
    /// Online arrivals, when the records have chats.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub online_arrivals: Option<arrivals::Arrivals>,
    /// Patience over all phone queues (what `callers.patience` gets).
    pub patience: Option<Patience>,
    /// Per queue (records' names).
    pub queues: IndexMap<String, QueueFit>,
    /// Abandoned calls followed by another call of the same caller within
    /// an hour, when the records name callers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redials: Option<Redials>,
    /// Channel switches of the same caller, where the records have caller
    /// ids and both channels.
    pub channel_switches: Option<Switches>,
    /// Seats logged in by interval per queue, where the records follow the
    /// agents (a queue_log with member events).
    pub seats: IndexMap<String, seats::QueueSeats>,
    /// Calls sent away while agents of their queue were idle, where the
    /// records follow the agents.
    pub busy_while_idle: Option<seats::BusyWhileIdle>,
    /// The paths taken in the menu, and key shares from them with `--menu`.
    pub paths: Option<paths::PathsFit>,
    /// Logged figures per interval of the day (`from` → figures).
    #[serde(skip)]
    pub logged: Vec<(String, String, Logged)>,
    /// Warnings (bad lines, too few data).
    pub warnings: Vec<String>,
}

/// Values binned to a relative 10⁻⁴ (zero kept apart), with whether each
/// was an event: memory follows the distinct bins (at most a few hundred
/// thousand), not the number of calls, and the fits weigh each bin by
/// its count.
#[derive(Clone, Debug, Default)]
pub struct Binned(std::collections::HashMap<(i32, bool), u64>);

impl Binned {
    const WIDTH: f64 = 1e-4;

    /// Counts a value.
    pub fn add(&mut self, x: f64, event: bool) {
        let k = if x > 0.0 {
            (x.ln() / Self::WIDTH).round() as i32
        } else {
            i32::MIN
        };
        *self.0.entry((k, event)).or_default() += 1;
    }

    /// Adds another's counts.
    pub fn merge(&mut self, other: &Binned) {
        for (k, n) in &other.0 {
            *self.0.entry(*k).or_default() += n;
        }
    }

    /// (value, event, count), by value.
    pub fn points(&self) -> Vec<(f64, bool, u64)> {
        let mut v: Vec<(f64, bool, u64)> = self
            .0
            .iter()
            .map(|(&(k, e), &n)| {
                (
                    if k == i32::MIN {
                        0.0
                    } else {
                        (f64::from(k) * Self::WIDTH).exp()
                    },
                    e,
                    n,
                )
            })
            .collect();
        v.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        v
    }

    /// Values counted.
    pub fn count(&self) -> u64 {
        self.0.values().sum()
    }
}

#[derive(Default)]
struct QueueAcc {
    calls: u64,
    answered: u64,
    abandoned: u64,
    disconnected: u64,
    online: bool,
    handle: Binned,
    waits: Binned,
    /// Sum and count of the abandoners' waits (the naive estimate).
    naive: (f64, u64),
    acw: (f64, u64),
}

/// Accumulates records, one at a time.
pub struct Fitter {
    o: FitOptions,
    phone: arrivals::Counts,
    online: arrivals::Counts,
    queues: IndexMap<String, QueueAcc>,
    logged: BTreeMap<u32, Logged>,
    used: u64,
    from: f64,
    to: f64,
    warnings: Vec<String>,
    contacts: contacts::Contacts,
    seats: seats::Seats,
    idle: seats::BusyWhileIdle,
    paths: paths::Paths,
}

impl Fitter {
    /// An empty fit.
    pub fn new(o: FitOptions) -> Fitter {
        let counts = arrivals::Counts {
            interval: o.interval,
            ..Default::default()
        };
        Fitter {
            seats: seats::Seats::new(o.interval),
            o,
            phone: counts.clone(),
            online: counts,
            queues: IndexMap::new(),
            logged: BTreeMap::new(),
            used: 0,
            from: f64::INFINITY,
            to: f64::NEG_INFINITY,
            warnings: Vec::new(),
            contacts: contacts::Contacts::default(),
            idle: seats::BusyWhileIdle::default(),
            paths: paths::Paths::default(),
        }
    }

    /// Counts one call.
    pub fn add(&mut self, r: &Record) {
        self.used += 1;
        self.contacts.add(r);
        if let Some(p) = &r.path {
            self.paths.add(p, r.online);
        }
        if r.outcome != Outcome::Answered {
            self.idle.add(r);
        }
        self.from = self.from.min(r.arrived);
        self.to = self.to.max(r.ended);
        // Each record's own offset: the caller's local time of day, also
        // across a change of daylight-saving time.
        let local = r.arrived + f64::from(r.offset);
        if r.online {
            self.online.add(local);
        } else {
            self.phone.add(local);
        }
        let slot = {
            let tod = local.rem_euclid(86400.0);
            (tod / self.o.interval) as u32
        };
        let lg = self.logged.entry(slot).or_default();
        if !r.online {
            lg.offered += 1;
        }
        let Some(name) = &r.queue else { return };
        let q = self.queues.entry(name.clone()).or_default();
        q.calls += 1;
        q.online |= r.online;
        let wait = r.wait().unwrap_or(0.0);
        if !r.online {
            lg.queued += 1;
            lg.wait_sum += wait;
        }
        match r.outcome {
            Outcome::Answered => {
                q.answered += 1;
                if let Some(h) = r.handle().filter(|h| *h > 0.0) {
                    q.handle.add(h, true);
                }
                if let Some(a) = r.after_call_s {
                    q.acw.0 += a;
                    q.acw.1 += 1;
                }
                if !r.online {
                    lg.answered += 1;
                    if wait <= self.o.sl_target {
                        lg.within_sl += 1;
                    }
                }
            }
            Outcome::Abandoned => {
                q.abandoned += 1;
                if !r.online {
                    lg.abandoned += 1;
                }
            }
            Outcome::Disconnected | Outcome::Deflected => q.disconnected += 1,
            _ => {}
        }
        // A wait ended by the caller is an event of patience; one ended
        // by an answer or by the queue is censored.
        q.waits.add(wait, r.outcome == Outcome::Abandoned);
        if r.outcome == Outcome::Abandoned {
            q.naive.0 += wait;
            q.naive.1 += 1;
        }
    }

    /// The estimates.
    pub fn finish(mut self, read: RecordsRead) -> FitReport {
        let mut warnings = std::mem::take(&mut self.warnings);
        if self.contacts.out_of_order {
            warnings.push("records are not in time order: redials and channel switches (the same caller within an hour) are counted only where they follow in the file".into());
        }
        let redials = self.contacts.redials();
        let channel_switches = self.contacts.switches();
        let arrivals = self.phone.estimate();
        if self.to.is_finite() {
            self.seats.close_all(self.to);
        }
        let map = self.o.map.clone();
        let pool_of = move |name: &str| {
            map.iter()
                .find(|(from, _)| from == name)
                .map_or_else(|| name.to_string(), |(_, to)| to.clone())
        };
        let seats = self.seats.estimate(arrivals.days, &pool_of);
        let busy_while_idle = (self.idle.followed > 0).then(|| self.idle.clone());
        let paths = (!self.paths.is_empty()).then(|| self.paths.estimate(self.o.menu.as_deref()));
        if let Some(p) = &paths {
            if self.o.menu.is_none() {
                warnings
                    .push("the records have paths: give the menu with --menu MENU to turn them into key shares".into());
            } else if let Some((path, step)) = &p.first_unmatched {
                warnings.push(format!(
                    "{} call(s) took paths the menu has no way for, left out of the shares (the first: \"{path}\", {step})",
                    p.unmatched
                ));
            }
            if self.paths.dropped > 0 {
                warnings.push(format!(
                    "more than {} distinct paths: {} calls with a further new path are not counted in the shares",
                    paths::MAX_DISTINCT,
                    self.paths.dropped
                ));
            }
        }
        if arrivals.days < 2 && self.used > 0 {
            warnings.push("records of one day: rate_variation needs two days or more and is 0".into());
        }
        let online_arrivals = (!self.online.cells.is_empty()).then(|| self.online.estimate());
        let (mut all_waits, mut all_naive) = (Binned::default(), (0.0, 0u64));
        let mut queues = IndexMap::new();
        for (name, q) in std::mem::take(&mut self.queues) {
            let pool = pool_of(&name);
            if !q.online {
                all_waits.merge(&q.waits);
                all_naive.0 += q.naive.0;
                all_naive.1 += q.naive.1;
            }
            let handle_time = handle_fit(&q.handle, q.acw);
            if handle_time.is_none() && q.calls > 0 {
                warnings.push(format!(
                    "queue {name}: fewer than two answered calls with a handle time; its handle time is not fitted"
                ));
            }
            let patience = patience_fit(&q.waits, q.naive);
            queues.insert(
                name,
                QueueFit {
                    pool,
                    calls: q.calls,
                    answered: q.answered,
                    abandoned: q.abandoned,
                    disconnected: q.disconnected,
                    online: q.online,
                    handle_time,
                    patience,
                },
            );
        }
        // With one phone queue, its patience is the whole's: fitted once.
        let phone: Vec<&QueueFit> = queues.values().filter(|q| !q.online).collect();
        let patience = match phone.as_slice() {
            [one] => one.patience.clone(),
            _ => patience_fit(&all_waits, all_naive),
        };
        let interval = self.o.interval;
        let clock = |s: f64| crate::menu::value::Clock(s.min(86400.0) as u32).to_string();
        let logged = std::mem::take(&mut self.logged)
            .into_iter()
            .map(|(i, l)| (clock(f64::from(i) * interval), clock(f64::from(i + 1) * interval), l))
            .collect();
        FitReport {
            records: RecordsRead {
                used: self.used,
                from: self.from.is_finite().then(|| records::time::iso(self.from)),
                to: self.to.is_finite().then(|| records::time::iso(self.to)),
                ..read
            },
            arrivals,
            online_arrivals,
            patience,
            queues,
            logged,
            redials,
            channel_switches,
            seats,
            busy_while_idle,
            paths,
            warnings,
        }
    }
}

impl Sink for Fitter {
    fn call(&mut self, r: Record) {
        self.add(&r);
    }

    fn seat(&mut self, s: SeatChange) {
        self.seats.change(&s);
    }
}

fn handle_fit(handle: &Binned, acw: (f64, u64)) -> Option<HandleTime> {
    let n = handle.count();
    if n < 2 {
        return None;
    }
    let points = handle.points();
    let s = Sample {
        obs: points.iter().map(|&(h, _, k)| (h, true, k as f64)).collect(),
    };
    let candidates = dist::best(&[Family::Exp, Family::LogNormal, Family::Gamma, Family::Weibull], &s);
    let best = candidates.first()?;
    // The empirical CDF at 200 evenly spaced shares.
    let mut ecdf = Vec::with_capacity(200);
    let (mut seen, mut next) = (0u64, 1u64);
    for &(h, _, k) in &points {
        seen += k;
        while next <= 200 && seen * 200 >= next * n {
            ecdf.push((h, seen as f64 / n as f64));
            next += 1;
        }
    }
    Some(HandleTime {
        ecdf,
        fit: best.fit.clone(),
        mean_s: best.mean_s.value,
        sd_s: best.sd_s.value,
        n,
        after_call_mean_s: (acw.1 > 0).then(|| acw.0 / acw.1 as f64),
        candidates,
    })
}

fn patience_fit(waits: &Binned, naive: (f64, u64)) -> Option<Patience> {
    if naive.1 < 2 {
        return None;
    }
    let points = waits.points();
    let total = waits.count();
    let s = Sample {
        obs: points.iter().map(|&(w, e, k)| (w.max(0.05), e, k as f64)).collect(),
    };
    let candidates = dist::best(&[Family::Exp, Family::Weibull, Family::LogNormal], &s);
    let best = candidates.first()?;
    let km = survival::kaplan_meier_counted(&points);
    let step = km.len().div_ceil(200).max(1);
    let thinned: Vec<survival::Step> = km.iter().step_by(step).copied().collect();
    Some(Patience {
        fit: best.fit.clone(),
        mean_s: best.mean_s.value,
        censored: 1.0 - naive.1 as f64 / total as f64,
        naive_mean_s: Some(naive.0 / naive.1 as f64),
        km_median_s: survival::median(&km),
        candidates,
        kaplan_meier: thinned,
    })
}

/// Fits the records in `paths` (each detected from its content).
pub fn fit_files(paths: &[&Path], o: &FitOptions) -> Result<FitReport, Error> {
    let mut f = Fitter::new(o.clone());
    let mut read = RecordsRead {
        read: 0,
        used: 0,
        skipped: 0,
        from: None,
        to: None,
        format: String::new(),
    };
    let mut formats: Vec<Format> = Vec::new();
    let mut warnings = Vec::new();
    for p in paths {
        let (format, reading) = records::read(p, &mut f)?;
        if !formats.contains(&format) {
            formats.push(format);
        }
        read.read += reading.read;
        read.skipped += reading.skipped;
        let shown = reading.warnings.len();
        warnings.extend(reading.warnings);
        if reading.skipped as usize > shown {
            warnings.push(format!(
                "{}: {} lines skipped in all (the first {} shown)",
                p.display(),
                reading.skipped,
                records::MAX_WARNINGS
            ));
        }
    }
    read.format = formats.iter().map(|f| f.name()).collect::<Vec<_>>().join(",");
    if read.read == 0 {
        return Err(Error::Invalid {
            message: format!(
                "no usable call in {}{}",
                paths
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                warnings
                    .first()
                    .map(|w| format!(" (first problem: {w})"))
                    .unwrap_or_default()
            ),
        });
    }
    let mut report = f.finish(read);
    warnings.append(&mut report.warnings);
    report.warnings = warnings;
    Ok(report)
}
