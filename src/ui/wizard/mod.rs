//! The create/edit wizard drawn: a step indicator, then the current step,
//! each step in the module named after it (as in `app::wizard`).

mod details;
mod review;
mod topics;
mod traffic;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::widgets::bold;
use crate::app::App;
use crate::app::wizard::{Field, Place, Step, Wizard};
use crate::theme::Theme;

pub fn render(frame: &mut Frame, area: Rect, app: &App, w: &Wizard) {
    let t = &app.theme;
    let title = if w.from_file.is_some() {
        " Apply from file ".to_string()
    } else if w.editing() {
        format!(" Edit {} ", w.value(Field::Id))
    } else {
        " New Partner Zone ".to_string()
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(Span::styled(title, bold(t.accent)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [steps, body, bottom] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(step_line(w, t)), steps);
    match w.step {
        Step::Details => details::render(frame, body, w, t),
        Step::Topics => topics::render(frame, body, w, t),
        Step::Traffic => traffic::render(frame, body, w, t),
        Step::Review => review::render(frame, body, w, t),
    }
    let line = if w.confirm_leave {
        Line::from(Span::styled(
            "Leave the wizard? What you typed is discarded. y leaves, any other key stays.",
            bold(t.warning),
        ))
    } else if let Some(n) = &w.notice {
        Line::from(Span::styled(n.clone(), t.warning))
    } else {
        Line::from("")
    };
    frame.render_widget(Paragraph::new(line), bottom);
}

fn step_line(w: &Wizard, t: &Theme) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, s) in Step::ALL.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" → ", t.muted));
        }
        let style = if *s == w.step {
            t.selection.add_modifier(Modifier::BOLD)
        } else {
            t.muted
        };
        spans.push(Span::styled(format!(" {} {} ", i + 1, s.title()), style));
    }
    Line::from(spans)
}

fn error_of(w: &Wizard, p: Place) -> Option<&str> {
    w.errors.get(&p).map(String::as_str)
}
