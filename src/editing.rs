//! A zone's vendor YAML in the user's editor, as `kubectl edit` does it,
//! for `pz edit` and the console's `E` alike: the editor's command line
//! (`$VISUAL`, else `$EDITOR`, else `vi`), the private file it edits, and
//! the [`Session`] that judges what came back: saved unchanged → cancelled;
//! invalid YAML or a changed name → reopened with the error as a `#` block
//! above the user's text; an error left without a new change → the file
//! kept (0600); otherwise the zone to apply (whose refusal reopens it too).

use std::path::{Path, PathBuf};

use crate::api::PartnerZone;
use crate::api::yaml::{parse_zones, zone_to_yaml};
use crate::config::Paths;
use crate::sanitize::line;

const BANNER: &str = "# Please edit the zone below. Lines beginning with '#' are ignored;\n# an empty file cancels the edit.\n#\n";

/// What kubectl says when the file comes back unchanged.
pub const CANCELLED: &str = "Edit cancelled, no changes made.";

/// The editor's command line: `$VISUAL`, else `$EDITOR`, else `vi`, split
/// on white space as kubectl does (`code --wait`).
pub fn editor() -> Vec<String> {
    let chosen = ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".into());
    chosen.split_whitespace().map(str::to_string).collect()
}

/// Runs the editor on `file` and waits (the terminal is the editor's
/// meanwhile); one clear line when it cannot start or fails.
pub fn run_editor(file: &Path) -> Result<(), String> {
    let words = editor();
    let status = std::process::Command::new(&words[0])
        .args(&words[1..])
        .arg(file)
        .status()
        .map_err(|e| {
            format!(
                "cannot start the editor '{}': {e} (set VISUAL or EDITOR)",
                line(&words.join(" "))
            )
        })?;
    if !status.success() {
        return Err(format!(
            "the editor '{}' exited with {status}; nothing was changed",
            line(&words.join(" "))
        ));
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

/// What the edited file asks for.
#[derive(Debug, PartialEq)]
pub enum Verdict {
    /// Saved unchanged or emptied: nothing to do.
    Cancelled,
    /// Left as reopened after an error: the file stays, nothing applied.
    Kept,
    /// Invalid: reopen (the session already holds the error).
    Reopen(String),
    /// This zone is to be applied.
    Apply(Box<PartnerZone>),
}

/// One edit of one zone, from its first opening to its end.
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    pub name: String,
    /// The zone as the Console had it.
    pub current: Box<PartnerZone>,
    /// The private file the editor edits.
    pub file: PathBuf,
    /// The zone's YAML as first shown (no banner).
    original: String,
    /// What the file holds when the editor opens.
    pub shown: String,
    errored: bool,
}

impl Session {
    /// A session for `zone`, with its file under pz's state directory, in
    /// a private directory of its own (0700; the file 0600). Nothing is
    /// written yet: [`Session::write`].
    pub fn new(paths: &Paths, mut zone: PartnerZone) -> Session {
        zone.metadata.clear_output();
        let name = zone.metadata.name.to_string();
        let original = zone_to_yaml(&zone);
        let file = paths.zone_file(
            &format!("edit-{}", uuid::Uuid::new_v4().simple()),
            &name,
            "yaml",
        );
        Session {
            name,
            current: Box::new(zone),
            file,
            shown: format!("{BANNER}{original}"),
            original,
            errored: false,
        }
    }

    /// The file's path, for messages.
    pub fn origin(&self) -> String {
        self.file.display().to_string()
    }

    /// Writes what the editor is to open.
    pub fn write(&self) -> Result<(), String> {
        if let Some(dir) = self.file.parent() {
            crate::files::create_private_dir(dir).map_err(|e| e.to_string())?;
        }
        crate::files::write_private(&self.file, self.shown.as_bytes())
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// What the editor left in the file.
    pub fn read(&self) -> Result<String, String> {
        match crate::files::read(&self.file) {
            Ok(Some(bytes)) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
            Ok(None) => Err(format!("{} is gone: nothing was changed", self.origin())),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Judges the edited text.
    pub fn judge(&mut self, edited: &str) -> Verdict {
        let body = without_comments(edited);
        if body.trim().is_empty() || (!self.errored && body == self.original) {
            return Verdict::Cancelled;
        }
        if self.errored && edited == self.shown {
            return Verdict::Kept;
        }
        match parse(&body, &self.name, &self.origin()) {
            Ok(zone) => {
                // Kept for a refusal's reopening.
                self.shown = edited.to_string();
                Verdict::Apply(Box::new(zone))
            }
            Err(e) => {
                self.refused(&e, edited.to_string());
                Verdict::Reopen(e)
            }
        }
    }

    /// The Console (or the check) refused `edited`: it is reopened with the
    /// error above it.
    pub fn refused(&mut self, error: &str, edited: String) {
        self.errored = true;
        self.shown = with_error(error, &edited);
    }

    /// The last text the user saved, for a refusal of the zone it gave.
    pub fn last_edited(&self) -> String {
        self.shown.clone()
    }

    /// The file and its private directory, once done.
    pub fn remove(&self) {
        let _ = std::fs::remove_file(&self.file);
        if let Some(dir) = self.file.parent() {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZONE: &str = "apiVersion: v2\nkind: PartnerZone\nmetadata: {name: z}\nspec: {cluster: c, serviceAccount: s, topics: []}\n";

    fn session() -> (tempfile::TempDir, Session) {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths {
            config_file: dir.path().join("c"),
            data_dir: dir.path().join("d"),
            state_dir: dir.path().join("s"),
        };
        let zone = parse_zones(ZONE, "t").unwrap().remove(0);
        let s = Session::new(&paths, zone);
        (dir, s)
    }

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
        let other = ZONE.replace("name: z", "name: other");
        assert!(
            parse(&other, "z", "f")
                .unwrap_err()
                .contains("cannot be changed")
        );
        assert!(parse(&other, "other", "f").is_ok());
    }

    #[test]
    fn a_session_cancels_reopens_keeps_and_applies() {
        let (_dir, mut s) = session();
        s.write().unwrap();
        let shown = s.read().unwrap();
        assert_eq!(s.judge(&shown), Verdict::Cancelled);
        assert!(matches!(s.judge("spec: [unclosed\n"), Verdict::Reopen(_)));
        assert!(s.shown.contains("# The edit could not be applied:"));
        let reopened = s.shown.clone();
        assert_eq!(s.judge(&reopened), Verdict::Kept);
        let changed = shown.replace("serviceAccount: s", "serviceAccount: t");
        match s.judge(&changed) {
            Verdict::Apply(z) => assert_eq!(z.spec.service_account_name(), Some("t")),
            other => panic!("{other:?}"),
        }
        s.refused("409: taken", s.last_edited());
        assert!(s.shown.contains("#   409: taken"), "{}", s.shown);
        assert!(s.shown.contains("serviceAccount: t"));
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&s.file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        s.remove();
        assert!(!s.file.exists());
    }
}
