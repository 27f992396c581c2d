//! Hostile files, folders and names (issue 11): time and memory bombs in
//! reading, exports that would break or run, and messages. Each case runs
//! the real binary and checks its exit code, its message and its time.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/output/hostile_files")
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(d: &Path, name: &str, text: &str) -> String {
    let p = d.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

/// Runs hotline; checks that it took under 10 s and did not panic.
fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let start = Instant::now();
    let out: Output = Command::new(env!("CARGO_BIN_EXE_hotline"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let (so, se) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{args:?} took {:?}",
        start.elapsed()
    );
    assert!(!se.contains("panicked"), "{args:?}: {se}");
    (out.status.code(), so, se)
}

const POOL: &str = "agents:\n  d: { seats: 1, handle_time: exp(mean=1m) }\n";

#[test]
fn reading_bombs_take_linear_time() {
    let d = dir("bombs");
    // 1. Thousands of unclosed "(" and a large mapping of them.
    let parens = write(
        &d,
        "parens.yaml",
        &format!("hotline: X\nlist:\n{}", "  - (\n".repeat(4000)),
    );
    assert_eq!(run(&["check", &parens]).0, Some(1));
    let mut big = String::from("hotline: X\nmap:\n");
    for i in 0..60_000 {
        big.push_str(&format!("  k{i}: (\n"));
    }
    let big = write(&d, "big_map.yaml", &big);
    assert_eq!(run(&["check", &big]).0, Some(1));
    // 2. 20,000 unknown targets; a 5,000-character id next to a similar one.
    let mut t = String::from(
        "hotline: X\nentry: m\nnodes:\n  m: { kind: menu, options: { \"1\": { to: q } } }\n  q: { kind: queue, pool: d }\n",
    );
    for i in 0..20_000 {
        t.push_str(&format!("  p{i}: {{ kind: prompt, next: nowhere{i} }}\n"));
    }
    let unknown = write(&d, "unknown.yaml", &(t + POOL));
    let (code, out, err) = run(&["check", &unknown]);
    assert_eq!(code, Some(1));
    assert!(out.len() + err.len() < 20_000_000);
    let long = "x".repeat(1000);
    let similar = write(
        &d,
        "similar.yaml",
        &format!("hotline: X\nentry: \"{long}y\"\nnodes:\n  \"{long}\": {{ kind: queue, pool: d }}\n{POOL}"),
    );
    let (code, out, err) = run(&["check", &similar]);
    assert_eq!(code, Some(1));
    assert!(
        out.len() + err.len() < 5000,
        "the echoed line and message are cut: {} bytes",
        out.len() + err.len()
    );
}

#[test]
fn rules_files_have_the_guards_of_menus() {
    let d = dir("rules");
    let fifo = d.join("rules.fifo");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let (code, _, err) = run(&["analyze", "menus/bank.yaml", "--rules", fifo.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(err.contains("not a regular file"), "{err}");
    let (code, _, err) = run(&["survey", "menus", "--rules", "/dev/zero"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("not a regular file"), "{err}");
}

#[test]
fn survey_does_not_follow_folder_links_and_goes_on_past_unreadable_folders() {
    let d = dir("survey");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("menus/bank.yaml"),
        d.join("bank.yaml"),
    )
    .unwrap();
    std::os::unix::fs::symlink(".", d.join("loop_a")).unwrap();
    std::os::unix::fs::symlink(".", d.join("loop_b")).unwrap();
    std::fs::create_dir_all(d.join("sub")).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("menus/utility.yaml"),
        d.join("sub/utility.yaml"),
    )
    .unwrap();
    let (code, out, _) = run(&["survey", d.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, Some(0));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["rows"].as_array().unwrap().len(), 2, "each menu once: {out}");
    assert_eq!(v["skipped"].as_array().unwrap().len(), 2);
    // An unreadable subfolder is a row with its error (run as an ordinary
    // user: root reads every folder).
    let locked = d.join("locked");
    std::fs::create_dir_all(&locked).unwrap();
    std::fs::write(locked.join("x.yaml"), "hotline: X\n").unwrap();
    std::fs::set_permissions(&locked, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    let as_nobody = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_hotline"))
        .args(["survey", d.to_str().unwrap(), "--format", "json"])
        .output();
    std::fs::set_permissions(&locked, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    if let Some(out) = as_nobody
        .ok()
        .filter(|o| o.status.code() != Some(127) && !o.stdout.is_empty())
    {
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let rows = v["rows"].as_array().unwrap();
        assert!(
            rows.iter().any(|r| r["file"].as_str().unwrap().ends_with("locked")
                && r["error"].as_str().unwrap().contains("cannot read the folder")),
            "{rows:?}"
        );
    }
    // A newline in a file name stays on its row; --max-depth 0 is refused.
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("menus/bank.yaml"),
        d.join("two\nlines.yaml"),
    )
    .unwrap();
    let (_, out, _) = run(&["survey", d.to_str().unwrap(), "--max-depth", "1"]);
    assert!(out.contains("two\\nlines.yaml"), "{out}");
    assert_eq!(run(&["survey", d.to_str().unwrap(), "--max-depth", "0"]).0, Some(2));
}

#[test]
fn large_menus_are_drawn_in_part() {
    let d = dir("plots");
    let mut t = String::from("hotline: Chain\nentry: p0\nnodes:\n");
    for i in 0..20_000 {
        t.push_str(&format!("  p{i}: {{ kind: prompt, next: p{} }}\n", i + 1));
    }
    t.push_str("  p20000: { kind: queue, pool: d }\n");
    for i in 0..20_000 {
        t.push_str(&format!("  h{i}: {{ kind: hangup }}\n"));
    }
    t.push_str(POOL);
    t.push_str("callers:\n  arrivals: 10/h\nsimulation: { duration: 1h, replications: 2 }\n");
    let menu = write(&d, "chain.yaml", &t);
    let report = d.join("report");
    let (code, _, err) = run(&["simulate", &menu, "--quiet", "--report", report.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    let png = std::fs::read(report.join("menu.png")).unwrap();
    let (w, h) = (
        u32::from_be_bytes(png[16..20].try_into().unwrap()),
        u32::from_be_bytes(png[20..24].try_into().unwrap()),
    );
    assert!(w <= 3000 && h <= 3000, "{w} × {h}");
    assert!(
        std::fs::read_to_string(report.join("menu.svg"))
            .unwrap()
            .contains("not drawn")
    );
}

#[test]
fn exports_neither_break_nor_run() {
    let d = dir("exports");
    let menu = write(
        &d,
        "evil.yaml",
        &format!(
            "hotline: \"=HYPERLINK(\\\"http://x\\\") <img src=x onerror=alert(1)> \\u0001 \\u001b[2J \\u202e\"\n\
             description: \"<script>alert(1)</script>\"\nentry: main\nnodes:\n\
             \x20 main: {{ kind: menu, options: {{ \"1\": {{ to: \"=cmd\" }}, \"2\": {{ to: \"a\\r\" }}, \"3\": {{ to: a }} }} }}\n\
             \x20 \"=cmd\": {{ kind: queue, pool: d }}\n  \"a\\r\": {{ kind: hangup }}\n  a: {{ kind: hangup }}\n{POOL}\
             callers:\n  arrivals: 60/h\nsimulation: {{ duration: 1h, replications: 2 }}\n"
        ),
    );
    let report = d.join("report");
    let (code, out, err) = run(&["simulate", &menu, "--report", report.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    // 16. Nothing reaches the terminal raw.
    for text in [&out, &err] {
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{202e}') && !text.contains('\u{1}'),
            "{text:?}"
        );
    }
    assert!(out.contains("\\u{1b}[2J"), "{out}");
    // 12. CSV cells are not formulas.
    let metrics = std::fs::read_to_string(report.join("metrics.csv")).unwrap();
    assert!(metrics.contains("\nqueue,'=cmd,"), "{metrics}");
    assert!(!metrics.contains(",=cmd"));
    // 13. SVG without characters XML forbids.
    for f in ["menu.svg", "wait_cdf.svg", "outcomes.svg"] {
        let svg = std::fs::read_to_string(report.join(f)).unwrap();
        assert!(!svg.chars().any(|c| c < ' ' && !matches!(c, '\t' | '\n' | '\r')), "{f}");
    }
    // 14. Markdown holds no live HTML.
    let md = std::fs::read_to_string(report.join("report.md")).unwrap();
    assert!(!md.contains("<img") && !md.contains("<script"), "{md}");
    assert!(md.contains("&lt;img"));
    // 15. DOT: two ids that differ by a carriage return stay two nodes, and
    // the route colour is one Graphviz knows.
    let (_, dot, _) = run(&["graph", &menu, "--format", "dot"]);
    assert!(dot.contains("\"a\\r\" [") && dot.contains("\"a\" ["), "{dot}");
    assert!(dot.contains("#dd3333"));
    let (_, mermaid, _) = run(&["graph", &menu, "--format", "mermaid"]);
    let front = mermaid.split("---").nth(1).unwrap();
    let loaded = hotline::menu::yaml::parse(front, &Default::default()).expect("the front matter is YAML");
    assert!(loaded.get("title").is_some());
    // Survey CSV: the name cell is not a formula either.
    let (_, csv, _) = run(&["survey", d.to_str().unwrap(), "--format", "csv", "--max-depth", "1"]);
    assert!(csv.contains("\n\"'=HYPERLINK"), "{csv}");
}

#[test]
fn messages_say_what_is_wrong_once_and_plainly() {
    let d = dir("messages");
    // Causes once.
    let (code, _, err) = run(&["check", "no/such/menu.yaml"]);
    assert_eq!(code, Some(2));
    assert_eq!(err.matches("No such file").count(), 1, "{err}");
    // No Rust debug text.
    let mut bomb = String::from("a: &a [x, x, x]\n");
    for i in 0..1100 {
        bomb.push_str(&format!("b{i}: *a\n"));
    }
    let (_, out, _) = run(&["check", &write(&d, "aliases.yaml", &bomb)]);
    assert!(
        out.contains("more than 1,000 aliases") && !out.contains("Aliases {"),
        "{out}"
    );
    // UTF-16 named as such.
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("hotline: X\n".encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let p = d.join("utf16.yaml");
    std::fs::write(&p, utf16).unwrap();
    let (code, out, _) = run(&["check", p.to_str().unwrap()]);
    assert_eq!(code, Some(1));
    assert!(out.contains("UTF-16"), "{out}");
    // A file with old Mac line ends keeps its source line and caret.
    let cr = write(
        &d,
        "cr.yaml",
        "hotline: X\rentry: q\rnodes:\r  q: { kind: queue, pool: dd }\r",
    );
    let (_, out, _) = run(&["check", &cr]);
    assert!(
        out.contains("4 |   q: { kind: queue, pool: dd }") && out.contains('^'),
        "{out}"
    );
    // Keys and ids keep the text they were written as.
    let keys = write(
        &d,
        "keys.yaml",
        &format!(
            "hotline: X\nentry: m\nnodes:\n  m:\n    kind: menu\n    options:\n      00: {{ to: 0x10 }}\n      +4: {{ to: 0x10 }}\n  0x10: {{ kind: queue, pool: d }}\n{POOL}simulation: {{ seed: 18446744073709551615 }}\n"
        ),
    );
    let (_, out, _) = run(&["check", &keys]);
    assert!(
        out.contains("option \"00\" is not a phone key") && out.contains("option \"+4\""),
        "{out}"
    );
    assert!(
        !out.contains("\"16\"") && !out.contains("seed"),
        "0x10 stays 0x10, the seed fits: {out}"
    );
    let complex = write(
        &d,
        "complex.yaml",
        &format!(
            "hotline: X\nentry: q\nnodes:\n  ? [a, b]\n  : {{ kind: hangup }}\n  q: {{ kind: queue, pool: d }}\n{POOL}"
        ),
    );
    assert!(run(&["check", &complex]).1.contains("must be text, not a list"));
    let twice = write(
        &d,
        "twice.yaml",
        "hotline: X\nentry: q\nnodes:\n  q: { kind: queue, pool: d }\nagents:\n  d: { seats: 1, handle_time: \"exp(mean=1m, mean=2m)\" }\n",
    );
    assert!(run(&["check", &twice]).1.contains("mean= is given twice"));
    // Flags.
    let (code, _, err) = run(&["simulate", "menus/bank.yaml", "--seed", "-1"]);
    assert_eq!(code, Some(2));
    assert!(!err.contains("-- -1"), "{err}");
    let (code, _, err) = run(&["check", "menus/bank.yaml", "--max-nesting", "1000000"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("255"), "{err}");
    let (code, _, err) = run(&["bench", "no/such/menu.yaml"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("cannot read no/such/menu.yaml") && !err.contains("Erlang"),
        "{err}"
    );
    // `-` reads standard input.
    let mut child = Command::new(env!("CARGO_BIN_EXE_hotline"))
        .args(["check", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("menus/bank.yaml"))
                .unwrap()
                .as_slice(),
        )
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("standard input: ok"));
}

#[test]
fn split_distributions_are_rejoined_with_a_warning_and_labels_are_whole() {
    let d = dir("schema");
    let menu = write(
        &d,
        "split.yaml",
        "hotline: X\nentry: q\nnodes:\n  q: { kind: queue, pool: d }\nagents:\n  d: { seats: 1, handle_time: lognormal(mean=5m, sd=3m) }\n",
    );
    let (code, out, _) = run(&["check", &menu]);
    assert_eq!(code, Some(0));
    assert!(
        out.contains("warning[unquoted-distribution]") && out.contains("\"lognormal(mean=5m, sd=3m)\""),
        "{out}"
    );
    let (_, out, _) = run(&[
        "compare",
        "menus/bank.yaml",
        "menus/well_designed.yaml",
        "--replications",
        "2",
        "--quiet",
    ]);
    assert!(
        out.contains("queued calls answered within the service-level target"),
        "{out}"
    );
}

#[test]
fn look_alike_ids_are_shown_character_by_character() {
    let d = dir("nfd");
    let menu = write(
        &d,
        "nfd.yaml",
        &format!(
            "hotline: X\nentry: main\nnodes:\n  main: {{ kind: menu, options: {{ \"1\": {{ to: \"cafe\u{301}\" }} }} }}\n  \"caf\u{e9}\": {{ kind: queue, pool: d }}\n{POOL}"
        ),
    );
    let (_, out, _) = run(&["check", &menu]);
    assert!(
        out.contains("look alike") && out.contains("cafe\\u{301}") && out.contains("caf\\u{e9}"),
        "{out}"
    );
}

#[test]
fn folder_readers_never_open_fifos_or_devices() {
    // FIFOs named like flows and menus, and a menu name linked to
    // /dev/zero: survey and import list them without opening them (they
    // hung, or read /dev/zero until memory ran out).
    let d = std::env::temp_dir().join(format!("hotline-fifo-folder-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/flows/twilio_ivr.json"),
        d.join("flow.json"),
    )
    .unwrap();
    for name in ["a.json", "b.xml", "c.vxml", "d.yaml"] {
        assert!(Command::new("mkfifo").arg(d.join(name)).status().unwrap().success());
    }
    std::os::unix::fs::symlink("/dev/zero", d.join("zero.yaml")).unwrap();
    let run = |args: &[&str]| {
        Command::new("timeout")
            .arg("60")
            .arg(env!("CARGO_BIN_EXE_hotline"))
            .args(args)
            .output()
            .unwrap()
    };
    let dir = d.to_str().unwrap();
    let survey = run(&["survey", dir, "--format", "json"]);
    assert_ne!(survey.status.code(), Some(124), "survey hung");
    assert_eq!(
        survey.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&survey.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&survey.stdout).unwrap();
    let rows = v["rows"].as_array().unwrap();
    // The flow, and the FIFO and the link named .yaml, refused as not files.
    assert!(
        rows.iter()
            .any(|r| r["file"].as_str().unwrap().ends_with("flow.json") && r["error"].is_null())
    );
    for bad in ["d.yaml", "zero.yaml"] {
        let r = rows
            .iter()
            .find(|r| r["file"].as_str().unwrap().ends_with(bad))
            .unwrap();
        assert!(r["error"].as_str().unwrap().contains("not a regular file"), "{r}");
    }
    let import = run(&["import", dir]);
    assert_ne!(import.status.code(), Some(124), "import hung");
    assert_eq!(
        import.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
    std::fs::remove_dir_all(&d).unwrap();
}
