//! The command line: arguments, and what each command prints.
//!
//! `src/main.rs` only parses the arguments and calls [`run`]; everything a
//! command does lives in the library so the tests can drive it. Each
//! command is one file below `cli/` (its arguments and an `exec`); this one
//! holds what they share: the argument types, limits, output and loading.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};

mod analyze;
mod backtest;
mod bench;
mod call;
mod check;
mod compare;
mod comply;
mod fit;
mod graph;
mod import;
mod lsp;
mod merge;
mod paths;
mod rules;
mod schema;
mod shell;
mod simulate;
mod staff;
mod survey;
mod sweep;

pub use analyze::AnalyzeArgs;
pub use backtest::BacktestArgs;
pub use bench::BenchArgs;
pub use call::CallArgs;
pub use check::CheckArgs;
pub use compare::CompareArgs;
pub use comply::ComplyArgs;
pub use fit::FitArgs;
pub use graph::{GraphArgs, GraphFormat};
pub use import::ImportArgs;
pub use merge::MergeArgs;
pub use paths::{PathsArgs, PathsFormat};
pub use shell::{CompletionsArgs, ManArgs};
pub use simulate::SimulateArgs;
pub use staff::StaffArgs;
pub use survey::{SurveyArgs, SurveyFormat};
pub use sweep::{SweepArgs, SweepFormat};

use crate::analysis::rules::RuleSet;
use crate::error::Error;
use crate::input::Loaded;
use crate::menu::LoadOptions;
use crate::menu::yaml::Limits;

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
    /// Combine the partial files of a run split into shards (simulate --shard K/N --partial FILE).
    Merge(MergeArgs),
    /// Two designs side by side, simulated with the same seeds (paired).
    Compare(CompareArgs),
    /// Callers simulated per second on one thread: the Erlang-A reference and a menu.
    Bench(BenchArgs),
    /// Draw the menu as Graphviz DOT or a Mermaid flowchart.
    Graph(GraphArgs),
    /// Write vendor flows (Amazon Connect, Twilio Studio, Genesys Archy YAML, VoiceXML) as a hotline menu.
    Import(ImportArgs),
    /// A regulator's table over every menu under a folder.
    Survey(SurveyArgs),
    /// A verdict per rule of a jurisdiction's pack (spain, miit, eu, us-cable, gethuman), with its evidence.
    Comply(ComplyArgs),
    /// The menu simulated over the records' days and compared with them, interval by interval.
    Backtest(BacktestArgs),
    /// A caller model from call records (Asterisk queue_log, Amazon Connect contact records, CSV): arrivals, handle times, patience.
    Fit(FitArgs),
    /// The fewest seats per pool and interval meeting every target (--target "service_level(20s) >= 80%").
    Staff(StaffArgs),
    /// A grid over menu values (--set PATH=VALUES), each point simulated with the same seeds.
    Sweep(SweepArgs),
    /// Every route from the entry as a test case: input, prompts, seconds, probability, outcome.
    Paths(PathsArgs),
    /// Walk the menu as a caller, in the terminal or with --keys, and hear the wait to expect.
    Call(CallArgs),
    /// List every rule: id, default severity and threshold, source.
    Rules(FormatArgs),
    /// Print the JSON Schema of the menu format.
    Schema,
    /// Print the shell's completions (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
    /// Write the manual pages (hotline.1 and one per command).
    Man(ManArgs),
    /// A Language Server on standard input/output for editors: diagnostics, definitions, hover, completion.
    Lsp,
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

pub(crate) fn at_least_one(text: &str) -> Result<usize, String> {
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

/// An interval of the day for `--interval`: a duration from a minute to
/// a day.
pub(crate) fn parse_interval(text: &str) -> Result<f64, String> {
    let secs = crate::menu::value::Duration::parse(text).map(|d| d.secs())?;
    if (60.0..=86400.0).contains(&secs) {
        Ok(secs)
    } else {
        Err(format!("\"{text}\" is not an interval from 1m to 24h"))
    }
}

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// For scripts.
    Json,
}

/// Loader options: an overlay, and limits a user may need to raise.
#[derive(Clone, Debug, Args)]
pub struct LimitArgs {
    /// An overlay laid over the menu (the menu's syntax, keyed by node id
    /// and pool name): caller shares, seats, handle times and arrivals a
    /// vendor flow does not give.
    #[arg(long = "with", value_name = "OVERLAY.yaml")]
    pub with: Option<PathBuf>,
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
    /// The overlay file, read and parsed (with its name), when there is one.
    pub(crate) fn overlay(&self) -> Result<Option<crate::input::Overlay>, Error> {
        self.with
            .as_deref()
            .map(|p| crate::input::Overlay::read(p, &self.options()))
            .transpose()
    }

