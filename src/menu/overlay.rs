//! An overlay: a partial menu in the menu's own syntax, laid over a menu
//! (an imported vendor flow, most often) to give what the flow does not
//! say: caller shares, seats and handle times, arrivals.
//!
//! Mappings merge key by key; any other value replaces the menu's. Under
//! `nodes`, an id the menu does not have is an error (a typo would
//! otherwise add a node nobody reaches).

use crate::diag::Diagnostic;
use crate::yaml::{Node, Value};

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
                let hint = crate::yaml::hint(&key, crate::yaml::closest(&key, known.iter().map(String::as_str)));
                return Err(Diagnostic::error(
                    "overlay-unknown-node",
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
