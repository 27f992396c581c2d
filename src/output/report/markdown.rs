//! `report.md`: the report as Markdown, plots linked as files.

use std::fmt::Write;

use super::{Export, HEADLINE, Report, show};
use crate::menu::value::trim_float;

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
                    m.rests_on(s.replications)
                )
                .ok();
            }
        }
        for w in &s.warnings {
            writeln!(o, "\n> Note: {}", cell(w)).ok();
        }
        let a = r.analysis;
        writeln!(o, "\n## Reaching a human\n\n| caller | reachable | selections | seconds | route | P(reach a queue) | expected IVR time (s) |\n|---|---|---|---|---|---|---|").ok();
        for (who, x) in a.by_caller() {
            writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} | {} |",
                cell(&who),
                if x.reachable { "yes" } else { "no" },
                x.selections.map_or("–".into(), |v| v.to_string()),
                x.seconds.map_or("–".into(), trim_float),
                cell(&x.route.join(" → ")),
                x.probability_pct(),
                x.expected_text()
            )
            .ok();
        }
        writeln!(o, "\n## Findings\n").ok();
        if a.findings.is_empty() {
            writeln!(o, "No rule is broken.").ok();
        } else {
            writeln!(
                o,
                "| severity | rule | node | where | finding | source |\n|---|---|---|---|---|---|"
            )
            .ok();
            for f in &a.findings {
                writeln!(
                    o,
                    "| {} | {} | {} | {}:{} | {} | {} |",
                    f.severity,
                    f.rule,
                    cell(&f.node),
                    f.line,
                    f.column,
                    cell(&f.message),
                    cell(f.source)
                )
                .ok();
            }
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
            writeln!(
                o,
                "## {}\n\n| | {} |\n|---|{}",
                t.title,
                t.keys.join(" | "),
                "---|".repeat(t.keys.len())
            )
            .ok();
            for (name, m) in &t.rows {
                let cells: Vec<String> = t
                    .keys
                    .iter()
                    .map(|k| {
                        t.cell(m, k, s.replications)
                            .map_or("–".into(), |(mean, band)| format!("{mean} {band}"))
                    })
                    .collect();
                writeln!(o, "| {} | {} |", cell(name), cells.join(" | ")).ok();
            }
            writeln!(o).ok();
        }
        vec![("report.md".into(), o.into_bytes())]
    }
}
