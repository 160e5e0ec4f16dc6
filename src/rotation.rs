//! Rotating a partner's credentials, for `pz rotate` and the console's `R`
//! alike. Issued secrets cannot be invalidated (the vendor's words): the
//! zone is deleted and created again, the same in everything but a new
//! service account (`NAME-sa` → `NAME-sa-r2` → `-r3`), so that nothing
//! issued to the old account opens it again. Resumable: before anything,
//! the zone is saved to a recovery file (0600, under pz's state directory,
//! its first line naming the new account); every step after it looks at
//! where the Console stands, so it can be run again after any interruption;
//! the file is removed only once the new zone is READY.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::api::yaml::{parse_zones, zone_to_yaml};
use crate::api::{ApiError, Client, PartnerZone, ZoneStatus};
use crate::config::Paths;
use crate::secret::Secret;

const HEADER: &str = "# pz rotate: new service account ";
const DIR: &str = "rotations";

/// The recovery file of a rotation of `name`.
pub fn recovery_file(paths: &Paths, name: &str) -> PathBuf {
    paths.zone_file(DIR, name, "yaml")
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

/// A rotation under way: the zone as it was, and its new account.
#[derive(Clone, Debug, PartialEq)]
pub struct Recovery {
    pub zone: PartnerZone,
    pub account: String,
}

impl Recovery {
    /// The rotation of `zone` as the Console has it now.
    pub fn of(mut zone: PartnerZone) -> Recovery {
        zone.metadata.clear_output();
        let old = zone.spec.service_account_name().unwrap_or_default();
        let account = next_account(if old.is_empty() {
            &zone.metadata.name
        } else {
            old
        });
        Recovery { zone, account }
    }

    pub fn name(&self) -> &str {
        &self.zone.metadata.name
    }

    /// The account the partner used until now.
    pub fn old_account(&self) -> &str {
        self.zone.spec.service_account_name().unwrap_or_default()
    }

    /// Whether the partner brings its own credentials (OAUTHBEARER, MTLS):
    /// then revoking them is for its identity provider or CA.
    pub fn brings_own(&self) -> bool {
        crate::credentials::brings_own(self.zone.spec.auth_type())
    }
}

pub fn save(path: &Path, r: &Recovery) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        crate::files::create_private_dir(dir)?;
    }
    let text = format!("{HEADER}{}\n{}", r.account, zone_to_yaml(&r.zone));
    crate::files::write_private(path, text.as_bytes())?;
    Ok(())
}

pub fn load(path: &Path) -> anyhow::Result<Option<Recovery>> {
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

/// Every rotation that did not finish (the readable recovery files), by
/// zone name; a file that cannot be read is named with its error.
pub fn unfinished(paths: &Paths) -> Vec<Result<Recovery, String>> {
    let dir = paths.state_dir.join(DIR);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut found: Vec<_> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .filter_map(|p| match load(&p) {
            Ok(r) => r.map(Ok),
            Err(e) => Some(Err(e.to_string())),
        })
        .collect();
    found.sort_by(|a, b| match (a, b) {
        (Ok(a), Ok(b)) => a.name().cmp(b.name()),
        _ => std::cmp::Ordering::Equal,
    });
    found
}

/// A test's stand-in for `kill -9` right after a step
/// (`PZ_TEST_CRASH_AFTER=saved|deleted|created`): an abort, which like a
/// kill runs no destructor and flushes nothing.
pub fn crash_point(step: &str) {
    if std::env::var("PZ_TEST_CRASH_AFTER").is_ok_and(|s| s == step) {
        std::process::abort();
    }
}

/// What a step did, for the user.
#[derive(Clone, Debug, PartialEq)]
pub enum Done {
    /// The old zone is gone: its account can no longer get in.
    Deleted { old: String },
    /// The zone exists again under the new account.
    Created { account: String },
    /// The Console already held the new zone (a resumed rotation).
    AlreadyCreated { account: String },
}

impl std::fmt::Display for Done {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Done::Deleted { old } => write!(f, "deleted ('{old}' can no longer get in)"),
            Done::Created { account } => {
                write!(f, "created again with the service account '{account}'")
            }
            Done::AlreadyCreated { account } => {
                write!(f, "already created again as '{account}'")
            }
        }
    }
}

