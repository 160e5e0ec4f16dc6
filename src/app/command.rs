//! The `:` command line: `:apply PATH`, `:ctx [NAME]`.

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
        _ if cmd.is_empty() => Vec::new(),
        _ => {
            app.set_status(
                status::Origin::Command,
                format!("unknown command ':{cmd}' (try :apply PATH or :ctx [NAME])"),
            );
            Vec::new()
        }
    }
}
