//! Stretches of the menu taken in one draw.
//!
//! Between the nodes that need the clock, the queues or a duration drawn
//! at random (queues, self-service, branches, online nodes, hang-ups, and
//! prompts or menus whose time is not fixed), a call passes prompts and
//! menus whose every hearing takes a fixed time. What happens there (the
//! retries, the key pressed, the intents understood) depends on nothing
//! but chances, so every way through such a stretch is known beforehand
//! with its chance, its time and the nodes it passes. A [`Table`] lists
//! those ways from one start node (a [`Leg`] each, the same ways merged),
//! and the walk draws one with a single uniform by the alias method
//! (Walker, Vose) instead of a uniform or three per hearing. The legs are
//! the menu's own law, not an approximation: a way that a table leaves out
//! (it would pass too many nodes, or the table is full) ends its leg at the
//! node it reached, and the walk goes on from there. A start with only one
//! way (a chain of prompts) takes no draw at all.

use rand::Rng as _;
use rand::rngs::Xoshiro256PlusPlus as Rng;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use super::{END, Sampler, Step};

/// Most legs in one table.
const MAX_LEGS: usize = 256;
/// Most nodes one leg passes.
const MAX_LEG_STEPS: u32 = 32;
/// Most legs of all tables of a menu (beyond them, starts get no table
/// and are walked node by node).
const MAX_ALL_LEGS: usize = 1 << 16;

/// One way through a stretch.
#[derive(Clone, Copy, Debug)]
pub struct Leg {
    /// Time the way takes.
    pub dt: f64,
    /// The node it ends at (one the table does not pass, or [`END`]).
    pub to: u32,
    /// Nodes it passes (each a step of the walk and a visit in the log).
    pub steps: u32,
    /// Where its nodes start in the visit list.
    visits: u32,
    /// The alias method: this leg is taken when the draw's fraction in its
    /// column (in units of 2^-64) is below `keep`, the column's `alias`
    /// otherwise (a whole column is its own alias).
    keep: u64,
    /// Index of the other leg of this column, in the table.
    alias: u32,
}

/// The ways from one start node.
#[derive(Clone, Copy, Debug, Default)]
pub struct Table {
    /// First leg in [`Stretches`]'s list.
    first: u32,
    /// Legs.
    len: u32,
    /// Most nodes a leg passes.
    pub max_steps: u32,
}

/// The tables of a menu, per start node and caller segment slot.
#[derive(Clone, Debug, Default)]
pub struct Stretches {
    /// `nodes` when the choices differ between segment slots, 0 when they
    /// do not (the tables are then shared).
    stride: usize,
    /// Per segment slot and node: its table (none: no legs).
    at: Vec<Table>,
    legs: Vec<Leg>,
    visits: Vec<u32>,
}

impl Stretches {
    /// The table from `node` for a caller of segment slot `seg`.
    #[inline(always)]
    pub fn table(&self, node: u32, seg: usize) -> Option<&Table> {
        let t = &self.at[seg * self.stride + node as usize];
        if t.len == 0 { None } else { Some(t) }
    }

    /// Draws one way of `t` (no draw when it has only one).
    #[inline(always)]
    pub fn draw(&self, t: &Table, rng: &mut Rng) -> &Leg {
        let first = t.first as usize;
        if t.len == 1 {
            return &self.legs[first];
        }
        // One 64-bit draw times the legs: the high word is the column,
        // the low word the fraction in it.
        let m = u128::from(rng.next_u64()) * u128::from(t.len);
        let leg = &self.legs[first + (m >> 64) as usize];
        if (m as u64) < leg.keep {
            leg
        } else {
            &self.legs[first + leg.alias as usize]
        }
    }

    /// The nodes a leg passes, in order.
    pub fn visits(&self, leg: &Leg) -> &[u32] {
        &self.visits[leg.visits as usize..][..leg.steps as usize]
    }

    /// No tables: every node of a menu of `nodes` nodes is walked one by
    /// one (the law is the same; the comparisons of the tests use it).
    pub fn none(nodes: usize) -> Stretches {
        Stretches {
            at: vec![Table::default(); nodes],
            ..Stretches::default()
        }
    }

