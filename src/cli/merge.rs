//! `hotline merge`: the partial files of a run split into shards, combined
//! into exactly what one `hotline simulate` of all replications prints.

use std::path::PathBuf;

use clap::Args;

use super::simulate::interrupted;
use super::text;
use super::{Format, print, threads_in_range};
use crate::Error;
use crate::escape::json_text;

/// `hotline merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The partial files (`hotline simulate --shard K/N --partial FILE`).
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the run's report (as `simulate --report` would) into this folder.
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,
    /// Worker threads for the analysis and plots (results do not depend on it).
    #[arg(long, value_name = "T", default_value_t = 0, value_parser = threads_in_range)]
    pub threads: usize,
    /// No messages.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs `hotline merge`.
pub fn exec(a: &MergeArgs) -> Result<i32, Error> {
    let paths: Vec<&std::path::Path> = a.files.iter().map(PathBuf::as_path).collect();
    let shown = a.files.first().map_or(String::new(), |p| p.display().to_string());
    let unusable = |message: String| Error::Unusable {
        path: shown.clone(),
        message,
    };
    if paths.first().and_then(|p| crate::shard::format_of(p)).as_deref() == Some(crate::shard::SWEEP_FORMAT) {
        let s = crate::shard::merge_sweeps(&paths).map_err(unusable)?;
        print(&match a.format {
            Format::Text => crate::sweep::to_text(&s, crate::sweep::DEFAULT_METRICS),
            Format::Json => json_text(&s),
        })?;
        return Ok(0);
    }
    if paths.first().is_some_and(|p| crate::shard::is_survey(p)) {
        let s = crate::shard::merge_surveys(&paths).map_err(unusable)?;
        print(&match a.format {
            Format::Text => crate::survey::to_text(&s),
            Format::Json => json_text(&s),
        })?;
        return Ok(0);
    }
    let (head, results) = crate::shard::merge(&paths).map_err(unusable)?;
    let loaded = crate::menu::load_str(&head.menu.source, &head.menu.path, &Default::default());
    let h = loaded.hotline.clone().ok_or_else(|| {
        unusable(format!(
            "the menu {} in the partial files does not load",
            head.menu.path
        ))
    })?;
    let out = a.report.as_deref().map(crate::report::ReportDir::open).transpose()?;
    let o = crate::shard::options(&head.settings, a.threads);
    let report = crate::sim::aggregate(&h, &o, &results).map_err(unusable)?;
    if a.format != Format::Text {
        for w in &report.warnings {
            eprintln!("hotline: warning: {}", crate::escape::terminal(w));
        }
    }
    if let Some(out) = out {
        let analysis = crate::analysis::analyze(&h, &Default::default());
        let dir = out.path().to_path_buf();
        let written = crate::report::write_report(out, &h, &head.menu.path, &analysis, &report, &interrupted)?;
        if !a.quiet {
            eprintln!(
                "hotline: wrote {} files to {}",
                written.len(),
                crate::escape::terminal(&dir.display().to_string())
            );
        }
    }
    print(&match a.format {
        Format::Text => text::simulation(&report),
        Format::Json => json_text(&report),
    })?;
    Ok(0)
}
