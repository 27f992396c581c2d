//! The report of a staffing plan: seats and offered calls per interval,
//! the achieved figure of the first target with its band, the plan table,
//! JSON and CSV.

use std::fmt::Write;
use std::path::PathBuf;

use super::plots::{Plot, Step, step_plot};
use super::{ReportDir, escape_html as e};
use crate::decisions::staff::{PlanRow, Staffing};
use crate::error::Error;
use crate::output::table::{self, Cell, Table};

/// Seconds of day of a plan row's start or end (`08:30`); an end at
/// midnight or before the start is the next day's.
fn span(row: &PlanRow) -> (f64, f64) {
    let at = |c: &str| crate::menu::value::Clock::parse(c).map_or(0.0, |c| c.secs());
    let (a, b) = (at(&row.from), at(&row.to));
    (a, if b <= a { b + 86400.0 } else { b })
}

/// A row's figure and its band.
type Figure = (f64, Option<(f64, f64)>);

/// One step series per pool of a row figure.
fn per_pool(s: &Staffing, f: &dyn Fn(&PlanRow) -> Figure) -> Vec<(String, Vec<Step>)> {
    let mut out: Vec<(String, Vec<Step>)> = Vec::new();
    for row in &s.plan {
        let (value, band) = f(row);
        let (a, b) = span(row);
        match out.iter_mut().find(|(p, _)| *p == row.pool) {
            Some((_, steps)) => steps.push((a, b, value, band)),
            None => out.push((row.pool.clone(), vec![(a, b, value, band)])),
        }
    }
    out
}

/// The plots of a plan: steps over its intervals. A plan of one interval
/// (a constant model) has none: its table says it all.
pub fn plots(s: &Staffing) -> Vec<Plot> {
    let pools = per_pool(s, &|_| (0.0, None)).len();
    if s.plan.len() <= pools {
        return Vec::new();
    }
    let mut out = vec![
        step_plot(
            "seats",
            "Seats the plan staffs in each pool, interval by interval (before shrinkage); dashed: what Erlang C staffs for the same load.".into(),
            "Seats per interval".into(),
            "seats",
            per_pool(s, &|r| (f64::from(r.seats), None)),
            per_pool(s, &|r| (f64::from(r.erlang_c), None))
                .into_iter()
                .map(|(p, v)| (format!("{p} (Erlang C)"), v))
                .collect(),
        ),
        step_plot(
            "offered",
            format!(
                "Calls an hour reaching each pool's queues ({}).",
                if s.erlang_c_load == "menu" {
                    "from the menu's rates and shares"
                } else {
                    "measured with ample seats: menu, deflections and redials included"
                }
            ),
            "Offered calls per interval".into(),
            "calls per hour",
            per_pool(s, &|r| (r.offered_per_h, None)),
            Vec::new(),
        ),
    ];
    if let Some(first) = s.targets.first() {
        let key = crate::menu::target::Target::parse(first).map_or("service_level", |t| t.metric.key());
        let value = crate::menu::target::Target::parse(first).map_or(0.0, |t| t.value);
        let series = per_pool(s, &|r| {
            r.achieved
                .get(key)
                .map_or((f64::NAN, None), |e| (e.mean, Some((e.ci95[0], e.ci95[1]))))
        });
        let target: Vec<Step> = s
            .plan
            .iter()
            .map(|r| {
                let (a, b) = span(r);
                (a, b, value, None)
            })
            .collect();
        out.push(step_plot(
            "achieved",
            format!("{key} the plan achieves in each interval, for the calls that joined in it (mean and 95% band, from the confirmation run); dashed: the target."),
            format!("Achieved {key}"),
            "achieved",
            series,
            vec![(format!("target {first}"), target)],
        ));
    }
    out
}

/// The plan as CSV.
pub fn to_csv(s: &Staffing) -> String {
    let mut t = Table::new(&[
        "pool",
        "from",
        "to",
        "seats",
        "scheduled",
        "erlang_c",
        "offered_per_h",
        "offered_erlangs",
        "close",
    ]);
    for r in &s.plan {
        t.push(vec![
            Cell::Text(r.pool.clone()),
            Cell::Plain(r.from.clone()),
            Cell::Plain(r.to.clone()),
            Cell::Int(r.seats.into()),
            Cell::Int(r.scheduled.into()),
            Cell::Int(r.erlang_c.into()),
            Cell::Num(r.offered_per_h, None),
            Cell::Num(r.offered_erlangs, None),
            Cell::Bool(r.close),
        ]);
    }
    table::to_csv(&t)
}

/// Writes the report of a plan into `out`.
pub fn write_report(out: ReportDir, s: &Staffing, interrupted: &dyn Fn() -> bool) -> Result<Vec<PathBuf>, Error> {
    let plots = plots(s);
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut html = String::new();
    html.push_str(&super::page_head(&format!("{} — hotline staffing", s.hotline)));
    writeln!(
        html,
        "<h1>{} <small>staffing</small></h1>\n<p>Targets: {} at {:.0}% confidence in every interval at once ({}). Warm-up {} ({}). Agent hours {} (scheduled {} with {:.0}% shrinkage); Erlang C: {}. {} search round(s), {} replications in the confirmation.</p>",
        e(&s.hotline),
        e(&s.targets.join(", ")),
        s.confidence * 100.0,
        if s.confirmed { "confirmed on fresh seeds" } else { "not confirmed" },
        crate::menu::value::Duration::from_secs(s.warmup_s).unwrap_or_default(),
        if s.warmup_chosen { "chosen from the load: the plan is for the steady state" } else { "the menu's" },
        crate::menu::value::trim_float(s.agent_hours),
        crate::menu::value::trim_float(s.scheduled_hours),
        s.shrinkage * 100.0,
        crate::menu::value::trim_float(s.erlang_c_hours),
        s.rounds,
        s.replications
    )
    .ok();
    for w in &s.warnings {
        writeln!(html, "<p class=\"muted\">warning: {}</p>", e(w)).ok();
    }
    super::embed_plots(&plots, out.path(), &mut html, &mut files)?;
    writeln!(html, "<h2>Plan</h2>").ok();
    html.push_str(&crate::output::table::to_html(&crate::output::text::staff::plan(
        s, true,
    )));
    writeln!(
        html,
        "<p class=\"muted\">Files: <a href=\"summary.json\">summary.json</a> · <a href=\"plan.csv\">plan.csv</a>. Written by hotline {}.</p>\n</body>\n</html>",
        env!("CARGO_PKG_VERSION")
    )
    .ok();
    files.push(("index.html".into(), html.into_bytes()));
    files.push(("summary.json".into(), crate::escape::json_text(s).into_bytes()));
    files.push(("plan.csv".into(), to_csv(s).into_bytes()));
    out.write(files, &|tmp| super::write_pngs(&plots, tmp), interrupted)
}
