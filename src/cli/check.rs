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
    /// A config.properties already at hand (`pz rotate --check`).
    pub text: Option<crate::secret::Secret>,
    pub generate: bool,
    pub cacert: Option<PathBuf>,
    /// `--cert`/`--key`: an MTLS partner's client certificate and key.
    pub cert: Option<(PathBuf, PathBuf)>,
    /// An OAUTHBEARER partner's token, or how to get one.
    pub oauth: Option<OAuth>,
    pub json: bool,
}

/// Where an OAUTHBEARER partner's token comes from.
pub enum OAuth {
    Token(crate::secret::Secret),
    /// The client-credentials grant at the identity provider.
    ClientCredentials {
        endpoint: String,
        client_id: String,
        secret_file: PathBuf,
    },
}

/// The token of `oauth`: given, or asked of the identity provider as the
/// partner's client does (`grant_type=client_credentials`, the client in
/// the form). Prints how long the grant took.
async fn bearer(
    oauth: &OAuth,
    cacert: Option<&[u8]>,
    json: bool,
) -> anyhow::Result<crate::secret::Secret> {
    let (endpoint, client_id, secret_file) = match oauth {
        OAuth::Token(t) => return Ok(t.clone()),
        OAuth::ClientCredentials {
            endpoint,
            client_id,
            secret_file,
        } => (endpoint, client_id, secret_file),
    };
    let secret = crate::secret::Secret::new(
        String::from_utf8_lossy(&read(secret_file, "the client secret file")?).trim(),
    );
    let started = std::time::Instant::now();
    let token = crate::kafka::oauth::client_credentials(
        endpoint,
        client_id,
        &secret,
        cacert,
        check::STEP_TIMEOUT,
    )
    .await
    .map_err(|e| anyhow::anyhow!(e))?;
    if !json {
        println!(
            "  token: from {} in {} ms",
            line(endpoint),
            started.elapsed().as_millis()
        );
    }
    Ok(token)
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
    let bring_own = args.cert.is_some() || args.oauth.is_some();
    let client_cert = match &args.cert {
        Some((c, k)) => Some((read(c, "the certificate")?, read(k, "the key")?)),
        None => None,
    };
    let zone = client.get_zone(&args.name).await?;
    let (settings, source) = match (&args.properties, args.generate) {
        _ if args.text.is_some() => {
            let text = args.text.as_ref().map(|t| t.expose()).unwrap_or_default();
            let settings = properties::parse(text)
                .map_err(|e| anyhow::anyhow!("the new config.properties: {e}"))?;
            (settings, "the new secret".to_string())
        }
        // An MTLS partner brings a certificate, not a secret: where and how
        // to connect come from the Console.
        (None, false) if bring_own => {
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
    if !settings.is_mtls() && !settings.username.is_empty() && settings.username != account {
        eprintln!(
            "pz: warning: the file's username '{}' is not {}'s service account '{}'",
            line(&settings.username),
            line(&args.name),
            line(account)
        );
    }
    let bearer = match (
        &args.oauth,
        settings.mechanism.eq_ignore_ascii_case("OAUTHBEARER"),
    ) {
        (Some(o), true) => Some(bearer(o, cacert.as_deref(), args.json).await?),
        (None, true) => {
            return Err(Usage(format!(
                "{} uses OAUTHBEARER: give the partner's token with --token, or --token-endpoint URL --client-id ID --client-secret-file FILE",
                line(&args.name)
            ))
            .into());
        }
        (_, false) => None,
    };
    let expected: Vec<String> = zone
        .spec
        .topics
        .iter()
        .map(|t| t.name.to_string())
        .collect();
    // A secret (or token) that says when it expires: warned within 7 days,
    // and an expired one fails here, before any connection.
    let now = chrono::Utc::now();
    let validity = bearer
        .as_ref()
        .or((!settings.password.expose().is_empty()).then_some(&settings.password))
        .and_then(|s| credentials::Validity::of(s, now));
    if let Some(v @ credentials::Validity::Expired(_)) = validity {
        let report = Report::failed_before(&args.name, check::StepKind::Sasl, v.describe(now));
        if args.json {
            println!("{}", serde_json::to_string_pretty(&report)?);
        } else {
            eprintln!("pz: {}'s secret {}", line(&args.name), v.describe(now));
        }
        return Ok(1);
    }
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
        match validity {
            Some(v @ credentials::Validity::ExpiresSoon(_)) => {
                println!("  warning: the secret {}", v.describe(now));
            }
            Some(v) => println!("  the secret is {}", v.describe(now)),
            None => {}
        }
    }
    let plan = Plan {
        zone: args.name.clone(),
        settings,
        source,
        expected,
        cacert,
        client_cert,
        bearer,
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
