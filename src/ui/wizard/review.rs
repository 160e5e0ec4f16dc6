//! The Review step drawn: the YAML or diff, and the server's verdict.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::wizard::{Verdict, Wizard};
use crate::theme::Theme;
use crate::ui::widgets::bold;

pub(super) fn render(frame: &mut Frame, area: Rect, w: &Wizard, t: &Theme) {
    let verdict = match &w.verdict {
        Verdict::Unchecked => Line::from(Span::styled("Not checked yet: enter checks", t.muted)),
        Verdict::Checking => Line::from(Span::styled(
            "Checking with the server (dry run)…",
            t.warning,
        )),
        Verdict::Valid(r) => Line::from(vec![
            Span::styled("✔ The server accepts it ", t.success),
            Span::styled(format!("(dry run: {r})"), t.muted),
            Span::styled(
                if w.submitting {
                    "   sending…"
                } else if w.editing() {
                    "   enter updates"
                } else {
                    "   enter creates"
                },
                bold(t.accent),
            ),
        ]),
        Verdict::Invalid(e) => Line::from(Span::styled(
            format!("✖ {}", crate::sanitize::line(e)),
            t.failure,
        )),
    };
    let mut lines = vec![verdict, Line::from("")];
    if w.original.is_some() {
        lines.push(Line::from(Span::styled(
            "Changes (- before, + after):",
            t.muted,
        )));
    }
    for (sign, text) in w.review_lines() {
        let style = match sign {
            '+' => t.success,
            '-' => t.failure,
            _ => t.text,
        };
        lines.push(Line::from(Span::styled(format!("{sign} {text}"), style)));
    }
    let max = (lines.len() as u16).saturating_sub(area.height);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((w.review_scroll.min(max), 0)),
        area,
    );
}
