//! `:ctx`'s health and `:all`: every context of the config file asked for
//! its zones at once, each answer reported to the loop as it comes.

use super::{Ctx, Msg, blocking};
use crate::app::Action;

/// How long a context may take to answer `:ctx` or `:all`.
const EVERYWHERE_WITHIN: std::time::Duration = std::time::Duration::from_secs(3);

/// Every context asked at once; each answer reported as it comes.
pub async fn ask(ctx: &Ctx) -> Vec<Msg> {
    use crate::app::everywhere::EverywhereAction as E;
    use futures::StreamExt;
    let Some(paths) = ctx.paths.clone() else {
        return Vec::new();
    };
    let loaded = blocking(move || {
        crate::config::ConfigFile::load(&paths.config_file).map_err(|e| e.to_string())
    })
    .await;
    let file = match loaded {
        Ok(file) => file,
        Err(e) => return vec![Msg::Action(Action::Notice(Err(e)))],
    };
    let names: Vec<String> = file.contexts.keys().cloned().collect();
    let report = |action| {
        if let Some(tx) = &ctx.progress {
            let _ = tx.send(Msg::Action(Action::Everywhere(action)));
        }
    };
    report(E::Asking(names.clone()));
    let mut answers: futures::stream::FuturesUnordered<_> = names
        .into_iter()
        .map(|name| {
            let file = &file;
            async move {
                let answer = tokio::time::timeout(
                    EVERYWHERE_WITHIN,
                    crate::backend::zones_of_context(file, &name, Some(EVERYWHERE_WITHIN)),
                )
                .await
                .unwrap_or_else(|_| {
                    Err(format!("no answer within {}s", EVERYWHERE_WITHIN.as_secs()))
                });
                (name, answer)
            }
        })
        .collect();
    while let Some((name, answer)) = answers.next().await {
        report(E::Answered(name, answer));
    }
    Vec::new()
}
