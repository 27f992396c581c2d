//! A YAML document as a tree whose every node knows its line and column.
//!
//! serde-saphyr reads the text (with its budget against alias bombs and deep
//! nesting) into this tree once. The loader then deserializes each part of
//! the menu from the tree separately, so one bad node does not hide the
//! problems in the others, and every error carries the position of the
//! value it is about. [`Spanned`] lets a raw struct keep the position of a
//! field.

use std::borrow::Cow;
use std::fmt;

pub use crate::diag::SourceId;

mod deser;

pub use deser::{DeError, NodeDe, Spanned, closest, from_node, hint};

use crate::diag::Code;
pub use crate::diag::Pos;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};

/// Moves every position of a tree to `source` (a tree parsed from an
/// overlay, from a generated menu).
pub fn in_source(n: &mut Node, source: SourceId) {
    n.pos.source = source;
    match &mut n.value {
        Value::Map(entries) => {
            for (k, v) in entries {
                in_source(k, source);
                in_source(v, source);
            }
        }
        Value::Seq(items) => items.iter_mut().for_each(|x| in_source(x, source)),
        _ => {}
    }
}

/// A YAML node with its position.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Where the node starts.
    pub pos: Pos,
    /// What it holds.
    pub value: Value,
    /// For a number written in another form than its value prints in
    /// (`0x10`, `00`, `+4`): the text as written, used where text is wanted.
    pub written: Option<String>,
}

/// The value of a YAML node.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `~`, `null` or nothing.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A whole number above `i64::MAX` (a seed such as 18446744073709551615).
    UInt(u64),
    /// A number with a fraction (also integers too large for `u64`).
    Float(f64),
    /// Text.
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in document order, duplicates kept (the loader reports them).
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The mapping entries, when this node is a mapping.
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The text of a scalar node (numbers and booleans written as text).
    pub fn scalar_text(&self) -> Option<String> {
        if let Some(w) = &self.written {
            return Some(w.clone());
        }
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::UInt(u) => Some(u.to_string()),
            Value::Float(x) => Some(x.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null => Some(String::new()),
            _ => None,
        }
    }

    /// The value under `key`, when this node is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.scalar_text().as_deref() == Some(key))
            .map(|(_, v)| v)
    }

    /// A short name of the node's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "nothing",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::UInt(_) => "a number",
            Value::Float(_) => "a number",
            Value::Str(_) => "text",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

/// Limits on the YAML text, against hostile or runaway documents.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest file read, in bytes.
    pub max_bytes: usize,
    /// Deepest nesting of mappings and lists.
    pub max_depth: usize,
    /// Most YAML nodes (scalars, lists, mappings) in a document.
    pub max_yaml_nodes: usize,
    /// Most aliases (`*name`) in a document.
    pub max_aliases: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_bytes: 16 * 1024 * 1024,
            max_depth: 64,
            max_yaml_nodes: 2_000_000,
            max_aliases: 1_000,
        }
    }
}

/// A YAML syntax or limit error, with its position when known.
#[derive(Clone, Debug, PartialEq)]
pub struct SyntaxError {
    /// A sentence saying what is wrong.
    pub message: String,
    /// Where, when the parser knows.
    pub pos: Option<Pos>,
}

/// Parses YAML text into a [`Node`] tree.
///
/// ```
/// let node = hotline::menu::yaml::parse("a: [1, two]\n", &Default::default()).unwrap();
/// assert_eq!(node.get("a").unwrap().pos.column, 4);
/// ```
pub fn parse(text: &str, limits: &Limits) -> Result<Node, SyntaxError> {
    parse_noting_rejoins(text, limits).map(|(node, _)| node)
}

