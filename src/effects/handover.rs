//! The credentials view's `E`: the recipients remembered for a zone, and
//! the bundle encrypted to them and written 0600 (never through a link).

use super::{Ctx, blocking};
use crate::app::credentials::CredentialsAction;
use crate::app::{Action, Effect};
use crate::credentials::bundle;

/// The recipients used last time for `zone` (one per line), or none.
pub async fn recall(ctx: &Ctx, zone: String) -> Action {
    let file = ctx.paths.as_ref().map(|p| p.recipients_file(&zone));
    let text = blocking(move || match file.map(|f| crate::files::read_private(&f)) {
        Some(Ok(Some((text, _)))) => Ok(text),
        Some(Err(e)) => Err(e.to_string()),
        _ => Ok(String::new()),
    })
    .await;
    match text {
        Ok(text) => Action::Credentials(CredentialsAction::Recalled(text)),
        Err(e) => Action::Notice(Err(format!("Cannot read the remembered recipients: {e}"))),
    }
}

/// Encrypts and writes the bundle of an `Effect::SaveEncrypted`.
pub async fn save(ctx: &Ctx, effect: Effect) -> Action {
    let Effect::SaveEncrypted {
        zone,
        path,
        recipients,
        plaintext,
        armor,
        overwrite,
    } = effect
    else {
        return Action::Notice(Err("not an encrypted save".into()));
    };
    let remember = ctx.paths.as_ref().map(|p| p.recipients_file(&zone));
    let p = path.clone();
    let saved = blocking(move || {
        let to = bundle::resolve(&recipients)?;
        let sealed = bundle::encrypt(&plaintext, &to, armor)?;
        let how = crate::files::How {
            existing: if overwrite {
                crate::files::Existing::Replace
            } else {
                crate::files::Existing::Keep
            },
            ..crate::files::PRIVATE
        };
        match crate::files::write(std::path::Path::new(&p), &sealed, how) {
            Ok(_) => {}
            Err(crate::files::FileError::Exists { .. }) => return Ok(None),
            Err(e) => return Err(e.to_string()),
        }
        if let Some(file) = remember {
            bundle::remember(&file, &to)?;
        }
        Ok(Some(to.len()))
    })
    .await;
    match saved {
        Ok(Some(n)) => Action::Notice(Ok(format!(
            "Saved {path} (0600), encrypted for {n} recipient(s): the partner runs `age -d -i KEY {path} > config.properties`"
        ))),
        Ok(None) => Action::Credentials(CredentialsAction::SaveExists(path)),
        Err(e) => Action::Notice(Err(format!("Could not save {path} encrypted: {e}"))),
    }
}
