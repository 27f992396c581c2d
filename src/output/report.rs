//! Reports: a simulation and analysis written as a folder a person can open
//! (`index.html`), read (`report.md`) or feed to a script (`summary.json`,
//! `metrics.csv`, `replications.csv`), with plots as SVG and PNG.
//!
//! Each output format is one file implementing [`Export`]. The folder is
//! locked, checked and written all or nothing by [`folder::ReportDir`]:
//! an interrupted run never leaves a half-written report, nothing of the
//! user's is overwritten, and nothing outside the folder is touched.

pub mod backtest;
pub mod compare;
mod csv_out;
pub mod fit;
pub mod folder;
mod html;
mod markdown;
pub mod plots;
pub mod staff;
pub mod survey;
pub mod sweep;

use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use crate::analysis::Analysis;
use crate::error::Error;
use crate::menu::Hotline;
use crate::output::table::{self, Cell};
use crate::sim::SimReport;
use crate::sim::stats::Estimate;

pub use csv_out::Csv;
pub use folder::{MARKER, ReportDir};
pub use html::Html;
pub use markdown::Markdown;

/// A plot ready to embed.
#[derive(Clone, Debug)]
pub struct RenderedPlot {
    /// File stem (`wait_cdf`).
    pub name: String,
    /// One-line caption.
    pub caption: String,
    /// The SVG text.
    pub svg: String,
}

/// Everything a report shows.
pub struct Report<'a> {
    /// The hotline.
    pub hotline: &'a Hotline,
    /// The menu file as given.
    pub path: &'a str,
    /// Its analysis.
    pub analysis: &'a Analysis,
    /// Its simulation.
    pub sim: &'a SimReport,
    /// Its plots.
    pub plots: Vec<RenderedPlot>,
}

/// An output format: turns a report into named files.
pub trait Export {
    /// The files of this format: (file name, contents).
    fn export(&self, r: &Report<'_>) -> Vec<(String, Vec<u8>)>;
}

/// `summary.json`: the document `hotline simulate --format json` prints.
pub struct Json;

impl Export for Json {
    fn export(&self, r: &Report<'_>) -> Vec<(String, Vec<u8>)> {
        vec![("summary.json".into(), crate::escape::json_text(r.sim).into_bytes())]
    }
}

/// Renders the plots of a simulation and writes the whole report into
/// a folder opened before the run.
pub fn write_report(
    out: ReportDir,
    h: &Hotline,
    path: &str,
    analysis: &Analysis,
    sim: &SimReport,
    interrupted: &dyn Fn() -> bool,
) -> Result<Vec<PathBuf>, Error> {
    let plots = plots::simulation_plots(h, sim);
    let unusable = |m: String| Error::Unusable {
        path: out.path().display().to_string(),
        message: format!("drawing a plot: {m}"),
    };
    let mut rendered = Vec::new();
    for p in &plots {
        rendered.push(RenderedPlot {
            name: p.name.clone(),
            caption: p.caption.clone(),
            svg: p.svg().map_err(unusable)?,
        });
    }
    let report = Report {
        hotline: h,
        path,
        analysis,
        sim,
        plots: rendered,
    };
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for format in [&Html as &dyn Export, &Markdown, &Json, &Csv] {
        files.extend(format.export(&report));
    }
    for p in &report.plots {
        files.push((format!("{}.svg", p.name), p.svg.clone().into_bytes()));
    }
    out.write(files, &|tmp| write_pngs(&plots, tmp), interrupted)
}

/// Writes each plot as `<name>.png` into a folder; returns the file names.
pub(crate) fn write_pngs(plots: &[plots::Plot], dir: &Path) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    for p in plots {
        let name = format!("{}.png", p.name);
        p.png(&dir.join(&name))?;
        names.push(name);
    }
    Ok(names)
}

/// The start of a self-contained HTML page (inline style, no script).
pub(crate) fn page_head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>body{{font-family:'DejaVu Sans','WenQuanYi Micro Hei',sans-serif;max-width:1000px;margin:2em auto;padding:0 1em}}table{{border-collapse:collapse}}td,th{{border:1px solid #ddd;padding:.3em .6em}}.muted{{color:#777}}figure svg{{max-width:100%;height:auto}}</style>\n</head>\n<body>\n",
        escape_html(title)
    )
}

/// Draws plots as SVG: each appended to `html` as a figure with its
/// caption, and added to `files` as `<name>.svg`.
pub(crate) fn embed_plots(
    plots: &[plots::Plot],
    dir: &Path,
    html: &mut String,
    files: &mut Vec<(String, Vec<u8>)>,
) -> Result<(), Error> {
    for p in plots {
        let svg = p.svg().map_err(|m| Error::Unusable {
            path: dir.display().to_string(),
            message: format!("drawing a plot: {m}"),
        })?;
        let body = svg.split_once("?>").map_or(svg.as_str(), |x| x.1).trim();
        html.push_str(&format!(
            "<figure id=\"plot-{}\">\n{body}\n<figcaption>{}</figcaption>\n</figure>\n",
            escape_html(&p.name),
            escape_html(&p.caption)
        ));
        files.push((format!("{}.svg", p.name), svg.into_bytes()));
    }
    Ok(())
}

