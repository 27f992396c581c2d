//! What a plain Erlang C calculator says, shown beside the simulated plan
//! and used as the search's first guess: the fewest servers for an offered
//! load, and the offered load of each pool from the menu's own rates.

use crate::analysis;
use crate::menu::target::{Metric, Target};
use crate::menu::{Hotline, Kind};

/// Most servers the Erlang C search tries: far beyond any pool, it only
/// stops a target no number of servers meets (a service level of 100%).
const MAX_SERVERS: u32 = 100_000;

/// The fewest servers for which Erlang C (no abandonment) meets every
/// target that more servers help, for `lambda` arrivals a second and a
/// mean handle time of `mean_handle` seconds; `None` when no number of
/// servers up to a hundred thousand does.
///
/// Erlang B is carried along by its recursion, so each server costs O(1)
/// and a search never stalls on a large pool.
pub fn erlang_c_servers(lambda: f64, mean_handle: f64, targets: &[Target]) -> Option<u32> {
    if lambda <= 0.0 {
        return Some(0);
    }
    let a = lambda * mean_handle;
    let mu = 1.0 / mean_handle;
    // Erlang B for c servers, by B(c) = a B(c−1) / (c + a B(c−1)).
    let mut b = 1.0;
    for c in 1..=MAX_SERVERS {
        let cf = f64::from(c);
        b = a * b / (cf + a * b);
        if a >= cf {
            continue;
        }
        let rho = a / cf;
        let p_wait = b / (1.0 - rho * (1.0 - b));
        let rate = cf * mu - lambda;
        let ok = targets.iter().filter(|t| t.more_seats_help()).all(|t| match t.metric {
            Metric::ServiceLevel(s) => t.met_by(1.0 - p_wait * (-rate * s).exp()),
            Metric::MeanWait => t.met_by(p_wait / rate),
            Metric::PAbandon => true,
            Metric::Occupancy => t.met_by(rho),
        });
        if ok {
            return Some(c);
        }
    }
    None
}

/// Whether every call that reaches a pool is a first call of the caller
/// model: no redials, no busy deflections, no call-backs, no online
/// service that calls back, no disconnection back into the menu. Then the
/// menu's own arrival rates and shares give each pool's offered load
/// exactly.
pub fn feeds_forward(h: &Hotline) -> bool {
    let callers = h.callers.as_ref();
    callers.is_some_and(|c| c.redial.is_none())
        && h.graph().node_weights().all(|n| match &n.kind {
            Kind::Queue(q) => q.busy.is_none() && q.callback.is_none() && q.max_wait.is_none(),
            Kind::Online(o) => o.calls_back.is_none(),
            _ => true,
        })
}

/// Calls a second reaching each pool over `[from, from + length)` (seconds
/// of day), from the menu's arrival rates and the share of callers the
/// menu brings to each pool (the analysis's absorbing chain, segments
/// weighed by their shares); `None` when the menu's flows are not all
/// first calls ([`feeds_forward`]) or the chain cannot be solved.
pub fn menu_offered(h: &Hotline, from: f64, length: f64) -> Option<Vec<f64>> {
    if !feeds_forward(h) {
        return None;
    }
    let callers = h.callers.as_ref()?;
    let mut shares = vec![0.0; h.pools.len()];
    let rest: f64 = 1.0 - callers.segments.iter().map(|s| s.share).sum::<f64>();
    let kinds =
        std::iter::once((None, rest)).chain(callers.segments.iter().enumerate().map(|(i, s)| (Some(i), s.share)));
    let mut online = vec![0.0; h.pools.len()];
    for (segment, weight) in kinds {
        if weight <= 0.0 {
            continue;
        }
        for (p, x) in analysis::pool_shares(h, segment, h.entry)?.into_iter().enumerate() {
            shares[p] += weight * x;
        }
        if let Some(start) = h.online_entry {
            for (p, x) in analysis::pool_shares(h, segment, start)?.into_iter().enumerate() {
                online[p] += weight * x;
            }
        }
    }
    let mean = |profile: &[(crate::menu::value::Clock, f64)]| {
        let steps = (length / 60.0).ceil().max(1.0) as usize;
        (0..steps)
            .map(|i| crate::menu::profile_rate(profile, from + (i as f64 + 0.5) * length / steps as f64))
            .sum::<f64>()
            / steps as f64
    };
    let (phone, chat) = (mean(&callers.arrivals), mean(&callers.online_arrivals));
    Some(shares.iter().zip(&online).map(|(s, o)| phone * s + chat * o).collect())
}

/// The fewest servers meeting every target that more servers help when
/// callers abandon at rate `theta` (exponential patience of mean 1/θ):
/// Erlang A from its birth-death chain for the abandonment, the mean wait
/// and the occupancy, and for the service level an approximation (a caller
/// who finds j ahead is served after j stages at the mean rate of the line
/// ahead, and stays that long) that is within a seat of the exact figure
/// on loads of 2 to 60 erlangs. It is the search's first guess where
/// callers give up, where Erlang C would start far too high.
pub fn erlang_a_start(lambda: f64, mean_handle: f64, theta: f64, targets: &[Target]) -> Option<u32> {
    if lambda <= 0.0 {
        return Some(0);
    }
    let mu = 1.0 / mean_handle;
    let meets = |c: u32| {
        let f = erlang_a_figures(lambda, mu, c, theta);
        targets.iter().filter(|t| t.more_seats_help()).all(|t| match t.metric {
            Metric::ServiceLevel(s) => t.met_by(f.service_level(s)),
            Metric::MeanWait => t.met_by(f.mean_wait),
            Metric::PAbandon => t.met_by(f.p_abandon),
            Metric::Occupancy => t.met_by(f.occupancy),
        })
    };
    // Erlang C's answer always suffices where callers also give up.
    let mut hi = erlang_c_servers(lambda, mean_handle, targets)?.max(1);
    if !meets(hi) {
        return Some(hi);
    }
    let mut lo = 0;
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if meets(mid.max(1)) {
            hi = mid.max(1);
        } else {
            lo = mid;
        }
    }
    Some(hi)
}

