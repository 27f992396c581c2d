//! A form's items: blocks, fields and the branches of their `<filled>`,
//! read in order.

use roxmltree::Node as X;

use super::*;

impl Reader {
    pub(super) fn form(&mut self, f: X, form: &str) {
        let items: Vec<X> = f
            .children()
            .filter(|c| ["block", "field", "transfer", "record", "subdialog", "object"].contains(&c.tag_name().name()))
            .collect();
        let ids: Vec<String> = items
            .iter()
            .enumerate()
            .map(|(i, n)| {
                if i == 0 {
                    form.to_string()
                } else {
                    format!(
                        "{form}/{}",
                        n.attribute("name").map_or_else(|| i.to_string(), String::from)
                    )
                }
            })
            .collect();
        if let Some(first) = items.first().and_then(|n| n.attribute("name")) {
            self.first_items.insert(form.to_string(), first.to_string());
        }
        if items.is_empty() {
            let e = self.target(form, f, Jump::End, form);
            self.push(form.to_string(), f, None, Does::Pass { next: Some(e) });
            return;
        }
        for (i, n) in items.iter().enumerate() {
            let id = &ids[i];
            // Where the item goes on (the next item, or the end of the
            // call after the last), made only when something goes there.
            let goes_on = match n.tag_name().name() {
                "block" => n.children().any(|c| c.has_tag_name("if")) || transition(*n).is_none(),
                "transfer" => false,
                _ => true,
            };
            let next = match ids.get(i + 1) {
                Some(to) => Edge {
                    to: to.clone(),
                    pos: self.at(*n),
                },
                None if goes_on => self.target(id, *n, Jump::End, form),
                None => Edge {
                    to: String::new(),
                    pos: self.at(*n),
                },
            };
            match n.tag_name().name() {
                "block" => {
                    let next = match self.branches(id, *n, form, &next) {
                        Some(e) => e,
                        None => match transition(*n) {
                            Some((at, jump)) => self.target(id, at, jump, form),
                            None => next,
                        },
                    };
                    let p = prompt_of(*n, &[]);
                    self.push(
                        id.clone(),
                        *n,
                        None,
                        Does::Say {
                            prompt: p,
                            next: Some(next),
                        },
                    );
                }
                "transfer" => {
                    let dest = n.attribute("dest").or(n.attribute("destexpr")).unwrap_or("transfer");
                    let pool = dest.trim_start_matches("tel:").to_string();
                    self.push(
                        id.clone(),
                        *n,
                        n.attribute("name").map(String::from),
                        Does::Queue { pool },
                    );
                }
                "field" => self.field(*n, id, form, next),
                _ => {
                    self.push(
                        id.clone(),
                        *n,
                        n.attribute("name").map(String::from),
                        Does::Pass { next: Some(next) },
                    );
                }
            }
        }
    }

    /// An `<if>`/`<elseif>`/`<else>` chain in a block: a decision on data
    /// with one arm per branch (each to its own jump, or on to `fallthrough`
    /// where it has none); `None` when the block has no chain.
    pub(super) fn branches(&mut self, id: &str, n: X, form: &str, fallthrough: &Edge) -> Option<Edge> {
        let chain = n.children().find(|c| c.has_tag_name("if"))?;
        // A jump after the chain is where an arm without one goes.
        let after = n.children().skip_while(|c| *c != chain).skip(1).find_map(|c| {
            if c.is_element() {
                transition(c).or_else(|| direct(c))
            } else {
                None
            }
        });
        let on = match after {
            Some((at, j)) => self.target(id, at, j, form),
            None => fallthrough.clone(),
        };
        let mut arms: Vec<(String, Vec<X>)> = vec![(chain.attribute("cond").unwrap_or("if").to_string(), Vec::new())];
        let mut has_else = false;
        for c in chain.children() {
            match c.tag_name().name() {
                "elseif" => arms.push((c.attribute("cond").unwrap_or("elseif").to_string(), Vec::new())),
                "else" => {
                    has_else = true;
                    arms.push(("else".into(), Vec::new()));
                }
                _ => arms.last_mut().expect("one arm").1.push(c),
            }
        }
        let mut out: Vec<(String, Edge)> = Vec::new();
        for (label, nodes) in arms {
            let jump = nodes.iter().find_map(|x| {
                if x.is_element() {
                    transition(*x).or_else(|| direct(*x))
                } else {
                    None
                }
            });
            let to = match jump {
                Some((at, j)) => self.target(id, at, j, form),
                None => on.clone(),
            };
            out.push((label, to));
        }
        if !has_else {
            out.push(("else".into(), on));
        }
        if out.iter().all(|(_, e)| e.to == out[0].1.to) {
            return Some(out.swap_remove(0).1);
        }
        let decide = format!("{id}~if");
        let at = self.at(chain);
        self.push(
            decide.clone(),
            chain,
            None,
            Does::Decide {
                what: Decision::Data,
                arms: out,
            },
        );
        Some(Edge { to: decide, pos: at })
    }

