//! A backtest written out for people.

use crate::decisions::backtest::Backtest;

/// The backtest for people.
pub fn to_text(b: &Backtest) -> String {
    use std::fmt::Write;
    let mut s = format!(
        "{} day(s) of records against {} simulated days; {:.0}% of comparisons inside their band\n",
        b.days,
        b.replications,
        b.inside_share * 100.0
    );
    for (m, share) in &b.inside_by_metric {
        if share.is_finite() {
            let _ = writeln!(s, "  {m:<16} {:>5.0}% inside", share * 100.0);
        }
    }
    let _ = writeln!(
        s,
        "\n{:<12} {:<16} {:>10} {:>10}  {:<23} inside",
        "interval", "metric", "logged", "simulated", "band"
    );
    for r in &b.intervals {
        let show = |x: f64| crate::sim::metric::show(r.metric, x);
        let _ = writeln!(
            s,
            "{:<12} {:<16} {:>10} {:>10}  {:<23} {}",
            format!("{}-{}", r.from, r.to),
            r.metric,
            show(r.logged),
            show(r.simulated.mean),
            format!("[{}, {}]", show(r.simulated.ci95[0]), show(r.simulated.ci95[1])),
            if r.inside { "yes" } else { "NO" }
        );
    }
    s
}
