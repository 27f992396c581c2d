//! `hotline fit`: a caller model from call records.

use std::path::{Path, PathBuf};

use clap::Args;

use super::{Format, print};
use crate::error::Error;
use crate::fit::{self, FitOptions};

/// `hotline fit`.
#[derive(Debug, Args)]
pub struct FitArgs {
    /// Record files: Asterisk queue_log, Amazon Connect contact records
    /// (JSON), the generic CSV; each detected from its content.
    #[arg(required = true, value_name = "RECORDS")]
    pub records: Vec<PathBuf>,
    /// Length of the arrival intervals of the day.
    #[arg(long, default_value = "30m", value_parser = super::parse_interval)]
    pub interval: f64,
    /// A queue of the records that is a pool of another name in the menu
    /// (repeatable).
    #[arg(long = "map", value_name = "QUEUE=POOL", value_parser = parse_map)]
    pub map: Vec<(String, String)>,
    /// The menu the records' `path` column runs through: with it, the
    /// paths become key shares (written to the overlay as the options'
    /// `share`). A vendor flow works too.
    #[arg(long, value_name = "MENU")]
    pub menu: Option<PathBuf>,
    /// Loader options of --menu.
    #[command(flatten)]
    pub limits: super::LimitArgs,
    /// Write the estimates as an overlay for --with (never over an
    /// existing file or an input).
    #[arg(long, value_name = "OVERLAY.yaml")]
    pub write: Option<PathBuf>,
    /// Write a report (HTML with plots, the fit as JSON, the overlay) into this folder.
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

fn parse_map(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((q, p)) if !q.trim().is_empty() && !p.trim().is_empty() => Ok((q.trim().into(), p.trim().into())),
        _ => Err(format!("\"{text}\" is not QUEUE=POOL")),
    }
}

/// Runs `hotline fit`.
pub fn exec(a: &FitArgs) -> Result<i32, Error> {
    let paths: Vec<&Path> = a.records.iter().map(PathBuf::as_path).collect();
    if let Some(out) = &a.write {
        let mut inputs = paths.clone();
        inputs.extend(a.menu.as_deref());
        inputs.extend(a.limits.with.as_deref());
        crate::files::check_output(out, "--write", &inputs, crate::files::Existing::Nothing)?;
    }
    let menu = match &a.menu {
        Some(m) => Some(std::sync::Arc::new(super::load_valid(m, &a.limits)?.1)),
        None => None,
    };
    let o = FitOptions {
        interval: a.interval,
        map: a.map.clone(),
        menu,
        ..FitOptions::default()
    };
    let dir = a
        .report
        .as_deref()
        .map(crate::output::report::ReportDir::open)
        .transpose()?;
    let report = fit::fit_files(&paths, &o)?;
    if let Some(dir) = dir {
        crate::output::report::fit::write_report(dir, &report, &|| false)?;
    }
    if let Some(out) = &a.write {
        let yaml = fit::overlay(&report);
        // What is written must lay over a menu: check it parses as one.
        crate::files::write_new(out, yaml.as_bytes()).map_err(|e| Error::Write {
            path: out.display().to_string(),
            source: e,
        })?;
    }
    match a.format {
        Format::Json => print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        ))?,
        Format::Text => print(&crate::output::text::fit::to_text(&report))?,
    }
    Ok(0)
}
