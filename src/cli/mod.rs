//! Command-line arguments and the non-interactive subcommands.

mod check;
mod commands;
mod contexts;
mod diff;
mod edit;
mod everywhere;
mod follow;
mod handover;
pub(crate) mod rotate;
mod serve;
mod table;

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

pub use commands::run;

/// `pz --version`: the version, the commit it was built from, the target.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("PZ_COMMIT"),
    ", ",
    env!("PZ_TARGET"),
    ")"
);

#[derive(Parser, Debug)]
#[command(
    name = "pz",
    version = VERSION,
    about = "The Partner Zone console for Conduktor: zones, topics and partner credentials from a terminal",
    long_about = "Without a subcommand pz opens the interactive console.\n\nIt talks to the Console named by CDK_BASE_URL/CDK_API_KEY or by a context of ~/.config/pz/config.yaml; with neither, it starts the local sandbox in-process.",
    after_help = EXIT_CODES
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
    /// Empty a copied secret from the system clipboard after SECS seconds,
    /// if it still holds it (default 60; 0: never).
    #[arg(long, value_name = "SECS")]
    pub clipboard_clear: Option<u64>,
    /// Leave the mouse to the terminal (no wheel, no clicks in pz; also
    /// `mouse: false` in the config file).
    #[arg(long)]
    pub no_mouse: bool,
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
            | Command::Rotate { conn, .. }
            | Command::Edit { conn, .. }
            | Command::Check { conn, .. }
            | Command::Info { conn }
            | Command::Wait { conn, .. }
            | Command::Diff { conn, .. } => Some(conn),
            Command::Sandbox(_)
            | Command::Config(_)
            | Command::Completions { .. }
            | Command::Man => None,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Output {
    Table,
    /// The table with URL, service account, authentication, partner, labels.
    Wide,
    /// `partnerzone/NAME` lines, for xargs.
    Name,
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
        /// Only the zones whose labels match, as kubectl takes it:
        /// key=value, key!=value, key, !key, comma-separated (all hold).
        #[arg(short = 'l', long, value_name = "SELECTOR", value_parser = parse_selector)]
        selector: Option<crate::api::selector::Selector>,
        /// After the list, print a line for each change until ctrl-c.
        #[arg(short, long)]
        watch: bool,
        /// Order the list by this column (ascending; the name breaks ties).
        #[arg(long, value_enum, value_name = "COLUMN")]
        sort_by: Option<table::SortBy>,
        /// The table without its heading line.
        #[arg(long)]
        no_headers: bool,
        /// Every context of the config file, listed at once (a CONTEXT
        /// column; a context that fails is named on stderr, exit 1).
        #[arg(long, conflicts_with_all = ["name", "watch"])]
        all_contexts: bool,
        #[command(flatten)]
        conn: ConnArgs,
    },
    /// Create or update the zones of a YAML file (one or several `---` documents).
    Apply {
        /// The YAML file, or - for standard input.
        #[arg(short, long)]
        file: PathBuf,
        /// Validate on the server; store nothing.
        #[arg(long)]
        dry_run: bool,
        /// Then wait until every zone is READY (exit 0) or one FAILED (exit 1).
        #[arg(long)]
        wait: bool,
        /// How long --wait waits, e.g. 90s, 2m, 1h.
        #[arg(long, default_value = "5m", value_parser = parse_duration)]
        timeout: std::time::Duration,
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
    /// Edit a zone's YAML in $VISUAL / $EDITOR (else vi) and apply it on
    /// save, as `kubectl edit`: reopened with the error when refused.
    Edit {
        name: String,
        /// Show the diff and the Console's verdict; change nothing.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        conn: ConnArgs,
    },
    /// Revoke and re-issue: the zone saved to a recovery file, deleted,
    /// created again under a new service account (NAME-sa → NAME-sa-r2),
    /// READY, then a new secret. Resumable: `--resume` finishes an
    /// interrupted rotation, `--restore` puts the zone back as it was.
    Rotate {
        name: String,
        #[command(flatten)]
        how: rotate::How,
        #[command(flatten)]
        conn: ConnArgs,
    },
    /// Generate a new secret for the zone's service account.
    Credentials {
        name: String,
        /// Print a ready config.properties for the partner instead.
        #[arg(long)]
        properties: bool,
        /// Write to FILE (mode 0600, never through a link) instead of
        /// stdout, whose redirection (`> file`) would leave the secret
        /// readable by others.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        encrypt: handover::Encrypt,
        #[command(flatten)]
        conn: ConnArgs,
    },
    /// Connect to the zone's Gateway as the partner would: bootstrap, TCP,
    /// TLS, SASL PLAIN, and the topics it sees against the zone's aliases.
    Check {
        name: String,
        /// The partner's config.properties (as `pz credentials --properties` writes it).
        #[arg(long, conflicts_with = "generate")]
        properties: Option<PathBuf>,
        /// Generate a new secret and check with it (earlier secrets stay valid).
        #[arg(long)]
        generate: bool,
        /// A CA certificate (PEM) for a Gateway with a private CA.
        #[arg(long)]
        cacert: Option<PathBuf>,
        /// The partner's client certificate (PEM), for an MTLS zone.
        #[arg(long, requires = "key", value_name = "PEM")]
        cert: Option<PathBuf>,
        /// The key of --cert (PEM).
        #[arg(long, requires = "cert", value_name = "PEM")]
        key: Option<PathBuf>,
        /// A bearer token from the partner's identity provider, for an
        /// OAUTHBEARER zone (visible in `ps`: prefer --token-endpoint).
        #[arg(long, value_name = "TOKEN", conflicts_with = "token_endpoint")]
        token: Option<String>,
        /// The identity provider's token endpoint: pz does the
        /// client-credentials grant as the partner's client would.
        #[arg(long, value_name = "URL", requires_all = ["client_id", "client_secret_file"])]
        token_endpoint: Option<String>,
        /// The OAuth client id, with --token-endpoint.
        #[arg(long, value_name = "ID")]
        client_id: Option<String>,
        /// A file holding the OAuth client secret, with --token-endpoint.
        #[arg(long, value_name = "FILE")]
        client_secret_file: Option<PathBuf>,
        #[arg(short, long, value_enum, default_value = "table")]
        output: Output,
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
    /// Wait until zones are READY (or deleted); exit 1 if one FAILED or on timeout.
    Wait {
        #[arg(required = true)]
        names: Vec<String>,
        /// What to wait for.
        #[arg(long = "for", value_enum, default_value = "ready")]
        goal: Goal,
        /// How long to wait, e.g. 90s, 2m, 1h.
        #[arg(long, default_value = "5m", value_parser = parse_duration)]
        timeout: std::time::Duration,
        #[command(flatten)]
        conn: ConnArgs,
    },
    /// Show how the Console's zones differ from a YAML file; exit 1 if they do.
    Diff {
        /// The YAML file, or - for standard input.
        #[arg(short, long)]
        file: PathBuf,
        #[command(flatten)]
        conn: ConnArgs,
    },
    /// The contexts of the config file.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print a shell completion script (bash, zsh, fish, …).
    Completions { shell: clap_complete::Shell },
    /// Print the manual page (roff), e.g. `pz man | man -l -`.
    Man,
}

#[derive(Subcommand, Debug)]
pub enum ConfigCommand {
    /// List the contexts; the current one is marked with *.
    GetContexts,
    /// Print the current context's name.
    CurrentContext,
    /// Make NAME the current context (the rest of the file is kept as it is).
    UseContext { name: String },
}

/// What `pz wait` waits for.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Goal {
    Ready,
    Deleted,
}

