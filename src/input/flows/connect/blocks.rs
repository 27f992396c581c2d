//! The actions of a Connect flow mapped to the flow vocabulary's blocks.

use super::*;

pub(super) fn map(actions: Vec<Action>, entry: String, name: String) -> Flow {
    let by_id: HashMap<&str, usize> = actions.iter().enumerate().map(|(i, a)| (a.id.as_str(), i)).collect();
    let mut flow = Flow {
        name,
        entry,
        ..Flow::default()
    };
    // The queue set before a transfer: the nearest "Set working queue" that
    // leads to it.
    let mut preds: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, a) in actions.iter().enumerate() {
        let outs = a
            .next
            .iter()
            .chain(a.conditions.iter().map(|c| &c.2))
            .chain(a.errors.iter().map(|e| &e.1));
        for e in outs {
            preds.entry(e.to.as_str()).or_default().push(i);
        }
    }
    let queue_before = |start: &str| -> Option<String> {
        let mut seen = std::collections::HashSet::new();
        let mut todo = std::collections::VecDeque::from([start.to_string()]);
        while let Some(id) = todo.pop_front() {
            for &p in preds.get(id.as_str()).into_iter().flatten() {
                if !seen.insert(p) {
                    continue;
                }
                if actions[p].kind == "UpdateContactTargetQueue" {
                    return queue_name(&actions[p]);
                }
                todo.push_back(actions[p].id.clone());
            }
        }
        None
    };
    let stores_input = actions.iter().any(|a| {
        a.kind == "GetParticipantInput"
            && a.params
                .get("StoreInput")
                .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    });
    let mut folded = std::collections::HashSet::new();
    let mut blocks = Vec::new();
    for a in &actions {
        let does = match a.kind.as_str() {
            "MessageParticipant" | "MessageParticipantIteratively" => Does::Say {
                prompt: prompt(a),
                next: a.next.clone(),
            },
            "GetParticipantInput" | "ConnectParticipantWithLexBot" => {
                let lex = a.kind == "ConnectParticipantWithLexBot"
                    || a.params.contains_key("LexV2Bot")
                    || a.params.contains_key("LexBot");
                let stores = a
                    .params
                    .get("StoreInput")
                    .is_some_and(|v| v.eq_ignore_ascii_case("true"));
                let mut conditions: Vec<(String, Edge)> =
                    a.conditions.iter().map(|(_, v, e)| (v.clone(), e.clone())).collect();
                let mut no_match = error_to(a, &["NoMatchingCondition"]);
                if stores
                    && conditions.is_empty()
                    && let Some(next) = &a.next
                    && let Some(&ci) = by_id.get(next.to.as_str())
                    && actions[ci].kind == "Compare"
                    && actions[ci]
                        .params
                        .get("ComparisonValue")
                        .is_some_and(|v| v == "$.StoredCustomerInput")
                {
                    // Stored digits checked right after: one menu.
                    let c = &actions[ci];
                    conditions = c.conditions.iter().map(|(_, v, e)| (v.clone(), e.clone())).collect();
                    no_match = error_to(c, &["NoMatchingCondition"]).or_else(|| c.next.clone());
                    folded.insert(c.id.clone());
                }
                let choices: Vec<Choice> = conditions
                    .into_iter()
                    .map(|(v, to)| Choice {
                        input: if lex { Input::Phrase(v) } else { Input::Key(v) },
                        to,
                    })
                    .collect();
                let no_input = error_to(a, &["InputTimeLimitExceeded"]);
                let no_match = no_match.or_else(|| error_to(a, &["NoMatchingError"]));
                if choices.is_empty() && stores {
                    // Digits stored for later: the caller enters them and goes on.
                    Does::Ask {
                        prompt: prompt(a),
                        choices: a
                            .next
                            .iter()
                            .map(|e| Choice {
                                input: Input::Phrase("digits".into()),
                                to: e.clone(),
                            })
                            .collect(),
                        no_input,
                        no_match,
                        retries: 0,
                        timeout: a.params.get("InputTimeLimitSeconds").and_then(|t| t.parse().ok()),
                    }
                } else {
                    Does::Ask {
                        prompt: prompt(a),
                        choices,
                        no_input,
                        no_match,
                        retries: 0,
                        timeout: a.params.get("InputTimeLimitSeconds").and_then(|t| t.parse().ok()),
                    }
                }
            }
            "TransferContactToQueue" => Does::Queue {
                pool: queue_name(a)
                    .or_else(|| queue_before(&a.id))
                    .unwrap_or_else(|| "working queue".into()),
            },
            "TransferParticipantToThirdParty" => Does::Queue {
                pool: a
                    .params
                    .get("ThirdPartyPhoneNumber")
                    .cloned()
                    .unwrap_or_else(|| a.id.clone()),
            },
            "DisconnectParticipant" | "EndFlowExecution" | "EndFlowModuleExecution" => Does::Hangup,
            "TransferToFlow" => Does::Flow {
                target: a.params.get("ContactFlowId").cloned().unwrap_or_default(),
            },
            "CheckHoursOfOperation" => {
                let mut arms: Vec<(String, Edge)> = Vec::new();
                let open = a.conditions.iter().find(|c| c.1.eq_ignore_ascii_case("true"));
                let closed = a.conditions.iter().find(|c| c.1.eq_ignore_ascii_case("false"));
                arms.extend(open.map(|c| ("open".to_string(), c.2.clone())));
                arms.extend(a.errors.iter().map(|(k, e)| (k.clone(), e.clone())));
                arms.extend(closed.map(|c| ("closed".to_string(), c.2.clone())));
                Does::Decide {
                    what: Decision::Hours,
                    arms,
                }
            }
            "DistributeByPercentage" => {
                // A number from 1 to 100 is drawn; the first condition it is
                // below takes the contact: out-of-order thresholds take
                // nothing, thresholds outside 0..100 are cut to it.
                let mut arms = Vec::new();
                let mut below = 0.0f64;
                let mut odd = Vec::new();
                for (_, v, e) in &a.conditions {
                    let t: f64 = match v.trim().parse::<f64>() {
                        Ok(t) if t.is_finite() => t,
                        _ => {
                            odd.push(format!("\"{v}\" is not a number"));
                            below
                        }
                    };
                    if !(0.0..=100.0).contains(&t) {
                        odd.push(format!("{} is outside 0 to 100", crate::menu::value::trim_float(t)));
                    } else if t < below {
                        odd.push(format!(
                            "{} comes after {} (it takes nothing)",
                            crate::menu::value::trim_float(t),
                            crate::menu::value::trim_float(below)
                        ));
                    }
                    let t = t.clamp(0.0, 100.0);
                    arms.push((
                        format!("{}%", crate::menu::value::trim_float((t - below).max(0.0))),
                        e.clone(),
                    ));
                    below = below.max(t);
                }
                if !odd.is_empty() {
                    flow.findings.push(finding(
                        Code::VendorBadPercentages,
                        format!(
                            "the percentages are not increasing thresholds from 0 to 100: {}; the shares are what Amazon Connect does with them (each condition takes the part above the ones before it)",
                            odd.join("; ")
                        ),
                        a.pos,
                        &a.id,
                    ));
                }
                if let Some(e) = error_to(a, &["NoMatchingCondition"]).or_else(|| a.next.clone()) {
                    arms.push((format!("{}%", crate::menu::value::trim_float(100.0 - below)), e));
                }
                Does::Decide {
                    what: Decision::Percent,
                    arms,
                }
            }
            "Compare"
                if a.params
                    .get("ComparisonValue")
                    .is_some_and(|v| v.eq_ignore_ascii_case("$.Channel")) =>
            {
                // The channel is known: a caller of the imported menu is on
                // the phone, so the VOICE branch (or no match) takes all.
                let voice = a
                    .conditions
                    .iter()
                    .position(|(_, v, _)| v.eq_ignore_ascii_case("VOICE"));
                let mut arms: Vec<(String, Edge)> = a
                    .conditions
                    .iter()
                    .enumerate()
                    .map(|(i, (_, _, e))| (if Some(i) == voice { "100%" } else { "0%" }.to_string(), e.clone()))
                    .collect();
                arms.extend(
                    error_to(a, &["NoMatchingCondition"])
                        .or_else(|| a.next.clone())
                        .map(|e| (if voice.is_some() { "0%" } else { "100%" }.to_string(), e)),
                );
                Does::Decide {
                    what: Decision::Percent,
                    arms,
                }
            }
            "Compare" => {
                let reads_input = a
                    .params
                    .get("ComparisonValue")
                    .is_some_and(|v| v == "$.StoredCustomerInput");
                if reads_input && !stores_input {
                    flow.findings.push(finding(
                        Code::VendorWrongInput,
                        "it checks $.StoredCustomerInput, but no block of the flow stores the caller's input: none of its conditions can match".to_string(),
                        a.pos,
                        &a.id,
                    ));
                }
                let mut arms: Vec<(String, Edge)> =
                    a.conditions.iter().map(|(l, _, e)| (l.clone(), e.clone())).collect();
                if reads_input && !stores_input {
                    arms.clear();
                }
                arms.extend(
                    error_to(a, &["NoMatchingCondition"])
                        .or_else(|| a.next.clone())
                        .map(|e| ("no match".to_string(), e)),
                );
                Does::Decide {
                    what: Decision::Data,
                    arms,
                }
            }
            "InvokeLambdaFunction" | "InvokeFlowModule" | "InvokeExternalResource" => {
                let mut arms: Vec<(String, Edge)> = a.next.iter().map(|e| ("success".to_string(), e.clone())).collect();
                arms.extend(a.errors.iter().map(|(k, e)| (k.clone(), e.clone())));
                Does::Decide {
                    what: Decision::Function,
                    arms,
                }
            }
            "Loop" => Does::Decide {
                what: Decision::Data,
                arms: a.conditions.iter().map(|(_, v, e)| (v.clone(), e.clone())).collect(),
            },
            _ => {
                if a.conditions.is_empty() && (a.errors.is_empty() || a.next.is_none()) {
                    Does::Pass { next: a.next.clone() }
                } else if a.conditions.is_empty() {
                    // A block's error branches: taken rarely (1% in all), but taken.
                    let each = crate::menu::value::trim_float(1.0 / a.errors.len() as f64);
                    let mut arms: Vec<(String, Edge)> = a.next.iter().map(|e| ("99%".to_string(), e.clone())).collect();
                    arms.extend(a.errors.iter().map(|(_, e)| (format!("{each}%"), e.clone())));
                    Does::Decide {
                        what: Decision::Percent,
                        arms,
                    }
                } else {
                    let mut arms: Vec<(String, Edge)> =
                        a.conditions.iter().map(|(l, _, e)| (l.clone(), e.clone())).collect();
                    arms.extend(a.next.iter().map(|e| ("otherwise".to_string(), e.clone())));
                    Does::Decide {
                        what: Decision::Data,
                        arms,
                    }
                }
            }
        };
        blocks.push(Block {
            id: a.id.clone(),
            pos: a.pos,
            kind: a.kind.clone(),
            label: a.label.clone(),
            does,
        });
    }
    // A folded check stays only if something else leads to it.
    let referenced: std::collections::HashSet<String> = blocks
        .iter()
        .filter(|b| !matches!(b.does, Does::Ask { .. }))
        .flat_map(|b| b.does.edges().into_iter().map(|e| e.to.clone()))
        .chain(std::iter::once(flow.entry.clone()))
        .collect();
    blocks.retain(|b| !folded.contains(&b.id) || referenced.contains(&b.id));
    flow.blocks = blocks;
    flow
}