    /// A field: its options give keys; its `<filled>` routes by `if`.
    pub(super) fn field(&mut self, n: X, id: &str, form: &str, next: Edge) {
        let name = n.attribute("name").unwrap_or("");
        let options: Vec<(String, String)> = n
            .children()
            .filter(|c| c.has_tag_name("option"))
            .map(|o| {
                let text = o.text().unwrap_or("").trim().to_string();
                (
                    o.attribute("value").map_or_else(|| text.clone(), String::from),
                    o.attribute("dtmf").unwrap_or("").to_string(),
                )
            })
            .collect();
        let input_for = |value: &str| -> Input {
            match options.iter().find(|(v, _)| v == value) {
                Some((_, k)) if !k.is_empty() => Input::Key(k.clone()),
                _ if value.chars().count() == 1
                    && value.chars().all(|c| c.is_ascii_digit() || c == '*' || c == '#') =>
                {
                    Input::Key(value.to_string())
                }
                _ => Input::Phrase(value.to_string()),
            }
        };
        let mut choices = Vec::new();
        let mut no_match = None;
        let mut data = false;
        if let Some(filled) = n.children().find(|c| c.has_tag_name("filled")) {
            match filled.children().find(|c| c.has_tag_name("if")) {
                Some(cond_if) => {
                    // if / elseif / else are siblings inside <if>: split the children.
                    let mut arm_cond = cond_if.attribute("cond").map(String::from);
                    let mut arms: Vec<(Option<String>, Vec<X>)> = vec![(arm_cond.take(), Vec::new())];
                    for c in cond_if.children() {
                        match c.tag_name().name() {
                            "elseif" => arms.push((c.attribute("cond").map(String::from), Vec::new())),
                            "else" => arms.push((None, Vec::new())),
                            _ => arms.last_mut().expect("one arm").1.push(c),
                        }
                    }
                    for (cond, nodes) in arms {
                        let jump = nodes.iter().find_map(|x| {
                            if x.is_element() {
                                transition(*x).or_else(|| direct(*x))
                            } else {
                                None
                            }
                        });
                        let to = match jump {
                            Some((at, j)) => self.target(id, at, j, form),
                            None => next.clone(),
                        };
                        match cond {
                            Some(c) => match compared_value(&c, name) {
                                Some(v) => choices.push(Choice {
                                    input: input_for(&v),
                                    to,
                                }),
                                None => {
                                    data = true;
                                    choices.push(Choice {
                                        input: Input::Phrase(c),
                                        to,
                                    });
                                }
                            },
                            None => no_match = Some(to),
                        }
                    }
                }
                None => {
                    let to = match transition(filled) {
                        Some((at, j)) => self.target(id, at, j, form),
                        None => next.clone(),
                    };
                    let what = if options.is_empty() {
                        "any input".to_string()
                    } else {
                        "an option".to_string()
                    };
                    choices.push(Choice {
                        input: Input::Phrase(what),
                        to,
                    });
                }
            }
        } else {
            choices.push(Choice {
                input: Input::Phrase("any input".into()),
                to: next.clone(),
            });
        }
        let (no_input, handler_no_match) = self.handlers(id, n, form);
        let labels: Vec<String> = options.iter().map(|(v, _)| v.clone()).collect();
        let prompt = prompt_of(n, &labels);
        if data {
            // Conditions on data, not on what was said: a decision after the input.
            let decide = format!("{id}~cond");
            let mut arms: Vec<(String, Edge)> = choices
                .into_iter()
                .map(|c| {
                    let l = match c.input {
                        Input::Key(k) | Input::Phrase(k) => k,
                    };
                    (l, c.to)
                })
                .collect();
            arms.extend(no_match.map(|e| ("else".to_string(), e)));
            self.push(
                decide.clone(),
                n,
                None,
                Does::Decide {
                    what: Decision::Data,
                    arms,
                },
            );
            let p = self.at(n);
            self.ask(
                id,
                n,
                prompt,
                vec![Choice {
                    input: Input::Phrase("any input".into()),
                    to: Edge { to: decide, pos: p },
                }],
                no_input,
                handler_no_match,
            );
        } else {
            self.ask(id, n, prompt, choices, no_input, no_match.or(handler_no_match));
        }
    }
}
