//! Files the user names, read through one guard and written only where
//! asked.
//!
//! Reading: not a folder, FIFO or device (which could block or never end),
//! not larger than a limit (also when it grows while read), and `-` for
//! standard input. Every file hotline reads — menus, flows, overlays, rule
//! files, records, partial files, the files of a folder — comes through
//! [`read`], [`open`] or [`head`].
//!
//! Writing: only to a path given for output, never over an input, never
//! over something that is not a regular file (a device, a FIFO, a folder,
//! a link), and never over a file of the user's: [`check_output`] says
//! what may already stand there, [`write_new`] and [`write_replacing`]
//! write atomically.

use std::io::Read;
use std::path::Path;

use crate::error::Error;

/// The bytes of `path` (`-`: standard input), at most `max_bytes`.
pub fn read(path: &Path, max_bytes: usize) -> Result<Vec<u8>, Error> {
    let shown = path.display().to_string();
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        std::io::stdin()
            .lock()
            .take(max_bytes as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::Read {
                path: "standard input".into(),
                source: e,
            })?;
    } else {
        let (file, len) = open_regular(path)?;
        if len > max_bytes as u64 {
            return Err(too_large(&shown, len, max_bytes));
        }
        bytes.reserve(len as usize);
        file.take(max_bytes as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::Read {
                path: shown.clone(),
                source: e,
            })?;
    }
    if bytes.len() > max_bytes {
        return Err(too_large(&shown, bytes.len() as u64, max_bytes));
    }
    Ok(bytes)
}

/// A regular file opened for streaming, at most `max_bytes` of it: reading
/// past the limit is an error ([`std::io::ErrorKind::FileTooLarge`]).
pub fn open(path: &Path, max_bytes: u64) -> Result<Bounded, Error> {
    let (file, len) = open_regular(path)?;
    if len > max_bytes {
        return Err(too_large(&path.display().to_string(), len, max_bytes as usize));
    }
    Ok(Bounded {
        inner: std::io::BufReader::with_capacity(1 << 16, file),
        left: max_bytes,
    })
}

/// The first `n` bytes of a regular file (fewer when it is shorter): what
/// detecting a format from content needs, without reading the rest.
pub fn head(path: &Path, n: usize) -> Result<Vec<u8>, Error> {
    let (file, _) = open_regular(path)?;
    let mut bytes = Vec::with_capacity(n.min(1 << 20));
    file.take(n as u64).read_to_end(&mut bytes).map_err(|e| Error::Read {
        path: path.display().to_string(),
        source: e,
    })?;
    Ok(bytes)
}

/// Whether `path` is a regular file (through links), found without opening
/// it: a FIFO is never opened, so listing a folder cannot block.
pub fn is_regular(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// A reader that fails once more than its limit has been read.
#[derive(Debug)]
pub struct Bounded {
    inner: std::io::BufReader<std::fs::File>,
    left: u64,
}

impl Read for Bounded {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let want = buf
            .len()
            .min(usize::try_from(self.left.saturating_add(1)).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        if n as u64 > self.left {
            return Err(std::io::Error::new(
                std::io::ErrorKind::FileTooLarge,
                "the file is larger than the limit",
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

impl std::io::BufRead for Bounded {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.left == 0 {
            // One byte more is too many: look for it.
            let buf = self.inner.fill_buf()?;
            if !buf.is_empty() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::FileTooLarge,
                    "the file is larger than the limit",
                ));
            }
            return Ok(buf);
        }
        let left = usize::try_from(self.left).unwrap_or(usize::MAX);
        let buf = self.inner.fill_buf()?;
        let n = buf.len().min(left);
        Ok(&buf[..n])
    }

    fn consume(&mut self, amt: usize) {
        self.left -= amt as u64;
        self.inner.consume(amt);
    }
}

/// Opens `path` when it is a regular file; its length.
fn open_regular(path: &Path) -> Result<(std::fs::File, u64), Error> {
    let shown = path.display().to_string();
    let read_error = |e| Error::Read {
        path: shown.clone(),
        source: e,
    };
    let meta = std::fs::metadata(path).map_err(read_error)?;
    if meta.is_dir() {
        return Err(Error::NotAFile {
            path: shown,
            what: "a directory",
        });
    }
    if !meta.is_file() {
        return Err(Error::NotAFile {
            path: shown,
            what: "not a regular file (a FIFO, socket or device)",
        });
    }
    let file = std::fs::File::open(path).map_err(read_error)?;
    // The name may have changed between the look and the opening.
    let opened = file.metadata().map_err(|e| Error::Read {
        path: shown.clone(),
        source: e,
    })?;
    if !opened.is_file() {
        return Err(Error::NotAFile {
            path: shown,
            what: "not a regular file (a FIFO, socket or device)",
        });
    }
    Ok((file, opened.len()))
}

fn too_large(shown: &str, size: u64, limit: usize) -> Error {
    Error::TooLarge {
        path: shown.to_string(),
        size,
        limit,
    }
}

/// Whether bytes look like UTF-16 text (a byte-order mark, or a zero in
/// every other byte of the start).
pub fn is_utf16(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return true;
    }
    let head = &bytes[..bytes.len().min(64)];
    head.len() >= 8 && (head.iter().step_by(2).all(|&b| b == 0) || head.iter().skip(1).step_by(2).all(|&b| b == 0))
}

/// What an output path may already hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing {
    /// Nothing: the file must be new (`import -o`, `staff --write`).
    Nothing,
    /// An earlier file of this kind, which a new run replaces (a partial
    /// file of a shard run again): [`Kind`] tells it by its first bytes.
    Replaceable(Kind),
}

