//! `?`: every key, by screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::centered;
use super::widgets::{bold, section};
use crate::app::App;

const GLOBAL: &[(&str, &str)] = &[
    ("?", "this help"),
    ("q / ctrl-c", "quit"),
    ("r", "refresh now"),
    ("esc", "back, close, or clear the filter"),
    ("y", "copy the zone as vendor-CLI YAML"),
];
const LIST: &[(&str, &str)] = &[
    ("j/k ↑/↓", "move"),
    ("PgUp/PgDn ctrl-u/d", "page"),
    ("g/G Home/End", "first / last"),
    ("enter", "open the zone"),
    ("/", "filter by name, ID, URL, gateway, partner"),
    ("s / S", "sort by the next column / reverse"),
];
const CHANGE: &[(&str, &str)] = &[
    ("n / e", "new zone / edit the zone (wizard)"),
    ("c", "generate credentials for the partner"),
    ("t", "check the partner's access (as pz check)"),
    ("d", "delete the zone (type DELETE to confirm)"),
    (":apply PATH  :ctx", "apply a YAML file · switch Console"),
];
const WIZARD: &[(&str, &str)] = &[
    (
        "tab / shift-tab",
        "fields (←/→ Home/End ctrl-w, ctrl-u undo)",
    ),
    (
        "ctrl-n / ctrl-p",
        "next / previous step; esc leaves (asks first)",
    ),
];

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let mut lines = Vec::new();
    let compact = area.height < 30;
    let mut group = |title: &str, keys: &[(&str, &str)]| {
        lines.push(section(title, t));
        for (k, what) in keys {
            lines.push(Line::from(vec![
                Span::styled(format!("  {k:<20}"), bold(t.accent)),
                Span::styled(what.to_string(), t.text),
            ]));
        }
        if compact {
            return;
        }
        lines.push(Line::from(""));
    };
    group("Everywhere", GLOBAL);
    group("Zone list (detail: j/k scroll)", LIST);
    if !app.connection.read_only {
        group("Changes", CHANGE);
        group("Wizard (topics: / space a w r tab)", WIZARD);
    }
    if lines.len() + 3 <= area.height as usize {
        lines.push(Line::from(Span::styled(
            "PENDING deploying · READY up to date · FAILED check the Gateway is active",
            t.muted,
        )));
    }
    let height = lines.len() as u16 + 2;
    let popup = centered(area, 76, height);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(ratatui::widgets::Wrap { trim: false })
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(t.accent)
                    .title(Span::styled(" Help ", bold(t.accent))),
            ),
        popup,
    );
}
