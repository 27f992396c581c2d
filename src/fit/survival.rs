//! Kaplan–Meier: the share of callers still willing to wait after t
//! seconds, from waits that ended in abandonment (events) and waits that
//! ended otherwise (answered, disconnected: censored, the caller would
//! have waited longer). Greenwood's formula gives the intervals.

/// One step of the curve.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Step {
    /// Time of the events, seconds.
    pub t: f64,
    /// Survival just after `t`.
    pub s: f64,
    /// 95% interval (Greenwood, clamped to [0, 1]).
    pub ci95: [f64; 2],
    /// Still waiting just before `t`.
    pub at_risk: u64,
    /// Events at `t`.
    pub events: u64,
}

/// The Kaplan–Meier curve of (time, event) observations.
pub fn kaplan_meier(obs: &[(f64, bool)]) -> Vec<Step> {
    let v: Vec<(f64, bool, u64)> = obs.iter().map(|&(x, e)| (x, e, 1)).collect();
    kaplan_meier_counted(&v)
}

/// The Kaplan–Meier curve of (time, event, how many) observations.
pub fn kaplan_meier_counted(obs: &[(f64, bool, u64)]) -> Vec<Step> {
    let mut v: Vec<(f64, bool, u64)> = obs.iter().copied().filter(|o| o.0.is_finite()).collect();
    // Events before censorings at the same time (the usual convention).
    v.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut at_risk: u64 = v.iter().map(|o| o.2).sum();
    let (mut s, mut green) = (1.0f64, 0.0f64);
    let mut out = Vec::new();
    let mut i = 0;
    while i < v.len() {
        let t = v[i].0;
        let (mut d, mut n) = (0u64, 0u64);
        while i < v.len() && v[i].0 == t {
            if v[i].1 {
                d += v[i].2;
            }
            n += v[i].2;
            i += 1;
        }
        if d > 0 {
            let r = at_risk as f64;
            s *= 1.0 - d as f64 / r;
            if at_risk > d {
                green += d as f64 / (r * (r - d as f64));
            }
            let half = 1.959_964 * s * green.sqrt();
            out.push(Step {
                t,
                s,
                ci95: [(s - half).max(0.0), (s + half).min(1.0)],
                at_risk,
                events: d,
            });
        }
        at_risk -= n;
    }
    out
}

/// The median (first time the curve reaches 0.5 or below), if it does.
pub fn median(curve: &[Step]) -> Option<f64> {
    curve.iter().find(|s| s.s <= 0.5).map(|s| s.t)
}

/// Survival at `t` from the curve.
pub fn at(curve: &[Step], t: f64) -> f64 {
    curve.iter().take_while(|s| s.t <= t).last().map_or(1.0, |s| s.s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hand_computed_curve() {
        // Times 1, 2+, 3, 3, 4+, 5: at 1, 6 at risk, 1 event: 5/6; at 3,
        // 4 at risk, 2 events: 5/6 · 2/4 = 5/12; at 5, 1 at risk: 0.
        let obs = [
            (1.0, true),
            (2.0, false),
            (3.0, true),
            (3.0, true),
            (4.0, false),
            (5.0, true),
        ];
        let c = kaplan_meier(&obs);
        let got: Vec<(f64, f64, u64)> = c.iter().map(|s| (s.t, s.s, s.at_risk)).collect();
        let want = [(1.0, 5.0 / 6.0, 6), (3.0, 5.0 / 12.0, 4), (5.0, 0.0, 1)];
        for (g, w) in got.iter().zip(want) {
            assert!(
                (g.0 - w.0).abs() < 1e-12 && (g.1 - w.1).abs() < 1e-12 && g.2 == w.2,
                "{got:?}"
            );
        }
        assert_eq!(median(&c), Some(3.0));
        // Greenwood at t = 1: S² · 1/(6·5) → sd = 5/6 · sqrt(1/30).
        let sd = 5.0 / 6.0 * (1.0f64 / 30.0).sqrt();
        assert!((c[0].ci95[0] - (5.0 / 6.0 - 1.959_964 * sd)).abs() < 1e-9);
    }
}
