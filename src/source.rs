//! Reading a file the user names, with the guards every input needs: not a
//! folder, FIFO or device (which could block or never end), not larger
//! than a limit (also when it grows while read), and `-` for standard input.

use std::io::Read;
use std::path::Path;

use crate::Error;

/// The bytes of `path` (`-`: standard input), at most `max_bytes`.
pub fn read(path: &Path, max_bytes: usize) -> Result<Vec<u8>, Error> {
    let shown = path.display().to_string();
    let too_large = |size: u64| Error::TooLarge {
        path: shown.clone(),
        size,
        limit: max_bytes,
    };
    if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .take(max_bytes as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::Read {
                path: "standard input".into(),
                source: e,
            })?;
        if bytes.len() > max_bytes {
            return Err(too_large(bytes.len() as u64));
        }
        return Ok(bytes);
    }
    let meta = std::fs::metadata(path).map_err(|e| Error::Read {
        path: shown.clone(),
        source: e,
    })?;
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
    if meta.len() > max_bytes as u64 {
        return Err(too_large(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(|e| Error::Read {
        path: shown.clone(),
        source: e,
    })?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(max_bytes as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::Read {
            path: shown.clone(),
            source: e,
        })?;
    if bytes.len() > max_bytes {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
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
