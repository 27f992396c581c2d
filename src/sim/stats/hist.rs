//! Fixed-bin histograms of waits and times, with exact atoms at point
//! masses: memory is the same for ten callers and ten million.

use serde::{Deserialize, Serialize};

/// Histogram bins: 1 s wide up to 10 minutes, 10 s up to 2 hours, 1 minute
/// up to 12 hours, then one overflow bin.
const BANDS: [(f64, f64, usize); 3] = [(0.0, 1.0, 600), (600.0, 10.0, 660), (7200.0, 60.0, 600)];
/// Number of histogram bins, overflow included.
pub const HIST_BINS: usize = 600 + 660 + 600 + 1;

/// The bin of a value.
#[inline]
pub(super) fn bin_of(x: f64) -> usize {
    // Most waits fall in the first band, one second per bin.
    if x < BANDS[0].2 as f64 {
        // Below the first band's end (and not negative): an `i32` holds it,
        // whose conversion is cheaper.
        return x as i32 as usize;
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
/// `max_wait`, a fixed patience; see [`QueueAcc::wait`](super::QueueAcc::wait)) are also kept by
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
    pub(super) fn add_bin(&mut self, b: usize) {
        self.add_bin_n(b, 1);
    }

    /// Adds `n` values whose bin is `b`.
    #[inline]
    pub(super) fn add_bin_n(&mut self, b: usize, n: u64) {
        self.counts[b] += n;
        self.total += n;
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
    pub(super) fn count_atom_cold(&mut self, x: f64) {
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
    pub(super) fn quantile_with_zeros(&self, q: f64, zeros: u64) -> f64 {
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
}
