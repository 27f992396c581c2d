//! Hostile and broken inputs: each one either works or exits 1 (a problem in
//! the input) or 2 (could not run) with a readable message, quickly, and
//! never panics.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn dir() -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/output/hostile");
    std::fs::create_dir_all(&d).unwrap();
    d
}

use crate::support::hotline;

fn write(name: &str, bytes: &[u8]) -> String {
    let p = dir().join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_string_lossy().into_owned()
}

fn bank() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("menus/bank.yaml")).unwrap()
}

/// Runs `hotline <cmd> FILE`, checks exit code and that the message (stdout
/// and stderr) contains `fragment`, that it took under 10 s and did not panic.
fn expect(cmd: &[&str], file: &str, code: i32, fragment: &str) {
    let start = Instant::now();
    let mut args: Vec<&str> = cmd.to_vec();
    args.push(file);
    let out = hotline(&args);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{file}: took {:?}",
        start.elapsed()
    );
    assert!(
        !text.contains("panicked") && !text.contains("RUST_BACKTRACE"),
        "{file}: panic\n{text}"
    );
    assert_eq!(out.status.code(), Some(code), "{file}: {text}");
    assert!(text.contains(fragment), "{file}: {fragment:?} not in\n{text}");
}

#[test]
fn hostile_yaml_documents() {
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 0..9 {
        let prev = if i == 0 { "a".to_string() } else { format!("l{}", i - 1) };
        bomb.push_str(&format!("l{i}: &l{i} [{}]\n", vec![format!("*{prev}"); 10].join(", ")));
    }
    let check = ["check"];
    expect(&check, &write("bomb.yaml", bomb.as_bytes()), 1, "alias bomb");
    let deep = format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    expect(&check, &write("deep.yaml", deep.as_bytes()), 1, "recursion limit");
    let deep_map = (0..100_000)
        .map(|i| format!("{}k:", " ".repeat(i % 200)))
        .collect::<Vec<_>>()
        .join("\n");
    expect(&check, &write("deep_map.yaml", deep_map.as_bytes()), 1, "error[");
    let mut junk = Vec::with_capacity(50 << 20);
    let mut x: u64 = 1;
    while junk.len() < 50 << 20 {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        junk.extend_from_slice(&x.to_le_bytes());
    }
    expect(&check, &write("junk.yaml", &junk), 1, "above the limit");
    expect(
        &check,
        &write("binary.yaml", b"\x00\x01\x02\xff hotline"),
        1,
        "not UTF-8",
    );
    expect(&check, &write("nul.yaml", b"hotline: a\x00b\n"), 1, "error[");
    expect(
        &check,
        &write("latin1.yaml", b"hotline: caf\xe9\n"),
        1,
        "latin1.yaml:1:13: error[not-utf8]",
    );
    let mut bom = "\u{feff}".as_bytes().to_vec();
    bom.extend(bank().as_bytes());
    expect(&check, &write("bom.yaml", &bom), 0, "ok (0 error(s)");
    expect(
        &check,
        &write("crlf.yaml", bank().replace('\n', "\r\n").as_bytes()),
        0,
        "ok (0 error(s)",
    );
    expect(
        &check,
        &write(
            "tabs.yaml",
            bank().replacen("    kind: prompt", "\tkind: prompt", 1).as_bytes(),
        ),
        1,
        "tabs",
    );
    expect(
        &check,
        &write(
            "dup.yaml",
            bank()
                .replacen("    duration: 9s\n", "    duration: 9s\n    duration: 8s\n", 1)
                .as_bytes(),
        ),
        1,
        "duplicate-key",
    );
    expect(
        &check,
        &write(
            "wrong_type.yaml",
            bank().replacen("retries: 2", "retries: [1, 2]", 1).as_bytes(),
        ),
        1,
        "expected a whole number, found sequence",
    );
    expect(
        &check,
        &write(
            "huge_seats.yaml",
            bank()
                .replacen("seats: 25", "seats: 99999999999999999999", 1)
                .as_bytes(),
        ),
        1,
        "expected a whole number",
    );
    expect(
        &check,
        &write(
            "many_seats.yaml",
            bank().replacen("seats: 25", "seats: 4000000000", 1).as_bytes(),
        ),
        1,
        "seats must be from 0 to 100000",
    );
    expect(
        &check,
        &write(
            "huge_rate.yaml",
            bank().replacen("arrivals: 300/h", "arrivals: 1e308/s", 1).as_bytes(),
        ),
        1,
        "above a million per second",
    );
    expect(
        &check,
        &write("nan.yaml", bank().replacen("share: 0.35", "share: .nan", 1).as_bytes()),
        1,
        "non-finite",
    );
    expect(
        &check,
        &write(
            "inf.yaml",
            bank().replacen("resolves: 0.8", "resolves: .inf", 1).as_bytes(),
        ),
        1,
        "non-finite",
    );
    expect(
        &check,
        &write(
            "neg.yaml",
            bank().replacen("duration: 9s", "duration: -9s", 1).as_bytes(),
        ),
        1,
        "is negative",
    );
    expect(&check, &write("empty.yaml", b""), 1, "the file is empty");
    expect(&check, &write("list.yaml", b"- a\n- b\n"), 1, "must be a mapping");
    expect(&check, &write("scalar.yaml", b"just text\n"), 1, "must be a mapping");
    expect(
        &check,
        &write("two_docs.yaml", format!("{}---\n{}", bank(), bank()).as_bytes()),
        1,
        "error[",
    );
    let long_line = format!("hotline: {}\n", "x".repeat(2_000_000));
    expect(
        &check,
        &write("long_line.yaml", long_line.as_bytes()),
        1,
        "missing required key",
    );
    // The same files through the other commands.
    for cmd in [["analyze"], ["graph"], ["simulate"]] {
        expect(&cmd, &write("bomb2.yaml", bomb.as_bytes()), 1, "alias bomb");
        expect(&cmd, &write("latin2.yaml", b"hotline: caf\xe9\n"), 1, "not-utf8");
    }
}

