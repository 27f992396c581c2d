//! `index.html`: one self-contained page (inline CSS and SVG, no script, no
//! font or file fetched from anywhere).

use std::fmt::Write;

use super::{Export, HEADLINE, Report, escape_html as e, show};
use crate::menu::value::trim_float;
use crate::output::table;

/// The HTML page.
pub struct Html;

const STYLE: &str = "body{font-family:'DejaVu Sans','Noto Sans CJK SC','Droid Sans Fallback',sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}\
h1{margin-bottom:.2em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}\
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.3em .6em;text-align:left;vertical-align:top}\
th{background:#f4f4f4}.cards{display:flex;flex-wrap:wrap;gap:.8em}.card{border:1px solid #ddd;border-radius:6px;padding:.6em .9em;min-width:200px;flex:1}\
.card .value{font-size:1.7em;font-weight:bold}.card .ci{color:#666;font-size:.85em}.card .label{font-size:.9em}\
figure{margin:1.5em 0}figure svg{max-width:100%;height:auto;border:1px solid #eee}figcaption{color:#444;font-size:.9em}\
.error{color:#b00}.warning{color:#a60}.info{color:#357}.muted{color:#666}";

impl Export for Html {
    fn export(&self, r: &Report<'_>) -> Vec<(String, Vec<u8>)> {
        let s = r.sim;
        let mut o = String::new();
        let lang = if r.hotline.name.chars().any(crate::diag::is_wide) {
            "zh"
        } else {
            "en"
        };
        writeln!(
            o,
            "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">"
        )
        .ok();
        writeln!(
            o,
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        )
        .ok();
        writeln!(
            o,
            "<title>{} — hotline report</title>\n<style>{STYLE}</style>\n</head>\n<body>",
            e(&r.hotline.name)
        )
        .ok();
        writeln!(o, "<h1 id=\"hotline-name\">{}</h1>", e(&r.hotline.name)).ok();
        if let Some(d) = &r.hotline.description {
            writeln!(o, "<p>{}</p>", e(d)).ok();
        }
        writeln!(
            o,
            "<p class=\"muted\">Menu <code>{}</code> · {} replications · seed {} · measured from {} for {} after {} of warm-up · service-level target {} s · {} callers, {} calls in all.</p>",
            e(r.path),
            s.replications,
            s.seed,
            e(&s.settings.start),
            crate::menu::value::Duration::from_secs(s.settings.duration_s).unwrap_or_default(),
            crate::menu::value::Duration::from_secs(s.settings.warmup_s).unwrap_or_default(),
            trim_float(s.settings.sl_target_s),
            s.callers,
            s.calls
        )
        .ok();
        writeln!(o, "<h2>Headline figures</h2>\n<p class=\"muted\">Mean over replications, with its 95% confidence interval.</p>\n<div class=\"cards\">").ok();
        for (key, label) in HEADLINE {
            if let Some(m) = s.metrics.get(*key) {
                writeln!(
                    o,
                    "<div class=\"card\"><div class=\"value\" data-metric=\"{key}\" data-mean=\"{}\">{}</div><div class=\"ci\">95% CI {} – {}{}</div><div class=\"label\">{}</div></div>",
                    m.mean,
                    show(key, m.mean),
                    show(key, m.ci95[0]),
                    show(key, m.ci95[1]),
                    crate::output::show::rests_on(m, s.replications),
                    e(label)
                )
                .ok();
            }
        }
        writeln!(o, "</div>").ok();
        for w in &s.warnings {
            writeln!(o, "<p class=\"warning\">Note: {}</p>", e(w)).ok();
        }

        writeln!(o, "<h2>Reaching a human</h2>\n<p class=\"muted\">From the menu itself, before any wait (see the README for the definitions).</p>").ok();
        let a = r.analysis;
        o.push_str(&table::to_html(&super::reach_table(a)));
        writeln!(o, "<h2>Findings</h2>").ok();
        if a.findings.is_empty() {
            writeln!(o, "<p>No rule is broken.</p>").ok();
        } else {
            o.push_str(&table::to_html(&super::findings_table(a)));
        }

        writeln!(o, "<h2>Plots</h2>").ok();
        for p in &r.plots {
            let svg = p.svg.trim_start_matches(|c| c != '<');
            let svg = if svg.starts_with("<?xml") {
                svg.split_once("?>").map_or(svg, |x| x.1)
            } else {
                svg
            };
            writeln!(
                o,
                "<figure id=\"plot-{}\">\n{}\n<figcaption>{}</figcaption>\n</figure>",
                p.name,
                svg.trim(),
                e(&p.caption)
            )
            .ok();
        }

        for t in super::tables(s) {
            writeln!(o, "<h2>{}</h2>", e(t.title)).ok();
            o.push_str(&table::to_html(&t.cells(s.replications)));
        }
        writeln!(
            o,
            "<p class=\"muted\">Files: <a href=\"summary.json\">summary.json</a> · <a href=\"metrics.csv\">metrics.csv</a> · <a href=\"replications.csv\">replications.csv</a> · <a href=\"report.md\">report.md</a>. Written by hotline {}.</p>\n</body>\n</html>",
            env!("CARGO_PKG_VERSION")
        )
        .ok();
        vec![("index.html".into(), o.into_bytes())]
    }
}
