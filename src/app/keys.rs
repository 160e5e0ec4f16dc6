//! Which action a key means, given what is on screen. The same keys work
//! the same way everywhere; the footer and help are built from this table.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::credentials::CredentialsAction as C;
use super::delete::DeleteAction as D;
use super::{Action, App, Overlay, Screen};

pub fn action_for(app: &App, key: KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    // ctrl or alt held: such a key is a command, never text typed.
    let modified = key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        return Some(Action::Quit);
    }
    if let Screen::Wizard(_) = app.screen {
        return Some(Action::Wizard(super::WizardAction::Key(key)));
    }
    if app.command.is_some() {
        return match key.code {
            KeyCode::Esc => Some(Action::CommandCancel),
            KeyCode::Enter => Some(Action::CommandRun),
            KeyCode::Backspace => Some(Action::CommandBackspace),
            KeyCode::Char(c) if !modified => Some(Action::CommandChar(c)),
            _ => None,
        };
    }
    match &app.overlay {
        Some(Overlay::Delete(_)) => {
            // A held-down key repeating never types the word.
            if key.kind == KeyEventKind::Repeat {
                return None;
            }
            return match key.code {
                KeyCode::Esc => Some(Action::Delete(D::Cancel)),
                KeyCode::Enter => Some(Action::Delete(D::Confirm)),
                KeyCode::Backspace => Some(Action::Delete(D::Backspace)),
                KeyCode::Char(c) if !modified => Some(Action::Delete(D::Char(c))),
                _ => None,
            };
        }
        Some(Overlay::Credentials(view)) => {
            let a = if view.typing() {
                match key.code {
                    KeyCode::Esc => C::SaveCancel,
                    KeyCode::Enter => C::SaveConfirm,
                    KeyCode::Backspace => C::SaveBackspace,
                    KeyCode::Char(c) if !modified => C::SaveChar(c),
                    _ => return None,
                }
            } else if view.overwrite.is_some() {
                match key.code {
                    KeyCode::Char('y') => C::OverwriteYes,
                    KeyCode::Char('n') | KeyCode::Esc => C::SaveCancel,
                    _ => return None,
                }
            } else {
                match key.code {
                    KeyCode::Esc | KeyCode::Char('q') => C::Close,
                    KeyCode::Enter => C::Confirm,
                    KeyCode::Char('v') => C::Reveal,
                    KeyCode::Char('y') => C::CopySecret,
                    KeyCode::Char('p') => C::CopyProperties,
                    KeyCode::Char('k') => C::CopyCommand,
                    KeyCode::Char('s') => C::SaveStart,
                    KeyCode::Char('t') => C::Check,
                    KeyCode::Char('o') => C::PlainSecret,
                    KeyCode::Char('O') => C::PlainProperties,
                    _ => return None,
                }
            };
            return Some(Action::Credentials(a));
        }
        Some(Overlay::Contexts(_)) => {
            use super::ContextAction as X;
            return Some(Action::Contexts(match key.code {
                KeyCode::Char('k') | KeyCode::Up => X::Up,
                KeyCode::Char('j') | KeyCode::Down => X::Down,
                KeyCode::Enter => X::Choose,
                KeyCode::Esc | KeyCode::Char('q') => X::Close,
                _ => return None,
            }));
        }
        Some(Overlay::Help) => {
            return match key.code {
                KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q') => Some(Action::ToggleHelp),
                _ => None,
            };
        }
        None => {}
    }
    if app.screen == Screen::List && app.list.filtering {
        return match key.code {
            KeyCode::Esc => Some(Action::FilterClear),
            KeyCode::Enter => Some(Action::FilterDone),
            KeyCode::Backspace => Some(Action::FilterBackspace),
            KeyCode::Up => Some(Action::Up),
            KeyCode::Down => Some(Action::Down),
            KeyCode::Char(c) if !modified => Some(Action::FilterChar(c)),
            _ => None,
        };
    }
    let writable = app.writable();
    Some(match key.code {
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Char('j') | KeyCode::Down => Action::Down,
        KeyCode::Char('k') | KeyCode::Up => Action::Up,
        KeyCode::PageDown => Action::PageDown,
        KeyCode::PageUp => Action::PageUp,
        KeyCode::Char('d') if modified => Action::PageDown,
        KeyCode::Char('u') if modified => Action::PageUp,
        KeyCode::Char('g') | KeyCode::Home => Action::Top,
        KeyCode::Char('G') | KeyCode::End => Action::Bottom,
        KeyCode::Enter => Action::Open,
        KeyCode::Esc => Action::Back,
        KeyCode::Char('r') => Action::Refresh,
        KeyCode::Char('/') if app.screen == Screen::List => Action::FilterStart,
        KeyCode::Char('s') if app.screen == Screen::List => Action::SortNext,
        KeyCode::Char('S') if app.screen == Screen::List => Action::SortReverse,
        KeyCode::Char('?') => Action::ToggleHelp,
        KeyCode::Char('y') => Action::CopyYaml,
        KeyCode::Char('d') if writable => Action::Delete(D::Open),
        KeyCode::Char('c') if writable => Action::Credentials(C::Open),
        KeyCode::Char('t') if writable => Action::Credentials(C::OpenToCheck),
        KeyCode::Char('n') if writable => Action::Wizard(super::WizardAction::New),
        KeyCode::Char('e') if writable => Action::Wizard(super::WizardAction::Edit),
        // Also read-only: `:ctx` is how one leaves a read-only Console
        // (`:apply` then says why it cannot).
        KeyCode::Char(':') => Action::CommandStart,
        _ => return None,
    })
}

