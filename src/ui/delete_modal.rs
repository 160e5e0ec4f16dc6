//! The delete confirmation: what is lost, and the word to type.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::centered;
use super::widgets::{bold, truncate};
use crate::app::App;
use crate::app::delete::{DeleteModal, WORD};

pub fn render(frame: &mut Frame, area: Rect, app: &App, m: &DeleteModal) {
    let t = &app.theme;
    let partner = m.partner.clone().unwrap_or_else(|| "The partner".into());
    let topics = if m.topics.is_empty() {
        "no topics".to_string()
    } else {
        super::widgets::clean(&m.topics.join(", "))
    };
    let ready = m.complete() && m.armed(app.now);
    let mut lines = vec![
        Line::from(vec![
            Span::styled("Delete the Partner Zone ", t.text),
            Span::styled(super::widgets::clean(&m.zone), bold(t.failure)),
            Span::styled(
                if m.display_name.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", super::widgets::clean(&m.display_name))
                },
                t.text,
            ),
            Span::styled("?", t.text),
        ]),
        Line::from(""),
        Line::from(vec![
            Span::styled(format!("{partner} loses access to "), t.text),
            Span::styled(format!("{} topic(s): ", m.topics.len()), bold(t.text)),
            Span::styled(truncate(&topics, 120), t.muted),
        ]),
        Line::from(Span::styled(
            "Clients using its credentials stop working. This cannot be undone.",
            bold(t.failure),
        )),
        Line::from(""),
        Line::from(vec![
            Span::styled(format!("Type {WORD} to confirm: "), t.text),
            Span::styled(
                crate::sanitize::line(&m.typed.with_cursor()).into_owned(),
                bold(t.accent).add_modifier(Modifier::UNDERLINED),
            ),
        ]),
        Line::from(""),
    ];
    if let Some(hint) = &m.hint {
        lines.push(Line::from(Span::styled(hint.clone(), t.warning)));
    }
    let (enter_style, enter_text) = if m.busy {
        (t.muted, "deleting…")
    } else if ready {
        (
            t.failure.add_modifier(Modifier::REVERSED | Modifier::BOLD),
            " enter  delete ",
        )
    } else {
        (
            t.muted.add_modifier(Modifier::DIM),
            " enter  delete (type DELETE first) ",
        )
    };
    lines.push(Line::from(vec![
        Span::styled(enter_text, enter_style),
        Span::styled("   ", t.text),
        Span::styled(" esc  cancel ", bold(t.text)),
    ]));
    let popup = centered(area, 72, lines.len() as u16 + 4);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(t.failure)
                .title(Span::styled(" Delete zone ", bold(t.failure))),
        ),
        popup,
    );
}
