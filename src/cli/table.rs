//! The zone table of `pz get` and `pz get --watch`: sanitised cells cut to
//! a bounded width, aligned in columns.

use std::io::Write;

use chrono::Utc;

use crate::api::PartnerZone;
use crate::format::{parse_time, relative};
use crate::sanitize::{self, line};

/// The widest a table cell gets, in characters (a hostile Console may send
/// a name of a megabyte).
const CELL_MAX: usize = 60;

const HEADINGS: [&str; 6] = [
    "NAME",
    "DISPLAY NAME",
    "STATUS",
    "GATEWAY",
    "TOPICS",
    "UPDATED",
];

/// The columns `-o wide` adds, as kubectl's wide form does.
const WIDE: [&str; 5] = ["URL", "SERVICE ACCOUNT", "AUTH", "PARTNER", "LABELS"];

/// How the table is drawn: `-o wide`, `--no-headers`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Form {
    pub wide: bool,
    pub no_headers: bool,
}

impl Form {
    fn headings(self) -> Vec<String> {
        let wide: &[&str] = if self.wide { &WIDE } else { &[] };
        HEADINGS.iter().chain(wide).map(|h| h.to_string()).collect()
    }
}

/// One zone's cells: sanitised (no raw control character, whatever the
/// Console sent) and cut to `CELL_MAX`.
pub fn row(z: &PartnerZone, now: chrono::DateTime<Utc>, form: Form) -> Vec<String> {
    let cell = |text: &str| sanitize::truncate(&line(text), CELL_MAX).into_owned();
    let mut cells = vec![
        cell(&z.metadata.name),
        cell(z.spec.display_name.as_deref().unwrap_or_default()),
        cell(
            &z.metadata
                .status
                .as_ref()
                .map(|s| s.to_string())
                .unwrap_or_default(),
        ),
        cell(&z.spec.cluster),
        z.spec.topics.len().to_string(),
        relative(z.metadata.updated_at.as_deref().and_then(parse_time), now),
    ];
    if form.wide {
        cells.extend([
            cell(z.spec.url.as_deref().unwrap_or_default()),
            cell(z.spec.service_account_name().unwrap_or_default()),
            cell(z.spec.auth_type()),
            cell(
                z.spec
                    .partner
                    .as_ref()
                    .map(|p| p.name.as_str())
                    .unwrap_or_default(),
            ),
            cell(&crate::api::types::labels_text(&z.metadata.labels, ",")),
        ]);
    }
    cells
}

/// The column widths that fit the headings and `zones`.
pub fn widths(zones: &[PartnerZone], now: chrono::DateTime<Utc>, form: Form) -> Vec<usize> {
    let mut widths: Vec<usize> = form.headings().iter().map(|h| h.chars().count()).collect();
    for z in zones {
        for (w, cell) in widths.iter_mut().zip(row(z, now, form)) {
            *w = (*w).max(cell.chars().count());
        }
    }
    widths
}

/// One line of the table.
pub fn format_row(cells: &[String], widths: &[usize]) -> String {
    let text = cells
        .iter()
        .zip(widths)
        .map(|(cell, w)| format!("{cell:<w$}"))
        .collect::<Vec<_>>()
        .join("  ");
    text.trim_end().to_string()
}

/// The zones as an aligned plain-text table, written line by line: the
/// rows are made twice (widths, then output) rather than all kept, so
/// 100,000 zones cost no more memory than the zones themselves. Returns
/// the widths used.
pub fn write_table(
    out: &mut impl Write,
    zones: &[PartnerZone],
    form: Form,
) -> std::io::Result<Vec<usize>> {
    let now = Utc::now();
    let widths = widths(zones, now, form);
    if !form.no_headers {
        writeln!(out, "{}", format_row(&form.headings(), &widths))?;
    }
    for z in zones {
        writeln!(out, "{}", format_row(&row(z, now, form), &widths))?;
    }
    Ok(widths)
}

/// `--sort-by`: what the list is ordered by (ascending, as kubectl; the
/// name breaks ties).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SortBy {
    Name,
    Status,
    Topics,
    Updated,
    Gateway,
}

pub fn sort(zones: &mut [PartnerZone], by: SortBy) {
    let status = |z: &PartnerZone| z.metadata.status.as_ref().map(|s| s.to_string());
    let updated = |z: &PartnerZone| z.metadata.updated_at.as_deref().and_then(parse_time);
    zones.sort_by(|a, b| {
        let first = match by {
            SortBy::Name => std::cmp::Ordering::Equal,
            SortBy::Status => status(a).cmp(&status(b)),
            SortBy::Topics => a.spec.topics.len().cmp(&b.spec.topics.len()),
            SortBy::Updated => updated(a).cmp(&updated(b)),
            SortBy::Gateway => a.spec.cluster.cmp(&b.spec.cluster),
        };
        first.then_with(|| a.metadata.name.cmp(&b.metadata.name))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(name: &str, topics: usize, cluster: &str) -> PartnerZone {
        let mut z: PartnerZone = serde_yaml_ng::from_str(&format!(
            "metadata: {{name: {name}, labels: {{tier: gold}}}}\nspec: {{cluster: {cluster}, serviceAccount: {name}-sa, topics: []}}\n"
        ))
        .unwrap();
        for i in 0..topics {
            z.spec.topics.push(crate::api::ZoneTopic {
                name: compact_str::format_compact!("t{i}"),
                backing_topic: "b".into(),
                permission: crate::api::Permission::Read,
                extra: Default::default(),
            });
        }
        z
    }

    #[test]
    fn sort_by_a_column_then_the_name() {
        let mut zones = vec![
            zone("c", 1, "gw-b"),
            zone("a", 3, "gw-b"),
            zone("b", 1, "gw-a"),
        ];
        sort(&mut zones, SortBy::Topics);
        let names: Vec<&str> = zones.iter().map(|z| z.metadata.name.as_str()).collect();
        assert_eq!(names, ["b", "c", "a"]);
        sort(&mut zones, SortBy::Gateway);
        let names: Vec<&str> = zones.iter().map(|z| z.metadata.name.as_str()).collect();
        assert_eq!(names, ["b", "a", "c"]);
    }

    #[test]
    fn wide_adds_columns_and_no_headers_drops_the_heading() {
        let zones = [zone("a", 1, "gw")];
        let mut out = Vec::new();
        let form = Form {
            wide: true,
            no_headers: false,
        };
        write_table(&mut out, &zones, form).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut lines = text.lines();
        let heading = lines.next().unwrap();
        assert!(
            heading.contains("SERVICE ACCOUNT") && heading.contains("LABELS"),
            "{text}"
        );
        let row = lines.next().unwrap();
        assert!(
            row.contains("a-sa") && row.contains("PLAIN") && row.contains("tier=gold"),
            "{row}"
        );
        let mut out = Vec::new();
        write_table(
            &mut out,
            &zones,
            Form {
                wide: false,
                no_headers: true,
            },
        )
        .unwrap();
        assert!(String::from_utf8(out).unwrap().starts_with("a "));
    }
}
