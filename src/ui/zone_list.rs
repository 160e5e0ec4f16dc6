//! The home screen: a summary line and the zone table. Only the rows in
//! view are built, so the cost of a frame does not grow with the zones.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};

use super::widgets::{status_badge, truncate, updated_ago};
use crate::api::ZoneStatus;
use crate::api::diagnosis::{Diagnosis, Trouble};
use crate::app::{App, SortKey};

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let [summary, table] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);

    let list = &app.list;
    let pending = list.count_status(&ZoneStatus::Pending);
    let failed = list.count_status(&ZoneStatus::Failed);
    let mut spans = vec![
        Span::styled(
            format!(" {} zones", list.zones().len()),
            t.text.add_modifier(Modifier::BOLD),
        ),
        Span::styled(" · ", t.muted),
        Span::styled(format!("{} topics shared", list.total_topics()), t.text),
    ];
    if pending > 0 {
        spans.push(Span::styled(" · ", t.muted));
        spans.push(Span::styled(format!("{pending} PENDING"), t.warning));
    }
    if failed > 0 {
        spans.push(Span::styled(" · ", t.muted));
        spans.push(Span::styled(format!("{failed} FAILED"), t.failure));
    }
    if list.filtering || !list.filter.is_empty() {
        spans.push(Span::styled("   filter: ", t.muted));
        let shown = if list.filtering {
            list.input.with_cursor()
        } else {
            list.filter.clone()
        };
        spans.push(Span::styled(
            format!("/{}", crate::sanitize::line(&shown)),
            t.accent,
        ));
        spans.push(Span::styled(
            format!("  ({} of {})", list.visible_len(), list.zones().len()),
            t.muted,
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), summary);

    let arrow = if list.descending { "↓" } else { "↑" };
    let title = format!(" Zones · sorted by {} {arrow} ", list.sort.label());
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(Span::styled(title, t.muted));
    let inner = block.inner(table);
    frame.render_widget(block, table);

    // What is wrong, where the eye is: instead of the table while nothing
    // was loaded, or while what is shown cannot be trusted.
    if let Some(d) = app
        .trouble
        .as_ref()
        .filter(|d| !app.loaded || d.trouble != Trouble::Unreachable)
    {
        trouble(frame, inner, app, d);
        return;
    }

    if list.visible_len() == 0 {
        let text = if !app.loaded {
            "Loading…".to_string()
        } else if list.zones().is_empty() {
            empty_text(app)
        } else {
            format!("No zone matches “{}” (esc clears the filter)", list.filter)
        };
        frame.render_widget(
            Paragraph::new(Span::styled(format!(" {text}"), t.muted)).wrap(Wrap { trim: false }),
            inner,
        );
        return;
    }

    let wide = inner.width >= 110;
    // From 120 columns, when a zone has labels.
    let labelled = inner.width >= 118 && list.any_labelled();
    let mut widths = vec![
        Constraint::Length(10), // status
        Constraint::Fill(3),    // zone
    ];
    let mut header = vec!["STATUS", "ZONE (ID)"];
    if wide {
        widths.push(Constraint::Fill(2));
        header.push("URL");
    }
    if labelled {
        widths.push(Constraint::Fill(2));
        header.push("LABELS");
    }
    // With labels, the Gateway keeps the width of its longest name.
    let gateway = if labelled {
        Constraint::Length(list.gateway_width().clamp(7, 20) as u16)
    } else {
        Constraint::Fill(1)
    };
    widths.extend([Constraint::Length(6), gateway, Constraint::Length(9)]);
    header.extend(["TOPICS", "GATEWAY", "UPDATED"]);
    let sorted_col = match list.sort {
        SortKey::Status => Some(0),
        SortKey::Name => Some(1),
        SortKey::Topics => Some(header.len() - 3),
        SortKey::Gateway => Some(header.len() - 2),
        SortKey::Updated => Some(header.len() - 1),
    };
    let header_row = Row::new(header.iter().enumerate().map(|(i, h)| {
        let style = if Some(i) == sorted_col {
            t.accent
        } else {
            t.muted
        };
        Cell::from(Span::styled(
            h.to_string(),
            style.add_modifier(Modifier::BOLD),
        ))
    }));

    let on_screen = rows_on_screen(app, inner);
    let zone_width = (inner.width as usize).saturating_sub(if wide { 60 } else { 40 });
    let rows = list
        .visible_rows(on_screen.start, on_screen.end)
        .map(|(i, z)| {
            let display = z.display_name().unwrap_or(z.name());
            let name = if display == z.name() {
                display.to_string()
            } else {
                format!("{display} ({})", z.name())
            };
            let updated = updated_ago(z.updated_at(), app.now);
            let mut cells = vec![
                Cell::from(status_badge(z.status().as_ref(), app.frame, t)),
                Cell::from(truncate(&name, zone_width.max(10))),
            ];
            if wide {
                cells.push(Cell::from(Span::styled(
                    super::widgets::clean(z.url().unwrap_or_default()),
                    t.muted,
                )));
            }
            if labelled {
                let labels = crate::api::types::labels_text(z.labels(), ",");
                cells.push(Cell::from(Span::styled(
                    super::widgets::clean(&labels),
                    t.muted,
                )));
            }
            cells.extend([
                Cell::from(format!("{:>6}", z.topics())),
                Cell::from(super::widgets::clean(z.cluster())),
                Cell::from(Span::styled(updated, t.muted)),
            ]);
            let row = Row::new(cells).style(t.text);
            if i == list.selected {
                row.style(t.selection)
            } else {
                row
            }
        });
    let table = Table::new(rows, widths)
        .header(header_row)
        .column_spacing(1);
    frame.render_widget(table, inner);
}

