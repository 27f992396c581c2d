//! `hotline import`: vendor flows written as the equivalent hotline menu.

use std::path::{Path, PathBuf};

use clap::Args;

use super::print;
use crate::error::Error;
use crate::input::flows::{self as import, Vendor};

/// `hotline import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Flow files (Amazon Connect, Twilio Studio, Genesys Archy YAML,
    /// VoiceXML), or a folder of them: flows that transfer to each other
    /// are joined; callers enter at the first one no other flow transfers to.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Write the menu to this file (never over an existing file or an
    /// input); without it, to standard output.
    #[arg(short = 'o', long = "output", value_name = "OUT.yaml")]
    pub output: Option<PathBuf>,
    /// Largest file read, in bytes.
    #[arg(long, default_value_t = crate::menu::yaml::Limits::default().max_bytes, value_name = "BYTES")]
    pub max_bytes: usize,
    /// No warnings on standard error.
    #[arg(long, short)]
    pub quiet: bool,
}

/// The flow files given: files as they are, folders' vendor files sorted.
fn flow_files(given: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    for p in given {
        if p.is_dir() {
            let listing = crate::decisions::survey::menu_files(p, 1).map_err(|e| Error::Read {
                path: p.display().to_string(),
                source: e,
            })?;
            out.extend(
                listing
                    .files
                    .into_iter()
                    .filter(|f| !f.extension().is_some_and(|x| x == "yaml" || x == "yml") || is_archy(f)),
            );
        } else {
            out.push(p.clone());
        }
    }
    if out.is_empty() {
        return Err(Error::Unusable {
            path: given[0].display().to_string(),
            message: "no vendor flow files there".into(),
        });
    }
    Ok(out)
}

fn is_archy(p: &Path) -> bool {
    // The guarded reader never opens a FIFO or a device.
    crate::files::head(p, 1 << 20).is_ok_and(|h| import::detect(&String::from_utf8_lossy(&h)) == Some(Vendor::Genesys))
}

/// Runs `hotline import`.
pub fn exec(a: &ImportArgs) -> Result<i32, Error> {
    let files = flow_files(&a.files)?;
    let mut texts = Vec::new();
    for f in &files {
        let shown = f.display().to_string();
        let bytes = crate::files::read(f, a.max_bytes)?;
        let text = String::from_utf8(bytes).map_err(|_| Error::Unusable {
            path: shown.clone(),
            message: "the file is not UTF-8 text".into(),
        })?;
        let Some(vendor) = import::detect(&text) else {
            return Err(Error::Unusable {
                path: shown,
                message:
                    "not a flow hotline reads (Amazon Connect or Twilio Studio JSON, Genesys Archy YAML, VoiceXML)"
                        .into(),
            });
        };
        texts.push((vendor, text, shown));
    }
    if let Some(out) = &a.output {
        let inputs: Vec<&Path> = files
            .iter()
            .map(PathBuf::as_path)
            .chain(a.files.iter().map(PathBuf::as_path))
            .collect();
        crate::files::check_output(out, "-o", &inputs, crate::files::Existing::Nothing)?;
    }
    let refs: Vec<(Vendor, &str, &str)> = texts.iter().map(|(v, t, p)| (*v, t.as_str(), p.as_str())).collect();
    let (first_text, first_path) = (&texts[0].1, &texts[0].2);
    match import::import_all(&refs) {
        Err(findings) => {
            eprint!(
                "{}",
                crate::escape::terminal(&crate::diag::render_all(&findings, first_path, first_text))
            );
            Ok(1)
        }
        Ok(imported) => {
            let findings = imported.all_findings(None);
            if !a.quiet && !findings.is_empty() {
                eprint!(
                    "{}",
                    crate::escape::terminal(&crate::diag::render_all(&findings, first_path, first_text))
                );
            }
            // What was written must load: check it before anyone relies on it.
            let loaded = crate::input::load_str(&imported.yaml, "the imported menu", &Default::default());
            if loaded.has_errors() {
                eprint!("{}", loaded.render());
                return Ok(1);
            }
            match &a.output {
                Some(out) => {
                    crate::files::write_new(out, imported.yaml.as_bytes()).map_err(|e| Error::Write {
                        path: out.display().to_string(),
                        source: e,
                    })?;
                    if !a.quiet {
                        eprintln!(
                            "hotline: wrote {} ({} {} flow(s) as a hotline menu)",
                            crate::escape::terminal(&out.display().to_string()),
                            files.len(),
                            imported.vendor.name()
                        );
                    }
                }
                None => print(&imported.yaml)?,
            }
            Ok(0)
        }
    }
}
