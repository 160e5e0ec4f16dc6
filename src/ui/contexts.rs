//! `:ctx`: the contexts of the config file, the one in use marked, to
//! switch Consoles without a restart.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::centered;
use super::widgets::{bold, truncate};
use crate::app::{App, ContextPicker};

pub fn render(frame: &mut Frame, area: Rect, app: &App, picker: &ContextPicker) {
    let t = &app.theme;
    let height = (picker.entries.len() as u16 + 3).min(area.height);
    let popup = centered(area, 72, height);
    frame.render_widget(Clear, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(Span::styled(" Switch Console (context) ", bold(t.accent)));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let width = inner.width as usize;
    let mut lines = vec![Line::from(Span::styled(
        format!("   {:<16}  CONSOLE", "NAME"),
        t.muted,
    ))];
    for (i, e) in picker.entries.iter().enumerate() {
        let current = picker.current.as_deref() == Some(e.name.as_str());
        let text = format!(
            "{}{} {:<16}  {}{}",
            if i == picker.cursor { "▸" } else { " " },
            if current { "*" } else { " " },
            truncate(&e.name, 16),
            e.base_url,
            if e.read_only { "  (read-only)" } else { "" },
        );
        let style = if i == picker.cursor {
            t.selection
        } else {
            t.text
        };
        lines.push(Line::from(Span::styled(truncate(&text, width), style)));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