#[test]
fn paths_that_are_not_menu_files() {
    expect(&["check"], "menus", 2, "is a directory");
    expect(&["simulate"], "menus/none.yaml", 2, "cannot read");
    // A report folder that cannot be created (its parent is a file): exit 2, nothing written.
    let blocker = write("blocker.txt", b"not a folder");
    let target = format!("{blocker}/report");
    let out = hotline(&[
        "simulate",
        "menus/bank.yaml",
        "--replications",
        "2",
        "--quiet",
        "--report",
        &target,
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write"));
    assert_eq!(std::fs::read_to_string(&blocker).unwrap(), "not a folder");
    let fifo = dir().join("fifo.yaml");
    let _ = std::fs::remove_file(&fifo);
    if Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success()) {
        expect(&["check"], fifo.to_str().unwrap(), 2, "not a regular file");
    }
}

/// A menu around one queue, for the simulation cases.
fn sim_menu(name: &str, body: &str) -> String {
    write(name, body.as_bytes())
}

#[test]
fn simulations_that_could_run_for_ever_are_bounded_or_refused() {
    let sim = ["simulate", "--quiet"];
    let zero_cycle = sim_menu(
        "zero_cycle.yaml",
        "hotline: Z\nentry: a\nnodes:\n  a: { kind: prompt, next: b }\n  b: { kind: prompt, next: a }\n  q: { kind: queue, pool: d }\n\
         agents:\n  d: { seats: 2, handle_time: exp(mean=3m) }\ncallers:\n  arrivals: 60/h\nsimulation: { duration: 1h, replications: 2 }\n",
    );
    expect(&sim, &zero_cycle, 0, "passed through more than 10000 menu nodes");
    let bot_loop = sim_menu(
        "bot_loop.yaml",
        "hotline: B\nentry: bot\nnodes:\n  bot:\n    kind: speech\n    understood: 0\n    on_misunderstood: menu\n    intents:\n      agent: { to: q }\n\
         \x20 menu:\n    kind: menu\n    options:\n      \"1\": { to: bot }\n  q: { kind: queue, pool: d }\n\
         agents:\n  d: { seats: 2, handle_time: exp(mean=3m) }\ncallers:\n  arrivals: 60/h\nsimulation: { duration: 1h, replications: 2 }\n",
    );
    expect(&sim, &bot_loop, 0, "passed through more than 10000 menu nodes");
    let callbacks = sim_menu(
        "callback_loop.yaml",
        "hotline: C\nentry: app\nnodes:\n  app: { kind: online, calls_back: { share: 1, after: 1m } }\n  q: { kind: queue, pool: d }\n\
         agents:\n  d: { seats: 2, handle_time: exp(mean=3m) }\ncallers:\n  arrivals: 60/h\nsimulation: { duration: 1h, replications: 2 }\n",
    );
    expect(&sim, &callbacks, 0, "called more than 100 times");
    let no_seats = sim_menu(
        "no_seats.yaml",
        "hotline: S\nentry: q\nnodes:\n  q: { kind: queue, pool: d }\nagents:\n  d: { seats: 0, handle_time: exp(mean=3m) }\ncallers:\n  arrivals: 60/h\n",
    );
    expect(&sim, &no_seats, 1, "they would wait forever");
    let overload = sim_menu(
        "overload.yaml",
        "hotline: O\nentry: q\nnodes:\n  q: { kind: queue, pool: d }\nagents:\n  d: { seats: 1, handle_time: exp(mean=10m) }\ncallers:\n  arrivals: 100000/h\n\
         simulation: { duration: 8h, replications: 2 }\n",
    );
    expect(
        &["simulate", "--quiet", "--max-in-system", "100000"],
        &overload,
        1,
        "grow without bound",
    );
    let zero_rate = sim_menu(
        "zero_rate.yaml",
        "hotline: R\nentry: q\nnodes:\n  q: { kind: queue, pool: d }\nagents:\n  d: { seats: 1, handle_time: exp(mean=10m) }\ncallers:\n  arrivals: [ { from: \"00:00\", rate: 0/h } ]\n",
    );
    expect(&sim, &zero_rate, 1, "no caller would call");
    let no_callers = sim_menu(
        "no_callers.yaml",
        "hotline: N\nentry: q\nnodes:\n  q: { kind: queue, pool: d }\nagents:\n  d: { seats: 1, handle_time: exp(mean=10m) }\n",
    );
    expect(&sim, &no_callers, 1, "no \"callers\" section");
    expect(
        &["simulate", "--quiet", "--replications", "0"],
        &no_callers,
        2,
        "1..=1000000",
    );
    expect(
        &["simulate", "--quiet", "--replications", "-3"],
        &no_callers,
        2,
        "error",
    );
    let reps = sim_menu(
        "many_reps.yaml",
        "hotline: M\nentry: q\nnodes:\n  q: { kind: queue, pool: d }\nagents:\n  d: { seats: 1, handle_time: exp(mean=1m) }\ncallers:\n  arrivals: 1/h\nsimulation: { replications: 5000000 }\n",
    );
    expect(&["check"], &reps, 1, "replications must be from 1 to 1000000");
}

/// Runs hotline, sends SIGINT after `after_ms`; returns its output and how
/// long it took to stop after the signal.
fn interrupted(args: &[&str], after_ms: u64) -> (Output, Duration) {
    let child = Command::new(env!("CARGO_BIN_EXE_hotline"))
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(after_ms));
    let signalled = Instant::now();
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    (out, signalled.elapsed())
}

