//! The report of a staffing plan: seats and offered calls per interval,
//! the achieved figure of the first target with its band, the plan table,
//! JSON and CSV.

use std::fmt::Write;
use std::path::PathBuf;

use super::plots::{Plot, day_plot};
use super::{ReportDir, escape_html as e, show};
use crate::Error;
use crate::sim::Series;
use crate::staff::Staffing;

/// Seconds of day of a plan row's start (`08:30`).
fn secs(clock: &str) -> f64 {
    crate::value::Clock::parse(clock).map_or(0.0, |c| c.secs())
}

/// One series per pool of a row figure (no band).
fn per_pool(s: &Staffing, f: &dyn Fn(&crate::staff::PlanRow) -> (f64, f64, f64)) -> Vec<(String, Series)> {
    let mut out: Vec<(String, Series)> = Vec::new();
    for row in &s.plan {
        let (mean, lo, hi) = f(row);
        let i = match out.iter().position(|(p, _)| *p == row.pool) {
            Some(i) => i,
            None => {
                out.push((row.pool.clone(), Series::default()));
                out.len() - 1
            }
        };
        let series = &mut out[i].1;
        series.clock.push(secs(&row.from));
        series.mean.push(mean);
        series.lo.push(lo);
        series.hi.push(hi);
    }
    out
}

/// The plots of a plan.
pub fn plots(s: &Staffing) -> Vec<Plot> {
    let mut out = vec![
        day_plot(
            "seats",
            "Seats the plan staffs in each pool, interval by interval (before shrinkage).".into(),
            "Seats per interval".into(),
            "seats",
            per_pool(s, &|r| (f64::from(r.seats), f64::from(r.seats), f64::from(r.seats))),
            Vec::new(),
        ),
        day_plot(
            "offered",
            "Calls an hour reaching each pool's queues, from the pilot run with ample seats (menu, deflections and redials included).".into(),
            "Offered calls per interval".into(),
            "calls per hour",
            per_pool(s, &|r| (r.offered_per_h, r.offered_per_h, r.offered_per_h)),
            Vec::new(),
        ),
    ];
    if let Some(first) = s.targets.first() {
        let key = crate::target::Target::parse(first).map_or("service_level", |t| t.metric.key());
        let value = crate::target::Target::parse(first).map_or(0.0, |t| t.value);
        let series = per_pool(s, &|r| {
            r.achieved
                .get(key)
                .map_or((f64::NAN, f64::NAN, f64::NAN), |e| (e.mean, e.ci95[0], e.ci95[1]))
        });
        let dashed = vec![(
            format!("target {first}"),
            s.plan.iter().map(|r| (secs(&r.from), value)).collect(),
        )];
        out.push(day_plot(
            "achieved",
            format!("{key} the plan achieves in each interval, for the calls that joined in it (mean and 95% band); dashed: the target."),
            format!("Achieved {key}"),
            "achieved",
            series,
            dashed,
        ));
    }
    out
}

/// The plan as CSV.
pub fn to_csv(s: &Staffing) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "pool",
        "from",
        "to",
        "seats",
        "scheduled",
        "erlang_c",
        "offered_per_h",
        "offered_erlangs",
        "close",
    ])
    .ok();
    for r in &s.plan {
        w.write_record([
            crate::escape::csv_text(&r.pool).into_owned(),
            r.from.clone(),
            r.to.clone(),
            r.seats.to_string(),
            r.scheduled.to_string(),
            r.erlang_c.to_string(),
            r.offered_per_h.to_string(),
            r.offered_erlangs.to_string(),
            r.close.to_string(),
        ])
        .ok();
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Writes the report of a plan into `out`.
pub fn write_report(out: ReportDir, s: &Staffing, interrupted: &dyn Fn() -> bool) -> Result<Vec<PathBuf>, Error> {
    let plots = plots(s);
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut html = String::new();
    html.push_str(&super::page_head(&format!("{} — hotline staffing", s.hotline)));
    writeln!(
        html,
        "<h1>{} <small>staffing</small></h1>\n<p>Targets: {} at {:.0}% confidence. Agent hours {} (scheduled {} with {:.0}% shrinkage); Erlang C on the same load: {}. {} search round(s), {} replications in the final check.</p>",
        e(&s.hotline),
        e(&s.targets.join(", ")),
        s.confidence * 100.0,
        crate::value::trim_float(s.agent_hours),
        crate::value::trim_float(s.scheduled_hours),
        s.shrinkage * 100.0,
        crate::value::trim_float(s.erlang_c_hours),
        s.rounds,
        s.replications
    )
    .ok();
    for w in &s.warnings {
        writeln!(html, "<p class=\"muted\">warning: {}</p>", e(w)).ok();
    }
    super::embed_plots(&plots, out.path(), &mut html, &mut files)?;
    writeln!(html, "<h2>Plan</h2>\n<table><tr><th>pool</th><th>interval</th><th>seats</th><th>scheduled</th><th>Erlang C</th><th>offered/h</th><th>achieved</th></tr>").ok();
    for r in &s.plan {
        let achieved: Vec<String> = r
            .achieved
            .iter()
            .filter(|(k, _)| ["service_level", "p_abandon", "mean_wait_s", "occupancy"].contains(&k.as_str()))
            .map(|(k, x)| {
                format!(
                    "{k} {} <span class=\"muted\">[{}, {}]</span>",
                    show(k, x.mean),
                    show(k, x.ci95[0]),
                    show(k, x.ci95[1])
                )
            })
            .collect();
        writeln!(
            html,
            "<tr><td>{}</td><td>{}–{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.1}</td><td>{}{}</td></tr>",
            e(&r.pool),
            r.from,
            r.to,
            r.seats,
            r.scheduled,
            r.erlang_c,
            r.offered_per_h,
            achieved.join("<br>"),
            if r.close { " (close)" } else { "" }
        )
        .ok();
    }
    writeln!(
        html,
        "</table>\n<p class=\"muted\">Files: <a href=\"summary.json\">summary.json</a> · <a href=\"plan.csv\">plan.csv</a>. Written by hotline {}.</p>\n</body>\n</html>",
        env!("CARGO_PKG_VERSION")
    )
    .ok();
    files.push(("index.html".into(), html.into_bytes()));
    files.push(("summary.json".into(), crate::escape::json_text(s).into_bytes()));
    files.push(("plan.csv".into(), to_csv(s).into_bytes()));
    out.write(files, &|tmp| super::write_pngs(&plots, tmp), interrupted)
}