/// [`parse`], also returning where a distribution split by a flow
/// collection's comma was rejoined, and its text (for a warning: editors
/// and the JSON Schema see the split value).
pub fn parse_noting_rejoins(text: &str, limits: &Limits) -> Result<(Node, Vec<(Pos, String)>), SyntaxError> {
    if text.len() > limits.max_bytes {
        return Err(SyntaxError {
            message: format!(
                "the file is {} bytes, above the limit of {} bytes (raise it with --max-bytes)",
                text.len(),
                limits.max_bytes
            ),
            pos: None,
        });
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(SyntaxError {
            message: "the file is empty".into(),
            pos: Some(Pos::new(1, 1)),
        });
    }
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = limits.max_depth;
    budget.max_nodes = limits.max_yaml_nodes;
    budget.max_events = limits.max_yaml_nodes.saturating_mul(3);
    budget.max_aliases = limits.max_aliases;
    budget.max_documents = 1;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.strict_booleans = true;
    options.with_snippet = false;
    options.duplicate_keys = serde_saphyr::options::DuplicateKeyPolicy::PassThrough;
    let mut node = serde_saphyr::from_str_with_options::<Node>(text, options).map_err(|e| {
        let pos = e
            .location()
            .filter(|l| l.line() > 0)
            .map(|l| Pos::new(l.line() as u32, l.column() as u32));
        SyntaxError {
            message: clean_message(&e.to_string()),
            pos,
        }
    })?;
    let mut rejoined = Vec::new();
    rejoin_parens(&mut node, &mut rejoined);
    let lines: Vec<&str> = text
        .split('\n')
        .flat_map(|l| l.strip_suffix('\r').unwrap_or(l).split('\r'))
        .collect();
    numbers_as_written(&mut node, &lines);
    Ok((node, rejoined))
}

/// Numbers keep the text they were written as: a key YAML read as a
/// number (`00`, `0x10`, `2.0`, `+4`) becomes that text, so option `00` is
/// not silently key `0` and node `0x10` is not node `16`; a value keeps it
/// beside its number for where text is wanted (`to: 0x10`).
fn numbers_as_written(node: &mut Node, lines: &[&str]) {
    fn written(n: &Node, lines: &[&str]) -> Option<String> {
        if !matches!(n.value, Value::Int(_) | Value::UInt(_) | Value::Float(_)) {
            return None;
        }
        let line = lines.get((n.pos.line as usize).checked_sub(1)?)?;
        let w: String = line
            .chars()
            .skip((n.pos.column as usize).saturating_sub(1))
            .take_while(|c| !matches!(c, ':' | ',' | '}' | ']' | '#') && !c.is_whitespace())
            .collect();
        (!w.is_empty() && Some(&w) != n.scalar_text().as_ref()).then_some(w)
    }
    if let Some(w) = written(node, lines) {
        node.written = Some(w);
    }
    match &mut node.value {
        Value::Map(entries) => {
            for (k, v) in entries.iter_mut() {
                if let Some(w) = written(k, lines) {
                    k.value = Value::Str(w);
                }
                numbers_as_written(v, lines);
            }
        }
        Value::Seq(items) => {
            for item in items {
                numbers_as_written(item, lines);
            }
        }
        _ => {}
    }
}

/// Puts back together a distribution that a YAML flow collection split at
/// its comma: in `{ handle_time: lognormal(mean=5m, sd=3m) }` YAML sees the
/// value `lognormal(mean=5m` and a key `sd=3m)` with no value. The menu
/// format is documented with such lines, so they are rejoined here: a text
/// value with an unclosed `(` absorbs the following value-less keys (or list
/// items) until the parenthesis closes.
fn rejoin_parens(node: &mut Node, rejoined: &mut Vec<(Pos, String)>) {
    /// A distribution has at most a few arguments: a longer run of pieces
    /// is not one, and looking no further keeps this linear in the file.
    const MAX_PIECES: usize = 8;
    /// Parentheses opened and not closed in a piece.
    fn depth(s: &str) -> i64 {
        s.bytes().fold(0, |d, b| match b {
            b'(' => d + 1,
            b')' => d - 1,
            _ => d,
        })
    }
    /// How many pieces after `first` close its parenthesis, if any do.
    fn closing(first: &str, rest: impl Iterator<Item = Option<String>>) -> Option<(usize, String)> {
        let mut d = depth(first);
        if d <= 0 || first.len() > 1000 {
            return None;
        }
        let mut text = first.to_string();
        for (k, piece) in rest.take(MAX_PIECES).enumerate() {
            let piece = piece?;
            d += depth(&piece);
            text.push_str(", ");
            text.push_str(&piece);
            if d <= 0 {
                return (d == 0).then_some((k + 1, text));
            }
        }
        None
    }
    match &mut node.value {
        Value::Map(entries) => {
            let mut i = 0;
            while i < entries.len() {
                if let Value::Str(s) = &entries[i].1.value {
                    let rest = entries[i + 1..]
                        .iter()
                        .map(|(k, v)| if v.value == Value::Null { k.scalar_text() } else { None });
                    if let Some((n, text)) = closing(s, rest) {
                        rejoined.push((entries[i].1.pos, text.clone()));
                        entries[i].1.value = Value::Str(text);
                        entries.drain(i + 1..=i + n);
                    }
                }
                rejoin_parens(&mut entries[i].1, rejoined);
                i += 1;
            }
        }
        Value::Seq(items) => {
            let mut i = 0;
            while i < items.len() {
                if let Value::Str(s) = &items[i].value
                    && let Some((n, text)) = closing(s, items[i + 1..].iter().map(Node::scalar_text))
                {
                    rejoined.push((items[i].pos, text.clone()));
                    items[i].value = Value::Str(text);
                    items.drain(i + 1..=i + n);
                }
                rejoin_parens(&mut items[i], rejoined);
                i += 1;
            }
        }
        _ => {}
    }
}

