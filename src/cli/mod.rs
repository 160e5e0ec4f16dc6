//! Command-line arguments and the non-interactive subcommands.

mod commands;

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

pub use commands::run;

#[derive(Parser, Debug)]
#[command(
    name = "pz",
    version,
    about = "The Partner Zone console for Conduktor: zones, topics and partner credentials from a terminal",
    long_about = "Without a subcommand pz opens the interactive console.\n\nIt talks to the Console named by CDK_BASE_URL/CDK_API_KEY or by a context of ~/.config/pz/config.yaml; with neither, it starts the local sandbox in-process."
)]
pub struct Cli {
    /// Use this context of the config file.
    #[arg(long)]
    pub context: Option<String>,
    /// Colour theme: default, light, high-contrast, monochrome, or a YAML file.
    #[arg(long)]
    pub theme: Option<String>,
    /// Hide every action that changes something.
    #[arg(long)]
    pub read_only: bool,
    /// How to copy: auto, system, osc52 or off.
    #[arg(long)]
    pub clipboard: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Where to connect, on each subcommand that talks to a Console.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ConnArgs {
    /// Use this context of the config file.
    #[arg(long)]
    pub context: Option<String>,
    /// Refuse every change.
    #[arg(long)]
    pub read_only: bool,
}

impl Command {
    /// The connection flags given after the subcommand, if it takes any.
    pub fn conn(&self) -> Option<&ConnArgs> {
        match self {
            Command::Get { conn, .. }
            | Command::Apply { conn, .. }
            | Command::Delete { conn, .. }
            | Command::Credentials { conn, .. }
            | Command::Info { conn } => Some(conn),
            Command::Sandbox(_) => None,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Output {
    Table,
    Yaml,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List zones, or show one.
    Get {
        name: Option<String>,
        #[arg(short, long, value_enum, default_value = "table")]
        output: Output,
        #[command(flatten)]
        conn: ConnArgs,
    },
    /// Create or update the zones of a YAML file (one or several `---` documents).
    Apply {
        #[arg(short, long)]
        file: PathBuf,
        /// Validate on the server; store nothing.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        conn: ConnArgs,
    },
    /// Delete a zone: the partner loses access. Asks for confirmation.
    Delete {
        name: String,
        /// Do not ask.
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        conn: ConnArgs,
    },
    /// Generate a new secret for the zone's service account.
    Credentials {
        name: String,
        /// Print a ready config.properties for the partner instead.
        #[arg(long)]
        properties: bool,
        #[command(flatten)]
        conn: ConnArgs,
    },
    /// Run the sandbox: a local server with the Partner Zone API.
    Sandbox(SandboxArgs),
    /// Print the configuration, state and log paths in use.
    Info {
        #[command(flatten)]
        conn: ConnArgs,
    },
}

#[derive(clap::Args, Debug, Clone)]
pub struct SandboxArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// State file (default: under the XDG data dir).
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// Admin API key (default: a generated key kept in a 0600 file).
    #[arg(long, env = "PZ_SANDBOX_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// A key that may read but gets 403 on every change.
    #[arg(long, hide_env_values = true)]
    pub viewer_key: Option<String>,
    /// How long a deployment stays PENDING.
    #[arg(long, default_value_t = 2000)]
    pub deploy_delay_ms: u64,
    /// Delay every answer by this much.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Share of calls answered with a 500 or a dropped connection (0 to 1).
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    pub fail_rate: f64,
}

fn parse_rate(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err("the fail rate is a share between 0 and 1".into())
    }
}
