//! Validation of one node: its kind's keys, its targets, choices,
//! retries and queue settings, turned into edges of the graph.

use super::*;

/// Validation of one node.
pub(super) struct NodeCx<'a> {
    pub(super) b: &'a mut Builder,
    pub(super) id: &'a str,
    pub(super) ids: &'a IndexMap<String, Pos>,
    pub(super) graph_ids: &'a HashMap<String, NodeIndex>,
    pub(super) segments: &'a [Segment],
    pub(super) edges: Vec<(NodeIndex, Transition)>,
}

const DTMF_KEYS: &[&str] = &["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "#"];

impl NodeCx<'_> {
    pub(super) fn err(&mut self, code: Code, msg: impl Into<String>, pos: Pos) {
        self.b.err(code, msg, Some(pos), Some(self.id));
    }

    /// Adds an edge to `target` after checking it exists.
    pub(super) fn edge(
        &mut self,
        what: &str,
        target: &Spanned<String>,
        via: Via,
        share: f64,
    ) -> Option<&mut Transition> {
        if !self.ids.contains_key(target.value.as_str()) {
            let hint = self.b.suggest(&target.value, self.ids.keys());
            self.err(
                Code::UnknownTarget,
                format!("{what} goes to \"{}\", which does not exist{hint}", target.value),
                target.pos,
            );
            return None;
        }
        let to = *self.graph_ids.get(target.value.as_str())?;
        self.edges.push((
            to,
            Transition {
                via,
                share,
                by_segment: Vec::new(),
                label: None,
                insist: 1,
                pos: target.pos,
            },
        ));
        self.edges.last_mut().map(|(_, t)| t)
    }

    pub(super) fn segment(&mut self, name: &Spanned<String>) -> Option<usize> {
        let found = self.segments.iter().position(|s| s.name == name.value);
        if found.is_none() {
            let names: Vec<String> = self.segments.iter().map(|s| s.name.clone()).collect();
            let hint = self.b.suggest(&name.value, names.iter());
            let known = if names.is_empty() {
                " (callers.segments defines none)".to_string()
            } else {
                hint
            };
            self.err(
                Code::UnknownSegment,
                format!("segment \"{}\" is not defined in callers.segments{known}", name.value),
                name.pos,
            );
        }
        found
    }

    pub(super) fn retries(&mut self, r: &Option<Spanned<i64>>) -> u32 {
        match r {
            None => 2,
            Some(r) if (0..=9).contains(&r.value) => r.value as u32,
            Some(r) => {
                self.err(
                    Code::RetriesOutOfRange,
                    format!("retries must be from 0 to 9, not {}", r.value),
                    r.pos,
                );
                2
            }
        }
    }

    pub(super) fn node(
        &mut self,
        raw: &RawNode,
        pools: &[(Pos, Pool)],
        pool_names: &HashSet<String>,
        used_pools: &mut HashSet<String>,
        entry: Option<NodeIndex>,
    ) -> Option<MenuNode> {
        let (say, duration, label, written) = common(raw);
        let channel = match (written, raw) {
            (Some(c), RawNode::Online(_)) if c.value == RawChannel::Phone => {
                self.err(
                    Code::OnlineOnPhone,
                    "an online node is where the caller leaves the phone: it is always in the online channel (remove \"channel: phone\")",
                    c.pos,
                );
                Channel::Online
            }
            (_, RawNode::Online(_)) => Channel::Online,
            (Some(c), _) if c.value == RawChannel::Online => Channel::Online,
            _ => Channel::Phone,
        };
        let kind = match raw {
            RawNode::Prompt(p) => {
                self.edge("next", &p.next, Via::Next, 1.0);
                Kind::Prompt
            }
            RawNode::Menu(m) => {
                if m.options.is_empty() {
                    self.err(Code::NoOptions, "a menu needs at least one option", self.ids[self.id]);
                }
                let choices: Vec<_> = m.options.iter().map(|(k, c)| (Via::Key(k.clone()), c)).collect();
                self.choices(&choices);
                let input = self.input(&m.timeout, &m.retries, &m.no_input, &m.invalid);
                self.on_fail(&m.on_fail, input.fail() > 0.0, "no_input or invalid is above 0");
                Kind::Menu(input)
            }
            RawNode::Speech(sp) => {
                if sp.intents.is_empty() && sp.options.is_empty() {
                    self.err(
                        Code::NoOptions,
                        "a speech node needs at least one intent or option",
                        self.ids[self.id],
                    );
                }
                let mut choices: Vec<_> = sp.intents.iter().map(|(k, c)| (Via::Intent(k.clone()), c)).collect();
                choices.extend(sp.options.iter().map(|(k, c)| (Via::Key(k.clone()), c)));
                self.choices(&choices);
                let input = self.input(&sp.timeout, &sp.retries, &sp.no_input, &None);
                self.on_fail(&sp.on_fail, input.no_input > 0.0, "no_input is above 0");
                let understood = sp.understood.as_ref().map_or(1.0, |u| u.value.0);
                match &sp.on_misunderstood {
                    Some(t) => {
                        self.edge("on_misunderstood", t, Via::Misunderstood, 0.0);
                    }
                    None if understood < 1.0 => {
                        let pos = sp.understood.as_ref().map_or(self.ids[self.id], |u| u.pos);
                        self.err(
                            Code::MissingKey,
                            "missing key \"on_misunderstood\": it is required when understood is below 1",
                            pos,
                        );
                    }
                    None => {}
                }
                Kind::Speech(Speech { input, understood })
            }
            RawNode::SelfService(ss) => {
                let resolves = ss.resolves.as_ref().map_or(0.0, |r| r.value.0);
                match &ss.next {
                    Some(t) => {
                        self.edge("next", t, Via::Next, 1.0);
                    }
                    None if resolves < 1.0 => {
                        self.err(
                            Code::MissingKey,
                            "missing key \"next\": it is required when resolves is below 1",
                            self.ids[self.id],
                        );
                    }
                    None => {}
                }
                Kind::SelfService { resolves }
            }
            RawNode::Branch(br) => {
                for (i, case) in br.cases.iter().enumerate() {
                    let c = &case.condition.value;
                    if c.segment.is_none() && c.hours.is_none() && c.share.is_none() {
                        self.err(
                            Code::EmptyCondition,
                            "a case's \"if\" needs a segment, hours or a share",
                            case.condition.pos,
                        );
                    }
                    let segment = c
                        .segment
                        .as_ref()
                        .and_then(|s| self.segment(s).map(|i| (i, s.value.clone())));
                    let cond = Condition {
                        segment,
                        hours: c.hours.as_ref().map(|h| h.value.clone()),
                        share: c.share.as_ref().map(|s| s.value.0),
                    };
                    self.edge(&format!("case {}", i + 1), &case.to, Via::Case(i, cond), 0.0);
                }
                self.edge("else", &br.otherwise, Via::Else, 0.0);
                Kind::Branch
            }
            RawNode::Queue(q) => Kind::Queue(self.queue(q, pools, pool_names, used_pools)?),
            RawNode::Online(o) => {
                let calls_back = o.calls_back.as_ref().map(|c| {
                    (
                        c.share.value.0,
                        c.value.after.as_ref().map_or(Dist::default(), |a| a.value),
                    )
                });
                let resolves = o.resolves.as_ref().map_or(0.0, |r| r.value.0);
                if let Some((share, _)) = calls_back {
                    if resolves + share > 1.0 + 1e-9 {
                        self.err(
                            Code::ShareSum,
                            format!("resolves ({resolves}) and calls_back share ({share}) add up to more than 1"),
                            o.calls_back.as_ref()?.pos,
                        );
                    }
                    if let (Some(e), Some(c)) = (entry, &o.calls_back) {
                        self.edges.push((
                            e,
                            Transition {
                                via: Via::CallBack,
                                share,
                                by_segment: Vec::new(),
                                label: None,
                                insist: 1,
                                pos: c.pos,
                            },
                        ));
                    }
                }
                Kind::Online(Online { resolves, calls_back })
            }
            RawNode::Hangup(_) => Kind::Hangup,
        };
        Some(MenuNode {
            id: self.id.to_string(),
            pos: self.ids[self.id],
            say,
            label,
            duration,
            kind,
            channel,
        })
    }

    pub(super) fn input(
        &mut self,
        timeout: &Option<Spanned<Duration>>,
        retries: &Option<Spanned<i64>>,
        no_input: &Option<Spanned<Share>>,
        invalid: &Option<Spanned<Share>>,
    ) -> Input {
        Input {
            timeout: timeout.as_ref().map_or(5.0, |t| t.value.secs()),
            retries: self.retries(retries),
            no_input: no_input.as_ref().map_or(0.0, |s| s.value.0),
            invalid: invalid.as_ref().map_or(0.0, |s| s.value.0),
        }
    }

    pub(super) fn on_fail(&mut self, on_fail: &Option<Spanned<String>>, can_fail: bool, because: &str) {
        match on_fail {
            Some(t) => {
                self.edge("on_fail", t, Via::Fail, 0.0);
            }
            None if can_fail => {
                self.err(
                    Code::MissingKey,
                    format!("missing key \"on_fail\": it is required when {because}"),
                    self.ids[self.id],
                );
            }
            None => {}
        }
    }

    /// Checks keys and shares of options and intents, and adds their edges.
    pub(super) fn choices(&mut self, choices: &[(Via, &Spanned<RawChoice>)]) {
        let given: f64 = choices
            .iter()
            .filter_map(|(_, c)| c.share.as_ref())
            .map(|s| s.value.0)
            .sum();
        let missing = choices.iter().filter(|(_, c)| c.share.is_none()).count();
        let node_pos = self.ids[self.id];
        let fill = if missing > 0 {
            (1.0 - given) / missing as f64
        } else {
            0.0
        };
        if missing > 0 && fill < -1e-9 {
            self.err(Code::ShareSum, format!("the shares given add up to {}, above 1, leaving nothing for the {missing} option(s) without a share", crate::menu::value::trim_float(given)), node_pos);
        } else if missing == 0 && !choices.is_empty() && (given - 1.0).abs() > 1e-9 {
            self.err(
                Code::ShareSum,
                format!(
                    "the shares of the options add up to {}, not 1",
                    crate::menu::value::trim_float(given)
                ),
                node_pos,
            );
        }
        let mut seg_totals: IndexMap<usize, (f64, Pos, String)> = IndexMap::new();
        for (via, c) in choices {
            if let Via::Key(k) = via
                && !DTMF_KEYS.contains(&k.as_str())
            {
                self.err(
                    Code::BadKey,
                    format!("option \"{k}\" is not a phone key (use 0-9, * or #)"),
                    c.pos,
                );
            }
            let what = match via {
                Via::Key(k) => format!("option \"{k}\""),
                Via::Intent(i) => format!("intent \"{i}\""),
                _ => String::new(),
            };
            let insist = match &c.insist {
                None => 1,
                Some(n) if matches!(via, Via::Key(_)) => {
                    self.err(Code::InvalidValue, "\"insist\" is only for speech intents", n.pos);
                    1
                }
                Some(n) if (1..=10).contains(&n.value) => n.value as u32,
                Some(n) => {
                    self.err(
                        Code::OutOfRange,
                        format!("insist must be from 1 to 10, not {}", n.value),
                        n.pos,
                    );
                    1
                }
            };
            let share = c.share.as_ref().map_or(fill.max(0.0), |s| s.value.0);
            let mut by_segment = Vec::new();
            for (name, s) in &c.by_segment {
                let spanned = Spanned {
                    value: name.clone(),
                    pos: s.pos,
                };
                if let Some(i) = self.segment(&spanned) {
                    by_segment.push((i, s.value.0));
                }
            }
            if let Some(t) = self.edge(&what, &c.to, via.clone(), share) {
                t.label = c.label.clone();
                t.insist = insist;
                t.by_segment = by_segment.clone();
            }
            for (i, _) in &by_segment {
                seg_totals
                    .entry(*i)
                    .or_insert((0.0, c.pos, self.segments[*i].name.clone()));
            }
        }
        for (seg, (_, pos, name)) in seg_totals {
            let total: f64 = choices
                .iter()
                .map(|(_, c)| {
                    let base = c.share.as_ref().map_or(fill.max(0.0), |s| s.value.0);
                    c.by_segment.get(&name).map_or(base, |s| s.value.0)
                })
                .sum();
            let _ = seg;
            if (total - 1.0).abs() > 1e-9 {
                self.err(
                    Code::ShareSum,
                    format!(
                        "for segment \"{name}\" the shares add up to {}, not 1",
                        crate::menu::value::trim_float(total)
                    ),
                    pos,
                );
            }
        }
    }

    pub(super) fn queue(
        &mut self,
        q: &raw::RawQueue,
        pools: &[(Pos, Pool)],
        pool_names: &HashSet<String>,
        used: &mut HashSet<String>,
    ) -> Option<Queue> {
        let pool = pools.iter().position(|(_, p)| p.name == q.pool.value);
        if !pool_names.contains(&q.pool.value) {
            let names: Vec<String> = pools.iter().map(|(_, p)| p.name.clone()).collect();
            let hint = self.b.suggest(&q.pool.value, names.iter());
            self.err(
                Code::UnknownPool,
                format!("pool \"{}\" is not defined under agents{hint}", q.pool.value),
                q.pool.pos,
            );
        }
        used.insert(q.pool.value.clone());
        let busy = match &q.busy {
            None => None,
            Some(b) => {
                let when = match (&b.when.expected_wait, &b.when.queue_length) {
                    (Some(w), None) => BusyWhen::ExpectedWait(w.value.secs()),
                    (None, Some(n)) if (1..=10_000_000).contains(&n.value) => BusyWhen::QueueLength(n.value as u32),
                    (None, Some(n)) => {
                        self.err(
                            Code::OutOfRange,
                            format!("queue_length must be from 1 to 10000000, not {}", n.value),
                            n.pos,
                        );
                        BusyWhen::QueueLength(1)
                    }
                    _ => {
                        self.err(
                            Code::BadBusyRule,
                            "busy.when needs exactly one of expected_wait or queue_length",
                            b.when.pos,
                        );
                        BusyWhen::QueueLength(1)
                    }
                };
                let deflects = b.deflects.as_ref().map_or(1.0, |d| d.value.0);
                self.edge("busy", &b.to, Via::Busy, deflects);
                Some(Busy {
                    when,
                    say: b.say.clone(),
                    duration: b.duration.as_ref().map_or(Dist::default(), |d| d.value),
                    deflects,
                })
            }
        };
        let max_wait = q.max_wait.as_ref().map(|m| m.value.secs());
        if let Some(t) = &q.on_max_wait {
            if max_wait.is_none() {
                self.b.warn(
                    Code::OnMaxWaitUnused,
                    "on_max_wait has no effect without max_wait",
                    Some(t.pos),
                    Some(self.id),
                );
            }
            self.edge("on_max_wait", t, Via::MaxWait, 0.0);
        }
        let priority = match &q.priority {
            Some(p) if p.value.abs() > 1000 => {
                self.err(
                    Code::OutOfRange,
                    format!("priority must be from -1000 to 1000, not {}", p.value),
                    p.pos,
                );
                0
            }
            Some(p) => p.value,
            None => 0,
        };
        Some(Queue {
            pool: pool?,
            priority,
            announce_wait: q.announce_wait.unwrap_or(false),
            busy,
            max_wait,
            callback: q.callback.as_ref().map(|c| Callback {
                offered_after: c.offered_after.value.secs(),
                accepts: c.accepts.value.0,
            }),
        })
    }
}

/// The keys every node has (the channel as written).
fn common(raw: &RawNode) -> (Option<String>, Dist, Option<String>, Option<Spanned<RawChannel>>) {
    macro_rules! pick {
        ($n:expr) => {
            (
                $n.say.clone(),
                $n.duration.as_ref().map_or(Dist::default(), |d| d.value),
                $n.label.clone(),
                $n.channel.clone(),
            )
        };
    }
    match raw {
        RawNode::Prompt(n) => pick!(n),
        RawNode::Menu(n) => pick!(n),
        RawNode::Speech(n) => pick!(n),
        RawNode::SelfService(n) => pick!(n),
        RawNode::Branch(n) => pick!(n),
        RawNode::Queue(n) => pick!(n),
        RawNode::Online(n) => pick!(n),
        RawNode::Hangup(n) => pick!(n),
    }
}
