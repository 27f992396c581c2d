//! Streaming statistics: counters, fixed-bin histograms and time integrals
//! per replication, and Welford accumulators across replications. Memory
//! depends on the number of queues, segments and time bins, never on the
//! number of callers simulated.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

mod hist;
use hist::bin_of;
pub use hist::{HIST_BINS, Hist, bin_edges};

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
    /// Counts `n` queued calls answered at once: the same as `n` calls of
    /// `queued += 1` and [`QueueAcc::wait`]`(0.0, Answered, sl_target, _)`
    /// (a sum plus zero is the sum), counted in one go.
    pub fn answered_at_once(&mut self, n: u64, sl_target: f64) {
        self.queued += n;
        self.hist.add_bin_n(0, n);
        self.hist_answered.add_bin_n(0, n);
        self.answered += n;
        if 0.0 <= sl_target {
            self.within_sl += n;
        }
        self.within_180 += n;
    }

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

    #[test]
    fn calls_answered_at_once_count_as_waits_of_zero() {
        for sl in [20.0, 0.0, -1.0] {
            let (mut one_by_one, mut at_once) = (QueueAcc::default(), QueueAcc::default());
            for acc in [&mut one_by_one, &mut at_once] {
                acc.queued += 1;
                acc.wait(7.5, WaitEnd::Answered, sl, false);
            }
            for _ in 0..3 {
                one_by_one.queued += 1;
                one_by_one.wait(0.0, WaitEnd::Answered, sl, false);
            }
            at_once.answered_at_once(3, sl);
            assert_eq!(
                serde_json::to_string(&one_by_one).unwrap(),
                serde_json::to_string(&at_once).unwrap(),
                "service-level target {sl}"
            );
        }
    }
}
