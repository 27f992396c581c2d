//! Distributions fitted by maximum likelihood, with right censoring
//! (a wait that ended with an answer says only that the caller's patience
//! was longer), chosen by AIC, with 95% intervals from the observed
//! information (the inverse Hessian of the log-likelihood, by the delta
//! method for derived quantities).
//!
//! Families and their menu syntax: `exp(mean=…)`,
//! `lognormal(mean=…, sd=…)`, `gamma(mean=…, sd=…)`,
//! `weibull(shape=…, scale=…)`.

use statrs::function::erf::erfc;
use statrs::function::gamma::{digamma, ln_gamma};

use crate::menu::value::{Dist, trim_float};

/// A family of distributions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// Exponential.
    Exp,
    /// Log-normal.
    LogNormal,
    /// Gamma.
    Gamma,
    /// Weibull.
    Weibull,
}

impl Family {
    /// Its name in the menu syntax.
    pub fn name(self) -> &'static str {
        match self {
            Family::Exp => "exp",
            Family::LogNormal => "lognormal",
            Family::Gamma => "gamma",
            Family::Weibull => "weibull",
        }
    }
}

/// Observations: values with whether each was seen (an event) or only
/// known to be longer (censored), each standing for `weight` of them
/// (values binned to a relative 10⁻⁴ are counted, not kept one by one).
#[derive(Clone, Debug, Default)]
pub struct Sample {
    /// (value in seconds, event, weight).
    pub obs: Vec<(f64, bool, f64)>,
}

impl Sample {
    /// Observations of weight one.
    pub fn new(obs: impl IntoIterator<Item = (f64, bool)>) -> Sample {
        Sample {
            obs: obs.into_iter().map(|(x, e)| (x, e, 1.0)).collect(),
        }
    }

    /// Events (uncensored values), weighted.
    pub fn events(&self) -> f64 {
        self.obs.iter().filter(|o| o.1).map(|o| o.2).sum()
    }

    fn total_weight(&self) -> f64 {
        self.obs.iter().map(|o| o.2).sum()
    }
}

/// A parameter with its 95% interval.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Param {
    /// Estimate.
    pub value: f64,
    /// 95% interval.
    pub ci95: [f64; 2],
}

/// One fitted family.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Fit {
    /// The family.
    pub family: Family,
    /// The fitted distribution in the menu syntax.
    pub fit: String,
    /// Internal parameters (log scale), for the CDF.
    #[serde(skip)]
    pub theta: [f64; 2],
    /// Maximised log-likelihood.
    pub log_likelihood: f64,
    /// Akaike's information criterion (2k − 2 log L).
    pub aic: f64,
    /// Mean, seconds.
    pub mean_s: Param,
    /// Standard deviation, seconds.
    pub sd_s: Param,
    /// Weibull shape (Weibull only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shape: Option<Param>,
    /// Weibull scale, seconds (Weibull only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale_s: Option<Param>,
}

const LN_2PI_HALF: f64 = 0.918_938_533_204_672_8;

/// log f of one value under a family with internal parameters `t`
/// (each family's are unconstrained: logs of positive parameters).
fn log_f(family: Family, t: [f64; 2], x: f64) -> f64 {
    match family {
        Family::Exp => {
            let rate = (-t[0]).exp();
            rate.ln() - rate * x
        }
        Family::LogNormal => {
            let sigma = t[1].exp();
            let z = (x.ln() - t[0]) / sigma;
            -x.ln() - sigma.ln() - LN_2PI_HALF - 0.5 * z * z
        }
        Family::Gamma => {
            let (k, theta) = (t[0].exp(), t[1].exp());
            (k - 1.0) * x.ln() - x / theta - k * theta.ln() - ln_gamma(k)
        }
        Family::Weibull => {
            let (k, lambda) = (t[0].exp(), t[1].exp());
            let r = x / lambda;
            k.ln() - lambda.ln() + (k - 1.0) * r.ln() - r.powf(k)
        }
    }
}

