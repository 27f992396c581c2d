//! The hotline compiled for the simulator: flat arrays, ready-made samplers
//! and cumulative choice tables per caller segment, so the event loop never
//! walks petgraph structures or parses anything.

use rand::RngExt;
use rand::rngs::Xoshiro256PlusPlus as Rng;
use rand_distr::{Distribution, Exp1, Gamma, LogNormal, StandardNormal, Weibull};

use crate::menu::value::{Dist, Hours};
use crate::menu::{BusyWhen, Channel, Hotline, Kind, Via};

pub mod stretch;
use stretch::Stretches;

/// A distribution ready to draw from.
///
/// (`repr(u8)`: a tag of its own, read in one instruction, rather than a
/// niche in the Gamma's fields, which took six at every draw.)
#[derive(Clone, Debug)]
#[repr(u8)]
pub enum Sampler {
    /// Always this value.
    Fixed(f64),
    /// Exponential with this mean.
    Exp(f64),
    /// Uniform between two values.
    Uniform(f64, f64),
    /// Log-normal.
    LogNormal(LogNormal<f64>),
    /// Gamma (also Erlang).
    Gamma(Gamma<f64>),
    /// Weibull.
    Weibull(Weibull<f64>),
}

impl Sampler {
    /// Prepares a distribution of the menu format.
    pub fn new(d: &Dist) -> Sampler {
        match *d {
            Dist::Fixed(v) => Sampler::Fixed(v),
            Dist::Exp { mean } => Sampler::Exp(mean),
            Dist::Uniform { lo, hi } => Sampler::Uniform(lo, hi),
            Dist::LogNormal { sd, mean } | Dist::Gamma { sd, mean } if sd == 0.0 => Sampler::Fixed(mean),
            Dist::LogNormal { mean, sd } => {
                let s2 = (1.0 + (sd / mean).powi(2)).ln();
                Sampler::LogNormal(LogNormal::new(mean.ln() - s2 / 2.0, s2.sqrt()).expect("validated parameters"))
            }
            Dist::Gamma { mean, sd } => {
                Sampler::Gamma(Gamma::new((mean / sd).powi(2), sd * sd / mean).expect("validated parameters"))
            }
            Dist::Erlang { k, mean } => {
                if k == 1 {
                    Sampler::Exp(mean)
                } else {
                    Sampler::Gamma(Gamma::new(f64::from(k), mean / f64::from(k)).expect("validated parameters"))
                }
            }
            Dist::Weibull { shape, scale } => {
                Sampler::Weibull(Weibull::new(scale, shape).expect("validated parameters"))
            }
        }
    }

    /// One draw (seconds, never negative).
    #[inline(always)]
    pub fn sample(&self, rng: &mut Rng) -> f64 {
        // The common cases inline; the others behind a call.
        match self {
            Sampler::Fixed(v) => *v,
            Sampler::Exp(m) => {
                let e: f64 = Exp1.sample(rng);
                e * m
            }
            // The same arithmetic as `LogNormal::sample` (a standard
            // normal, then `exp(mu + sigma z)`), but the normal's ziggurat
            // inlines here: through `sample` it stayed a call in a call.
            Sampler::LogNormal(d) => {
                let z: f64 = StandardNormal.sample(rng);
                d.from_zscore(z)
            }
            _ => self.sample_other(rng),
        }
    }

    #[inline(never)]
    fn sample_other(&self, rng: &mut Rng) -> f64 {
        match self {
            Sampler::Fixed(_) | Sampler::Exp(_) | Sampler::LogNormal(_) => self.sample(rng),
            Sampler::Uniform(a, b) => a + (b - a) * rng.random::<f64>(),
            Sampler::Gamma(d) => d.sample(rng),
            Sampler::Weibull(d) => d.sample(rng),
        }
    }

    /// Whether every draw is zero.
    pub fn is_zero(&self) -> bool {
        matches!(self, Sampler::Fixed(v) if *v == 0.0)
    }
}

