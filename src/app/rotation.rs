//! `R`: rotate the partner's credentials from the console, as `pz rotate`
//! (the operation is `crate::rotation`'s): confirmed in the delete modal by
//! typing the zone's name, then carried out in a task whose steps show in
//! the credentials view, which ends with the new secret (PLAIN) or what the
//! partner must now bring. A rotation that did not finish (pz killed, the
//! session dropped) is found at the next start and offered: finish it, or
//! put the zone back as it was.

use super::credentials::{CredentialsView, Phase};
use super::delete::Rotate;
use super::{App, Effect, Overlay, ToastKind};
use crate::secret::Secret;

/// A rotation that did not finish, as found at start.
#[derive(Clone, Debug, PartialEq)]
pub struct Unfinished {
    pub zone: String,
    pub account: String,
}

/// What happens to a rotation.
#[derive(Debug)]
pub enum RotationAction {
    /// A step is done (its description).
    Step(String, String),
    /// It ended: the new account and, for PLAIN, the secret and the
    /// kafka-configuration; or why not.
    Done(String, Result<Rotated, String>),
    /// The unfinished rotation offered at start: finish it.
    Resume,
    /// … put the zone back as it was.
    Restore,
    /// … not now.
    Later,
    /// The zone is back as it was.
    Restored(String, Result<(), String>),
}

/// A rotation that ended.
#[derive(Debug)]
pub struct Rotated {
    pub account: String,
    pub secret: Option<(Secret, String)>,
}

/// Confirmed: the credentials view follows the rotation.
pub fn rotating(app: &mut App, zone: String, r: Rotate) -> Vec<Effect> {
    let on_sandbox = app.connection.sandbox || app.connection.sandbox_endpoints;
    let mut view = CredentialsView::bare(
        zone.clone(),
        r.account.clone(),
        on_sandbox,
        Phase::Rotating(Vec::new()),
    );
    view.auth_type = r.auth_type;
    view.aliases = r.aliases;
    app.overlay = Some(Overlay::Credentials(Box::new(view)));
    vec![Effect::Rotate {
        zone,
        account: Some(r.account),
    }]
}

/// Opens the view for an unfinished rotation being resumed.
fn resuming(app: &mut App, u: Unfinished) -> Vec<Effect> {
    let view = CredentialsView::bare(
        u.zone.clone(),
        u.account.clone(),
        app.connection.sandbox || app.connection.sandbox_endpoints,
        Phase::Rotating(vec![format!("resuming the rotation to '{}'", u.account)]),
    );
    app.overlay = Some(Overlay::Credentials(Box::new(view)));
    vec![Effect::Rotate {
        zone: u.zone,
        account: None,
    }]
}

pub fn update(app: &mut App, action: RotationAction) -> Vec<Effect> {
    match action {
        RotationAction::Step(zone, text) => {
            if let Some(view) = view_of(app, &zone)
                && let Phase::Rotating(steps) = &mut view.phase
            {
                steps.push(text);
            }
            Vec::new()
        }
        RotationAction::Done(zone, result) => done(app, zone, result),
        RotationAction::Resume | RotationAction::Restore | RotationAction::Later => {
            let Some(Overlay::Unfinished(u)) = app.overlay.take() else {
                return Vec::new();
            };
            match action {
                RotationAction::Resume => resuming(app, u),
                RotationAction::Restore => {
                    app.toast(ToastKind::Info, format!("Restoring {}…", u.zone));
                    vec![Effect::RestoreRotation(u.zone)]
                }
                _ => {
                    app.toast(
                        ToastKind::Info,
                        format!(
                            "The rotation of {0} stays unfinished: offered again at the next start, or `pz rotate {0} --resume`",
                            u.zone
                        ),
                    );
                    Vec::new()
                }
            }
        }
        RotationAction::Restored(zone, Ok(())) => {
            app.toast(
                ToastKind::Success,
                format!(
                    "{zone} restored as it was: its earlier secrets work again while unexpired"
                ),
            );
            vec![Effect::FetchZones]
        }
        RotationAction::Restored(zone, Err(e)) => {
            let text = format!("Could not restore {zone}: {e}");
            app.set_status(super::status::Origin::Request, text.clone());
            app.toast(ToastKind::Failure, text);
            Vec::new()
        }
    }
}

fn view_of<'a>(app: &'a mut App, zone: &str) -> Option<&'a mut CredentialsView> {
    match &mut app.overlay {
        Some(Overlay::Credentials(view)) if view.zone == zone => Some(view),
        _ => None,
    }
}

fn done(app: &mut App, zone: String, result: Result<Rotated, String>) -> Vec<Effect> {
    let text = match &result {
        Ok(r) => format!(
            "{zone} rotated: the partner now connects as '{}'",
            r.account
        ),
        Err(e) => format!(
            "The rotation of {zone} did not finish: {e} (R offers it again at the next start; `pz rotate {zone} --resume`)"
        ),
    };
    match &result {
        Ok(_) => app.toast(ToastKind::Success, text.clone()),
        Err(_) => {
            app.set_status(super::status::Origin::Request, text.clone());
            app.toast(ToastKind::Failure, text.clone());
        }
    }
    if let Some(view) = view_of(app, &zone) {
        view.phase = match result {
            Ok(Rotated {
                account,
                secret: Some((secret, config)),
            }) => {
                view.account = account;
                view.auth_type = "PLAIN".into();
                Phase::Shown { secret, config }
            }
            Ok(Rotated {
                account,
                secret: None,
            }) => {
                view.account = account.clone();
                Phase::BroughtByPartner(format!(
                    "{zone} is re-created under the service account '{account}'. Revoking what the partner holds is for its identity provider or certificate authority: its tokens or certificate must now name '{account}'."
                ))
            }
            Err(_) => Phase::Failed(text),
        };
    }
    vec![Effect::FetchZones]
}