/// log S (the survival function) of one value.
fn log_s(family: Family, t: [f64; 2], x: f64) -> f64 {
    match family {
        Family::Exp => -(-t[0]).exp() * x,
        Family::LogNormal => {
            let z = (x.ln() - t[0]) / t[1].exp();
            let s = 0.5 * erfc(z / std::f64::consts::SQRT_2);
            if s > 0.0 { s.ln() } else { log_normal_tail(z) }
        }
        Family::Gamma => {
            let (k, theta) = (t[0].exp(), t[1].exp());
            (1.0 - statrs::function::gamma::gamma_lr(k, x / theta)).max(1e-300).ln()
        }
        Family::Weibull => -(x / t[1].exp()).powf(t[0].exp()),
    }
}

/// log of the normal upper tail far out (Mills' ratio).
fn log_normal_tail(z: f64) -> f64 {
    -0.5 * z * z - z.ln() - LN_2PI_HALF
}

/// The log-likelihood of a sample.
pub fn log_likelihood(family: Family, t: [f64; 2], s: &Sample) -> f64 {
    use rayon::prelude::*;
    s.obs
        .par_iter()
        .with_min_len(1 << 14)
        .map(|&(x, event, w)| {
            let x = x.max(1e-9);
            w * if event {
                log_f(family, t, x)
            } else {
                log_s(family, t, x)
            }
        })
        .sum()
}

fn params(family: Family) -> usize {
    if family == Family::Exp { 1 } else { 2 }
}

/// Mean and standard deviation of a family at internal parameters.
fn moments(family: Family, t: [f64; 2]) -> (f64, f64) {
    match family {
        Family::Exp => (t[0].exp(), t[0].exp()),
        Family::LogNormal => {
            let s2 = (2.0 * t[1]).exp();
            let m = (t[0] + s2 / 2.0).exp();
            (m, m * (s2.exp() - 1.0).max(0.0).sqrt())
        }
        Family::Gamma => {
            let (k, th) = (t[0].exp(), t[1].exp());
            (k * th, k.sqrt() * th)
        }
        Family::Weibull => {
            let (k, l) = (t[0].exp(), t[1].exp());
            let g1 = ln_gamma(1.0 + 1.0 / k).exp();
            let g2 = ln_gamma(1.0 + 2.0 / k).exp();
            (l * g1, l * (g2 - g1 * g1).max(0.0).sqrt())
        }
    }
}

/// Starting values from the sample (closed forms where they exist; the
/// uncensored MLE for exp and lognormal, moments otherwise).
fn start(family: Family, s: &Sample) -> Option<[f64; 2]> {
    let d = s.events();
    if d <= 0.0 {
        return None;
    }
    let total: f64 = s.obs.iter().map(|o| o.0 * o.2).sum();
    let ev: Vec<(f64, f64)> = s.obs.iter().filter(|o| o.1).map(|o| (o.0.max(1e-9), o.2)).collect();
    let n = d;
    let mean = ev.iter().map(|(x, w)| x * w).sum::<f64>() / n;
    let mlog = ev.iter().map(|(x, w)| x.ln() * w).sum::<f64>() / n;
    Some(match family {
        Family::Exp => [(total / d).ln(), 0.0],
        Family::LogNormal => {
            let v = ev.iter().map(|(x, w)| (x.ln() - mlog).powi(2) * w).sum::<f64>() / n;
            [mlog, 0.5 * v.max(1e-12).ln()]
        }
        Family::Gamma => {
            let k = gamma_shape((mean.ln() - mlog).max(1e-9));
            [k.ln(), (mean / k).ln()]
        }
        Family::Weibull => {
            let k = weibull_shape(s);
            let sum: f64 = s.obs.iter().map(|o| (o.0 / mean).powf(k) * o.2).sum();
            [k.ln(), mean.ln() + (sum / d).ln() / k]
        }
    })
}

/// The gamma shape solving ln k − ψ(k) = s (Newton from Minka's start).
fn gamma_shape(s: f64) -> f64 {
    let mut k = (3.0 - s + ((s - 3.0).powi(2) + 24.0 * s).sqrt()) / (12.0 * s);
    for _ in 0..20 {
        let f = k.ln() - digamma(k) - s;
        let h = 1e-5 * k;
        let trigamma = (digamma(k + h) - digamma(k - h)) / (2.0 * h);
        let step = f / (1.0 / k - trigamma);
        k = (k - step).max(k / 10.0);
        if step.abs() < 1e-10 * k {
            break;
        }
    }
    k
}

