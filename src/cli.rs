//! The command line: arguments, and what each command prints.
//!
//! `src/main.rs` only parses the arguments and calls [`run`]; everything a
//! command does lives in the library so the tests can drive it.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde_json::json;

mod bench;
mod text;

use crate::Error;
use crate::analysis::rules::RuleSet;
use crate::escape::json_text;
use crate::menu::{self, LoadOptions, Loaded};
use crate::yaml::Limits;

/// Command-line arguments.
#[derive(Debug, Parser)]
#[command(
    name = "hotline",
    version,
    about = "Check, measure and simulate phone hotline menus (IVR)"
)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load and validate menus; exit 0 when clean, 1 on errors, 2 when a file cannot be read.
    Check(CheckArgs),
    /// Reach-a-human metrics and rule findings for one menu.
    Analyze(AnalyzeArgs),
    /// Simulate callers through the menu and its queues (Monte Carlo replications).
    Simulate(SimulateArgs),
    /// Two designs side by side, simulated with the same seeds (paired).
    Compare(CompareArgs),
    /// Callers simulated per second on one thread: the Erlang-A reference and a menu.
    Bench(BenchArgs),
    /// Draw the menu as Graphviz DOT or a Mermaid flowchart.
    Graph(GraphArgs),
    /// A regulator's table over every menu under a folder.
    Survey(SurveyArgs),
    /// List every rule: id, default severity and threshold, source.
    Rules(FormatArgs),
    /// Print the JSON Schema of the menu format.
    Schema,
}

/// Just an output format.
#[derive(Debug, Args)]
pub struct FormatArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Settings shared by `simulate` and `compare`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Replications, 1 to 1000000 (default: the menu's `simulation.replications`, else 30).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub replications: Option<u32>,
    /// Run seed, 0 to 18446744073709551615 (default: the menu's `simulation.seed`, else 1).
    #[arg(long, value_name = "S", allow_negative_numbers = true)]
    pub seed: Option<u64>,
    /// Worker threads, at most 1024 (default 0: one per core); results do not depend on it.
    #[arg(long, value_name = "T", default_value_t = 0, value_parser = threads_in_range)]
    pub threads: usize,
    /// Service-level target in seconds (`service_level` = answered within it).
    #[arg(long, value_name = "SECONDS", default_value_t = 20.0)]
    pub sl_target: f64,
    /// Most callers in the system at once before a run is stopped.
    #[arg(long, value_name = "N", default_value_t = 1_000_000)]
    pub max_in_system: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Write a report (HTML, Markdown, JSON, CSV, plots) into this folder.
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,
    /// Loader limits.
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// `hotline simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// The menu file.
    #[arg(value_name = "MENU")]
    pub menu: PathBuf,
    /// Run settings.
    #[command(flatten)]
    pub run: RunArgs,
}

/// `hotline compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Design A.
    #[arg(value_name = "A")]
    pub a: PathBuf,
    /// Design B.
    #[arg(value_name = "B")]
    pub b: PathBuf,
    /// Run settings (replications and seed default to A's).
    #[command(flatten)]
    pub run: RunArgs,
}

/// `hotline bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The menu to measure besides the reference queue (default: the
    /// sample bank menu, built in).
    #[arg(value_name = "MENU")]
    pub menu: Option<PathBuf>,
    /// Replications of the menu, 1 to 1000000.
    #[arg(long, value_name = "N", default_value_t = 300, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub replications: u32,
}

fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be at least 1 (1: only the folder itself)".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("\"{text}\" is not a whole number")),
    }
}

/// Deepest nesting `--max-nesting` accepts: the YAML parser stops at about 256.
pub const MAX_NESTING: usize = 255;

fn nesting_in_range(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (1..=MAX_NESTING).contains(&n) => Ok(n),
        Ok(_) => Err(format!(
            "must be from 1 to {MAX_NESTING} (the YAML parser itself stops at about 256 levels)"
        )),
        Err(_) => Err(format!("\"{text}\" is not a whole number")),
    }
}

/// Most worker threads `--threads` accepts.
pub const MAX_THREADS: usize = 1024;

fn threads_in_range(text: &str) -> Result<usize, String> {
    let n: usize = text.parse().map_err(|_| format!("\"{text}\" is not a whole number"))?;
    if n > MAX_THREADS {
        return Err(format!("at most {MAX_THREADS} threads (0: one per core)"));
    }
    Ok(n)
}

/// Diagram format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz DOT.
    Dot,
    /// Mermaid flowchart.
    Mermaid,
}

/// `hotline graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// The menu file.
    #[arg(value_name = "MENU")]
    pub menu: PathBuf,
    /// Diagram format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,
    /// Loader limits.
    #[command(flatten)]
    pub limits: LimitArgs,
}

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
    /// Loader limits.
    #[command(flatten)]
    pub limits: LimitArgs,
}

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

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// For scripts.
    Json,
}

