//! The one way in: reading a source (through the guarded reader), telling
//! its format from its content (a hotline menu or a vendor flow),
//! importing a flow, laying an overlay, then building the menu
//! ([`crate::menu::build()`]). Every command, the survey, the sweeps and the
//! Python package load menus here; nothing else calls the builder.
//!
//! Positions carry the text they are in ([`SourceId`]): the file given,
//! the overlay, or the menu generated from a vendor flow (whose
//! diagnostics are moved to the flow's blocks).

pub mod flows;
pub mod overlay;
pub mod records;

use std::path::Path;

use crate::diag::{Diagnostic, SourceId};
use crate::error::Error;
use crate::menu::yaml::{self, Node, Pos};
use crate::menu::{Hotline, LoadOptions};

use crate::diag::Code;
pub use overlay::Overlay;

/// The result of loading one file: the hotline when it is valid, and every
/// diagnostic (errors and warnings) either way.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The path as given.
    pub path: String,
    /// The text read (for rendering diagnostics).
    pub source: String,
    /// The hotline, when there is no error.
    pub hotline: Option<Hotline>,
    /// Problems found, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// All diagnostics rendered with source lines.
    pub fn render(&self) -> String {
        crate::diag::render_all(&self.diagnostics, &self.path, &self.source)
    }

    fn only(path: &str, source: &str, d: Diagnostic) -> Loaded {
        Loaded {
            path: path.into(),
            source: source.into(),
            hotline: None,
            diagnostics: vec![d],
        }
    }
}

/// Reads and validates a menu file (a hotline menu or a vendor flow).
///
/// Returns `Err` only when the file cannot be read at all (missing, a
/// directory, a FIFO, too large); problems in the text are diagnostics.
/// `-` reads standard input.
pub fn load(path: &Path, options: &LoadOptions) -> Result<Loaded, Error> {
    load_with(path, None, options)
}

/// [`load`] with an overlay laid over the menu (see [`overlay`]).
pub fn load_with(path: &Path, overlay: Option<&Overlay>, options: &LoadOptions) -> Result<Loaded, Error> {
    let shown = if path == Path::new("-") {
        "standard input".to_string()
    } else {
        path.display().to_string()
    };
    let bytes = crate::files::read(path, options.limits.max_bytes)?;
    if crate::files::is_utf16(&bytes) {
        let d = Diagnostic::error(
            Code::NotUtf8,
            "the file is UTF-16 text: save it as UTF-8 (for instance iconv -f UTF-16 -t UTF-8 OLD.yaml > NEW.yaml)",
        )
        .at(Some(Pos::new(1, 1)));
        return Ok(Loaded::only(&shown, "", d));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(match overlay {
            None => load_str(&text, &shown, options),
            Some(o) => load_str_with(&text, &shown, options, o),
        }),
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let prefix = String::from_utf8_lossy(valid);
            let line = prefix.matches('\n').count() as u32 + 1;
            let column = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
            let source = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let d = Diagnostic::error(
                Code::NotUtf8,
                "the file is not UTF-8 text (save it as UTF-8; binary files are not menus)",
            )
            .at(Some(Pos::new(line, column)));
            Ok(Loaded::only(&shown, &source, d))
        }
    }
}

/// Validates menu text (a hotline menu or a vendor flow); `path` is only
/// used in messages.
///
/// ```
/// let text = "hotline: Tiny\nentry: q\nnodes:\n  q: { kind: queue, pool: desk }\n\
///             agents:\n  desk: { seats: 2, handle_time: exp(mean=3m) }\n";
/// let loaded = hotline::input::load_str(text, "tiny.yaml", &Default::default());
/// assert!(!loaded.has_errors());
/// assert_eq!(loaded.hotline.unwrap().graph().node_count(), 1);
/// ```
pub fn load_str(source: &str, path: &str, options: &LoadOptions) -> Loaded {
    load_str_keeping_tree(source, path, options).0
}

/// [`load_str`], also giving the YAML tree of a menu in hotline's own
/// format when it parses (`None` for a vendor flow or a syntax error):
/// the language server reads names and places from it without parsing
/// the text twice.
pub fn load_str_keeping_tree(source: &str, path: &str, options: &LoadOptions) -> (Loaded, Option<Node>) {
    if let Some(vendor) = flows::detect(source) {
        return (load_flow(vendor, source, path, options, None), None);
    }
    match yaml::parse_noting_rejoins(source, &options.limits) {
        Ok((tree, rejoined)) => {
            let before = rejoined
                .into_iter()
                .map(|(pos, text)| {
                    Diagnostic::warning(
                        Code::UnquotedDistribution,
                        format!(
                            "write \"{}\" in quotes: inside {{ … }} YAML splits it at the comma; hotline puts it back together, but editors and the JSON Schema see two keys",
                            crate::escape::cell(&text)
                        ),
                    )
                    .at(Some(pos))
                })
                .collect();
            let (hotline, diagnostics) = crate::menu::build::build_with(&tree, before, options);
            let loaded = Loaded {
                path: path.into(),
                source: source.into(),
                hotline,
                diagnostics,
            };
            (loaded, Some(tree))
        }
        Err(e) => (
            Loaded::only(path, source, Diagnostic::error(Code::YamlSyntax, e.message).at(e.pos)),
            None,
        ),
    }
}

