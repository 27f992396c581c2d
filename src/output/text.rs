//! Plain-text renderings of command results, for people at a terminal.

pub mod backtest;
pub mod comply;
pub mod fit;
pub mod paths;
pub mod staff;
pub mod survey;
pub mod sweep;

use std::fmt::Write;

use crate::analysis::rules::RULES;
use crate::analysis::{Analysis, Reach};
use crate::menu::value::trim_float;
use crate::output::table::{self, Align, Cell, Column, Table};

/// `hotline rules` as a table, each column as wide as its widest cell.
pub fn rules() -> String {
    let threshold = |r: &crate::analysis::rules::Rule| {
        r.threshold
            .map_or_else(|| "-".into(), |t| format!("{} {}", trim_float(t), r.unit))
    };
    let mut t = Table::with(
        ["rule", "severity", "threshold", "source / what it checks"]
            .iter()
            .map(|c| Column::new(c).after(" "))
            .collect(),
    );
    for r in RULES {
        t.push(vec![
            Cell::Plain(r.id.to_string()),
            Cell::Plain(r.severity.to_string()),
            Cell::Plain(threshold(r)),
            Cell::Plain(r.source.to_string()),
        ]);
        let blank = || Cell::Plain(String::new());
        t.push(vec![blank(), blank(), blank(), Cell::Plain(r.summary.to_string())]);
    }
    table::to_text(&t)
}

fn reach(out: &mut String, r: &Reach) {
    if !r.reachable {
        writeln!(out, "  reachable            no: no queue can be reached on purpose").ok();
    } else {
        writeln!(out, "  reachable            yes").ok();
        writeln!(out, "  selections to human  {}", r.selections.unwrap_or(0)).ok();
        writeln!(out, "  route                {}", r.route.join(" → ")).ok();
        writeln!(out, "  seconds to human     {}", trim_float(r.seconds.unwrap_or(0.0))).ok();
    }
    match r.probability {
        Some(p) => writeln!(out, "  P(reach a human)     {}", trim_float((p * 1e4).round() / 1e4)),
        None => writeln!(out, "  P(reach a human)     undecided"),
    }
    .ok();
    match (r.expected_ivr_seconds, crate::output::show::expected_ivr(r).as_str()) {
        (Some(s), _) => writeln!(
            out,
            "  expected IVR time    {} s",
            trim_float((s * 10.0).round() / 10.0)
        ),
        (None, "undecided") => writeln!(out, "  expected IVR time    undecided"),
        (None, _) => writeln!(out, "  expected IVR time    unbounded: some callers are trapped"),
    }
    .ok();
    if let Some(why) = &r.undecided {
        writeln!(out, "  note                 {why}").ok();
    }
}

/// `hotline analyze` as text.
pub fn analysis(a: &Analysis, path: &str) -> String {
    let mut out = String::new();
    writeln!(out, "{} ({path})\n", a.hotline).ok();
    writeln!(out, "Reach a human — caller in no segment").ok();
    reach(&mut out, &a.reach_human);
    for (name, r) in &a.segments {
        writeln!(out, "\nReach a human — segment {name}").ok();
        reach(&mut out, r);
    }
    if let Some(r) = &a.reach_human_online {
        writeln!(
            out,
            "\nReach a human — customer starting online (selections are typed requests)"
        )
        .ok();
        reach(&mut out, r);
    }
    use crate::diag::Severity::*;
    writeln!(
        out,
        "\nFindings: {} error(s), {} warning(s), {} info",
        a.count(Error),
        a.count(Warning),
        a.count(Info)
    )
    .ok();
    for f in &a.findings {
        writeln!(
            out,
            "  {path}:{}:{}: {}[{}]: node \"{}\": {}",
            f.line, f.column, f.severity, f.rule, f.node, f.message
        )
        .ok();
        writeln!(out, "      source: {}", f.source).ok();
    }
    out
}