/// The table's inside (below its summary line, within its border), where
/// the header row and the zones are drawn.
pub(crate) fn table_inner(body: Rect) -> Rect {
    let [_, table] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(body);
    Block::default().borders(Borders::ALL).inner(table)
}

/// The shown zones' indices on screen in the table inside `inner` (its
/// first row is the header).
fn rows_on_screen(app: &App, inner: Rect) -> std::ops::Range<usize> {
    let rows_in_view = inner.height.saturating_sub(1) as usize;
    let offset = first_shown(app, rows_in_view);
    offset..offset + rows_in_view
}

/// The UPDATED cells of the rows on screen, for the table inside `inner`.
pub(crate) fn updated_on_screen(app: &App, inner: Rect) -> impl Iterator<Item = String> + '_ {
    let rows = rows_on_screen(app, inner);
    app.list
        .visible_rows(rows.start, rows.end)
        .map(|(_, z)| updated_ago(z.updated_at(), app.now))
}

/// The index (among the shown zones) of the first row on screen.
pub(crate) fn first_shown(app: &App, rows_in_view: usize) -> usize {
    app.list
        .offset
        .min(app.list.visible_len().saturating_sub(rows_in_view.max(1)))
}

/// The list's body when the Console cannot be used: what is wrong, what to
/// do, and when pz asks again.
fn trouble(frame: &mut Frame, area: Rect, app: &App, d: &Diagnosis) {
    let t = &app.theme;
    let retry = match d.trouble {
        Trouble::Unreachable | Trouble::Other => {
            format!("Retrying in {}s by itself · r retries now.", app.retry_in())
        }
        _ => format!(
            "pz asks again in {}s · r reads the configuration again and retries now.",
            app.retry_in()
        ),
    };
    let lines = vec![
        Line::from(Span::styled(
            format!("✖ {}", d.label()),
            t.failure.add_modifier(Modifier::BOLD),
        )),
        Line::from(""),
        Line::from(Span::styled(truncate(&d.what, 400), t.text)),
        Line::from(""),
        Line::from(vec![
            Span::styled("What to do: ", t.accent.add_modifier(Modifier::BOLD)),
            Span::styled(d.fix.clone(), t.text),
        ]),
        Line::from(""),
        Line::from(Span::styled(retry, t.muted)),
    ];
    let area = Rect {
        x: area.x + 1,
        width: area.width.saturating_sub(2),
        ..area
    };
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

/// What the list says when the Console has no zone yet.
fn empty_text(app: &App) -> String {
    if app.gateways == Some(0) {
        format!(
            "No Partner Zones yet. {}.",
            crate::app::connection::NO_GATEWAY
        )
    } else if app.connection.read_only {
        "No Partner Zones yet. This console is read-only (--read-only or the context's readOnly): create zones without it, or with `pz apply -f zone.yaml`.".into()
    } else if app.forbidden.is_some() {
        "No Partner Zones yet. This API key can read but not create zones: use an admin API key."
            .into()
    } else {
        "No Partner Zones yet — press n to create one.".into()
    }
}