/// One entry of the footer and the help screen.
pub struct KeyHint {
    pub keys: &'static str,
    pub what: &'static str,
    /// Greyed out when false (e.g. nothing selected).
    pub enabled: bool,
}

/// The keys that apply on the current screen.
pub fn hints(app: &App) -> Vec<KeyHint> {
    let has_zone = app.current_zone().is_some();
    let writable = app.writable();
    let h = |keys, what, enabled| KeyHint {
        keys,
        what,
        enabled,
    };
    match &app.overlay {
        Some(Overlay::Delete(_)) => {
            return vec![
                h("DELETE", "type to confirm", true),
                h("enter", "delete", true),
                h("esc", "cancel", true),
            ];
        }
        Some(Overlay::Credentials(v)) => {
            if v.typing() {
                return vec![h("enter", "save", true), h("esc", "cancel", true)];
            }
            let shown = matches!(v.phase, super::credentials::Phase::Shown { .. });
            return vec![
                h("enter", "generate", !shown),
                h("v", "reveal", shown),
                h("y", "copy secret", shown),
                h("p", "copy config", shown),
                h("k", "copy command", shown),
                h("s", "save", shown),
                h("o/O", "plain", shown),
                h("t", "check access", shown),
                h("esc", "close", true),
            ];
        }
        Some(Overlay::Help) => return vec![h("esc", "close help", true)],
        Some(Overlay::Contexts(_)) => {
            return vec![
                h("j/k", "move", true),
                h("enter", "switch", true),
                h("esc", "cancel", true),
            ];
        }
        None => {}
    }
    if let Screen::Wizard(w) = &app.screen {
        return wizard_hints(w);
    }
    if app.command.is_some() {
        return vec![h("enter", "run", true), h("esc", "cancel", true)];
    }
    if app.list.filtering && app.screen == Screen::List {
        return vec![
            h("type", "filter", true),
            h("enter", "keep", true),
            h("esc", "clear", true),
        ];
    }
    let mut out = match app.screen {
        Screen::List => vec![
            h("j/k", "move", has_zone),
            h("enter", "open", has_zone),
            h("/", "filter", true),
            h("s/S", "sort", true),
        ],
        Screen::Detail { .. } => vec![h("j/k", "scroll", true), h("esc", "back", true)],
        Screen::Wizard(_) => Vec::new(),
    };
    out.push(h("y", "yaml", has_zone));
    if writable {
        match app.gateways {
            Some(0) => out.push(h("n", "new: no Gateway", false)),
            _ => out.push(h("n", "new", true)),
        }
        out.push(h("e", "edit", has_zone));
        out.push(h("c", "credentials", has_zone));
        if matches!(app.screen, Screen::Detail { .. }) {
            out.push(h("t", "check access", has_zone));
        }
        out.push(h("d", "delete", has_zone));
    } else if app.forbidden.is_some() {
        // As read-only does, but saying why: the key may not change zones.
        out.push(h("n e c d", "need an admin key (403)", false));
    }
    out.push(h("r", "refresh", true));
    out.push(h("?", "help", true));
    out.push(h("q", "quit", true));
    out
}

