//! `hotline completions` and `hotline man`: the shell's completions and
//! the manual pages, generated from the same definition clap parses.

use std::path::PathBuf;

use clap::Args;

use crate::error::Error;

/// `hotline completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `hotline man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write hotline.1 and one page per command (hotline-simulate.1, …)
    /// into this folder (never over an existing file); without it,
    /// hotline.1 goes to standard output.
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Runs `hotline completions`.
pub fn completions(a: &CompletionsArgs) -> Result<i32, Error> {
    let mut out = Vec::new();
    clap_complete::generate(a.shell, &mut super::command(), "hotline", &mut out);
    super::print(&String::from_utf8_lossy(&out))?;
    Ok(0)
}

fn page(cmd: clap::Command, title: &str) -> Vec<u8> {
    let mut out = Vec::new();
    // Rendering into memory cannot fail.
    let _ = clap_mangen::Man::new(cmd).title(title.to_string()).render(&mut out);
    out
}

/// Runs `hotline man`.
pub fn man(a: &ManArgs) -> Result<i32, Error> {
    let top = super::command();
    let Some(dir) = &a.dir else {
        super::print(&String::from_utf8_lossy(&page(top, "hotline")))?;
        return Ok(0);
    };
    if !dir.is_dir() {
        return Err(Error::Output {
            path: dir.display().to_string(),
            message: format!("{}: not a folder (create it first)", dir.display()),
        });
    }
    let mut pages = vec![("hotline.1".to_string(), page(top.clone(), "hotline"))];
    for sub in top.get_subcommands() {
        let name = format!("hotline-{}", sub.get_name());
        pages.push((format!("{name}.1"), page(sub.clone().bin_name(name.clone()), &name)));
    }
    for (file, _) in &pages {
        crate::files::check_output(&dir.join(file), "man", &[], crate::files::Existing::Nothing)?;
    }
    for (file, bytes) in &pages {
        let path = dir.join(file);
        crate::files::write_new(&path, bytes).map_err(|e| Error::Write {
            path: path.display().to_string(),
            source: e,
        })?;
    }
    eprintln!(
        "hotline: wrote {} manual pages to {}",
        pages.len(),
        crate::escape::terminal(&dir.display().to_string())
    );
    Ok(0)
}
