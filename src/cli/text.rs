//! Plain-text renderings of command results, for people at a terminal.

use std::fmt::Write;

use crate::analysis::{Analysis, Reach};
use crate::analysis::rules::RULES;
use crate::value::trim_float;

/// `hotline rules` as a table.
pub fn rules() -> String {
    let mut out = String::new();
    writeln!(out, "{:<18} {:<8} {:<12} source / what it checks", "rule", "severity", "threshold").ok();
    for r in RULES {
        let threshold = r.threshold.map_or_else(|| "-".into(), |t| format!("{} {}", trim_float(t), r.unit));
        writeln!(out, "{:<18} {:<8} {:<12} {}", r.id, r.severity.to_string(), threshold, r.source).ok();
        writeln!(out, "{:<40} {}", "", r.summary).ok();
    }
    out
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
    writeln!(out, "  P(reach a human)     {}", trim_float((r.probability * 1e4).round() / 1e4)).ok();
    match r.expected_ivr_seconds {
        Some(s) => writeln!(out, "  expected IVR time    {} s", trim_float((s * 10.0).round() / 10.0)),
        None => writeln!(out, "  expected IVR time    unbounded: some callers are trapped"),
    }
    .ok();
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
        writeln!(out, "  {path}:{}:{}: {}[{}]: node \"{}\": {}", f.line, f.column, f.severity, f.rule, f.node, f.message).ok();
        writeln!(out, "      source: {}", f.source).ok();
    }
    out
}