/// `hotline simulate` as text.
pub fn simulation(r: &crate::sim::SimReport) -> String {
    use crate::sim::stats::Estimate;
    let mut out = String::new();
    writeln!(
        out,
        "{}: {} replications, seed {}, from {} for {} after {} of warm-up\n{} callers made {} calls in all\n",
        r.hotline,
        r.replications,
        r.seed,
        r.settings.start,
        crate::menu::value::Duration::from_secs(r.settings.duration_s).unwrap_or_default(),
        crate::menu::value::Duration::from_secs(r.settings.warmup_s).unwrap_or_default(),
        r.callers,
        r.calls
    )
    .ok();
    let f = |x: f64, pct: bool| {
        if pct {
            format!("{:.1}%", x * 100.0)
        } else {
            format!("{x:.1}")
        }
    };
    let fmt = |e: &Estimate, pct: bool| {
        format!(
            "{:>9}  [{}, {}]{}",
            f(e.mean, pct),
            f(e.ci95[0], pct),
            f(e.ci95[1], pct),
            crate::output::show::rests_on(e, r.replications)
        )
    };
    let rows: &[(&str, &str, bool)] = &[
        ("p_reach_human", "callers who reach a human", true),
        ("mean_time_to_human_s", "mean time to a human (s)", false),
        ("calls_per_caller", "calls per caller", false),
        ("p_wait", "queued calls that wait", true),
        ("mean_wait_s", "mean wait (s)", false),
        ("mean_wait_answered_s", "mean wait of answered calls (s)", false),
        ("wait_p90_s", "90% of waits are under (s)", false),
        ("service_level", "answered within the SL target", true),
        ("p_answered_within_180s", "answered within 3 minutes", true),
        ("p_abandon", "queued calls abandoned", true),
        ("p_disconnected", "queued calls disconnected (max_wait)", true),
        ("p_deflected", "callers deflected by a busy message", true),
        ("p_resolved_self_service", "callers resolved by self-service", true),
        ("p_resolved_online", "callers resolved online", true),
        ("p_gave_up", "callers who gave up online", true),
        ("p_hung_up", "callers hung up by the menu", true),
        ("occupancy", "agent occupancy", true),
        ("mean_queue_length", "mean callers waiting", false),
        ("p_switched_channel", "customers who switched channel", true),
        ("channel_switches_per_caller", "channel switches per customer", false),
        ("p_bounced_back_to_phone", "bounced phone → online → phone", true),
    ];
    let mut t = Table::with(vec![
        Column::new("metric").fixed(40, Align::Left),
        Column::new("mean").fixed(9, Align::Right),
        Column::new("95% interval"),
    ]);
    for (key, label, pct) in rows {
        if let Some(e) = r.metrics.get(*key) {
            t.push(vec![
                Cell::Plain(label.to_string()),
                Cell::Plain(f(e.mean, *pct)),
                Cell::Plain(format!(
                    "[{}, {}]{}",
                    f(e.ci95[0], *pct),
                    f(e.ci95[1], *pct),
                    crate::output::show::rests_on(e, r.replications)
                )),
            ]);
        }
    }
    out.push_str(&table::to_text(&t));
    for (name, m) in &r.queues {
        if let (Some(sl), Some(w), Some(ab)) = (m.get("service_level"), m.get("mean_wait_s"), m.get("p_abandon")) {
            writeln!(
                out,
                "\nqueue {name}: service level {}, mean wait {} s, abandoned {}",
                fmt(sl, true).trim(),
                fmt(w, false).trim(),
                fmt(ab, true).trim()
            )
            .ok();
        }
    }
    for (name, m) in &r.queues {
        if let (Some(f), Some(s30), Some(s60)) = (
            m.get("first_response_s"),
            m.get("p_first_response_within_30s"),
            m.get("p_first_response_within_60s"),
        ) {
            writeln!(
                out,
                "chat queue {name}: first response {} s, within 30 s {}, within 60 s {}",
                fmt(f, false).trim(),
                fmt(s30, true).trim(),
                fmt(s60, true).trim()
            )
            .ok();
        }
    }
    for (name, m) in &r.segments {
        if let Some(p) = m.get("p_reach_human") {
            writeln!(out, "\nsegment {name}: reach a human {}", fmt(p, true).trim()).ok();
        }
    }
    for (name, m) in &r.channels {
        if let (Some(n), Some(p), Some(t)) = (
            m.get("customers"),
            m.get("p_reach_human"),
            m.get("mean_time_to_human_s"),
        ) {
            writeln!(
                out,
                "\nchannel {name}: {:.1} customers per replication, reach a human here {}, mean time to that human {} s",
                n.mean,
                fmt(p, true).trim(),
                fmt(t, false).trim()
            )
            .ok();
        }
    }
    for w in &r.warnings {
        writeln!(out, "\nwarning: {w}").ok();
    }
    out
}