/// The Weibull shape of the censored profile likelihood (bisection on an
/// increasing function; values scaled by their mean for stability).
fn weibull_shape(s: &Sample) -> f64 {
    let d = s.events();
    let scale = s.obs.iter().map(|o| o.0 * o.2).sum::<f64>() / s.total_weight();
    let xs: Vec<(f64, bool, f64)> = s.obs.iter().map(|&(x, e, w)| ((x / scale).max(1e-12), e, w)).collect();
    let mean_log_ev = xs.iter().filter(|o| o.1).map(|o| o.0.ln() * o.2).sum::<f64>() / d;
    let g = |k: f64| {
        let (mut a, mut b) = (0.0, 0.0);
        for &(x, _, w) in &xs {
            let xk = x.powf(k) * w;
            a += xk * x.ln();
            b += xk;
        }
        a / b - 1.0 / k - mean_log_ev
    };
    let (mut lo, mut hi) = (0.02_f64, 50.0_f64);
    if g(lo) > 0.0 {
        return lo;
    }
    if g(hi) < 0.0 {
        return hi;
    }
    // Secant steps inside a shrinking bracket (the function increases).
    let mut k = 1.0f64;
    let (mut k_prev, mut g_prev) = (lo, g(lo));
    for _ in 0..60 {
        let gk = g(k);
        if gk.abs() < 1e-12 {
            return k;
        }
        if gk < 0.0 {
            lo = k
        } else {
            hi = k
        }
        let secant = k - gk * (k - k_prev) / (gk - g_prev);
        (k_prev, g_prev) = (k, gk);
        k = if secant.is_finite() && secant > lo && secant < hi {
            secant
        } else {
            (lo * hi).sqrt()
        };
        if (hi - lo) < 1e-10 * k {
            break;
        }
    }
    k
}

/// Nelder–Mead on the negative log-likelihood from `t0`.
/// On a large sample, the search starts from the optimum of an evenly
/// spread subsample of 50,000 and takes small steps on the whole.
fn polish(family: Family, s: &Sample, t0: [f64; 2]) -> [f64; 2] {
    const SUB: usize = 50_000;
    if s.obs.len() > 2 * SUB {
        let stride = s.obs.len() / SUB;
        let sub = Sample {
            obs: s.obs.iter().step_by(stride).copied().collect(),
        };
        let near = nelder_mead(family, &sub, t0, 0.1, 200);
        return nelder_mead(family, s, near, 0.01, 60);
    }
    nelder_mead(family, s, t0, 0.1, 200)
}

fn nelder_mead(family: Family, s: &Sample, t0: [f64; 2], step: f64, rounds: usize) -> [f64; 2] {
    let f = |t: [f64; 2]| {
        let v = -log_likelihood(family, t, s);
        if v.is_finite() { v } else { f64::INFINITY }
    };
    let mut pts = [t0, [t0[0] + step, t0[1]], [t0[0], t0[1] + step]];
    let mut vals = pts.map(f);
    for _ in 0..rounds {
        let mut idx = [0, 1, 2];
        idx.sort_by(|&a, &b| vals[a].total_cmp(&vals[b]));
        let (b, m, w) = (idx[0], idx[1], idx[2]);
        if (vals[w] - vals[b]).abs() <= 1e-10 * (1.0 + vals[b].abs()) {
            break;
        }
        let c = [(pts[b][0] + pts[m][0]) / 2.0, (pts[b][1] + pts[m][1]) / 2.0];
        let at = |a: f64| [c[0] + a * (pts[w][0] - c[0]), c[1] + a * (pts[w][1] - c[1])];
        let r = at(-1.0);
        let fr = f(r);
        if fr < vals[b] {
            let e = at(-2.0);
            let fe = f(e);
            (pts[w], vals[w]) = if fe < fr { (e, fe) } else { (r, fr) };
        } else if fr < vals[m] {
            (pts[w], vals[w]) = (r, fr);
        } else {
            let k = at(0.5);
            let fk = f(k);
            if fk < vals[w] {
                (pts[w], vals[w]) = (k, fk);
            } else {
                for i in [m, w] {
                    pts[i] = [(pts[i][0] + pts[b][0]) / 2.0, (pts[i][1] + pts[b][1]) / 2.0];
                    vals[i] = f(pts[i]);
                }
            }
        }
    }
    let best = (0..3).min_by(|&a, &b| vals[a].total_cmp(&vals[b])).unwrap_or(0);
    pts[best]
}

