//! The Traffic control step drawn: the three limits with their hints.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::error_of;
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
        if let Some(e) = error_of(w, Place::Traffic(i)) {
            spans.push(Span::styled(
                format!("  ✖ {}", crate::sanitize::line(e)),
                t.failure,
            ));
        }
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}
