//! `?`: every key, by group, as the key table (`app::keys`) lists them.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::centered;
use super::widgets::{bold, section};
use crate::app::App;

/// Lines of `groups`, each key in a column of its own.
fn column(
    groups: &[(crate::app::keys::Group, Vec<(&'static str, &'static str)>)],
    compact: bool,
    t: &crate::theme::Theme,
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for (g, keys) in groups {
        lines.push(section(g.title(), t));
        for (k, what) in keys {
            lines.push(Line::from(vec![
                Span::styled(format!("  {k:<11}"), bold(t.accent)),
                Span::styled(what.to_string(), t.text),
            ]));
        }
        if !compact {
            lines.push(Line::from(""));
        }
    }
    lines
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    use crate::app::keys::Group;
    let t = &app.theme;
    let compact = area.height < 30;
    // From the key table; the wizard's keys first when it is open.
    let mut groups = crate::app::keys::help(app);
    if matches!(app.screen, crate::app::Screen::Wizard(_)) {
        groups.sort_by_key(|(g, _)| *g != Group::Wizard);
    }
    // Wide enough: the console's keys on the left, the views' on the right.
    let two = area.width >= 110 && groups.len() > 3;
    let (left, right) = if two {
        let (l, r): (Vec<_>, Vec<_>) = groups
            .into_iter()
            .partition(|(g, _)| matches!(g, Group::Everywhere | Group::List | Group::Changes));
        (column(&l, compact, t), column(&r, compact, t))
    } else {
        (column(&groups, compact, t), Vec::new())
    };
    let mut left = left;
    let legend = "PENDING deploying · READY up to date · FAILED check the Gateway";
    let rows = left.len().max(right.len());
    if rows + 3 <= area.height as usize {
        left.push(Line::from(Span::styled(legend, t.muted)));
    }
    // The mouse: what pz does with it, and how to select text anyway.
    for mouse in [
        "Mouse: wheel scrolls, click selects, double-click",
        "opens, a click on a hint runs it. shift+drag still",
        "selects text in most terminals (--no-mouse: off)",
    ] {
        if left.len().max(right.len()) + 3 <= area.height as usize {
            left.push(Line::from(Span::styled(mouse, t.muted)));
        }
    }
    let rows = left.len().max(right.len()) as u16 + 2;
    let width = if two { 108 } else { 76 };
    let popup = centered(area, width, rows);
    frame.render_widget(Clear, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.accent)
        .title(Span::styled(" Help ", bold(t.accent)));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let [l, r] = if two {
        ratatui::layout::Layout::horizontal([
            ratatui::layout::Constraint::Percentage(50),
            ratatui::layout::Constraint::Percentage(50),
        ])
        .areas(inner)
    } else {
        [inner, Rect::default()]
    };
    frame.render_widget(Paragraph::new(left), l);
    if two {
        frame.render_widget(Paragraph::new(right), r);
    }
}
