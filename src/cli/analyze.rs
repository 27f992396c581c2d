//! `hotline analyze`: reach-a-human metrics and rule findings for one menu;
//! exit 1 when a finding is an error.

use std::path::PathBuf;

use clap::Args;

use super::{Format, LimitArgs, load_valid, print, rule_set};
use crate::error::Error;
use crate::escape::json_text;
use crate::output::text;

/// `hotline analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// The menu file.
    #[arg(value_name = "MENU")]
    pub menu: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Rule overrides (YAML: rule id → enabled / severity / threshold).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Loader limits.
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Runs `hotline analyze`.
pub fn exec(a: &AnalyzeArgs) -> Result<i32, Error> {
    let rules = rule_set(a.rules.as_deref())?;
    let (loaded, h) = load_valid(&a.menu, &a.limits)?;
    let analysis = crate::analysis::analyze(&h, &rules);
    print(&match a.format {
        Format::Text => text::analysis(&analysis, &loaded.path),
        Format::Json => json_text(&analysis),
    })?;
    // As `check` does for the format: an error finding fails the run, so
    // a CI job stops on it.
    let failed = analysis
        .findings
        .iter()
        .any(|f| f.severity == crate::diag::Severity::Error);
    Ok(i32::from(failed))
}
