//! The `hotline` binary: parse arguments, run, map the result to an exit code.

fn main() {
    let cli = match hotline::cli::parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    let code = match hotline::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            let code = e.exit_code();
            let text = format!("{:#}", anyhow::Error::from(e));
            eprintln!("hotline: {}", hotline::escape::terminal(&text));
            code
        }
    };
    std::process::exit(code);
}
