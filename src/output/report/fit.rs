//! The report of a fit: the arrival profile with its intervals, and per
//! queue the handle times' empirical CDF against the fitted one and the
//! Kaplan–Meier curve against the fitted survival and the naive one.

use std::fmt::Write;
use std::path::PathBuf;

use super::plots::{Curve, Plot, curve_plot, step_plot};
use super::{ReportDir, escape_html as e};
use crate::error::Error;
use crate::fit::{FitReport, dist};
use crate::output::table::{self, Cell, Table};

fn clock(s: &str) -> f64 {
    crate::menu::value::Clock::parse(s).map_or(0.0, |c| c.secs())
}

/// The plots of a fit.
pub fn plots(r: &FitReport) -> Vec<Plot> {
    let mut out = Vec::new();
    let steps = |a: &crate::fit::arrivals::Arrivals| {
        a.profile
            .iter()
            .map(|s| {
                let (from, to) = (clock(&s.from), clock(&s.to));
                (
                    from,
                    if to <= from { to + 86400.0 } else { to },
                    s.rate_per_h,
                    Some((s.ci95[0], s.ci95[1])),
                )
            })
            .collect::<Vec<_>>()
    };
    if !r.arrivals.profile.is_empty() {
        let mut solid = vec![("phone".to_string(), steps(&r.arrivals))];
        if let Some(o) = &r.online_arrivals {
            solid.push(("online".to_string(), steps(o)));
        }
        out.push(step_plot(
            "arrivals",
            format!(
                "Arrivals an hour by interval of the day, the mean over {} day(s) with its 95% interval.",
                r.arrivals.days
            ),
            "Arrivals per hour".into(),
            "calls per hour",
            solid,
            Vec::new(),
        ));
    }
    if !r.seats.is_empty() {
        let solid = r
            .seats
            .iter()
            .map(|(name, q)| {
                let steps = q
                    .profile
                    .iter()
                    .map(|s| {
                        let (from, to) = (clock(&s.from), clock(&s.to));
                        (from, if to <= from { to + 86400.0 } else { to }, s.seats, None)
                    })
                    .collect::<Vec<_>>();
                (name.clone(), steps)
            })
            .collect();
        out.push(step_plot(
            "seats",
            "Seats logged in and not paused by interval of the day, the mean over the days of the records (from the queue_log's member events).".into(),
            "Seats logged in".into(),
            "seats",
            solid,
            Vec::new(),
        ));
    }
    for (i, (name, q)) in r.queues.iter().enumerate() {
        if let Some(h) = &q.handle_time
            && let Some(best) = h.candidates.first()
        {
            let xmax = h.ecdf.last().map_or(1.0, |p| p.0);
            let fitted: Vec<(f64, f64)> = (0..=200)
                .map(|k| xmax * f64::from(k) / 200.0)
                .map(|x| (x, dist::cdf(best, x)))
                .collect();
            let curves: Vec<Curve> = vec![
                ("records".into(), h.ecdf.clone(), false),
                (best.fit.clone(), fitted, true),
            ];
            out.push(curve_plot(
                &format!("handle-{i}"),
                format!("Handle times of queue {name}: the records' empirical CDF and the fit AIC chose."),
                format!("Handle time: {name}"),
                ("seconds", "share at or below"),
                curves,
            ));
        }
        if let Some(p) = &q.patience
            && let Some(best) = p.candidates.first()
        {
            let xmax = p.kaplan_meier.last().map_or(60.0, |s| s.t).max(60.0);
            let mut km: Vec<(f64, f64)> = vec![(0.0, 1.0)];
            for s in &p.kaplan_meier {
                km.push((s.t, km.last().map_or(1.0, |l| l.1)));
                km.push((s.t, s.s));
            }
            let grid = |f: &dyn Fn(f64) -> f64| {
                (0..=200)
                    .map(|k| xmax * f64::from(k) / 200.0)
                    .map(|x| (x, f(x)))
                    .collect::<Vec<_>>()
            };
            let mut curves: Vec<Curve> = vec![
                ("Kaplan–Meier".into(), km, false),
                (best.fit.clone(), grid(&|x| 1.0 - dist::cdf(best, x)), true),
            ];
            if let Some(naive) = p.naive_mean_s.filter(|m| *m > 0.0) {
                curves.push((
                    format!("naive exp(mean={naive:.0}s)"),
                    grid(&|x| (-x / naive).exp()),
                    true,
                ));
            }
            out.push(curve_plot(
                &format!("patience-{i}"),
                format!(
                    "Patience in queue {name}: the share still willing to wait, Kaplan–Meier ({:.0}% of waits censored), the censored fit, and the naive estimate from the abandoners alone.",
                    p.censored * 100.0
                ),
                format!("Patience: {name}"),
                ("seconds waited", "share still waiting"),
                curves,
            ));
        }
    }
    out
}

