//! Streaming statistics: counters, fixed-bin histograms and time integrals
//! per replication, and Welford accumulators across replications. Memory
//! depends on the number of queues, segments and time bins, never on the
//! number of callers simulated.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// Histogram bins: 1 s wide up to 10 minutes, 10 s up to 2 hours, 1 minute
/// up to 12 hours, then one overflow bin.
const BANDS: [(f64, f64, usize); 3] = [(0.0, 1.0, 600), (600.0, 10.0, 660), (7200.0, 60.0, 600)];
/// Number of histogram bins, overflow included.
pub const HIST_BINS: usize = 600 + 660 + 600 + 1;

/// The bin of a value.
#[inline]
fn bin_of(x: f64) -> usize {
    // Most waits fall in the first band, one second per bin.
    if x < BANDS[0].2 as f64 {
        return x as usize;
    }
    let mut first = 0;
    for (start, width, n) in BANDS {
        let i = ((x - start) / width) as usize;
        if x < start + width * n as f64 {
            return first + i.min(n - 1);
        }
        first += n;
    }
    HIST_BINS - 1
}

/// The lower edge and width of a bin.
pub fn bin_edges(b: usize) -> (f64, f64) {
    let mut first = 0;
    for (start, width, n) in BANDS {
        if b < first + n {
            return (start + (b - first) as f64 * width, width);
        }
        first += n;
    }
    (43200.0, 0.0)
}

/// Most distinct point masses a histogram keeps exactly.
const MAX_ATOMS: usize = 8;

/// A histogram of waits (1-second resolution for the first ten minutes)
/// with exact point masses.
///
/// Point masses (a wait of exactly zero, a disconnection at exactly
/// `max_wait`, a fixed patience; see [`QueueAcc::wait`]) are also kept by
/// value, up to eight distinct ones, so a quantile that falls on such a
/// point mass is that value exactly rather than a point inside its bin.
#[derive(Clone, Debug, PartialEq)]
pub struct Hist {
    /// Counts per bin; the last bin holds everything beyond.
    pub counts: Vec<u64>,
    /// Total count.
    pub total: u64,
    /// Point masses: (value, count), also counted in `counts`.
    pub atoms: Vec<(f64, u64)>,
}

impl Default for Hist {
    fn default() -> Hist {
        Hist {
            counts: vec![0; HIST_BINS],
            total: 0,
            atoms: Vec::new(),
        }
    }
}

/// A histogram as written in a partial file: its nonzero bins only.
#[derive(Serialize, Deserialize)]
struct SparseHist {
    total: u64,
    atoms: Vec<(f64, u64)>,
    /// (bin, count) of the nonzero bins.
    bins: Vec<(u32, u64)>,
}