/// One entry of a cumulative choice table.
#[derive(Clone, Debug)]
pub struct Choice {
    /// Cumulative share up to and including this choice.
    pub cum: f64,
    /// Target node.
    pub to: u32,
    /// Requests a speech intent needs (0 for a key press).
    pub insist: u32,
}

/// A branch case as the simulator checks it.
#[derive(Clone, Debug)]
pub struct Case {
    /// Segment required (`None`: any).
    pub segment: Option<usize>,
    /// Hours required (`None`: any time).
    pub hours: Option<Hours>,
    /// Chance the case holds once the rest does (1: certain).
    pub share: f64,
    /// Target.
    pub to: u32,
}

/// What a node does, flattened.
///
/// (`repr(u8)`: a tag of its own, read in one instruction, rather than a
/// niche in the capacity of `Ask`'s tables, which took six at every node.)
#[derive(Clone, Debug)]
#[repr(u8)]
pub enum Step {
    /// Go to `next`.
    Prompt {
        /// The next node.
        next: u32,
    },
    /// A menu or bot with retries: `choices[segment slot]`.
    Ask {
        /// Cumulative tables, one per segment slot (0: no segment, 1 + i: segment i).
        choices: Vec<Vec<Choice>>,
        /// Silence before a replay.
        timeout: f64,
        /// Replays.
        retries: u32,
        /// No-input chance per hearing.
        no_input: f64,
        /// Invalid-key chance per hearing (given some input).
        invalid: f64,
        /// Where failures go ([`END`]: none, cannot happen).
        on_fail: u32,
        /// Recognition chance per spoken request.
        understood: f64,
        /// Where misrecognitions go.
        on_misunderstood: u32,
    },
    /// Self-service.
    SelfService {
        /// Chance the call is resolved here.
        resolves: f64,
        /// Where the others go.
        next: u32,
    },
    /// A branch.
    Branch {
        /// Cases in order.
        cases: Vec<Case>,
        /// The `else` target.
        otherwise: u32,
    },
    /// A queue (its index among the queues).
    Queue(usize),
    /// Online.
    Online {
        /// Chance the need is met online.
        resolves: f64,
        /// Chance the caller calls again.
        calls_back: f64,
        /// Delay before calling again.
        after: Sampler,
    },
    /// Hangup.
    Hangup,
}

/// A queue node.
#[derive(Clone, Debug)]
pub struct QueuePlan {
    /// The node.
    pub node: u32,
    /// Its pool.
    pub pool: usize,
    /// Priority.
    pub priority: i64,
    /// Busy rule: trigger, message time, deflected share, target.
    pub busy: Option<(BusyWhen, Sampler, f64, u32)>,
    /// Disconnect after this long, and where to ([`END`]: the call ends).
    pub max_wait: Option<(f64, u32)>,
    /// Call-back offer: after, accepted share.
    pub callback: Option<(f64, f64)>,
    /// Index among the chat queues (`None`: a phone queue).
    pub chat: Option<u32>,
}

/// A pool.
#[derive(Clone, Debug)]
pub struct PoolPlan {
    /// Slots without a schedule (seats × concurrency).
    pub seats: u32,
    /// Schedule: (seconds of day, slots), sorted.
    pub schedule: Vec<(f64, u32)>,
    /// Handle time (a chat's whole time from pick-up).
    pub handle: Sampler,
    /// Delay from pick-up to the first message.
    pub first_reply: Sampler,
    /// Mean handle time (for the busy rule's expected wait).
    pub mean_handle: f64,
}

/// The target of a step that ends the call instead of leading to a node
/// (a menu without `on_fail`, a `max_wait` without `on_max_wait`).
pub const END: u32 = u32::MAX;

