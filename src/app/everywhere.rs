//! Every Console at a glance: `:ctx` shows each context's health (reachable,
//! its zones, PENDING and FAILED), and `:all` a merged, read-only list of
//! every context's zones; `enter` there opens the zone in its own context
//! (pz switches to it, where changes are possible again). Each context is
//! fetched in parallel with a short timeout and shows as it answers.

use super::{App, Effect, Overlay, Screen, ToastKind};
use crate::api::{PartnerZone, ZoneStatus};

/// What a context answered, for `:ctx`.
#[derive(Clone, Debug, PartialEq)]
pub enum Health {
    Checking,
    Up {
        zones: usize,
        pending: usize,
        failed: usize,
    },
    Down(String),
}

impl Health {
    fn of(result: &Result<Vec<PartnerZone>, String>) -> Health {
        match result {
            Ok(zones) => {
                let count = |s: ZoneStatus| {
                    zones
                        .iter()
                        .filter(|z| z.metadata.status.as_ref() == Some(&s))
                        .count()
                };
                Health::Up {
                    zones: zones.len(),
                    pending: count(ZoneStatus::Pending),
                    failed: count(ZoneStatus::Failed),
                }
            }
            Err(e) => Health::Down(e.clone()),
        }
    }
}

/// `:all`: every context's zones, as they arrive.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Everywhere {
    /// `(context, zone)`, by context then name.
    pub rows: Vec<(String, PartnerZone)>,
    /// The contexts that failed, with why.
    pub failed: Vec<(String, String)>,
    /// The contexts still to answer.
    pub waiting: Vec<String>,
    pub cursor: usize,
    /// The first row on screen.
    pub offset: usize,
}

/// What the merged view and the health reports react to.
#[derive(Debug)]
pub enum EverywhereAction {
    /// `:all`.
    Open,
    /// The contexts of the config file, about to be asked.
    Asking(Vec<String>),
    /// One context answered.
    Answered(String, Result<Vec<PartnerZone>, String>),
    Up,
    Down,
    /// `enter`: the zone in its own context.
    OpenZone,
    Back,
}

pub fn update(app: &mut App, action: EverywhereAction) -> Vec<Effect> {
    match action {
        EverywhereAction::Open => {
            app.screen = Screen::Everywhere(Box::default());
            return vec![Effect::FetchEverywhere];
        }
        EverywhereAction::Asking(names) => {
            if let Screen::Everywhere(all) = &mut app.screen {
                if names.is_empty() {
                    all.failed.push((
                        "(none)".into(),
                        "no contexts in the config file (see the README: Pointing pz at a real Console)".into(),
                    ));
                }
                all.waiting = names;
            }
        }
        EverywhereAction::Answered(name, result) => answered(app, name, result),
        EverywhereAction::Up | EverywhereAction::Down => {
            let rows = app.table_rows();
            if let Screen::Everywhere(all) = &mut app.screen {
                let last = all.rows.len().saturating_sub(1);
                all.cursor = match action {
                    EverywhereAction::Up => all.cursor.saturating_sub(1),
                    _ => (all.cursor + 1).min(last),
                };
                if all.cursor < all.offset {
                    all.offset = all.cursor;
                } else if all.cursor >= all.offset + rows {
                    all.offset = all.cursor + 1 - rows;
                }
            }
        }
        EverywhereAction::OpenZone => return open_zone(app),
        EverywhereAction::Back => app.screen = Screen::List,
    }
    Vec::new()
}

fn answered(app: &mut App, name: String, result: Result<Vec<PartnerZone>, String>) {
    if let Some(Overlay::Contexts(picker)) = &mut app.overlay
        && let Some(entry) = picker.entries.iter_mut().find(|e| e.name == name)
    {
        entry.health = Health::of(&result);
    }
    let Screen::Everywhere(all) = &mut app.screen else {
        return;
    };
    all.waiting.retain(|w| *w != name);
    match result {
        Ok(zones) => {
            all.rows
                .extend(zones.into_iter().map(|z| (name.clone(), z)));
            all.rows.sort_by(|(c1, z1), (c2, z2)| {
                (c1, &z1.metadata.name).cmp(&(c2, &z2.metadata.name))
            });
        }
        Err(e) => {
            all.failed.push((name, e));
            all.failed.sort();
        }
    }
}

/// The zone under the cursor, in its own context: switched to if it is not
/// the current one, and opened once its zones are there.
fn open_zone(app: &mut App) -> Vec<Effect> {
    let Screen::Everywhere(all) = &app.screen else {
        return Vec::new();
    };
    let Some((context, zone)) = all.rows.get(all.cursor) else {
        return Vec::new();
    };
    let (context, name) = (context.clone(), zone.metadata.name.to_string());
    app.screen = Screen::List;
    app.open_after_load = Some((context.clone(), name.clone()));
    if app.connection.context.as_deref() == Some(context.as_str()) && !app.connection.sandbox {
        app.poll.now();
        Vec::new()
    } else {
        app.toast(
            ToastKind::Info,
            format!("Switching to {context} to open {name}"),
        );
        vec![Effect::Reconnect(Some(context))]
    }
}

/// The zones arrived: the one `:all` asked for opens.
pub fn opened_after_load(app: &mut App) -> Vec<Effect> {
    // Only once connected to its context (zones of the one before may
    // still arrive).
    let Some((_, name)) = app
        .open_after_load
        .take_if(|(context, _)| app.connection.context.as_deref() == Some(context.as_str()))
    else {
        return Vec::new();
    };
    if app.list.zones().find(&name).is_none() {
        app.toast(ToastKind::Failure, format!("{name} is not in this Console"));
        return Vec::new();
    }
    app.list.select_name(&name);
    let mut effects = Vec::new();
    app.navigate(super::Action::Open, &mut effects);
    effects
}
