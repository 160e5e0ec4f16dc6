//! The credentials view: the secret, masked unless revealed, what it means,
//! and the keys to hand it over.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::centered;
use super::widgets::{bold, field};
use crate::app::App;
use crate::app::credentials::{CredentialsView, Phase};
use crate::credentials::expiry;

pub fn render(frame: &mut Frame, area: Rect, app: &App, v: &CredentialsView) {
    let t = &app.theme;
    let mut lines = vec![
        field("Zone", v.zone.clone(), t),
        field("Service account", v.account.clone(), t),
        Line::from(""),
    ];
    match &v.phase {
        Phase::Confirm => {
            lines.push(Line::from(Span::styled(
                "Generate a new secret for this service account?",
                bold(t.text),
            )));
            lines.push(Line::from(Span::styled(
                "Earlier secrets stay valid until they expire. The new one is shown once.",
                t.muted,
            )));
            lines.push(Line::from(""));
            lines.push(Line::from(vec![
                Span::styled(" enter ", t.selection),
                Span::styled(" generate    ", t.text),
                Span::styled(" esc ", bold(t.text)),
                Span::styled(" cancel", t.text),
            ]));
        }
        Phase::Generating => lines.push(Line::from(Span::styled("Generating…", t.warning))),
        Phase::Failed(e) => {
            lines.push(Line::from(Span::styled(format!("Failed: {e}"), t.failure)));
            lines.push(Line::from(Span::styled(
                "enter tries again, esc closes.",
                t.muted,
            )));
        }
        Phase::Shown { secret, .. } => {
            let shown = if v.revealed {
                Span::styled(secret.expose().to_string(), bold(t.warning))
            } else {
                Span::styled(format!("{}  (v reveals)", secret.masked()), t.text)
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{:<16}", "Secret"), t.muted),
                shown,
            ]));
            if let Some(exp) = expiry(secret) {
                lines.push(field(
                    "Valid until",
                    exp.format("%Y-%m-%d %H:%M UTC").to_string(),
                    t,
                ));
            }
            lines.push(Line::from(""));
            for warning in [
                "This secret cannot be shown again: copy or save it now.",
                "Earlier secrets stay valid until they expire.",
                "To revoke the partner's access, delete the zone.",
            ] {
                lines.push(Line::from(Span::styled(format!("• {warning}"), t.warning)));
            }
            lines.push(Line::from(""));
            for (k, what) in [
                ("y", "copy the secret"),
                ("p", "copy config.properties for the partner"),
                ("k", "copy the kafka-topics command"),
                ("s", "save config.properties to a file (0600)"),
            ] {
                lines.push(Line::from(vec![
                    Span::styled(format!("  {k}  "), bold(t.accent)),
                    Span::styled(what, t.text),
                ]));
            }
            if let Some(path) = &v.save_path {
                lines.push(Line::from(""));
                lines.push(Line::from(vec![
                    Span::styled("Save to: ", t.text),
                    Span::styled(format!("{path}▏"), bold(t.accent)),
                ]));
            }
            if let Some(path) = &v.overwrite {
                lines.push(Line::from(""));
                lines.push(Line::from(Span::styled(
                    format!("{path} exists. Overwrite it? y / n"),
                    bold(t.warning),
                )));
            }
        }
    }
    let popup = centered(area, 78, lines.len() as u16 + 2);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(t.accent)
                .title(Span::styled(" Credentials ", bold(t.accent))),
        ),
        popup,
    );
}
