//! The console's rotation (`R`) and its restore, carried out with
//! `crate::rotation` as `pz rotate` does; each step is reported to the
//! loop as it is done.

use std::time::Duration;

use super::{Ctx, Msg};
use crate::app::Action;
use crate::app::rotation::{Rotated, RotationAction};
use crate::rotation::{Recovery, load, recovery_file, save};

/// How long a rotation waits for the new zone to be READY.
const READY_WITHIN: Duration = Duration::from_secs(300);

fn step(ctx: &Ctx, zone: &str, text: String) {
    if let Some(tx) = &ctx.progress {
        let _ = tx.send(Msg::Action(Action::Rotation(RotationAction::Step(
            zone.to_string(),
            text,
        ))));
    }
}

/// Rotates `zone`: a new rotation to `account` as confirmed, or (`None`)
/// the unfinished one its recovery file holds.
pub async fn rotate(ctx: &Ctx, zone: &str, account: Option<String>) -> Action {
    let result = run(ctx, zone, account).await;
    Action::Rotation(RotationAction::Done(zone.to_string(), result))
}

async fn run(ctx: &Ctx, zone: &str, account: Option<String>) -> Result<Rotated, String> {
    let client = ctx.client();
    let paths = ctx
        .paths
        .as_ref()
        .ok_or("pz has no state directory here to keep the recovery file in")?;
    let file = recovery_file(paths, zone);
    let found = load(&file).map_err(|e| e.to_string())?;
    let recovery = match (found, account) {
        (Some(r), None) => r,
        (None, None) => {
            return Err(format!(
                "no unfinished rotation ({} is gone)",
                file.display()
            ));
        }
        (Some(_), Some(_)) => {
            return Err(format!(
                "a rotation of {zone} did not finish ({}): restart pz to finish or restore it",
                file.display()
            ));
        }
        (None, Some(account)) => {
            let zone_now = client.get_zone(zone).await.map_err(|e| e.to_string())?;
            let r = Recovery::of(zone_now);
            if r.account != account {
                return Err(format!(
                    "{zone} changed meanwhile (its new account would be '{}', not '{account}'): nothing was changed",
                    r.account
                ));
            }
            save(&file, &r).map_err(|e| e.to_string())?;
            step(ctx, zone, format!("saved to {} (0600)", file.display()));
            r
        }
    };
    crate::rotation::replace(&client, &recovery, |done| step(ctx, zone, done.to_string()))
        .await
        .map_err(|e| e.to_string())?;
    step(ctx, zone, "waiting for READY…".into());
    crate::rotation::wait_ready(&client, zone, READY_WITHIN).await?;
    step(ctx, zone, "READY".into());
    let secret = if recovery.brings_own() {
        None
    } else {
        Some(
            crate::rotation::issue(&client, zone)
                .await
                .map_err(|e| e.to_string())?,
        )
    };
    std::fs::remove_file(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    Ok(Rotated {
        account: recovery.account,
        secret,
    })
}

/// Puts back the zone an unfinished rotation had saved.
pub async fn restore(ctx: &Ctx, zone: &str) -> Action {
    let result = async {
        let client = ctx.client();
        let paths = ctx.paths.as_ref().ok_or("no state directory")?;
        let file = recovery_file(paths, zone);
        let recovery = load(&file)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("{} is gone", file.display()))?;
        crate::rotation::restore(&client, &recovery)
            .await
            .map_err(|e| e.to_string())?;
        crate::rotation::wait_ready(&client, zone, READY_WITHIN).await?;
        std::fs::remove_file(&file).map_err(|e| format!("{}: {e}", file.display()))
    }
    .await;
    Action::Rotation(RotationAction::Restored(zone.to_string(), result))
}
