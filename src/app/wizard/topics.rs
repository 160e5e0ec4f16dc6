//! The Topics step: pick the Gateway's topics (search by name or label),
//! share one under several aliases, rename, WRITE; keys and checks.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::{Deserialize, Serialize};

use super::fields::duplicate_alias;
use super::{Place, Verdict, Wizard};
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
        let needle = self.search.to_lowercase();
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

/// A key on the Topics step: the picker, its search, and renaming.
pub(super) fn key(w: &mut Wizard, key: KeyEvent) {
    if let Some(buf) = &mut w.renaming {
        match key.code {
            KeyCode::Esc => w.renaming = None,
            KeyCode::Backspace => {
                buf.pop();
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => buf.clear(),
            KeyCode::Char(_) if key.modifiers.contains(KeyModifiers::CONTROL) => {}
            KeyCode::Char(c) => buf.push(c),
            KeyCode::Enter => {
                let alias = buf.trim().to_string();
                w.renaming = None;
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
            _ => {}
        }
        return;
    }
    if w.searching {
        match key.code {
            KeyCode::Enter | KeyCode::Esc => w.searching = false,
            KeyCode::Backspace => {
                w.search.pop();
                w.cursor = 0;
            }
            KeyCode::Char(c) => {
                w.search.push(c);
                w.cursor = 0;
            }
            KeyCode::Up => w.cursor = w.cursor.saturating_sub(1),
            KeyCode::Down => w.cursor += 1,
            _ => {}
        }
        let n = w.visible_topics().len();
        w.cursor = w.cursor.min(n.saturating_sub(1));
        return;
    }
    if key.code == KeyCode::Tab || key.code == KeyCode::BackTab {
        w.shared_focus = !w.shared_focus && !w.chosen.is_empty();
        w.shared_cursor = w.shared_cursor.min(w.chosen.len().saturating_sub(1));
        return;
    }
    if w.shared_focus {
        shared_key(w, key);
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
    match key.code {
        KeyCode::Esc => w.confirm_leave = true,
        KeyCode::Char('/') => w.searching = true,
        KeyCode::Up | KeyCode::Char('k') => w.cursor = w.cursor.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => {
            w.cursor = (w.cursor + 1).min(visible.len().saturating_sub(1))
        }
        KeyCode::Char(' ') => match (entry, current) {
            (Some(i), _) => remove_entry(w, i),
            (None, Some(name)) => add_entry(w, name, false),
            (None, None) => {}
        },
        // Another alias of the same topic (the vendor's example shares one
        // topic twice).
        KeyCode::Char('a') => {
            if let Some(name) = current {
                add_entry(w, name, true);
            }
        }
        KeyCode::Char('w') => match entry {
            Some(i) => toggle_write(w, i),
            None => w.notice = Some("Add the topic first (space).".into()),
        },
        KeyCode::Char('r') => match entry {
            Some(i) => start_rename(w, i),
            None => w.notice = Some("Add the topic first (space), then rename it.".into()),
        },
        _ => {}
    }
}

/// Keys on the list of what is shared (after `tab`): each entry on its own.
fn shared_key(w: &mut Wizard, key: KeyEvent) {
    let i = w.shared_cursor;
    match key.code {
        KeyCode::Esc => w.confirm_leave = true,
        KeyCode::Up | KeyCode::Char('k') => w.shared_cursor = i.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => {
            w.shared_cursor = (i + 1).min(w.chosen.len().saturating_sub(1))
        }
        KeyCode::Char(' ') | KeyCode::Char('x') | KeyCode::Delete => remove_entry(w, i),
        KeyCode::Char('w') => toggle_write(w, i),
        KeyCode::Char('r') => start_rename(w, i),
        _ => {}
    }
    if w.chosen.is_empty() {
        w.shared_focus = false;
    }
    w.shared_cursor = w.shared_cursor.min(w.chosen.len().saturating_sub(1));
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
        w.renaming = Some(c.alias.clone());
        w.rename_target = Some(i);
    }
}