/// The covariance of the internal parameters: the inverse of the observed
/// information (numerical second differences).
fn covariance(family: Family, s: &Sample, t: [f64; 2]) -> Option<[[f64; 2]; 2]> {
    let f = |t: [f64; 2]| log_likelihood(family, t, s);
    let h = 1e-4;
    if params(family) == 1 {
        let d2 = (f([t[0] + h, 0.0]) - 2.0 * f(t) + f([t[0] - h, 0.0])) / (h * h);
        return (d2 < 0.0).then(|| [[-1.0 / d2, 0.0], [0.0, 0.0]]);
    }
    let f0 = f(t);
    let dxx = (f([t[0] + h, t[1]]) - 2.0 * f0 + f([t[0] - h, t[1]])) / (h * h);
    let dyy = (f([t[0], t[1] + h]) - 2.0 * f0 + f([t[0], t[1] - h])) / (h * h);
    let dxy = (f([t[0] + h, t[1] + h]) - f([t[0] + h, t[1] - h]) - f([t[0] - h, t[1] + h]) + f([t[0] - h, t[1] - h]))
        / (4.0 * h * h);
    // Information = −Hessian; its inverse.
    let (a, b, c) = (-dxx, -dxy, -dyy);
    let det = a * c - b * b;
    (det > 0.0 && a > 0.0).then(|| [[c / det, -b / det], [-b / det, a / det]])
}

/// A derived quantity's interval by the delta method.
fn delta(g: impl Fn([f64; 2]) -> f64, t: [f64; 2], cov: Option<[[f64; 2]; 2]>) -> Param {
    let value = g(t);
    let Some(cov) = cov else {
        return Param {
            value,
            ci95: [f64::NAN, f64::NAN],
        };
    };
    let h = 1e-6;
    let d0 = (g([t[0] + h, t[1]]) - g([t[0] - h, t[1]])) / (2.0 * h);
    let d1 = (g([t[0], t[1] + h]) - g([t[0], t[1] - h])) / (2.0 * h);
    let var = d0 * d0 * cov[0][0] + 2.0 * d0 * d1 * cov[0][1] + d1 * d1 * cov[1][1];
    let half = 1.959_964 * var.max(0.0).sqrt();
    Param {
        value,
        ci95: [(value - half).max(0.0), value + half],
    }
}

/// Fits one family; `None` when the sample has no event.
pub fn fit(family: Family, s: &Sample) -> Option<Fit> {
    let t0 = start(family, s)?;
    let censored = s.obs.iter().any(|o| !o.1);
    // Closed forms (exp, lognormal without censoring), Newton (gamma
    // without censoring) and the profile likelihood (Weibull) are the
    // maximum already; the rest is polished by Nelder–Mead.
    let t = match family {
        Family::Exp | Family::Weibull => t0,
        Family::LogNormal | Family::Gamma if !censored => t0,
        _ => polish(family, s, t0),
    };
    let ll = log_likelihood(family, t, s);
    if !ll.is_finite() {
        return None;
    }
    let cov = covariance(family, s, t);
    let mean_s = delta(|t| moments(family, t).0, t, cov);
    let sd_s = delta(|t| moments(family, t).1, t, cov);
    let (shape, scale_s) = if family == Family::Weibull {
        (Some(delta(|t| t[0].exp(), t, cov)), Some(delta(|t| t[1].exp(), t, cov)))
    } else {
        (None, None)
    };
    let dist = to_dist(family, t);
    Some(Fit {
        family,
        fit: show(&dist),
        theta: t,
        log_likelihood: ll,
        aic: 2.0 * params(family) as f64 - 2.0 * ll,
        mean_s,
        sd_s,
        shape,
        scale_s,
    })
}

