//! The Topics step drawn: the search, the Gateway's topics and what is shared.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::error_of;
use crate::app::wizard::{Place, Wizard};
use crate::theme::Theme;
use crate::ui::widgets::{bold, clean, truncate};

pub(super) fn render(frame: &mut Frame, area: Rect, w: &Wizard, t: &Theme) {
    let [head, list, chosen] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(3),
        Constraint::Length((w.chosen.len() as u16 + 1).clamp(2, 7)),
    ])
    .areas(area);
    let search_style = if w.searching { bold(t.accent) } else { t.muted };
    let mut head_lines = vec![Line::from(vec![
        Span::styled(format!("Topics of {}  ", clean(&w.cluster)), bold(t.text)),
        Span::styled(
            format!(
                "/{}",
                clean(&if w.searching {
                    w.search.with_cursor()
                } else {
                    w.search.text()
                })
            ),
            search_style,
        ),
        Span::styled("   search by name or label (key=value)", t.muted),
    ])];
    head_lines.push(match error_of(w, Place::Topics) {
        Some(e) => Line::from(Span::styled(
            format!("✖ {}", crate::sanitize::line(e)),
            t.failure,
        )),
        None => Line::from(Span::styled(format!("{} chosen", w.chosen.len()), t.muted)),
    });
    frame.render_widget(Paragraph::new(head_lines), head);

    let visible = w.visible_topics();
    let rows = list.height as usize;
    let offset = w.cursor.saturating_sub(rows.saturating_sub(1));
    let width = list.width as usize;
    let lines: Vec<Line> = visible
        .iter()
        .enumerate()
        .skip(offset)
        .take(rows)
        .map(|(i, topic)| {
            let name = &topic.metadata.name;
            let c = w.chosen.iter().find(|c| &c.backing == name);
            let mark = if c.is_some() { "[x]" } else { "[ ]" };
            let perm = match c {
                Some(c) if c.write => "WRITE",
                Some(_) => "READ ",
                None => "     ",
            };
            let aliases: Vec<&str> = w
                .chosen
                .iter()
                .filter(|c| &c.backing == name)
                .map(|c| c.alias.as_str())
                .collect();
            let alias = if aliases.len() > 1 || aliases.first().is_some_and(|a| a != name) {
                format!(" as {}", aliases.join(", "))
            } else {
                String::new()
            };
            let labels: Vec<String> = topic
                .metadata
                .labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            let text = clean(&format!("{mark} {perm} {name}{alias}"));
            let rest = width.saturating_sub(text.chars().count() + 2);
            let style = if i == w.cursor && !w.shared_focus {
                t.selection
            } else if c.is_some() {
                bold(t.text)
            } else {
                t.text
            };
            Line::from(vec![
                Span::styled(text, style),
                Span::styled(format!("  {}", truncate(&labels.join(" "), rest)), t.muted),
            ])
        })
        .collect();
    let empty = if w.topics.is_empty() {
        "loading topics…"
    } else {
        "no topic matches the search"
    };
    if lines.is_empty() {
        frame.render_widget(Paragraph::new(Span::styled(empty, t.muted)), list);
    } else {
        frame.render_widget(Paragraph::new(lines), list);
    }

    let mut summary = vec![Line::from(Span::styled(
        "Shared with the partner (tab: edit one by one):",
        t.muted,
    ))];
    for (i, c) in w.chosen.iter().enumerate() {
        let selected = w.shared_focus && i == w.shared_cursor;
        summary.push(Line::from(vec![
            Span::styled(
                format!("{}{} ", if selected { "▸ " } else { "  " }, clean(&c.alias)),
                if selected { t.selection } else { bold(t.text) },
            ),
            Span::styled(format!("→ {} ", clean(&c.backing)), t.muted),
            Span::styled(
                if c.write { "WRITE" } else { "READ" },
                if c.write { t.warning } else { t.text },
            ),
        ]));
    }
    if let Some(buf) = &w.renaming {
        summary = vec![Line::from(vec![
            Span::styled("New alias: ", bold(t.accent)),
            Span::styled(clean(&buf.with_cursor()), bold(t.text)),
        ])];
    }
    frame.render_widget(Paragraph::new(summary), chosen);
}