/// Loader limits a user may need to raise.
#[derive(Clone, Copy, Debug, Args)]
pub struct LimitArgs {
    /// Largest menu file read, in bytes.
    #[arg(long, default_value_t = Limits::default().max_bytes, value_name = "BYTES")]
    pub max_bytes: usize,
    /// Most nodes in one menu.
    #[arg(long, default_value_t = LoadOptions::default().max_nodes, value_name = "N")]
    pub max_nodes: usize,
    /// Deepest YAML nesting accepted, 1 to 255 (the YAML parser stops at about 256).
    #[arg(long, default_value_t = Limits::default().max_depth, value_name = "N", value_parser = nesting_in_range)]
    pub max_nesting: usize,
}

impl LimitArgs {
    fn options(&self) -> LoadOptions {
        LoadOptions {
            limits: Limits {
                max_bytes: self.max_bytes,
                max_depth: self.max_nesting,
                ..Limits::default()
            },
            max_nodes: self.max_nodes,
        }
    }
}

/// `hotline check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Menu files.
    #[arg(required = true, value_name = "MENU")]
    pub menus: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Loader limits.
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Runs a command; returns the exit code (0 clean, 1 input problems).
pub fn run(cli: Cli) -> Result<i32, Error> {
    match cli.command {
        Command::Check(a) => check(&a),
        Command::Analyze(a) => analyze(&a),
        Command::Simulate(a) => simulate(&a),
        Command::Compare(a) => compare(&a),
        Command::Bench(a) => {
            print(&bench::run(a.menu.as_deref(), a.replications)?)?;
            Ok(0)
        }
        Command::Survey(a) => {
            use crate::survey;
            let rules = rule_set(a.rules.as_deref())?;
            let listing = survey::menu_files(&a.dir, a.max_depth).map_err(|e| Error::Read {
                path: a.dir.display().to_string(),
                source: e,
            })?;
            let s = survey::survey_listing(&listing, &a.limits.options(), &rules);
            print(&match a.format {
                SurveyFormat::Text => survey::to_text(&s),
                SurveyFormat::Json => json_text(&s),
                SurveyFormat::Csv => survey::to_csv(&s),
            })?;
            Ok(0)
        }
        Command::Graph(a) => {
            use crate::graph::{Diagram, Dot, Mermaid, Route};
            let (_, h) = load_valid(&a.menu, &a.limits)?;
            let route = Route::to_human(&h);
            print(&match a.format {
                GraphFormat::Dot => Dot.render(&h, &route),
                GraphFormat::Mermaid => Mermaid.render(&h, &route),
            })?;
            Ok(0)
        }
        Command::Rules(a) => {
            print(&match a.format {
                Format::Text => text::rules(),
                Format::Json => json_text(&crate::analysis::rules::RULES),
            })?;
            Ok(0)
        }
        Command::Schema => {
            print(&crate::schema::menu_schema())?;
            Ok(0)
        }
    }
}

/// Writes to standard output; a closed pipe is not an error.
pub(crate) fn print(text: &str) -> Result<(), Error> {
    let text = crate::escape::terminal(text);
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Write {
            path: "standard output".into(),
            source: e,
        }),
        _ => Ok(()),
    }
}

/// The rules in force: the defaults, or a rules file's overrides.
pub fn rule_set(path: Option<&Path>) -> Result<RuleSet, Error> {
    path.map_or_else(|| Ok(RuleSet::default()), RuleSet::from_file)
}

fn analyze(a: &AnalyzeArgs) -> Result<i32, Error> {
    let rules = rule_set(a.rules.as_deref())?;
    let (loaded, h) = load_valid(&a.menu, &a.limits)?;
    let analysis = crate::analysis::analyze(&h, &rules);
    print(&match a.format {
        Format::Text => text::analysis(&analysis, &loaded.path),
        Format::Json => json_text(&analysis),
    })?;
    Ok(0)
}

/// Set by Ctrl-C: long runs stop and leave no half-written report.
static STOP: std::sync::OnceLock<std::sync::Arc<std::sync::atomic::AtomicBool>> = std::sync::OnceLock::new();

fn stop_flag() -> std::sync::Arc<std::sync::atomic::AtomicBool> {
    STOP.get_or_init(|| {
        let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let f = flag.clone();
        // Without a handler (another one is installed) Ctrl-C just ends the process.
        let _ = ctrlc::set_handler(move || f.store(true, std::sync::atomic::Ordering::SeqCst));
        flag
    })
    .clone()
}

fn interrupted() -> bool {
    STOP.get().is_some_and(|f| f.load(std::sync::atomic::Ordering::SeqCst))
}

/// Simulation options from the menu and the command line.
fn sim_options(h: &crate::Hotline, path: &str, run: &RunArgs) -> Result<crate::sim::SimOptions, Error> {
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
    o.stop = Some(stop_flag());
    Ok(o)
}

