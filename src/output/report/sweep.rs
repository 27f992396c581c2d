//! The report of a sweep: one plot per metric against the swept value
//! (mean and 95% band at each point), a table of the points, and the
//! sweep as JSON and CSV.

use std::fmt::Write;
use std::path::PathBuf;

use super::plots::{Plot, SweepLine, sweep_plot};
use super::{ReportDir, escape_html as e};
use crate::decisions::sweep::Sweep;
use crate::error::Error;
use crate::output::table;
use crate::output::text::sweep::value;

/// The plots of a sweep: `metrics` against the first swept path, one line
/// per combination of the others.
pub fn plots(s: &Sweep, metrics: &[&str]) -> Vec<Plot> {
    let Some(first) = s.swept.first() else {
        return Vec::new();
    };
    // Numbers are placed at their value; anything else (a distribution) in order.
    let firsts: Vec<String> = {
        let mut v: Vec<String> = Vec::new();
        for p in &s.points {
            let x = value(&p.set[first]);
            if !v.contains(&x) {
                v.push(x);
            }
        }
        v
    };
    let numeric = firsts.iter().all(|x| x.parse::<f64>().is_ok());
    let position = |x: &str| {
        if numeric {
            x.parse::<f64>().unwrap_or(0.0)
        } else {
            firsts.iter().position(|f| f == x).unwrap_or(0) as f64
        }
    };
    let mut out = Vec::new();
    for key in metrics {
        let mut lines: Vec<SweepLine> = Vec::new();
        for p in &s.points {
            let Some(est) = p.metrics.get(*key) else { continue };
            let others: Vec<String> = p.set.iter().skip(1).map(|(k, v)| format!("{k}={}", value(v))).collect();
            let label = others.join(", ");
            let point = (position(&value(&p.set[first])), est.mean, est.ci95[0], est.ci95[1]);
            match lines.iter_mut().find(|(l, _)| *l == label) {
                Some((_, pts)) => pts.push(point),
                None => lines.push((label, vec![point])),
            }
        }
        if lines.is_empty() {
            continue;
        }
        out.push(sweep_plot(
            key,
            format!("{key} against {first}: the mean over {} replications at each point, with its 95% band (the same seeds at every point).", s.replications),
            key.to_string(),
            first.clone(),
            lines,
            (!numeric).then(|| firsts.clone()),
            crate::sim::is_share(key),
        ));
    }
    out
}

/// Writes the report of a sweep into `out`.
pub fn write_report(
    out: ReportDir,
    s: &Sweep,
    metrics: &[&str],
    interrupted: &dyn Fn() -> bool,
) -> Result<Vec<PathBuf>, Error> {
    let plots = plots(s, metrics);
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut html = String::new();
    html.push_str(&super::page_head(&format!("{} — hotline sweep", s.hotline)));
    writeln!(
        html,
        "<h1>{} <small>sweep</small></h1>\n<p>{} point(s) over {}; {} replications at each, seed {} (the same seeds at every point: common random numbers).</p>",
        e(&s.hotline),
        s.points.len(),
        e(&s.swept.join(" × ")),
        s.replications,
        s.seed
    )
    .ok();
    super::embed_plots(&plots, out.path(), &mut html, &mut files)?;
    writeln!(html, "<h2>Points</h2>").ok();
    html.push_str(&table::to_html(&crate::output::text::sweep::points(s, metrics)));
    writeln!(
        html,
        "<p class=\"muted\">Files: <a href=\"summary.json\">summary.json</a> · <a href=\"points.csv\">points.csv</a>. Written by hotline {}.</p>\n</body>\n</html>",
        env!("CARGO_PKG_VERSION")
    )
    .ok();
    files.push(("index.html".into(), html.into_bytes()));
    files.push(("summary.json".into(), crate::escape::json_text(s).into_bytes()));
    files.push(("points.csv".into(), crate::output::text::sweep::to_csv(s).into_bytes()));
    out.write(files, &|tmp| super::write_pngs(&plots, tmp), interrupted)
}
