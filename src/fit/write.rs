//! The fit written out: as an overlay in the menu's syntax, and as text
//! for people.

use super::*;

/// The fit as an overlay in the menu's syntax: `callers.arrivals` as a
/// day profile, `callers.rate_variation`, `callers.patience` and
/// `agents.POOL.handle_time` (with `online_arrivals` where the records
/// have chats).
pub fn overlay(r: &FitReport) -> String {
    let mut y = String::new();
    y.push_str(&format!(
        "# Fitted by hotline fit from {} calls ({} to {}, {} day(s)); lay it over a menu with --with.\n",
        r.records.used,
        r.records.from.as_deref().unwrap_or("?"),
        r.records.to.as_deref().unwrap_or("?"),
        r.arrivals.days
    ));
    y.push_str("callers:\n");
    let profile = |y: &mut String, key: &str, a: &arrivals::Arrivals| {
        y.push_str(&format!("  {key}:\n"));
        for s in &a.profile {
            y.push_str(&format!(
                "    - {{ from: \"{}\", rate: {}/h }}\n",
                s.from,
                round_rate(s.rate_per_h)
            ));
        }
        if let Some(last) = a.profile.last()
            && last.to != "24:00"
        {
            y.push_str(&format!("    - {{ from: \"{}\", rate: 0/h }}\n", last.to));
        }
    };
    if r.arrivals.profile.is_empty() {
        y.push_str("  arrivals: 0/h\n");
    } else {
        profile(&mut y, "arrivals", &r.arrivals);
    }
    if let Some(a) = &r.online_arrivals {
        profile(&mut y, "online_arrivals", a);
    }
    if r.arrivals.rate_variation > 0.0 {
        y.push_str(&format!(
            "  rate_variation: {}%\n",
            crate::menu::value::trim_float((r.arrivals.rate_variation * 1000.0).round() / 10.0)
        ));
    }
    if let Some(p) = &r.patience {
        y.push_str(&format!("  patience: \"{}\"\n", p.fit));
    }
    if let Some(d) = r.redials.as_ref().filter(|d| d.redialled >= 5) {
        y.push_str(&format!(
            "  redial: {{ share: {}, after: \"exp(mean={}s)\" }}\n",
            crate::menu::value::trim_float((d.share * 1000.0).round() / 1000.0),
            crate::menu::value::trim_float(d.after_mean_s.round().max(1.0))
        ));
    }
    // Pools in the order the records name them: handle time, seats.
    let mut pools: IndexMap<&str, (Option<&HandleTime>, Option<&seats::QueueSeats>)> = IndexMap::new();
    for q in r.queues.values() {
        let e = pools.entry(q.pool.as_str()).or_default();
        if e.0.is_none() {
            e.0 = q.handle_time.as_ref();
        }
    }
    for s in r.seats.values() {
        let e = pools.entry(s.pool.as_str()).or_default();
        if e.1.is_none() {
            e.1 = Some(s);
        }
    }
    pools.retain(|_, (h, s)| h.is_some() || s.is_some());
    if !pools.is_empty() {
        y.push_str("agents:\n");
        for (pool, (h, seats)) in pools {
            y.push_str(&format!("  {}:\n", yaml_key(pool)));
            if let Some(h) = h {
                y.push_str(&format!("    handle_time: \"{}\"\n", h.fit));
            }
            if let Some(s) = seats {
                seat_schedule(&mut y, s);
            }
        }
    }
    if let Some(p) = &r.paths {
        let nodes: Vec<&paths::NodeShares> = p.shares.iter().filter(|n| n.n >= paths::MIN_CHOICES).collect();
        if !nodes.is_empty() {
            y.push_str("nodes:\n");
            for n in nodes {
                y.push_str(&format!("  {}:\n    {}:\n", yaml_key(&n.node), n.key));
                for (key, share) in n.options.iter().map(|o| o.key.as_str()).zip(rounded_shares(n)) {
                    y.push_str(&format!(
                        "      {}: {{ share: {} }}\n",
                        yaml_key(key),
                        crate::menu::value::trim_float(share)
                    ));
                }
            }
        }
    }
    y
}

/// A pool's seats as `seats` (the most of an interval) and a
/// `schedule` of the mean seats per interval, rounded, equal neighbours
/// merged; no seats outside the intervals the records cover.
fn seat_schedule(y: &mut String, s: &seats::QueueSeats) {
    y.push_str(&format!("    seats: {}\n    schedule:\n", s.max.round()));
    let mut last: Option<f64> = None;
    for slot in &s.profile {
        let n = slot.seats.round();
        if last != Some(n) {
            y.push_str(&format!("      - {{ from: \"{}\", seats: {n} }}\n", slot.from));
            last = Some(n);
        }
    }
    if let Some(end) = s.profile.last()
        && end.to != "24:00"
        && last != Some(0.0)
    {
        y.push_str(&format!("      - {{ from: \"{}\", seats: 0 }}\n", end.to));
    }
}

/// A node's shares to three decimals, adding up to exactly 1 (the
/// rounding left to the largest).
fn rounded_shares(n: &paths::NodeShares) -> Vec<f64> {
    let mut v: Vec<f64> = n.options.iter().map(|o| (o.share * 1000.0).round() / 1000.0).collect();
    let rest: f64 = 1.0 - v.iter().sum::<f64>();
    if let Some(i) = (0..v.len()).max_by(|&a, &b| v[a].total_cmp(&v[b])) {
        v[i] = ((v[i] + rest) * 1000.0).round() / 1000.0;
    }
    v
}

