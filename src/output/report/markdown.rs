//! `report.md`: the report as Markdown, plots linked as files.

use std::fmt::Write;

use super::{Export, HEADLINE, Report, show};
use crate::menu::value::trim_float;
use crate::output::table;

/// The Markdown report.
pub struct Markdown;

/// Escapes the characters that would break a Markdown table cell.
/// User text as Markdown text: no live HTML, no formatting, one line.
fn cell(s: &str) -> String {
    crate::escape::markdown(s)
}

impl Export for Markdown {
    fn export(&self, r: &Report<'_>) -> Vec<(String, Vec<u8>)> {
        let s = r.sim;
        let mut o = String::new();
        writeln!(o, "# {}\n", cell(&r.hotline.name)).ok();
        if let Some(d) = &r.hotline.description {
            writeln!(o, "{}\n", cell(d.trim())).ok();
        }
        writeln!(
            o,
            "Menu {} · {} replications · seed {} · measured from {} for {} after {} of warm-up · service-level target {} s · {} callers, {} calls.\n",
            cell(r.path),
            s.replications,
            s.seed,
            s.settings.start,
            crate::menu::value::Duration::from_secs(s.settings.duration_s).unwrap_or_default(),
            crate::menu::value::Duration::from_secs(s.settings.warmup_s).unwrap_or_default(),
            trim_float(s.settings.sl_target_s),
            s.callers,
            s.calls
        )
        .ok();
        writeln!(
            o,
            "## Headline figures\n\n| metric | mean | 95% interval |\n|---|---|---|"
        )
        .ok();
        for (key, label) in HEADLINE {
            if let Some(m) = s.metrics.get(*key) {
                writeln!(
                    o,
                    "| {label} | {} | {} – {}{} |",
                    show(key, m.mean),
                    show(key, m.ci95[0]),
                    show(key, m.ci95[1]),
                    crate::output::show::rests_on(m, s.replications)
                )
                .ok();
            }
        }
        for w in &s.warnings {
            writeln!(o, "\n> Note: {}", cell(w)).ok();
        }
        let a = r.analysis;
        writeln!(o, "\n## Reaching a human\n").ok();
        o.push_str(&table::to_markdown(&super::reach_table(a)));
        writeln!(o, "\n## Findings\n").ok();
        if a.findings.is_empty() {
            writeln!(o, "No rule is broken.").ok();
        } else {
            o.push_str(&table::to_markdown(&super::findings_table(a)));
        }
        writeln!(o, "\n## Plots\n").ok();
        for p in &r.plots {
            writeln!(
                o,
                "![{}]({}.svg)\n\n*{}* ([PNG]({}.png))\n",
                p.name,
                p.name,
                cell(&p.caption),
                p.name
            )
            .ok();
        }
        for t in super::tables(s) {
            writeln!(o, "## {}\n", t.title).ok();
            o.push_str(&table::to_markdown(&t.cells(s.replications)));
            writeln!(o).ok();
        }
        vec![("report.md".into(), o.into_bytes())]
    }
}
