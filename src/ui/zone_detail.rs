//! One zone, every field of it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::widgets::{bold, clean, field, section, status_badge, updated_ago};
use crate::api::{PartnerZone, Permission, ZoneStatus};
use crate::app::App;
use crate::format::bytes_per_second;
use crate::theme::Theme;

pub fn render(frame: &mut Frame, area: Rect, app: &App, scroll: u16) {
    let t = &app.theme;
    let Some(zone) = app.current_zone() else {
        frame.render_widget(Paragraph::new(Span::styled(" Loading…", t.muted)), area);
        return;
    };
    let title = format!(
        " {} ",
        clean(
            zone.spec
                .display_name
                .as_deref()
                .unwrap_or(&zone.metadata.name)
        )
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(Span::styled(title, bold(t.accent)));
    let lines = lines(zone, app);
    let inner_height = area.height.saturating_sub(2);
    let max_scroll = (lines.len() as u16).saturating_sub(inner_height);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll.min(max_scroll), 0)),
        area,
    );
}

fn opt(v: Option<&str>) -> String {
    v.filter(|s| !s.is_empty()).unwrap_or("—").to_string()
}

fn number(v: &serde_json::Value) -> Option<u64> {
    v.as_u64()
}

pub fn lines(zone: &PartnerZone, app: &App) -> Vec<Line<'static>> {
    let t = &app.theme;
    let s = &zone.spec;
    let m = &zone.metadata;
    let mut out = vec![Line::from(vec![
        Span::styled(format!("{:<16}", "Status"), t.muted),
        status_badge(m.status.as_ref(), app.frame, t),
        Span::styled(
            format!(
                "   updated {} ({})",
                updated_ago(zone.metadata.updated_at.as_deref(), app.now),
                opt(m.updated_at.as_deref())
            ),
            t.muted,
        ),
    ])];
    match m.status {
        Some(ZoneStatus::Failed) => out.push(Line::from(Span::styled(
            match m.failed_reason.as_deref().filter(|r| !r.trim().is_empty()) {
                Some(reason) => format!(
                    "Deployment failed: {}. Fix it, then re-apply the zone.",
                    clean(reason.trim_end_matches('.'))
                ),
                None => format!(
                    "Deployment failed: check that the Gateway of '{}' is active and its Provider credentials in Console are right, then re-apply the zone.",
                    clean(&s.cluster)
                ),
            },
            t.failure,
        ))),
        Some(ZoneStatus::Pending) => out.push(Line::from(Span::styled(
            format!("{:<16}Being deployed on the Gateway; this takes a few moments.", ""),
            t.warning,
        ))),
        _ => {}
    }
    out.extend([
        field("Technical ID", m.name.clone(), t),
        field("UUID", opt(m.id.as_deref()), t),
        field("Gateway", s.cluster.clone(), t),
        field("URL", opt(s.url.as_deref()), t),
        field("Service account", opt(s.service_account_name()), t),
        field("Authentication", s.auth_type().to_string(), t),
    ]);
    match s.description.as_deref().filter(|d| !d.is_empty()) {
        Some(d) => {
            for (i, line) in d.lines().enumerate() {
                out.push(field(
                    if i == 0 { "Description" } else { "" },
                    line.to_string(),
                    t,
                ));
            }
        }
        None => out.push(field("Description", "—", t)),
    }

    out.push(Line::from(""));
    out.push(section("Partner", t));
    match &s.partner {
        Some(p) => {
            out.push(field("Name", p.name.clone(), t));
            out.push(field("Role", opt(p.role.as_deref()), t));
            out.push(field("Email", opt(p.email.as_deref()), t));
            out.push(field("Phone", opt(p.phone.as_deref()), t));
        }
        None => out.push(Line::from(Span::styled("no contact given", t.muted))),
    }

    out.push(Line::from(""));
    out.push(section(&format!("Topics ({})", s.topics.len()), t));
    let alias_w = s
        .topics
        .iter()
        .map(|x| clean(&x.name).chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    let backing_w = s
        .topics
        .iter()
        .map(|x| clean(&x.backing_topic).chars().count())
        .max()
        .unwrap_or(5)
        .max(13);
    out.push(Line::from(Span::styled(
        format!(
            "{:<alias_w$}    {:<backing_w$}  PERMISSION",
            "ALIAS", "BACKING TOPIC"
        ),
        t.muted,
    )));
    for topic in &s.topics {
        let perm_style = if topic.permission == Permission::Write {
            t.warning
        } else {
            t.text
        };
        let perm = match &topic.permission {
            Permission::Write => "WRITE (read + write)".to_string(),
            other => clean(&other.to_string()),
        };
        out.push(Line::from(vec![
            Span::styled(format!("{:<alias_w$}", clean(&topic.name)), bold(t.text)),
            Span::styled(" →  ", t.muted),
            Span::styled(
                format!("{:<backing_w$}  ", clean(&topic.backing_topic)),
                t.text,
            ),
            Span::styled(perm, perm_style),
        ]));
    }

    out.push(Line::from(""));
    out.push(section("Traffic control (per Gateway node)", t));
    let tcp = s.traffic_control_policies.clone().unwrap_or_default();
    let rate = |v: &Option<serde_json::Value>| match v {
        Some(v) => number(v)
            .map(bytes_per_second)
            .unwrap_or_else(|| v.to_string()),
        None => "no limit".into(),
    };
    out.push(field("Max produce", rate(&tcp.max_produce_rate), t));
    out.push(field("Max consume", rate(&tcp.max_consume_rate), t));
    out.push(field(
        "Commit offsets",
        match &tcp.limit_commit_offset {
            Some(v) => format!("{v} per minute"),
            None => "no limit".into(),
        },
        t,
    ));

    out.push(Line::from(""));
    out.push(section("Headers", t));
    headers(s.headers.as_deref(), t, &mut out);

    out.push(Line::from(""));
    out.push(section("Labels", t));
    if m.labels.is_empty() {
        out.push(Line::from(Span::styled("none", t.muted)));
    } else {
        for (k, v) in &m.labels {
            out.push(field(k, v.to_string(), t));
        }
    }
    out
}

fn headers(h: Option<&crate::api::Headers>, t: &Theme, out: &mut Vec<Line<'static>>) {
    let Some(h) = h.filter(|h| !h.add_on_produce.is_empty() || !h.remove_on_consume.is_empty())
    else {
        out.push(Line::from(Span::styled("none", t.muted)));
        return;
    };
    for a in &h.add_on_produce {
        let mode = if a.override_if_exists == Some(true) {
            "override"
        } else {
            "keep existing"
        };
        out.push(field(
            "Add on produce",
            format!("{} = {} ({mode})", a.key, a.value),
            t,
        ));
    }
    for r in &h.remove_on_consume {
        out.push(field("Remove on consume", format!("/{}/", r.key_regex), t));
    }
}
