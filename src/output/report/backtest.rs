//! The report of a backtest: per metric, the records' value and the
//! simulated band interval by interval.

use std::fmt::Write;
use std::path::PathBuf;

use super::plots::{Plot, step_plot};
use super::{ReportDir, escape_html as e};
use crate::decisions::backtest::{Backtest, METRICS};
use crate::error::Error;

fn clock(s: &str) -> f64 {
    crate::menu::value::Clock::parse(s).map_or(0.0, |c| c.secs())
}

/// One plot per metric: the simulated mean with its band (solid) and the
/// logged value (dashed).
pub fn plots(b: &Backtest) -> Vec<Plot> {
    METRICS
        .iter()
        .filter_map(|m| {
            let rows: Vec<_> = b.intervals.iter().filter(|r| r.metric == *m).collect();
            if rows.is_empty() {
                return None;
            }
            let span = |r: &crate::decisions::backtest::Row| {
                let (a, z) = (clock(&r.from), clock(&r.to));
                (a, if z <= a { z + 86400.0 } else { z })
            };
            let sim = rows
                .iter()
                .map(|r| {
                    let (a, z) = span(r);
                    (a, z, r.simulated.mean, Some((r.simulated.ci95[0], r.simulated.ci95[1])))
                })
                .collect();
            let logged = rows
                .iter()
                .map(|r| {
                    let (a, z) = span(r);
                    (a, z, r.logged, None)
                })
                .collect();
            Some(step_plot(
                m,
                format!("{m}: the records (dashed) and the simulated mean with the band a mean of {} day(s) falls in 95% of the time.", b.days),
                (*m).to_string(),
                "value",
                vec![("simulated".into(), sim)],
                vec![("records".into(), logged)],
            ))
        })
        .collect()
}

/// Writes the report of a backtest into `out`.
pub fn write_report(
    out: ReportDir,
    b: &Backtest,
    menu: &str,
    interrupted: &dyn Fn() -> bool,
) -> Result<Vec<PathBuf>, Error> {
    let plots = plots(b);
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut html = super::page_head(&format!("{menu} — hotline backtest"));
    writeln!(
        html,
        "<h1>{} <small>backtest</small></h1>\n<p>{} day(s) of records against {} simulated days: {:.0}% of comparisons inside their band.</p>",
        e(menu),
        b.days,
        b.replications,
        b.inside_share * 100.0
    )
    .ok();
    super::embed_plots(&plots, out.path(), &mut html, &mut files)?;
    writeln!(
        html,
        "<p class=\"muted\">Files: <a href=\"backtest.json\">backtest.json</a>. Written by hotline {}.</p>\n</body>\n</html>",
        env!("CARGO_PKG_VERSION")
    )
    .ok();
    files.push(("index.html".into(), html.into_bytes()));
    files.push(("backtest.json".into(), crate::escape::json_text(b).into_bytes()));
    out.write(files, &|tmp| super::write_pngs(&plots, tmp), interrupted)
}
