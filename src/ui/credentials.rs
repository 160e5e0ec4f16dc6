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
use crate::credentials::{Brought, Validity};
use crate::kafka::check::Outcome;

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
                if v.check_after {
                    "Generate a new secret to check the partner's access with it?"
                } else {
                    "Generate a new secret for this service account?"
                },
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
        Phase::BroughtByPartner(why) => {
            lines.push(Line::from(Span::styled(
                crate::sanitize::line(why).into_owned(),
                bold(t.text),
            )));
            lines.push(Line::from(Span::styled(
                format!(
                    "The client settings to fill in: pz credentials {} --properties",
                    crate::sanitize::line(&v.zone)
                ),
                t.muted,
            )));
            if v.on_sandbox {
                lines.push(Line::from(""));
                lines.push(Line::from(vec![
                    Span::styled(" enter ", t.selection),
                    Span::styled(
                        if v.auth_type == "MTLS" {
                            " have the sandbox issue a client certificate, to try the partner's side"
                        } else {
                            " have the sandbox issue an OAuth client, to try the partner's side"
                        },
                        t.text,
                    ),
                ]));
            }
        }
        Phase::Issuing => lines.push(Line::from(Span::styled("Issuing…", t.warning))),
        Phase::Rotating(steps) => {
            lines.push(Line::from(Span::styled(
                "Rotating: the zone is deleted and created again under the new service account.",
                bold(t.text),
            )));
            for step in steps {
                lines.push(Line::from(Span::styled(
                    format!("  ✓ {}", crate::sanitize::line(step)),
                    t.success,
                )));
            }
            lines.push(Line::from(Span::styled(
                "  … the partner is without access until the zone is READY and has the new secret",
                t.warning,
            )));
        }
        Phase::Failed(e) => {
            lines.push(Line::from(Span::styled(format!("Failed: {e}"), t.failure)));
            lines.push(Line::from(Span::styled(
                "enter tries again, esc closes.",
                t.muted,
            )));
        }
        Phase::Shown { secret, .. } => {
            let shown = if v.revealed {
                // A secret from a hostile Console may hold controls: shown.
                Span::styled(
                    crate::sanitize::line(secret.expose()).into_owned(),
                    bold(t.warning),
                )
            } else {
                Span::styled(format!("{}  (v reveals)", secret.masked()), t.text)
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{:<16}", "Secret"), t.muted),
                shown,
            ]));
            match Validity::of(secret, app.now) {
                Some(v @ Validity::Valid(_)) => {
                    lines.push(field("Validity", v.describe(app.now), t))
                }
                Some(v) => lines.push(Line::from(vec![
                    Span::styled(format!("{:<16}", "Validity"), t.muted),
                    Span::styled(
                        v.describe(app.now),
                        bold(if matches!(v, Validity::Expired(_)) {
                            t.failure
                        } else {
                            t.warning
                        }),
                    ),
                ])),
                None => {}
            }
            handing_over(
                &mut lines,
                app,
                v,
                &[
                    "This secret cannot be shown again: copy or save it now.",
                    "Earlier secrets stay valid until they expire.",
                    "To revoke the partner's access, delete the zone.",
                ],
                &[
                    ("y", "copy the secret"),
                    ("p", "copy config.properties for the partner"),
                    ("k", "copy the kafka-topics command"),
                    ("s", "save config.properties to a file (0600)"),
                    ("E", "save it encrypted for the partner's age or SSH key"),
                    (
                        "o",
                        "print the secret plainly, to select it (O: config.properties)",
                    ),
                    ("t", "check the partner's access (connects to the Gateway)"),
                ],
            );
        }
        Phase::Issued(issued) => {
            let what = match &issued.brought {
                Brought::Certificate { .. } => {
                    format!("a client certificate for CN={}", v.account)
                }
                Brought::OAuthClient {
                    client_id,
                    token_endpoint,
                    ..
                } => format!("the OAuth client {client_id} of {token_endpoint}"),
            };
            lines.push(field(
                "Issued",
                crate::sanitize::line(&what).into_owned(),
                t,
            ));
            lines.push(field(
                "With kcat",
                crate::sanitize::line(&issued.kcat_command(&v.zone)).into_owned(),
                t,
            ));
            handing_over(
                &mut lines,
                app,
                v,
                &[
                    "Issued by the sandbox, to try the partner's side: a real partner brings its own.",
                    "Saving writes config.properties and the PEM files it names (0600).",
                ],
                &[
                    ("p", "copy config.properties (O prints it)"),
                    ("k", "copy the kcat command"),
                    ("s", "save config.properties and its PEM files"),
                    ("t", "check the partner's access (connects to the Gateway)"),
                ],
            );
        }
    }
    // The height the wrapped text takes inside the borders.
    let inner = usize::from(78u16.min(area.width).saturating_sub(2)).max(1);
    let height: usize = lines.iter().map(|l| l.width().div_ceil(inner).max(1)).sum();
    let popup = centered(area, 78, u16::try_from(height + 2).unwrap_or(u16::MAX));
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

/// What follows a secret or what the sandbox issued: the reminders and
/// keys (or, once a check runs, its steps), and the save prompts.
fn handing_over(
    lines: &mut Vec<Line<'static>>,
    app: &App,
    v: &CredentialsView,
    warnings: &[&str],
    keys: &[(&str, &str)],
) {
    let t = &app.theme;
    // Once a check runs, its lines take the place of the reminders (the
    // footer still lists the keys): it fits in 80x24.
    match &v.check {
        None => {
            lines.push(Line::from(""));
            for warning in warnings {
                lines.push(Line::from(Span::styled(format!("• {warning}"), t.warning)));
            }
            lines.push(Line::from(""));
            for (k, what) in keys {
                lines.push(Line::from(vec![
                    Span::styled(format!("  {k}  "), bold(t.accent)),
                    Span::styled(what.to_string(), t.text),
                ]));
            }
        }
        Some(check) => {
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(
                "Access check, as the partner would connect:",
                bold(t.text),
            )));
            for step in &check.steps {
                let style = match step.outcome {
                    Outcome::Pass => t.success,
                    Outcome::Fail => t.failure,
                    Outcome::Skip => t.muted,
                };
                lines.push(Line::from(Span::styled(
                    format!("  {}", step.line()),
                    style,
                )));
            }
            match &check.result {
                None => lines.push(Line::from(Span::styled(
                    "  … checking (each step gives up after 5 s)",
                    t.warning,
                ))),
                Some((ok, summary)) => lines.push(Line::from(Span::styled(
                    summary.clone(),
                    bold(if *ok { t.success } else { t.failure }),
                ))),
            }
        }
    }
    if let Some(crate::app::handover::Handover::Recipients(input)) = &v.handover {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            "Encrypt for (age1…, ssh-ed25519 …, or a recipients file; commas between):",
            t.text,
        )));
        lines.push(Line::from(Span::styled(
            crate::sanitize::line(&input.with_cursor()).into_owned(),
            bold(t.accent),
        )));
    }
    if let Some(path) = &v.save_path {
        lines.push(Line::from(""));
        lines.push(Line::from(vec![
            Span::styled(
                if v.handover.is_some() {
                    "Save encrypted (.asc: as text) to: "
                } else {
                    "Save to: "
                },
                t.text,
            ),
            Span::styled(
                crate::sanitize::line(&path.with_cursor()).into_owned(),
                bold(t.accent),
            ),
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