/// The tables of what the records tell beyond the caller model: key
/// shares, channel switches, redials, calls sent away while agents were
/// idle.
fn extras(html: &mut String, r: &FitReport) {
    if let Some(p) = &r.paths
        && !p.shares.is_empty()
    {
        let mut t = Table::new(&["node", "option", "to", "chosen", "share"]);
        for n in &p.shares {
            for o in &n.options {
                t.push(vec![
                    Cell::Text(n.node.clone()),
                    Cell::Text(o.key.clone()),
                    Cell::Text(o.to.clone()),
                    Cell::Int(o.count.try_into().unwrap_or(i64::MAX)),
                    Cell::Plain(format!("{:.1}%", o.share * 100.0)),
                ]);
            }
        }
        writeln!(html, "<h2>Key shares from the paths</h2>").ok();
        html.push_str(&table::to_html(&t));
    }
    if let Some(d) = &r.redials {
        writeln!(
            html,
            "<p>Redials: {} of {} abandoned calls ({:.1}%) called again within {:.0} minutes.</p>",
            d.redialled,
            d.abandoned,
            d.share * 100.0,
            d.window_s / 60.0
        )
        .ok();
    }
    if let Some(c) = &r.channel_switches {
        writeln!(
            html,
            "<p>Channel switches: {} of {} calls ({:.1}%) were followed by a chat of the same caller ({} of them after no agent), {} chats by a call.</p>",
            c.phone_to_online,
            c.phone_contacts,
            c.phone_to_online_share * 100.0,
            c.after_no_agent,
            c.online_to_phone
        )
        .ok();
    }
    if let Some(b) = &r.busy_while_idle {
        writeln!(
            html,
            "<h2>Sent away while agents were idle</h2>\n<p>{} of {} calls that left a queue unanswered were deflected or disconnected while agents of the queue were logged in, not paused and on no call ({} abandoned with an idle agent).</p>",
            b.sent_away, b.followed, b.abandoned
        )
        .ok();
        if !b.examples.is_empty() {
            let mut t = Table::new(&["call", "at", "queue", "idle agents"]);
            for (id, at, queue, idle) in &b.examples {
                t.push(vec![
                    Cell::Text(id.clone()),
                    Cell::Text(at.clone()),
                    Cell::Text(queue.clone()),
                    Cell::Int((*idle).into()),
                ]);
            }
            html.push_str(&table::to_html(&t));
        }
    }
}

/// Writes the report of a fit into `out` (with the overlay as
/// `overlay.yaml`).
pub fn write_report(out: ReportDir, r: &FitReport, interrupted: &dyn Fn() -> bool) -> Result<Vec<PathBuf>, Error> {
    let plots = plots(r);
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut html = super::page_head("hotline fit");
    writeln!(
        html,
        "<h1>Fit <small>from {} calls</small></h1>\n<p>{} calls read ({}), {} skipped, {} to {}; {} day(s). Arrivals {:.1}/h on average, day-to-day variation beyond Poisson {:.1}%.</p>",
        r.records.used,
        r.records.read,
        e(&r.records.format),
        r.records.skipped,
        e(r.records.from.as_deref().unwrap_or("?")),
        e(r.records.to.as_deref().unwrap_or("?")),
        r.arrivals.days,
        r.arrivals.rate_per_h,
        r.arrivals.rate_variation * 100.0
    )
    .ok();
    let mut t = Table::new(&[
        "queue",
        "pool",
        "calls",
        "answered",
        "abandoned",
        "handle time",
        "patience",
        "naive patience",
    ])
    .missing("–");
    for (name, q) in &r.queues {
        t.push(vec![
            Cell::Text(name.clone()),
            Cell::Text(q.pool.clone()),
            Cell::Int(q.calls.try_into().unwrap_or(i64::MAX)),
            Cell::Int(q.answered.try_into().unwrap_or(i64::MAX)),
            Cell::Int(q.abandoned.try_into().unwrap_or(i64::MAX)),
            q.handle_time
                .as_ref()
                .map_or(Cell::Missing, |h| Cell::Text(h.fit.clone())),
            q.patience.as_ref().map_or(Cell::Missing, |p| Cell::Text(p.fit.clone())),
            q.patience
                .as_ref()
                .and_then(|p| p.naive_mean_s)
                .map_or(Cell::Missing, |m| Cell::Plain(format!("{m:.1} s"))),
        ]);
    }
    html.push_str(&table::to_html(&t));
    extras(&mut html, r);
    for w in &r.warnings {
        writeln!(html, "<p class=\"muted\">warning: {}</p>", e(w)).ok();
    }
    super::embed_plots(&plots, out.path(), &mut html, &mut files)?;
    writeln!(
        html,
        "<p class=\"muted\">Files: <a href=\"fit.json\">fit.json</a> · <a href=\"overlay.yaml\">overlay.yaml</a>. Written by hotline {}.</p>\n</body>\n</html>",
        env!("CARGO_PKG_VERSION")
    )
    .ok();
    files.push(("index.html".into(), html.into_bytes()));
    files.push(("fit.json".into(), crate::escape::json_text(r).into_bytes()));
    files.push(("overlay.yaml".into(), crate::fit::overlay(r).into_bytes()));
    out.write(files, &|tmp| super::write_pngs(&plots, tmp), interrupted)
}
