//! `pz edit NAME`: the zone's vendor YAML in the user's editor, as
//! `kubectl edit` does (the session and its verdicts: `editing`); applied →
//! the diff and `Updated`; an error left without a new change → the file
//! kept (0600), exit 1. `--dry-run` asks the Console's verdict only.

use crate::api::{Client, UpsertResult};
use crate::config::Paths;
use crate::editing::{CANCELLED, Session, Verdict, run_editor};
use crate::sanitize::line;

pub async fn run(client: &Client, paths: &Paths, name: &str, dry_run: bool) -> anyhow::Result<i32> {
    let mut session = Session::new(paths, client.get_zone(name).await?);
    loop {
        session.write().map_err(anyhow::Error::msg)?;
        run_editor(&session.file).map_err(anyhow::Error::msg)?;
        let edited = session.read().map_err(anyhow::Error::msg)?;
        let zone = match session.judge(&edited) {
            Verdict::Cancelled => {
                eprintln!("{CANCELLED}");
                session.remove();
                return Ok(0);
            }
            Verdict::Kept => {
                eprintln!(
                    "pz: the edit was not applied; your changes are kept in {} (0600)",
                    line(&session.origin())
                );
                return Ok(1);
            }
            Verdict::Reopen(e) => {
                eprintln!("pz: {}", line(&e));
                continue;
            }
            Verdict::Apply(zone) => zone,
        };
        match client.apply_zone(&zone, dry_run).await {
            Ok(result) => {
                let diff = super::diff::zone_diff(Some(&session.current), &zone, "edited");
                print!("{}", crate::sanitize::lines(&diff));
                let word = match result.upsert_result {
                    UpsertResult::NotChanged => "NotChanged",
                    _ => "Updated",
                };
                let dry = if dry_run { " (dry run)" } else { "" };
                println!("PartnerZone/{}: {word}{dry}", line(name));
                session.remove();
                return Ok(0);
            }
            Err(e) => {
                let e = e.to_string();
                eprintln!("pz: {}", line(&e));
                session.refused(&e, session.last_edited());
            }
        }
    }
}