pub use crate::escape::html as escape_html;
pub use crate::output::show::metric as show;

/// A table of estimates: a title, the metric keys (columns) and one row
/// per named scope, each cell the estimate when the scope has it.
pub struct Table<'a> {
    /// Section title.
    pub title: &'static str,
    /// Metric keys, in column order.
    pub keys: &'static [&'static str],
    /// (row name, its metrics).
    pub rows: Vec<(String, &'a IndexMap<String, Estimate>)>,
}

impl Table<'_> {
    /// A cell as text: mean [low, high] and the replications it rests on.
    pub fn cell(&self, metrics: &IndexMap<String, Estimate>, key: &str, replications: u32) -> Option<(String, String)> {
        metrics.get(key).map(|x| {
            (
                show(key, x.mean),
                format!(
                    "[{}, {}]{}",
                    show(key, x.ci95[0]),
                    show(key, x.ci95[1]),
                    crate::output::show::rests_on(x, replications)
                ),
            )
        })
    }
}

impl Table<'_> {
    /// The table's cells: a row name, then per key the mean with its
    /// interval as a band.
    pub fn cells(&self, replications: u32) -> table::Table {
        let names: Vec<&str> = std::iter::once("").chain(self.keys.iter().copied()).collect();
        let mut t = table::Table::new(&names).missing("–");
        for (name, m) in &self.rows {
            t.push(
                std::iter::once(Cell::Text(name.clone()))
                    .chain(self.keys.iter().map(|k| {
                        self.cell(m, k, replications)
                            .map_or(Cell::Missing, |(main, band)| Cell::Banded { main, band })
                    }))
                    .collect(),
            );
        }
        t
    }
}

/// How each kind of caller reaches a human, from the menu itself.
pub fn reach_table(a: &Analysis) -> table::Table {
    let mut t = table::Table::new(&[
        "caller",
        "reachable",
        "selections",
        "seconds",
        "route",
        "P(reach a queue)",
        "expected IVR time (s)",
    ])
    .missing("–");
    for (who, x) in a.by_caller() {
        t.push(vec![
            Cell::Text(who),
            Cell::Bool(x.reachable),
            Cell::int(x.selections),
            Cell::num(x.seconds, None),
            Cell::Text(x.route.join(" → ")),
            Cell::Plain(crate::output::show::reach_probability(x)),
            Cell::Plain(crate::output::show::expected_ivr(x)),
        ]);
    }
    t
}

/// The findings, the severity tagged with its class for HTML.
pub fn findings_table(a: &Analysis) -> table::Table {
    let mut t = table::Table::new(&["severity", "rule", "node", "where", "finding", "source"]);
    for f in &a.findings {
        t.push(vec![
            Cell::tagged("class", f.severity.to_string(), Cell::Plain(f.severity.to_string())),
            Cell::Plain(f.rule.to_string()),
            Cell::Text(f.node.clone()),
            Cell::Plain(format!("{}:{}", f.line, f.column)),
            Cell::Text(f.message.clone()),
            Cell::Text(f.source.to_string()),
        ]);
    }
    t
}

/// The per-scope tables of a simulation report: queues, segments and
/// channels; with online nodes, the channels side by side and the chat
/// queues' first responses.
pub fn tables(s: &SimReport) -> Vec<Table<'_>> {
    let mut t = vec![Table {
        title: "Per queue, segment and channel",
        keys: &[
            "service_level",
            "p_answered_within_180s",
            "mean_wait_s",
            "p_abandon",
            "p_reach_human",
        ],
        rows: s.scopes().collect(),
    }];
    if !s.channels.is_empty() {
        t.push(Table {
            title: "Channels: customers on the phone and online",
            keys: &[
                "customers",
                "contacts_per_customer",
                "p_reach_human",
                "mean_time_to_human_s",
                "occupancy",
            ],
            rows: s.channels.iter().map(|(k, v)| (k.clone(), v)).collect(),
        });
        let chats: Vec<_> = s
            .queues
            .iter()
            .filter(|(_, m)| m.contains_key("first_response_s"))
            .map(|(k, v)| (format!("chat queue {k}"), v))
            .collect();
        if !chats.is_empty() {
            t.push(Table {
                title: "First response in the chat queues (wait + the agent's first reply)",
                keys: &[
                    "first_response_s",
                    "p_first_response_within_1s",
                    "p_first_response_within_30s",
                    "p_first_response_within_60s",
                ],
                rows: chats,
            });
        }
    }
    t
}

/// The headline metrics, with their labels.
pub const HEADLINE: &[(&str, &str)] = &[
    ("p_reach_human", "callers who reach a human"),
    ("mean_time_to_human_s", "mean seconds from first dial to a human"),
    ("service_level", "queued calls answered within the service-level target"),
    ("p_answered_within_180s", "queued calls answered within 3 minutes"),
    ("mean_wait_s", "mean wait in the queue (s)"),
    ("p_abandon", "queued calls abandoned"),
    ("p_deflected", "callers sent away by a busy message"),
    ("occupancy", "agent occupancy"),
];
