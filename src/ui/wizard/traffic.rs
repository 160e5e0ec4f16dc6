//! The Traffic control step drawn: the three limits with their hints, then
//! the headers to add and remove.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::error_of;
use crate::app::wizard::headers::{ROWS as HEADER_ROWS, TEMPLATES};
use crate::app::wizard::{LIMITS, Place, Wizard};
use crate::theme::Theme;
use crate::ui::widgets::bold;

pub(super) fn render(frame: &mut Frame, area: Rect, w: &Wizard, t: &Theme) {
    let mut lines = vec![
        Line::from(Span::styled(
            "Limits apply per Gateway node. All are optional.",
            t.muted,
        )),
        Line::from(""),
    ];
    for (i, (label, hint)) in LIMITS.iter().enumerate() {
        let l = &w.limits[i];
        let focused = w.limit_focus == i;
        let mut spans = vec![
            Span::styled(
                format!(
                    "{}{} {:<18}",
                    if focused { "▸ " } else { "  " },
                    if l.enabled { "[on] " } else { "[off]" },
                    label
                ),
                if focused { bold(t.accent) } else { t.text },
            ),
            Span::styled(l.text.clone(), bold(t.text)),
        ];
        if focused {
            spans.push(Span::styled("▏", t.accent));
        }
        spans.push(Span::styled(format!("  {hint}"), t.muted));
        spans.extend(error_span(w, i, t));
        lines.push(Line::from(spans));
    }
    lines.push(Line::from(""));
    if !w.takes_headers() {
        lines.push(Line::from(Span::styled(
            "Headers: this Console (1.32) does not add or remove headers.",
            t.muted,
        )));
    } else {
        lines.push(Line::from(Span::styled(
            "Headers (optional): set on what the partner produces, cut from what it reads.",
            t.muted,
        )));
        for (j, (label, hint)) in HEADER_ROWS.iter().enumerate() {
            let i = LIMITS.len() + j;
            let focused = w.limit_focus == i;
            let mut spans = vec![
                Span::styled(
                    format!("{}      {:<18}", if focused { "▸ " } else { "  " }, label),
                    if focused { bold(t.accent) } else { t.text },
                ),
                Span::styled(
                    crate::sanitize::line(w.row_text(i)).into_owned(),
                    bold(t.text),
                ),
            ];
            if focused {
                spans.push(Span::styled("▏", t.accent));
            }
            if w.row_text(i).is_empty() {
                spans.push(Span::styled(format!("  {hint}"), t.muted));
            }
            spans.extend(error_span(w, i, t));
            lines.push(Line::from(spans));
        }
        // The templates, while a header to add is being typed.
        if w.limit_focus == LIMITS.len() {
            lines.push(Line::from(Span::styled(
                format!("{:<8}{}", "", TEMPLATES.join(" ")),
                t.muted,
            )));
        }
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

/// Row `i`'s error, if it has one.
fn error_span<'a>(w: &Wizard, i: usize, t: &Theme) -> Option<Span<'a>> {
    error_of(w, Place::Traffic(i))
        .map(|e| Span::styled(format!("  ✖ {}", crate::sanitize::line(e)), t.failure))
}
