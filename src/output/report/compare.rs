//! Two designs side by side: the analysis metrics, the simulated metrics with
//! their intervals, and the paired difference B − A with its own 95%
//! interval (both designs run with the same seeds, replication by
//! replication), with overlaid plots.

use std::fmt::Write;
use std::path::PathBuf;

use indexmap::IndexMap;
use serde::Serialize;

use super::plots::{bar_plot, cdf_plot};
use super::{HEADLINE, escape_html as e, show};
use crate::analysis::Reach;
use crate::error::Error;
use crate::output::table::{self, Align, Cell, Column, Table};
use crate::sim::SimReport;
use crate::sim::stats::{Estimate, Outcome, Welford};

/// One design of a comparison.
#[derive(Clone, Debug, Serialize)]
pub struct Side {
    /// The hotline's name.
    pub hotline: String,
    /// The menu file.
    pub path: String,
    /// Its reach-a-human analysis.
    pub reach_human: Reach,
}

/// One metric compared.
#[derive(Clone, Debug, Serialize)]
pub struct Compared {
    /// Design A.
    pub a: Estimate,
    /// Design B.
    pub b: Estimate,
    /// B − A, paired by replication.
    pub difference: Estimate,
}

/// A comparison of two designs.
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    /// Design A.
    pub a: Side,
    /// Design B.
    pub b: Side,
    /// Replications of each.
    pub replications: u32,
    /// The seed both ran with.
    pub seed: u64,
    /// Top-level metrics compared.
    pub metrics: IndexMap<String, Compared>,
}

/// Pairs the two simulations replication by replication.
pub fn compare(a: (Side, &SimReport), b: (Side, &SimReport)) -> Comparison {
    let (sa, ra) = a;
    let (sb, rb) = b;
    let mut metrics = IndexMap::new();
    for (key, ea) in &ra.metrics {
        let Some(eb) = rb.metrics.get(key) else { continue };
        let mut w = Welford::default();
        for (x, y) in ra.rows.iter().zip(rb.rows.iter()) {
            if let (Some(x), Some(y)) = (x.get(key), y.get(key)) {
                w.add(y - x);
            }
        }
        if let Some(d) = w.estimate() {
            metrics.insert(
                key.clone(),
                Compared {
                    a: *ea,
                    b: *eb,
                    difference: d,
                },
            );
        }
    }
    Comparison {
        a: sa,
        b: sb,
        replications: ra.replications,
        seed: ra.seed,
        metrics,
    }
}

fn interval(key: &str, e: &Estimate) -> String {
    format!(
        "{} [{}, {}]",
        show(key, e.mean),
        show(key, e.ci95[0]),
        show(key, e.ci95[1])
    )
}

fn difference(key: &str, e: &Estimate) -> String {
    let pct = crate::sim::metric::is_share(key);
    let f = |x: f64| {
        if pct {
            format!("{:+.1} pt", x * 100.0)
        } else {
            format!("{x:+.1}")
        }
    };
    format!("{} [{}, {}]", f(e.mean), f(e.ci95[0]), f(e.ci95[1]))
}

/// The rows of what the menus promise: selections and seconds to a
/// human, the share of callers who reach a queue.
fn menu_rows(c: &Comparison) -> Vec<Vec<Cell>> {
    let sel = |r: &Reach| Cell::int(r.selections);
    let secs = |r: &Reach| Cell::num(r.seconds, None);
    vec![
        vec![
            Cell::Plain("selections to a human".into()),
            sel(&c.a.reach_human),
            sel(&c.b.reach_human),
        ],
        vec![
            Cell::Plain("seconds to a human".into()),
            secs(&c.a.reach_human),
            secs(&c.b.reach_human),
        ],
        vec![
            Cell::Plain("P(reach a queue), from the menu".into()),
            Cell::Plain(crate::output::show::reach_probability(&c.a.reach_human)),
            Cell::Plain(crate::output::show::reach_probability(&c.b.reach_human)),
        ],
    ]
}

/// The rows of the simulated headline metrics: A, B and the paired
/// difference, each cell with the key the report's `data-metric` names.
fn simulated_rows(c: &Comparison) -> Vec<Vec<(Cell, Option<String>)>> {
    HEADLINE
        .iter()
        .filter_map(|(key, label)| {
            let m = c.metrics.get(*key)?;
            Some(vec![
                (Cell::Plain((*label).to_string()), None),
                (Cell::Plain(interval(key, &m.a)), Some(format!("a.{key}"))),
                (Cell::Plain(interval(key, &m.b)), Some(format!("b.{key}"))),
                (Cell::Plain(difference(key, &m.difference)), None),
            ])
        })
        .collect()
}

/// The comparison as a text table.
pub fn to_text(c: &Comparison) -> String {
    let mut o = String::new();
    writeln!(
        o,
        "A: {} ({})\nB: {} ({})\n{} paired replications, seed {}\n",
        c.a.hotline, c.a.path, c.b.hotline, c.b.path, c.replications, c.seed
    )
    .ok();
    // The first column is as wide as the longest label: none is cut.
    let w = HEADLINE
        .iter()
        .map(|(_, l)| l.chars().count())
        .max()
        .unwrap_or(0)
        .max(32);
    let mut menu = Table::with(vec![
        Column::new("menu").fixed(w, Align::Left),
        Column::new("A").fixed(22, Align::Right),
        Column::new("B").fixed(22, Align::Right),
    ])
    .missing("–");
    for row in menu_rows(c) {
        menu.push(row);
    }
    let mut simulated = Table::with(vec![
        Column::new("simulated").fixed(w, Align::Left),
        Column::new("A").fixed(26, Align::Right),
        Column::new("B").fixed(26, Align::Right),
        Column::new("B − A (paired)").fixed(28, Align::Right),
    ]);
    for row in simulated_rows(c) {
        simulated.push(row.into_iter().map(|(cell, _)| cell).collect());
    }
    o.push_str(&table::to_text(&menu));
    writeln!(o).ok();
    o.push_str(&table::to_text(&simulated));
    o
}