/// The exit codes, for `--help` and the README.
pub const EXIT_CODES: &str = "Exit codes:\n  0  success (and: no difference, for diff)\n  1  failure: an error from the Console, a zone that FAILED, a timeout, a difference found by diff\n  2  usage or configuration error: bad flags, a bad YAML file, a missing key or context";

/// A usage or configuration error: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Usage(pub String);

/// A duration such as `90s`, `2m`, `1h` or `30` (seconds).
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration: try 90s, 2m, 1h or 30d"))?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n.saturating_mul(3600),
        "d" => n.saturating_mul(86_400),
        _ => {
            return Err(format!(
                "{text:?} is not a duration: try 90s, 2m, 1h or 30d"
            ));
        }
    };
    Ok(std::time::Duration::from_secs(secs))
}

/// The completion script for `shell`, from the same definitions as `--help`.
pub fn completions(shell: clap_complete::Shell, out: &mut dyn std::io::Write) {
    use clap::CommandFactory;
    clap_complete::generate(shell, &mut Cli::command(), "pz", out);
}

/// The manual page, from the same definitions as `--help`.
pub fn man(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    use clap::CommandFactory;
    clap_mangen::Man::new(Cli::command()).render(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s").unwrap().as_secs(), 90);
        assert_eq!(parse_duration("2m").unwrap().as_secs(), 120);
        assert_eq!(parse_duration("1h").unwrap().as_secs(), 3600);
        assert_eq!(parse_duration("30").unwrap().as_secs(), 30);
        assert!(parse_duration("soon").is_err());
        assert_eq!(parse_duration("30d").unwrap().as_secs(), 30 * 86_400);
        assert!(parse_duration("5w").is_err());
    }

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}

