//! A fit of call records written out for people.

use crate::fit::FitReport;

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