    pub(crate) fn options(&self) -> LoadOptions {
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

/// Examples at the end of each command's `--help`: real commands that
/// run from the repository's root.
const EXAMPLES: &[(&str, &str)] = &[
    (
        "check",
        "hotline check menus/*.yaml
  hotline check menus/bad/bad_duration.yaml --format json
  hotline check tests/data/flows/connect_main.json",
    ),
    (
        "analyze",
        "hotline analyze menus/bank.yaml
  hotline analyze menus/mobile_operator_zh.yaml --format json",
    ),
    (
        "simulate",
        "hotline simulate menus/bank.yaml --report reports/bank
  hotline simulate menus/bank.yaml --replications 100 --seed 7 --format json
  hotline simulate tests/fit/known.yaml --log calls.csv",
    ),
    (
        "merge",
        "hotline simulate menus/bank.yaml --shard 0/2 --partial p0.json
  hotline simulate menus/bank.yaml --shard 1/2 --partial p1.json
  hotline merge p0.json p1.json --report reports/bank",
    ),
    (
        "compare",
        "hotline compare menus/bank.yaml menus/well_designed.yaml
  hotline compare menus/ecommerce.yaml menus/ecommerce_chat.yaml --format json",
    ),
    (
        "bench",
        "hotline bench
  hotline bench menus/utility.yaml --replications 100",
    ),
    (
        "graph",
        "hotline graph menus/bank.yaml --format dot | dot -Tsvg > bank.svg
  hotline graph menus/mobile_operator_zh.yaml --format mermaid",
    ),
    (
        "import",
        "hotline import tests/data/flows/connect_main.json
  hotline import tests/data/flows/twilio_ivr.json -o twilio.yaml",
    ),
    (
        "survey",
        "hotline survey menus --max-depth 1
  hotline survey menus --max-depth 1 --format csv",
    ),
    (
        "comply",
        "hotline comply menus/bank.yaml --rules spain
  hotline comply menus/mobile_operator_zh.yaml --rules miit,eu --format json",
    ),
    (
        "backtest",
        "hotline fit calls.csv --write fitted.yaml
  hotline backtest tests/fit/known.yaml calls.csv --with fitted.yaml
  hotline backtest tests/fit/known.yaml calls.csv --with fitted.yaml --format json --report reports/backtest",
    ),
    (
        "fit",
        "hotline simulate tests/fit/known.yaml --log calls.csv -q
  hotline fit calls.csv --write fitted.yaml
  hotline fit tests/records/queue_log tests/records/contacts.jsonl --interval 15m --format json",
    ),
    (
        "staff",
        "hotline staff examples/canon.yaml --target \"service_level(20s) >= 80%\"
  hotline staff tests/data/day_profile.yaml --target \"p_abandon <= 5%\" --report reports/staff",
    ),
    (
        "sweep",
        "hotline sweep menus/bank.yaml --set agents.general.seats=8..14
  hotline sweep menus/bank.yaml --set agents.general.seats=8..14/2 --format csv",
    ),
    (
        "paths",
        "hotline paths menus/bank.yaml --limit 5
  hotline paths menus/bank.yaml --format markdown",
    ),
    (
        "call",
        "hotline call menus/bank.yaml
  hotline call menus/bank.yaml --keys \"1 0\"",
    ),
    (
        "rules",
        "hotline rules
  hotline rules --format json",
    ),
    ("schema", "hotline schema > schema/hotline.schema.json"),
    (
        "completions",
        "hotline completions bash > ~/.local/share/bash-completion/completions/hotline
  hotline completions zsh > ~/.zfunc/_hotline
  hotline completions fish > ~/.config/fish/completions/hotline.fish",
    ),
    (
        "man",
        "hotline man | man -l -
  mkdir -p man && hotline man man",
    ),
    (
        "lsp",
        "hotline lsp
  nvim --clean --cmd 'autocmd FileType yaml lua vim.lsp.start({name = \"hotline\", cmd = {\"hotline\", \"lsp\"}})' menus/bank.yaml",
    ),
];

/// The command line's definition, with the examples added to each
/// command's help.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    let mut cmd = Cli::command();
    for (name, text) in EXAMPLES {
        cmd = cmd.mut_subcommand(*name, |c| c.after_help(format!("Examples:\n  {text}")));
    }
    cmd
}

/// Parses the process's arguments (with the examples in the help).
pub fn parse() -> Result<Cli, clap::Error> {
    use clap::FromArgMatches;
    let matches = command().try_get_matches()?;
    Cli::from_arg_matches(&matches)
}

/// What every command runs with, resolved once from the process: the
/// cancellation token that Ctrl-C sets. The handler is installed the first
/// time a command asks for the token, so commands that never run long keep
/// Ctrl-C's default (the process ends).
#[derive(Default)]
pub struct Context {
    cancel: std::sync::OnceLock<crate::cancel::Cancel>,
}

impl Context {
    /// The run's cancellation token (Ctrl-C sets it).
    pub fn cancel(&self) -> crate::cancel::Cancel {
        self.cancel
            .get_or_init(|| {
                let token = crate::cancel::Cancel::new();
                let set = token.clone();
                // Without a handler (another one is installed) Ctrl-C just ends the process.
                let _ = ctrlc::set_handler(move || set.cancel());
                token
            })
            .clone()
    }

