//! A backtest written out for people.

use crate::decisions::backtest::Backtest;
use crate::output::table::{self, Align, Cell, Column, Table};

/// Per interval and metric: the logged figure, the simulated one with its
/// band, and whether the logged one is inside.
pub fn intervals(b: &Backtest) -> Table {
    let mut t = Table::with(vec![
        Column::new("interval").fixed(12, Align::Left),
        Column::new("metric").fixed(16, Align::Left),
        Column::new("logged").fixed(10, Align::Right),
        Column::new("simulated").fixed(10, Align::Right),
        Column::new("band").fixed(23, Align::Left).after("  "),
        Column::new("inside").after(" "),
    ]);
    for r in &b.intervals {
        let show = |x: f64| crate::output::show::metric(r.metric, x);
        t.push(vec![
            Cell::Plain(format!("{}-{}", r.from, r.to)),
            Cell::Plain(r.metric.to_string()),
            Cell::Plain(show(r.logged)),
            Cell::Plain(show(r.simulated.mean)),
            Cell::Plain(format!(
                "[{}, {}]",
                show(r.simulated.ci95[0]),
                show(r.simulated.ci95[1])
            )),
            Cell::Plain(if r.inside { "yes" } else { "NO" }.to_string()),
        ]);
    }
    t
}

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
    s.push('\n');
    s.push_str(&table::to_text(&intervals(b)));
    s
}