#[derive(clap::Args, Debug, Clone)]
pub struct SandboxArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// State file (default: under the XDG data dir).
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// A file holding the admin API key (else $PZ_SANDBOX_API_KEY, else a
    /// generated key kept in a 0600 file under the XDG data dir).
    #[arg(long, value_name = "FILE")]
    pub api_key_file: Option<PathBuf>,
    /// A file holding a key that may read but gets 403 on every change
    /// (else $PZ_SANDBOX_VIEWER_KEY, else none).
    #[arg(long, value_name = "FILE")]
    pub viewer_key_file: Option<PathBuf>,
    /// Refused: a key on the command line is in every user's `ps`.
    #[arg(long, hide = true, value_name = "KEY")]
    pub api_key: Option<String>,
    /// Refused, like --api-key.
    #[arg(long, hide = true, value_name = "KEY")]
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
    /// The seed of the injected faults, to replay a run (default: random,
    /// printed at start).
    #[arg(long)]
    pub fail_seed: Option<u64>,
    /// The first Gateway's Kafka listener; each further Gateway listens on
    /// the next port (port 0: free ports).
    #[arg(long, default_value = "127.0.0.1:9094")]
    pub kafka_listen: SocketAddr,
    /// The Gateways listen with TLS (SASL_SSL) under a CA the sandbox makes
    /// at first start and keeps beside its state (`GET /sandbox/ca`).
    #[arg(long)]
    pub kafka_tls: bool,
    /// How long a generated secret stays valid (e.g. 30d, 1h, 90s).
    #[arg(long, default_value = "30d", value_parser = parse_duration)]
    pub token_ttl: std::time::Duration,
    /// The Console generation to emulate: 1.32 (spec.serviceAccount, PLAIN
    /// only) or 1.34 and later (spec.authenticationMode, labels, headers,
    /// failedReason).
    #[arg(long, value_name = "VERSION", default_value = "1.45", value_parser = parse_console_version)]
    pub console_version: crate::api::Generation,
    /// A Console user who may log in (CDK_USER/CDK_PASSWORD), as an admin;
    /// repeatable. A throwaway password for trying the login: it is in
    /// `ps` like any argument.
    #[arg(long = "user", value_name = "NAME:PASSWORD", value_parser = parse_user)]
    pub users: Vec<crate::sandbox::auth::User>,
}

fn parse_selector(s: &str) -> Result<crate::api::selector::Selector, String> {
    crate::api::selector::Selector::parse(s)
}

fn parse_console_version(s: &str) -> Result<crate::api::Generation, String> {
    crate::api::Generation::parse(s)
        .ok_or_else(|| format!("{s:?}: give a Console version, 1.32 or later (e.g. 1.32, 1.45)"))
}

fn parse_user(s: &str) -> Result<crate::sandbox::auth::User, String> {
    crate::sandbox::auth::User::parse(s)
}

fn parse_rate(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err("the fail rate is a share between 0 and 1".into())
    }
}