/// The compiled hotline.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Node ids, for messages.
    pub ids: Vec<String>,
    /// Per node: time per hearing.
    pub duration: Vec<Sampler>,
    /// Per node: behaviour.
    pub steps: Vec<Step>,
    /// Entry node.
    pub entry: u32,
    /// Per node: its channel (0 phone, 1 online).
    pub channel: Vec<u8>,
    /// Whether any node is online: the channel metrics are kept.
    pub has_online: bool,
    /// Where online customers enter (`None`: nowhere).
    pub online_entry: Option<u32>,
    /// Online arrivals: (seconds of day, rate per second), sorted (empty: none).
    pub online_arrivals: Vec<(f64, f64)>,
    /// Highest online arrival rate.
    pub online_peak: f64,
    /// Per chat queue: its index among the queues.
    pub chat_queues: Vec<usize>,
    /// Queue nodes.
    pub queues: Vec<QueuePlan>,
    /// Pools.
    pub pools: Vec<PoolPlan>,
    /// Segment names.
    pub segments: Vec<String>,
    /// Cumulative segment shares (the rest: no segment).
    pub segment_cum: Vec<f64>,
    /// Patience per segment slot (`None`: never abandons).
    pub patience: Vec<Option<Sampler>>,
    /// Per segment slot: whether the patience is fixed (abandonments then
    /// all wait the same time, a point mass of the waits).
    pub fixed_patience: Vec<bool>,
    /// Arrival profile: (seconds of day, rate per second), sorted.
    pub arrivals: Vec<(f64, f64)>,
    /// Highest arrival rate.
    pub peak_rate: f64,
    /// Mean gap between arrivals at the peak rate (1 / `peak_rate`), so
    /// drawing an arrival multiplies instead of dividing.
    pub peak_gap: f64,
    /// Redial: share and delay.
    pub redial: Option<(f64, Sampler)>,
    /// Coefficient of variation of a replication's arrival rates (0: none).
    pub rate_variation: f64,
    /// The stretches of fixed-time prompts and menus, taken in one draw.
    pub stretches: Stretches,
}

