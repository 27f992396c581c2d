//! Checks of vendor flows: transitions to nowhere, template placeholders
//! left in, options the prompt never mentions, the vendors' size limits.

use std::collections::HashSet;

use super::{Block, Does, Flow, Input, Vendor, error, finding};
use crate::diag::Code;

/// The vendors' own limits on a flow: (blocks, bytes of the flow, where
/// it is written).
fn limits(v: Vendor) -> Option<(usize, usize, &'static str)> {
    match v {
        // DescribeContactFlow / CreateContactFlow: Content is 1 to 256,000 characters.
        Vendor::Connect => Some((
            usize::MAX,
            256_000,
            "the Amazon Connect API takes flow content up to 256,000 characters",
        )),
        // The flow definition schema: states has at most 1,000 items.
        Vendor::Twilio => Some((
            1000,
            usize::MAX,
            "Twilio's flow definition schema allows at most 1,000 states",
        )),
        Vendor::Genesys | Vendor::VoiceXml => None,
    }
}

/// Checks of one flow that need no other file.
pub(super) fn common(f: &Flow, text: &str) -> Vec<crate::diag::Diagnostic> {
    let mut out = Vec::new();
    if let Some(v) = f.vendor
        && let Some((blocks, bytes, why)) = limits(v)
    {
        if f.blocks.len() > blocks {
            out.push(
                crate::diag::Diagnostic::warning(
                    Code::VendorSizeLimit,
                    format!("the flow has {} {}s: {why}", f.blocks.len(), f.word()),
                )
                .at(Some(crate::menu::yaml::Pos::new(1, 1))),
            );
        }
        if text.chars().count() > bytes {
            out.push(
                crate::diag::Diagnostic::warning(
                    Code::VendorSizeLimit,
                    format!("the flow is {} characters long: {why}", text.chars().count()),
                )
                .at(Some(crate::menu::yaml::Pos::new(1, 1))),
            );
        }
    }
    for b in &f.blocks {
        if let Some(p) = placeholder(b, f.vendor) {
            out.push(finding(
                Code::VendorPlaceholder,
                format!(
                    "the template placeholder {p} was left in (the flow was exported or deployed from a template that was never filled in)"
                ),
                b.pos,
                &b.id,
            ));
        }
        if let Does::Ask { prompt, choices, .. } = &b.does
            && let Some(text) = &prompt.text
        {
            let said = announced_keys(text);
            if !said.is_empty() {
                for c in choices {
                    if let Input::Key(k) = &c.input
                        && !said.contains(k.as_str())
                    {
                        out.push(finding(
                            Code::VendorUnannouncedOption,
                            format!(
                                "key {k} goes to {}, but the prompt never mentions it (it lists {})",
                                c.to.to,
                                sorted(&said)
                            ),
                            c.to.pos,
                            &b.id,
                        ));
                    }
                }
            }
        }
    }
    out
}

fn sorted(keys: &HashSet<String>) -> String {
    let mut v: Vec<&str> = keys.iter().map(String::as_str).collect();
    v.sort();
    v.join(", ")
}

/// A `${...}` or `{{...}}` left in a block's text. Twilio's own Liquid
/// references (`{{widgets.…}}`, `{{flow.…}}`, `{{trigger.…}}`,
/// `{{contact.…}}`) are not placeholders.
fn placeholder(b: &Block, vendor: Option<Vendor>) -> Option<String> {
    let mut texts: Vec<&str> = vec![&b.id];
    if let Some(l) = &b.label {
        texts.push(l);
    }
    match &b.does {
        Does::Say { prompt, .. } | Does::Ask { prompt, .. } => texts.extend(prompt.text.as_deref()),
        Does::Queue { pool } => texts.push(pool),
        Does::Flow { target } => texts.push(target),
        _ => {}
    }
    for e in b.does.edges() {
        texts.push(&e.to);
    }
    for t in texts {
        if let Some(i) = t.find("${") {
            let end = t[i..].find('}').map_or(t.len(), |j| i + j + 1);
            return Some(t[i..end].to_string());
        }
        let mut rest = t;
        while let Some(i) = rest.find("{{") {
            let end = rest[i..].find("}}").map_or(rest.len(), |j| i + j + 2);
            let inner = rest[i + 2..end.saturating_sub(2).max(i + 2)].trim();
            let liquid = ["widgets.", "flow.", "trigger.", "contact.", "parent."]
                .iter()
                .any(|r| inner.starts_with(r));
            if !(vendor == Some(Vendor::Twilio) && liquid) {
                return Some(rest[i..end].to_string());
            }
            rest = &rest[end..];
        }
    }
    None
}

