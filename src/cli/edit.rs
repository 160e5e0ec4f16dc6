//! `pz edit NAME`: the zone's vendor YAML in `$VISUAL`, else `$EDITOR`,
//! else `vi`, as `kubectl edit` does: saved unchanged → cancelled; invalid
//! YAML, a changed name or a refusal from the Console → the file reopened
//! with the error as a `#` block at the top and the user's text below; an
//! error left without a new change → the file kept (0600), exit 1; applied
//! → the diff and `Updated`. `--dry-run` asks the Console's verdict only.

use std::path::{Path, PathBuf};

use crate::api::yaml::{parse_zones, zone_to_yaml};
use crate::api::{Client, PartnerZone, UpsertResult};
use crate::config::Paths;
use crate::sanitize::line;

const BANNER: &str = "# Please edit the zone below. Lines beginning with '#' are ignored;\n# an empty file cancels the edit.\n#\n";

/// The editor's command line: `$VISUAL`, else `$EDITOR`, else `vi`, split
/// on white space as kubectl does (`code --wait`).
fn editor() -> Vec<String> {
    let chosen = ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".into());
    chosen.split_whitespace().map(str::to_string).collect()
}

/// Runs the editor on `file` and waits; one clear line when it cannot.
fn run_editor(file: &Path) -> anyhow::Result<()> {
    let words = editor();
    let status = std::process::Command::new(&words[0])
        .args(&words[1..])
        .arg(file)
        .status()
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot start the editor '{}': {e} (set VISUAL or EDITOR)",
                line(&words.join(" "))
            )
        })?;
    if !status.success() {
        anyhow::bail!(
            "the editor '{}' exited with {status}; nothing was changed",
            line(&words.join(" "))
        );
    }
    Ok(())
}

/// The text without its `#` lines (comments, the banner, the errors).
fn without_comments(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The error block put above the user's text when it is reopened.
fn with_error(error: &str, text: &str) -> String {
    let mut out = String::from(BANNER);
    out.push_str("# The edit could not be applied:\n");
    for l in error.lines() {
        out.push_str(&format!("#   {}\n", line(l)));
    }
    out.push_str("#\n");
    out.push_str(&without_comments(text));
    out
}

/// A private directory for the file being edited (0700, file 0600).
fn edit_file(paths: &Paths, name: &str) -> anyhow::Result<PathBuf> {
    let file = paths.zone_file(
        &format!("edit-{}", uuid::Uuid::new_v4().simple()),
        name,
        "yaml",
    );
    if let Some(dir) = file.parent() {
        crate::files::create_private_dir(dir)?;
    }
    Ok(file)
}

/// What the edited text asks, checked as `pz apply` would.
fn parse(text: &str, name: &str, origin: &str) -> Result<PartnerZone, String> {
    let mut zones = parse_zones(text, origin).map_err(|e| e.to_string())?;
    if zones.len() != 1 {
        return Err(format!("the file must hold one zone, not {}", zones.len()));
    }
    let zone = zones.remove(0);
    if zone.metadata.name != name {
        return Err(format!(
            "metadata.name cannot be changed ('{}' → '{}'): create a new zone with pz apply instead",
            name, zone.metadata.name
        ));
    }
    Ok(zone)
}

pub async fn run(client: &Client, paths: &Paths, name: &str, dry_run: bool) -> anyhow::Result<i32> {
    let mut current = client.get_zone(name).await?;
    current.metadata.clear_output();
    let original = zone_to_yaml(&current);
    let file = edit_file(paths, name)?;
    let origin = file.display().to_string();
    let mut shown = format!("{BANNER}{original}");
    let mut errored = false;
    loop {
        crate::files::write_private(&file, shown.as_bytes())?;
        run_editor(&file)?;
        let Some(edited) = crate::files::read(&file)? else {
            anyhow::bail!("{origin} is gone: nothing was changed");
        };
        let edited = String::from_utf8_lossy(&edited).into_owned();
        let body = without_comments(&edited);
        if body.trim().is_empty() || (!errored && body == original) {
            eprintln!("Edit cancelled, no changes made.");
            remove(&file);
            return Ok(0);
        }
        if errored && edited == shown {
            eprintln!(
                "pz: the edit was not applied; your changes are kept in {} (0600)",
                line(&origin)
            );
            return Ok(1);
        }
        let verdict = match parse(&body, name, &origin) {
            Err(e) => Err(e),
            Ok(zone) => match client.apply_zone(&zone, dry_run).await {
                Ok(result) => Ok((zone, result.upsert_result)),
                Err(e) => Err(e.to_string()),
            },
        };
        match verdict {
            Ok((zone, result)) => {
                let diff = super::diff::zone_diff(Some(&current), &zone, "edited");
                print!("{}", crate::sanitize::lines(&diff));
                let word = match result {
                    UpsertResult::NotChanged => "NotChanged",
                    _ => "Updated",
                };
                let dry = if dry_run { " (dry run)" } else { "" };
                println!("PartnerZone/{}: {word}{dry}", line(name));
                remove(&file);
                return Ok(0);
            }
            Err(e) => {
                eprintln!("pz: {}", line(&e));
                errored = true;
                shown = with_error(&e, &edited);
            }
        }
    }
}

/// The edited file and its private directory, once done.
fn remove(file: &Path) {
    let _ = std::fs::remove_file(file);
    if let Some(dir) = file.parent() {
        let _ = std::fs::remove_dir(dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_is_a_comment_block_above_the_users_text() {
        let text = "# old banner\nmetadata: {name: z}\n";
        let reopened = with_error("line 1\nline 2", text);
        assert!(reopened.contains("#   line 1\n#   line 2\n"), "{reopened}");
        assert!(reopened.ends_with("metadata: {name: z}\n"));
        assert_eq!(without_comments(&reopened), "metadata: {name: z}\n");
    }

    #[test]
    fn the_name_cannot_change() {
        let text = "apiVersion: v2\nkind: PartnerZone\nmetadata: {name: other}\nspec: {cluster: c, serviceAccount: s, topics: []}\n";
        assert!(
            parse(text, "z", "f")
                .unwrap_err()
                .contains("cannot be changed")
        );
        assert!(parse(text, "other", "f").is_ok());
    }
}
