//! Diagnostics: what is wrong with a menu, where, and how bad.
//!
//! Every problem the loader or the rule checks find becomes a
//! [`Diagnostic`] with a stable code, a sentence, the position and the node.
//! [`render`] prints one the way a compiler would: the location, the message,
//! the source line and a caret under the offending value.

use std::fmt::{self, Write};

use serde::Serialize;

mod code;

pub use code::{CODES, Code};

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The menu cannot be used (load) or breaks a rule outright (findings).
    Error,
    /// Probably a mistake, or a practice the rules advise against.
    Warning,
    /// Worth knowing.
    Info,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        })
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Severity, String> {
        match s {
            "error" => Ok(Severity::Error),
            "warning" => Ok(Severity::Warning),
            "info" => Ok(Severity::Info),
            other => Err(format!("\"{other}\" is not a severity (error, warning or info)")),
        }
    }
}

/// Which text a position is in: the file given (a menu, a flow), the
/// overlay laid over it, or the menu generated from a vendor flow (which
/// nobody sees: its diagnostics are placed at the flow's blocks).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SourceId {
    /// The file given.
    #[default]
    Main,
    /// The overlay (`--with`).
    Overlay,
    /// The hotline YAML written for a vendor flow.
    Generated,
}

/// A 1-based line and column in a source text (columns count
/// characters), and which text it is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    /// Line, from 1.
    pub line: u32,
    /// Column, from 1, in characters.
    pub column: u32,
    /// The text (the file given, unless a loader says otherwise).
    pub source: SourceId,
}

impl Pos {
    /// Line and column in the file given.
    pub fn new(line: u32, column: u32) -> Pos {
        Pos {
            line,
            column,
            source: SourceId::Main,
        }
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// One problem in a menu file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagnostic {
    /// How serious it is.
    pub severity: Severity,
    /// A stable code such as `unknown-target` (see [`CODES`]).
    pub code: Code,
    /// A sentence naming the key.
    pub message: String,
    /// Line, from 1, when known.
    pub line: Option<u32>,
    /// Column, from 1, when known.
    pub column: Option<u32>,
    /// The node id the problem belongs to, when there is one.
    pub node: Option<String>,
    /// The text its line and column are in.
    #[serde(skip)]
    pub source: SourceId,
}

impl Diagnostic {
    /// An error.
    pub fn error(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            line: None,
            column: None,
            node: None,
            source: SourceId::Main,
        }
    }

    /// A warning.
    pub fn warning(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// The same, at a position.
    pub fn at(mut self, pos: Option<Pos>) -> Diagnostic {
        if let Some(p) = pos {
            self.line = Some(p.line);
            self.column = Some(p.column);
            self.source = p.source;
        }
        self
    }

    /// The same, about a node.
    pub fn node(mut self, id: impl Into<String>) -> Diagnostic {
        self.node = Some(id.into());
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The message, prefixed with the node it is about.
    pub fn sentence(&self) -> String {
        match &self.node {
            Some(n) => format!("node \"{n}\": {}", self.message),
            None => self.message.clone(),
        }
    }
}

/// Renders a diagnostic with its file, position, source line and a caret.
///
/// ```
/// use hotline::diag::{render, Code, Diagnostic};
/// use hotline::menu::yaml::Pos;
/// let d = Diagnostic::error(Code::UnknownTarget, "goes to \"x\"")
///     .at(Some(Pos::new(2, 5)))
///     .node("main");
/// let text = render(&d, "menu.yaml", "a: 1\nb:  x\n");
/// assert!(text.starts_with("menu.yaml:2:5: error[unknown-target]: node \"main\": goes to \"x\""));
/// assert!(text.contains("    ^"));
/// ```
pub fn render(d: &Diagnostic, path: &str, source: &str) -> String {
    let line = d.line.and_then(|l| source_lines(source).nth(l as usize - 1));
    render_with_line(d, path, line)
}

/// Every diagnostic of a file rendered, the file split into lines once.
pub fn render_all(diags: &[Diagnostic], path: &str, source: &str) -> String {
    let lines: Vec<&str> = source_lines(source).collect();
    diags
        .iter()
        .map(|d| render_with_line(d, path, d.line.and_then(|l| lines.get(l as usize - 1).copied())))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The lines of a text, ended by `\n`, `\r\n` or a lone `\r` (old Mac files).
fn source_lines(source: &str) -> impl Iterator<Item = &str> {
    source
        .split('\n')
        .flat_map(|l| l.strip_suffix('\r').unwrap_or(l).split('\r'))
}

/// Most characters of a message shown; longer ones (a 50,000-character id
/// quoted back) are cut.
const MAX_MESSAGE: usize = 400;
/// Characters of a source line shown around the caret.
const SOURCE_WINDOW: usize = 120;

fn render_with_line(d: &Diagnostic, path: &str, source_line: Option<&str>) -> String {
    let mut out = String::new();
    match (d.line, d.column) {
        (Some(l), Some(c)) => write!(out, "{path}:{l}:{c}: "),
        _ => write!(out, "{path}: "),
    }
    .ok();
    writeln!(out, "{}[{}]: {}", d.severity, d.code, cut(&d.sentence(), MAX_MESSAGE)).ok();
    if let (Some(line), Some(col), Some(text)) = (d.line, d.column, source_line) {
        let width = line.to_string().len();
        let all: Vec<char> = text.chars().map(|c| if c == '\t' { ' ' } else { c }).collect();
        // A long line is shown as a window around the column.
        let col = (col.saturating_sub(1) as usize).min(all.len());
        let from = col.saturating_sub(SOURCE_WINDOW / 2);
        let to = (from + SOURCE_WINDOW).min(all.len());
        let mut shown: String = all[from..to].iter().collect();
        let mut pad = String::new();
        if from > 0 {
            shown.insert(0, '…');
            pad.push(' ');
        }
        if to < all.len() {
            shown.push('…');
        }
        pad.extend(all[from..col].iter().map(|&c| if is_wide(c) { "  " } else { " " }));
        let token: String = all[col..to]
            .iter()
            .take_while(|c| !matches!(c, ',' | '}' | ']' | '#') && !c.is_whitespace())
            .collect();
        let carets = token
            .chars()
            .map(|c| if is_wide(c) { 2 } else { 1 })
            .sum::<usize>()
            .max(1);
        writeln!(out, "{:width$} |", "").ok();
        writeln!(out, "{line:>width$} | {shown}").ok();
        writeln!(out, "{:width$} | {pad}{}", "", "^".repeat(carets)).ok();
    }
    out
}

/// At most `max` characters of a text, the rest counted.
fn cut(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    let n = text.chars().count();
    if n <= max {
        return text.into();
    }
    let head: String = text.chars().take(max).collect();
    format!("{head}… ({} more characters)", n - max).into()
}

/// Display width of text in a terminal (CJK characters count two).
pub fn width(s: &str) -> usize {
    s.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

/// Whether a character takes two columns in a terminal (CJK and the like).
pub fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF |
        0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF |
        0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_under_wide_characters() {
        let d = Diagnostic::error(Code::UnknownKey, "m").at(Some(Pos::new(1, 5)));
        let out = render(&d, "f.yaml", "名字: 银行\n");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[2], "1 | 名字: 银行");
        assert_eq!(lines[3], "  |       ^^^^");
    }

    #[test]
    fn without_position() {
        let d = Diagnostic::warning(Code::UnknownKey, "m").node("n");
        assert_eq!(
            render(&d, "f.yaml", ""),
            "f.yaml: warning[unknown-key]: node \"n\": m\n"
        );
    }
}