impl Serialize for Hist {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        SparseHist {
            total: self.total,
            atoms: self.atoms.clone(),
            bins: self
                .counts
                .iter()
                .enumerate()
                .filter(|(_, c)| **c > 0)
                .map(|(i, c)| (i as u32, *c))
                .collect(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Hist {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Hist, D::Error> {
        let s = SparseHist::deserialize(d)?;
        let mut h = Hist::default();
        for (b, c) in s.bins {
            let slot = h
                .counts
                .get_mut(b as usize)
                .ok_or_else(|| serde::de::Error::custom(format!("histogram bin {b} out of range")))?;
            *slot = c;
        }
        let sum = h.counts.iter().try_fold(0u64, |a, &c| a.checked_add(c));
        if sum != Some(s.total) || s.atoms.len() > MAX_ATOMS {
            return Err(serde::de::Error::custom(
                "a histogram whose bins do not add up to its total",
            ));
        }
        h.total = s.total;
        h.atoms = s.atoms;
        Ok(h)
    }
}

impl Hist {
    /// Adds a value.
    #[inline]
    pub fn add(&mut self, x: f64) {
        self.counts[bin_of(x.max(0.0))] += 1;
        self.total += 1;
    }

    /// Adds a value whose bin is known.
    #[inline]
    fn add_bin(&mut self, b: usize) {
        self.counts[b] += 1;
        self.total += 1;
    }

    #[inline]
    fn count_atom(&mut self, x: f64, n: u64) {
        if let Some(a) = self.atoms.iter_mut().find(|a| a.0 == x) {
            a.1 += n;
        } else if self.atoms.len() < MAX_ATOMS {
            self.atoms.push((x, n));
        }
    }

    #[cold]
    #[inline(never)]
    fn count_atom_cold(&mut self, x: f64) {
        self.count_atom(x, 1);
    }

    /// Adds another histogram.
    pub fn merge(&mut self, o: &Hist) {
        for (a, b) in self.counts.iter_mut().zip(&o.counts) {
            *a += b;
        }
        self.total += o.total;
        for &(x, n) in &o.atoms {
            self.count_atom(x, n);
        }
    }

    /// The q-quantile; `NaN` when empty. Point masses are exact; the rest
    /// of a bin's count is spread evenly over the bin and interpolated.
    pub fn quantile(&self, q: f64) -> f64 {
        self.quantile_with_zeros(q, 0)
    }

    /// [`Hist::quantile`] with `zeros` of the values known to be exactly 0
    /// (a point mass besides [`Hist::atoms`]).
    fn quantile_with_zeros(&self, q: f64, zeros: u64) -> f64 {
        if self.total == 0 {
            return f64::NAN;
        }
        let target = q * self.total as f64;
        let mut seen = 0.0;
        for (i, &c) in self.counts.iter().enumerate() {
            let next = seen + c as f64;
            if next >= target && c > 0 {
                return self.within_bin(i, target - seen, zeros);
            }
            seen = next;
        }
        bin_edges(HIST_BINS - 1).0
    }

    /// The value below which `need` of bin `b`'s count lies: the point
    /// masses in the bin in order of value, the rest spread evenly.
    fn within_bin(&self, b: usize, need: f64, zeros: u64) -> f64 {
        let (lo, width) = bin_edges(b);
        let mut atoms: Vec<(f64, u64)> = self.atoms.iter().copied().filter(|a| bin_of(a.0) == b).collect();
        if b == 0 && zeros > 0 {
            match atoms.iter_mut().find(|a| a.0 == 0.0) {
                Some(a) => a.1 += zeros,
                None => atoms.push((0.0, zeros)),
            }
        }
        if atoms.is_empty() {
            let frac = (need / self.counts[b] as f64).clamp(0.0, 1.0);
            return lo + frac * width;
        }
        atoms.sort_by(|a, b| a.0.total_cmp(&b.0));
        let spread = self.counts[b].saturating_sub(atoms.iter().map(|a| a.1).sum::<u64>()) as f64;
        let density = if width > 0.0 { spread / width } else { 0.0 };
        let (mut x, mut seen) = (lo, 0.0);
        for (at, n) in atoms {
            let before = density * (at - x);
            if seen + before >= need && before > 0.0 {
                return x + (need - seen) / density;
            }
            seen += before;
            x = at;
            if seen + n as f64 >= need {
                return at;
            }
            seen += n as f64;
        }
        if density > 0.0 {
            (x + (need - seen) / density).min(lo + width)
        } else {
            x
        }
    }

    /// Share of values at or below `x` (to bin precision).
    pub fn cdf(&self, x: f64) -> f64 {
        if self.total == 0 {
            return f64::NAN;
        }
        self.counts[..bin_of(x.max(0.0))].iter().sum::<u64>() as f64 / self.total as f64
    }
}

/// Counters of queued calls (one per arrival at a queue that was not deflected).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct QueueAcc {
    /// Calls that joined the queue.
    pub queued: u64,
    /// Calls that waited more than zero.
    pub waited: u64,
    /// Sum of waits (answered: until answered; others: until they left).
    pub wait_sum: f64,
    /// Calls answered.
    pub answered: u64,
    /// Sum of waits of answered calls.
    pub wait_answered_sum: f64,
    /// Calls abandoned.
    pub abandoned: u64,
    /// Calls disconnected by `max_wait`.
    pub forced: u64,
    /// Calls answered within the service-level target.
    pub within_sl: u64,
    /// Calls answered within 180 s.
    pub within_180: u64,
    /// Calls that accepted a call-back.
    pub callbacks: u64,
    /// Arrivals at the queue turned away by the busy rule.
    pub deflected: u64,
    /// Waits of all queued calls.
    pub hist: Hist,
    /// Waits of answered calls.
    pub hist_answered: Hist,
    /// Waits of abandoned calls (until they hung up).
    pub hist_abandoned: Hist,
}

impl QueueAcc {
    /// Records a finished wait; `atom`: the wait is a point mass of the
    /// wait distribution (exactly `max_wait`, a fixed patience), kept
    /// exactly for the quantiles. Waits of zero need no flag: they are
    /// counted as the calls that did not wait (see [`QueueAcc::wait_quantile`]).
    #[inline(always)]
    pub fn wait(&mut self, w: f64, how: WaitEnd, sl_target: f64, atom: bool) {
        if w > 0.0 {
            self.waited += 1;
        }
        self.wait_sum += w;
        let bin = bin_of(w.max(0.0));
        self.hist.add_bin(bin);
        if atom && w > 0.0 {
            self.hist.count_atom_cold(w);
        }
        match how {
            WaitEnd::Answered => {
                self.hist_answered.add_bin(bin);
                self.answered += 1;
                self.wait_answered_sum += w;
                if w <= sl_target {
                    self.within_sl += 1;
                }
                if w <= 180.0 {
                    self.within_180 += 1;
                }
            }
            WaitEnd::Abandoned => {
                self.hist_abandoned.add_bin(bin);
                self.abandoned += 1;
            }
            WaitEnd::Forced => self.forced += 1,
        }
    }
}

impl QueueAcc {
    /// The q-quantile of the waits of queued calls, exact at the point mass
    /// of calls that did not wait (and at the others of [`QueueAcc::wait`]).
    pub fn wait_quantile(&self, q: f64) -> f64 {
        self.hist
            .quantile_with_zeros(q, self.hist.total.saturating_sub(self.waited))
    }

