//! A sweep written out: CSV, one row per point and metric, and the table
//! for people.

use crate::decisions::sweep::*;

/// The sweep as CSV: one row per point and metric.
pub fn to_csv(s: &Sweep) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = s.swept.clone();
    header.extend(["metric", "mean", "ci95_low", "ci95_high", "replications"].map(String::from));
    w.write_record(&header).ok();
    for p in &s.points {
        for (key, e) in &p.metrics {
            let mut row: Vec<String> = p
                .set
                .values()
                .map(|v| crate::escape::csv_text(v.to_string().trim_matches('"')).into_owned())
                .collect();
            row.extend([
                key.clone(),
                e.mean.to_string(),
                e.ci95[0].to_string(),
                e.ci95[1].to_string(),
                e.n.to_string(),
            ]);
            w.write_record(&row).ok();
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The sweep as a text table: one row per point, the chosen metrics.
pub fn to_text(s: &Sweep, metrics: &[&str]) -> String {
    let shown: Vec<&str> = metrics
        .iter()
        .copied()
        .filter(|k| s.points.iter().any(|p| p.metrics.contains_key(*k)))
        .collect();
    let mut table: Vec<Vec<String>> = vec![
        s.swept
            .iter()
            .cloned()
            .chain(shown.iter().map(|k| k.to_string()))
            .collect(),
    ];
    for p in &s.points {
        let mut row: Vec<String> = p
            .set
            .values()
            .map(|v| v.to_string().trim_matches('"').to_string())
            .collect();
        row.extend(shown.iter().map(|k| {
            p.metrics.get(*k).map_or("–".into(), |e| {
                format!(
                    "{} [{}, {}]",
                    crate::sim::metric::show(k, e.mean),
                    crate::sim::metric::show(k, e.ci95[0]),
                    crate::sim::metric::show(k, e.ci95[1])
                )
            })
        }));
        table.push(row);
    }
    let mut out = format!(
        "{}: {} point(s), {} replications each, seed {} (the same seeds at every point)\n\n",
        s.hotline,
        s.points.len(),
        s.replications,
        s.seed
    );
    for line in super::aligned(&table) {
        out.push_str(crate::escape::cell(&line).as_ref());
        out.push('\n');
    }
    out
}
