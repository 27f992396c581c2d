//! `metrics.csv` (one row per metric, per queue and segment) and
//! `replications.csv` (one row per replication).

use super::{Export, Report};
use crate::output::table::{self, Cell, Table};

/// The two CSV files.
pub struct Csv;

/// The columns of `metrics.csv`.
pub const METRICS_COLUMNS: [&str; 7] = [
    "scope",
    "name",
    "metric",
    "mean",
    "ci95_low",
    "ci95_high",
    "replications",
];

impl Export for Csv {
    fn export(&self, r: &Report<'_>) -> Vec<(String, Vec<u8>)> {
        let s = r.sim;
        let mut metrics = Table::new(&METRICS_COLUMNS);
        let scopes = std::iter::once(("all", "", &s.metrics))
            .chain(s.queues.iter().map(|(k, v)| ("queue", k.as_str(), v)))
            .chain(s.segments.iter().map(|(k, v)| ("segment", k.as_str(), v)))
            .chain(s.channels.iter().map(|(k, v)| ("channel", k.as_str(), v)));
        for (scope, name, estimates) in scopes {
            for (key, m) in estimates {
                metrics.push(vec![
                    Cell::Plain(scope.to_string()),
                    Cell::Text(name.to_string()),
                    Cell::Plain(key.clone()),
                    Cell::Num(m.mean, None),
                    Cell::Num(m.ci95[0], None),
                    Cell::Num(m.ci95[1], None),
                    Cell::Int(m.n.try_into().unwrap_or(i64::MAX)),
                ]);
            }
        }
        let metrics = table::to_csv(&metrics).into_bytes();
        // One row per replication; an undefined figure is left empty.
        let reps = if s.rows.is_empty() {
            Vec::new()
        } else {
            let header: Vec<&str> = std::iter::once("replication")
                .chain(s.rows.keys().iter().map(String::as_str))
                .collect();
            let mut t = Table::new(&header);
            for (i, row) in s.rows.iter().enumerate() {
                t.push(
                    std::iter::once(Cell::Int(i as i64 + 1))
                        .chain(row.values().iter().map(
                            |v| {
                                if v.is_nan() { Cell::Missing } else { Cell::Num(*v, None) }
                            },
                        ))
                        .collect(),
                );
            }
            table::to_csv(&t).into_bytes()
        };
        vec![("metrics.csv".into(), metrics), ("replications.csv".into(), reps)]
    }
}
