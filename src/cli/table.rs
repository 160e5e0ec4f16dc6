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

/// One zone's cells: sanitised (no raw control character, whatever the
/// Console sent) and cut to `CELL_MAX`.
pub fn row(z: &PartnerZone, now: chrono::DateTime<Utc>) -> [String; 6] {
    let cell = |text: &str| sanitize::truncate(&line(text), CELL_MAX).into_owned();
    [
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
    ]
}

/// The column widths that fit the headings and `zones`.
pub fn widths(zones: &[PartnerZone], now: chrono::DateTime<Utc>) -> [usize; 6] {
    let mut widths = HEADINGS.map(|h| h.chars().count());
    for z in zones {
        for (w, cell) in widths.iter_mut().zip(row(z, now)) {
            *w = (*w).max(cell.chars().count());
        }
    }
    widths
}

/// One line of the table.
pub fn format_row(cells: &[String], widths: &[usize; 6]) -> String {
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
pub fn write_table(out: &mut impl Write, zones: &[PartnerZone]) -> std::io::Result<[usize; 6]> {
    let now = Utc::now();
    let widths = widths(zones, now);
    writeln!(out, "{}", format_row(&HEADINGS.map(String::from), &widths))?;
    for z in zones {
        writeln!(out, "{}", format_row(&row(z, now), &widths))?;
    }
    Ok(widths)
}
