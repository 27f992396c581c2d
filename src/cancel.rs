//! Cancellation passed in, not read from a global: the command line makes
//! one [`Cancel`] (Ctrl-C sets it), hands it to every long run, and a run
//! stops soon after it is set.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A shared flag a long run checks; cloning shares it.
#[derive(Clone, Debug, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A token nobody has set.
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Asks every run holding the token to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether the token was set.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// The flag itself, for a loop that polls it cheaply.
    pub fn flag(&self) -> &AtomicBool {
        &self.0
    }
}
