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
