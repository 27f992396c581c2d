//! An overlay: a partial menu in the menu's own syntax, laid over a menu
//! (an imported vendor flow, most often) to give what the flow does not
//! say: caller shares, seats and handle times, arrivals.
//!
//! Mappings merge key by key; any other value replaces the menu's. Under
//! `nodes`, an id the menu does not have is an error (a typo would
//! otherwise add a node nobody reaches).

use std::path::Path;

use crate::diag::Code;
use crate::diag::{Diagnostic, SourceId};
use crate::error::Error;
use crate::menu::LoadOptions;
use crate::menu::yaml::{self, Node, Value};

/// Lays `over` onto `base`.
pub fn merge(base: &mut Node, over: &Node) -> Result<(), Diagnostic> {
    merge_at(base, over, &mut Vec::new())
}

fn merge_at(base: &mut Node, over: &Node, path: &mut Vec<String>) -> Result<(), Diagnostic> {
    let (Value::Map(b), Value::Map(o)) = (&mut base.value, &over.value) else {
        *base = over.clone();
        return Ok(());
    };
    for (k, v) in o {
        let key = k.scalar_text().unwrap_or_default();
        match b
            .iter()
            .position(|(bk, _)| bk.scalar_text().as_deref() == Some(key.as_str()))
        {
            Some(i) => {
                path.push(key);
                merge_at(&mut b[i].1, v, path)?;
                path.pop();
            }
            None if path.len() == 1 && path[0] == "nodes" => {
                let known: Vec<String> = b.iter().filter_map(|(bk, _)| bk.scalar_text()).collect();
                let hint =
                    crate::menu::yaml::hint(&key, crate::menu::yaml::closest(&key, known.iter().map(String::as_str)));
                return Err(Diagnostic::error(
                    Code::OverlayUnknownNode,
                    format!("the overlay sets node \"{key}\", which the menu does not have{hint}"),
                )
                .at(Some(k.pos))
                .node(key));
            }
            None => b.push((k.clone(), v.clone())),
        }
    }
    Ok(())
}

/// An overlay file, parsed: its tree, whose positions are in the overlay
/// ([`SourceId::Overlay`]), so that a diagnostic about one of its values
/// can be told from one about the menu's own.
#[derive(Clone, Debug)]
pub struct Overlay {
    /// The file's name, for messages.
    pub path: String,
    /// The tree.
    pub tree: Node,
}

impl Overlay {
    /// Reads and parses an overlay file.
    pub fn read(path: &Path, options: &LoadOptions) -> Result<Overlay, Error> {
        let shown = path.display().to_string();
        let bytes = crate::files::read(path, options.limits.max_bytes)?;
        let text = String::from_utf8(bytes).map_err(|_| Error::Unusable {
            path: shown.clone(),
            message: "the overlay is not UTF-8 text".into(),
        })?;
        Overlay::parse(&text, &shown, options)
    }

    /// Parses overlay text named `path`.
    pub fn parse(text: &str, path: &str, options: &LoadOptions) -> Result<Overlay, Error> {
        let mut tree = yaml::parse(text, &options.limits).map_err(|e| Error::Unusable {
            path: match e.pos {
                Some(p) => format!("{path}:{p}"),
                None => path.to_string(),
            },
            message: e.message,
        })?;
        if tree.as_map().is_none() {
            return Err(Error::Unusable {
                path: path.to_string(),
                message: "an overlay is a mapping, like a menu (nodes:, agents:, callers:)".into(),
            });
        }
        yaml::in_source(&mut tree, SourceId::Overlay);
        Ok(Overlay {
            path: path.to_string(),
            tree,
        })
    }

    /// A diagnostic about an overlay value names the overlay's file, line
    /// and column in its message (the menu's source cannot show it).
    pub fn place(&self, d: &mut Diagnostic) {
        if let (SourceId::Overlay, Some(line)) = (d.source, d.line) {
            d.message = format!("{}:{}:{}: {}", self.path, line, d.column.unwrap_or(1), d.message);
            d.line = None;
            d.column = None;
            d.source = SourceId::Main;
        }
    }
}
