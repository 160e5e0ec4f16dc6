//! The non-interactive subcommands. Each prints its result on stdout and a
//! one-line error on stderr, and returns the process exit code.

use std::io::{BufRead, Write};

use chrono::Utc;

use super::{Command, Output, SandboxArgs};
use crate::api::PartnerZone;
use crate::api::yaml::{parse_zones, zone_to_yaml, zones_to_yaml};
use crate::backend::{self, Backend};
use crate::config::{ConfigFile, Paths, Target, resolve_target};
use crate::credentials;
use crate::format::{parse_time, relative};
use crate::sandbox::{self, SandboxOptions};
use crate::secret::Secret;

/// Runs a subcommand; returns the exit code.
pub async fn run(command: Command, context: Option<&str>, read_only: bool) -> i32 {
    let paths = Paths::from_env();
    match execute(command, context, read_only, &paths).await {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("pz: {e:#}");
            1
        }
    }
}

async fn execute(
    command: Command,
    context: Option<&str>,
    read_only: bool,
    paths: &Paths,
) -> anyhow::Result<()> {
    if let Command::Sandbox(args) = command {
        return run_sandbox(args, paths).await;
    }
    if let Command::Info { .. } = command {
        return info(context, paths);
    }
    // A bad file is reported before anything else happens.
    let to_apply = match &command {
        Command::Apply { file, .. } => Some(read_zones(file)?),
        _ => None,
    };
    let file = ConfigFile::load(&paths.config_file)?;
    let target = resolve_target(&file, context, &|k| std::env::var(k).ok())?;
    if matches!(target, Target::Sandbox) {
        eprintln!(
            "pz: no Console configured (CDK_BASE_URL or a context); using the local sandbox ({})",
            paths.sandbox_state().display()
        );
    }
    let backend = backend::connect(target, paths).await?;
    let read_only = read_only || backend.read_only;
    let mutating = matches!(
        command,
        Command::Apply { dry_run: false, .. }
            | Command::Delete { .. }
            | Command::Credentials { .. }
    );
    if read_only && mutating {
        anyhow::bail!("read-only mode: this command changes the Console");
    }
    let result = match command {
        Command::Get { name, output, .. } => get(&backend, name.as_deref(), output).await,
        Command::Apply { dry_run, .. } => {
            apply(&backend, to_apply.unwrap_or_default(), dry_run).await
        }
        Command::Delete { name, yes, .. } => delete(&backend, &name, yes).await,
        Command::Credentials {
            name, properties, ..
        } => credentials_cmd(&backend, &name, properties).await,
        Command::Sandbox(_) | Command::Info { .. } => Ok(()),
    };
    if let Some(s) = backend.sandbox {
        s.shutdown().await;
    }
    result
}

