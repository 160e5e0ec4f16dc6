//! `pz credentials NAME`: a new secret for the partner, printed or written
//! 0600 (`--properties`: a whole config.properties); with `--encrypt-to
//! RECIPIENT… -o FILE`, straight into an age-encrypted bundle
//! (`credentials::bundle`), never on disk unencrypted. The recipients used
//! for a zone are remembered (public keys, under the state directory) and
//! `--encrypt` alone uses them again.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use super::Usage;
use super::commands::writable_target;
use crate::backend::Backend;
use crate::config::Paths;
use crate::credentials::{self, Validity, bundle};
use crate::sanitize::{line, lines};
use crate::secret::Secret;

/// How the secret is encrypted for the hand-over.
#[derive(clap::Args, Debug, Default)]
pub struct Encrypt {
    /// Encrypt for this recipient: an age public key (age1…) or an SSH
    /// public key (ssh-ed25519, ssh-rsa); repeatable.
    #[arg(long = "encrypt-to", value_name = "RECIPIENT")]
    pub to: Vec<String>,
    /// Encrypt for every recipient of FILE (one per line, as `age -R`).
    #[arg(short = 'R', long = "recipients-file", value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Encrypt for the recipients used last time for this zone.
    #[arg(long)]
    pub encrypt: bool,
    /// ASCII-armored output (text, for a mail body or a chat).
    #[arg(long)]
    pub armor: bool,
}

impl Encrypt {
    pub fn asked(&self) -> bool {
        self.encrypt || !self.to.is_empty() || !self.files.is_empty()
    }
}

/// The recipients asked for, checked before any secret is generated.
fn recipients(paths: &Paths, zone: &str, how: &Encrypt) -> anyhow::Result<Vec<bundle::Recipient>> {
    let mut out = Vec::new();
    for text in &how.to {
        out.push(bundle::Recipient::parse(text).map_err(|e| Usage(line(&e).into_owned()))?);
    }
    for path in &how.files {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Usage(format!("cannot read {}: {e}", path.display())))?;
        let origin = path.display().to_string();
        out.extend(bundle::parse_file(&text, &origin).map_err(|e| Usage(line(&e).into_owned()))?);
    }
    if out.is_empty() {
        let file = paths.recipients_file(zone);
        let Some((text, _)) = crate::files::read_private(&file)? else {
            return Err(Usage(format!(
                "no recipients for {} yet: give --encrypt-to RECIPIENT or -R FILE (they are remembered for next time)",
                line(zone)
            ))
            .into());
        };
        out = bundle::parse_file(&text, &file.display().to_string())
            .map_err(|e| Usage(line(&e).into_owned()))?;
        eprintln!(
            "pz: encrypting for the recipients used last time for {}:",
            line(zone)
        );
        for r in &out {
            eprintln!("  {}", line(&r.text));
        }
    }
    Ok(out)
}

/// Generates a secret and writes the encrypted bundle to `output` (0600,
/// never through a link), or prints it armored.
pub async fn encrypted(
    backend: &Backend,
    paths: &Paths,
    name: &str,
    output: Option<&Path>,
    how: &Encrypt,
) -> anyhow::Result<()> {
    if output.is_none() && !how.armor && std::io::stdout().is_terminal() {
        return Err(Usage(
            "an encrypted bundle is binary: give -o FILE, or --armor for text".into(),
        )
        .into());
    }
    let to = recipients(paths, name, how)?;
    let client = &backend.client;
    let zone = client.get_zone(name).await?;
    if credentials::brings_own(zone.spec.auth_type()) {
        return Err(Usage(format!(
            "{} authenticates with {}: the partner brings its own credentials, there is no secret to hand over",
            line(name),
            zone.spec.auth_type()
        ))
        .into());
    }
    let config = client.kafka_configuration(name).await?;
    let secret = client.generate_credentials(name).await?;
    let account = zone.spec.service_account_name().unwrap_or_default();
    let properties = Secret::new(credentials::partner_properties(&config, account, &secret));
    let now = chrono::Utc::now();
    let plaintext = bundle::plaintext(&bundle::Contents {
        zone: name,
        aliases: zone
            .spec
            .topics
            .iter()
            .map(|t| (t.name.to_string(), t.permission.as_str().to_string()))
            .collect(),
        bootstrap: credentials::bootstrap_servers(&config).unwrap_or("<bootstrap-servers>"),
        expiry: Validity::of(&secret, now).map(|v| v.describe(now)),
        properties: &properties,
    });
    let sealed = bundle::encrypt(&plaintext, &to, how.armor).map_err(anyhow::Error::msg)?;
    match output {
        Some(path) => {
            crate::files::write_private(path, &sealed)?;
            eprintln!(
                "Wrote {} (mode 0600), encrypted for {} recipient(s): the partner runs `age -d -i KEY {} > config.properties`",
                line(&path.display().to_string()),
                to.len(),
                line(&path.display().to_string())
            );
        }
        None => std::io::stdout().lock().write_all(&sealed)?,
    }
    bundle::remember(&paths.recipients_file(name), &to).map_err(anyhow::Error::msg)?;
    Ok(())
}

/// `pz credentials NAME [--properties] [-o FILE]`: a new secret, or for a
/// partner who brings its own, what to fill in.
pub async fn plain(
    backend: &Backend,
    name: &str,
    properties: bool,
    output: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    // Refuse a file that cannot be written before a secret is spent on it.
    if let Some(path) = output {
        writable_target(path)?;
    }
    let zone = backend.client.get_zone(name).await?;
    // OAUTHBEARER and MTLS partners bring their own credentials: nothing to
    // generate; the configuration says what to fill in.
    let account = zone.spec.service_account_name().unwrap_or_default();
    if let Some(why) = credentials::brought_by_partner(name, zone.spec.auth_type(), account) {
        eprintln!("pz: {}", line(&why));
        if !properties {
            let config = backend.client.kafka_configuration(name).await?;
            if let Some(kcat) = credentials::brought_kcat_command(&config, zone.spec.auth_type()) {
                eprintln!("pz: with kcat (librdkafka): {}", line(&kcat));
            }
            return Err(Usage(format!(
                "{} has no secret to generate: `pz credentials {} --properties` prints the client settings to fill in",
                line(name),
                line(name)
            ))
            .into());
        }
        let text = Secret::new(backend.client.kafka_configuration(name).await?);
        return match output {
            Some(path) => {
                credentials::save_private(path, &text, true)?;
                eprintln!("Wrote {} (mode 0600)", line(&path.display().to_string()));
                Ok(())
            }
            None => Ok(write!(
                std::io::stdout().lock(),
                "{}",
                lines(text.expose())
            )?),
        };
    }
    // Fetch the configuration first so that a failure there does not waste
    // a secret that was generated and never shown.
    let config = if properties {
        Some(backend.client.kafka_configuration(name).await?)
    } else {
        None
    };
    let secret = backend.client.generate_credentials(name).await?;
    let text = match config {
        Some(config) => {
            let account = zone.spec.service_account_name().unwrap_or_default();
            Secret::new(credentials::partner_properties(&config, account, &secret))
        }
        None => Secret::new(format!("{}\n", secret.expose())),
    };
    match output {
        Some(path) => {
            credentials::save_private(path, &text, true)?;
            eprintln!("Wrote {} (mode 0600)", line(&path.display().to_string()));
        }
        None => write!(std::io::stdout().lock(), "{}", lines(text.expose()))?,
    }
    Ok(())
}
