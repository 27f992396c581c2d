//! `hotline simulate`: Monte Carlo replications of callers through the
//! menu and its queues, with a report; also what `compare` shares with it
//! (run settings, Ctrl-C, the progress bar).

use std::path::PathBuf;

use clap::Args;

use super::{Format, RunArgs, load_valid, print};
use crate::analysis::rules::RuleSet;
use crate::error::Error;
use crate::escape::json_text;
use crate::output::text;

/// `hotline simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// The menu file.
    #[arg(value_name = "MENU")]
    pub menu: PathBuf,
    /// Run settings.
    #[command(flatten)]
    pub run: RunArgs,
    /// Run only shard K of N (replications K·R/N to (K+1)·R/N − 1; K from
    /// 0, or auto/N to read K from SLURM_ARRAY_TASK_ID or
    /// JOB_COMPLETION_INDEX) and write its statistics to --partial.
    #[arg(long, value_name = "K/N", requires = "partial", value_parser = crate::shard::parse_shard)]
    pub shard: Option<(u32, u32)>,
    /// The partial file a shard writes (combine them with `hotline merge`).
    #[arg(long, value_name = "FILE", requires = "shard")]
    pub partial: Option<std::path::PathBuf>,
    /// Write every measured call as a record to this file (never over an
    /// existing file or an input); `hotline fit` reads it back.
    #[arg(long, value_name = "FILE", conflicts_with = "shard")]
    pub log: Option<std::path::PathBuf>,
    /// Format of --log: the generic CSV, an Asterisk queue_log, Amazon
    /// Connect contact records (JSON lines).
    #[arg(long, value_enum, default_value_t = LogFormat::Csv, requires = "log")]
    pub log_format: LogFormat,
}

/// Formats of `simulate --log`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// The generic CSV.
    Csv,
    /// Asterisk queue_log.
    Asterisk,
    /// Amazon Connect contact records, one JSON object a line.
    Connect,
}

/// Simulation options from the menu and the command line.
pub(super) fn sim_options(
    h: &crate::menu::Hotline,
    path: &str,
    run: &RunArgs,
    ctx: &super::Context,
) -> Result<crate::sim::SimOptions, Error> {
    let (sl_target, threads) = (run.sl_target, run.threads);
    let mut o = crate::sim::SimOptions::from_menu(h);
    if let Some(r) = run.replications {
        o.replications = r;
    }
    if let Some(s) = run.seed {
        o.seed = s;
    }
    o.max_in_system = run.max_in_system;
    if !(sl_target.is_finite() && sl_target >= 0.0) {
        return Err(Error::Unusable {
            path: path.into(),
            message: "--sl-target must be a number of seconds from 0 up".into(),
        });
    }
    if o.replications == 0 {
        return Err(Error::Unusable {
            path: path.into(),
            message: "--replications must be at least 1".into(),
        });
    }
    o.threads = threads;
    o.sl_target = sl_target;
    o.stop = ctx.cancel();
    Ok(o)
}

/// Runs a simulation with a progress bar.
pub(super) fn run_sim(
    h: &crate::menu::Hotline,
    path: &str,
    o: &crate::sim::SimOptions,
    quiet: bool,
    each: &mut dyn FnMut(u32, &crate::sim::engine::RepResult) -> Result<(), String>,
) -> Result<crate::sim::SimReport, Error> {
    // A long run says so in the log, terminal or not.
    let expected = crate::sim::expected_callers(h, o.replications);
    if !quiet && expected >= 1e8 {
        eprintln!(
            "hotline: {path}: about {:.3e} callers to simulate ({} replications); this may take a while (Ctrl-C stops it)",
            expected, o.replications
        );
    }
    let bar = progress_bar(quiet, u64::from(o.replications));
    let report = crate::sim::simulate_each(
        h,
        o,
        &|done, _, callers| {
            if let Some(b) = &bar {
                b.set_position(u64::from(done));
                let secs = b.elapsed().as_secs_f64().max(1e-9);
                b.set_message(format!("{:.0} callers/s", callers as f64 / secs));
            }
        },
        each,
    );
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    report.map_err(super::Context::sim_error(path))
}

