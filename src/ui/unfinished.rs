//! The rotation found unfinished at start: what it was doing, and the
//! choices (finish it, put the zone back as it was, later).

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::app::App;

/// A rotation found unfinished at start: finish it, or put the zone back.
pub fn render(frame: &mut Frame, area: Rect, app: &App, u: &crate::app::rotation::Unfinished) {
    use ratatui::text::{Line, Span};
    use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
    let t = &app.theme;
    let zone = super::widgets::clean(&u.zone);
    let lines = vec![
        Line::from(vec![
            Span::styled("A rotation of ", t.text),
            Span::styled(zone.clone(), super::widgets::bold(t.warning)),
            Span::styled(
                format!(
                    " to '{}' did not finish.",
                    super::widgets::clean(&u.account)
                ),
                t.text,
            ),
        ]),
        Line::from(Span::styled(
            "The zone as it was is kept in pz's recovery file until it is done.",
            t.muted,
        )),
        Line::from(""),
        Line::from(vec![
            Span::styled(" enter ", t.selection),
            Span::styled(" finish it    ", t.text),
            Span::styled(" u ", t.selection),
            Span::styled(" restore the zone as it was    ", t.text),
            Span::styled(" esc ", super::widgets::bold(t.text)),
            Span::styled(" later", t.text),
        ]),
    ];
    let popup = super::centered(area, 76, lines.len() as u16 + 4);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(t.warning)
                .title(Span::styled(
                    " Unfinished rotation ",
                    super::widgets::bold(t.warning),
                )),
        ),
        popup,
    );
}
