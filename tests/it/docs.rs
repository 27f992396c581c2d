//! The command blocks of README.md and docs/*.md run as written.
//!
//! Every ```` ```console ```` block is a list of `$ hotline …` commands with
//! the output they print (standard error folded in), an exit code other
//! than 0 written as `? 1`; `...` stands for lines left out and `[..]` for
//! part of a line (trycmd's syntax). Blocks of another language (`sh`,
//! `text`, `yaml`) are not run. Each Markdown file runs in a fresh folder
//! holding a copy of the files the examples read (`menus/`, `examples/`,
//! `tests/`, `benches/`), so what the examples write (`out/…`) never lands
//! in the checkout and a second run starts as clean as the first.
//!
//! `TRYCMD=overwrite cargo test --test it docs` writes the outputs the
//! commands print back into the Markdown files, to be reviewed with
//! `git diff`. trycmd turns every `\\` of an output into `/` (it
//! normalises paths), so the examples print no backslash (the Markdown
//! test plan escapes `_` as `\\_`: its example uses ids without one).

use std::path::{Path, PathBuf};

const COPIED: [&str; 4] = ["menus", "examples", "tests", "benches"];

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create a folder");
    for entry in std::fs::read_dir(from).expect("read a folder") {
        let entry = entry.expect("a folder entry");
        let kind = entry.file_type().expect("a file type");
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            if entry.file_name() == "output" {
                continue; // tests/output: what other tests wrote
            }
            copy_tree(&entry.path(), &target);
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target).expect("copy a file");
        }
    }
}

/// The Markdown files whose console blocks are tests.
fn documents(root: &Path) -> Vec<PathBuf> {
    let mut docs = vec![root.join("README.md")];
    let mut more: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .expect("docs/")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    more.sort();
    docs.extend(more);
    docs
}

#[test]
fn readme_and_docs_commands_print_what_they_show() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = std::env::temp_dir().join(format!("hotline-docs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let cases = trycmd::TestCases::new();
    cases
        .register_bin("hotline", Path::new(env!("CARGO_BIN_EXE_hotline")))
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100");
    let mut copies = Vec::new();
    for doc in documents(root) {
        let stem = doc.file_stem().expect("a file name").to_owned();
        let folder = work.join(&stem);
        let case = folder.join(doc.file_name().expect("a file name"));
        let base = case.with_extension("in");
        for dir in COPIED {
            copy_tree(&root.join(dir), &base.join(dir));
        }
        std::fs::copy(&doc, &case).expect("copy the document");
        cases.case(&case);
        copies.push((doc, case));
    }
    cases.run();
    if std::env::var("TRYCMD").is_ok_and(|v| v == "overwrite") {
        for (doc, case) in copies {
            std::fs::copy(&case, &doc).expect("write the document back");
        }
    }
    let _ = std::fs::remove_dir_all(&work);
}

/// Every command of `hotline --help` and every flag of its `--help` is
/// named in README.md, so the reference cannot fall behind the parser.
#[test]
fn readme_names_every_command_and_flag() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).expect("README.md");
    let help = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_hotline"))
            .args(args)
            .output()
            .expect("hotline runs");
        String::from_utf8(out.stdout).expect("UTF-8 help")
    };
    let top = help(&["--help"]);
    let commands: Vec<&str> = top
        .split("Commands:")
        .nth(1)
        .and_then(|s| s.split("Options:").next())
        .expect("a command list")
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(commands.len() > 15, "{commands:?}");
    let mut missing = Vec::new();
    for c in commands {
        if !readme.contains(&format!("hotline {c}")) {
            missing.push(format!("hotline {c}"));
        }
        let text = help(&[c, "--help"]);
        let options = text.split("Examples:").next().unwrap_or_default();
        for line in options.lines() {
            let t = line.trim_start();
            // "-o, --output <FILE>" or "--seed <S>"
            let t = match t.split_once(", ") {
                Some((short, rest)) if short.len() == 2 && short.starts_with('-') => rest,
                _ => t,
            };
            let Some(rest) = t.strip_prefix("--") else { continue };
            let name: String = rest
                .chars()
                .take_while(|ch| ch.is_ascii_alphanumeric() || *ch == '-')
                .collect();
            let flag = format!("--{name}");
            if !name.is_empty() && flag != "--help" && flag != "--version" && !readme.contains(&flag) {
                missing.push(format!("{c} {flag}"));
            }
        }
    }
    assert!(missing.is_empty(), "named in --help but not in README.md: {missing:?}");
}