    /// The ways from every node a walk can start at or come back to.
    /// `starts` are the entries; the nodes after every node the tables do
    /// not pass are added.
    pub fn new(steps: &[Step], duration: &[Sampler], channel: &[u8], slots: usize, starts: &[u32]) -> Stretches {
        let nodes = steps.len();
        let by_slot = steps.iter().any(|s| match s {
            Step::Ask { choices, .. } => choices.iter().any(|c| !same_choices(c, &choices[0])),
            _ => false,
        });
        let slots = if by_slot { slots.max(1) } else { 1 };
        let mut out = Stretches {
            stride: if by_slot { nodes } else { 0 },
            at: vec![Table::default(); slots * nodes],
            ..Stretches::default()
        };
        let fixed = |n: usize| match duration[n] {
            Sampler::Fixed(d) => Some(d),
            _ => None,
        };
        let passes = |n: usize| fixed(n).is_some() && matches!(steps[n], Step::Prompt { .. } | Step::Ask { .. });
        for slot in 0..slots {
            let mut work: Vec<u32> = starts.to_vec();
            for (n, s) in steps.iter().enumerate() {
                if !passes(n) {
                    work.extend(after(s));
                }
            }
            let mut seen = vec![false; nodes];
            while let Some(n) = work.pop() {
                let n = n as usize;
                if n >= nodes || seen[n] || !passes(n) {
                    continue;
                }
                seen[n] = true;
                let ways = if out.legs.len() < MAX_ALL_LEGS {
                    ways_from(n, slot, steps, &fixed, &passes, channel)
                } else {
                    None
                };
                let Some(ways) = ways else {
                    // Walked node by node: what follows is a start.
                    work.extend(after(&steps[n]));
                    continue;
                };
                for w in &ways {
                    if w.to != END && passes(w.to as usize) {
                        work.push(w.to);
                    }
                }
                out.at[slot * out.stride + n] = out.push_table(&ways);
            }
        }
        out
    }

    /// Adds the legs of these ways, with their alias columns.
    fn push_table(&mut self, ways: &[Way]) -> Table {
        let first = self.legs.len();
        let total: f64 = ways.iter().map(|w| w.p).sum();
        let n = ways.len();
        for w in ways {
            self.legs.push(Leg {
                dt: w.dt,
                to: w.to,
                steps: w.visits.len() as u32,
                visits: self.visits.len() as u32,
                keep: 0,
                alias: 0,
            });
            self.visits.extend(&w.visits);
        }
        // Vose's alias method: columns of height 1, each holding the
        // rest of a small leg and a part of a large one.
        let mut scaled: Vec<f64> = ways.iter().map(|w| w.p / total * n as f64).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| scaled[i] < 1.0);
        while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
            small.pop();
            let leg = &mut self.legs[first + s];
            // 2^64 times the share of the column kept (below 1).
            leg.keep = (scaled[s] * 18_446_744_073_709_551_616.0) as u64;
            leg.alias = l as u32;
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // What is left is 1 up to rounding: kept whole.
        for i in small.into_iter().chain(large) {
            self.legs[first + i].keep = u64::MAX;
            self.legs[first + i].alias = i as u32;
        }
        Table {
            first: first as u32,
            len: n as u32,
            max_steps: ways.iter().map(|w| w.visits.len() as u32).max().unwrap_or(0),
        }
    }
}

/// Whether two choice tables are the same.
fn same_choices(a: &[super::Choice], b: &[super::Choice]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.cum.to_bits() == y.cum.to_bits() && x.to == y.to && x.insist == y.insist)
}

/// The nodes a walk goes on to after a node the tables do not pass.
fn after(s: &Step) -> Vec<u32> {
    match s {
        Step::Prompt { next } | Step::SelfService { next, .. } => vec![*next],
        Step::Ask {
            choices,
            on_fail,
            on_misunderstood,
            ..
        } => choices
            .iter()
            .flatten()
            .map(|c| c.to)
            .chain([*on_fail, *on_misunderstood])
            .collect(),
        Step::Branch { cases, otherwise } => cases.iter().map(|c| c.to).chain([*otherwise]).collect(),
        Step::Queue(_) | Step::Online { .. } | Step::Hangup => Vec::new(),
    }
}

/// A way, whole or not yet.
#[derive(Clone, Debug)]
struct Way {
    p: f64,
    dt: f64,
    to: u32,
    visits: Vec<u32>,
}

/// A way still going, ordered by its chance (then first come), so that
/// the likeliest are followed first.
struct Going(Way, u64);

