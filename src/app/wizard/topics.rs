//! The Topics step: pick the Gateway's topics (search by name or label),
//! share one under several aliases, rename, WRITE; keys and checks.

use crossterm::event::KeyEvent;
use serde::{Deserialize, Serialize};

use super::fields::duplicate_alias;
use super::{Place, Verdict, Wizard, WizardCmd};
use crate::api::{ApiError, Topic};

/// A topic shared in the zone: the backing topic under an alias.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Chosen {
    pub backing: String,
    pub alias: String,
    pub write: bool,
    /// The alias the partner already uses (editing a shared topic).
    pub shared_alias: Option<String>,
}

impl Wizard {
    /// Topics of the gateway that match the search (name, or a label as
    /// `key=value`).
    pub fn visible_topics(&self) -> Vec<&Topic> {
        let needle = self.search.text().to_lowercase();
        self.topics
            .iter()
            .filter(|t| {
                needle.is_empty()
                    || t.metadata.name.to_lowercase().contains(&needle)
                    || t.metadata
                        .labels
                        .iter()
                        .any(|(k, v)| format!("{k}={v}").to_lowercase().contains(&needle))
            })
            .collect()
    }

    /// Checks the chosen topics; the problem is marked on the step.
    pub(super) fn check_topics(&mut self) -> bool {
        self.errors.remove(&Place::Topics);
        let problem = if self.chosen.is_empty() {
            Some("choose at least one topic (space)".to_string())
        } else if let Some(a) = duplicate_alias(self.chosen.iter().map(|c| c.alias.as_str())) {
            Some(format!("the alias '{a}' is used twice; rename one (r)"))
        } else {
            self.chosen
                .iter()
                .find(|c| {
                    c.alias.is_empty()
                        || !c
                            .alias
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
                })
                .map(|c| format!("'{}' is not a valid topic alias", c.alias))
        };
        match problem {
            Some(p) => {
                self.errors.insert(Place::Topics, p);
                false
            }
            None => true,
        }
    }

    /// The topics of `cluster` arrived (ignored if the Gateway changed since).
    pub(super) fn topics_loaded(&mut self, cluster: &str, result: Result<Vec<Topic>, ApiError>) {
        if self.cluster != cluster {
            return;
        }
        match result {
            Ok(topics) => self.topics = topics,
            Err(e) => {
                self.errors
                    .insert(Place::Topics, format!("cannot list topics: {e}"));
            }
        }
    }
}

/// A key typed on the Topics step: into the alias being renamed, or the
/// search (which then starts from the top).
pub(super) fn typed(w: &mut Wizard, key: KeyEvent) {
    if let Some(input) = &mut w.renaming {
        input.input(key);
    } else if w.searching && w.search.input(key) {
        w.cursor = 0;
    }
}

/// A bound key on the Topics step: the picker, its search, renaming, and
/// the list of what is shared.
pub(super) fn command(w: &mut Wizard, cmd: WizardCmd) {
    if w.renaming.is_some() {
        match cmd {
            WizardCmd::RenameCancel => w.renaming = None,
            WizardCmd::RenameDone => finish_rename(w),
            _ => {}
        }
        return;
    }
    if w.searching {
        match cmd {
            WizardCmd::SearchDone => w.searching = false,
            WizardCmd::Up => w.cursor = w.cursor.saturating_sub(1),
            WizardCmd::Down => w.cursor += 1,
            _ => {}
        }
        let n = w.visible_topics().len();
        w.cursor = w.cursor.min(n.saturating_sub(1));
        return;
    }
    if cmd == WizardCmd::SwitchFocus {
        w.shared_focus = !w.shared_focus && !w.chosen.is_empty();
        w.shared_cursor = w.shared_cursor.min(w.chosen.len().saturating_sub(1));
        return;
    }
    if w.shared_focus {
        shared_command(w, cmd);
        return;
    }
    let visible: Vec<String> = w
        .visible_topics()
        .iter()
        .map(|t| t.metadata.name.clone())
        .collect();
    let current = visible.get(w.cursor).cloned();
    // The first entry sharing the topic under the cursor.
    let entry = current
        .as_ref()
        .and_then(|name| w.chosen.iter().position(|c| &c.backing == name));
    match cmd {
        WizardCmd::Search => w.searching = true,
        WizardCmd::Up => w.cursor = w.cursor.saturating_sub(1),
        WizardCmd::Down => w.cursor = (w.cursor + 1).min(visible.len().saturating_sub(1)),
        WizardCmd::Toggle => match (entry, current) {
            (Some(i), _) => remove_entry(w, i),
            (None, Some(name)) => add_entry(w, name, false),
            (None, None) => {}
        },
        // Another alias of the same topic (the vendor's example shares one
        // topic twice).
        WizardCmd::AnotherAlias => {
            if let Some(name) = current {
                add_entry(w, name, true);
            }
        }
        WizardCmd::Write => match entry {
            Some(i) => toggle_write(w, i),
            None => w.notice = Some("Add the topic first (space).".into()),
        },
        WizardCmd::Rename => match entry {
            Some(i) => start_rename(w, i),
            None => w.notice = Some("Add the topic first (space), then rename it.".into()),
        },
        _ => {}
    }
}

