//! The delete modal: names the zone, its partner and topics, and deletes
//! only once `DELETE` has been typed exactly. Keys that arrive before the
//! modal was on screen (typed ahead, a held-down key) never count. The
//! same modal confirms a rotation (`R`: delete and re-create under a new
//! service account), with the zone's name as the word to type.

use chrono::{DateTime, Duration, Utc};

use super::{Action, App, Effect, Overlay, Screen, ToastKind};
use crate::api::ApiError;

pub const WORD: &str = "DELETE";
/// Keys within this time after the modal is first drawn are ignored.
pub const ARMING_MS: i64 = 150;

#[derive(Clone, Debug, PartialEq)]
pub struct DeleteModal {
    pub zone: String,
    pub display_name: String,
    pub partner: Option<String>,
    pub topics: Vec<String>,
    pub typed: super::input::TextInput,
    /// When keys start to count: set once the modal has been drawn.
    pub armed_at: Option<DateTime<Utc>>,
    pub busy: bool,
    pub hint: Option<String>,
    /// A rotation rather than a delete.
    pub rotate: Option<Rotate>,
}

/// What a rotation confirmed in the modal does.
#[derive(Clone, Debug, PartialEq)]
pub struct Rotate {
    /// The service account the partner uses now, and the new one.
    pub old: String,
    pub account: String,
    /// The zone's authentication type and its aliases with their
    /// permissions, for the credentials view the rotation ends in.
    pub auth_type: String,
    pub aliases: Vec<(String, String)>,
}

