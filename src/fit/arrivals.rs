//! Arrivals per interval of the day over the days of the records, and
//! the day-to-day variation beyond Poisson.

use std::collections::BTreeMap;

use crate::menu::value::Clock;

/// Counts of arrivals by (local day, interval of the day).
#[derive(Clone, Debug, Default)]
pub struct Counts {
    /// Interval length, seconds.
    pub interval: f64,
    /// (day, interval) → arrivals.
    pub cells: BTreeMap<(i64, u32), u64>,
}

/// One interval of the day profile.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Slot {
    /// Start, `HH:MM`.
    pub from: String,
    /// End, `HH:MM`.
    pub to: String,
    /// Mean arrivals per hour over the days.
    pub rate_per_h: f64,
    /// 95% interval of the mean rate.
    pub ci95: [f64; 2],
    /// Arrivals in this interval over all days.
    pub calls: u64,
}

/// The arrivals estimate.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Arrivals {
    /// Mean rate over the profile's span, per hour.
    pub rate_per_h: f64,
    /// The day profile (from the first interval with calls to the last).
    pub profile: Vec<Slot>,
    /// Coefficient of variation of a day's rate beyond Poisson, from the
    /// daily totals (0 with fewer than two days).
    pub rate_variation: f64,
    /// Days in the records.
    pub days: u64,
    /// Arrivals per day (in day order).
    pub daily: Vec<u64>,
}

impl Counts {
    /// Counts an arrival at local time `local` (epoch seconds plus offset).
    pub fn add(&mut self, local: f64) {
        let day = (local / 86400.0).floor() as i64;
        let tod = local - day as f64 * 86400.0;
        let i = ((tod / self.interval) as u32).min(self.per_day() - 1);
        *self.cells.entry((day, i)).or_default() += 1;
    }

    fn per_day(&self) -> u32 {
        ((86400.0 / self.interval).ceil() as u32).max(1)
    }

    /// The estimate.
    pub fn estimate(&self) -> Arrivals {
        let days: Vec<i64> = {
            let mut d: Vec<i64> = self.cells.keys().map(|k| k.0).collect();
            d.dedup();
            d
        };
        if days.is_empty() {
            return Arrivals::default();
        }
        let nd = days.len() as f64;
        let per_day = self.per_day();
        let mut by_slot = vec![vec![0u64; days.len()]; per_day as usize];
        for (&(day, i), &n) in &self.cells {
            let di = days.binary_search(&day).unwrap_or(0);
            by_slot[i as usize][di] += n;
        }
        let hours = self.interval / 3600.0;
        let first = by_slot.iter().position(|v| v.iter().any(|&n| n > 0)).unwrap_or(0);
        let last = by_slot.iter().rposition(|v| v.iter().any(|&n| n > 0)).unwrap_or(0);
        let t = crate::sim::stats::t_quantile_975(days.len().saturating_sub(1) as u64);
        let profile: Vec<Slot> = (first..=last)
            .map(|i| {
                let v = &by_slot[i];
                let total: u64 = v.iter().sum();
                let mean = total as f64 / nd;
                let half = if days.len() >= 2 {
                    let var = v.iter().map(|&n| (n as f64 - mean).powi(2)).sum::<f64>() / (nd - 1.0);
                    // Never narrower than Poisson's.
                    t * (var.max(mean) / nd).sqrt()
                } else {
                    1.959_964 * mean.sqrt()
                };
                let clock = |s: f64| Clock((s.min(86400.0)) as u32).to_string();
                Slot {
                    from: clock(i as f64 * self.interval),
                    to: if i + 1 == per_day as usize {
                        "24:00".into()
                    } else {
                        clock((i + 1) as f64 * self.interval)
                    },
                    rate_per_h: mean / hours,
                    ci95: [((mean - half) / hours).max(0.0), (mean + half) / hours],
                    calls: total,
                }
            })
            .collect();
        let daily: Vec<u64> = (0..days.len()).map(|d| by_slot.iter().map(|v| v[d]).sum()).collect();
        let m = daily.iter().sum::<u64>() as f64 / nd;
        let rate_variation = if days.len() >= 2 && m > 0.0 {
            let s2 = daily.iter().map(|&n| (n as f64 - m).powi(2)).sum::<f64>() / (nd - 1.0);
            ((s2 - m) / (m * m)).max(0.0).sqrt()
        } else {
            0.0
        };
        let span_h = (last + 1 - first) as f64 * hours;
        Arrivals {
            rate_per_h: m / span_h,
            profile,
            rate_variation,
            days: days.len() as u64,
            daily,
        }
    }
}