/// Runs a simulation with a progress bar.
fn run_sim(
    h: &crate::Hotline,
    path: &str,
    o: &crate::sim::SimOptions,
    quiet: bool,
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
    let report = crate::sim::simulate(h, o, &|done, _, callers| {
        if let Some(b) = &bar {
            b.set_position(u64::from(done));
            let secs = b.elapsed().as_secs_f64().max(1e-9);
            b.set_message(format!("{:.0} callers/s", callers as f64 / secs));
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    report.map_err(|message| {
        if message == crate::sim::INTERRUPTED {
            Error::Interrupted
        } else {
            Error::Unusable {
                path: path.into(),
                message,
            }
        }
    })
}

fn simulate(a: &SimulateArgs) -> Result<i32, Error> {
    let run = &a.run;
    let (loaded, h) = load_valid(&a.menu, &run.limits)?;
    let o = sim_options(&h, &loaded.path, run)?;
    // Lock and check the report folder before spending time on the run.
    let out = run.report.as_deref().map(crate::report::ReportDir::open).transpose()?;
    let report = run_sim(&h, &loaded.path, &o, run.quiet)?;
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
        let written = crate::report::write_report(out, &h, &loaded.path, &analysis, &report, &interrupted)?;
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

fn compare(a: &CompareArgs) -> Result<i32, Error> {
    use crate::report::compare::{self, Side};
    let run = &a.run;
    let (la, ha) = load_valid(&a.a, &run.limits)?;
    let (lb, hb) = load_valid(&a.b, &run.limits)?;
    let oa = sim_options(&ha, &la.path, run)?;
    // Same replications and seeds for both: the comparison is paired.
    let mut ob = sim_options(&hb, &lb.path, run)?;
    ob.replications = oa.replications;
    ob.seed = oa.seed;
    let out = run.report.as_deref().map(crate::report::ReportDir::open).transpose()?;
    let ra = run_sim(&ha, &la.path, &oa, run.quiet)?;
    let rb = run_sim(&hb, &lb.path, &ob, run.quiet)?;
    let side = |h: &crate::Hotline, path: &str| Side {
        hotline: h.name.clone(),
        path: path.into(),
        reach_human: crate::analysis::reach(h, None),
    };
    let c = compare::compare((side(&ha, &la.path), &ra), (side(&hb, &lb.path), &rb));
    if let Some(out) = out {
        compare::write_report(out, &c, &ra, &rb, &interrupted)?;
    }
    print(&match run.format {
        Format::Text => compare::to_text(&c),
        Format::Json => json_text(&c),
    })?;
    Ok(0)
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

/// Loads a menu that must be valid: diagnostics go to stderr, errors become
/// [`Error::InvalidMenu`].
pub fn load_valid(path: &Path, limits: &LimitArgs) -> Result<(Loaded, crate::Hotline), Error> {
    let mut loaded = menu::load(path, &limits.options())?;
    if !loaded.diagnostics.is_empty() {
        eprint!("{}", crate::escape::terminal(&loaded.render()));
    }
    match loaded.hotline.take() {
        Some(h) => Ok((loaded, h)),
        None => Err(Error::InvalidMenu {
            path: loaded.path.clone(),
            count: loaded.diagnostics.iter().filter(|d| d.is_error()).count(),
        }),
    }
}

fn check(a: &CheckArgs) -> Result<i32, Error> {
    let options = a.limits.options();
    let mut files = Vec::new();
    let mut text = String::new();
    let mut any_error = false;
    let mut unreadable = false;
    for path in &a.menus {
        match menu::load(path, &options) {
            Ok(loaded) => {
                let errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
                let warnings = loaded.diagnostics.len() - errors;
                any_error |= errors > 0;
                if a.format == Format::Text {
                    if !loaded.diagnostics.is_empty() {
                        text.push_str(&loaded.render());
                        text.push('\n');
                    }
                    let verdict = if errors > 0 { "FAILED" } else { "ok" };
                    text.push_str(&format!(
                        "{}: {verdict} ({errors} error(s), {warnings} warning(s))\n",
                        loaded.path
                    ));
                }
                files.push(json!({
                    "path": loaded.path,
                    "ok": errors == 0,
                    "diagnostics": loaded.diagnostics,
                }));
            }
            Err(e) => {
                eprintln!("hotline: {}", crate::escape::terminal(&e.chain()));
                // A file too large is a problem of the input; one that cannot be read is not.
                if e.exit_code() == 1 {
                    any_error = true;
                } else {
                    unreadable = true;
                }
                files.push(
                    json!({ "path": path.display().to_string(), "ok": false, "error": e.chain(), "diagnostics": [] }),
                );
            }
        }
    }
    match a.format {
        Format::Text => print(&text)?,
        Format::Json => print(&(serde_json::to_string_pretty(&json!({ "files": files })).unwrap_or_default() + "\n"))?,
    }
    Ok(if unreadable {
        2
    } else if any_error {
        1
    } else {
        0
    })
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn arguments_are_consistent() {
        super::Cli::command().debug_assert();
    }
}
