//! Where the draws of callers who arrive straight at a queue come from:
//! the stream itself, or, when every draw is a standard exponential, those
//! exponentials made ahead in blocks.
//!
//! A caller who arrives straight at a queue draws the gap to the next
//! arrival, a segment, a patience and a handle time, in that order. When
//! the arrival rate is flat (no thinning), there are no segments and the
//! patience and handle time are exponential or fixed, every draw is one
//! standard exponential scaled: a block of them drawn in a tight loop is
//! the very sequence the draws would make one by one (the stream is used
//! by nothing else while the arrivals run), at a fraction of the cost.

use rand_distr::{Distribution, Exp1};

use super::super::{Rng, RunSettings, arrivals};
use crate::sim::plan::{Plan, Sampler};

/// A caller's draws.
#[derive(Clone, Copy)]
pub(super) struct Drawn {
    /// The next caller's arrival.
    pub(super) next: f64,
    /// The segment slot.
    pub(super) seg: usize,
    /// The patience (infinite for callers who never abandon).
    pub(super) patience: f64,
    /// Whether the patience is a point mass.
    pub(super) fixed: bool,
    /// The handle time of the agent who answers.
    pub(super) handle: f64,
}

/// The draws of one caller, in the order the event engine makes them:
/// the gap to the next arrival, the segment, the patience, the handle
/// time.
pub(super) trait Draws {
    /// The draws of the caller who arrives at `t`.
    fn caller(&mut self, t: f64) -> Drawn;
    /// The stream, for what draws after.
    fn into_rng(self) -> Rng;
}

/// Draws made one by one from the stream.
pub(super) struct Stream<'a> {
    pub(super) rng: Rng,
    pub(super) plan: &'a Plan,
    pub(super) s: &'a RunSettings,
    pub(super) gap: f64,
    pub(super) handle: &'a Sampler,
}

impl Draws for Stream<'_> {
    #[inline(always)]
    fn caller(&mut self, t: f64) -> Drawn {
        let next = arrivals::next_arrival(&mut self.rng, self.plan, self.s, self.gap, t);
        let seg = self.plan.draw_segment(&mut self.rng);
        let patience = self.plan.draw_patience(seg, &mut self.rng);
        Drawn {
            next,
            seg,
            patience,
            fixed: self.plan.fixed_patience[seg],
            handle: self.handle.sample(&mut self.rng),
        }
    }

    fn into_rng(self) -> Rng {
        self.rng
    }
}

/// A time that is fixed or a standard exponential scaled, as `e × scale +
/// shift` (exactly `e × mean` or the fixed value: `e` is finite and never
/// negative), and the exponentials it takes.
#[derive(Clone, Copy)]
struct Scaled {
    scale: f64,
    shift: f64,
    takes: usize,
}

impl Scaled {
    /// `None`: a distribution other than an exponential or a fixed value
    /// (`Some(None)` for callers who never abandon).
    fn of(d: Option<&Sampler>) -> Option<Scaled> {
        let (scale, shift, takes) = match d {
            None => (0.0, f64::INFINITY, 0),
            Some(Sampler::Fixed(v)) => (0.0, *v, 0),
            Some(Sampler::Exp(m)) => (*m, 0.0, 1),
            Some(_) => return None,
        };
        Some(Scaled { scale, shift, takes })
    }

    #[inline(always)]
    fn of_draw(self, e: f64) -> f64 {
        e * self.scale + self.shift
    }
}

/// Standard exponentials made ahead in blocks of this many (a multiple of
/// one, two and three: a caller's draws never straddle two blocks).
const BLOCK: usize = 96;

/// Draws that are all standard exponentials, made ahead.
pub(super) struct Exponentials {
    rng: Rng,
    /// The block, and two more that are never read as draws (so that a
    /// caller's three are one slice).
    block: [f64; BLOCK + 2],
    next: usize,
    /// Exponentials per caller: one, two or three.
    per: usize,
    gap: f64,
    patience: Scaled,
    fixed: bool,
    handle: Scaled,
}

impl Exponentials {
    /// The draws of callers who arrive straight at a queue whose agents'
    /// handle time is `handle`, when every draw is a standard exponential.
    pub(super) fn new(rng: Rng, plan: &Plan, gap: f64, handle: &Sampler) -> Option<Exponentials> {
        let flat = plan.arrivals.len() == 1 && plan.arrivals[0].1 >= plan.peak_rate;
        let patience = Scaled::of(plan.patience[0].as_ref())?;
        let handle = Scaled::of(Some(handle))?;
        let per = 1 + patience.takes + handle.takes;
        (flat && plan.segment_cum.is_empty()).then_some(Exponentials {
            rng,
            block: [0.0; BLOCK + 2],
            next: BLOCK,
            per,
            gap,
            patience,
            fixed: plan.fixed_patience[0],
            handle,
        })
    }

    #[inline(never)]
    fn refill(&mut self) {
        let mut rng = self.rng.clone();
        // Four at a time: the loop's own bookkeeping, which the rare slow
        // path of the ziggurat keeps in memory, is paid once for four.
        for four in self.block[..BLOCK].chunks_exact_mut(4) {
            for e in four {
                *e = Exp1.sample(&mut rng);
            }
        }
        self.rng = rng;
        self.next = 0;
    }
}

impl Draws for Exponentials {
    /// (A flat rate: no thinning, as `arrivals::next_arrival` does then;
    /// no segments.)
    #[inline(always)]
    fn caller(&mut self, t: f64) -> Drawn {
        if self.next >= BLOCK {
            self.refill();
        }
        let e = &self.block[self.next..self.next + 3];
        self.next += self.per;
        // (A fixed time reads a draw it does not take, and multiplies it
        // by zero.)
        let patience = self.patience.of_draw(e[1]);
        let handle = self.handle.of_draw(e[1 + self.patience.takes.min(1)]);
        Drawn {
            next: t + e[0] * self.gap,
            seg: 0,
            patience,
            fixed: self.fixed,
            handle,
        }
    }

    fn into_rng(self) -> Rng {
        self.rng
    }
}
