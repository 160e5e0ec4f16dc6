//! The non-interactive subcommands. Each prints its result on stdout and a
//! one-line error on stderr, and returns the process exit code.

use std::io::{BufRead, Write};

use super::table::write_table;

use super::{Command, Goal, Output, Usage, contexts, diff, follow, serve};
use crate::api::diagnosis::Trouble;
use crate::api::yaml::{YamlError, parse_zones, zone_to_yaml, zones_to_yaml};
use crate::api::{ApiError, PartnerZone};
use crate::backend::{self, Backend};
use crate::config::{ConfigError, ConfigFile, Paths, Target, resolve_target};

use crate::sanitize::{self, line, lines};
use crate::secret::Secret;

/// Runs a subcommand; returns the exit code: 0 ok, 1 failure, 2 usage or
/// configuration error (see `EXIT_CODES`).
pub async fn run(command: Command, context: Option<&str>, read_only: bool) -> i32 {
    let paths = Paths::from_env();
    match execute(command, context, read_only, &paths).await {
        Ok(code) => code,
        // The reader of the output went away (`pz get | head`): it has
        // what it wanted, as with any Unix filter.
        Err(e) if closed_output(&e) => 0,
        Err(e) => {
            eprintln!("pz: {}", line(&format!("{e:#}")));
            let config = e
                .chain()
                .any(|c| matches!(c.downcast_ref::<ApiError>(), Some(ApiError::Config(_))));
            if config || e.is::<Usage>() || e.is::<ConfigError>() || e.is::<YamlError>() {
                2
            } else {
                1
            }
        }
    }
}

/// A write to standard output refused because its reader closed (the
/// error itself, not one a connection's failure carries within).
fn closed_output(e: &anyhow::Error) -> bool {
    e.downcast_ref::<std::io::Error>()
        .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}

