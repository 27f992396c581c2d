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
    let pools: Vec<(&str, &HandleTime)> = r
        .queues
        .values()
        .filter_map(|q| q.handle_time.as_ref().map(|h| (q.pool.as_str(), h)))
        .collect();
    if !pools.is_empty() {
        y.push_str("agents:\n");
        let mut done: Vec<&str> = Vec::new();
        for (pool, h) in pools {
            if done.contains(&pool) {
                continue;
            }
            done.push(pool);
            y.push_str(&format!("  {}:\n    handle_time: \"{}\"\n", yaml_key(pool), h.fit));
        }
    }
    y
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
            "redials: {} of {} abandoned calls ({:.1}%) called again within an hour, after {:.0} s on average",
            d.redialled,
            d.abandoned,
            d.share * 100.0,
            d.after_mean_s
        );
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