/// Runs `hotline simulate`.
pub fn exec(a: &SimulateArgs, ctx: &super::Context) -> Result<i32, Error> {
    let run = &a.run;
    if let Some(file) = &a.partial {
        if run.report.is_some() {
            return Err(Error::Output {
                path: file.display().to_string(),
                message: "--report with --shard: a shard has part of the run; hotline merge --report writes the report"
                    .into(),
            });
        }
        let inputs: Vec<&std::path::Path> = std::iter::once(a.menu.as_path())
            .chain(run.limits.with.as_deref())
            .collect();
        crate::files::check_output(file, "--partial", &inputs, partial_file())?;
    }
    if let Some(file) = &a.log {
        let inputs: Vec<&std::path::Path> = std::iter::once(a.menu.as_path())
            .chain(run.limits.with.as_deref())
            .collect();
        crate::files::check_output(file, "--log", &inputs, crate::files::Existing::Nothing)?;
    }
    let (loaded, h) = load_valid(&a.menu, &run.limits)?;
    let mut o = sim_options(&h, &loaded.path, run, ctx)?;
    o.log = a.log.is_some();
    if let (Some((k, n)), Some(file)) = (a.shard, &a.partial) {
        // With an overlay, the partial keeps the menu it stands for.
        let source = match run.limits.overlay()? {
            Some(overlay) => {
                let (tree, _) =
                    crate::input::effective_tree(&loaded.source, &loaded.path, &run.limits.options(), Some(&overlay))
                        .map_err(|message| Error::Unusable {
                        path: loaded.path.clone(),
                        message,
                    })?;
                crate::input::flows::tree_yaml(&tree)
            }
            None => loaded.source.clone(),
        };
        return shard(&loaded, &h, &o, (k, n), file, run.quiet, &source);
    }
    // Lock and check the report folder before spending time on the run.
    let out = run
        .report
        .as_deref()
        .map(crate::output::report::ReportDir::open)
        .transpose()?;
    let mut log = Vec::new();
    let report = match a.log_format {
        _ if a.log.is_none() => run_sim(&h, &loaded.path, &o, run.quiet, &mut |_, _| Ok(()))?,
        LogFormat::Csv => log_run(&h, &loaded.path, &o, run.quiet, RecordFormat::Csv, &mut log)?,
        LogFormat::Asterisk => log_run(&h, &loaded.path, &o, run.quiet, RecordFormat::Asterisk, &mut log)?,
        LogFormat::Connect => log_run(&h, &loaded.path, &o, run.quiet, RecordFormat::Connect, &mut log)?,
    };
    if let Some(file) = &a.log {
        crate::files::write_new(file, &log).map_err(|e| Error::Write {
            path: file.display().to_string(),
            source: e,
        })?;
    }
    if run.format != Format::Text {
        // Text output lists the warnings itself; JSON keeps them in a field
        // a person may not read.
        for w in &report.warnings {
            eprintln!("hotline: warning: {}", crate::escape::terminal(w));
        }
    }
    if let Some(out) = out {
        let analysis = crate::analysis::analyze(&h, &RuleSet::default());
        let dir = out.path().to_path_buf();
        let written =
            crate::output::report::write_report(out, &h, &loaded.path, &analysis, &report, &|| ctx.interrupted())?;
        if !run.quiet {
            eprintln!(
                "hotline: wrote {} files to {}",
                written.len(),
                crate::escape::terminal(&dir.display().to_string())
            );
        }
    }
    print(&match run.format {
        Format::Text => text::simulation(&report),
        Format::Json => json_text(&report),
    })?;
    Ok(0)
}

use crate::input::records::Format as RecordFormat;

/// A run whose measured calls are written as records into `out`.
fn log_run(
    h: &crate::menu::Hotline,
    path: &str,
    o: &crate::sim::SimOptions,
    quiet: bool,
    format: RecordFormat,
    out: &mut Vec<u8>,
) -> Result<crate::sim::SimReport, Error> {
    let mut w = crate::sim::log::Writer::new(h, format, out);
    w.header().map_err(|e| Error::Unusable {
        path: path.into(),
        message: e.to_string(),
    })?;
    run_sim(h, path, o, quiet, &mut |i, r| {
        w.write(i, &r.log).map_err(|e| e.to_string())
    })
}

/// What a `--partial` path may already hold: an earlier partial file.
pub(super) fn partial_file() -> crate::files::Existing {
    crate::files::Existing::Replaceable(crate::files::Kind::Partial)
}

/// A progress bar on standard error when it is a terminal.
fn progress_bar(quiet: bool, total: u64) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total);
    let style = indicatif::ProgressStyle::with_template("{spinner} replications {pos}/{len} [{bar:30}] {msg} ({eta})")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    Some(bar)
}

/// Runs one shard and writes its partial file.
fn shard(
    loaded: &crate::input::Loaded,
    h: &crate::menu::Hotline,
    o: &crate::sim::SimOptions,
    (k, n): (u32, u32),
    file: &std::path::Path,
    quiet: bool,
    source: &str,
) -> Result<i32, Error> {
    use crate::sim::shard::{SimHead, SimJob};
    let rg = crate::shard::range(k, n, o.replications);
    let results =
        crate::sim::simulate_range(h, o, rg.clone(), &|_, _, _| {}).map_err(super::Context::sim_error(&loaded.path))?;
    let head = SimHead::new(&loaded.path, source, o);
    crate::shard::write::<SimJob>(file, &head, (k, n), &results)?;
    if !quiet {
        eprintln!(
            "hotline: shard {k}/{n}: replications {}–{} of {} written to {}",
            rg.start,
            rg.end.saturating_sub(1),
            o.replications,
            crate::escape::terminal(&file.display().to_string())
        );
    }
    Ok(0)
}
