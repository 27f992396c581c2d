//! Sparse linear systems `(I − Q) x = b` of the menu's Markov chain, for
//! components too large for elimination: restarted GMRES with a Jacobi
//! preconditioner, and the residual that the caller turns into a certified
//! error bound.
//!
//! `Q` is substochastic (a menu's transition probabilities among states of
//! one strongly connected component), so `I − Q` is an M-matrix and its
//! inverse is non-negative: `‖(I − Q)⁻¹‖∞` is the largest expected number of
//! steps before leaving the component, which is itself a solution of the
//! same system with `b = 1`. That is what makes the bound of
//! [`super::markov`] rigorous.

/// `I − Q` for one component, rows in compressed form.
///
/// A row is kept as its flow out of the component (`exit`: reaching a
/// human, ending, moving to another component) and its entries within the
/// component, and applied as `exit_i x_i + Σ_j q_ij (x_i − x_j)`. That is
/// `(I − Q) x` when the row adds up to 1, without the cancellation of
/// `x_i − Σ_j q_ij x_j`: in a nearly closed component the way out is tiny
/// next to the entries, and would drown in their rounding (the idea of
/// Grassmann, Taksar and Heyman's elimination).
#[derive(Clone, Debug, Default)]
pub struct System {
    /// Row `i`'s entries are `start[i]..start[i + 1]`.
    start: Vec<usize>,
    /// Column of each entry of `Q`.
    col: Vec<usize>,
    /// Value of each entry of `Q` (off the diagonal).
    val: Vec<f64>,
    /// Flow out of the component from each row.
    exit: Vec<f64>,
    /// Diagonal of `I − Q` (for the preconditioner).
    diag: Vec<f64>,
}

impl System {
    /// Builds `I − Q` from each row's off-diagonal `(column, probability)`
    /// pairs within the component and its flow out of the component.
    pub fn new(rows: impl IntoIterator<Item = (Vec<(usize, f64)>, f64)>) -> System {
        let mut s = System {
            start: vec![0],
            ..System::default()
        };
        for (i, (row, exit)) in rows.into_iter().enumerate() {
            let mut diag = exit;
            for (j, p) in row {
                debug_assert!(j != i, "self-loops are left out");
                s.col.push(j);
                s.val.push(p);
                diag += p;
            }
            s.exit.push(exit);
            s.diag.push(diag);
            s.start.push(s.col.len());
        }
        s
    }

    /// Number of unknowns.
    pub fn len(&self) -> usize {
        self.diag.len()
    }

    /// Whether the system has no unknowns.
    pub fn is_empty(&self) -> bool {
        self.diag.is_empty()
    }

    /// `y = (I − Q) x`.
    pub fn apply(&self, x: &[f64], y: &mut [f64]) {
        for (i, yi) in y.iter_mut().enumerate() {
            let mut s = self.exit[i] * x[i];
            for k in self.start[i]..self.start[i + 1] {
                s += self.val[k] * (x[i] - x[self.col[k]]);
            }
            *yi = s;
        }
    }

    /// `b − (I − Q) x` computed in twice the working precision (the
    /// compensated dot product of Ogita, Rump and Oishi, 2005), and a bound
    /// on the rounding left in it.
    pub fn residual(&self, b: &[f64], x: &[f64]) -> (Vec<f64>, f64) {
        let mut rounding: f64 = 0.0;
        let r = (0..self.len())
            .map(|i| {
                let mut acc = Dot2::new(b[i]);
                acc.add(-self.exit[i], x[i]);
                // x_i − x_j is rounded once (exactly, when the two are within
                // a factor of two): at most half an ulp of it.
                let mut diffs = 0.0;
                for k in self.start[i]..self.start[i + 1] {
                    let d = x[i] - x[self.col[k]];
                    acc.add(-self.val[k], d);
                    diffs += (self.val[k] * d).abs();
                }
                let terms = (self.start[i + 1] - self.start[i] + 2) as f64;
                let (ri, mag) = acc.sum();
                let gamma = terms * f64::EPSILON / (1.0 - terms * f64::EPSILON);
                rounding = rounding.max(f64::EPSILON * (ri.abs() + diffs) + gamma * gamma * mag);
                ri
            })
            .collect();
        (r, rounding)
    }
}

/// A sum of products accumulated with error-free transformations.
struct Dot2 {
    sum: f64,
    carry: f64,
    magnitude: f64,
}

impl Dot2 {
    fn new(start: f64) -> Dot2 {
        Dot2 {
            sum: start,
            carry: 0.0,
            magnitude: start.abs(),
        }
    }

    /// Adds `a · b`.
    fn add(&mut self, a: f64, b: f64) {
        let p = a * b;
        let p_err = a.mul_add(b, -p);
        let s = self.sum + p;
        let z = s - self.sum;
        let s_err = (self.sum - (s - z)) + (p - z);
        self.sum = s;
        self.carry += p_err + s_err;
        self.magnitude += p.abs();
    }

    /// The sum, and the sum of the magnitudes of its terms.
    fn sum(&self) -> (f64, f64) {
        (self.sum + self.carry, self.magnitude)
    }
}

