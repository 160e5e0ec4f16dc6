//! An action on the list that needs the whole zone (its topics, its
//! partner, its policies), not the list's row of it: the zone is fetched
//! first, the action runs again when it has come, and the keys pressed
//! meanwhile wait with it (`esc` gives up waiting).

use chrono::{DateTime, Duration, Utc};
use crossterm::event::{KeyCode, KeyEvent};

use super::{Action, App, Effect, Screen, ToastKind, keys, status};
use crate::api::{ApiError, PartnerZone};

/// Keys kept while an action waits for its zone; more are dropped.
pub const HELD_KEYS: usize = 64;

/// An action waiting for its zone.
#[derive(Debug)]
pub struct Waiting {
    /// The zone's name.
    pub name: String,
    /// What runs again when it has come.
    pub then: Box<Action>,
    /// Since when, to say so if it lasts.
    pub since: DateTime<Utc>,
}

/// What a key does while an action waits for its zone (`None`: nothing
/// waits): `esc` stops waiting, any other key waits with it.
pub fn while_waiting(app: &App, key: KeyEvent) -> Option<Action> {
    app.waiting.as_ref()?;
    Some(match key.code {
        KeyCode::Esc => Action::StopWaiting,
        _ => Action::Held(key),
    })
}

impl App {
    /// The whole zone the current screen is about, for an action that
    /// needs more of it than the list's row (its topics, its partner, its
    /// policies): on the detail screen the copy at hand; on the list the
    /// copy fetched for this very action, or else `Err` with the fetch, and
    /// `then` runs again when the zone has come (so an action never works
    /// on a list's stale copy).
    pub fn zone_for(&mut self, then: Action) -> Result<PartnerZone, Vec<Effect>> {
        match &self.screen {
            // The open zone's copy, or, while it has not come yet, the
            // action waits for it.
            Screen::Detail { name, .. } => match self.current_zone() {
                Some(z) => Ok(z.clone()),
                None => {
                    let name = name.clone();
                    self.zone_named(&name, then)
                }
            },
            Screen::List => {
                let Some(name) = self.list.selected_name() else {
                    return Err(Vec::new());
                };
                // The selection moved while the zone was on its way: the
                // action was for the other one.
                if self
                    .fetched
                    .as_ref()
                    .is_some_and(|z| z.metadata.name != name)
                {
                    self.fetched = None;
                    return Err(Vec::new());
                }
                self.zone_named(&name, then)
            }
            Screen::Wizard(_) | Screen::Everywhere(_) => Err(Vec::new()),
        }
    }

    /// The zone called `name` as the Console has it now: the copy fetched
    /// for this action, or else `Err` with the fetch, and `then` runs again
    /// when it has come.
    pub fn zone_named(&mut self, name: &str, then: Action) -> Result<PartnerZone, Vec<Effect>> {
        if let Some(z) = self.fetched.take().filter(|z| z.metadata.name == name) {
            return Ok(z);
        }
        self.waiting = Some(Waiting {
            name: name.to_string(),
            then: Box::new(then),
            since: self.now,
        });
        Err(vec![Effect::FetchZone(name.to_string())])
    }

    /// A key pressed while an action waits for its zone.
    pub(super) fn hold(&mut self, key: KeyEvent) {
        if self.held.len() < HELD_KEYS {
            self.held.push(key);
        }
    }

    /// The action no longer waits; the keys held for it are dropped.
    pub(super) fn stop_waiting(&mut self) {
        self.waiting = None;
        self.held.clear();
        self.clear_status_from(status::Origin::Request);
    }

    /// The keys held while an action waited, handled now that it ran.
    fn replay_held(&mut self) -> Vec<Effect> {
        let mut fx = Vec::new();
        for key in std::mem::take(&mut self.held) {
            if let Some(action) = keys::action_for(self, key) {
                fx.extend(self.update(action));
            }
        }
        fx
    }

    /// A zone came: the open one's new copy, or the one an action waits for.
    pub(super) fn zone_loaded(
        &mut self,
        name: String,
        result: Result<PartnerZone, ApiError>,
    ) -> Vec<Effect> {
        let open = matches!(&self.screen, Screen::Detail { name: open, .. } if *open == name);
        let waiting = self.waiting.take_if(|w| w.name == name).map(|w| w.then);
        if waiting.is_some() {
            self.clear_status_from(status::Origin::Request);
        }
        match result {
            Ok(zone) => {
                let replay = waiting.filter(|_| open || matches!(self.screen, Screen::List));
                if open {
                    self.detail = Some(zone);
                } else {
                    self.fetched = Some(zone);
                }
                if let Some(then) = replay {
                    let mut fx = self.update(*then);
                    self.fetched = None;
                    fx.extend(self.replay_held());
                    return fx;
                }
                self.fetched = None;
            }
            Err(ApiError::NotFound(_)) if open || waiting.is_some() => {
                if open {
                    self.screen = Screen::List;
                    self.detail = None;
                }
                self.toast(ToastKind::Info, format!("{name} no longer exists"));
            }
            Err(ApiError::NotFound(_)) => {}
            Err(e) => self.set_status(status::Origin::Request, e.to_string()),
        }
        self.replay_held()
    }

    /// On a tick: a wait that lasts is said on the status line.
    pub(super) fn still_waiting(&mut self) {
        if let Some(w) = &self.waiting
            && self.now - w.since >= Duration::milliseconds(300)
            && self.status.is_none()
        {
            let text = format!("reading {} from the Console… (esc: stop waiting)", w.name);
            self.set_status(status::Origin::Request, text);
        }
    }
}