async fn execute(
    command: Command,
    context: Option<&str>,
    read_only: bool,
    paths: &Paths,
) -> anyhow::Result<i32> {
    match command {
        Command::Sandbox(args) => return serve::run_sandbox(args, paths).await.map(|()| 0),
        Command::Info { .. } => return info(context, paths).await.map(|()| 0),
        Command::Config(cmd) => return contexts::run(cmd, paths),
        Command::Completions { shell } => {
            super::completions(shell, &mut std::io::stdout());
            return Ok(0);
        }
        Command::Man => {
            super::man(&mut std::io::stdout())?;
            return Ok(0);
        }
        _ => {}
    }
    if let Command::Get {
        all_contexts: true,
        output,
        selector,
        sort_by,
        no_headers,
        ..
    } = &command
    {
        let asked = super::everywhere::Asked {
            selector: &selector.clone().unwrap_or_default(),
            sort_by: *sort_by,
            form: super::table::Form {
                wide: *output == Output::Wide,
                no_headers: *no_headers,
            },
            json: *output == Output::Json,
        };
        return super::everywhere::run(paths, asked).await;
    }
    // A bad file is reported before anything else happens.
    let from_file = match &command {
        Command::Apply { file, .. } | Command::Diff { file, .. } => Some(read_zones(file)?),
        _ => None,
    };
    let file = ConfigFile::load(&paths.config_file)?;
    let target = resolve_target(&file, context, &|k| std::env::var(k).ok())?;
    if matches!(target, Target::Sandbox) {
        eprintln!(
            "pz: no Console configured (CDK_BASE_URL or a context); using the local sandbox ({})",
            line(&paths.sandbox_state().display().to_string())
        );
    }
    let backend = backend::connect(target, paths).await?;
    for risk in backend.client.risks() {
        eprintln!("pz: warning: {}", risk.warning());
    }
    let read_only = read_only || backend.read_only;
    let mutating = matches!(
        command,
        Command::Apply { dry_run: false, .. }
            | Command::Delete { .. }
            | Command::Credentials { .. }
            | Command::Rotate { .. }
            | Command::Edit { dry_run: false, .. }
            | Command::Check { generate: true, .. }
    );
    if read_only && mutating {
        return Err(Usage("read-only mode: this command changes the Console".into()).into());
    }
    let listing = matches!(command, Command::Get { name: None, .. });
    let diffing = matches!(command, Command::Diff { .. });
    let ok = |r: anyhow::Result<()>| r.map(|()| 0);
    let client = &backend.client;
    let result = match command {
        Command::Get {
            name: None,
            output,
            watch: true,
            selector,
            no_headers,
            ..
        } => {
            let form = super::table::Form {
                wide: output == Output::Wide,
                no_headers,
            };
            follow::watch(
                client,
                output == Output::Json,
                form,
                &selector.unwrap_or_default(),
            )
            .await
        }
        Command::Get {
            name,
            output,
            selector,
            sort_by,
            no_headers,
            ..
        } => ok(get(
            &backend,
            name.as_deref(),
            (output, sort_by, no_headers),
            &selector.unwrap_or_default(),
        )
        .await),
        Command::Apply {
            dry_run,
            wait,
            timeout,
            ..
        } => {
            let zones = from_file.unwrap_or_default();
            let names: Vec<String> = zones.iter().map(|z| z.metadata.name.to_string()).collect();
            match apply(&backend, zones, dry_run).await {
                Ok(()) if wait && !dry_run => {
                    follow::wait(client, &names, Goal::Ready, timeout).await
                }
                other => ok(other),
            }
        }
        Command::Wait {
            names,
            goal,
            timeout,
            ..
        } => follow::wait(client, &names, goal, timeout).await,
        Command::Diff { file, .. } => {
            diff::diff(client, &from_file.unwrap_or_default(), &origin(&file)).await
        }
        Command::Delete { name, yes, .. } => ok(delete(&backend, &name, yes).await),
        Command::Edit { name, dry_run, .. } => {
            super::edit::run(client, paths, &name, dry_run).await
        }
        Command::Rotate { name, how, .. } => super::rotate::run(&backend, paths, &name, how).await,
        Command::Credentials {
            name,
            output,
            encrypt,
            ..
        } if encrypt.asked() => {
            ok(
                super::handover::encrypted(&backend, paths, &name, output.as_deref(), &encrypt)
                    .await,
            )
        }
        Command::Credentials {
            name,
            properties,
            output,
            ..
        } => ok(super::handover::plain(&backend, &name, properties, output.as_deref()).await),
        Command::Check {
            name,
            properties,
            generate,
            cacert,
            cert,
            key,
            token,
            token_endpoint,
            client_id,
            client_secret_file,
            output,
            ..
        } => {
            let oauth = match (token, token_endpoint) {
                (Some(t), _) => Some(super::check::OAuth::Token(Secret::new(t))),
                (None, Some(endpoint)) => Some(super::check::OAuth::ClientCredentials {
                    endpoint,
                    client_id: client_id.unwrap_or_default(),
                    secret_file: client_secret_file.unwrap_or_default(),
                }),
                (None, None) => None,
            };
            let args = super::check::CheckArgs {
                name,
                properties,
                text: None,
                generate,
                cacert,
                oauth,
                cert: cert.zip(key),
                json: output == Output::Json,
            };
            super::check::run(&backend, args).await
        }
        Command::Sandbox(_)
        | Command::Info { .. }
        | Command::Config(_)
        | Command::Completions { .. }
        | Command::Man => Ok(0),
    };
    let result = result.map_err(|e| explain(&backend.client, e, listing));
    // For diff, an error is exit 2 (1 means "differs").
    let result = match result {
        Err(e) if diffing => Err(Usage(format!("{e:#}")).into()),
        other => other,
    };
    if let Some(s) = backend.sandbox {
        s.shutdown().await;
    }
    result
}

/// An API error in the operator's words (what is wrong, what to do), the
/// same diagnosis the console shows; other errors as they are.
fn explain(client: &crate::api::Client, e: anyhow::Error, listing: bool) -> anyhow::Error {
    match e.downcast_ref::<ApiError>() {
        // A request pz refused to make: a usage error, as it was.
        Some(ApiError::Config(_)) => e,
        Some(api) => anyhow::anyhow!(explain_api(client, api, listing)),
        None => e,
    }
}

/// The diagnosis of an API error as one line, or the error itself when
/// there is nothing more to say than the server's message.
fn explain_api(client: &crate::api::Client, e: &ApiError, listing: bool) -> String {
    let d = client.diagnose(e, listing);
    match d.trouble {
        Trouble::Other => e.to_string(),
        _ => d.line(),
    }
}