fn finish_rename(w: &mut Wizard) {
    let alias = w
        .renaming
        .take()
        .map(|i| i.text().trim().to_string())
        .unwrap_or_default();
    if let Some(c) = w.rename_target.and_then(|i| w.chosen.get_mut(i)) {
        c.alias = alias;
        w.notice = c
            .shared_alias
            .as_ref()
            .filter(|shared| **shared != c.alias)
            .map(|shared| {
                format!(
                    "'{shared}' is already shared: after this change the partner will no longer find it under that name"
                )
            });
    }
    w.check_topics();
    w.verdict = Verdict::Unchecked;
}

/// Keys on the list of what is shared (after `tab`): each entry on its own.
fn shared_command(w: &mut Wizard, cmd: WizardCmd) {
    let i = w.shared_cursor;
    match cmd {
        WizardCmd::Up => w.shared_cursor = i.saturating_sub(1),
        WizardCmd::Down => w.shared_cursor = (i + 1).min(w.chosen.len().saturating_sub(1)),
        WizardCmd::Toggle => remove_entry(w, i),
        WizardCmd::Write => toggle_write(w, i),
        WizardCmd::Rename => start_rename(w, i),
        _ => {}
    }
    if w.chosen.is_empty() {
        w.shared_focus = false;
    }
}

fn add_entry(w: &mut Wizard, backing: String, rename: bool) {
    // The backing name, or the first free `name-N` when it is taken.
    let mut alias = backing.clone();
    let mut n = 2;
    while w.chosen.iter().any(|c| c.alias == alias) {
        alias = format!("{backing}-{n}");
        n += 1;
    }
    w.chosen.push(Chosen {
        alias,
        backing,
        write: false,
        shared_alias: None,
    });
    w.notice = None;
    w.verdict = Verdict::Unchecked;
    w.check_topics();
    if rename {
        start_rename(w, w.chosen.len() - 1);
    }
}

fn remove_entry(w: &mut Wizard, i: usize) {
    if i >= w.chosen.len() {
        return;
    }
    if w.editing() && w.chosen.len() == 1 {
        w.notice = Some(
            "The last topic cannot be removed: a zone shares at least one topic. Delete the zone instead (d on the list)."
                .into(),
        );
        return;
    }
    w.chosen.remove(i);
    w.notice = None;
    w.verdict = Verdict::Unchecked;
    w.check_topics();
}

fn toggle_write(w: &mut Wizard, i: usize) {
    if let Some(c) = w.chosen.get_mut(i) {
        c.write = !c.write;
        w.verdict = Verdict::Unchecked;
    }
}

fn start_rename(w: &mut Wizard, i: usize) {
    if let Some(c) = w.chosen.get(i) {
        w.renaming = Some(crate::app::input::TextInput::new(&c.alias));
        w.rename_target = Some(i);
    }
}
