//! `E`: the zone's vendor YAML in the user's editor, from the list or the
//! detail, as `pz edit` and `kubectl edit` (the session and its verdicts
//! are `editing`'s). The console hands the terminal over (the event loop's
//! host restores it for the editor and takes it back), judges what came
//! back, applies it, and reopens the editor with the Console's refusal.

use crate::api::{ApiError, ApplyResult, UpsertResult};
use crate::editing::{CANCELLED, Session, Verdict};

use super::status::Origin;
use super::{App, Effect, ToastKind};

/// What happens to an edit.
#[derive(Debug)]
pub enum EditAction {
    /// `E` on the current zone.
    Start,
    /// The editor exited: what it left in the file, or why it did not run.
    Edited(Box<Session>, Result<String, String>),
    /// The Console's answer to the edited zone.
    Applied(Box<Session>, Box<Result<ApplyResult, ApiError>>),
}

pub fn update(app: &mut App, action: EditAction) -> Vec<Effect> {
    match action {
        // The editor's effect fetches the zone as it is now.
        EditAction::Start => app
            .current_name()
            .map(Effect::StartEdit)
            .into_iter()
            .collect(),
        EditAction::Edited(session, Err(e)) => {
            app.set_status(Origin::Request, e.clone());
            app.toast(ToastKind::Failure, e);
            vec![Effect::EndEdit(session)]
        }
        EditAction::Edited(mut session, Ok(text)) => match session.judge(&text) {
            Verdict::Cancelled => {
                app.toast(ToastKind::Info, CANCELLED);
                vec![Effect::EndEdit(session)]
            }
            Verdict::Kept => {
                let text = format!(
                    "The edit of {} was not applied; your changes are kept in {} (0600)",
                    session.name,
                    session.origin()
                );
                app.set_status(Origin::File, text.clone());
                app.toast(ToastKind::Failure, text);
                Vec::new()
            }
            Verdict::Reopen(_) => vec![Effect::OpenEditor(session)],
            Verdict::Apply(zone) => vec![Effect::ApplyEdit(session, zone)],
        },
        EditAction::Applied(session, result) => match *result {
            Ok(result) => applied(app, session, result),
            Err(e) => {
                let edited = session.last_edited();
                let mut session = session;
                session.refused(&e.to_string(), edited);
                vec![Effect::OpenEditor(session)]
            }
        },
    }
}

fn applied(app: &mut App, session: Box<Session>, result: ApplyResult) -> Vec<Effect> {
    let word = match result.upsert_result {
        UpsertResult::NotChanged => "NotChanged",
        _ => "Updated",
    };
    app.toast(
        ToastKind::Success,
        format!("PartnerZone/{}: {word}", session.name),
    );
    vec![
        Effect::FetchZones,
        Effect::FetchZone(session.name.clone()),
        Effect::EndEdit(session),
    ]
}
