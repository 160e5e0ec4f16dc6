//! The Details step drawn: each field with its value, cursor and error.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::error_of;
use crate::app::wizard::{Field, Place, Wizard};
use crate::theme::Theme;
use crate::ui::widgets::bold;

pub(super) fn render(frame: &mut Frame, area: Rect, w: &Wizard, t: &Theme) {
    let mut lines = Vec::new();
    for f in Field::ALL {
        let focused = w.field == f;
        let label = Span::styled(
            format!("{}{:<16}", if focused { "▸ " } else { "  " }, f.label()),
            if focused { bold(t.accent) } else { t.muted },
        );
        let shown = |t: &str| t.replace('\n', " ⏎ ");
        let (value, after) = match f {
            Field::Gateway => (gateway_value(w), String::new()),
            Field::Auth => (auth_value(w, focused), String::new()),
            // The focused field shows the cursor where it is.
            _ if focused => {
                let text = w.value(f);
                let at = text
                    .char_indices()
                    .nth(w.cursor())
                    .map(|(i, _)| i)
                    .unwrap_or(text.len());
                (shown(&text[..at]), shown(&text[at..]))
            }
            _ => (shown(w.value(f)), String::new()),
        };
        let fixed = f == Field::Id && w.editing();
        let mut value_style = if focused { bold(t.text) } else { t.text };
        if fixed {
            value_style = t.muted;
        }
        let mut spans = vec![label, Span::styled(value, value_style)];
        if focused && !f.is_choice() && !fixed {
            spans.push(Span::styled("▏", t.accent));
        }
        if !after.is_empty() {
            spans.push(Span::styled(after, value_style));
        }
        if fixed {
            spans.push(Span::styled("  (fixed once created)", t.muted));
        }
        if matches!(
            f,
            Field::Url
                | Field::Description
                | Field::Labels
                | Field::PartnerName
                | Field::PartnerRole
                | Field::PartnerEmail
                | Field::PartnerPhone
        ) && w.value(f).is_empty()
            && !focused
        {
            let hint = if f == Field::Labels && !w.takes_headers() {
                "not on Console 1.32"
            } else {
                "optional"
            };
            spans.push(Span::styled(hint, t.muted.add_modifier(Modifier::ITALIC)));
        }
        if let Some(e) = error_of(w, Place::Field(f)) {
            spans.push(Span::styled(
                format!("  ✖ {}", crate::sanitize::line(e)),
                t.failure,
            ));
        }
        lines.push(Line::from(spans));
        if focused && f == Field::Auth {
            lines.push(Line::from(Span::styled(
                format!(
                    "{:<18}{}",
                    "",
                    crate::app::wizard::details::auth_help(w.auth())
                ),
                t.muted,
            )));
        }
        if focused && f == Field::Labels {
            lines.push(Line::from(Span::styled(
                format!(
                    "{:<18}key=value, key=value (select with pz get -l key=value)",
                    ""
                ),
                t.muted,
            )));
        }
        if focused && f == Field::Gateway {
            for c in &w.clusters {
                let name = &crate::sanitize::line(&c.metadata.name).into_owned();
                let (mark, style, why) = if !c.is_gateway() {
                    (
                        "  ",
                        t.muted.add_modifier(Modifier::DIM),
                        "  not a Gateway cluster: cannot host zones",
                    )
                } else if c.metadata.name == w.cluster {
                    ("● ", bold(t.accent), "")
                } else {
                    ("○ ", t.text, "")
                };
                let down = if c
                    .metadata
                    .labels
                    .get("gateway-status")
                    .is_some_and(|v| v == "down")
                {
                    "  (Gateway down: deployments fail)"
                } else {
                    ""
                };
                lines.push(Line::from(vec![
                    Span::styled(format!("{:<20}{mark}{name}", ""), style),
                    Span::styled(format!("{why}{down}"), t.muted),
                ]));
            }
        }
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

/// The chosen type; focused, the others it could be.
fn auth_value(w: &Wizard, focused: bool) -> String {
    let types = w.auth_types();
    if !focused {
        return w.auth().to_string();
    }
    let choices: Vec<String> = types
        .iter()
        .map(|t| {
            if *t == w.auth() {
                format!("● {t}")
            } else {
                format!("○ {t}")
            }
        })
        .collect();
    let only = if types.len() == 1 {
        "  (this Console: PLAIN only)"
    } else {
        ""
    };
    format!("{}{only}", choices.join("  "))
}

fn gateway_value(w: &Wizard) -> String {
    if w.clusters.is_empty() {
        return if w.cluster.is_empty() {
            "loading…".into()
        } else {
            crate::sanitize::line(&w.cluster).into_owned()
        };
    }
    w.clusters
        .iter()
        .find(|c| c.metadata.name == w.cluster)
        .map(|c| {
            crate::sanitize::line(&format!("{} ({})", c.metadata.name, c.display_name()))
                .into_owned()
        })
        .unwrap_or_else(|| "none".into())
}
