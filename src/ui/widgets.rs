//! Small pieces shared by the screens: the status badge, key hints, labels.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::api::ZoneStatus;
use crate::app::keys::KeyHint;
use crate::theme::Theme;

const SPINNER: [&str; 4] = ["◐", "◓", "◑", "◒"];

/// How long ago `zone` was last updated ("3d ago"): the one text of a
/// zone the clock alone changes (the list's UPDATED, the detail's status
/// line, `clock`'s face).
/// How long ago a zone's `updatedAt` was.
pub fn updated_ago(updated_at: Option<&str>, now: chrono::DateTime<chrono::Utc>) -> String {
    crate::format::relative(updated_at.and_then(crate::format::parse_time), now)
}

/// A status as a coloured badge; PENDING turns with `frame`.
pub fn status_badge(status: Option<&ZoneStatus>, frame: usize, theme: &Theme) -> Span<'static> {
    match status {
        Some(ZoneStatus::Ready) => Span::styled("● READY", theme.success),
        Some(ZoneStatus::Pending) => Span::styled(
            format!("{} PENDING", SPINNER[frame % SPINNER.len()]),
            theme.warning,
        ),
        Some(ZoneStatus::Failed) => {
            Span::styled("✖ FAILED", theme.failure.add_modifier(Modifier::BOLD))
        }
        Some(other) => Span::styled(
            format!("○ {}", crate::sanitize::line(&other.to_string())),
            theme.muted,
        ),
        None => Span::styled("○ UNKNOWN", theme.muted),
    }
}

/// `key what` pairs, greyed when not applicable.
pub fn hint_line(hints: &[KeyHint], theme: &Theme) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, h) in hints.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled("  ", theme.muted));
        }
        let (k, w) = if h.enabled {
            (theme.accent.add_modifier(Modifier::BOLD), theme.text)
        } else {
            (
                theme.muted.add_modifier(Modifier::DIM),
                theme.muted.add_modifier(Modifier::DIM),
            )
        };
        spans.push(Span::styled(h.keys.to_string(), k));
        spans.push(Span::styled(format!(" {}", h.what), w));
    }
    Line::from(spans)
}

/// `label: value` with the label muted.
pub fn field(label: &str, value: impl Into<String>, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label:<16}"), theme.muted),
        Span::styled(
            crate::sanitize::line(&value.into()).into_owned(),
            theme.text,
        ),
    ])
}

/// Text from outside for one line of a cell: controls shown as escapes
/// (`\e`), bidi overrides as `\u{202e}`, never dropped nor obeyed.
pub fn clean(text: &str) -> String {
    crate::sanitize::line(text).into_owned()
}

pub fn section(title: &str, theme: &Theme) -> Line<'static> {
    Line::from(Span::styled(
        title.to_string(),
        theme.accent.add_modifier(Modifier::BOLD),
    ))
}

/// Cuts `text` to `width` display columns, with an ellipsis. Control
/// characters from outside are shown as escapes (`\e`), not dropped.
pub fn truncate(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let text = crate::sanitize::line(text);
    let text = text.as_ref();
    let mut out = String::new();
    let mut used = 0;
    let total: usize = text.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= width {
        return text.to_string();
    }
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    if width > 0 {
        out.push('…');
    }
    out
}

pub fn bold(style: Style) -> Style {
    style.add_modifier(Modifier::BOLD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("a longer text", 6), "a lon…");
        assert_eq!(truncate("abc", 0), "");
        assert_eq!(truncate("a\u{1b}[2Jb", 20), "a\\e[2Jb");
    }
}
