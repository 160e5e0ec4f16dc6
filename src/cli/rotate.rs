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
use crate::api::yaml::{parse_zones, zone_to_yaml};
use crate::api::{ApiError, PartnerZone};
use crate::backend::Backend;
use crate::config::Paths;
use crate::credentials;
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

const HEADER: &str = "# pz rotate: new service account ";

/// The recovery file of a rotation of `name`.
pub fn recovery_file(paths: &Paths, name: &str) -> PathBuf {
    paths.zone_file("rotations", name, "yaml")
}

/// The account after `account`: `-r2` added, or its `-rN` counted up.
pub fn next_account(account: &str) -> String {
    if let Some((stem, n)) = account.rsplit_once("-r")
        && let Ok(n) = n.parse::<u32>()
        && !stem.is_empty()
    {
        return format!("{stem}-r{}", n + 1);
    }
    format!("{account}-r2")
}

/// What the recovery file holds: the zone as it was, and its new account.
struct Recovery {
    zone: PartnerZone,
    account: String,
}

fn save(path: &Path, r: &Recovery) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        crate::files::create_private_dir(dir)?;
    }
    let text = format!("{HEADER}{}\n{}", r.account, zone_to_yaml(&r.zone));
    crate::files::write_private(path, text.as_bytes())?;
    Ok(())
}

fn load(path: &Path) -> anyhow::Result<Option<Recovery>> {
    let Some((text, _)) = crate::files::read_private(path)? else {
        return Ok(None);
    };
    let origin = path.display().to_string();
    let account = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix(HEADER))
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| anyhow::anyhow!("{origin}: not a pz rotate recovery file"))?
        .to_string();
    let mut zones = parse_zones(&text, &origin)?;
    if zones.len() != 1 {
        anyhow::bail!("{origin}: holds {} zones, not one", zones.len());
    }
    Ok(Some(Recovery {
        zone: zones.remove(0),
        account,
    }))
}

/// A test's stand-in for `kill -9` right after a step
/// (`PZ_TEST_CRASH_AFTER=saved|deleted|created`): an abort, which like a
/// kill runs no destructor and flushes nothing.
fn crash_point(step: &str) {
    if std::env::var("PZ_TEST_CRASH_AFTER").is_ok_and(|s| s == step) {
        std::process::abort();
    }
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
            let mut zone = client.get_zone(name).await?;
            zone.metadata.clear_output();
            let old = zone.spec.service_account_name().unwrap_or_default();
            let account = next_account(if old.is_empty() { name } else { old });
            if !how.yes {
                confirm(&zone, &account)?;
            }
            let r = Recovery { zone, account };
            save(&file, &r)?;
            eprintln!("pz: saved {} to {} (0600)", line(name), file.display());
            crash_point("saved");
            r
        }
    };
    if how.restore {
        return restore(backend, &file, recovery, how.timeout).await;
    }
    let old = recovery
        .zone
        .spec
        .service_account_name()
        .unwrap_or_default()
        .to_string();
    // Where the Console stands: the old zone, the new one, or none.
    let current = match client.get_zone(name).await {
        Ok(z) => Some(z),
        Err(ApiError::NotFound(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let rotated = current
        .as_ref()
        .is_some_and(|z| z.spec.service_account_name() == Some(recovery.account.as_str()));
    let started = std::time::Instant::now();
    if !rotated {
        if current.is_some() {
            client.delete_zone(name).await?;
            eprintln!(
                "pz: deleted {} ('{}' can no longer get in)",
                line(name),
                line(&old)
            );
        }
        crash_point("deleted");
        let mut zone = recovery.zone.clone();
        zone.spec.set_service_account(&recovery.account);
        client.apply_zone(&zone, false).await?;
        eprintln!(
            "pz: created {} again with the service account '{}'",
            line(name),
            line(&recovery.account)
        );
        crash_point("created");
    }
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
        let config = client.kafka_configuration(name).await?;
        let secret = client.generate_credentials(name).await?;
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
    let name = recovery.zone.metadata.name.clone();
    match client.get_zone(&name).await {
        Ok(z) if z.spec.service_account_name() != recovery.zone.spec.service_account_name() => {
            client.delete_zone(&name).await?;
        }
        Ok(_) | Err(ApiError::NotFound(_)) => {}
        Err(e) => return Err(e.into()),
    }
    client.apply_zone(&recovery.zone, false).await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_count_up() {
        assert_eq!(next_account("acme-sa"), "acme-sa-r2");
        assert_eq!(next_account("acme-sa-r2"), "acme-sa-r3");
        assert_eq!(next_account("acme-sa-r9"), "acme-sa-r10");
        assert_eq!(next_account("-r2"), "-r2-r2");
        assert_eq!(next_account("my-rx"), "my-rx-r2");
    }

    #[test]
    fn the_recovery_file_round_trips_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths {
            config_file: dir.path().join("c"),
            data_dir: dir.path().join("d"),
            state_dir: dir.path().join("s"),
        };
        let path = recovery_file(&paths, "../evil/zone");
        assert!(path.starts_with(dir.path().join("s/rotations")), "{path:?}");
        let zone = parse_zones(
            "apiVersion: v2\nkind: PartnerZone\nmetadata: {name: z}\nspec: {cluster: c, serviceAccount: z-sa, topics: []}\n",
            "t",
        )
        .unwrap()
        .remove(0);
        save(
            &path,
            &Recovery {
                zone: zone.clone(),
                account: "z-sa-r2".into(),
            },
        )
        .unwrap();
        let back = load(&path).unwrap().unwrap();
        assert_eq!(back.account, "z-sa-r2");
        assert_eq!(back.zone.spec.service_account_name(), Some("z-sa"));
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
