//! A staffing plan written out for people.

use crate::decisions::staff::Staffing;

/// The plan as text.
pub fn to_text(s: &Staffing) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    writeln!(
        out,
        "{}: {} at {:.0}% confidence in every interval at once; {} search round(s), {} on fresh seeds ({} replications)",
        s.hotline,
        s.targets.join(", "),
        s.confidence * 100.0,
        s.rounds,
        if s.confirmed { "confirmed" } else { "NOT confirmed" },
        s.replications
    )
    .ok();
    writeln!(
        out,
        "warm-up {} before each replication ({}); Erlang C on the {}",
        crate::menu::value::Duration::from_secs(s.warmup_s).unwrap_or_default(),
        if s.warmup_chosen {
            "chosen from the load: the plan is for the steady state"
        } else {
            "the menu's"
        },
        if s.erlang_c_load == "menu" {
            "menu's own rates"
        } else {
            "load measured with ample seats (redials and deflections included)"
        }
    )
    .ok();
    writeln!(
        out,
        "\n{:<16} {:<13} {:>6} {:>9} {:>8} {:>9}  achieved",
        "pool", "interval", "seats", "scheduled", "Erlang C", "offered/h"
    )
    .ok();
    for row in &s.plan {
        let achieved: Vec<String> = row
            .achieved
            .iter()
            .filter(|(k, _)| ["service_level", "p_abandon", "mean_wait_s", "occupancy"].contains(&k.as_str()))
            .map(|(k, e)| format!("{k} {}", crate::sim::metric::show(k, e.mean)))
            .collect();
        writeln!(
            out,
            "{:<16} {:<13} {:>6} {:>9} {:>8} {:>9.1}  {}{}",
            crate::escape::cell(&row.pool),
            format!("{}-{}", row.from, row.to),
            row.seats,
            row.scheduled,
            row.erlang_c,
            row.offered_per_h,
            achieved.join(", "),
            if row.close { " (close)" } else { "" }
        )
        .ok();
    }
    writeln!(
        out,
        "\nagent hours {} (scheduled {} with {:.0}% shrinkage); Erlang C: {}",
        crate::menu::value::trim_float(s.agent_hours),
        crate::menu::value::trim_float(s.scheduled_hours),
        s.shrinkage * 100.0,
        crate::menu::value::trim_float(s.erlang_c_hours)
    )
    .ok();
    for w in &s.warnings {
        writeln!(out, "warning: {w}").ok();
    }
    out
}