/// Erlang A figures of one server count.
struct AFigures {
    /// Stationary probabilities of the number in the system.
    pi: Vec<f64>,
    c: usize,
    cmu: f64,
    theta: f64,
    p_abandon: f64,
    mean_wait: f64,
    occupancy: f64,
}

fn erlang_a_figures(lambda: f64, mu: f64, c: u32, theta: f64) -> AFigures {
    let c = c.max(1) as usize;
    let death = |n: usize| (n.min(c) as f64) * mu + (n.saturating_sub(c) as f64) * theta;
    // Logarithms of the unnormalised probabilities: an overloaded chain
    // climbs far beyond what a float holds before abandonment turns it.
    let mut log = vec![0.0f64];
    let mut top = 0.0f64;
    loop {
        let n = log.len();
        let next = log[n - 1] + (lambda / death(n)).ln();
        log.push(next);
        top = top.max(next);
        if n > c + 10 && next < log[n - 1] && next < top - 40.0 || n > 10_000_000 {
            break;
        }
    }
    let mut pi: Vec<f64> = log.iter().map(|l| (l - top).exp()).collect();
    let total: f64 = pi.iter().sum();
    for p in &mut pi {
        *p /= total;
    }
    let queue: f64 = pi.iter().enumerate().map(|(n, p)| n.saturating_sub(c) as f64 * p).sum();
    let busy: f64 = pi.iter().enumerate().map(|(n, p)| n.min(c) as f64 * p).sum();
    AFigures {
        c,
        cmu: c as f64 * mu,
        theta,
        p_abandon: theta * queue / lambda,
        mean_wait: queue / lambda,
        occupancy: busy / c as f64,
        pi,
    }
}

impl AFigures {
    /// Share answered within `t` (abandoners are misses), approximately.
    fn service_level(&self, t: f64) -> f64 {
        let mut sl: f64 = self.pi[..self.c].iter().sum();
        for (i, &p) in self.pi[self.c..].iter().enumerate() {
            if p < 1e-14 {
                continue;
            }
            let j = i + 1;
            let rate = self.cmu + (j - 1) as f64 * self.theta / 2.0;
            // P(Gamma(j, rate) ≤ t), by the Poisson sum.
            let x = rate * t;
            let (mut term, mut below) = ((-x).exp(), 0.0);
            for k in 0..j {
                below += term;
                term *= x / (k + 1) as f64;
                if below >= 1.0 - 1e-15 || (k as f64 > x && term < 1e-18) {
                    break;
                }
            }
            let stays = (-self.theta * t.min(j as f64 / rate)).exp();
            sl += p * (1.0 - below).max(0.0) * stays;
        }
        sl
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erlang_c_minimum_of_the_canonical_case() {
        // 200 calls an hour, 3 minutes each, 80% within 20 s: 14 servers
        // (13 give 79.56%).
        let t = Target::parse("service_level(20s) >= 80%").unwrap();
        assert_eq!(erlang_c_servers(200.0 / 3600.0, 180.0, &[t]), Some(14));
        // A target met only where the figures underflow ends the search too.
        let never = Target::parse("mean_wait <= 0s").unwrap();
        assert!(erlang_c_servers(200.0 / 3600.0, 180.0, &[never]).is_none_or(|c| c < 1000));
        // A large pool costs nothing: 20,000 calls an hour of 5 minutes.
        let c = erlang_c_servers(20_000.0 / 3600.0, 300.0, &[t]).unwrap();
        assert!((1667..1760).contains(&c), "{c}");
    }

    #[test]
    fn erlang_a_start_is_near_the_exact_minimum() {
        // Exact minima of M/M/c+M from the birth-death chain and the
        // waiting caller's position chain (tests/it/support/theory.rs):
        // 200/h, 3 min, patience 5 min, 80% in 20 s: 13; patience 2 min: 12.
        let t = Target::parse("service_level(20s) >= 80%").unwrap();
        let five = erlang_a_start(200.0 / 3600.0, 180.0, 1.0 / 300.0, &[t]).unwrap();
        assert!(five.abs_diff(13) <= 1, "{five}");
        let two = erlang_a_start(200.0 / 3600.0, 180.0, 1.0 / 120.0, &[t]).unwrap();
        assert!(two.abs_diff(12) <= 1, "{two}");
        // The abandonment itself is exact: M/M/1+M with λ = μ = θ gives 1/e.
        let f = erlang_a_figures(1.0, 1.0, 1, 1.0);
        assert!((f.p_abandon - (-1.0f64).exp()).abs() < 1e-12);
    }
}