impl Plan {
    /// Compiles a hotline; fails when it has no caller model.
    pub fn new(h: &Hotline) -> Result<Plan, String> {
        let callers = h
            .callers
            .as_ref()
            .ok_or("the menu has no \"callers\" section: add callers.arrivals (such as 300/h) to simulate it")?;
        let g = h.graph();
        let n_seg = callers.segments.len();
        let mut queues = Vec::new();
        let mut queue_of = vec![usize::MAX; g.node_count()];
        for n in g.node_indices() {
            if let Kind::Queue(_) = g[n].kind {
                queue_of[n.index()] = queues.len();
                queues.push(n);
            }
        }
        let mut steps = Vec::with_capacity(g.node_count());
        let mut queue_plans = Vec::new();
        let mut chat_queues = Vec::new();
        for n in g.node_indices() {
            let out: Vec<_> = h.out(n).collect();
            let target = |pred: &dyn Fn(&Via) -> bool| {
                out.iter()
                    .find(|(_, _, t)| pred(&t.via))
                    .map_or(END, |(_, to, _)| to.index() as u32)
            };
            let table = |slot: usize| {
                let seg = slot.checked_sub(1);
                let mut cum = 0.0;
                let mut v: Vec<Choice> = out
                    .iter()
                    .filter(|(_, _, t)| t.is_choice())
                    .map(|(_, to, t)| {
                        cum += t.share_for(seg);
                        Choice {
                            cum,
                            to: to.index() as u32,
                            insist: if matches!(t.via, Via::Intent(_)) { t.insist } else { 0 },
                        }
                    })
                    .collect();
                if let Some(last) = v.last_mut() {
                    last.cum = f64::INFINITY;
                }
                v
            };
            let step = match &g[n].kind {
                Kind::Prompt => Step::Prompt {
                    next: target(&|v| *v == Via::Next),
                },
                Kind::Menu(input) => Step::Ask {
                    choices: (0..=n_seg).map(table).collect(),
                    timeout: input.timeout,
                    retries: input.retries,
                    no_input: input.no_input,
                    invalid: input.invalid,
                    on_fail: target(&|v| *v == Via::Fail),
                    understood: 1.0,
                    on_misunderstood: END,
                },
                Kind::Speech(sp) => Step::Ask {
                    choices: (0..=n_seg).map(table).collect(),
                    timeout: sp.input.timeout,
                    retries: sp.input.retries,
                    no_input: sp.input.no_input,
                    invalid: 0.0,
                    on_fail: target(&|v| *v == Via::Fail),
                    understood: sp.understood,
                    on_misunderstood: target(&|v| *v == Via::Misunderstood),
                },
                Kind::SelfService { resolves } => Step::SelfService {
                    resolves: *resolves,
                    next: target(&|v| *v == Via::Next),
                },
                Kind::Branch => Step::Branch {
                    cases: out
                        .iter()
                        .filter_map(|(_, to, t)| match &t.via {
                            Via::Case(_, c) => Some(Case {
                                segment: c.segment.as_ref().map(|(s, _)| *s),
                                hours: c.hours.clone(),
                                share: c.share.unwrap_or(1.0),
                                to: to.index() as u32,
                            }),
                            _ => None,
                        })
                        .collect(),
                    otherwise: target(&|v| *v == Via::Else),
                },
                Kind::Queue(q) => {
                    let chat = if g[n].channel == Channel::Online {
                        chat_queues.push(queue_plans.len());
                        Some(chat_queues.len() as u32 - 1)
                    } else {
                        None
                    };
                    queue_plans.push(QueuePlan {
                        chat,
                        node: n.index() as u32,
                        pool: q.pool,
                        priority: q.priority,
                        busy: q.busy.as_ref().map(|b| {
                            (
                                b.when,
                                Sampler::new(&b.duration),
                                b.deflects,
                                target(&|v| *v == Via::Busy),
                            )
                        }),
                        max_wait: q.max_wait.map(|m| (m, target(&|v| *v == Via::MaxWait))),
                        callback: q.callback.map(|c| (c.offered_after, c.accepts)),
                    });
                    Step::Queue(queue_of[n.index()])
                }
                Kind::Online(o) => Step::Online {
                    resolves: o.resolves,
                    calls_back: o.calls_back.map_or(0.0, |(s, _)| s),
                    after: Sampler::new(&o.calls_back.map_or(Dist::default(), |(_, d)| d)),
                },
                Kind::Hangup => Step::Hangup,
            };
            steps.push(step);
        }
        let mut cum = 0.0;
        let segment_cum = callers
            .segments
            .iter()
            .map(|s| {
                cum += s.share;
                cum
            })
            .collect();
        let mut patience = vec![callers.patience.as_ref().map(Sampler::new)];
        for s in &callers.segments {
            patience.push(s.patience.as_ref().or(callers.patience.as_ref()).map(Sampler::new));
        }
        let duration: Vec<Sampler> = g.node_indices().map(|n| Sampler::new(&g[n].duration)).collect();
        let channel: Vec<u8> = g.node_indices().map(|n| g[n].channel as u8).collect();
        // Where walks start: the entries and where queues send calls on.
        let starts: Vec<u32> = [h.entry.index() as u32]
            .into_iter()
            .chain(h.online_entry.map(|n| n.index() as u32))
            .chain(
                queue_plans
                    .iter()
                    .flat_map(|q| q.busy.as_ref().map(|b| b.3).into_iter().chain(q.max_wait.map(|m| m.1))),
            )
            .collect();
        let stretches = Stretches::new(&steps, &duration, &channel, n_seg + 1, &starts);
        Ok(Plan {
            ids: g.node_indices().map(|n| g[n].id.clone()).collect(),
            duration,
            steps,
            entry: h.entry.index() as u32,
            channel,
            has_online: h.has_online(),
            online_entry: h.online_entry.map(|n| n.index() as u32),
            online_arrivals: callers.online_arrivals.iter().map(|(c, r)| (c.secs(), *r)).collect(),
            online_peak: callers.online_arrivals.iter().map(|&(_, r)| r).fold(0.0, f64::max),
            chat_queues,
            queues: queue_plans,
            pools: h
                .pools
                .iter()
                .map(|p| PoolPlan {
                    seats: p.seats * p.concurrency,
                    schedule: p.schedule.iter().map(|(c, s)| (c.secs(), *s * p.concurrency)).collect(),
                    handle: Sampler::new(&p.handle_time),
                    first_reply: Sampler::new(&p.first_reply),
                    mean_handle: p.handle_time.mean(),
                })
                .collect(),
            segments: callers.segments.iter().map(|s| s.name.clone()).collect(),
            segment_cum,
            fixed_patience: patience.iter().map(|p| matches!(p, Some(Sampler::Fixed(_)))).collect(),
            patience,
            arrivals: callers.arrivals.iter().map(|(c, r)| (c.secs(), *r)).collect(),
            peak_rate: callers.peak_rate(),
            peak_gap: 1.0 / callers.peak_rate(),
            redial: callers.redial.as_ref().map(|(s, d)| (*s, Sampler::new(d))),
            rate_variation: callers.rate_variation,
            stretches,
        })
    }

