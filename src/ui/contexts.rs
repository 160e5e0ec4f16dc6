//! `:ctx`: the contexts of the config file, the one in use marked, to
//! switch Consoles without a restart.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::centered;
use super::widgets::{bold, truncate};
use crate::app::everywhere::Health;
use crate::app::{App, ContextPicker};

pub fn render(frame: &mut Frame, area: Rect, app: &App, picker: &ContextPicker) {
    let t = &app.theme;
    let height = (picker.entries.len() as u16 + 3).min(area.height);
    let popup = centered(area, 110, height);
    frame.render_widget(Clear, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(Span::styled(" Switch Console (context) ", bold(t.accent)));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let width = inner.width as usize;
    let mut lines = vec![Line::from(Span::styled(
        format!("   {:<16}  {:<30}  HEALTH", "NAME", "CONSOLE"),
        t.muted,
    ))];
    for (i, e) in picker.entries.iter().enumerate() {
        let current = picker.current.as_deref() == Some(e.name.as_str());
        let text = format!(
            "{}{} {:<16}  {:<30}  ",
            if i == picker.cursor { "▸" } else { " " },
            if current { "*" } else { " " },
            truncate(&e.name, 16),
            truncate(
                &format!("{}{}", e.base_url, if e.read_only { " (ro)" } else { "" }),
                30
            ),
        );
        let (health, health_style) = match &e.health {
            Health::Checking => ("asking…".to_string(), t.muted),
            Health::Up {
                zones,
                pending,
                failed,
            } => (
                format!("✓ {zones} zones, {pending} PENDING, {failed} FAILED"),
                if *failed > 0 { t.warning } else { t.success },
            ),
            Health::Down(why) => (format!("✖ {why}"), t.failure),
        };
        let (style, health_style) = if i == picker.cursor {
            (t.selection, t.selection)
        } else {
            (t.text, health_style)
        };
        let rest = width.saturating_sub(text.chars().count());
        lines.push(Line::from(vec![
            Span::styled(truncate(&text, width), style),
            Span::styled(
                truncate(&crate::sanitize::line(&health), rest),
                health_style,
            ),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
