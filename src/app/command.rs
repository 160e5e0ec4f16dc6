//! The `:` command line: `:apply PATH`, `:ctx [NAME]`, `:all`.

use super::{App, Effect, status};

/// Runs the command typed after `:`.
pub fn run(app: &mut App, cmd: &str) -> Vec<Effect> {
    match cmd.split_once(' ') {
        Some(("apply", path)) if !app.connection.read_only && !path.trim().is_empty() => {
            vec![Effect::LoadFile(path.trim().to_string())]
        }
        Some(("ctx", name)) if !name.trim().is_empty() => {
            vec![Effect::Reconnect(Some(name.trim().to_string()))]
        }
        None if cmd == "ctx" => vec![Effect::ListContexts(app.connection.context.clone())],
        None if cmd == "all" => {
            super::everywhere::update(app, super::everywhere::EverywhereAction::Open)
        }
        _ if cmd.is_empty() => Vec::new(),
        _ => {
            app.set_status(
                status::Origin::Command,
                format!("unknown command ':{cmd}' (try :apply PATH, :ctx [NAME] or :all)"),
            );
            Vec::new()
        }
    }
}
