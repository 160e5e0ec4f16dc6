//! `pz check NAME`: prove the partner can get in, from the bastion, with
//! the partner's own `config.properties` or a freshly generated secret.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::Usage;
use crate::backend::Backend;
use crate::credentials;
use crate::kafka::check::{self, Plan, Report};
use crate::kafka::properties;
use crate::sanitize::line;

/// What `pz check` was asked.
pub struct CheckArgs {
    pub name: String,
    pub properties: Option<PathBuf>,
    pub generate: bool,
    pub cacert: Option<PathBuf>,
    /// `--cert`/`--key`: an MTLS partner's client certificate and key.
    pub cert: Option<(PathBuf, PathBuf)>,
    pub json: bool,
}

fn read(path: &Path, what: &str) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        Usage(format!(
            "cannot read {what} {}: {e}",
            line(&path.display().to_string())
        ))
        .into()
    })
}

/// Runs the check; exit 0 when every step passes, 1 when one fails.
pub async fn run(backend: &Backend, args: CheckArgs) -> anyhow::Result<i32> {
    let client = &backend.client;
    let cacert = match &args.cacert {
        Some(p) => Some(read(p, "the CA file")?),
        None => None,
    };
    let client_cert = match &args.cert {
        Some((c, k)) => Some((read(c, "the certificate")?, read(k, "the key")?)),
        None => None,
    };
    let zone = client.get_zone(&args.name).await?;
    let (settings, source) = match (&args.properties, args.generate) {
        // An MTLS partner brings a certificate, not a secret: where and how
        // to connect come from the Console.
        (None, false) if client_cert.is_some() => {
            let config = client.kafka_configuration(&args.name).await?;
            let settings = properties::parse(&config)
                .map_err(|e| anyhow::anyhow!("the Console's kafka-configuration: {e}"))?;
            (settings, "the Console's kafka-configuration".to_string())
        }
        (Some(path), false) => {
            let text = read(path, "the properties file")?;
            let text = String::from_utf8_lossy(&text);
            let settings = properties::parse(&text)
                .map_err(|e| Usage(format!("{}: {e}", line(&path.display().to_string()))))?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string());
            (settings, line(&name).into_owned())
        }
        (None, true) => {
            let config = client.kafka_configuration(&args.name).await?;
            let secret = client.generate_credentials(&args.name).await?;
            eprintln!(
                "pz: generated a new secret for {} to check with (earlier secrets stay valid)",
                line(&args.name)
            );
            let account = zone.spec.service_account_name().unwrap_or_default();
            let text = credentials::partner_properties(&config, account, &secret);
            let settings = properties::parse(&text)
                .map_err(|e| anyhow::anyhow!("the Console's kafka-configuration: {e}"))?;
            (settings, "the Console's kafka-configuration".to_string())
        }
        (Some(_), true) => {
            return Err(Usage("use --properties FILE or --generate, not both".into()).into());
        }
        (None, false) => {
            return Err(Usage(
                "pz check needs the partner's secret: --properties config.properties, or --generate to make a new one"
                    .into(),
            )
            .into());
        }
    };
    let account = zone.spec.service_account_name().unwrap_or_default();
    if settings.is_mtls() && client_cert.is_none() {
        return Err(Usage(format!(
            "{} uses mTLS (security.protocol=SSL): give the partner's certificate with --cert PEM --key PEM",
            line(&args.name)
        ))
        .into());
    }
    if !settings.is_mtls() && settings.username != account {
        eprintln!(
            "pz: warning: the file's username '{}' is not {}'s service account '{}'",
            line(&settings.username),
            line(&args.name),
            line(account)
        );
    }
    let expected: Vec<String> = zone.spec.topics.iter().map(|t| t.name.clone()).collect();
    if !args.json {
        println!(
            "Checking {} as its partner would: '{}' at {}",
            line(&args.name),
            line(if settings.is_mtls() {
                account
            } else {
                &settings.username
            }),
            line(&settings.bootstrap.join(","))
        );
    }
    let plan = Plan {
        zone: args.name.clone(),
        settings,
        source,
        expected,
        cacert,
        client_cert,
        step_timeout: check::STEP_TIMEOUT,
    };
    let started = std::time::Instant::now();
    let json = args.json;
    let report = check::run(plan, |step| {
        if !json {
            println!("  {}", step.line());
            let _ = std::io::stdout().flush();
        }
    })
    .await;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("{}", summary(&report, started.elapsed()));
    }
    Ok(if report.ok { 0 } else { 1 })
}

fn summary(report: &Report, took: std::time::Duration) -> String {
    format!("{} ({} ms)", report.summary(), took.as_millis())
}
