//! Figures in words: how a metric's value, an estimate's footing and a
//! menu's reach figures read for people. The layers below keep numbers;
//! only `output` turns them into text.

use crate::analysis::Reach;
use crate::sim::metric::is_share;
use crate::sim::stats::Estimate;

/// A metric's value for people: shares as percentages with one decimal,
/// small figures with three decimals, the rest with one; "–" when there
/// is no value.
///
/// ```
/// use hotline::output::show::metric;
/// assert_eq!(metric("p_abandon", 0.0425), "4.2%");
/// assert_eq!(metric("mean_wait_s", 12.345), "12.3");
/// assert_eq!(metric("mean_queue_length", 0.25), "0.250");
/// assert_eq!(metric("mean_wait_s", f64::NAN), "–");
/// ```
pub fn metric(key: &str, x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    if is_share(key) {
        format!("{:.1}%", x * 100.0)
    } else if x != 0.0 && x.abs() < 1.0 {
        // Small figures (switches per caller, queue lengths) keep three decimals.
        format!("{x:.3}")
    } else {
        format!("{x:.1}")
    }
}

/// ` (n of R replications)` when the estimate rests on fewer than all
/// `replications`, else nothing.
pub fn rests_on(e: &Estimate, replications: u32) -> String {
    if e.n < u64::from(replications) {
        format!(" ({} of {replications} replications)", e.n)
    } else {
        String::new()
    }
}

/// The probability of reaching a queue as a percentage with one decimal,
/// or `undecided`.
pub fn reach_probability(r: &Reach) -> String {
    r.probability
        .map_or_else(|| "undecided".into(), |p| format!("{:.1}%", p * 100.0))
}

/// The expected time in the menu with one decimal; `unbounded` when
/// callers are trapped, `undecided` when it could not be computed.
pub fn expected_ivr(r: &Reach) -> String {
    match r.expected_ivr_seconds {
        Some(v) => format!("{v:.1}"),
        None if r.expected_undecided => "undecided".into(),
        None => "unbounded".into(),
    }
}
