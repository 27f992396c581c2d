//! Several vendor files read as one hotline: transfers between flows
//! resolved, ids shortened.

use super::*;

/// Reads several vendor files as one hotline: the first is where callers
/// enter; transfers to other flows are resolved by name, id or ARN among
/// them (Amazon Connect). A file whose text is another's is read once.
pub fn read_all(files: &[(Vendor, &str, &str)]) -> Result<Flow, Vec<Diagnostic>> {
    let mut flows = Vec::new();
    let mut errors = Vec::new();
    let mut notes = Vec::new();
    let mut seen: HashMap<String, &str> = HashMap::new();
    for (i, &(vendor, text, path)) in files.iter().enumerate() {
        if let Some(first) = seen.insert(crate::shard::hash(text), path) {
            notes.push(Diagnostic::warning(
                Code::VendorSameFlow,
                format!("{path} is the same flow as {first}: read once"),
            ));
            continue;
        }
        let flow = match vendor {
            Vendor::Connect => connect::read(text),
            Vendor::Twilio => twilio::read(text),
            Vendor::Genesys => genesys::read(text),
            Vendor::VoiceXml => voicexml::read(text),
        };
        match flow {
            Ok(mut f) => {
                f.vendor = Some(vendor);
                f.findings.extend(check::common(&f, text));
                let keys = if vendor == Vendor::Connect {
                    connect::flow_keys(text)
                } else {
                    Vec::new()
                };
                flows.push((f, path, keys));
            }
            Err(mut ds) => {
                if i > 0 {
                    // Positions in a later file are named in the message:
                    // the diagnostics are shown against the first file.
                    for d in &mut ds {
                        elsewhere(d, path);
                    }
                } else if files.len() > 1 {
                    for d in &mut ds {
                        d.message = format!("{path}: {}", d.message);
                    }
                }
                errors.extend(ds);
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut flow = join(flows);
    shorten_ids(&mut flow);
    check::targets(&mut flow);
    flow.findings.extend(notes);
    if flow.findings.iter().any(Diagnostic::is_error) {
        return Err(flow.findings);
    }
    Ok(flow)
}

/// A diagnostic about another file than the one shown: its file, line and
/// column move into the message.
fn elsewhere(d: &mut Diagnostic, path: &str) {
    d.message = match (d.line, d.column) {
        (Some(l), Some(c)) => format!("{path}:{l}:{c}: {}", d.message),
        (Some(l), None) => format!("{path}:{l}: {}", d.message),
        _ => format!("{path}: {}", d.message),
    };
    d.line = None;
    d.column = None;
}

/// Longest block id written as it is; a longer one (YAML cannot take a key
/// over 1,024 characters) is cut and made unique with a hash.
const MAX_ID: usize = 200;

/// Gives blocks whose ids are too long for a menu a shorter unique id.
fn shorten_ids(flow: &mut Flow) {
    let long = |id: &str| id.chars().count() > MAX_ID;
    if !flow.blocks.iter().any(|b| long(&b.id)) && !long(&flow.entry) {
        return;
    }
    let short = |id: &str| -> String {
        if long(id) {
            let head: String = id.chars().take(120).collect();
            format!("{head}…{}", crate::shard::hash(id))
        } else {
            id.to_string()
        }
    };
    for b in &mut flow.blocks {
        b.id = short(&b.id);
        for e in b.does.edges_mut() {
            e.to = short(&e.to);
        }
    }
    flow.entry = short(&flow.entry);
    for d in &mut flow.findings {
        d.node = d.node.as_deref().map(short);
    }
}

/// One flow from several: block ids of the second and later flows are
/// prefixed by their flow's name; `Flow` blocks naming a flow among them
/// become a step into its entry.
fn join(mut flows: Vec<(Flow, &str, Vec<String>)>) -> Flow {
    // Callers enter at the first flow no other flow transfers to.
    let names = |f: &(Flow, &str, Vec<String>)| -> Vec<String> {
        let mut k = f.2.clone();
        k.push(f.0.name.clone());
        k.retain(|s| !s.is_empty());
        k
    };
    let targets: Vec<Vec<String>> = flows
        .iter()
        .map(|(f, _, _)| {
            f.blocks
                .iter()
                .filter_map(|b| match &b.does {
                    Does::Flow { target } => Some(target.clone()),
                    _ => None,
                })
                .collect()
        })
        .collect();
    let named = |keys: &[String], target: &str| keys.iter().any(|k| k == target || target.ends_with(&format!("/{k}")));
    if let Some(first) = (0..flows.len()).find(|&i| {
        let keys = names(&flows[i]);
        !targets
            .iter()
            .enumerate()
            .any(|(j, ts)| j != i && ts.iter().any(|t| named(&keys, t)))
    }) {
        let f = flows.remove(first);
        flows.insert(0, f);
    }
    let mut iter = flows.into_iter();
    let Some((mut first, _, first_keys)) = iter.next() else {
        return Flow::default();
    };
    let mut entries: Vec<(Vec<String>, String)> = vec![(first_keys, first.entry.clone())];
    for (f, path, keys) in iter {
        let prefix = if f.name.is_empty() {
            path.to_string()
        } else {
            f.name.clone()
        };
        let rename = |id: &str| format!("{prefix}/{id}");
        let mut keys = keys;
        keys.push(f.name.clone());
        entries.push((keys, rename(&f.entry)));
        for mut b in f.blocks {
            b.id = rename(&b.id);
            for e in b.does.edges_mut() {
                e.to = rename(&e.to);
            }
            first.blocks.push(b);
        }
        for mut d in f.findings {
            elsewhere(&mut d, path);
            d.node = d.node.map(|n| rename(&n));
            first.findings.push(d);
        }
    }
    // Resolve transfers between the flows given.
    for b in &mut first.blocks {
        if let Does::Flow { target } = &b.does
            && let Some((_, entry)) = entries.iter().find(|(keys, _)| {
                keys.iter()
                    .any(|k| !k.is_empty() && (k == target || target.ends_with(&format!("/{k}"))))
            })
        {
            b.does = Does::Pass {
                next: Some(Edge {
                    to: entry.clone(),
                    pos: b.pos,
                }),
            };
        }
    }
    first
}
