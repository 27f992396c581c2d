//! Queueing theory references for the simulator tests, written from the
//! formulas: Erlang C (M/M/c) in closed form and Erlang A (M/M/c+M) from
//! its birth-death chain. Rates are per second.

/// Erlang C figures.
#[derive(Debug, Clone, Copy)]
pub struct ErlangC {
    /// Probability an arrival waits.
    pub p_wait: f64,
    /// Mean wait of all arrivals.
    pub mean_wait: f64,
    /// Decay rate of the tail: P(W > t) = p_wait · e^(-rate t).
    pub tail_rate: f64,
}

impl ErlangC {
    /// Share answered within `t` seconds.
    pub fn service_level(&self, t: f64) -> f64 {
        1.0 - self.p_wait * (-self.tail_rate * t).exp()
    }
}

/// M/M/c with arrival rate `lambda`, service rate `mu`, `c` servers.
pub fn erlang_c(lambda: f64, mu: f64, c: u32) -> ErlangC {
    let a = lambda / mu;
    let rho = a / f64::from(c);
    assert!(rho < 1.0, "Erlang C needs load below 1");
    // a^k / k! summed stably.
    let mut term = 1.0;
    let mut sum = 0.0;
    for k in 0..c {
        if k > 0 {
            term *= a / f64::from(k);
        }
        sum += term;
    }
    let top = term * a / f64::from(c) / (1.0 - rho);
    let p_wait = top / (sum + top);
    let tail_rate = f64::from(c) * mu - lambda;
    ErlangC {
        p_wait,
        mean_wait: p_wait / tail_rate,
        tail_rate,
    }
}

/// Erlang A figures.
#[derive(Debug, Clone, Copy)]
pub struct ErlangA {
    /// Probability an arrival waits.
    pub p_wait: f64,
    /// Probability an arrival abandons.
    pub p_abandon: f64,
    /// Mean wait of all arrivals (abandoners until they leave).
    pub mean_wait: f64,
    /// Mean wait of answered arrivals.
    pub mean_wait_answered: f64,
    /// Mean number waiting.
    pub mean_queue: f64,
}

/// M/M/c+M with abandonment rate `theta` (patience mean 1/theta), from the
/// birth-death chain truncated where its probabilities vanish.
pub fn erlang_a(lambda: f64, mu: f64, c: u32, theta: f64) -> ErlangA {
    let c = c as usize;
    let death = |n: usize| (n.min(c) as f64) * mu + (n.saturating_sub(c) as f64) * theta;
    // Unnormalised π_n, by recurrence, until negligible.
    let mut pi = vec![1.0f64];
    loop {
        let n = pi.len();
        let next = pi[n - 1] * lambda / death(n);
        pi.push(next);
        if n > c + 10 && next < 1e-18 * pi.iter().sum::<f64>() {
            break;
        }
        assert!(n < 1_000_000, "chain does not converge");
    }
    let z: f64 = pi.iter().sum();
    for p in &mut pi {
        *p /= z;
    }
    let p_wait: f64 = pi[c..].iter().sum();
    let mean_queue: f64 = pi.iter().enumerate().map(|(n, p)| n.saturating_sub(c) as f64 * p).sum();
    // An arrival that finds n ≥ c in the system is at position j = n - c + 1.
    // From position j it moves up at rate cμ + (j-1)θ and leaves at rate θ.
    let cm = c as f64 * mu;
    let (mut s, mut w) = (1.0, 0.0); // from position 0 (served at once)
    let mut served = pi[..c].iter().sum::<f64>();
    let mut wait_served = 0.0;
    for (j, p) in pi[c..].iter().enumerate().map(|(k, p)| (k + 1, p)) {
        let rate = cm + j as f64 * theta;
        let up = (cm + (j - 1) as f64 * theta) / rate;
        // s_j = up · s_{j-1}; w_j = up · (w_{j-1} + s_{j-1} / rate), with s_0 = 1, w_0 = 0.
        w = up * (w + s / rate);
        s *= up;
        served += p * s;
        wait_served += p * w;
    }
    ErlangA {
        p_wait,
        p_abandon: theta * mean_queue / lambda,
        mean_wait: mean_queue / lambda,
        mean_wait_answered: wait_served / served,
        mean_queue,
    }
}

#[test]
fn erlang_c_by_hand() {
    // c = 2, a = 1: C = (1/2 · 2) / (1 + 1 + 1) = 1/3.
    let e = erlang_c(1.0, 1.0, 2);
    assert!((e.p_wait - 1.0 / 3.0).abs() < 1e-12);
    assert!((e.mean_wait - 1.0 / 3.0).abs() < 1e-12);
    // c = 1 is M/M/1: P(wait) = ρ, Wq = ρ / (μ - λ).
    let m = erlang_c(0.5, 1.0, 1);
    assert!((m.p_wait - 0.5).abs() < 1e-12);
    assert!((m.mean_wait - 1.0).abs() < 1e-12);
}

#[test]
fn erlang_a_reduces_to_erlang_c() {
    let c = erlang_c(9.5, 1.0, 10);
    let a = erlang_a(9.5, 1.0, 10, 1e-9);
    assert!((a.p_wait - c.p_wait).abs() < 1e-6, "{} {}", a.p_wait, c.p_wait);
    assert!((a.mean_wait - c.mean_wait).abs() < 1e-5);
    assert!((a.mean_wait_answered - c.mean_wait).abs() < 1e-5);
    assert!(a.p_abandon < 1e-8);
}

