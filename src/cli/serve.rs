//! `pz sandbox`: the sandbox run standalone, what it listens on told on
//! stderr, until ctrl-c or SIGTERM.

use super::{SandboxArgs, Usage};
use crate::config::Paths;
use crate::sandbox::{self, SandboxOptions};
use crate::sanitize::line;

pub(super) async fn run_sandbox(args: SandboxArgs, paths: &Paths) -> anyhow::Result<()> {
    if args.api_key.is_some() || args.viewer_key.is_some() {
        return Err(Usage(
            "a key on the command line is in every user's `ps`: use --api-key-file FILE or \
             PZ_SANDBOX_API_KEY (--viewer-key-file or PZ_SANDBOX_VIEWER_KEY)"
                .into(),
        )
        .into());
    }
    let env = |name: &str| std::env::var(name).ok();
    let (api_key, source) =
        sandbox::keys::admin_key(args.api_key_file.as_deref(), &paths.sandbox_key(), &env)?;
    eprintln!("{}", line(&source.describe()));
    let viewer_key = sandbox::keys::viewer_key(args.viewer_key_file.as_deref(), &env)?;
    let state = args.state.unwrap_or_else(|| paths.sandbox_state());
    let mut options = SandboxOptions::new(api_key);
    options.listen = args.listen;
    options.state = Some(state.clone());
    options.viewer_key = viewer_key;
    options.deploy_delay = std::time::Duration::from_millis(args.deploy_delay_ms);
    options.latency = std::time::Duration::from_millis(args.latency_ms);
    options.fail_rate = args.fail_rate;
    let seed = args.fail_seed.unwrap_or_else(rand::random);
    options.fail_seed = Some(seed);
    if args.fail_rate > 0.0 {
        eprintln!(
            "fault injection: {} of calls, seed {seed} (replay: --fail-seed {seed})",
            args.fail_rate
        );
    }
    options.kafka_listen = Some(args.kafka_listen);
    options.token_ttl = args.token_ttl;
    options.generation = args.console_version;
    options.kafka_tls = args.kafka_tls;
    let users: Vec<String> = args
        .users
        .iter()
        .map(|u| line(&u.name).into_owned())
        .collect();
    options.users = args.users;
    let running = sandbox::start(options).await?;
    eprintln!("emulating {}", args.console_version.label());
    if !users.is_empty() {
        eprintln!(
            "users who may log in (CDK_USER/CDK_PASSWORD): {}",
            users.join(", ")
        );
    }
    for l in &running.kafka {
        eprintln!(
            "Gateway {}: Kafka ({}, PLAIN) on {}{}",
            line(&l.cluster),
            if args.kafka_tls {
                "SASL_SSL"
            } else {
                "SASL_PLAINTEXT"
            },
            l.addr,
            if l.down_at_start {
                " (marked down: not listening until it is up)"
            } else {
                ""
            }
        );
    }
    if args.kafka_tls
        && let Some(dir) = state.parent()
    {
        eprintln!(
            "TLS under the sandbox CA: {} (also GET /sandbox/ca)",
            line(&dir.join("sandbox-ca.pem").display().to_string())
        );
    }
    let state = line(&state.display().to_string()).into_owned();
    eprintln!(
        "pz sandbox listening on {} (state {state})",
        running.base_url()
    );
    eprintln!(
        "point pz at it: export CDK_BASE_URL={} CDK_API_KEY={}",
        running.base_url(),
        line(&source.shell_value())
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
