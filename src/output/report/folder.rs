//! The report folder: locked for one run, checked to hold nothing of the
//! user's, written all or nothing, and left holding exactly the files of
//! the run that wrote it.
//!
//! A run opens the folder before it simulates ([`ReportDir::open`]): it
//! takes an advisory lock on `.hotline-lock` inside it (a second run into
//! the same folder is refused at once), and refuses a folder that holds
//! anything not written by hotline. The marker `.hotline-report` lists each
//! file of the report with a hash of its content, so a file the user added
//! or edited is never overwritten or deleted. Files are written into a
//! hidden temporary folder inside it, then moved into place; files of an
//! earlier report that the new one does not have are deleted. While the
//! files are moved the marker lists both versions of each, so a failure at
//! any point leaves a folder the next run accepts and completes. A run that
//! fails or is interrupted before that leaves the folder as it found it
//! (and removes it if it created it).

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// The marker that tells a folder holds a hotline report.
pub const MARKER: &str = ".hotline-report";
/// The lock file.
pub const LOCK: &str = ".hotline-lock";
/// The prefix of temporary folders.
const TMP: &str = ".hotline-tmp-";

/// FNV-1a, 64 bits: a stable hash of a file's content for the marker.
fn hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// The marker's list: file name → accepted content hashes.
type Listed = Vec<(String, Vec<u64>)>;

/// Reads a marker: `hotline report` on the first line, then one file a
/// line as `hash name` (one or more hashes, comma-separated). A marker of
/// an earlier version (no list) accepts the files such reports had.
fn read_marker(path: &Path) -> Option<Listed> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut lines = text.lines();
    if lines.next()? != "hotline report" {
        return None;
    }
    Some(
        lines
            .filter_map(|l| {
                let (hashes, name) = l.split_once(' ')?;
                let hashes = hashes
                    .split(',')
                    .filter_map(|h| u64::from_str_radix(h, 16).ok())
                    .collect();
                Some((name.to_string(), hashes))
            })
            .collect(),
    )
}

fn marker_text(listed: &Listed) -> String {
    let mut out = String::from("hotline report\n");
    for (name, hashes) in listed {
        let hs: Vec<String> = hashes.iter().map(|h| format!("{h:016x}")).collect();
        out.push_str(&format!("{} {name}\n", hs.join(",")));
    }
    out
}

/// Whether a file of a folder whose marker has no list (an earlier
/// version's) is one that such reports wrote.
fn old_report_file(name: &str) -> bool {
    [".html", ".md", ".json", ".csv", ".svg", ".png"]
        .iter()
        .any(|e| name.ends_with(e))
}

/// Whether a process is alive (Linux: its `/proc` entry exists).
fn alive(pid: u32) -> bool {
    Path::new("/proc").join(pid.to_string()).exists() || !Path::new("/proc/self").exists()
}

/// A report folder opened for one run.
#[derive(Debug)]
pub struct ReportDir {
    dir: PathBuf,
    /// Held until the run ends.
    _lock: File,
    /// Whether this run created the folder.
    created: bool,
    /// The earlier report's files, from its marker.
    earlier: Listed,
    done: bool,
}

