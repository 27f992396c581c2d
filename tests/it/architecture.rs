//! The layers of ARCHITECTURE.md, checked from the source: every
//! `crate::` path in a file names a module of its own layer or a lower
//! one, and no two sibling files refer to each other (through `crate::`
//! or `super::` paths).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Top-level modules by layer, bottom first (ARCHITECTURE.md).
const LAYERS: &[&[&str]] = &[
    &["error", "cancel", "diag", "escape", "files", "shard"],
    &["menu"],
    &["input"],
    &["analysis", "sim", "fit"],
    &["decisions", "designer"],
    &["output"],
    &["cli"],
    &["lib", "main"],
];

fn layer(top: &str) -> usize {
    LAYERS
        .iter()
        .position(|l| l.contains(&top))
        .unwrap_or_else(|| panic!("module `{top}` is in no layer of ARCHITECTURE.md"))
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a file: `src/analysis/findings.rs` → ["analysis", "findings"].
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    rel.iter().map(|c| c.to_string_lossy().into_owned()).collect()
}

/// Code without comments (line comments and doc comments).
fn code(text: &str) -> String {
    text.lines()
        .map(|l| l.split_once("//").map_or(l, |(a, _)| a))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `crate::a::b…` path in the code, as its segments (braced groups
/// expanded one level).
fn crate_paths(code: &str) -> Vec<Vec<String>> {
    prefixed_paths(code, "crate::")
}

/// Every `super::a…` path of a file of module `me`, resolved from the
/// file's parent (`super::super` is left out).
fn super_paths(code: &str, me: &[String]) -> Vec<Vec<String>> {
    let base = &me[..me.len() - 1];
    let only_super: String = code.replace("super::super::", "");
    prefixed_paths(&only_super, "super::")
        .into_iter()
        .map(|p| base.iter().cloned().chain(p).collect())
        .collect()
}

/// Every `PREFIXa::b…` path in the code, as its segments (braced groups
/// expanded one level).
fn prefixed_paths(code: &str, prefix: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let ident = |s: &str| -> Vec<String> {
        s.split("::")
            .map(|x| {
                x.trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect::<String>()
            })
            .take_while(|x| !x.is_empty())
            .collect()
    };
    for (i, _) in code.match_indices(prefix) {
        if prefix == "super::" && code[..i].ends_with("::") {
            continue;
        }
        let rest = &code[i + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner = &group[..group.find('}').unwrap_or(group.len())];
            for part in inner.split(',') {
                out.push(ident(part.trim()));
            }
        } else {
            let head = ident(rest);
            // `crate::a::{b, c}`
            let after: String = rest.chars().skip(head.iter().map(|h| h.len() + 2).sum()).collect();
            if let Some(group) = after.strip_prefix('{') {
                let inner = &group[..group.find('}').unwrap_or(group.len())];
                for part in inner.split(',') {
                    let mut p = head.clone();
                    p.extend(ident(part.trim()));
                    out.push(p);
                }
            } else {
                out.push(head);
            }
        }
    }
    out.retain(|p| !p.is_empty());
    out
}

#[test]
fn layers_run_one_way_and_no_two_files_refer_to_each_other() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let modules: BTreeSet<Vec<String>> = all.iter().map(|f| module_of(&src, f)).collect();
    let mut upward = Vec::new();
    let mut refers: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for f in &all {
        let me = module_of(&src, f);
        let text = code(&std::fs::read_to_string(f).unwrap());
        for p in crate_paths(&text) {
            if layer(&p[0]) > layer(&me[0]) {
                upward.push(format!("{} uses crate::{}", f.display(), p.join("::")));
            }
            // The longest prefix of the path that is a file.
            let target = (1..=p.len())
                .rev()
                .map(|n| p[..n].to_vec())
                .find(|m| modules.contains(m));
            if let Some(target) = target.filter(|t| *t != me) {
                refers.entry(me.clone()).or_default().insert(target);
            }
        }
        for p in super_paths(&text, &me) {
            let target = (1..=p.len())
                .rev()
                .map(|n| p[..n].to_vec())
                .find(|m| modules.contains(m));
            if let Some(target) = target.filter(|t| *t != me) {
                refers.entry(me.clone()).or_default().insert(target);
            }
        }
    }
    assert!(upward.is_empty(), "upward imports:\n{}", upward.join("\n"));
    let mut circles = Vec::new();
    for (a, targets) in &refers {
        for b in targets {
            // A parent module declares its children; a child naming its
            // parent's items is the one allowed pair.
            let nested = a.starts_with(b) || b.starts_with(a);
            if a < b && !nested && refers.get(b).is_some_and(|t| t.contains(a)) {
                circles.push(format!("{} <-> {}", a.join("/"), b.join("/")));
            }
        }
    }
    assert!(
        circles.is_empty(),
        "files that refer to each other:\n{}",
        circles.join("\n")
    );
}

#[test]
fn architecture_md_names_every_top_level_module() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    for layer in LAYERS {
        for m in *layer {
            if !matches!(*m, "lib" | "main") {
                assert!(doc.contains(&format!("`{m}`")), "ARCHITECTURE.md does not name `{m}`");
            }
        }
    }
}
