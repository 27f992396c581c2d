//! Decisions made with the measures: staffing to a target, what-if
//! sweeps, compliance verdicts, paired comparisons and a regulator's
//! survey.

pub mod backtest;
pub mod comply;
pub mod staff;
pub mod survey;
pub mod sweep;
pub mod testcalls;
