//! Reading a flow's JSON into the position-keeping tree (duplicate keys:
//! the last wins, with a warning), and the small readers of its fields.

use super::*;

/// A JSON document as a position-keeping tree: bad JSON is an error at
/// its line and column. A key written twice in one object is kept last,
/// as JSON readers (and the vendors) do, with a warning at the first.
pub(crate) fn json_tree(text: &str) -> Result<(Node, Vec<Diagnostic>), Diagnostic> {
    let text = text.trim_start_matches('\u{feff}');
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
        let at = Pos::new(e.line().max(1) as u32, e.column().max(1) as u32);
        return Err(error(
            Code::VendorBadJson,
            format!("the flow is not valid JSON: {e}"),
            Some(at),
        ));
    }
    // JSON is YAML: the YAML reader gives every value its position.
    // The file's size was bounded when it was read; vendor flows nest as
    // deep as they like (no flag of hotline's sets this).
    let limits = crate::menu::yaml::Limits {
        max_bytes: usize::MAX,
        max_depth: 200,
        ..crate::menu::yaml::Limits::default()
    };
    let mut tree = crate::menu::yaml::parse(text, &limits).map_err(|e| {
        error(
            Code::VendorBadJson,
            format!(
                "the flow cannot be read: {}",
                e.message.replace(" (raise it with --max-nesting)", "")
            ),
            e.pos,
        )
    })?;
    let mut twice = Vec::new();
    last_keys_win(&mut tree, &mut twice);
    Ok((tree, twice))
}

/// Drops all but the last of each key written twice in a mapping, noting
/// the ones dropped.
fn last_keys_win(n: &mut Node, twice: &mut Vec<Diagnostic>) {
    match &mut n.value {
        crate::menu::yaml::Value::Map(entries) => {
            let mut seen: HashMap<String, usize> = HashMap::new();
            let mut dropped = Vec::new();
            for (i, (k, _)) in entries.iter().enumerate() {
                let key = k.scalar_text().unwrap_or_default();
                if let Some(before) = seen.insert(key.clone(), i) {
                    dropped.push(before);
                    twice.push(
                        Diagnostic::warning(
                            Code::VendorDuplicateKey,
                            format!(
                                "\"{key}\" is written twice in this object (again at line {}): JSON readers keep the last, and so does hotline",
                                k.pos.line
                            ),
                        )
                        .at(Some(entries[before].0.pos)),
                    );
                }
            }
            dropped.sort_unstable();
            for i in dropped.into_iter().rev() {
                entries.remove(i);
            }
            for (_, v) in entries.iter_mut() {
                last_keys_win(v, twice);
            }
        }
        crate::menu::yaml::Value::Seq(items) => items.iter_mut().for_each(|x| last_keys_win(x, twice)),
        _ => {}
    }
}

/// The text of `node.key`, when it is a scalar.
pub(crate) fn text_of(node: &Node, key: &str) -> Option<String> {
    node.get(key).and_then(Node::scalar_text)
}

/// The items of `node.key`, when it is a list.
pub(crate) fn list_of<'a>(node: &'a Node, key: &str) -> &'a [Node] {
    match node.get(key).map(|n| &n.value) {
        Some(crate::menu::yaml::Value::Seq(items)) => items,
        _ => &[],
    }
}
