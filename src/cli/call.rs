//! `hotline call`: walk the menu as a caller, in the terminal or from a
//! script of keys, and hear what wait to expect at the queue.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use clap::Args;

use super::{LimitArgs, load_valid};
use crate::designer::call::{CallOptions, Ending, Input, Lines, Say, Script, walk};
use crate::error::Error;
use crate::menu::Hotline;
use crate::menu::value::Clock;

/// `hotline call`.
#[derive(Debug, Args)]
pub struct CallArgs {
    /// The menu file.
    #[arg(value_name = "MENU")]
    pub menu: PathBuf,
    /// The caller's input instead of the terminal: keys, requests (a
    /// request is an intent's name or label), y/n at self-service, `-` for
    /// silence, separated by spaces.
    #[arg(long, value_name = "KEYS", allow_hyphen_values = true)]
    pub keys: Option<String>,
    /// Time of day of the call (branch hours, and the wait at the queue);
    /// default: the menu's simulation start.
    #[arg(long, value_name = "HH:MM", value_parser = clock)]
    pub at: Option<Clock>,
    /// The caller's segment (branch cases).
    #[arg(long, value_name = "SEGMENT")]
    pub segment: Option<String>,
    /// Start at `online_entry`, as a customer who starts online.
    #[arg(long)]
    pub online: bool,
    /// Every request is understood (no misrecognition drawn).
    #[arg(long)]
    pub perfect: bool,
    /// Seed of the misrecognition draws.
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
    /// Replications of the quick simulation that estimates the wait.
    #[arg(long, default_value_t = 20, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=10_000))]
    pub replications: u32,
    /// Read prompts aloud with espeak-ng (when it is installed).
    #[arg(long)]
    pub speak: bool,
    /// On a terminal, wait for input as long as it takes (by default a
    /// menu's timeout passes in real time and counts as silence).
    #[arg(long)]
    pub no_timeout: bool,
    /// Loader limits.
    #[command(flatten)]
    pub limits: LimitArgs,
}

fn clock(text: &str) -> Result<Clock, String> {
    Clock::parse(text)
}

/// Input typed at the terminal (or piped), one line per key or request,
/// read by a thread of its own so that a menu's timeout can pass in real
/// time.
struct Typed {
    lines: std::sync::mpsc::Receiver<Option<String>>,
    /// Whether timeouts pass in real time.
    timed: bool,
}

impl Typed {
    fn new(timed: bool) -> Typed {
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let stdin = std::io::stdin();
            loop {
                let mut line = String::new();
                let got = match stdin.lock().read_line(&mut line) {
                    Ok(0) | Err(_) => None,
                    Ok(_) => Some(line.trim_end_matches(['\n', '\r']).to_string()),
                };
                let end = got.is_none();
                if tx.send(got).is_err() || end {
                    break;
                }
            }
        });
        Typed { lines, timed }
    }
}

impl Input for Typed {
    fn next(&mut self, ask: &str, timeout: Option<f64>) -> Option<String> {
        let mut out = std::io::stdout().lock();
        out.write_all(ask.as_bytes()).ok();
        out.flush().ok();
        drop(out);
        match timeout.filter(|_| self.timed) {
            Some(secs) => match self
                .lines
                .recv_timeout(std::time::Duration::from_secs_f64(secs.clamp(0.1, 3600.0)))
            {
                Ok(line) => line,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    println!();
                    Some(String::new())
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => None,
            },
            None => self.lines.recv().ok().flatten(),
        }
    }
}

/// Prompts shown, and read aloud by espeak-ng.
struct Spoken<S: Say> {
    inner: S,
    espeak: PathBuf,
}

impl<S: Say> Say for Spoken<S> {
    fn heard(&mut self, elapsed: f64, text: &str) {
        self.inner.heard(elapsed, text);
        let cjk = text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        let mut cmd = std::process::Command::new(&self.espeak);
        if cjk {
            cmd.args(["-v", "cmn"]);
        }
        cmd.arg(text)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        cmd.status().ok();
    }