    /// Arrival rate per second at a time of day.
    #[inline]
    pub fn rate_at(&self, secs_of_day: f64) -> f64 {
        if self.arrivals.len() == 1 {
            return self.arrivals[0].1;
        }
        let t = secs_of_day.rem_euclid(86400.0);
        match self.arrivals.iter().rev().find(|(c, _)| *c <= t) {
            Some(&(_, r)) => r,
            None => self.arrivals.last().map_or(0.0, |&(_, r)| r),
        }
    }

    /// Online arrival rate per second at a time of day.
    pub fn online_rate_at(&self, secs_of_day: f64) -> f64 {
        let t = secs_of_day.rem_euclid(86400.0);
        match self.online_arrivals.iter().rev().find(|(c, _)| *c <= t) {
            Some(&(_, r)) => r,
            None => self.online_arrivals.last().map_or(0.0, |&(_, r)| r),
        }
    }

    /// Slots (seats × concurrency) of a pool at a time of day.
    pub fn seats_at(&self, pool: usize, secs_of_day: f64) -> u32 {
        let p = &self.pools[pool];
        if p.schedule.is_empty() {
            return p.seats;
        }
        let t = secs_of_day.rem_euclid(86400.0);
        match p.schedule.iter().rev().find(|(c, _)| *c <= t) {
            Some(&(_, s)) => s,
            None => p.schedule.last().map_or(p.seats, |&(_, s)| s),
        }
    }

    /// Draws a patience for a caller of segment slot `seg` (infinite for
    /// callers who never abandon).
    #[inline(always)]
    pub fn draw_patience(&self, seg: usize, rng: &mut Rng) -> f64 {
        match &self.patience[seg] {
            Some(p) => p.sample(rng),
            None => f64::INFINITY,
        }
    }

    /// Draws a segment slot (0: no segment, 1 + i: segment i).
    #[inline]
    pub fn draw_segment(&self, rng: &mut Rng) -> usize {
        if self.segment_cum.is_empty() {
            return 0;
        }
        let u: f64 = rng.random();
        self.segment_cum.iter().position(|&c| u < c).map_or(0, |i| i + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// The inlined log-normal draw is `rand_distr`'s, draw for draw: seeded
    /// runs keep their outputs.
    #[test]
    fn lognormal_draws_match_rand_distr() {
        let s = Sampler::new(&Dist::LogNormal { mean: 300.0, sd: 180.0 });
        let Sampler::LogNormal(d) = s.clone() else {
            panic!("a log-normal sampler");
        };
        let (mut a, mut b) = (Rng::seed_from_u64(7), Rng::seed_from_u64(7));
        for _ in 0..10_000 {
            assert_eq!(s.sample(&mut a).to_bits(), d.sample(&mut b).to_bits());
        }
    }
}
