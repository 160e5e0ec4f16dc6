//! Carrying out an [`Effect`]: network calls, clipboard and files. Each
//! returns the messages that report the result to the event loop.

use crate::api::Client;
use crate::app::credentials::CredentialsAction;
use crate::app::{Action, Effect};
use crate::clipboard::{self, Method};
use crate::credentials::{Saved, save_private};

/// What a finished effect tells the event loop.
#[allow(clippy::large_enum_variant)] // see `Action`
pub enum Msg {
    Action(Action),
    /// Bytes for the terminal itself (OSC 52), written between frames.
    Terminal(Vec<u8>),
}

pub async fn perform(effect: Effect, client: Client, method: Method) -> Vec<Msg> {
    let action = match effect {
        Effect::FetchZones => Action::ZonesLoaded(client.list_zones().await),
        Effect::FetchZone(name) => {
            let result = client.get_zone(&name).await;
            Action::ZoneLoaded(name, result)
        }
        Effect::DeleteZone(name) => {
            let result = client.delete_zone(&name).await;
            Action::DeleteDone(name, result)
        }
        Effect::GenerateCredentials(name) => {
            // The configuration first: a failure there must not waste a
            // secret nobody will see.
            let result = match client.kafka_configuration(&name).await {
                Ok(config) => client
                    .generate_credentials(&name)
                    .await
                    .map(|secret| (secret, config)),
                Err(e) => Err(e),
            };
            Action::CredentialsDone(name, result)
        }
        Effect::Copy { text, what } => {
            let copied = tokio::task::spawn_blocking(move || clipboard::copy(&text, method)).await;
            return match copied {
                Ok(Ok(outcome)) => {
                    let via = outcome.method.describe();
                    let mut out = Vec::new();
                    if let Some(bytes) = outcome.terminal_bytes {
                        out.push(Msg::Terminal(bytes));
                    }
                    out.push(Msg::Action(Action::Notice(Ok(format!(
                        "Copied {what} via {via}"
                    )))));
                    out
                }
                Ok(Err(e)) => vec![Msg::Action(Action::Notice(Err(format!(
                    "Could not copy {what}: {e}"
                ))))],
                Err(e) => vec![Msg::Action(Action::Notice(Err(format!(
                    "Could not copy {what}: {e}"
                ))))],
            };
        }
        Effect::Save {
            path,
            text,
            overwrite,
        } => {
            let p = path.clone();
            let saved = tokio::task::spawn_blocking(move || {
                save_private(std::path::Path::new(&p), &text, overwrite)
            })
            .await;
            match saved {
                Ok(Ok(Saved::Written)) => Action::Notice(Ok(format!("Saved {path} (mode 0600)"))),
                Ok(Ok(Saved::Exists)) => Action::Credentials(CredentialsAction::SaveExists(path)),
                Ok(Err(e)) => Action::Notice(Err(format!("Could not save {path}: {e}"))),
                Err(e) => Action::Notice(Err(format!("Could not save {path}: {e}"))),
            }
        }
    };
    vec![Msg::Action(action)]
}
