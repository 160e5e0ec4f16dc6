//! `E` in the credentials view: the secret handed over encrypted, as
//! `pz credentials NAME --encrypt-to …` does: the recipients (offered as
//! remembered for the zone, typed as `age1…, ssh-ed25519 …, FILE`), then
//! the path of the bundle (`.asc`: armored text), written 0600. The bundle
//! (`credentials::bundle`) is built here in memory; only it is written.

use super::credentials::{CredentialsView, Phase};
use super::input::TextInput;
use super::{App, Effect};
use crate::credentials::{Validity, bootstrap_servers, bundle};

/// What the encrypted hand-over is doing.
#[derive(Clone, Debug, PartialEq)]
pub enum Handover {
    /// Typing the recipients.
    Recipients(Box<TextInput>),
    /// The recipients given: typing the path (in the view's save input).
    To(String),
}

/// `E`: the remembered recipients are read first.
pub fn start(view: &CredentialsView) -> Option<Effect> {
    matches!(view.phase, Phase::Shown { .. }).then(|| Effect::RecallRecipients(view.zone.clone()))
}

/// The remembered recipients arrived (one per line): the input opens with
/// them.
pub fn recalled(view: &mut CredentialsView, remembered: String) {
    let text = remembered
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join(", ");
    view.save_path = None;
    view.overwrite = None;
    view.handover = Some(Handover::Recipients(Box::new(TextInput::new(&text))));
}

/// `enter` on the recipients: the path comes next.
pub fn recipients_given(view: &mut CredentialsView) {
    if let Some(Handover::Recipients(input)) = &view.handover {
        let typed = input.text().trim().to_string();
        if typed.is_empty() {
            return;
        }
        view.handover = Some(Handover::To(typed));
        view.save_path = Some(TextInput::new(&format!("{}.age", view.zone)));
    }
}

/// The effect that writes the bundle to `path`, if the view is handing over.
pub fn save(app: &App, view: &CredentialsView, path: String, overwrite: bool) -> Option<Effect> {
    let Some(Handover::To(recipients)) = &view.handover else {
        return None;
    };
    let Phase::Shown { secret, config } = &view.phase else {
        return None;
    };
    let properties = view.properties()?;
    let aliases = view.aliases.clone();
    let plaintext = bundle::plaintext(&bundle::Contents {
        zone: &view.zone,
        aliases,
        bootstrap: bootstrap_servers(config).unwrap_or("<bootstrap-servers>"),
        expiry: Validity::of(secret, app.now).map(|v| v.describe(app.now)),
        properties: &properties,
    });
    Some(Effect::SaveEncrypted {
        zone: view.zone.clone(),
        armor: path.ends_with(".asc"),
        path,
        recipients: recipients.clone(),
        plaintext,
        overwrite,
    })
}
