//! Reports: a simulation and analysis written as a folder a person can open
//! (`index.html`), read (`report.md`) or feed to a script (`summary.json`,
//! `metrics.csv`, `replications.csv`), with plots as SVG and PNG.
//!
//! Each output format is one file implementing [`Export`]. Files are first
//! written to a hidden folder inside the report folder and moved into place
//! only when every one of them is complete, so an interrupted run never
//! leaves a half-written report, and nothing outside the folder is touched.

pub mod compare;
mod csv_out;
mod html;
mod markdown;
pub mod plots;

use std::path::{Path, PathBuf};

use crate::Error;
use crate::analysis::Analysis;
use crate::menu::Hotline;
use crate::sim::SimReport;

pub use csv_out::Csv;
pub use html::Html;
pub use markdown::Markdown;

/// A plot ready to embed.
#[derive(Clone, Debug)]
pub struct RenderedPlot {
    /// File stem (`wait_cdf`).
    pub name: &'static str,
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
        vec![("summary.json".into(), crate::cli::json_text(r.sim).into_bytes())]
    }
}

/// The marker that tells a folder holds a hotline report.
pub const MARKER: &str = ".hotline-report";

/// Checks that a report folder can be written: it does not exist yet, or it
/// is empty, or it holds an earlier report (never a folder of the user's
/// other files). Nothing is created.
pub fn check_dir(dir: &Path) -> Result<(), Error> {
    match std::fs::metadata(dir) {
        Ok(_) => prepare_dir(dir),
        Err(_) => Ok(()),
    }
}

/// Prepares a report folder: creates it, or checks that an existing one is
/// empty or an earlier report (never a folder of the user's other files).
pub fn prepare_dir(dir: &Path) -> Result<(), Error> {
    let shown = dir.display().to_string();
    match std::fs::metadata(dir) {
        Ok(m) if !m.is_dir() => {
            return Err(Error::NotAFile {
                path: shown,
                what: "a file, not a folder: choose a folder for the report",
            });
        }
        Ok(_) => {
            let entries: Vec<_> = std::fs::read_dir(dir)
                .map_err(|e| Error::Read {
                    path: shown.clone(),
                    source: e,
                })?
                .filter_map(Result::ok)
                .collect();
            let is_report = entries.iter().any(|e| e.file_name() == MARKER);
            if !entries.is_empty() && !is_report {
                return Err(Error::Unusable {
                    path: shown,
                    message: "the folder holds files that are not a hotline report; choose a new or empty folder so nothing of yours is overwritten".into(),
                });
            }
            // Leftovers of an interrupted run.
            for e in entries {
                if e.file_name().to_string_lossy().starts_with(".hotline-tmp-") {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        Err(_) => std::fs::create_dir_all(dir).map_err(|e| Error::Write { path: shown, source: e })?,
    }
    Ok(())
}

/// Writes files into `dir` all or nothing: first into a hidden folder
/// inside it, then each moved into place. `extra` may write more files (the
/// PNG plots) into the hidden folder. Returns the paths written.
pub fn write_all(
    dir: &Path,
    files: Vec<(String, Vec<u8>)>,
    extra: &dyn Fn(&Path) -> Result<Vec<String>, String>,
    interrupted: &dyn Fn() -> bool,
) -> Result<Vec<PathBuf>, Error> {
    prepare_dir(dir)?;
    let tmp = dir.join(format!(".hotline-tmp-{}", std::process::id()));
    let werr = |p: &Path, e: std::io::Error| Error::Write {
        path: p.display().to_string(),
        source: e,
    };
    std::fs::create_dir_all(&tmp).map_err(|e| werr(&tmp, e))?;
    let result = (|| {
        let mut names = Vec::new();
        for (name, bytes) in &files {
            if interrupted() {
                return Err(Error::Interrupted);
            }
            let p = tmp.join(name);
            std::fs::write(&p, bytes).map_err(|e| werr(&p, e))?;
            names.push(name.clone());
        }
        names.extend(extra(&tmp).map_err(|m| Error::Unusable {
            path: dir.display().to_string(),
            message: m,
        })?);
        std::fs::write(tmp.join(MARKER), b"written by hotline\n").map_err(|e| werr(&tmp, e))?;
        names.push(MARKER.into());
        if interrupted() {
            return Err(Error::Interrupted);
        }
        let mut out = Vec::new();
        for name in names {
            let to = dir.join(&name);
            std::fs::rename(tmp.join(&name), &to).map_err(|e| werr(&to, e))?;
            out.push(to);
        }
        Ok(out)
    })();
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

/// Renders the plots of a simulation and writes the whole report.
pub fn write_report(
    dir: &Path,
    h: &Hotline,
    path: &str,
    analysis: &Analysis,
    sim: &SimReport,
    interrupted: &dyn Fn() -> bool,
) -> Result<Vec<PathBuf>, Error> {
    let plots = plots::simulation_plots(h, sim);
    let unusable = |m: String| Error::Unusable {
        path: dir.display().to_string(),
        message: format!("drawing a plot: {m}"),
    };
    let mut rendered = Vec::new();
    for p in &plots {
        rendered.push(RenderedPlot {
            name: p.name,
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
    write_all(dir, files, &|tmp| write_pngs(&plots, tmp), interrupted)
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

/// Escapes text for HTML.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A metric's value as people read it: shares as percentages.
pub fn show(key: &str, x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    if key.starts_with("p_") || matches!(key, "service_level" | "occupancy") {
        format!("{:.1}%", x * 100.0)
    } else {
        format!("{x:.1}")
    }
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