fn round_rate(x: f64) -> String {
    crate::menu::value::trim_float((x * 10.0).round() / 10.0)
}

/// A mapping key, quoted unless plain.
fn yaml_key(k: &str) -> String {
    let plain = !k.is_empty()
        && k.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        && !k.starts_with('-')
        && !matches!(
            k,
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n" | "~"
        );
    if plain && k.parse::<f64>().is_err() {
        k.to_string()
    } else {
        serde_json::to_string(k).unwrap_or_default()
    }
}

/// The fit for people.
pub fn to_text(r: &FitReport) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} calls read ({}), {} used, {} skipped; {} to {}",
        r.records.read,
        r.records.format,
        r.records.used,
        r.records.skipped,
        r.records.from.as_deref().unwrap_or("?"),
        r.records.to.as_deref().unwrap_or("?")
    );
    let a = &r.arrivals;
    let _ = writeln!(
        s,
        "arrivals: {:.1}/h on average over {} day(s), rate_variation {:.1}%",
        a.rate_per_h,
        a.days,
        a.rate_variation * 100.0
    );
    for slot in &a.profile {
        let _ = writeln!(
            s,
            "  {}-{}  {:>8.1}/h  [{:.1}, {:.1}]",
            slot.from, slot.to, slot.rate_per_h, slot.ci95[0], slot.ci95[1]
        );
    }
    if let Some(p) = &r.patience {
        let _ = writeln!(
            s,
            "patience (all phone queues): {}  ({:.0}% of waits censored; naive mean of abandoners' waits {:.1} s)",
            p.fit,
            p.censored * 100.0,
            p.naive_mean_s.unwrap_or(f64::NAN)
        );
    }
    if let Some(d) = &r.redials {
        let _ = writeln!(
            s,
            "redials: {} of {} abandoned calls ({:.1}%) called again within an hour{}",
            d.redialled,
            d.abandoned,
            d.share * 100.0,
            if d.redialled > 0 {
                format!(", after {:.0} s on average", d.after_mean_s)
            } else {
                String::new()
            }
        );
    }
    if let Some(c) = &r.channel_switches {
        let _ = writeln!(
            s,
            "channel switches: {} of {} calls ({:.1}%) followed by a chat of the same caller within an hour ({} of them after no agent), {} chats followed by a call; {:.0} s between on average",
            c.phone_to_online,
            c.phone_contacts,
            c.phone_to_online_share * 100.0,
            c.after_no_agent,
            c.online_to_phone,
            c.after_mean_s
        );
    }
    if let Some(b) = &r.busy_while_idle {
        let _ = writeln!(
            s,
            "busy while idle: {} of {} calls that left a queue unanswered were sent away while agents were idle ({} abandoned with an idle agent)",
            b.sent_away, b.followed, b.abandoned
        );
        for (id, at, queue, idle) in b.examples.iter().take(5) {
            let _ = writeln!(
                s,
                "  call {} at {at} in {}: {idle} agent(s) idle",
                crate::escape::terminal(id),
                crate::escape::terminal(queue)
            );
        }
    }
    for (name, q) in &r.seats {
        let _ = writeln!(
            s,
            "seats of {} (mean logged in and not paused, at most {:.1}):",
            crate::escape::terminal(name),
            q.max
        );
        for slot in &q.profile {
            let _ = writeln!(s, "  {}-{}  {:>6.1}", slot.from, slot.to, slot.seats);
        }
    }
    if let Some(p) = &r.paths {
        let _ = writeln!(s, "paths: {} calls with a path", p.calls);
        for n in &p.shares {
            let _ = writeln!(s, "  {} ({} choices):", crate::escape::terminal(&n.node), n.n);
            for o in &n.options {
                let _ = writeln!(
                    s,
                    "    {} → {}  {:>5.1}%  ({})",
                    crate::escape::terminal(&o.key),
                    crate::escape::terminal(&o.to),
                    o.share * 100.0,
                    o.count
                );
            }
        }
        if p.shares.is_empty() {
            for (path, n) in p.top.iter().take(5) {
                let _ = writeln!(s, "  {n:>8}  {}", crate::escape::terminal(path));
            }
        }
    }
    for (name, q) in &r.queues {
        let _ = writeln!(
            s,
            "queue {}{}: {} calls, {} answered, {} abandoned, {} disconnected",
            crate::escape::terminal(name),
            if q.pool != *name {
                format!(" (pool {})", crate::escape::terminal(&q.pool))
            } else {
                String::new()
            },
            q.calls,
            q.answered,
            q.abandoned,
            q.disconnected
        );
        if let Some(h) = &q.handle_time {
            let _ = writeln!(
                s,
                "  handle time: {}  (mean {:.1} s, sd {:.1} s, {} calls)",
                h.fit, h.mean_s, h.sd_s, h.n
            );
        }
        if let Some(p) = &q.patience {
            let _ = writeln!(
                s,
                "  patience: {}  (mean {:.1} s; naive {:.1} s; {:.0}% censored)",
                p.fit,
                p.mean_s,
                p.naive_mean_s.unwrap_or(f64::NAN),
                p.censored * 100.0
            );
        }
    }
    for w in &r.warnings {
        let _ = writeln!(s, "warning: {}", crate::escape::terminal(w));
    }
    s
}
