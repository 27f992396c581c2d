//! A sweep written out: CSV, one row per point and metric, and the table
//! for people.

use crate::decisions::sweep::*;

use crate::output::table::{self, Cell, Table};

/// The sweep's long table: one row per point and metric.
pub fn long(s: &Sweep) -> Table {
    let mut columns: Vec<&str> = s.swept.iter().map(String::as_str).collect();
    columns.extend(["metric", "mean", "ci95_low", "ci95_high", "replications"]);
    let mut t = Table::new(&columns);
    for p in &s.points {
        for (key, e) in &p.metrics {
            let mut row: Vec<Cell> = p.set.values().map(|v| Cell::Text(value(v))).collect();
            row.extend([
                Cell::Plain(key.clone()),
                Cell::Num(e.mean, None),
                Cell::Num(e.ci95[0], None),
                Cell::Num(e.ci95[1], None),
                Cell::Int(e.n as i64),
            ]);
            t.push(row);
        }
    }
    t
}

/// The sweep's table for people: one row per point, the chosen metrics.
pub fn points(s: &Sweep, metrics: &[&str]) -> Table {
    let shown: Vec<&str> = metrics
        .iter()
        .copied()
        .filter(|k| s.points.iter().any(|p| p.metrics.contains_key(*k)))
        .collect();
    let columns: Vec<&str> = s
        .swept
        .iter()
        .map(String::as_str)
        .chain(shown.iter().copied())
        .collect();
    let mut t = Table::new(&columns).missing("–");
    for p in &s.points {
        let mut row: Vec<Cell> = p.set.values().map(|v| Cell::Text(value(v))).collect();
        row.extend(shown.iter().map(|k| {
            p.metrics.get(*k).map_or(Cell::Missing, |e| Cell::Estimate {
                key: k.to_string(),
                mean: e.mean,
                ci95: e.ci95,
            })
        }));
        t.push(row);
    }
    t
}

/// A swept value as written (a string as it is, without quotes).
pub fn value(v: &serde_json::Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

/// The sweep as CSV: one row per point and metric.
pub fn to_csv(s: &Sweep) -> String {
    table::to_csv(&long(s))
}

/// The sweep as a text table: one row per point, the chosen metrics.
pub fn to_text(s: &Sweep, metrics: &[&str]) -> String {
    let mut out = format!(
        "{}: {} point(s), {} replications each, seed {} (the same seeds at every point)\n\n",
        s.hotline,
        s.points.len(),
        s.replications,
        s.seed
    );
    out.push_str(&table::to_text(&points(s, metrics)));
    out
}