    /// Adds another accumulator's counters and histograms.
    pub fn merge(&mut self, o: &QueueAcc) {
        self.queued += o.queued;
        self.waited += o.waited;
        self.wait_sum += o.wait_sum;
        self.answered += o.answered;
        self.wait_answered_sum += o.wait_answered_sum;
        self.abandoned += o.abandoned;
        self.forced += o.forced;
        self.within_sl += o.within_sl;
        self.within_180 += o.within_180;
        self.callbacks += o.callbacks;
        self.deflected += o.deflected;
        self.merge_hists(o);
    }

    /// Adds another replication's histograms (for pooled plots).
    pub fn merge_hists(&mut self, o: &QueueAcc) {
        self.hist.merge(&o.hist);
        self.hist_answered.merge(&o.hist_answered);
        self.hist_abandoned.merge(&o.hist_abandoned);
    }
}

/// How a wait ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitEnd {
    /// An agent answered.
    Answered,
    /// The caller hung up.
    Abandoned,
    /// `max_wait` disconnected the caller.
    Forced,
}

/// How a caller's journey (all its calls) ended (in the order of [`Outcome::ALL`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(usize)]
pub enum Outcome {
    /// An agent answered.
    Answered,
    /// Hung up in a queue and did not call again.
    Abandoned,
    /// Disconnected by `max_wait`.
    ForcedOut,
    /// Resolved by self-service.
    ResolvedSelfService,
    /// Resolved online.
    ResolvedOnline,
    /// Sent online, neither resolved nor calling back (or too many calls).
    GaveUp,
    /// Reached a hangup node of the menu.
    HungUp,
    /// Looped in the menu past the step limit.
    Stuck,
}

impl Outcome {
    /// Every outcome, in report order.
    pub const ALL: [Outcome; 8] = [
        Outcome::Answered,
        Outcome::Abandoned,
        Outcome::ForcedOut,
        Outcome::ResolvedSelfService,
        Outcome::ResolvedOnline,
        Outcome::GaveUp,
        Outcome::HungUp,
        Outcome::Stuck,
    ];

