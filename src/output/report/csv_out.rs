//! `metrics.csv` (one row per metric, per queue and segment) and
//! `replications.csv` (one row per replication).

use super::{Export, Report};

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
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(METRICS_COLUMNS).ok();
        let scopes = std::iter::once(("all", "", &s.metrics))
            .chain(s.queues.iter().map(|(k, v)| ("queue", k.as_str(), v)))
            .chain(s.segments.iter().map(|(k, v)| ("segment", k.as_str(), v)))
            .chain(s.channels.iter().map(|(k, v)| ("channel", k.as_str(), v)));
        for (scope, name, metrics) in scopes {
            for (key, m) in metrics {
                w.write_record([
                    scope,
                    &crate::escape::csv_text(name),
                    key,
                    &m.mean.to_string(),
                    &m.ci95[0].to_string(),
                    &m.ci95[1].to_string(),
                    &m.n.to_string(),
                ])
                .ok();
            }
        }
        let metrics = w.into_inner().unwrap_or_default();

        let mut w = csv::Writer::from_writer(Vec::new());
        if !s.rows.is_empty() {
            let mut header = vec!["replication".to_string()];
            header.extend(s.rows.keys().iter().cloned());
            w.write_record(&header).ok();
            for (i, row) in s.rows.iter().enumerate() {
                let mut rec = vec![(i + 1).to_string()];
                rec.extend(
                    row.values()
                        .iter()
                        .map(|v| if v.is_nan() { String::new() } else { v.to_string() }),
                );
                w.write_record(&rec).ok();
            }
        }
        let reps = w.into_inner().unwrap_or_default();
        vec![("metrics.csv".into(), metrics), ("replications.csv".into(), reps)]
    }
}