#[test]
fn ctrl_c_leaves_no_report_behind() {
    let menu = write(
        "long.yaml",
        b"hotline: L\nentry: q\nnodes:\n  q: { kind: queue, pool: d }\nagents:\n  d: { seats: 10, handle_time: exp(mean=1m) }\n\
callers:\n  arrivals: 9.5/m\n  patience: exp(mean=2m)\nsimulation: { duration: 8000h, replications: 400 }\n",
    );
    let report = dir().join("interrupted_report");
    let _ = std::fs::remove_dir_all(&report);
    let (out, _) = interrupted(
        &["simulate", &menu, "--quiet", "--report", report.to_str().unwrap()],
        1500,
    );
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("interrupted"));
    assert!(!report.exists(), "no report folder is left behind");
}

/// Zero-time loops through queues (a busy message to its own queue, two
/// queues deflecting to each other, `max_wait: 0` back into the queue)
/// end every call after 10,000 nodes, are found by the analysis, and do not
/// grow memory.
#[test]
fn zero_time_loops_through_queues_end() {
    let tail = "callers: { arrivals: 60/h }\nsimulation: { duration: 2h, replications: 4 }\n";
    let cases = [
        (
            "self_busy.yaml",
            "  q: { kind: queue, pool: d, busy: { when: { queue_length: 1 }, to: q } }\n",
            "\"q\"",
        ),
        (
            "max_wait_zero.yaml",
            "  q: { kind: queue, pool: d, max_wait: 0, on_max_wait: q }\n",
            "\"q\"",
        ),
        (
            "ping_pong.yaml",
            "  q: { kind: queue, pool: d, busy: { when: { expected_wait: 0s }, to: r } }\n  r: { kind: queue, pool: e, busy: { when: { expected_wait: 0s }, to: q } }\n",
            "\"q\", \"r\"",
        ),
    ];
    for (name, nodes, ids) in cases {
        let menu = sim_menu(
            name,
            &format!(
                "hotline: Z\nentry: q\nnodes:\n{nodes}agents:\n  d: {{ seats: 1, handle_time: exp(mean=5m) }}\n  e: {{ seats: 1, handle_time: exp(mean=5m) }}\n{tail}"
            ),
        );
        expect(
            &["simulate", "--quiet"],
            &menu,
            0,
            "passed through more than 10000 menu nodes",
        );
        expect(
            &["analyze"],
            &menu,
            0,
            &format!("zero-time-loop]: node \"q\": callers can go round {ids}"),
        );
    }
}