async fn get(
    backend: &Backend,
    name: Option<&str>,
    (output, sort_by, no_headers): (Output, Option<super::table::SortBy>, bool),
    selector: &crate::api::selector::Selector,
) -> anyhow::Result<()> {
    // Nothing to choose or order: the answer goes through as it came, laid
    // out, checked for a terminal, never parsed into zones.
    if output == Output::Json && name.is_none() && sort_by.is_none() && selector.is_empty() {
        let bytes = backend.client.list_zones_json().await?;
        let json =
            crate::format::pretty_json(&bytes).map_err(crate::api::client::malformed_list)?;
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", sanitize::json(&json))?;
        return Ok(out.flush()?);
    }
    let mut zones = match name {
        Some(n) => vec![backend.client.get_zone(n).await?],
        None => backend.client.list_zones().await?,
    };
    if name.is_none() {
        zones.retain(|z| selector.matches(&z.metadata.labels));
    }
    if let Some(by) = sort_by {
        super::table::sort(&mut zones, by);
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if output == Output::Name {
        for z in &zones {
            writeln!(out, "partnerzone/{}", line(&z.metadata.name))?;
        }
        out.flush()?;
        return Ok(());
    }
    if matches!(output, Output::Table | Output::Wide) {
        let form = super::table::Form {
            wide: output == Output::Wide,
            no_headers,
        };
        write_table(&mut out, &zones, form)?;
        // One zone: what its labels are and why it failed, under the row.
        if let (Some(_), Some(z)) = (name, zones.first()) {
            if !z.metadata.labels.is_empty() {
                let labels = crate::api::types::labels_text(&z.metadata.labels, ",");
                writeln!(out, "labels: {}", line(&labels))?;
            }
            if let Some(reason) = &z.metadata.failed_reason {
                writeln!(out, "failed: {}", line(reason))?;
            }
        }
        out.flush()?;
        return Ok(());
    }
    // Every output is safe for a terminal: JSON and YAML by their own
    // escaping (exact), the table by the sanitiser (visible escapes).
    let text = match output {
        Output::Json if name.is_some() => {
            sanitize::json(&serde_json::to_string_pretty(&zones[0])?).into_owned()
        }
        Output::Json => sanitize::json(&serde_json::to_string_pretty(&zones)?).into_owned(),
        Output::Yaml => {
            let yaml = match name {
                Some(_) => zone_to_yaml(&zones[0]),
                None => zones_to_yaml(&zones),
            };
            match sanitize::yaml(&yaml) {
                Ok(_) => yaml,
                Err(c) => anyhow::bail!(
                    "the answer holds a control character ({}) the YAML writer did not escape; use -o json",
                    line(&c.to_string())
                ),
            }
        }
        Output::Table | Output::Wide | Output::Name => String::new(),
    };
    writeln!(out, "{}", text.trim_end())?;
    out.flush()?;
    Ok(())
}

/// Reads and parses the file of `pz apply -f` (before connecting anywhere).
/// `-f -` reads standard input.
fn origin(path: &std::path::Path) -> String {
    if path.as_os_str() == "-" {
        "stdin".into()
    } else {
        path.display().to_string()
    }
}

fn read_zones(path: &std::path::Path) -> anyhow::Result<Vec<PartnerZone>> {
    let text = if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut text)
            .map_err(|e| Usage(format!("cannot read standard input: {e}")))?;
        text
    } else {
        std::fs::read_to_string(path)
            .map_err(|e| Usage(format!("cannot read {}: {e}", path.display())))?
    };
    Ok(parse_zones(&text, &origin(path))?)
}

async fn apply(backend: &Backend, zones: Vec<PartnerZone>, dry_run: bool) -> anyhow::Result<()> {
    // What this Console cannot take (OAUTHBEARER on 1.32) is refused before
    // any zone is sent.
    let generation = backend.client.generation().await;
    for zone in &zones {
        crate::api::generation::write_shape(zone, generation).map_err(ApiError::Config)?;
    }
    let mut failed = 0;
    for zone in &zones {
        let name = line(&zone.metadata.name);
        match backend.client.apply_zone(zone, dry_run).await {
            Ok(result) => {
                let suffix = if dry_run { " (dry run)" } else { "" };
                println!(
                    "PartnerZone/{name}: {}{suffix}",
                    line(&result.upsert_result.to_string())
                );
            }
            Err(e) => {
                failed += 1;
                let text = explain_api(&backend.client, &e, false);
                eprintln!("PartnerZone/{name}: {}", line(&text));
            }
        }
    }
    if failed > 0 {
        anyhow::bail!("{failed} of {} zone(s) were not applied", zones.len());
    }
    Ok(())
}