    /// The metric key of the outcome's share.
    pub fn key(self) -> &'static str {
        match self {
            Outcome::Answered => "p_reach_human",
            Outcome::Abandoned => "p_abandoned",
            Outcome::ForcedOut => "p_forced_out",
            Outcome::ResolvedSelfService => "p_resolved_self_service",
            Outcome::ResolvedOnline => "p_resolved_online",
            Outcome::GaveUp => "p_gave_up",
            Outcome::HungUp => "p_hung_up",
            Outcome::Stuck => "p_stuck",
        }
    }

    /// A short name for tables and plots.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::Abandoned => "abandoned",
            Outcome::ForcedOut => "forced out",
            Outcome::ResolvedSelfService => "resolved by self-service",
            Outcome::ResolvedOnline => "resolved online",
            Outcome::GaveUp => "gave up",
            Outcome::HungUp => "hung up by the menu",
            Outcome::Stuck => "stuck in the menu",
        }
    }
}

/// Counters of callers (journeys).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CallerAcc {
    /// Callers whose first call fell in the measured period.
    pub callers: u64,
    /// Their calls (first calls, call-backs and redials).
    pub calls: u64,
    /// Final outcomes, indexed as [`Outcome::ALL`].
    pub outcomes: [u64; 8],
    /// Callers deflected by a busy message at least once.
    pub deflected: u64,
    /// Sum of seconds from first dial to an agent answering.
    pub time_to_human_sum: f64,
    /// Times from first dial to an agent answering.
    pub time_to_human: Hist,
    /// Channel switches, over all callers.
    pub switches: u64,
    /// Callers who switched channel at least once.
    pub switched: u64,
    /// Callers who went phone → online → phone at least once.
    pub bounced: u64,
    /// Callers by switches made: 0, 1, 2, 3, 4 or more.
    pub switch_counts: [u64; 5],
}

/// Counters of one channel's customers.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub struct ChannelAcc {
    /// Counted customers who were in the channel at some point.
    pub customers: u64,
    /// Contacts started in it (phone calls, online sessions).
    pub contacts: u64,
    /// Journeys that ended in the channel, by outcome ([`Outcome::ALL`]).
    pub outcomes: [u64; 8],
    /// Sum of seconds from first contact to a human of this channel.
    pub time_to_human_sum: f64,
}

/// First responses of a chat queue: the wait plus the agent's first reply.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ChatAcc {
    /// Chats answered.
    pub answered: u64,
    /// Sum of their first-response times.
    pub first_response_sum: f64,
    /// Answered with a first response within 1 s, 30 s and 60 s.
    pub within: [u64; 3],
    /// First-response times.
    pub hist: Hist,
    /// First responses of exactly zero (a point mass).
    pub zeros: u64,
}

/// The bounds of [`ChatAcc::within`], seconds.
pub const FIRST_RESPONSE_WITHIN: [f64; 3] = [1.0, 30.0, 60.0];

impl ChatAcc {
    /// Records a first response.
    #[inline]
    pub fn add(&mut self, x: f64) {
        self.answered += 1;
        self.first_response_sum += x;
        for (n, b) in self.within.iter_mut().zip(FIRST_RESPONSE_WITHIN) {
            if x <= b {
                *n += 1;
            }
        }
        self.hist.add(x);
        self.zeros += u64::from(x == 0.0);
    }

    /// The q-quantile of the first responses, exact at zero.
    pub fn quantile(&self, q: f64) -> f64 {
        self.hist.quantile_with_zeros(q, self.zeros)
    }
}

/// Time integrals of a pool over the measured period and in time bins.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PoolAcc {
    /// Integral of busy seats.
    pub busy_area: f64,
    /// Integral of staffed seats.
    pub seat_area: f64,
    /// Integral of callers waiting.
    pub wait_area: f64,
    /// Busy seats integrated per time bin of the measured period (a run
    /// longer than a day folds onto one day; see `RepResult::bin_time`).
    pub busy_bins: Vec<f64>,
    /// Callers waiting integrated per time bin, folded the same way.
    pub wait_bins: Vec<f64>,
}