    fn note(&mut self, text: &str) {
        self.inner.note(text);
    }
}

/// A program on the PATH.
fn find_program(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

/// Runs `hotline call`.
pub fn exec(a: &CallArgs) -> Result<i32, Error> {
    let (loaded, h) = load_valid(&a.menu, &a.limits)?;
    let unusable = |message: String| Error::Unusable {
        path: loaded.path.clone(),
        message,
    };
    let segment = super::segment_index(&h, a.segment.as_deref(), &loaded.path)?;
    let start = if a.online {
        h.online_entry
            .ok_or_else(|| unusable("--online: the menu has no online_entry".into()))?
    } else {
        h.entry
    };
    let at = a.at.unwrap_or(h.simulation.start);
    let o = CallOptions {
        at: at.secs(),
        segment,
        perfect: a.perfect,
        seed: a.seed,
        ..CallOptions::default()
    };
    let mut lines = Lines(std::io::stdout());
    lines.note(&format!(
        "calling {} at {at}{}",
        h.name,
        if a.perfect { " (every request understood)" } else { "" }
    ));
    let espeak = if a.speak { find_program("espeak-ng") } else { None };
    if a.speak && espeak.is_none() {
        lines.note("espeak-ng is not installed: prompts are shown, not spoken (apt-get install espeak-ng)");
    }
    let mut say: Box<dyn Say> = match espeak {
        Some(espeak) => Box::new(Spoken { inner: lines, espeak }),
        None => Box::new(lines),
    };
    let mut input: Box<dyn Input> = match &a.keys {
        Some(k) => Box::new(Script::new(k)),
        None => Box::new(Typed::new(!a.no_timeout && std::io::stdin().is_terminal())),
    };
    let ending = walk(&h, start, &o, input.as_mut(), say.as_mut());
    match ending {
        Ending::Queue(q, t) => say.note(&expected_wait(&h, &loaded.path, q, o.at + t, a.replications)),
        Ending::NoInput => say.note("no more input: the walk stops here"),
        _ => {}
    }
    Ok(0)
}

/// The wait to expect in queue `q` when joining at `secs_of_day`, from a
/// quick simulation of the hour that follows (after an hour of warm-up).
fn expected_wait(
    h: &Hotline,
    path: &str,
    q: petgraph::graph::NodeIndex,
    secs_of_day: f64,
    replications: u32,
) -> String {
    let id = &h.at(q).id;
    if replications == 0 {
        return "no wait estimate (--replications 0)".into();
    }
    if h.callers.is_none() {
        return format!("{path} has no caller model (callers.arrivals): the wait in {id} cannot be estimated");
    }
    let mut quick = h.clone();
    let start = Clock((secs_of_day.rem_euclid(86400.0) / 60.0).floor() as u32 * 60);
    quick.simulation.start = start;
    quick.simulation.warmup = 3600.0;
    quick.simulation.duration = 3600.0;
    let mut so = crate::sim::SimOptions::from_menu(&quick);
    so.replications = replications;
    match crate::sim::simulate(&quick, &so, &|_, _, _| {}) {
        Err(e) => format!("the wait could not be estimated: {e}"),
        Ok(r) => {
            let m = &r.queues[id.as_str()];
            match (m.get("mean_wait_s"), m.get("wait_p90_s"), m.get("p_abandon")) {
                (Some(w), Some(p90), Some(ab)) => format!(
                    "expected wait in {} when you join at {start}: {:.0} s on average [{:.0}, {:.0}], 90% of callers under {:.0} s; {:.1}% hang up first (a quick simulation: {replications} replications of the hour from {start})",
                    h.at(q).display(),
                    w.mean,
                    w.ci95[0],
                    w.ci95[1],
                    p90.mean,
                    ab.mean * 100.0
                ),
                _ => format!("no call reached {id} in the quick simulation of the hour from {start}: no wait to show"),
            }
        }
    }
}
