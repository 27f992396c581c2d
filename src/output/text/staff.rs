//! A staffing plan written out for people.

use crate::decisions::staff::Staffing;
use crate::output::table::{self, Align, Cell, Column, Table};

/// The plan's rows: seats per pool and interval, with what they achieve
/// (with their intervals where `intervals`, as the report shows them).
pub fn plan(s: &Staffing, intervals: bool) -> Table {
    let mut t = Table::with(vec![
        Column::new("pool").fixed(16, Align::Left),
        Column::new("interval").fixed(13, Align::Left),
        Column::new("seats").fixed(6, Align::Right),
        Column::new("scheduled").fixed(9, Align::Right),
        Column::new("Erlang C").fixed(8, Align::Right),
        Column::new("offered/h").fixed(9, Align::Right),
        Column::new("achieved").after("  "),
    ]);
    let show = crate::output::show::metric;
    for row in &s.plan {
        let achieved = row
            .achieved
            .iter()
            .filter(|(k, _)| ["service_level", "p_abandon", "mean_wait_s", "occupancy"].contains(&k.as_str()))
            .map(|(k, e)| {
                let main = format!("{k} {}", show(k, e.mean));
                if intervals {
                    Cell::Banded {
                        main,
                        band: format!("[{}, {}]", show(k, e.ci95[0]), show(k, e.ci95[1])),
                    }
                } else {
                    Cell::Plain(main)
                }
            })
            .collect();
        t.push(vec![
            Cell::Text(row.pool.clone()),
            Cell::Plain(format!("{}{}{}", row.from, if intervals { "–" } else { "-" }, row.to)),
            Cell::Int(row.seats.into()),
            Cell::Int(row.scheduled.into()),
            Cell::Int(row.erlang_c.into()),
            Cell::Num(row.offered_per_h, Some(1)),
            Cell::Lines {
                cells: achieved,
                after: if row.close { " (close)" } else { "" }.to_string(),
            },
        ]);
    }
    t
}

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
    out.push('\n');
    out.push_str(&table::to_text(&plan(s, false)));
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