/// Strips serde-saphyr's `error: line N column M:` prefix and any snippet.
fn clean_message(raw: &str) -> String {
    let first = raw.lines().next().unwrap_or(raw).trim();
    let first = first.strip_prefix("error:").unwrap_or(first).trim();
    let msg = match first.strip_prefix("line ") {
        Some(rest) => rest.split_once(": ").map_or(first, |(_, m)| m),
        None => first,
    };
    let msg = msg.trim().trim_end_matches(',');
    if let Some(breach) = msg.strip_prefix("budget breached: ") {
        // The parser names its budget in Rust's debug notation.
        let (what, rest) = breach.split_once(' ').unwrap_or((breach, ""));
        let at = rest.rsplit_once("} ").map_or("", |(_, at)| at);
        let plain = match what {
            "Aliases" => "more than 1,000 aliases (*name): an alias bomb? The budget against them is breached",
            "Anchors" => "too many anchors (&name)",
            "Depth" => "the YAML nests deeper than the limit (raise it with --max-nesting)",
            "Nodes" => "more than 2,000,000 YAML nodes",
            "Events" => "the document is too large (more than 6,000,000 parser events)",
            "Documents" => "more than one YAML document (--- separates documents)",
            "RecordedAnchorEvents" | "AliasAnchorRatio" | "MergeKeys" => {
                "aliases expand to too much (an alias bomb?): the budget against them is breached"
            }
            _ => "the budget against oversized documents is breached",
        };
        return if at.is_empty() {
            plain.to_string()
        } else {
            format!("{plain} {at}")
        };
    }
    let msg = msg.replace(", set DuplicateKeyPolicy in Options if acceptable", "");
    match msg.split_once("If you just use !!binary") {
        Some((head, _)) => head.trim().to_string(),
        None => msg,
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        let s = serde_saphyr::Spanned::<Value>::deserialize(d)?;
        Ok(Node {
            pos: Pos::new(s.referenced.line() as u32, s.referenced.column() as u32),
            value: s.value,
            written: None,
        })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Value;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_unit<E>(self) -> Result<Value, E> {
                Ok(Value::Null)
            }
            fn visit_none<E>(self) -> Result<Value, E> {
                Ok(Value::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
                Value::deserialize(d)
            }
            fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
                Ok(Value::Bool(b))
            }
            fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
                Ok(Value::Int(i))
            }
            fn visit_u64<E>(self, u: u64) -> Result<Value, E> {
                Ok(i64::try_from(u).map_or(Value::UInt(u), Value::Int))
            }
            fn visit_i128<E>(self, i: i128) -> Result<Value, E> {
                Ok(i64::try_from(i).map_or(Value::Float(i as f64), Value::Int))
            }
            fn visit_u128<E>(self, u: u128) -> Result<Value, E> {
                Ok(match (i64::try_from(u), u64::try_from(u)) {
                    (Ok(i), _) => Value::Int(i),
                    (_, Ok(u)) => Value::UInt(u),
                    _ => Value::Float(u as f64),
                })
            }
            fn visit_f64<E>(self, x: f64) -> Result<Value, E> {
                Ok(Value::Float(x))
            }
            fn visit_str<E>(self, s: &str) -> Result<Value, E> {
                Ok(Value::Str(s.to_owned()))
            }
            fn visit_string<E>(self, s: String) -> Result<Value, E> {
                Ok(Value::Str(s))
            }
            fn visit_bytes<E: de::Error>(self, b: &[u8]) -> Result<Value, E> {
                String::from_utf8(b.to_vec())
                    .map(Value::Str)
                    .map_err(|_| E::custom("binary data is not allowed in a menu"))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
                let mut items = Vec::new();
                while let Some(x) = a.next_element()? {
                    items.push(x);
                }
                Ok(Value::Seq(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(e) = a.next_entry()? {
                    entries.push(e);
                }
                Ok(Value::Map(entries))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    struct Cfg {
        name: Spanned<String>,
        #[serde(default)]
        seats: u32,
    }

    fn tree(text: &str) -> Node {
        parse(text, &Limits::default()).unwrap()
    }

    #[test]
    fn positions_of_values_and_keys() {
        let t = tree("a: 1\nb:\n  c: [x, 2]\n");
        assert_eq!(t.get("b").unwrap().get("c").unwrap().pos, Pos::new(3, 6));
        let Value::Map(m) = &t.value else { panic!() };
        assert_eq!(m[1].0.pos, Pos::new(2, 1));
    }

    #[test]
    fn spanned_fields_and_errors() {
        let cfg: Cfg = from_node(&tree("name: 银行\nseats: 3\n")).unwrap();
        assert_eq!(cfg.name.value, "银行");
        assert_eq!(cfg.seats, 3);
        assert_eq!(cfg.name.pos, Pos::new(1, 7));

        let e = from_node::<Cfg>(&tree("name: x\nsaets: 3\n")).unwrap_err();
        assert_eq!(e.code, Code::UnknownKey);
        assert!(e.message.contains("did you mean \"seats\""), "{}", e.message);
        assert_eq!(e.pos, Some(Pos::new(2, 1)));

        let e = from_node::<Cfg>(&tree("seats: 3\n")).unwrap_err();
        assert_eq!(e.code, Code::MissingKey);

        let e = from_node::<Cfg>(&tree("name: x\nseats: -2\n")).unwrap_err();
        assert_eq!(e.pos, Some(Pos::new(2, 8)));
    }

    #[test]
    fn syntax_errors_have_positions() {
        let e = parse("a: [1, 2\nb: c", &Limits::default()).unwrap_err();
        assert!(e.pos.is_some());
        assert!(!e.message.contains("error:"));
        let e = parse("", &Limits::default()).unwrap_err();
        assert_eq!(e.message, "the file is empty");
    }

    #[test]
    fn duplicates_are_kept_for_the_loader() {
        let t = tree("a: 1\na: 2\n");
        assert_eq!(t.as_map().unwrap().len(), 2);
    }

    #[test]
    fn strict_booleans_keep_yes_as_text() {
        assert_eq!(tree("a: yes").get("a").unwrap().value, Value::Str("yes".into()));
    }

    #[test]
    fn hostile_nesting_and_aliases_are_refused() {
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        assert!(parse(&deep, &Limits::default()).is_err());
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..9 {
            let prev = if i == 0 { "a".to_string() } else { format!("l{}", i - 1) };
            bomb.push_str(&format!("l{i}: &l{i} [{}]\n", vec![format!("*{prev}"); 10].join(", ")));
        }
        assert!(parse(&bomb, &Limits::default()).is_err());
    }

    #[test]
    fn distributions_split_by_flow_commas_are_rejoined() {
        let t = tree("p: { seats: 2, handle_time: lognormal(mean=5m, sd=3m), label: x }\nl: [uniform(1s, 2s), 3]\n");
        let p = t.get("p").unwrap();
        assert_eq!(
            p.get("handle_time").unwrap().value,
            Value::Str("lognormal(mean=5m, sd=3m)".into())
        );
        assert_eq!(p.as_map().unwrap().len(), 3);
        let Value::Seq(items) = &t.get("l").unwrap().value else {
            panic!()
        };
        assert_eq!(items[0].value, Value::Str("uniform(1s, 2s)".into()));
        assert_eq!(items.len(), 2);
    }

    #[test]
    fn suggestions() {
        assert_eq!(closest("balanse", ["balance", "cards"]), Some("balance"));
        assert_eq!(closest("zzz", ["balance", "cards"]), None);
    }
}