/// The fitted distribution as the menu's value.
pub fn to_dist(family: Family, t: [f64; 2]) -> Dist {
    let (mean, sd) = moments(family, t);
    match family {
        Family::Exp => Dist::Exp { mean },
        Family::LogNormal => Dist::LogNormal { mean, sd },
        Family::Gamma => Dist::Gamma { mean, sd },
        Family::Weibull => Dist::Weibull {
            shape: t[0].exp(),
            scale: t[1].exp(),
        },
    }
}

/// A distribution in the menu syntax, with durations rounded to what a
/// person would write (three significant figures, at least 0.1 s).
pub fn show(d: &Dist) -> String {
    let secs = |x: f64| {
        let r = if x >= 100.0 {
            x.round()
        } else {
            (x * 10.0).round() / 10.0
        };
        format!("{}s", trim_float(r))
    };
    match *d {
        Dist::Exp { mean } => format!("exp(mean={})", secs(mean)),
        Dist::LogNormal { mean, sd } => format!("lognormal(mean={}, sd={})", secs(mean), secs(sd)),
        Dist::Gamma { mean, sd } => format!("gamma(mean={}, sd={})", secs(mean), secs(sd)),
        Dist::Weibull { shape, scale } => format!(
            "weibull(shape={}, scale={})",
            trim_float((shape * 1000.0).round() / 1000.0),
            secs(scale)
        ),
        ref other => other.to_string(),
    }
}

/// The value of the fitted CDF at `x`.
pub fn cdf(f: &Fit, x: f64) -> f64 {
    1.0 - log_s(f.family, f.theta, x.max(1e-9)).exp()
}

/// Fits every family in `families` and orders them by AIC, best first.
pub fn best(families: &[Family], s: &Sample) -> Vec<Fit> {
    let mut fits: Vec<Fit> = families.iter().filter_map(|&f| fit(f, s)).collect();
    fits.sort_by(|a, b| a.aic.total_cmp(&b.aic));
    fits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponential_with_censoring_is_events_over_exposure() {
        // Hand-computed: exposure 2 + 3 + 5 + 10 = 20 s, 2 events: mean 10 s.
        let s = Sample::new([(2.0, true), (3.0, false), (5.0, true), (10.0, false)]);
        let f = fit(Family::Exp, &s).unwrap();
        assert!((f.mean_s.value - 10.0).abs() < 1e-9, "{}", f.mean_s.value);
        // log L = d ln λ − λ Σt = 2 ln 0.1 − 2.
        assert!((f.log_likelihood - (2.0 * 0.1f64.ln() - 2.0)).abs() < 1e-9);
    }

    #[test]
    fn lognormal_without_censoring_is_the_log_moments() {
        let xs = [1.0f64, 2.0, 4.0, 8.0];
        let s = Sample::new(xs.iter().map(|&x| (x, true)));
        let f = fit(Family::LogNormal, &s).unwrap();
        // μ = ln 2·1.5, σ² = mean of squared deviations of (0, 1, 2, 3)·ln 2 = 1.25 ln²2.
        let mu = 1.5 * 2f64.ln();
        let s2 = 1.25 * 2f64.ln().powi(2);
        assert!((f.theta[0] - mu).abs() < 1e-9);
        assert!(((2.0 * f.theta[1]).exp() - s2).abs() < 1e-9);
    }

    #[test]
    fn weibull_shape_one_on_exponential_like_data_matches_exp() {
        // For shape 1 the Weibull is the exponential: its likelihood is at
        // least the exponential's.
        let s = Sample::new([(1.0, true), (2.0, true), (3.0, false), (0.5, true), (4.0, true)]);
        let w = fit(Family::Weibull, &s).unwrap();
        let e = fit(Family::Exp, &s).unwrap();
        assert!(w.log_likelihood >= e.log_likelihood - 1e-9);
    }
}
