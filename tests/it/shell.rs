//! Completions, manual pages and the examples in each command's help.

use crate::support::hotline;

/// Splits an example line into words (double quotes group; what follows a
/// pipe or a redirection is not hotline's).
fn words(line: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted) = (Vec::new(), String::new(), false);
    for ch in line.chars() {
        match ch {
            '"' => quoted = !quoted,
            '|' | '>' | '&' if !quoted => break,
            ' ' if !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            _ => cur.push(ch),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[test]
fn every_command_ends_its_help_with_examples_that_parse() {
    let cmd = hotline::cli::command();
    for sub in cmd.get_subcommands() {
        let name = sub.get_name();
        if name == "help" {
            continue;
        }
        let help = sub.get_after_help().map(|h| h.to_string()).unwrap_or_default();
        assert!(help.starts_with("Examples:"), "{name} has no examples");
        let lines: Vec<&str> = help
            .lines()
            .skip(1)
            .map(str::trim)
            .filter(|l| l.starts_with("hotline "))
            .collect();
        assert!(!lines.is_empty(), "{name}: {help}");
        for line in lines {
            let args = words(line);
            if let Err(e) = hotline::cli::command().try_get_matches_from(&args) {
                panic!("{line}: {e}");
            }
        }
    }
}

#[test]
fn completions_for_every_shell_name_the_commands() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = hotline(&["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("backtest") && text.contains("simulate"), "{shell}");
    }
    assert_eq!(hotline(&["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn manual_pages_are_written_once_into_a_folder() {
    let dir = std::env::temp_dir().join(format!("hotline-man-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = hotline(&["man", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let fit = std::fs::read_to_string(dir.join("hotline-fit.1")).unwrap();
    assert!(fit.contains(".TH hotline-fit 1") && fit.contains("queue_log"), "{fit}");
    assert!(dir.join("hotline.1").exists() && dir.join("hotline-simulate.1").exists());
    // A second run would write over them: refused, nothing changed.
    let out = hotline(&["man", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let top = hotline(&["man"]);
    assert!(String::from_utf8_lossy(&top.stdout).contains(".SH NAME"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Bash sources the completion script and completes a subcommand.
#[test]
fn bash_completes_a_subcommand_from_the_script() {
    if std::process::Command::new("bash").arg("--version").output().is_err() {
        return;
    }
    let script = std::env::temp_dir().join(format!("hotline-completion-{}.bash", std::process::id()));
    std::fs::write(&script, hotline(&["completions", "bash"]).stdout).unwrap();
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {}; COMP_WORDS=(hotline back); COMP_CWORD=1; COMP_LINE='hotline back'; COMP_POINT=12; \
             _hotline hotline back hotline; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script.display()
        ))
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&script);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "backtest");
}

/// The manual page renders with `man -l`.
#[test]
fn the_manual_page_renders_with_man() {
    use std::io::Write;
    let Ok(mut man) = std::process::Command::new("man")
        .args(["-l", "-"])
        .env("MANWIDTH", "80")
        .env("MANPAGER", "cat")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    else {
        assert!(std::env::var("CI").is_err(), "man is missing on CI");
        return;
    };
    man.stdin.take().unwrap().write_all(&hotline(&["man"]).stdout).unwrap();
    let out = man.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        text.contains("NAME") && text.contains("hotline - Check, measure and simulate"),
        "{text}"
    );
}