async fn get(backend: &Backend, name: Option<&str>, output: Output) -> anyhow::Result<()> {
    let zones = match name {
        Some(n) => vec![backend.client.get_zone(n).await?],
        None => backend.client.list_zones().await?,
    };
    let text = match output {
        Output::Json if name.is_some() => serde_json::to_string_pretty(&zones[0])?,
        Output::Json => serde_json::to_string_pretty(&zones)?,
        Output::Yaml if name.is_some() => zone_to_yaml(&zones[0]),
        Output::Yaml => zones_to_yaml(&zones),
        Output::Table => table(&zones),
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", text.trim_end())?;
    Ok(())
}

/// The zones as an aligned plain-text table.
pub fn table(zones: &[PartnerZone]) -> String {
    let now = Utc::now();
    let mut rows = vec![[
        "NAME".to_string(),
        "DISPLAY NAME".into(),
        "STATUS".into(),
        "GATEWAY".into(),
        "TOPICS".into(),
        "UPDATED".into(),
    ]];
    for z in zones {
        rows.push([
            z.metadata.name.clone(),
            z.spec.display_name.clone().unwrap_or_default(),
            z.metadata
                .status
                .as_ref()
                .map(|s| s.to_string())
                .unwrap_or_default(),
            z.spec.cluster.clone(),
            z.spec.topics.len().to_string(),
            relative(z.metadata.updated_at.as_deref().and_then(parse_time), now),
        ]);
    }
    let widths: Vec<usize> = (0..6)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    rows.iter()
        .map(|r| {
            r.iter()
                .zip(&widths)
                .map(|(cell, w)| format!("{cell:<w$}"))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads and parses the file of `pz apply -f` (before connecting anywhere).
fn read_zones(path: &std::path::Path) -> anyhow::Result<Vec<PartnerZone>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    Ok(parse_zones(&text, &path.display().to_string())?)
}

async fn apply(backend: &Backend, zones: Vec<PartnerZone>, dry_run: bool) -> anyhow::Result<()> {
    let mut failed = 0;
    for zone in &zones {
        let name = &zone.metadata.name;
        match backend.client.apply_zone(zone, dry_run).await {
            Ok(result) => {
                let suffix = if dry_run { " (dry run)" } else { "" };
                println!("PartnerZone/{name}: {}{suffix}", result.upsert_result);
            }
            Err(e) => {
                failed += 1;
                eprintln!("PartnerZone/{name}: {e}");
            }
        }
    }
    if failed > 0 {
        anyhow::bail!("{failed} of {} zone(s) were not applied", zones.len());
    }
    Ok(())
}

async fn delete(backend: &Backend, name: &str, yes: bool) -> anyhow::Result<()> {
    let zone = backend.client.get_zone(name).await?;
    if !yes {
        let partner = zone
            .spec
            .partner
            .as_ref()
            .map(|p| p.name.as_str())
            .unwrap_or("the partner");
        eprintln!(
            "Deleting the Partner Zone '{name}' removes {partner}'s access to {} topic(s). This cannot be undone.",
            zone.spec.topics.len()
        );
        eprint!("Type the zone name or DELETE to confirm: ");
        std::io::stderr().flush()?;
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        let typed = line.trim_end_matches(['\n', '\r']);
        if typed != name && typed != "DELETE" {
            anyhow::bail!("not confirmed; nothing was deleted");
        }
    }
    backend.client.delete_zone(name).await?;
    println!("PartnerZone/{name}: Deleted");
    Ok(())
}

async fn credentials_cmd(backend: &Backend, name: &str, properties: bool) -> anyhow::Result<()> {
    let zone = backend.client.get_zone(name).await?;
    // Fetch the configuration first so that a failure there does not waste
    // a secret that was generated and never shown.
    let config = if properties {
        Some(backend.client.kafka_configuration(name).await?)
    } else {
        None
    };
    let secret = backend.client.generate_credentials(name).await?;
    let mut out = std::io::stdout().lock();
    match config {
        Some(config) => {
            let account = zone.spec.service_account_name().unwrap_or_default();
            write!(
                out,
                "{}",
                credentials::partner_properties(&config, account, &secret)
            )?;
        }
        None => writeln!(out, "{}", secret.expose())?,
    }
    Ok(())
}

fn info(context: Option<&str>, paths: &Paths) -> anyhow::Result<()> {
    println!("config file:    {}", paths.config_file.display());
    println!("log file:       {}", paths.log_file().display());
    println!("state dir:      {}", paths.state_dir.display());
    println!("sandbox state:  {}", paths.sandbox_state().display());
    let file = ConfigFile::load(&paths.config_file)?;
    if let Some(w) = crate::config::key_file_warning(&paths.config_file, &file) {
        println!("warning:        {w}");
    }
    match resolve_target(&file, context, &|k| std::env::var(k).ok()) {
        Ok(Target::Sandbox) => println!("console:        the local sandbox, started in-process"),
        Ok(Target::Console {
            connection,
            context,
            read_only,
        }) => {
            println!(
                "console:        {}{}{}",
                connection.base_url,
                context
                    .map(|c| format!(" (context {c})"))
                    .unwrap_or_default(),
                if read_only { " read-only" } else { "" }
            );
            println!(
                "api key:        {}",
                if connection.api_key.is_empty() {
                    "missing"
                } else {
                    "set"
                }
            );
        }
        Err(e) => println!("console:        not usable: {e}"),
    }
    Ok(())
}

async fn run_sandbox(args: SandboxArgs, paths: &Paths) -> anyhow::Result<()> {
    let api_key = match args.api_key {
        Some(k) if !k.trim().is_empty() => Secret::new(k.trim()),
        _ => {
            let path = paths.sandbox_key();
            let key = sandbox::load_or_create_key(&path).map_err(|e| {
                anyhow::anyhow!("cannot keep the API key in {}: {e}", path.display())
            })?;
            eprintln!("API key in {} (mode 0600)", path.display());
            key
        }
    };
    let state = args.state.unwrap_or_else(|| paths.sandbox_state());
    let mut options = SandboxOptions::new(api_key);
    options.listen = args.listen;
    options.state = Some(state.clone());
    options.viewer_key = args.viewer_key.map(Secret::new);
    options.deploy_delay = std::time::Duration::from_millis(args.deploy_delay_ms);
    options.latency = std::time::Duration::from_millis(args.latency_ms);
    options.fail_rate = args.fail_rate;
    let running = sandbox::start(options).await?;
    eprintln!(
        "pz sandbox listening on {} (state {})",
        running.base_url(),
        state.display()
    );
    eprintln!(
        "point pz at it: export CDK_BASE_URL={} CDK_API_KEY=$(cat {})",
        running.base_url(),
        paths.sandbox_key().display()
    );
    // Stop cleanly on ctrl-c or SIGTERM; every acknowledged change is
    // already on disk, so a hard kill loses nothing either.
    tokio::select! {
        _ = running_until_signal() => {}
    }
    running.shutdown().await;
    Ok(())
}

async fn running_until_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