/// Writes the comparison report: `index.html`, `report.md`, `summary.json` and overlaid plots.
pub fn write_report(
    out: super::ReportDir,
    c: &Comparison,
    a: &SimReport,
    b: &SimReport,
    interrupted: &dyn Fn() -> bool,
) -> Result<Vec<PathBuf>, Error> {
    let (la, lb) = (format!("A: {}", c.a.hotline), format!("B: {}", c.b.hotline));
    let plots = vec![
        cdf_plot(
            "wait_cdf",
            "Waits of answered calls in design A and design B: share answered within the time on the x-axis.".into(),
            "Wait of answered calls".into(),
            "wait (seconds)",
            vec![
                (la.clone(), a.plots.waits.hist_answered.clone()),
                (lb.clone(), b.plots.waits.hist_answered.clone()),
            ],
        ),
        cdf_plot(
            "time_to_human",
            "Time from first dial to a human in design A and design B.".into(),
            "Time from first dial to a human".into(),
            "seconds since the first dial",
            vec![
                (la.clone(), a.plots.time_to_human.clone()),
                (lb.clone(), b.plots.time_to_human.clone()),
            ],
        ),
        bar_plot(
            "outcomes",
            "How callers' journeys ended in design A and design B.".into(),
            "Outcome per caller".into(),
            Outcome::ALL.iter().map(|o| o.name().to_string()).collect(),
            [(la, a), (lb, b)]
                .into_iter()
                .map(|(l, r)| {
                    let total: u64 = r.plots.outcomes.iter().map(|(_, n)| n).sum::<u64>().max(1);
                    (
                        l,
                        r.plots.outcomes.iter().map(|(_, n)| *n as f64 / total as f64).collect(),
                    )
                })
                .collect(),
        ),
    ];
    let mut svgs = Vec::new();
    for p in &plots {
        svgs.push((
            p.name.clone(),
            p.caption.clone(),
            p.svg().map_err(|m| Error::Unusable {
                path: out.path().display().to_string(),
                message: m,
            })?,
        ));
    }
    let mut html = String::new();
    let mut md = String::new();
    writeln!(html, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{} vs {} — hotline comparison</title>\n<style>body{{font-family:'DejaVu Sans','Droid Sans Fallback',sans-serif;max-width:1000px;margin:2em auto;padding:0 1em}}table{{border-collapse:collapse}}td,th{{border:1px solid #ddd;padding:.3em .6em}}figure svg{{max-width:100%;height:auto}}</style>\n</head>\n<body>", e(&c.a.hotline), e(&c.b.hotline)).ok();
    writeln!(html, "<h1>{} <small>vs</small> {}</h1>\n<p>A: <code>{}</code> · B: <code>{}</code> · {} paired replications, seed {}.</p>", e(&c.a.hotline), e(&c.b.hotline), e(&c.a.path), e(&c.b.path), c.replications, c.seed).ok();
    writeln!(
        md,
        "# {} vs {}\n\nA: `{}` · B: `{}` · {} paired replications, seed {}.\n",
        c.a.hotline, c.b.hotline, c.a.path, c.b.path, c.replications, c.seed
    )
    .ok();
    let mut t = Table::new(&["metric", "A", "B", "B − A (paired 95% interval)"]).missing("–");
    let selections = menu_rows(c).swap_remove(0);
    t.push(selections.into_iter().chain([Cell::Plain(String::new())]).collect());
    for row in simulated_rows(c) {
        t.push(
            row.into_iter()
                .map(|(cell, metric)| match metric {
                    Some(metric) => Cell::tagged("data-metric", metric, cell),
                    None => cell,
                })
                .collect(),
        );
    }
    html.push_str(&table::to_html(&t));
    t.columns[3].name = "B − A (paired)".into();
    md.push_str(&table::to_markdown(&t));
    for (name, caption, svg) in &svgs {
        let svg = svg.trim_start_matches(|ch| ch != '<');
        writeln!(
            html,
            "<figure id=\"plot-{name}\">{svg}<figcaption>{}</figcaption></figure>",
            e(caption)
        )
        .ok();
        writeln!(md, "\n![{name}]({name}.svg)\n\n*{caption}*").ok();
    }
    writeln!(html, "</body>\n</html>").ok();
    let mut files = vec![
        ("index.html".to_string(), html.into_bytes()),
        ("report.md".to_string(), md.into_bytes()),
        ("summary.json".to_string(), crate::escape::json_text(c).into_bytes()),
    ];
    for (name, _, svg) in &svgs {
        files.push((format!("{name}.svg"), svg.clone().into_bytes()));
    }
    out.write(files, &|tmp| super::write_pngs(&plots, tmp), interrupted)
}