#[test]
fn erlang_a_m_m_1_plus_m_by_hand() {
    // c = 1, λ = μ = θ = 1: π_n ∝ 1/n! for n ≥ 1 after π_1 = π_0 (death rate n at n ≥ 1).
    // So π_n = e^{-1}/n!, P(wait) = 1 - e^{-1}, E[Q] = Σ (n-1) π_n = 1 - (1 - e^{-1}) = e^{-1}.
    let a = erlang_a(1.0, 1.0, 1, 1.0);
    let e1 = (-1.0f64).exp();
    assert!((a.p_wait - (1.0 - e1)).abs() < 1e-12);
    assert!((a.mean_queue - e1).abs() < 1e-12);
    assert!((a.p_abandon - e1).abs() < 1e-12);
}

/// Erlang A service level: the share of arrivals answered within `t`
/// seconds (abandoners are misses), from the birth-death chain and, for an
/// arrival that waits at position j, the chance its position chain
/// (forward at cμ + (k − 1)θ, abandoning at θ) is served by `t`, computed
/// by uniformization.
pub fn erlang_a_service_level(lambda: f64, mu: f64, c: u32, theta: f64, t: f64) -> f64 {
    let c = c as usize;
    let death = |n: usize| (n.min(c) as f64) * mu + (n.saturating_sub(c) as f64) * theta;
    let mut pi = vec![1.0f64];
    loop {
        let n = pi.len();
        let next = pi[n - 1] * lambda / death(n);
        pi.push(next);
        if n > c + 10 && next < 1e-16 * pi.iter().sum::<f64>() {
            break;
        }
    }
    let z: f64 = pi.iter().sum();
    let cm = c as f64 * mu;
    let mut sl: f64 = pi[..c].iter().sum::<f64>() / z;
    for (idx, p) in pi[c..].iter().enumerate() {
        let j = idx + 1;
        let weight = p / z;
        if weight < 1e-14 {
            continue;
        }
        // Uniformization of the position chain started at j.
        let big = cm + j as f64 * theta;
        let mut state = vec![0.0f64; j + 1];
        state[j] = 1.0;
        let (mut served, mut total) = (0.0f64, 0.0f64);
        let lt = big * t;
        let mut poisson = (-lt).exp();
        let mut m = 0usize;
        let mut cum = 0.0f64;
        loop {
            total += poisson * served;
            cum += poisson;
            if cum > 1.0 - 1e-13 || m > 100_000 {
                break;
            }
            // One uniformized step.
            let mut next = vec![0.0f64; j + 1];
            for k in 1..=j {
                let s = state[k];
                if s == 0.0 {
                    continue;
                }
                let forward = (cm + (k - 1) as f64 * theta) / big;
                let leave = theta / big;
                if k == 1 {
                    served += s * forward;
                } else {
                    next[k - 1] += s * forward;
                }
                next[k] += s * (1.0 - forward - leave);
            }
            state = next;
            m += 1;
            poisson *= lt / m as f64;
        }
        sl += weight * (total + (1.0 - cum) * served);
    }
    sl
}

#[test]
fn erlang_a_service_level_reduces_to_erlang_c() {
    let c = erlang_c(200.0 / 3600.0, 1.0 / 180.0, 13);
    let a = erlang_a_service_level(200.0 / 3600.0, 1.0 / 180.0, 13, 1e-9, 20.0);
    assert!(
        (a - c.service_level(20.0)).abs() < 1e-6,
        "{a} vs {}",
        c.service_level(20.0)
    );
    // The boundary the staffing tests rest on: 13 seats give 79.56%.
    assert!(
        (c.service_level(20.0) - 0.7956).abs() < 5e-5,
        "{}",
        c.service_level(20.0)
    );
}

/// M/M/n+D figures: a caller not answered within `d` seconds leaves then
/// (a `max_wait` disconnection, or a fixed patience).
#[derive(Debug, Clone, Copy)]
pub struct MaxWait {
    /// Probability an arrival waits.
    pub p_wait: f64,
    /// Probability an arrival is still waiting at `d`, and leaves.
    pub p_leave: f64,
    /// Mean wait of all arrivals (leavers wait `d`).
    pub mean_wait: f64,
}

/// M/M/n+D with arrival rate `lambda`, service rate `mu`, `n` servers and
/// waits cut at `d`, from the density of the offered wait (the wait a
/// caller would have, were it never cut): with `π` the chance that
/// `n − 1` servers are busy, `f(v) = λ π e^(λ min(v, d) − nμ v)` for `v > 0`
/// (Baccelli and Hébuterne 1981; Zeltyn and Mandelbaum 2005, M/M/n+G
/// with deterministic patience). Needs `λ ≠ nμ`.
pub fn max_wait(lambda: f64, mu: f64, n: u32, d: f64) -> MaxWait {
    let a = lambda / mu;
    let nmu = f64::from(n) * mu;
    let r = lambda - nmu;
    assert!(r.abs() > 1e-12, "the closed form needs λ ≠ nμ");
    // Erlang B with n − 1 servers: Σ_{j<n} a^j/j! = (a^(n−1)/(n−1)!) / B.
    let mut b = 1.0;
    for k in 1..n {
        b = a * b / (f64::from(k) + a * b);
    }
    let erd = (r * d).exp();
    // J = ∫ e^(λ min(v, d) − nμ v) dv over v > 0.
    let j = (erd - 1.0) / r + erd / nmu;
    let pi = 1.0 / (1.0 / b + lambda * j);
    MaxWait {
        p_wait: lambda * pi * j,
        p_leave: lambda * pi * erd / nmu,
        // ∫_0^d P(V > t) dt.
        mean_wait: lambda * pi * (d * erd / r - (erd - 1.0) / (r * r) + d * erd / nmu),
    }
}
