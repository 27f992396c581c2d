//! Text written by the user, made safe for where it is shown: a terminal,
//! a table cell, JSON, CSV opened in a spreadsheet, XML (SVG), Markdown.
//!
//! Menu names, ids and labels may hold anything a YAML string can: escape
//! sequences that recolour or clear a terminal, right-to-left overrides
//! that reorder what is read, zero-width characters that make two ids look
//! the same, formulas a spreadsheet would run. Every output goes through
//! one of these functions, so what the user wrote is shown, never obeyed.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether a character must not reach a terminal as it is: control
/// characters (but newline and tab), bidirectional controls, and invisible
/// characters that make two texts look alike.
fn hidden(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{61c}' | '\u{200b}' | '\u{200e}' | '\u{200f}'
        | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}'
        | '\u{feff}' | '\u{fff9}'..='\u{fffb}')
        || c == '\r'
}

/// Whether a text may hold a [`hidden`] character: a quick pass over the
/// bytes (printable ASCII, newlines and tabs never are), then the
/// characters when some byte is not.
fn any_hidden(s: &str) -> bool {
    s.bytes().any(|b| (b < 0x20 && b != b'\n' && b != b'\t') || b >= 0x7f) && s.chars().any(hidden)
}

/// Text for a terminal: hidden characters written as `\u{202e}`; newlines,
/// tabs and line ends `\r\n` kept.
///
/// ```
/// assert_eq!(hotline::escape::terminal("a\u{1b}[2Jb\r\n"), "a\\u{1b}[2Jb\r\n");
/// ```
pub fn terminal(s: &str) -> Cow<'_, str> {
    if !any_hidden(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() == Some(&'\n') {
            out.push(c);
        } else if hidden(c) {
            write!(out, "\\u{{{:x}}}", c as u32).ok();
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Text for one cell of a table or one line of a message: like
/// [`terminal`], and newlines and tabs escaped too.
pub fn cell(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| hidden(c) || c == '\n' || c == '\t') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if hidden(c) => {
                write!(out, "\\u{{{:x}}}", c as u32).ok();
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Every character outside printable ASCII as `\u{…}`: shows how two texts
/// that look alike differ (`café` as `caf\u{e9}` or `cafe\u{301}`).
pub fn visible(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_graphic() || c == ' ' {
            out.push(c);
        } else {
            write!(out, "\\u{{{:x}}}", c as u32).ok();
        }
    }
    out
}

/// Whether two different texts look the same on screen: equal once both
/// are in Unicode's composed form (NFC: `e` + combining acute is `é`) and
/// invisible characters are left out.
pub fn look_alike(a: &str, b: &str) -> bool {
    use unicode_normalization::UnicodeNormalization;
    fn skeleton(s: &str) -> String {
        s.nfc()
            .filter(|&c| !hidden(c) && !matches!(c, '\u{200c}' | '\u{200d}'))
            .collect()
    }
    a != b && skeleton(a) == skeleton(b)
}

/// A JSON string (also a valid YAML double-quoted scalar) with the
/// characters [`terminal`] would show escaped written as `\uXXXX`.
pub fn json_string(s: &str) -> String {
    let text = serde_json::to_string(s).expect("strings serialize");
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if hidden(c) {
            write!(out, "\\u{:04x}", c as u32).ok();
        } else {
            out.push(c);
        }
    }
    out
}

/// Pretty JSON with a final newline; characters that could reorder or hide
/// text in a terminal are written as `\uXXXX` escapes (the same string to
/// any JSON reader).
pub fn json_text<T: serde::Serialize + ?Sized>(v: &T) -> String {
    let text = serde_json::to_string_pretty(v).expect("values serialize") + "\n";
    if !any_hidden(&text) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if hidden(c) && c != '\r' {
            // Control characters are escaped by serde_json already; the rest
            // can only stand inside strings.
            write!(out, "\\u{:04x}", c as u32).ok();
        } else {
            out.push(c);
        }
    }
    out
}

/// A text cell of a CSV file that a spreadsheet will not run: a cell
/// starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
/// leading `'` (OWASP's advice on CSV injection). Numbers are not passed
/// through here.
///
/// ```
/// assert_eq!(hotline::escape::csv_text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
/// assert_eq!(hotline::escape::csv_text("Bank"), "Bank");
/// ```
pub fn csv_text(s: &str) -> Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

/// Text for HTML: the five markup characters as entities.
///
/// ```
/// assert_eq!(hotline::escape::html("<a href='x'>&"), "&lt;a href=&#39;x&#39;&gt;&amp;");
/// ```
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Text XML 1.0 can hold (SVG): characters it forbids (control characters
/// but tab, newline and carriage return; U+FFFE, U+FFFF) written as
/// `\u{…}`. Markup characters are escaped by the writer.
pub fn xml(s: &str) -> Cow<'_, str> {
    let bad =
        |c: char| matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}');
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if bad(c) {
            write!(out, "\\u{{{:x}}}", c as u32).ok();
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Text for Markdown that stays text: HTML markup escaped as entities,
/// Markdown punctuation behind a backslash, line breaks and hidden
/// characters as in [`cell`].
///
/// ```
/// assert_eq!(hotline::escape::markdown("<img onerror=x>"), "&lt;img onerror=x&gt;");
/// assert_eq!(hotline::escape::markdown("a|b *c*"), "a\\|b \\*c\\*");
/// ```
pub fn markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in cell(s).chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '!' | '~' | '{' | '}' | '(' | ')' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_characters_are_shown() {
        assert_eq!(terminal("ok"), "ok");
        assert_eq!(terminal("a\u{202e}b"), "a\\u{202e}b");
        assert_eq!(terminal("中文\t1\n"), "中文\t1\n");
        assert_eq!(cell("a\nb\tc\u{200b}"), "a\\nb\\tc\\u{200b}");
        assert_eq!(visible("caf\u{e9}"), "caf\\u{e9}");
        assert!(look_alike("cafe\u{301}", "caf\u{e9}"));
        assert!(!look_alike("cafe\u{301}", "cafe"));
        assert_eq!(json_string("a\u{202e}"), "\"a\\u202e\"");
        assert!(look_alike("ab", "a\u{200b}b"));
        assert!(!look_alike("ab", "ab"));
        assert_eq!(xml("a\u{1}b\tc"), "a\\u{1}b\tc");
    }

    #[test]
    fn json_stays_json() {
        let text = json_text(&serde_json::json!({ "name": "x\u{202e}y\u{1b}" }));
        assert!(text.contains("x\\u202ey\\u001b"), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["name"], "x\u{202e}y\u{1b}");
    }
}
