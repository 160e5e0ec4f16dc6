//! The create/edit wizard: a step indicator, then the current step.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::widgets::{bold, truncate};
use crate::app::App;
use crate::app::wizard::{Field, LIMITS, Place, Step, Verdict, Wizard};
use crate::theme::Theme;

pub fn render(frame: &mut Frame, area: Rect, app: &App, w: &Wizard) {
    let t = &app.theme;
    let title = if w.from_file.is_some() {
        " Apply from file ".to_string()
    } else if w.editing() {
        format!(" Edit {} ", w.value(Field::Id))
    } else {
        " New Partner Zone ".to_string()
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(Span::styled(title, bold(t.accent)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [steps, body, bottom] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(step_line(w, t)), steps);
    match w.step {
        Step::Details => details(frame, body, w, t),
        Step::Topics => topics(frame, body, w, t),
        Step::Traffic => traffic(frame, body, w, t),
        Step::Review => review(frame, body, w, t),
    }
    let line = if w.confirm_leave {
        Line::from(Span::styled(
            "Leave the wizard? What you typed is discarded. y leaves, any other key stays.",
            bold(t.warning),
        ))
    } else if let Some(n) = &w.notice {
        Line::from(Span::styled(n.clone(), t.warning))
    } else {
        Line::from("")
    };
    frame.render_widget(Paragraph::new(line), bottom);
}

fn step_line(w: &Wizard, t: &Theme) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, s) in Step::ALL.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" → ", t.muted));
        }
        let style = if *s == w.step {
            t.selection.add_modifier(Modifier::BOLD)
        } else {
            t.muted
        };
        spans.push(Span::styled(format!(" {} {} ", i + 1, s.title()), style));
    }
    Line::from(spans)
}

fn error_of(w: &Wizard, p: Place) -> Option<&str> {
    w.errors.get(&p).map(String::as_str)
}

fn details(frame: &mut Frame, area: Rect, w: &Wizard, t: &Theme) {
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
        if focused && f != Field::Gateway && !fixed {
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
                | Field::PartnerName
                | Field::PartnerRole
                | Field::PartnerEmail
                | Field::PartnerPhone
        ) && w.value(f).is_empty()
            && !focused
        {
            spans.push(Span::styled(
                "optional",
                t.muted.add_modifier(Modifier::ITALIC),
            ));
        }
        if let Some(e) = error_of(w, Place::Field(f)) {
            spans.push(Span::styled(format!("  ✖ {e}"), t.failure));
        }
        lines.push(Line::from(spans));
        if focused && f == Field::Gateway {
            for c in &w.clusters {
                let name = &c.metadata.name;
                let (mark, style, why) = if !c.is_gateway() {
                    (
                        "  ",
                        t.muted.add_modifier(Modifier::DIM),
                        "  not a Gateway cluster: cannot host zones",
                    )
                } else if *name == w.cluster {
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

fn gateway_value(w: &Wizard) -> String {
    if w.clusters.is_empty() {
        return if w.cluster.is_empty() {
            "loading…".into()
        } else {
            w.cluster.clone()
        };
    }
    w.clusters
        .iter()
        .find(|c| c.metadata.name == w.cluster)
        .map(|c| format!("{} ({})", c.metadata.name, c.display_name()))
        .unwrap_or_else(|| "none".into())
}

fn topics(frame: &mut Frame, area: Rect, w: &Wizard, t: &Theme) {
    let [head, list, chosen] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(3),
        Constraint::Length((w.chosen.len() as u16 + 1).clamp(2, 7)),
    ])
    .areas(area);
    let search_style = if w.searching { bold(t.accent) } else { t.muted };
    let mut head_lines = vec![Line::from(vec![
        Span::styled(format!("Topics of {}  ", w.cluster), bold(t.text)),
        Span::styled(format!("/{}", w.search), search_style),
        Span::styled(if w.searching { "▏" } else { "" }, t.accent),
        Span::styled("   search by name or label (key=value)", t.muted),
    ])];
    head_lines.push(match error_of(w, Place::Topics) {
        Some(e) => Line::from(Span::styled(format!("✖ {e}"), t.failure)),
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
            let text = format!("{mark} {perm} {name}{alias}");
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
                format!("{}{} ", if selected { "▸ " } else { "  " }, c.alias),
                if selected { t.selection } else { bold(t.text) },
            ),
            Span::styled(format!("→ {} ", c.backing), t.muted),
            Span::styled(
                if c.write { "WRITE" } else { "READ" },
                if c.write { t.warning } else { t.text },
            ),
        ]));
    }
    if let Some(buf) = &w.renaming {
        summary = vec![Line::from(vec![
            Span::styled("New alias: ", bold(t.accent)),
            Span::styled(format!("{buf}▏"), bold(t.text)),
        ])];
    }
    frame.render_widget(Paragraph::new(summary), chosen);
}

fn traffic(frame: &mut Frame, area: Rect, w: &Wizard, t: &Theme) {
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
            spans.push(Span::styled(format!("  ✖ {e}"), t.failure));
        }
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

fn review(frame: &mut Frame, area: Rect, w: &Wizard, t: &Theme) {
    let verdict = match &w.verdict {
        Verdict::Unchecked => Line::from(Span::styled("Not checked yet: enter checks", t.muted)),
        Verdict::Checking => Line::from(Span::styled(
            "Checking with the server (dry run)…",
            t.warning,
        )),
        Verdict::Valid(r) => Line::from(vec![
            Span::styled("✔ The server accepts it ", t.success),
            Span::styled(format!("(dry run: {r})"), t.muted),
            Span::styled(
                if w.submitting {
                    "   sending…"
                } else if w.editing() {
                    "   enter updates"
                } else {
                    "   enter creates"
                },
                bold(t.accent),
            ),
        ]),
        Verdict::Invalid(e) => Line::from(Span::styled(format!("✖ {e}"), t.failure)),
    };
    let mut lines = vec![verdict, Line::from("")];
    if w.original.is_some() {
        lines.push(Line::from(Span::styled(
            "Changes (- before, + after):",
            t.muted,
        )));
    }
    for (sign, text) in w.review_lines() {
        let style = match sign {
            '+' => t.success,
            '-' => t.failure,
            _ => t.text,
        };
        lines.push(Line::from(Span::styled(format!("{sign} {text}"), style)));
    }
    let max = (lines.len() as u16).saturating_sub(area.height);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((w.review_scroll.min(max), 0)),
        area,
    );
}