/// Asks `prompt` on stderr and reads one line of stdin, without its end.
pub(super) fn typed_answer(prompt: &str) -> anyhow::Result<String> {
    eprint!("{prompt}");
    std::io::stderr().flush()?;
    let mut typed = String::new();
    std::io::stdin().lock().read_line(&mut typed)?;
    Ok(typed.trim_end_matches(['\n', '\r']).to_string())
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
            "Deleting the Partner Zone '{}' removes {}'s access to {} topic(s). This cannot be undone.",
            line(name),
            line(partner),
            zone.spec.topics.len()
        );
        let typed = typed_answer("Type the zone name or DELETE to confirm: ")?;
        if typed != name && typed != "DELETE" {
            anyhow::bail!("not confirmed; nothing was deleted");
        }
    }
    backend.client.delete_zone(name).await?;
    println!("PartnerZone/{}: Deleted", line(name));
    Ok(())
}

/// The generation the Console says it is (one GET of its OpenAPI
/// document), for `pz info`.
async fn detected(connection: &crate::api::Connection) -> String {
    let mut connection = connection.clone();
    connection.timeout = connection.timeout.min(std::time::Duration::from_secs(5));
    match crate::api::Client::new(&connection) {
        Ok(client) => match client.generation().await {
            Some(g) => g.label(),
            None => "not detected (no OpenAPI document at /api/public/docs/docs.yaml): pz writes both spellings of a PLAIN account".into(),
        },
        Err(e) => format!("not detected: {e}"),
    }
}

/// An error unless `path` is absent or a regular file (a link is refused).
pub(super) fn writable_target(path: &std::path::Path) -> anyhow::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(crate::files::FileError::Symlink {
            path: path.to_path_buf(),
            target: std::fs::read_link(path).ok(),
        }
        .into()),
        Ok(m) if !m.is_file() => Err(crate::files::FileError::NotAFile {
            path: path.to_path_buf(),
        }
        .into()),
        _ => Ok(()),
    }
}

async fn info(context: Option<&str>, paths: &Paths) -> anyhow::Result<()> {
    use std::fmt::Write as _;
    // Paths, URLs and context names come from the environment and files:
    // the whole text goes through the sanitiser.
    let mut o = String::new();
    let l = |v: &dyn std::fmt::Display| line(&v.to_string()).into_owned();
    writeln!(o, "config file:    {}", l(&paths.config_file.display()))?;
    writeln!(o, "log file:       {}", l(&paths.log_file().display()))?;
    writeln!(o, "state dir:      {}", l(&paths.state_dir.display()))?;
    writeln!(o, "sandbox state:  {}", l(&paths.sandbox_state().display()))?;
    let file = ConfigFile::load(&paths.config_file)?;
    if let Some(w) = crate::config::key_file_warning(&paths.config_file, &file) {
        writeln!(o, "warning:        {}", l(&w))?;
    }
    match resolve_target(&file, context, &|k| std::env::var(k).ok()) {
        Ok(Target::Sandbox) => {
            writeln!(o, "console:        the local sandbox, started in-process")?
        }
        Ok(Target::Console {
            connection,
            context,
            read_only,
        }) => {
            writeln!(
                o,
                "console:        {}{}{}",
                l(&connection.base_url),
                context
                    .map(|c| format!(" (context {})", l(&c)))
                    .unwrap_or_default(),
                if read_only { " read-only" } else { "" }
            )?;
            for risk in crate::api::risk::risks_of(&connection.base_url, connection.insecure) {
                writeln!(o, "warning:        {}", risk.warning())?;
            }
            writeln!(o, "auth:           {}", l(&connection.auth.describe()))?;
            writeln!(o, "generation:     {}", l(&detected(&connection).await))?;
        }
        Err(e) => writeln!(o, "console:        not usable: {}", l(&e))?,
    }
    print!("{}", lines(&o));
    Ok(())
}
