//! `pz get --all-contexts`: every context of the config file listed at
//! once, in parallel, with a CONTEXT column. Each context is read as its
//! own entry says (the `CDK_*` variables, which would point every context
//! at one Console, are ignored here); a context that fails prints one line
//! on stderr naming it and the others still list; exit 1 if any failed.

use std::io::Write;

use super::table::{Form, SortBy};
use crate::api::PartnerZone;
use crate::config::{ConfigFile, Paths};
use crate::sanitize::line;

/// What `pz get --all-contexts` was asked.
pub struct Asked<'a> {
    pub selector: &'a crate::api::selector::Selector,
    pub sort_by: Option<SortBy>,
    pub form: Form,
    pub json: bool,
}

pub async fn run(paths: &Paths, asked: Asked<'_>) -> anyhow::Result<i32> {
    let file = ConfigFile::load(&paths.config_file)?;
    if file.contexts.is_empty() {
        anyhow::bail!(
            "no contexts in {}: --all-contexts lists every context of the config file",
            paths.config_file.display()
        );
    }
    let names: Vec<&String> = file.contexts.keys().collect();
    let answers = futures::future::join_all(
        names
            .iter()
            .map(|n| crate::backend::zones_of_context(&file, n, None)),
    )
    .await;
    let mut failed = 0;
    let mut rows: Vec<(String, PartnerZone)> = Vec::new();
    for (name, answer) in names.iter().zip(answers) {
        match answer {
            Ok(mut zones) => {
                zones.retain(|z| asked.selector.matches(&z.metadata.labels));
                if let Some(by) = asked.sort_by {
                    super::table::sort(&mut zones, by);
                }
                rows.extend(zones.into_iter().map(|z| (name.to_string(), z)));
            }
            Err(e) => {
                failed += 1;
                eprintln!("pz: context {}: {}", line(name), line(&e));
            }
        }
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if asked.json {
        let all: Vec<serde_json::Value> = rows
            .iter()
            .map(|(c, z)| serde_json::json!({"context": c, "zone": z}))
            .collect();
        let text = serde_json::to_string_pretty(&all)?;
        writeln!(out, "{}", crate::sanitize::json(&text))?;
    } else {
        let zones: Vec<PartnerZone> = rows.iter().map(|(_, z)| z.clone()).collect();
        let mut table = Vec::new();
        super::table::write_table(&mut table, &zones, asked.form)?;
        let width = rows
            .iter()
            .map(|(c, _)| line(c).chars().count())
            .chain(["CONTEXT".len()])
            .max()
            .unwrap_or(7);
        let mut contexts = rows.iter().map(|(c, _)| line(c).into_owned());
        for (i, l) in String::from_utf8_lossy(&table).lines().enumerate() {
            let context = if i == 0 && !asked.form.no_headers {
                "CONTEXT".to_string()
            } else {
                contexts.next().unwrap_or_default()
            };
            writeln!(out, "{context:<width$}  {l}")?;
        }
    }
    out.flush()?;
    Ok(if failed > 0 { 1 } else { 0 })
}
