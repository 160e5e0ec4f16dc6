//! The mouse, read against what is drawn: the wheel scrolls (it is the
//! arrow keys, so lists, the detail, the review and pickers all follow); a
//! click on a zone selects it and a second one soon after opens it; a click
//! on a footer hint runs it. Whatever is clicked, nothing is ever typed into
//! a text field. The screen's parts come from the same functions drawing
//! uses (`areas`, `table_inner`, `footer_hints`), so a click lands where
//! the eye sees it.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;

use crate::app::{Action, App, Screen, keys};

/// Whether pz does anything with this kind of mouse event (a left press,
/// the wheel); the rest (releases, other buttons) are dropped unread.
pub fn wanted(m: &MouseEvent) -> bool {
    matches!(
        m.kind,
        MouseEventKind::Down(MouseButton::Left)
            | MouseEventKind::ScrollDown
            | MouseEventKind::ScrollUp
    )
}

/// The action a mouse event means now, or None.
pub fn action_for(app: &App, m: MouseEvent) -> Option<Action> {
    let (w, h) = app.size;
    if w < crate::app::MIN_WIDTH || h < crate::app::MIN_HEIGHT {
        return None;
    }
    let areas = super::areas(app, Rect::new(0, 0, w, h));
    match m.kind {
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let code = if m.kind == MouseEventKind::ScrollDown {
                KeyCode::Down
            } else {
                KeyCode::Up
            };
            keys::action_for(app, KeyEvent::new(code, KeyModifiers::NONE))
        }
        MouseEventKind::Down(MouseButton::Left) if m.row == areas.footer.y => {
            let hints = super::chrome::footer_hints(app, areas.footer.width);
            let columns = super::chrome::hint_columns(&hints);
            hints
                .iter()
                .zip(columns)
                .find(|(_, (from, to))| (*from..*to).contains(&m.column))
                .and_then(|(hint, _)| hint.action)
                .map(|action| action(app))
        }
        MouseEventKind::Down(MouseButton::Left) => {
            zone_row(app, areas.body, m).map(Action::ClickRow)
        }
        _ => None,
    }
}

/// The zone (its index among those shown) under a click on the list, when
/// nothing is over it.
fn zone_row(app: &App, body: Rect, m: MouseEvent) -> Option<usize> {
    if app.screen != Screen::List || app.overlay.is_some() || app.command.is_some() {
        return None;
    }
    let inner = super::zone_list::table_inner(body);
    // The first row inside is the table's header.
    let first = inner.y + 1;
    if m.row < first
        || m.row >= inner.y + inner.height
        || m.column < inner.x
        || m.column >= inner.x + inner.width
    {
        return None;
    }
    let rows_in_view = inner.height.saturating_sub(1) as usize;
    let index = super::zone_list::first_shown(app, rows_in_view) + usize::from(m.row - first);
    (index < app.list.visible_len()).then_some(index)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::zone_list::tests::app_with;

    fn at(kind: MouseEventKind, column: u16, row: u16) -> MouseEvent {
        MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        }
    }

    #[test]
    fn a_click_lands_on_the_row_drawn_there() {
        let mut a = app_with(&["a", "b", "c"], chrono::Utc::now());
        a.update(Action::Resize(80, 24));
        // Header, summary, border, table header: the first zone is row 4.
        let click =
            |a: &App, row| action_for(a, at(MouseEventKind::Down(MouseButton::Left), 10, row));
        assert!(matches!(click(&a, 4), Some(Action::ClickRow(0))));
        assert!(matches!(click(&a, 6), Some(Action::ClickRow(2))));
        assert!(click(&a, 7).is_none(), "below the last zone");
        assert!(click(&a, 3).is_none(), "the table's header");
        a.overlay = Some(crate::app::Overlay::Help);
        assert!(click(&a, 4).is_none(), "not through an overlay");
    }

    #[test]
    fn the_wheel_is_the_arrows_and_a_hint_runs_its_key() {
        let a = app_with(&["a", "b"], chrono::Utc::now());
        assert!(matches!(
            action_for(&a, at(MouseEventKind::ScrollDown, 10, 5)),
            Some(Action::Down)
        ));
        let footer = a.size.1 - 1;
        let hints = crate::ui::chrome::footer_hints(&a, a.size.0);
        let columns = crate::ui::chrome::hint_columns(&hints);
        let (i, _) = hints
            .iter()
            .enumerate()
            .find(|(_, h)| h.keys == "?")
            .unwrap();
        let (x, _) = columns[i];
        assert!(matches!(
            action_for(
                &a,
                at(MouseEventKind::Down(MouseButton::Left), x + 1, footer)
            ),
            Some(Action::ToggleHelp)
        ));
    }
}
