use std::io::Write;

use clap::Parser;

use pz::cli::{self, Cli};
use pz::config::Paths;

fn main() {
    let args = Cli::parse();
    let paths = Paths::from_env();
    pz::logging::init(&paths.log_file());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("pz: cannot start the async runtime: {e}");
            std::process::exit(1);
        }
    };
    let code = match args.command {
        Some(command) => {
            runtime.block_on(cli::run(command, args.context.as_deref(), args.read_only))
        }
        None => match runtime.block_on(pz::tui::run(&args)) {
            Ok(()) => 0,
            Err(e) => {
                pz::tui::restore_terminal();
                // stderr may be gone with the terminal: never panic on it.
                let _ = writeln!(std::io::stderr(), "pz: {e:#}");
                1
            }
        },
    };
    std::process::exit(code);
}
