//! The `pz` executable: parses the command line, then runs a subcommand or
//! the interactive console, and exits with its code.

use std::io::Write;

use clap::Parser;

use pz::cli::{self, Cli};
use pz::config::Paths;

fn main() {
    // Before anything holds a secret: no core file, whatever `ulimit -c`.
    pz::process::harden();
    pz::process::tune_allocator();
    // The clipboard keeper pz leaves behind at quit (not a user command).
    let mut raw = std::env::args();
    if raw.nth(1).as_deref() == Some(pz::clipboard::system::KEEPER) {
        let secs = raw.next().and_then(|s| s.parse().ok()).unwrap_or(60);
        let code = i32::from(pz::clipboard::system::keep(secs).is_err());
        std::process::exit(code);
    }
    let args = Cli::parse();
    // The console's first frame comes before the log, the runtime and any
    // connection (the first thing a person sees should not wait for them).
    let started = match &args.command {
        None => match pz::tui::start(&args) {
            Ok(s) => Some(s),
            Err(e) => fail(e),
        },
        Some(_) => None,
    };
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
            // `pz --context x get` and `pz get --context x` both work.
            let conn = command.conn().cloned().unwrap_or_default();
            let context = conn.context.or(args.context.clone());
            let read_only = conn.read_only || args.read_only;
            runtime.block_on(cli::run(command, context.as_deref(), read_only))
        }
        None => match started.map(|s| runtime.block_on(pz::tui::run(&args, s))) {
            Some(Ok(())) => 0,
            Some(Err(e)) => fail(e),
            None => 1,
        },
    };
    std::process::exit(code);
}

/// The console could not run: the terminal back, one line, exit 1.
fn fail(e: anyhow::Error) -> ! {
    pz::tui::restore_terminal();
    // stderr may be gone with the terminal: never panic on it.
    let _ = writeln!(
        std::io::stderr(),
        "pz: {}",
        pz::sanitize::line(&format!("{e:#}"))
    );
    std::process::exit(1);
}