/// Keys a prompt names: "press 1", "dial 0", "1 for", "按1", "请按 2",
/// "option 3", "star", "pound".
pub fn announced_keys(text: &str) -> HashSet<String> {
    let lower = text.to_lowercase();
    let chars: Vec<char> = lower.chars().collect();
    let mut keys = HashSet::new();
    let words_before = ["press", "dial", "enter", "option", "push", "key", "按", "拨", "选"];
    // The key announced last, and where: a list goes on from it ("press 1,
    // 2 or 3", "按1、2或3").
    let mut last: Option<usize> = None;
    for (i, &c) in chars.iter().enumerate() {
        let key = match c {
            '0'..='9' | '*' | '#' => c.to_string(),
            _ => continue,
        };
        // A digit inside a longer number (a phone number, 24 hours) is not a key.
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        if prev.is_some_and(|p| p.is_ascii_digit()) || next.is_some_and(|n| n.is_ascii_digit()) {
            continue;
        }
        let before: String = chars[i.saturating_sub(12)..i].iter().collect();
        let before = before.trim_end().trim_end_matches([',', ':']);
        let after: String = chars[i + 1..(i + 8).min(chars.len())].iter().collect();
        let after = after.trim_start();
        let listed = last.is_some_and(|l| {
            let gap: String = chars[l + 1..i].iter().collect();
            let gap = gap.replace([',', '、', '/', '，', '和', '或', '及'], " ");
            gap.split_whitespace().all(|w| ["or", "and", "then"].contains(&w))
        });
        if listed
            || words_before.iter().any(|w| before.ends_with(w))
            || after.starts_with("for ")
            || after.starts_with("to ")
            || after.starts_with('键')
        {
            keys.insert(key);
            last = Some(i);
        }
    }
    for (word, key) in [
        ("star", "*"),
        ("pound", "#"),
        ("hash", "#"),
        ("星号", "*"),
        ("井号", "#"),
    ] {
        if lower.contains(&format!("press {word}")) || lower.contains(&format!("按{word}")) {
            keys.insert(key.into());
        }
    }
    keys
}

/// Transitions to blocks that do not exist, a missing or unknown start,
/// blocks defined twice: errors, since the flow cannot run as written.
pub(super) fn targets(f: &mut Flow) {
    let mut ids = HashSet::new();
    let mut findings = Vec::new();
    for b in &f.blocks {
        if b.id.trim().is_empty() {
            findings.push(error(
                Code::VendorMissingKey,
                format!("a {} has an empty id", f.word()),
                Some(b.pos),
            ));
            continue;
        }
        if !ids.insert(b.id.as_str()) {
            findings.push(
                error(
                    Code::VendorDuplicateBlock,
                    format!("{} {} is defined twice", f.word(), b.id),
                    Some(b.pos),
                )
                .node(&b.id),
            );
        }
    }
    if f.blocks.is_empty() {
        findings.push(error(
            Code::VendorEmptyFlow,
            format!("the flow has no {}s", f.word()),
            None,
        ));
    } else if f.entry.is_empty() {
        findings.push(error(
            Code::VendorMissingStart,
            "the flow does not say where it starts",
            None,
        ));
    } else if !ids.contains(f.entry.as_str()) {
        let hint = crate::menu::yaml::hint(&f.entry, crate::menu::yaml::closest(&f.entry, ids.iter().copied()));
        findings.push(error(
            Code::VendorMissingStart,
            format!(
                "the flow starts at {}, which is not a {} of the flow{hint}",
                f.entry,
                f.word()
            ),
            None,
        ));
    }
    for b in &f.blocks {
        for e in b.does.edges() {
            if !ids.contains(e.to.as_str()) {
                let hint = crate::menu::yaml::hint(&e.to, crate::menu::yaml::closest(&e.to, ids.iter().copied()));
                findings.push(
                    error(
                        Code::VendorMissingTarget,
                        format!(
                            "the transition goes to {}, which is not a {} of the flow{hint}",
                            e.to,
                            f.word()
                        ),
                        Some(e.pos),
                    )
                    .node(&b.id),
                );
            }
        }
    }
    f.findings.extend(findings);
}
