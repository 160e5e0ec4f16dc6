//! `pz diff -f FILE`: what the Console holds against what a file says, as
//! unified diffs, so a pipeline can detect drift (exit 1 when they differ).

use std::io::Write;

use crate::api::yaml::zone_to_yaml;
use crate::api::{ApiError, Client, PartnerZone};
use crate::sanitize::{self, line};

/// A zone without the fields only the server sets (`id`, `status`,
/// `updatedAt`): what a file can be compared with.
fn comparable(mut z: PartnerZone) -> PartnerZone {
    z.metadata.clear_output();
    // `console/v2` (the resource reference's spelling) is `v2`.
    if crate::api::types::same_api_version(&z.api_version) {
        z.api_version = crate::api::types::API_VERSION.into();
    }
    z
}

/// The unified diff of one zone (empty when equal). `None` for the Console
/// side means the zone does not exist there yet.
pub fn zone_diff(current: Option<&PartnerZone>, wanted: &PartnerZone, origin: &str) -> String {
    let name = &wanted.metadata.name;
    let old = current
        .map(|z| zone_to_yaml(&comparable(z.clone())))
        .unwrap_or_default();
    let new = zone_to_yaml(&comparable(wanted.clone()));
    if old == new {
        return String::new();
    }
    let console = match current {
        Some(_) => format!("console/{name}"),
        None => format!("console/{name} (absent)"),
    };
    similar::TextDiff::from_lines(&old, &new)
        .unified_diff()
        .context_radius(3)
        .header(&console, &format!("{origin}/{name}"))
        .to_string()
}

/// Prints the diff of every zone of the file; 0 when none differs, 1 when
/// one does.
pub async fn diff(client: &Client, zones: &[PartnerZone], origin: &str) -> anyhow::Result<i32> {
    let mut differs = 0;
    let mut out = std::io::stdout().lock();
    // Compared as `pz apply` would send it: in this Console's shape.
    let generation = client.generation().await;
    for wanted in zones {
        let wanted =
            &crate::api::generation::write_shape(wanted, generation).map_err(ApiError::Config)?;
        let current = match client.get_zone(&wanted.metadata.name).await {
            Ok(z) => Some(z),
            Err(ApiError::NotFound(_)) => None,
            Err(e) => return Err(e.into()),
        };
        let text = zone_diff(current.as_ref(), wanted, &line(origin));
        if !text.is_empty() {
            differs += 1;
            // YAML escapes every control character itself; the sanitiser
            // only guards what it would not.
            write!(out, "{}", sanitize::lines(&text))?;
        }
    }
    out.flush()?;
    if differs > 0 {
        eprintln!("{differs} of {} zone(s) differ", zones.len());
    }
    Ok(if differs > 0 { 1 } else { 0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(description: &str) -> PartnerZone {
        serde_yaml_ng::from_str(&format!(
            "apiVersion: v2\nkind: PartnerZone\nmetadata: {{name: z}}\nspec:\n  cluster: c\n  description: {description}\n  serviceAccount: s\n  topics: []\n"
        ))
        .unwrap()
    }

    #[test]
    fn server_fields_are_ignored_and_changes_shown() {
        let mut served = zone("one");
        served.metadata.id = Some("123".into());
        served.metadata.updated_at = Some("2026-01-01T00:00:00Z".into());
        assert_eq!(zone_diff(Some(&served), &zone("one"), "f.yaml"), "");
        let d = zone_diff(Some(&served), &zone("two"), "f.yaml");
        assert!(d.contains("-  description: one"), "{d}");
        assert!(d.contains("+  description: two"), "{d}");
        assert!(
            d.contains("--- console/z") && d.contains("+++ f.yaml/z"),
            "{d}"
        );
        assert!(zone_diff(None, &zone("x"), "f").contains("(absent)"));
        let mut vendor = zone("one");
        vendor.api_version = "console/v2".into();
        assert_eq!(zone_diff(Some(&served), &vendor, "f.yaml"), "");
    }
}
