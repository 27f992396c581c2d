//! Compliance verdicts written out for people.

use crate::decisions::comply::{Status, Verdict};

/// The verdicts as text.
pub fn to_text(name: &str, v: &[Verdict]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let count = |s: Status| v.iter().filter(|x| x.status == s).count();
    writeln!(
        out,
        "{name}: {} pass, {} fail, {} inconclusive",
        count(Status::Pass),
        count(Status::Fail),
        count(Status::Inconclusive)
    )
    .ok();
    for x in v {
        let status = match x.status {
            Status::Pass => "pass",
            Status::Fail => "FAIL",
            Status::Inconclusive => "inconclusive",
        };
        writeln!(out, "\n{status:<12} {} ({}): {}", x.rule, x.pack, x.requirement).ok();
        writeln!(out, "             {}", x.evidence.finding).ok();
        if !x.evidence.nodes.is_empty() {
            writeln!(out, "             nodes: {}", x.evidence.nodes.join(", ")).ok();
        }
    }
    out
}