/// Validates a YAML tree already parsed from `source` (and perhaps edited:
/// `hotline sweep` sets values in it); `path` is only used in messages.
pub fn load_tree(tree: &Node, source: &str, path: &str, options: &LoadOptions) -> Loaded {
    let (hotline, diagnostics) = crate::menu::build(tree, options);
    Loaded {
        path: path.into(),
        source: source.into(),
        hotline,
        diagnostics,
    }
}

/// [`load_str`] with an overlay.
pub fn load_str_with(source: &str, path: &str, options: &LoadOptions, overlay: &Overlay) -> Loaded {
    let mut loaded = match flows::detect(source) {
        Some(vendor) => load_flow(vendor, source, path, options, Some(&overlay.tree)),
        None => match yaml::parse(source, &options.limits) {
            // The menu's own syntax errors come first.
            Err(_) => return load_str(source, path, options),
            Ok(mut tree) => match overlay::merge(&mut tree, &overlay.tree) {
                Ok(()) => load_tree(&tree, source, path, options),
                Err(d) => Loaded::only(path, source, d),
            },
        },
    };
    for d in &mut loaded.diagnostics {
        overlay.place(d);
    }
    loaded
}

/// The tree of the menu a file stands for, after importing a vendor flow
/// and laying an overlay over it, and the text its positions refer to:
/// what sweeps and `with_values` change.
pub fn effective_tree(
    source: &str,
    path: &str,
    options: &LoadOptions,
    overlay: Option<&Overlay>,
) -> Result<(Node, String), String> {
    let text = flows::menu_text(source, path).map_err(|ds| {
        ds.first()
            .map_or_else(|| "the flow cannot be imported".into(), |d| d.sentence())
    })?;
    let mut tree = yaml::parse(&text, &options.limits).map_err(|e| format!("{path}: {}", e.message))?;
    if let Some(o) = overlay {
        overlay::merge(&mut tree, &o.tree).map_err(|mut d| {
            o.place(&mut d);
            d.sentence()
        })?;
    }
    Ok((tree, text))
}

/// Loads vendor text as a menu: the vendor's findings and the builder's
/// diagnostics, placed at the block's position in the vendor file.
/// `overlay` (a parsed overlay file) is laid over the generated menu.
pub fn load_flow(
    vendor: flows::Vendor,
    text: &str,
    path: &str,
    options: &LoadOptions,
    overlay: Option<&Node>,
) -> Loaded {
    match flows::import(vendor, text, path) {
        Ok(imported) => load_imported(&imported, text, path, options, overlay),
        Err(findings) => Loaded {
            path: path.into(),
            source: text.into(),
            hotline: None,
            diagnostics: findings,
        },
    }
}

/// [`load_flow`] of an already imported flow.
pub fn load_imported(
    imported: &flows::Imported,
    text: &str,
    path: &str,
    options: &LoadOptions,
    overlay: Option<&Node>,
) -> Loaded {
    let mut tree = match yaml::parse(&imported.yaml, &options.limits) {
        Ok(t) => t,
        Err(e) => {
            // Its position is in the generated text, which nobody sees.
            let message = e.message.split(" at line ").next().unwrap_or(&e.message).to_string();
            let d = Diagnostic::error(
                Code::ImportFailed,
                format!(
                    "the imported menu could not be read back (a fault of hotline's import: please report it with the flow): {message}"
                ),
            );
            return Loaded::only(path, text, d);
        }
    };
    yaml::in_source(&mut tree, SourceId::Generated);
    if let Some(o) = overlay
        && let Err(d) = overlay::merge(&mut tree, o)
    {
        return Loaded::only(path, text, d);
    }
    let (mut hotline, mut built) = crate::menu::build(&tree, options);
    // The builder's positions are in the generated text: use the block's.
    for d in &mut built {
        if d.source == SourceId::Overlay {
            continue; // the overlay's own position, named by the caller
        }
        let at = d.node.as_ref().and_then(|n| imported.positions.get(n)).copied();
        d.line = at.map(|p| p.line);
        d.column = at.map(|p| p.column);
        d.source = at.map_or(SourceId::Main, |p| p.source);
    }
    // Nodes and transitions are where their blocks are, for the rule
    // findings of the analysis.
    if let Some(h) = &mut hotline {
        h.place_at(|id| imported.positions.get(id).copied());
    }
    let mut diagnostics = imported.all_findings(overlay);
    diagnostics.append(&mut built);
    Loaded {
        path: path.into(),
        source: text.into(),
        hotline,
        diagnostics,
    }
}
