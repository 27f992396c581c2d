//! `hotline merge`: the partial files of a job split into shards (a
//! simulation, a survey, a sweep), combined into exactly what one machine
//! doing the whole job prints.

use std::path::{Path, PathBuf};

use clap::Args;

use super::{Format, print, threads_in_range};
use crate::decisions::survey::SurveyJob;
use crate::decisions::sweep::SweepJob;
use crate::error::Error;
use crate::escape::json_text;
use crate::output::text;
use crate::shard::Job;
use crate::sim::shard::SimJob;

/// `hotline merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The partial files (`--shard K/N --partial FILE` of simulate, survey or sweep).
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
    /// Largest partial file read, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = crate::shard::MAX_BYTES)]
    pub max_bytes: u64,
    /// No messages.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs `hotline merge`.
pub fn exec(a: &MergeArgs, ctx: &super::Context) -> Result<i32, Error> {
    let paths: Vec<&Path> = a.files.iter().map(PathBuf::as_path).collect();
    // Folders, devices and FIFOs are refused before anything is read.
    for p in &paths {
        if !crate::files::is_regular(p) {
            crate::files::head(p, 0)?;
        }
    }
    let first = paths[0];
    let damaged = |message: String| Error::Invalid { message };
    let format = crate::shard::format_of(first).map_err(damaged)?;
    let in_first = |m: String| damaged(format!("{}: {m}", first.display()));
    if format == SweepJob::FORMAT {
        let parts = crate::shard::open::<SweepJob>(&paths, a.max_bytes).map_err(damaged)?;
        let mut points = Vec::new();
        parts
            .for_each::<SweepJob>(&mut |p| {
                p.check(&parts.head)?;
                points.push(p);
                Ok(())
            })
            .map_err(damaged)?;
        let s = parts.head.sweep(points);
        print(&match a.format {
            Format::Text => crate::output::text::sweep::to_text(&s, crate::decisions::sweep::DEFAULT_METRICS),
            Format::Json => json_text(&s),
        })?;
        return Ok(0);
    }
    if format == SurveyJob::FORMAT {
        let parts = crate::shard::open::<SurveyJob>(&paths, a.max_bytes).map_err(damaged)?;
        let mut rows = Vec::new();
        parts
            .for_each::<SurveyJob>(&mut |r| {
                r.check()?;
                rows.push(r);
                Ok(())
            })
            .map_err(damaged)?;
        let s = crate::decisions::survey::from_parts(&parts.head, rows);
        print(&match a.format {
            Format::Text => crate::output::text::survey::to_text(&s),
            Format::Json => json_text(&s),
        })?;
        return Ok(0);
    }
    if format != SimJob::FORMAT {
        return Err(in_first(format!(
            "\"{}\" is not a partial format this hotline reads ({}, {}, {})",
            crate::escape::terminal(&format),
            SimJob::FORMAT,
            SurveyJob::FORMAT,
            SweepJob::FORMAT
        )));
    }
    let parts = crate::shard::open::<SimJob>(&paths, a.max_bytes).map_err(damaged)?;
    let head = &parts.head;
    let loaded = crate::input::load_str(&head.menu.source, &head.menu.path, &Default::default());
    let h = loaded.hotline.clone().ok_or_else(|| {
        damaged(format!(
            "{}: the menu {} it holds does not load",
            first.display(),
            head.menu.path
        ))
    })?;
    let out = a
        .report
        .as_deref()
        .map(crate::output::report::ReportDir::open)
        .transpose()?;
    let o = head.options(a.threads);
    let mut fold = crate::sim::Fold::new(&h, &o).map_err(in_first)?;
    parts.for_each::<SimJob>(&mut |r| fold.add(&r)).map_err(damaged)?;
    let report = fold.finish(&h, &o).map_err(in_first)?;
    if a.format != Format::Text {
        for w in &report.warnings {
            eprintln!("hotline: warning: {}", crate::escape::terminal(w));
        }
    }
    if let Some(out) = out {
        let analysis = crate::analysis::analyze(&h, &Default::default());
        let dir = out.path().to_path_buf();
        let written =
            crate::output::report::write_report(out, &h, &head.menu.path, &analysis, &report, &|| ctx.interrupted())?;
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
