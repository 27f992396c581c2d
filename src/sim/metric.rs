//! The catalogue of metric kinds: how a metric key is read and shown.
//!
//! Metric keys follow one naming rule, decided here and nowhere else:
//! `p_*`, `service_level` and `occupancy` are shares between 0 and 1;
//! keys ending in `_s` are seconds; everything else (`queued_calls`,
//! `calls_per_caller`, `mean_queue_length`, …) is a count or a ratio of
//! counts.

/// What a metric's value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A share between 0 and 1, shown as a percentage.
    Share,
    /// Seconds.
    Seconds,
    /// A count or a ratio of counts.
    Count,
}

/// The kind of the metric named `key`.
pub fn kind(key: &str) -> Kind {
    if key.starts_with("p_") || matches!(key, "service_level" | "occupancy") {
        Kind::Share
    } else if key.ends_with("_s") {
        Kind::Seconds
    } else {
        Kind::Count
    }
}

/// Whether a metric is a share between 0 and 1.
pub fn is_share(key: &str) -> bool {
    kind(key) == Kind::Share
}
