//! `hotline comply`: a jurisdiction's rules, each with a verdict and its
//! evidence.

use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use super::simulate::{run_sim, sim_options};
use super::{Format, LimitArgs, RunArgs, load_valid, print, threads_in_range};
use crate::decisions::comply::{self, Verdict};
use crate::error::Error;
use crate::escape::json_text;

/// `hotline comply`.
#[derive(Debug, Args)]
pub struct ComplyArgs {
    /// The menu file.
    #[arg(value_name = "MENU")]
    pub menu: PathBuf,
    /// Rule packs, separated by commas: spain, miit, eu, us-cable, gethuman, or all.
    #[arg(long, value_name = "PACK", value_delimiter = ',', required = true)]
    pub rules: Vec<String>,
    /// Replications of the simulation behind the simulated rules (default: the menu's).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub replications: Option<u32>,
    /// Seed of that simulation (default: the menu's).
    #[arg(long, value_name = "S", allow_negative_numbers = true)]
    pub seed: Option<u64>,
    /// Worker threads, at most 1024 (0: one per core).
    #[arg(long, value_name = "T", default_value_t = 0, value_parser = threads_in_range)]
    pub threads: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Loader limits.
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// The JSON document of `comply`.
#[derive(Serialize)]
struct Document<'a> {
    hotline: &'a str,
    packs: &'a [String],
    verdicts: &'a [Verdict],
}

/// Runs `hotline comply`.
pub fn exec(a: &ComplyArgs, ctx: &super::Context) -> Result<i32, Error> {
    // An unknown pack is a bad flag, found before the menu is read.
    let rules = comply::rules_of(&a.rules).map_err(|message| Error::Usage { message })?;
    let (loaded, h) = load_valid(&a.menu, &a.limits)?;
    let analysis = crate::analysis::analyze(&h, &Default::default());
    let sim = if comply::needs_simulation(&rules) && h.callers.is_some() {
        let run = RunArgs {
            replications: a.replications,
            seed: a.seed,
            threads: a.threads,
            // The US rule's 30 seconds.
            sl_target: 30.0,
            max_in_system: 1_000_000,
            format: Format::Text,
            quiet: a.quiet,
            report: None,
            limits: a.limits.clone(),
        };
        let o = sim_options(&h, &loaded.path, &run, ctx)?;
        Some(run_sim(&h, &loaded.path, &o, a.quiet, &mut |_, _| Ok(()))?)
    } else {
        None
    };
    let verdicts = comply::verdicts(&h, &analysis, sim.as_ref(), &rules);
    print(&match a.format {
        Format::Text => crate::output::text::comply::to_text(&h.name, &verdicts),
        Format::Json => json_text(&Document {
            hotline: &h.name,
            packs: &a.rules,
            verdicts: &verdicts,
        }),
    })?;
    // A failed verdict fails the run (inconclusive ones do not).
    Ok(i32::from(verdicts.iter().any(|v| v.status == comply::Status::Fail)))
}