impl Rotate {
    /// OAUTHBEARER or MTLS: the partner's own credentials are revoked at
    /// its identity provider or CA; pz only re-creates the zone.
    pub fn brings_own(&self) -> bool {
        crate::credentials::brings_own(&self.auth_type)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum DeleteAction {
    Open,
    /// `R`: the modal for a rotation.
    OpenRotate,
    /// A key typed into the word.
    Input(crossterm::event::KeyEvent),
    Confirm,
    Cancel,
}

impl DeleteModal {
    pub fn drawn(&mut self, at: DateTime<Utc>) {
        if self.armed_at.is_none() {
            self.armed_at = Some(at + Duration::milliseconds(ARMING_MS));
        }
    }

    pub fn armed(&self, now: DateTime<Utc>) -> bool {
        self.armed_at.is_some_and(|t| now >= t)
    }

    /// What must be typed: DELETE, or the zone's name for a rotation.
    pub fn word(&self) -> &str {
        match self.rotate {
            Some(_) => &self.zone,
            None => WORD,
        }
    }

    pub fn complete(&self) -> bool {
        self.typed.text() == self.word()
    }

    /// What is still missing, said when `enter` comes too early.
    pub fn missing(&self) -> String {
        let typed = self.typed.text();
        let word = self.word();
        let what = if self.rotate.is_some() {
            "the rotation"
        } else {
            "the delete"
        };
        if typed.is_empty() {
            format!("type {word} to enable {what}")
        } else if word.starts_with(&typed) {
            format!("keep typing: {word} is not complete")
        } else {
            format!("'{typed}' is not {word}: backspace and type {word} exactly")
        }
    }
}

pub fn update(app: &mut App, action: DeleteAction) -> Vec<Effect> {
    let now = app.now;
    if matches!(action, DeleteAction::Open | DeleteAction::OpenRotate) {
        if app.connection.read_only || app.overlay.is_some() {
            return Vec::new();
        }
        let z = match app.zone_for(Action::Delete(action.clone())) {
            Ok(z) => z,
            Err(fetch) => return fetch,
        };
        let rotate = (action == DeleteAction::OpenRotate).then(|| {
            let old = z.spec.service_account_name().unwrap_or_default();
            Rotate {
                old: old.to_string(),
                account: crate::rotation::next_account(if old.is_empty() {
                    &z.metadata.name
                } else {
                    old
                }),
                auth_type: z.spec.auth_type().to_string(),
                aliases: super::credentials::aliases_of(&z),
            }
        });
        let modal = DeleteModal {
            zone: z.metadata.name.to_string(),
            display_name: z
                .spec
                .display_name
                .as_deref()
                .unwrap_or_default()
                .to_string(),
            partner: z.spec.partner.as_ref().map(|p| p.name.to_string()),
            topics: z.spec.topics.iter().map(|t| t.name.to_string()).collect(),
            typed: Default::default(),
            armed_at: None,
            busy: false,
            hint: None,
            rotate,
        };
        app.overlay = Some(Overlay::Delete(Box::new(modal)));
        return Vec::new();
    }
    let Some(Overlay::Delete(modal)) = &mut app.overlay else {
        return Vec::new();
    };
    if modal.busy {
        return Vec::new();
    }
    match action {
        DeleteAction::Cancel => app.overlay = None,
        DeleteAction::Input(key) if modal.armed(now) => {
            let before = modal.typed.clone();
            if modal.typed.input(key) {
                if modal.typed.text().chars().count() > modal.word().chars().count().max(16) {
                    modal.typed = before;
                }
                modal.hint = None;
            }
        }
        DeleteAction::Confirm if modal.armed(now) && modal.complete() => {
            if let Some(r) = modal.rotate.clone() {
                let zone = modal.zone.clone();
                return super::rotation::rotating(app, zone, r);
            }
            modal.busy = true;
            return vec![Effect::DeleteZone(modal.zone.clone())];
        }
        DeleteAction::Confirm => modal.hint = Some(modal.missing()),
        _ => {}
    }
    Vec::new()
}

pub fn done(app: &mut App, name: String, result: Result<(), ApiError>) {
    match result {
        Ok(()) => {
            if matches!(&app.overlay, Some(Overlay::Delete(m)) if m.zone == name) {
                app.overlay = None;
            }
            let zones = app.list.zones().without(&name);
            app.list.set_zones(zones);
            if matches!(&app.screen, Screen::Detail { name: open, .. } if *open == name) {
                app.screen = Screen::List;
                app.detail = None;
            }
            app.toast(
                ToastKind::Success,
                format!("Deleted {name}: the partner's access is removed"),
            );
            app.poll.now();
        }
        Err(e) => {
            let text = format!("Could not delete {name}: {e}");
            if let Some(Overlay::Delete(m)) = &mut app.overlay {
                m.busy = false;
                m.hint = Some(text.clone());
            }
            app.set_status(super::status::Origin::Request, text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::Action;
    use crate::app::zone_list::tests::{app_with, served};

    fn t(ms: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            + Duration::milliseconds(ms)
    }

    fn app_with_modal() -> App {
        let mut a = app_with(&["victim"], t(0));
        served(&mut a, Action::Delete(DeleteAction::Open));
        a.update(Action::Drawn(t(0)));
        a.now = t(1000);
        a
    }

    fn type_text(a: &mut App, text: &str) -> Vec<Effect> {
        let mut fx = Vec::new();
        for c in text.chars() {
            fx.extend(match c {
                '\n' => a.update(Action::Delete(DeleteAction::Confirm)),
                c => a.update(Action::Delete(DeleteAction::Input(
                    crate::app::input::char_key(c),
                ))),
            });
        }
        fx
    }

    #[test]
    fn only_exactly_delete_deletes() {
        for wrong in ["delete", "DELET", "DELETE "] {
            let mut a = app_with_modal();
            let fx = type_text(&mut a, &format!("{wrong}\n"));
            assert!(fx.is_empty(), "{wrong:?} must not delete");
            let Some(Overlay::Delete(m)) = &a.overlay else {
                panic!()
            };
            assert!(m.hint.is_some(), "enter says what is missing");
        }
        let mut a = app_with_modal();
        let fx = type_text(&mut a, "DELETE\n");
        assert_eq!(fx, vec![Effect::DeleteZone("victim".into())]);
    }

    #[test]
    fn typed_ahead_keys_never_count() {
        let mut a = app_with(&["victim"], t(0));
        // `dDELETE\n` in one burst: the keys wait with the fetch of the
        // zone, and the modal was never drawn in between.
        let fx = a.update(Action::Delete(DeleteAction::Open));
        assert_eq!(fx, vec![Effect::FetchZone("victim".into())]);
        for c in "DELETE\n".chars() {
            let key = match c {
                '\n' => crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Enter),
                c => crate::app::input::char_key(c),
            };
            let action = crate::app::keys::action_for(&a, key).unwrap();
            assert!(matches!(action, Action::Held(_)), "{action:?}");
            assert!(a.update(action).is_empty());
        }
        let victim =
            crate::app::zone_list::tests::zone("victim", crate::api::ZoneStatus::Ready, 2, "g");
        let fx = a.update(Action::ZoneLoaded("victim".into(), Ok(victim)));
        assert!(fx.is_empty(), "{fx:?}");
        let Some(Overlay::Delete(m)) = &a.overlay else {
            panic!("the modal opens when the zone has come")
        };
        assert!(
            m.typed.is_empty(),
            "the held keys reached the unarmed modal"
        );
        assert!(type_text(&mut a, "DELETE\n").is_empty());
        // Drawn, but the keys come within the arming time (a held key).
        a.update(Action::Drawn(t(0)));
        a.now = t(50);
        assert!(type_text(&mut a, "DELETE\n").is_empty());
        let Some(Overlay::Delete(m)) = &a.overlay else {
            panic!()
        };
        assert!(m.typed.is_empty());
    }

    #[test]
    fn failure_keeps_the_zone_and_shows_the_message() {
        let mut a = app_with_modal();
        type_text(&mut a, "DELETE\n");
        let body =
            crate::api::ErrorBody::new("Resource link to an other resource", "being deployed");
        a.update(Action::DeleteDone(
            "victim".into(),
            Err(ApiError::Conflict(body)),
        ));
        assert_eq!(a.list.zones().len(), 1);
        assert!(a.status_text().unwrap().contains("being deployed"));
        a.update(Action::DeleteDone("victim".into(), Ok(())));
        assert!(a.list.zones().is_empty());
        assert!(a.overlay.is_none());
        assert!(a.toasts[0].text.contains("Deleted victim"));
    }

    #[test]
    fn read_only_cannot_open() {
        let mut a = app_with(&["v"], t(0));
        a.connection.read_only = true;
        a.update(Action::Delete(DeleteAction::Open));
        assert!(a.overlay.is_none());
    }
}