fn wizard_hints(w: &super::Wizard) -> Vec<KeyHint> {
    use super::wizard::{Field, Step};
    let h = |keys, what, enabled| KeyHint {
        keys,
        what,
        enabled,
    };
    if w.confirm_leave {
        return vec![
            h("y", "leave, discarding the draft", true),
            h("any key", "stay", true),
        ];
    }
    let last = w.step == Step::Review;
    let mut out = match w.step {
        Step::Details if w.field == Field::Gateway => {
            vec![h("↑/↓", "choose", true), h("tab", "next field", true)]
        }
        Step::Details => vec![h("tab/S-tab", "fields", true)],
        Step::Topics if w.renaming.is_some() => {
            return vec![h("enter", "rename", true), h("esc", "cancel", true)];
        }
        Step::Topics if w.searching => {
            return vec![
                h("type", "search", true),
                h("enter/esc", "back to list", true),
            ];
        }
        Step::Topics if w.shared_focus => vec![
            h("j/k", "entry", true),
            h("w", "WRITE", true),
            h("r", "rename", true),
            h("space", "remove", true),
            h("tab", "topics", true),
        ],
        Step::Topics => vec![
            h("/", "search", true),
            h("space", "add/remove", true),
            h("a", "another alias", true),
            h("w", "WRITE", true),
            h("r", "rename", true),
            h("tab", "shared", !w.chosen.is_empty()),
        ],
        Step::Traffic => vec![h("↑/↓", "limit", true), h("space", "on/off", true)],
        Step::Review => vec![
            h("enter", if w.editing() { "update" } else { "create" }, true),
            h("j/k", "scroll", true),
        ],
    };
    out.push(h("^n", "next step", !last));
    out.push(h(
        "^p",
        "previous",
        w.step != Step::Details && w.from_file.is_none(),
    ));
    out.push(h("esc", "leave", true));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::ConnectionInfo;
    use crate::theme::Theme;

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn read_only_hides_mutations() {
        let ro = App::new(
            Theme::default(),
            ConnectionInfo {
                read_only: true,
                ..Default::default()
            },
            chrono::Utc::now(),
        );
        assert!(action_for(&ro, key('d')).is_none());
        assert!(action_for(&ro, key('c')).is_none());
        // `:ctx` still switches away from a read-only Console.
        assert!(matches!(
            action_for(&ro, key(':')),
            Some(Action::CommandStart)
        ));
        assert!(
            !hints(&ro)
                .iter()
                .any(|h| h.what == "delete" || h.what == "credentials")
        );
        let rw = App::new(
            Theme::default(),
            ConnectionInfo::default(),
            chrono::Utc::now(),
        );
        assert!(matches!(
            action_for(&rw, key('d')),
            Some(Action::Delete(D::Open))
        ));
    }

    #[test]
    fn repeats_never_type_in_the_delete_modal() {
        let mut a = App::new(
            Theme::default(),
            ConnectionInfo::default(),
            chrono::Utc::now(),
        );
        a.overlay = Some(Overlay::Delete(crate::app::DeleteModal {
            zone: "z".into(),
            display_name: String::new(),
            partner: None,
            topics: vec![],
            typed: String::new(),
            armed_at: None,
            busy: false,
            hint: None,
        }));
        let mut repeat = key('D');
        repeat.kind = KeyEventKind::Repeat;
        assert!(action_for(&a, repeat).is_none());
        assert!(matches!(
            action_for(&a, key('q')),
            Some(Action::Delete(D::Char('q')))
        ));
    }
}
