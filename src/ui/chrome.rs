//! Header, status bar, footer, toasts and the "terminal too small" screen.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::widgets::{hint_line, truncate};
use crate::api::diagnosis::Trouble;
use crate::app::{App, MIN_HEIGHT, MIN_WIDTH, ToastKind, keys};
use crate::format::relative;
use crate::theme::Theme;

pub fn header(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let mut left = vec![Span::styled(
        " pz ",
        t.selection.add_modifier(Modifier::BOLD),
    )];
    left.push(Span::styled(
        " Partner Zones ",
        t.accent.add_modifier(Modifier::BOLD),
    ));
    if app.connection.sandbox {
        left.push(Span::styled(
            " SANDBOX ",
            t.warning.add_modifier(Modifier::REVERSED | Modifier::BOLD),
        ));
        left.push(Span::raw(" "));
    }
    if app.forbidden.is_some() && !app.connection.read_only {
        left.push(Span::styled(
            " READ-ONLY KEY ",
            t.warning.add_modifier(Modifier::REVERSED),
        ));
        left.push(Span::raw(" "));
    }
    if app.connection.read_only {
        left.push(Span::styled(
            " READ-ONLY ",
            t.muted.add_modifier(Modifier::REVERSED),
        ));
        left.push(Span::raw(" "));
    }
    for risk in &app.connection.risks {
        left.push(Span::styled(
            format!(" ⚠ {} ", risk.marker()),
            t.failure.add_modifier(Modifier::REVERSED | Modifier::BOLD),
        ));
        left.push(Span::raw(" "));
    }
    left.push(Span::styled(app.connection.label.clone(), t.muted));

    // The connection indicator, right-aligned.
    let indicator = indicator(app);
    // The label gives way to the indicator, never the other way round;
    // the Console's generation shows where there is room for it.
    let right = (indicator.width() as u16 + 1).min(area.width);
    if let Some(g) = app.connection.generation {
        let span = Span::styled(format!(" · Console 1.{}", g.minor), t.muted);
        let used: usize = left.iter().map(Span::width).sum();
        if used + span.width() + right as usize <= area.width as usize {
            left.push(span);
        }
    }
    let [left_area, right_area] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(right)]).areas(area);
    frame.render_widget(Paragraph::new(Line::from(left)), left_area);
    frame.render_widget(
        Paragraph::new(Line::from(indicator)).alignment(Alignment::Right),
        right_area,
    );
}

/// The header's right end: updated when, offline, or what is wrong and
/// when pz retries (changes with the clock: see `clock`).
pub(crate) fn indicator(app: &App) -> Span<'static> {
    let t = &app.theme;
    let p = &app.poll;
    if let Some(d) = &app.trouble {
        let retry = app.retry_in();
        match d.trouble {
            Trouble::Unreachable => {
                Span::styled(format!("○ offline · retry in {retry}s "), t.failure)
            }
            _ => Span::styled(
                format!("✖ {} · retry in {retry}s ", d.label()),
                t.failure.add_modifier(Modifier::BOLD),
            ),
        }
    } else if let Some(ok) = p.last_ok {
        Span::styled(
            format!("● updated {} ", relative(Some(ok), app.now)),
            t.success,
        )
    } else {
        Span::styled("◌ connecting… ", t.muted)
    }
}

pub fn status_bar(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    if let Some(cmd) = &app.command {
        let line = Line::from(vec![
            Span::styled(
                format!(":{}", crate::sanitize::line(&cmd.with_cursor())),
                t.accent.add_modifier(Modifier::BOLD),
            ),
            Span::styled("  e.g. :apply zone.yaml", t.muted),
        ]);
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    let line = match app.status_text() {
        Some(e) => Line::from(vec![
            Span::styled(" ✖ ", t.failure.add_modifier(Modifier::BOLD)),
            Span::styled(
                truncate(e, area.width.saturating_sub(4) as usize),
                t.failure,
            ),
        ]),
        None if !app.loaded => Line::from(Span::styled(" Loading zones…", t.muted)),
        None if app.connection.sandbox => Line::from(Span::styled(
            " Local sandbox: no Console configured (set CDK_BASE_URL or --context; `pz info`)",
            t.muted,
        )),
        None => Line::from(""),
    };
    frame.render_widget(Paragraph::new(line), area);
}

pub fn footer(frame: &mut Frame, area: Rect, app: &App) {
    let hints = footer_hints(app, area.width);
    frame.render_widget(Paragraph::new(hint_line(&hints, &app.theme)), area);
}

/// The hints that fit in `width`, each with the columns it takes (from
/// its first, to before its last): drawing and the mouse agree.
pub fn footer_hints(app: &App, width: u16) -> Vec<keys::KeyHint> {
    let mut hints = keys::hints(app);
    // On a narrow terminal the lowest priorities go first (the table says
    // which); `?` lists them all.
    while hint_line(&hints, &app.theme).width() > width as usize {
        let Some(lowest) = hints
            .iter()
            .enumerate()
            .filter(|(_, h)| h.priority < 99)
            .min_by_key(|(i, h)| (h.priority, std::cmp::Reverse(*i)))
            .map(|(i, _)| i)
        else {
            break;
        };
        hints.remove(lowest);
    }
    hints
}

/// Where each hint of [`footer_hints`] is: `(first column, end)`, as
/// `hint_line` lays them out (two spaces between).
pub fn hint_columns(hints: &[keys::KeyHint]) -> Vec<(u16, u16)> {
    use unicode_width::UnicodeWidthStr;
    let mut x = 0u16;
    hints
        .iter()
        .map(|h| {
            let w = (h.keys.width() + 1 + h.what.width()) as u16;
            let span = (x, x.saturating_add(w));
            x = x.saturating_add(w + 2);
            span
        })
        .collect()
}

/// How many rows the toasts take: one per toast, at most three (one on a
/// short terminal).
pub fn toast_rows(app: &App, height: u16) -> u16 {
    let cap = if height >= 20 { 3 } else { 1 };
    u16::try_from(app.toasts.len()).unwrap_or(u16::MAX).min(cap)
}

/// The newest toasts, one per row, oldest on top.
pub fn toasts(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let rows = usize::from(area.height);
    if rows == 0 {
        return;
    }
    let shown = &app.toasts[app.toasts.len().saturating_sub(rows)..];
    for (i, toast) in shown.iter().enumerate() {
        let (mark, style) = toast_look(toast.kind, t);
        let row = Rect {
            y: area.y + u16::try_from(i).unwrap_or(0),
            height: 1,
            ..area
        };
        let text = truncate(&toast.text, usize::from(area.width).saturating_sub(4));
        frame.render_widget(Clear, row);
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(format!(" {mark} "), style),
                Span::styled(text, t.text),
            ])),
            row,
        );
    }
}

/// A toast's mark and colour.
fn toast_look(kind: ToastKind, t: &Theme) -> (&'static str, ratatui::style::Style) {
    match kind {
        ToastKind::Success => ("✓", t.success),
        ToastKind::Failure => ("✖", t.failure),
        ToastKind::Info => ("•", t.accent),
    }
}

pub fn too_small(frame: &mut Frame, area: Rect, theme: &Theme) {
    let text = format!(
        "terminal too small: {}x{}, pz needs at least {MIN_WIDTH}x{MIN_HEIGHT}",
        area.width, area.height
    );
    frame.render_widget(
        Paragraph::new(text)
            .style(theme.warning)
            .wrap(Wrap { trim: true }),
        area,
    );
}
