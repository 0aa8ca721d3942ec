#![allow(clippy::print_stderr)] // the binary reports its final error itself
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = vexlake::cli::Cli::parse();
    vexlake::cli::init_logging(&cli);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(vexlake::cli::run(cli)) {
        Ok(code) => code,
        Err(e) if vexlake::cli::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
