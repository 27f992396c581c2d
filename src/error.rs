//! The library's error type: what stops `hotline` from running at all.
//!
//! Problems *in* a menu are [`crate::diag::Diagnostic`]s, not errors; an
//! [`Error`](enum@Error) means the tool could not do its job (exit code 2), or that the
//! input as a whole was refused (exit code 1, see [`Error::exit_code`]).

use thiserror::Error;

/// Something that stopped a command.
#[derive(Debug, Error)]
pub enum Error {
    /// A file could not be read.
    #[error("cannot read {path}")]
    Read {
        /// The path as given.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A path that should be a file is something else.
    #[error("{path} is {what}; hotline reads only regular files")]
    NotAFile {
        /// The path as given.
        path: String,
        /// What it is instead.
        what: &'static str,
    },
    /// A file is larger than the limit.
    #[error("{path} is {size} bytes, above the limit of {limit} bytes (raise it with --max-bytes)")]
    TooLarge {
        /// The path as given.
        path: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: usize,
    },
    /// A file could not be written.
    #[error("cannot write {path}")]
    Write {
        /// The path.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A menu has errors (already printed as diagnostics).
    #[error("{path} has {count} error(s)")]
    InvalidMenu {
        /// The path.
        path: String,
        /// How many errors.
        count: usize,
    },
    /// A menu is valid but cannot be used for this command.
    #[error("{path}: {message}")]
    Unusable {
        /// The path.
        path: String,
        /// Why.
        message: String,
    },
    /// A rules file is wrong.
    #[error("{path}: {message}")]
    Rules {
        /// The path.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A report folder cannot be used (a file, a broken link, locked by
    /// another run).
    #[error("{path}: {message}")]
    ReportFolder {
        /// The folder as given.
        path: String,
        /// Why.
        message: String,
    },
    /// An output path hotline refuses to write: an input, something that
    /// is not a regular file, a file of the user's.
    #[error("{message}")]
    Output {
        /// The path as given.
        path: String,
        /// The flag and why (`--partial bank.yaml: that is an input …`).
        message: String,
    },
    /// An input refused as a whole, the message naming the file and what
    /// is wrong (a damaged partial file, records in no known format).
    #[error("{message}")]
    Invalid {
        /// The file and what is wrong with it.
        message: String,
    },
    /// Flags that cannot work together or a value a flag cannot take,
    /// found after the arguments were parsed.
    #[error("{message}")]
    Usage {
        /// What is wrong and how to write it.
        message: String,
    },
    /// The run was interrupted (Ctrl-C).
    #[error("interrupted")]
    Interrupted,
}

impl Error {
    /// The message with its causes, each once: `cannot read x.yaml: No such
    /// file or directory (os error 2)`.
    pub fn chain(&self) -> String {
        let mut text = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(c) = cause {
            text.push_str(": ");
            text.push_str(&c.to_string());
            cause = c.source();
        }
        text
    }

    /// The process exit code for this error: 1 when the input is at fault,
    /// 2 when the tool could not run.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::InvalidMenu { .. }
            | Error::Invalid { .. }
            | Error::Unusable { .. }
            | Error::Rules { .. }
            | Error::TooLarge { .. } => 1,
            Error::Read { .. }
            | Error::NotAFile { .. }
            | Error::Write { .. }
            | Error::Output { .. }
            | Error::Usage { .. }
            | Error::ReportFolder { .. }
            | Error::Interrupted => 2,
        }
    }
}
