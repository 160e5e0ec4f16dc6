//! `pz rotate NAME`: revoke and re-issue the partner's credentials, as the
//! vendor documents it (issued secrets cannot be invalidated: delete and
//! re-create the zone), as one resumable operation:
//!
//! 1. the zone is saved as vendor YAML to a recovery file (0600, under
//!    pz's state directory), its first line naming the new service account;
//! 2. the zone is deleted;
//! 3. it is created again, the same in everything but a new service account
//!    (`NAME-sa` → `NAME-sa-r2` → `-r3`), so that nothing issued to the old
//!    account opens it again;
//! 4. READY is awaited, a new secret generated (PLAIN), optionally checked;
//! 5. the recovery file is removed.
//!
//! Interrupted anywhere, `--resume` reads the file and finishes from where
//! the Console stands; `--restore` puts the zone back as it was.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{Goal, Usage};
use crate::api::PartnerZone;
use crate::backend::Backend;
use crate::config::Paths;
use crate::credentials;
use crate::rotation::{Recovery, crash_point, load, recovery_file, save};
use crate::sanitize::line;
use crate::secret::Secret;

/// What `pz rotate` was asked.
#[derive(clap::Args, Debug)]
pub struct How {
    /// Do not ask (the zone's name is typed to confirm otherwise).
    #[arg(long)]
    pub yes: bool,
    /// Check the partner's access with the new secret (pz check's steps).
    #[arg(long)]
    pub check: bool,
    /// Write the new config.properties to FILE (0600) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Finish a rotation that was interrupted.
    #[arg(long, conflicts_with = "restore")]
    pub resume: bool,
    /// Undo an interrupted rotation: the zone as it was before.
    #[arg(long)]
    pub restore: bool,
    /// How long to wait for READY.
    #[arg(long, default_value = "5m", value_parser = super::parse_duration)]
    pub timeout: Duration,
}

pub async fn run(backend: &Backend, paths: &Paths, name: &str, how: How) -> anyhow::Result<i32> {
    let client = &backend.client;
    if let Some(path) = &how.output {
        super::commands::writable_target(path)?;
    }
    let file = recovery_file(paths, name);
    let found = load(&file)?;
    let recovery = match (found, how.resume || how.restore) {
        (Some(_), false) => {
            return Err(Usage(format!(
                "a rotation of {} did not finish ({}): `pz rotate {} --resume` finishes it, `--restore` puts the zone back as it was",
                line(name),
                file.display(),
                line(name)
            ))
            .into());
        }
        (None, true) => {
            return Err(Usage(format!(
                "no unfinished rotation of {} ({} is not there)",
                line(name),
                file.display()
            ))
            .into());
        }
        (Some(r), true) => {
            eprintln!(
                "pz: resuming the rotation of {} to '{}' from {}",
                line(name),
                line(&r.account),
                file.display()
            );
            r
        }
        (None, false) => {
            let r = Recovery::of(client.get_zone(name).await?);
            if !how.yes {
                confirm(&r.zone, &r.account)?;
            }
            save(&file, &r)?;
            eprintln!("pz: saved {} to {} (0600)", line(name), file.display());
            crash_point("saved");
            r
        }
    };
    if how.restore {
        return restore(backend, &file, recovery, how.timeout).await;
    }
    let started = std::time::Instant::now();
    crate::rotation::replace(client, &recovery, |done| {
        eprintln!("pz: {} {}", line(name), line(&done.to_string()))
    })
    .await?;
    let names = [name.to_string()];
    let waited = super::follow::wait(client, &names, Goal::Ready, how.timeout).await?;
    if waited != 0 {
        eprintln!(
            "pz: the rotation of {} is not finished: `pz rotate {} --resume` once the zone can be READY",
            line(name),
            line(name)
        );
        return Ok(waited);
    }
    let zone = client.get_zone(name).await?;
    let mut code = 0;
    if !credentials::brings_own(zone.spec.auth_type()) {
        let (secret, config) = crate::rotation::issue(client, name).await?;
        let text = Secret::new(credentials::partner_properties(
            &config,
            &recovery.account,
            &secret,
        ));
        eprintln!(
            "pz: {} rotated in {:.1} s: the partner now connects as '{}'",
            line(name),
            started.elapsed().as_secs_f64(),
            line(&recovery.account)
        );
        match &how.output {
            Some(path) => {
                credentials::save_private(path, &text, true)?;
                eprintln!("Wrote {} (mode 0600)", line(&path.display().to_string()));
            }
            None => write!(std::io::stdout().lock(), "{}", text.expose())?,
        }
        if how.check {
            let args = super::check::CheckArgs {
                name: name.to_string(),
                properties: None,
                text: Some(text),
                generate: false,
                cacert: None,
                cert: None,
                oauth: None,
                json: false,
            };
            code = super::check::run(backend, args).await?;
        }
    } else {
        eprintln!(
            "pz: {} re-created with the service account '{}': revoking what the partner holds is for its identity provider or certificate authority; its tokens or certificate must now name '{}'",
            line(name),
            line(&recovery.account),
            line(&recovery.account)
        );
    }
    std::fs::remove_file(&file)?;
    Ok(code)
}

/// `--restore`: the zone as it was before the rotation began.
async fn restore(
    backend: &Backend,
    file: &Path,
    recovery: Recovery,
    timeout: Duration,
) -> anyhow::Result<i32> {
    let client = &backend.client;
    let name = recovery.name().to_string();
    crate::rotation::restore(client, &recovery).await?;
    let waited =
        super::follow::wait(client, std::slice::from_ref(&name), Goal::Ready, timeout).await?;
    if waited == 0 {
        std::fs::remove_file(file)?;
        eprintln!(
            "pz: {} restored as it was (service account '{}'); its earlier secrets work again while unexpired",
            line(&name),
            line(
                recovery
                    .zone
                    .spec
                    .service_account_name()
                    .unwrap_or_default()
            )
        );
    }
    Ok(waited)
}

/// The zone's name, typed, as for a delete.
fn confirm(zone: &PartnerZone, account: &str) -> anyhow::Result<()> {
    let name = &zone.metadata.name;
    eprintln!(
        "Rotating '{}' deletes it and creates it again as '{}': the partner is without access until it is READY and has the new secret.",
        line(name),
        line(account)
    );
    if super::commands::typed_answer("Type the zone name to confirm: ")? != *name {
        anyhow::bail!("not confirmed; nothing was changed");
    }
    Ok(())
}