/// Deletes the old zone if it is still there and creates the new one
/// unless it already is, from where the Console stands.
pub async fn replace(
    client: &Client,
    r: &Recovery,
    mut report: impl FnMut(Done),
) -> Result<(), ApiError> {
    let current = match client.get_zone(r.name()).await {
        Ok(z) => Some(z),
        Err(ApiError::NotFound(_)) => None,
        Err(e) => return Err(e),
    };
    if current
        .as_ref()
        .is_some_and(|z| z.spec.service_account_name() == Some(r.account.as_str()))
    {
        report(Done::AlreadyCreated {
            account: r.account.clone(),
        });
        return Ok(());
    }
    if current.is_some() {
        client.delete_zone(r.name()).await?;
        report(Done::Deleted {
            old: r.old_account().to_string(),
        });
    }
    crash_point("deleted");
    let mut zone = r.zone.clone();
    zone.spec.set_service_account(&r.account);
    client.apply_zone(&zone, false).await?;
    report(Done::Created {
        account: r.account.clone(),
    });
    crash_point("created");
    Ok(())
}

/// Waits until `name` is READY; a FAILED deployment (with its reason) or
/// the end of `timeout` is an error.
pub async fn wait_ready(client: &Client, name: &str, timeout: Duration) -> Result<(), String> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        match client.get_zone(name).await {
            Ok(z) => match &z.metadata.status {
                Some(ZoneStatus::Ready) => return Ok(()),
                Some(ZoneStatus::Failed) => {
                    return Err(format!(
                        "{name} FAILED{}",
                        z.metadata
                            .failed_reason
                            .map(|r| format!(": {r}"))
                            .unwrap_or_default()
                    ));
                }
                _ => {}
            },
            // A transient failure: asked again until the deadline.
            Err(e) if tokio::time::Instant::now() >= deadline => return Err(e.to_string()),
            Err(_) => {}
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(format!(
                "{name} was not READY within {}s",
                timeout.as_secs()
            ));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The new secret and the Console's kafka-configuration (PLAIN zones; the
/// configuration first, so a failure there spends no secret).
pub async fn issue(client: &Client, name: &str) -> Result<(Secret, String), ApiError> {
    let config = client.kafka_configuration(name).await?;
    let secret = client.generate_credentials(name).await?;
    Ok((secret, config))
}

/// Puts the zone back as it was before the rotation began (the new zone,
/// if there, is deleted first).
pub async fn restore(client: &Client, r: &Recovery) -> Result<(), ApiError> {
    match client.get_zone(r.name()).await {
        Ok(z) if z.spec.service_account_name() != r.zone.spec.service_account_name() => {
            client.delete_zone(r.name()).await?;
        }
        Ok(_) | Err(ApiError::NotFound(_)) => {}
        Err(e) => return Err(e),
    }
    client.apply_zone(&r.zone, false).await.map(|_| ())
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
    fn the_recovery_file_round_trips_is_private_and_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths {
            config_file: dir.path().join("c"),
            data_dir: dir.path().join("d"),
            state_dir: dir.path().join("s"),
        };
        assert!(unfinished(&paths).is_empty());
        let path = recovery_file(&paths, "../evil/zone");
        assert!(path.starts_with(dir.path().join("s/rotations")), "{path:?}");
        let zone = parse_zones(
            "apiVersion: v2\nkind: PartnerZone\nmetadata: {name: z, status: READY}\nspec: {cluster: c, serviceAccount: z-sa, topics: []}\n",
            "t",
        )
        .unwrap()
        .remove(0);
        let r = Recovery::of(zone);
        assert_eq!(r.account, "z-sa-r2");
        assert_eq!(r.zone.metadata.status, None);
        save(&path, &r).unwrap();
        let back = load(&path).unwrap().unwrap();
        assert_eq!(back.account, "z-sa-r2");
        assert_eq!(back.old_account(), "z-sa");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        std::fs::write(path.with_file_name("junk.yaml"), "nothing").unwrap();
        let found = unfinished(&paths);
        assert_eq!(found.len(), 2);
        assert!(
            found
                .iter()
                .any(|f| f.as_ref().is_ok_and(|r| r.name() == "z"))
        );
        assert!(
            found
                .iter()
                .any(|f| f.as_ref().is_err_and(|e| e.contains("not a pz rotate")))
        );
    }
}