/// Flags out of range are refused at once.
#[test]
fn flags_out_of_range_are_refused() {
    let bank = Path::new(env!("CARGO_MANIFEST_DIR")).join("menus/bank.yaml");
    let bank = bank.to_str().unwrap();
    expect(&["simulate", "--replications", "4000000000"], bank, 2, "1..=1000000");
    expect(&["simulate", "--threads", "1000000"], bank, 2, "at most 1024 threads");
    expect(&["bench", "--replications", "0"], bank, 2, "1..=1000000");
}

/// A run that simulates nothing says so.
#[test]
fn a_run_without_callers_says_so() {
    let menu = sim_menu(
        "tiny_rate.yaml",
        "hotline: T\nentry: q\nnodes:\n  q: { kind: queue, pool: d }\nagents:\n  d: { seats: 1, handle_time: exp(mean=1m) }\n\
         callers:\n  arrivals: 1e-12/h\nsimulation: { duration: 1h, replications: 3 }\n",
    );
    expect(
        &["simulate", "--quiet"],
        &menu,
        0,
        "no caller arrived in the measured period",
    );
    expect(
        &["simulate", "--quiet", "--format", "json"],
        &menu,
        0,
        "hotline: warning: no caller arrived",
    );
}

/// Ctrl-C stops a single long replication within moments, and a long run
/// announces its size in the log even when standard error is not a terminal.
#[test]
fn ctrl_c_stops_one_long_replication() {
    let menu = write(
        "one_long.yaml",
        b"hotline: L\nentry: q\nnodes:\n  q: { kind: queue, pool: d }\nagents:\n  d: { seats: 10, handle_time: exp(mean=1m) }\n\
callers:\n  arrivals: 9.5/m\n  patience: exp(mean=2m)\nsimulation: { duration: 800000h, replications: 1 }\n",
    );
    let (out, took) = interrupted(&["simulate", &menu], 1000);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("interrupted"), "{err}");
    assert!(err.contains("callers to simulate"), "the size is in the log: {err}");
    assert!(took < Duration::from_secs(5), "stopped {took:?} after Ctrl-C");
}

#[test]
fn a_large_staffing_search_says_its_cost_and_stops_on_a_signal() {
    // 20,000 calls an hour: the search announces what a round costs, and
    // Ctrl-C stops it within a couple of seconds (never a timing of the
    // search itself: only of the stop).
    let menu = write(
        "big_staff.yaml",
        b"hotline: Big\nentry: q\nnodes:\n  q: { kind: queue, pool: d }\nagents:\n  d: { seats: 10, handle_time: exp(mean=5m) }\n\
callers:\n  arrivals: 20000/h\n  patience: exp(mean=3m)\n",
    );
    let (out, took) = interrupted(&["staff", &menu, "--target", "mean_wait <= 0s"], 1500);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("callers a search round"), "{err}");
    assert!(err.contains("interrupted"), "{err}");
    assert!(took < Duration::from_secs(5), "stopped {took:?} after the signal");
}