/// Mean and 95% confidence interval of a metric across replications.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Mean over replications.
    pub mean: f64,
    /// 95% confidence interval (Student t); equal to the mean with one replication.
    pub ci95: [f64; 2],
    /// Replications in which the metric was defined (the others had
    /// nothing to measure it on, such as no queued call).
    pub n: u64,
}

impl Estimate {
    /// ` (n of R replications)` when the figure rests on fewer than all
    /// `replications`, else nothing.
    pub fn rests_on(&self, replications: u32) -> String {
        if self.n < u64::from(replications) {
            format!(" ({} of {replications} replications)", self.n)
        } else {
            String::new()
        }
    }
}

/// Welford accumulator of one metric across replications.
#[derive(Clone, Copy, Debug, Default)]
pub struct Welford {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Welford {
    /// Adds a replication's value (`NaN`: undefined there, skipped).
    pub fn add(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    /// The estimate with its 95% interval.
    pub fn estimate(&self) -> Option<Estimate> {
        if self.n == 0 {
            return None;
        }
        let half = if self.n > 1 {
            let sd = (self.m2 / (self.n - 1) as f64).sqrt();
            t_quantile_975(self.n - 1) * sd / (self.n as f64).sqrt()
        } else {
            0.0
        };
        Some(Estimate {
            mean: clean(self.mean),
            ci95: [clean(self.mean - half), clean(self.mean + half)],
            n: self.n,
        })
    }
}

/// Rounds to 12 significant digits so printed figures are stable.
fn clean(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let digits = 12 - x.abs().log10().ceil() as i32;
    let f = 10f64.powi(digits.clamp(-300, 300));
    (x * f).round() / f
}

/// The 97.5% quantile of Student's t with `df` degrees of freedom.
pub fn t_quantile_975(df: u64) -> f64 {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    const Z: f64 = 1.959_963_984_540_054;
    if df > 1000 {
        // statrs loses precision for large df; the Cornish-Fisher term is exact to 1e-9 here.
        return Z + (Z.powi(3) + Z) / (4.0 * df as f64);
    }
    StudentsT::new(0.0, 1.0, df as f64).map_or(Z, |t| t.inverse_cdf(0.975))
}

/// Metric values of one replication, by key, in report order.
pub type Metrics = IndexMap<String, f64>;

/// A share, `NaN` when the denominator is zero.
pub fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_quantiles() {
        let mut h = Hist::default();
        for i in 0..100 {
            h.add(i as f64 + 0.5);
        }
        assert!((h.quantile(0.5) - 50.0).abs() < 1e-9);
        assert!((h.quantile(0.9) - 90.0).abs() < 1e-9);
        assert!((h.cdf(10.0) - 0.1).abs() < 1e-12);
        assert!(Hist::default().quantile(0.5).is_nan());
        let mut long = Hist::default();
        long.add(3600.0 + 5.0);
        long.add(20_000.0);
        long.add(1e9);
        assert_eq!(bin_edges(bin_of(3605.0)), (3600.0, 10.0));
        assert_eq!(bin_edges(bin_of(20_000.0)), (19_980.0, 60.0));
        assert_eq!(bin_of(1e9), HIST_BINS - 1);
        assert_eq!(bin_of(599.5), 599);
        assert_eq!(bin_of(600.0), 600);
    }

    #[test]
    fn welford_and_student_t() {
        let mut w = Welford::default();
        for x in [1.0, 2.0, 3.0, 4.0, f64::NAN] {
            w.add(x);
        }
        let e = w.estimate().unwrap();
        assert_eq!(e.mean, 2.5);
        assert_eq!(e.n, 4);
        // sd = 1.29099, t(3) = 3.18245: half-width 2.05431.
        assert!((e.ci95[1] - 2.5 - 2.054_31).abs() < 1e-4, "{:?}", e);
        assert!(
            (t_quantile_975(1_000_000) - 1.959_96).abs() < 1e-4,
            "{}",
            t_quantile_975(1_000_000)
        );
        assert!((t_quantile_975(29) - 2.045_23).abs() < 1e-4, "{}", t_quantile_975(29));
    }
}
