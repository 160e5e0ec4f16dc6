//! The delete confirmation: what is lost, and the word to type; the same
//! for a rotation (`R`), whose word is the zone's name.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::centered;
use super::widgets::{bold, truncate};
use crate::app::App;
use crate::app::delete::{DeleteModal, Rotate};

pub fn render(frame: &mut Frame, area: Rect, app: &App, m: &DeleteModal) {
    if let Some(r) = &m.rotate {
        return rotation(frame, area, app, m, r);
    }
    let t = &app.theme;
    let partner = m.partner.clone().unwrap_or_else(|| "The partner".into());
    let topics = if m.topics.is_empty() {
        "no topics".to_string()
    } else {
        super::widgets::clean(&m.topics.join(", "))
    };
    let ready = m.complete() && m.armed(app.now);
    let lines = vec![
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
            Span::styled("Type DELETE to confirm: ", t.text),
            typed(app, m),
        ]),
        Line::from(""),
    ];
    let enter = if m.busy {
        (t.muted, "deleting…".to_string())
    } else if ready {
        (
            t.failure.add_modifier(Modifier::REVERSED | Modifier::BOLD),
            " enter  delete ".to_string(),
        )
    } else {
        (
            t.muted.add_modifier(Modifier::DIM),
            " enter  delete (type DELETE first) ".to_string(),
        )
    };
    finish(frame, area, app, m, lines, enter, " Delete zone ");
}

fn typed(app: &App, m: &DeleteModal) -> Span<'static> {
    Span::styled(
        crate::sanitize::line(&m.typed.with_cursor()).into_owned(),
        bold(app.theme.accent).add_modifier(Modifier::UNDERLINED),
    )
}

/// The hint, the buttons and the frame, for both purposes.
fn finish(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    m: &DeleteModal,
    mut lines: Vec<Line<'static>>,
    (enter_style, enter_text): (ratatui::style::Style, String),
    title: &'static str,
) {
    let t = &app.theme;
    if let Some(hint) = &m.hint {
        lines.push(Line::from(Span::styled(
            crate::sanitize::line(hint).into_owned(),
            t.warning,
        )));
    }
    lines.push(Line::from(vec![
        Span::styled(enter_text, enter_style),
        Span::styled("   ", t.text),
        Span::styled(" esc  cancel ", bold(t.text)),
    ]));
    // The rows the wrapped lines take, inside the border.
    let inner = area.width.min(72).saturating_sub(2).max(1) as usize;
    let rows: usize = lines.iter().map(|l| l.width().div_ceil(inner).max(1)).sum();
    let popup = centered(area, 72, rows as u16 + 2);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(t.failure)
                .title(Span::styled(title, bold(t.failure))),
        ),
        popup,
    );
}

/// `R`: what a rotation does, and the zone's name to type.
fn rotation(frame: &mut Frame, area: Rect, app: &App, m: &DeleteModal, r: &Rotate) {
    let t = &app.theme;
    let name = super::widgets::clean(&m.zone);
    let mut lines = vec![
        Line::from(vec![
            Span::styled("Rotate the credentials of ", t.text),
            Span::styled(name.clone(), bold(t.failure)),
            Span::styled("?", t.text),
        ]),
        Line::from(""),
        Line::from(Span::styled(
            format!(
                "The zone is deleted and created again the same, under the service account '{}' (now '{}'): whatever was issued to '{}' no longer opens it.",
                super::widgets::clean(&r.account),
                super::widgets::clean(&r.old),
                super::widgets::clean(&r.old),
            ),
            t.text,
        )),
    ];
    lines.push(Line::from(Span::styled(
        if r.brings_own() {
            "The partner brings its own credentials: revoking them is for its identity provider or CA; they must now name the new account."
        } else {
            "The partner is without access until the zone is READY and has the new secret."
        },
        bold(t.failure),
    )));
    lines.push(Line::from(""));
    lines.push(Line::from(vec![
        Span::styled("Type the zone's name to confirm: ", t.text),
        typed(app, m),
    ]));
    lines.push(Line::from(""));
    let enter = if m.complete() && m.armed(app.now) {
        (
            t.failure.add_modifier(Modifier::REVERSED | Modifier::BOLD),
            " enter  rotate ".to_string(),
        )
    } else {
        (
            t.muted.add_modifier(Modifier::DIM),
            format!(" enter  rotate (type {name} first) "),
        )
    };
    finish(frame, area, app, m, lines, enter, " Rotate credentials ");
}