impl ReportDir {
    /// Opens (or creates) a report folder for this run: locks it, and
    /// checks that it is new, empty or an earlier report whose files are
    /// as hotline wrote them. Temporary folders of runs that died are
    /// removed.
    pub fn open(dir: &Path) -> Result<ReportDir, Error> {
        let shown = dir.display().to_string();
        let unusable = |message: String| Error::Unusable {
            path: shown.clone(),
            message,
        };
        let unfit = |message: &str| Error::ReportFolder {
            path: shown.clone(),
            message: message.into(),
        };
        let link = std::fs::symlink_metadata(dir).ok();
        let created = match std::fs::metadata(dir) {
            Ok(m) if !m.is_dir() => {
                return Err(unfit(
                    "this is a file, not a folder: give --report the name of a new or empty folder",
                ));
            }
            Ok(_) => false,
            Err(_) if link.is_some() => {
                return Err(unfit(
                    "this is a link to something that does not exist: give --report a folder",
                ));
            }
            Err(_) => {
                std::fs::create_dir_all(dir).map_err(|e| Error::Write {
                    path: shown.clone(),
                    source: e,
                })?;
                true
            }
        };
        let lock_path = dir.join(LOCK);
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| Error::Write {
                path: lock_path.display().to_string(),
                source: e,
            })?;
        if lock.try_lock().is_err() {
            return Err(unfit(
                "another hotline run is writing a report into this folder: wait for it, or choose another folder",
            ));
        }
        let mut opened = ReportDir {
            dir: dir.to_path_buf(),
            _lock: lock,
            created,
            earlier: Vec::new(),
            done: false,
        };
        let entries: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| Error::Read {
                path: shown.clone(),
                source: e,
            })?
            .filter_map(Result::ok)
            .collect();
        let names: Vec<String> = entries
            .iter()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        // We hold the lock: a temporary folder is one of a run that died
        // (or was killed) before it could clean up.
        for name in names.iter().filter(|n| n.starts_with(TMP)) {
            let pid = name[TMP.len()..].parse().unwrap_or(0);
            if pid == std::process::id() || !alive(pid) || pid == 0 {
                let _ = std::fs::remove_dir_all(dir.join(name));
            }
        }
        let own = |n: &String| n == LOCK || n.starts_with(TMP);
        let files: Vec<&String> = names.iter().filter(|n| !own(n)).collect();
        if files.is_empty() {
            return Ok(opened);
        }
        let marker = dir.join(MARKER);
        let Some(listed) = read_marker(&marker).or_else(|| marker.exists().then(Vec::new)) else {
            return Err(unusable(
                "the folder holds files that are not a hotline report; choose a new or empty folder so nothing of yours is overwritten".into(),
            ));
        };
        let old_format = listed.is_empty();
        let mut foreign = Vec::new();
        for name in files.iter().filter(|n| n.as_str() != MARKER) {
            let ok = if old_format {
                old_report_file(name)
            } else {
                listed.iter().find(|(n, _)| n == *name).is_some_and(|(_, hashes)| {
                    std::fs::read(dir.join(name)).is_ok_and(|bytes| hashes.contains(&hash(&bytes)))
                })
            };
            if !ok {
                foreign.push(crate::escape::cell(name).into_owned());
            }
        }
        if !foreign.is_empty() {
            foreign.truncate(5);
            return Err(unusable(format!(
                "the folder holds an earlier report, but also files hotline did not write or that were changed since ({}): move them away or choose another folder",
                foreign.join(", ")
            )));
        }
        opened.earlier = if old_format {
            files
                .iter()
                .filter(|n| n.as_str() != MARKER)
                .map(|n| ((*n).clone(), Vec::new()))
                .collect()
        } else {
            listed
        };
        Ok(opened)
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Writes the report's files, all or nothing: into a temporary folder,
    /// then moved into place; `extra` may write more files (the PNG plots)
    /// into the temporary folder. Files of the earlier report that are not
    /// written again are deleted. Returns the paths written.
    pub fn write(
        mut self,
        files: Vec<(String, Vec<u8>)>,
        extra: &dyn Fn(&Path) -> Result<Vec<String>, String>,
        interrupted: &dyn Fn() -> bool,
    ) -> Result<Vec<PathBuf>, Error> {
        let dir = self.dir.clone();
        let tmp = dir.join(format!("{TMP}{}", std::process::id()));
        let werr = |p: &Path, e: std::io::Error| Error::Write {
            path: p.display().to_string(),
            source: e,
        };
        std::fs::create_dir_all(&tmp).map_err(|e| werr(&tmp, e))?;
        let result = (|| {
            let mut names = Vec::new();
            for (name, bytes) in &files {
                if interrupted() {
                    return Err(Error::Interrupted);
                }
                let p = tmp.join(name);
                std::fs::write(&p, bytes).map_err(|e| werr(&p, e))?;
                names.push(name.clone());
            }
            names.extend(extra(&tmp).map_err(|m| Error::Unusable {
                path: dir.display().to_string(),
                message: m,
            })?);
            if interrupted() {
                return Err(Error::Interrupted);
            }
            let mut new: Listed = Vec::new();
            for name in &names {
                let bytes = std::fs::read(tmp.join(name)).map_err(|e| werr(&tmp.join(name), e))?;
                new.push((name.clone(), vec![hash(&bytes)]));
            }
            // While files move, the marker accepts both versions of each.
            let mut both = self.earlier.clone();
            for (name, hashes) in &new {
                match both.iter_mut().find(|(n, _)| n == name) {
                    Some((_, hs)) => hs.extend(hashes),
                    None => both.push((name.clone(), hashes.clone())),
                }
            }
            self.put_marker(&tmp, &both)?;
            let mut out = Vec::new();
            for name in &names {
                let to = dir.join(name);
                std::fs::rename(tmp.join(name), &to).map_err(|e| werr(&to, e))?;
                out.push(to);
            }
            for (name, _) in &self.earlier {
                if !names.contains(name) {
                    let _ = std::fs::remove_file(dir.join(name));
                }
            }
            self.put_marker(&tmp, &new)?;
            out.push(dir.join(MARKER));
            Ok(out)
        })();
        let _ = std::fs::remove_dir_all(&tmp);
        if result.is_ok() {
            self.done = true;
        }
        result
    }

    /// Replaces the marker in one rename.
    fn put_marker(&self, tmp: &Path, listed: &Listed) -> Result<(), Error> {
        let staged = tmp.join(MARKER);
        let to = self.dir.join(MARKER);
        let werr = |p: &Path, e: std::io::Error| Error::Write {
            path: p.display().to_string(),
            source: e,
        };
        let mut f = File::create(&staged).map_err(|e| werr(&staged, e))?;
        f.write_all(marker_text(listed).as_bytes())
            .map_err(|e| werr(&staged, e))?;
        f.sync_all().map_err(|e| werr(&staged, e))?;
        std::fs::rename(&staged, &to).map_err(|e| werr(&to, e))
    }
}

impl Drop for ReportDir {
    /// A run that did not complete leaves no trace: its temporary folder
    /// goes, and so does the folder itself when the run created it.
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let _ = std::fs::remove_dir_all(self.dir.join(format!("{TMP}{}", std::process::id())));
        if self.created {
            let _ = std::fs::remove_dir_all(&self.dir);
        } else if self.earlier.is_empty() {
            let _ = std::fs::remove_file(self.dir.join(LOCK));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_round_trip() {
        let listed: Listed = vec![("index.html".into(), vec![1, 0xffff]), ("a b.csv".into(), vec![7])];
        let dir = std::env::temp_dir().join(format!("hotline-marker-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(MARKER), marker_text(&listed)).unwrap();
        assert_eq!(read_marker(&dir.join(MARKER)), Some(listed));
        std::fs::write(dir.join(MARKER), "written by hotline\n").unwrap();
        assert_eq!(read_marker(&dir.join(MARKER)), None, "an earlier version's marker");
        std::fs::remove_dir_all(&dir).unwrap();
        assert_ne!(hash(b"a"), hash(b"b"));
    }
}