    /// Whether Ctrl-C has asked the run to stop.
    pub fn interrupted(&self) -> bool {
        self.cancel.get().is_some_and(crate::cancel::Cancel::is_cancelled)
    }

    /// A simulation error as the command's error: interrupted, or the menu
    /// at `path` cannot be simulated.
    pub fn sim_error(path: &str) -> impl Fn(crate::sim::SimError) -> Error + '_ {
        move |e| match e {
            crate::sim::SimError::Interrupted => Error::Interrupted,
            crate::sim::SimError::Failed(message) => Error::Unusable {
                path: path.into(),
                message,
            },
        }
    }
}

/// Runs a command; returns the exit code (0 clean, 1 input problems).
pub fn run(cli: Cli) -> Result<i32, Error> {
    let ctx = Context::default();
    match cli.command {
        Command::Check(a) => check::exec(&a),
        Command::Analyze(a) => analyze::exec(&a),
        Command::Simulate(a) => simulate::exec(&a, &ctx),
        Command::Compare(a) => compare::exec(&a, &ctx),
        Command::Merge(a) => merge::exec(&a, &ctx),
        Command::Bench(a) => bench::exec(&a),
        Command::Survey(a) => survey::exec(&a),
        Command::Graph(a) => graph::exec(&a),
        Command::Import(a) => import::exec(&a),
        Command::Paths(a) => paths::exec(&a),
        Command::Sweep(a) => sweep::exec(&a, &ctx),
        Command::Staff(a) => staff::exec(&a, &ctx),
        Command::Comply(a) => comply::exec(&a, &ctx),
        Command::Call(a) => call::exec(&a),
        Command::Rules(a) => rules::exec(&a),
        Command::Schema => schema::exec(),
        Command::Completions(a) => shell::completions(&a),
        Command::Man(a) => shell::man(&a),
        Command::Lsp => lsp::exec(),
        Command::Fit(a) => fit::exec(&a),
        Command::Backtest(a) => backtest::exec(&a, &ctx),
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

/// The index of the named segment (`--segment`), or a clear error naming
/// the closest one.
pub(crate) fn segment_index(h: &crate::menu::Hotline, name: Option<&str>, path: &str) -> Result<Option<usize>, Error> {
    let Some(s) = name else { return Ok(None) };
    let names = h.segment_names();
    names
        .iter()
        .position(|n| *n == s)
        .map(Some)
        .ok_or_else(|| Error::Unusable {
            path: path.into(),
            message: format!(
                "--segment {s}: no segment has that name{}",
                crate::menu::yaml::hint(s, crate::menu::yaml::closest(s, names.iter().copied()))
            ),
        })
}

/// Loads a menu that must be valid: diagnostics go to stderr, errors become
/// [`Error::InvalidMenu`].
pub fn load_valid(path: &Path, limits: &LimitArgs) -> Result<(Loaded, crate::menu::Hotline), Error> {
    let overlay = limits.overlay()?;
    let mut loaded = crate::input::load_with(path, overlay.as_ref(), &limits.options())?;
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

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn arguments_are_consistent() {
        super::Cli::command().debug_assert();
    }
}
