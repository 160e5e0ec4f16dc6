//! `:all`: every context's zones in one read-only table, with a CONTEXT
//! column; the contexts that failed, and those still asked, below it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};

use super::widgets::{bold, clean, truncate};
use crate::app::App;
use crate::app::everywhere::Everywhere;

pub fn render(frame: &mut Frame, area: Rect, app: &App, all: &Everywhere) {
    let t = &app.theme;
    let contexts: std::collections::BTreeSet<&str> =
        all.rows.iter().map(|(c, _)| c.as_str()).collect();
    let mut notes: Vec<Line> = all
        .failed
        .iter()
        .map(|(c, e)| {
            Line::from(vec![
                Span::styled(format!(" ✖ {}: ", clean(c)), t.failure),
                Span::styled(clean(e), t.muted),
            ])
        })
        .collect();
    if !all.waiting.is_empty() {
        notes.push(Line::from(Span::styled(
            format!(" … asking {}", clean(&all.waiting.join(", "))),
            t.warning,
        )));
    }
    let [table_area, notes_area] = Layout::vertical([
        Constraint::Min(3),
        Constraint::Length((notes.len() as u16).min(area.height / 3)),
    ])
    .areas(area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(Span::styled(
            format!(
                " Every Console · {} zones in {} contexts · read-only ",
                all.rows.len(),
                contexts.len()
            ),
            bold(t.accent),
        ));
    let inner = block.inner(table_area);
    frame.render_widget(block, table_area);
    let rows_in_view = inner.height.saturating_sub(1) as usize;
    let rows = all
        .rows
        .iter()
        .enumerate()
        .skip(all.offset)
        .take(rows_in_view)
        .map(|(i, (c, z))| {
            let row = Row::new(vec![
                Cell::from(truncate(c, 16)),
                Cell::from(super::widgets::status_badge(
                    z.metadata.status.as_ref(),
                    app.frame,
                    t,
                )),
                Cell::from(clean(&z.metadata.name)),
                Cell::from(format!("{:>6}", z.spec.topics.len())),
                Cell::from(clean(&z.spec.cluster)),
            ])
            .style(t.text);
            if i == all.cursor {
                row.style(t.selection)
            } else {
                row
            }
        });
    let header = Row::new(
        ["CONTEXT", "STATUS", "ZONE", "TOPICS", "GATEWAY"]
            .map(|h| Cell::from(Span::styled(h, bold(t.muted)))),
    );
    let widths = [
        Constraint::Length(16),
        Constraint::Length(10),
        Constraint::Fill(1),
        Constraint::Length(6),
        Constraint::Length(14),
    ];
    if all.rows.is_empty() && !all.waiting.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(" Asking every context…", t.muted)),
            inner,
        );
    } else {
        frame.render_widget(
            Table::new(rows, widths).header(header).column_spacing(1),
            inner,
        );
    }
    frame.render_widget(Paragraph::new(notes).wrap(Wrap { trim: false }), notes_area);
}