/// Files hotline writes that a later run may replace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A partial file of a shard (`{"format":"hotline … partial"`).
    Partial,
}

impl Kind {
    /// Whether a file's first bytes are such a file's.
    fn matches(self, head: &[u8]) -> bool {
        match self {
            Kind::Partial => {
                let text = String::from_utf8_lossy(head);
                let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
                t.starts_with("{\"format\":\"hotline") && t.contains("partial\"")
            }
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Partial => "a hotline partial file",
        }
    }
}

/// Checks that hotline may write `path` (named by `flag` in messages):
/// not one of `inputs` (compared as they resolve on disk, and as given),
/// not a folder, device, FIFO, socket or link, and either absent or what
/// `existing` allows. Call it before the work, so a long run does not end
/// in a refusal, and let the writer check again.
pub fn check_output(path: &Path, flag: &str, inputs: &[&Path], existing: Existing) -> Result<(), Error> {
    let shown = path.display().to_string();
    let refuse = |why: String| Error::Output {
        path: shown.clone(),
        message: format!("{flag} {shown}: {why}"),
    };
    if path == Path::new("-") {
        return Err(refuse("write to a file, not standard output".into()));
    }
    let resolved = std::fs::canonicalize(path).ok();
    for input in inputs {
        if *input == path || resolved.is_some() && std::fs::canonicalize(input).ok() == resolved {
            return Err(refuse(format!(
                "that is an input ({}); hotline never writes over its input",
                input.display()
            )));
        }
    }
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        // Nothing there: the folder it goes into must exist.
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !dir.is_dir() {
            return Err(refuse(format!("the folder {} does not exist", dir.display())));
        }
        return Ok(());
    };
    let what = if meta.file_type().is_symlink() {
        Some(if std::fs::metadata(path).is_ok() {
            "a link; hotline writes only regular files (name the file itself)"
        } else {
            "a dangling link; hotline does not write through links"
        })
    } else if meta.is_dir() {
        Some("a folder; name a file")
    } else if !meta.is_file() {
        Some("not a regular file (a device, FIFO or socket); hotline writes only regular files")
    } else {
        None
    };
    if let Some(what) = what {
        return Err(refuse(format!("that is {what}")));
    }
    match existing {
        Existing::Nothing => Err(refuse("the file exists; remove it or choose another name".into())),
        Existing::Replaceable(kind) => {
            let start = head(path, 256).unwrap_or_default();
            if kind.matches(&start) {
                Ok(())
            } else {
                Err(refuse(format!(
                    "the file exists and is not {}; hotline replaces only its own (remove it or choose another name)",
                    kind.name()
                )))
            }
        }
    }
}

/// Writes a new file atomically: a temporary file beside it, linked into
/// place; a file of that name that appeared meanwhile is never replaced.
pub fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = temporary(path, bytes)?;
    // A hard link fails when the name exists: nothing is overwritten.
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    linked
}

/// Writes a file atomically over an earlier one of the same name (a
/// temporary file beside it, renamed into place), after checking again
/// that what stands there is a regular file `kind` allows.
pub fn write_replacing(path: &Path, bytes: &[u8], kind: Kind) -> std::io::Result<()> {
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        let ours = meta.is_file() && head(path, 256).is_ok_and(|h| kind.matches(&h));
        if !ours {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!("something that is not {} appeared there", kind.name()),
            ));
        }
    }
    let tmp = temporary(path, bytes)?;
    let renamed = std::fs::rename(&tmp, path);
    if renamed.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    renamed
}

/// A new temporary file beside `path` holding `bytes`, synced.
fn temporary(path: &Path, bytes: &[u8]) -> std::io::Result<std::path::PathBuf> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map_or("out".into(), |n| n.to_string_lossy().into_owned());
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let tmp = dir.join(format!(".{name}.{}.{stamp}.tmp", std::process::id()));
    let written = (|| {
        let mut f = std::fs::File::create_new(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(tmp)
}