/// Improves `x` by iterative refinement: the residual in twice the
/// working precision, a correction from [`gmres`], until the correction no
/// longer changes `x` or `budget` matrix-vector products are spent.
pub fn refine(a: &System, b: &[f64], x: &mut [f64], budget: usize) -> usize {
    let mut used = 0;
    for _ in 0..8 {
        let (r, _) = a.residual(b, x);
        let rn = norm(&r);
        if rn == 0.0 || used >= budget {
            break;
        }
        let mut d = vec![0.0; x.len()];
        used += gmres(a, &r, &mut d, 1e-12 * rn, budget - used);
        for (xi, di) in x.iter_mut().zip(&d) {
            *xi += di;
        }
        if norm(&d) <= f64::EPSILON * norm(x) {
            break;
        }
    }
    used
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

/// Improves `x` towards the solution of `(I − Q) x = b` by restarted
/// GMRES (right Jacobi preconditioning), until the residual's 2-norm is
/// below `tol`, a restart cycle stops making progress, or `budget`
/// matrix-vector products are spent. Returns the products used.
pub fn gmres(a: &System, b: &[f64], x: &mut [f64], tol: f64, budget: usize) -> usize {
    let n = a.len();
    if n == 0 {
        return 0;
    }
    let m = if n < 100_000 { 40 } else { 20 }.min(n);
    let inv_d: Vec<f64> = a
        .diag
        .iter()
        .map(|&d| if d.abs() > 1e-300 { 1.0 / d } else { 1.0 })
        .collect();
    let mut used = 0;
    let mut v: Vec<Vec<f64>> = vec![vec![0.0; n]; m + 1];
    let mut z = vec![0.0; n];
    let mut w = vec![0.0; n];
    let mut last = f64::INFINITY;
    while used < budget {
        let (r, _) = a.residual(b, x);
        let beta = norm(&r);
        used += 1;
        // Stop when small enough, or when a whole cycle gained less than half.
        if beta <= tol || beta.is_nan() || beta >= 0.5 * last {
            break;
        }
        last = beta;
        for (vi, ri) in v[0].iter_mut().zip(&r) {
            *vi = ri / beta;
        }
        let mut h = vec![vec![0.0; m]; m + 1];
        let (mut cs, mut sn) = (vec![0.0; m], vec![0.0; m]);
        let mut g = vec![0.0; m + 1];
        g[0] = beta;
        let mut k = 0;
        while k < m && used < budget {
            for ((zi, vi), di) in z.iter_mut().zip(&v[k]).zip(&inv_d) {
                *zi = vi * di;
            }
            a.apply(&z, &mut w);
            used += 1;
            for i in 0..=k {
                let hik = dot(&w, &v[i]);
                h[i][k] = hik;
                for (wj, vj) in w.iter_mut().zip(&v[i]) {
                    *wj -= hik * vj;
                }
            }
            let hn = norm(&w);
            h[k + 1][k] = hn;
            if hn > 0.0 {
                for (vj, wj) in v[k + 1].iter_mut().zip(&w) {
                    *vj = wj / hn;
                }
            }
            for i in 0..k {
                let t = cs[i] * h[i][k] + sn[i] * h[i + 1][k];
                h[i + 1][k] = -sn[i] * h[i][k] + cs[i] * h[i + 1][k];
                h[i][k] = t;
            }
            let d = h[k][k].hypot(h[k + 1][k]);
            if d == 0.0 {
                break;
            }
            cs[k] = h[k][k] / d;
            sn[k] = h[k + 1][k] / d;
            h[k][k] = d;
            h[k + 1][k] = 0.0;
            g[k + 1] = -sn[k] * g[k];
            g[k] *= cs[k];
            k += 1;
            if g[k].abs() <= tol || hn == 0.0 {
                break;
            }
        }
        // Back substitution, then x += M⁻¹ V y.
        let mut y = vec![0.0; k];
        for i in (0..k).rev() {
            let s: f64 = (i + 1..k).map(|j| h[i][j] * y[j]).sum();
            y[i] = if h[i][i] != 0.0 { (g[i] - s) / h[i][i] } else { 0.0 };
        }
        for (i, yi) in y.iter().enumerate() {
            for ((xj, vj), dj) in x.iter_mut().zip(&v[i]).zip(&inv_d) {
                *xj += yi * vj * dj;
            }
        }
    }
    used
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ring_with_a_small_leak() {
        // x_i = 0.001 + 0.999 x_{i+1} around a ring of 500: x = 1 everywhere.
        let n = 500;
        let a = System::new((0..n).map(|i| (vec![((i + 1) % n, 0.999)], 0.001)));
        let b = vec![0.001; n];
        let mut x = vec![0.0; n];
        gmres(&a, &b, &mut x, 1e-14, 100_000);
        for xi in &x {
            assert!((xi - 1.0).abs() < 1e-9, "{xi}");
        }
        let (r, rounding) = a.residual(&b, &x);
        assert!(r.iter().all(|ri| ri.abs() < 1e-12) && rounding < 1e-13);
    }

    #[test]
    fn a_self_loop_is_in_the_diagonal() {
        // x = 0.5 + 0.5 x ⇒ x = 1.
        let a = System::new([(vec![], 0.5)]);
        assert_eq!(a.len(), 1);
        let mut x = vec![0.0];
        gmres(&a, &[0.5], &mut x, 1e-15, 100);
        assert!((x[0] - 1.0).abs() < 1e-12, "{}", x[0]);
    }
}