impl PartialEq for Going {
    fn eq(&self, o: &Going) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Going {}
impl PartialOrd for Going {
    fn partial_cmp(&self, o: &Going) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Going {
    fn cmp(&self, o: &Going) -> Ordering {
        self.0.p.total_cmp(&o.0.p).then(o.1.cmp(&self.1))
    }
}

/// The ways from `start` for segment slot `slot`, found likeliest first,
/// the same ones merged, in the order found; `None` when one hearing of
/// the start alone has too many.
fn ways_from(
    start: usize,
    slot: usize,
    steps: &[Step],
    fixed: &dyn Fn(usize) -> Option<f64>,
    passes: &dyn Fn(usize) -> bool,
    channel: &[u8],
) -> Option<Vec<Way>> {
    let mut done: Vec<Way> = Vec::new();
    let mut index: HashMap<(u32, u64, Vec<u32>), usize> = HashMap::new();
    let mut going = BinaryHeap::new();
    let mut order = 0u64;
    let first = Way {
        p: 1.0,
        dt: 0.0,
        to: start as u32,
        visits: Vec::new(),
    };
    let mut outs = outcomes(&first, slot, steps, fixed)?;
    if outs.len() > MAX_LEGS {
        return None;
    }
    loop {
        for w in outs.drain(..) {
            let goes_on = w.to != END
                && passes(w.to as usize)
                && channel[w.to as usize] == channel[start]
                && (w.visits.len() as u32) < MAX_LEG_STEPS;
            if goes_on {
                order += 1;
                going.push(Going(w, order));
            } else {
                finish(&mut done, &mut index, w);
            }
        }
        let Some(Going(w, o)) = going.pop() else { break };
        match outcomes(&w, slot, steps, fixed) {
            Some(next) if done.len() + going.len() + next.len() <= MAX_LEGS => outs = next,
            _ => {
                // The table is full: this way and those left end
                // where they are.
                going.push(Going(w, o));
                break;
            }
        }
    }
    let mut left: Vec<Going> = going.into_vec();
    left.sort_by_key(|g| g.1);
    for Going(w, _) in left {
        finish(&mut done, &mut index, w);
    }
    Some(done)
}

/// Adds a finished way, merged with the same way found before.
fn finish(done: &mut Vec<Way>, index: &mut HashMap<(u32, u64, Vec<u32>), usize>, w: Way) {
    let key = (w.to, w.dt.to_bits(), w.visits.clone());
    match index.get(&key) {
        Some(&i) => done[i].p += w.p,
        None => {
            index.insert(key, done.len());
            done.push(w);
        }
    }
}

/// The ways one node leads on from `w` (which has reached it), with
/// their chances; `None` when there are too many to list.
fn outcomes(w: &Way, slot: usize, steps: &[Step], fixed: &dyn Fn(usize) -> Option<f64>) -> Option<Vec<Way>> {
    let n = w.to as usize;
    let d = fixed(n)?;
    let mut visits = w.visits.clone();
    visits.push(w.to);
    let way = |p: f64, dt: f64, to: u32| Way {
        p: w.p * p,
        dt: w.dt + dt,
        to,
        visits: visits.clone(),
    };
    let mut out = Vec::new();
    match &steps[n] {
        Step::Prompt { next } => out.push(way(1.0, d, *next)),
        Step::Ask {
            choices,
            timeout,
            retries,
            no_input,
            invalid,
            on_fail,
            understood,
            on_misunderstood,
        } => {
            // Each hearing: no input (then the timeout), an invalid key,
            // or a choice; the walk's own order of draws.
            let p_silent = *no_input;
            let p_invalid = (1.0 - no_input) * invalid.max(0.0);
            let p_choose = 1.0 - p_silent - p_invalid;
            let tries = u64::from(*retries) + 1;
            if tries * (tries + 3) / 2 * (choices[slot].len() as u64 + 1) > MAX_LEGS as u64 * 4 {
                return None;
            }
            // The chosen entries, with their chances and extra times.
            let mut chosen: Vec<(f64, f64, u32)> = Vec::new();
            let mut below = 0.0;
            for c in &choices[slot] {
                let p = c.cum.clamp(0.0, 1.0) - below;
                below = c.cum.clamp(0.0, 1.0);
                if p <= 0.0 {
                    continue;
                }
                if c.insist == 0 || *understood >= 1.0 {
                    chosen.push((p, f64::from(c.insist.saturating_sub(1)) * d, c.to));
                    continue;
                }
                // Request r is misunderstood after r understood ones.
                let mut ok = 1.0;
                for r in 0..c.insist {
                    chosen.push((p * ok * (1.0 - understood), f64::from(r) * d, *on_misunderstood));
                    ok *= understood;
                }
                chosen.push((p * ok, f64::from(c.insist - 1) * d, c.to));
            }
            if choices[slot].is_empty() {
                chosen.push((1.0, 0.0, *on_fail));
            }
            // k failed hearings, j of them silent, then a choice; or all
            // failed.
            for k in 0..=tries {
                for j in 0..=k {
                    let p_fail = binomial(k, j) * p_silent.powi(j as i32) * p_invalid.powi((k - j) as i32);
                    if p_fail <= 0.0 {
                        continue;
                    }
                    let t = (k.min(tries - 1) + 1) as f64 * d + j as f64 * timeout;
                    if k == tries {
                        out.push(way(p_fail, t, *on_fail));
                    } else if p_choose > 0.0 {
                        for &(p, extra, to) in &chosen {
                            if p > 0.0 {
                                out.push(way(p_fail * p_choose * p, t + extra, to));
                            }
                        }
                    }
                }
            }
        }
        _ => return None,
    }
    Some(out)
}

/// `n` choose `k`, as a float.
fn binomial(n: u64, k: u64) -> f64 {
    (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
}

#[cfg(test)]
mod tests;
