//! `hotline survey`: a regulator's table over every menu under a folder.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{LimitArgs, at_least_one, print, rule_set};
use crate::error::Error;
use crate::escape::json_text;

/// Survey output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SurveyFormat {
    /// A table for people.
    Text,
    /// JSON for scripts.
    Json,
    /// CSV, one row per hotline.
    Csv,
}

/// `hotline survey`.
#[derive(Debug, Args)]
pub struct SurveyArgs {
    /// The folder of menu files (searched recursively).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SurveyFormat::Text)]
    pub format: SurveyFormat,
    /// How deep to look for menus (1: only DIR itself); links to folders are not followed.
    #[arg(long, default_value_t = usize::MAX, value_name = "N", value_parser = at_least_one)]
    pub max_depth: usize,
    /// Rule overrides.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Compliance packs, separated by commas (as `comply --rules`): each
    /// hotline's verdicts, and the compliance matrix in the report.
    #[arg(long, value_name = "PACK[,PACK]", value_delimiter = ',')]
    pub comply: Vec<String>,
    /// Simulate each hotline that has a caller model (its own
    /// replications and seed): mean time to a human, answered within
    /// 3 minutes, abandoned, deflected, channel switches, with intervals;
    /// the simulated rules of --comply decided.
    #[arg(long)]
    pub simulate: bool,
    /// Inspectors' test calls (CSV: hotline, date, channel, selections,
    /// seconds_to_human, reached_human, bounced, notes), compared with
    /// each hotline's menu.
    #[arg(long, value_name = "TESTCALLS.csv", conflicts_with = "shard")]
    pub calls: Option<PathBuf>,
    /// Write the regulator's report (HTML with plots, Markdown, JSON, CSV)
    /// into this folder.
    #[arg(long, value_name = "DIR", conflicts_with = "shard")]
    pub report: Option<PathBuf>,
    /// Survey only shard K of N of the files (K from 0, or auto/N from
    /// SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX) into --partial.
    #[arg(long, value_name = "K/N", requires = "partial", value_parser = crate::shard::parse_shard)]
    pub shard: Option<(u32, u32)>,
    /// The partial file a shard writes (combine them with `hotline merge`).
    #[arg(long, value_name = "FILE", requires = "shard")]
    pub partial: Option<PathBuf>,
    /// Loader limits.
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Runs `hotline survey`.
pub fn exec(a: &SurveyArgs) -> Result<i32, Error> {
    use crate::decisions::survey;
    let rules = rule_set(a.rules.as_deref())?;
    let comply = if a.comply.is_empty() {
        Vec::new()
    } else {
        crate::decisions::comply::rules_of(&a.comply).map_err(|message| Error::Usage { message })?
    };
    let checks = crate::decisions::survey::Checks {
        rules: &rules,
        comply: &comply,
        simulate: a.simulate,
    };
    let calls = a.calls.as_deref().map(crate::decisions::testcalls::read).transpose()?;
    let dir = a
        .report
        .as_deref()
        .map(crate::output::report::ReportDir::open)
        .transpose()?;
    let listing = survey::menu_files(&a.dir, a.max_depth).map_err(|e| Error::Read {
        path: a.dir.display().to_string(),
        source: e,
    })?;
    if let (Some((k, n)), Some(file)) = (a.shard, &a.partial) {
        let inputs: Vec<&std::path::Path> = listing
            .files
            .iter()
            .map(PathBuf::as_path)
            .chain(a.rules.as_deref())
            .chain(a.limits.with.as_deref())
            .collect();
        crate::files::check_output(file, "--partial", &inputs, super::simulate::partial_file())?;
        let head = survey::SurveyHead::new(&a.dir, &listing, &rules, &a.comply, a.simulate);
        let rg = crate::shard::range(k, n, listing.files.len() as u32);
        let rows = survey::survey_range(&listing, rg, &a.limits.options(), &checks);
        crate::shard::write::<survey::SurveyJob>(file, &head, (k, n), &rows)?;
        return Ok(0);
    }
    let mut s = survey::survey_listing(&listing, &a.limits.options(), &checks);
    if let Some(calls) = &calls {
        for w in survey::add_calls(&mut s.rows, calls) {
            eprintln!("warning: {}", crate::escape::terminal(&w));
        }
    }
    if let Some(dir) = dir {
        crate::output::report::survey::write_report(dir, &s, &|| false)?;
    }
    print(&match a.format {
        SurveyFormat::Text => crate::output::text::survey::to_text(&s),
        SurveyFormat::Json => json_text(&s),
        SurveyFormat::Csv => crate::output::text::survey::to_csv(&s),
    })?;
    Ok(0)
}
