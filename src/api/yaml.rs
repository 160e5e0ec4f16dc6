//! The vendor CLI's resource YAML (the format of `conduktor apply`): read
//! files of one or several `---` documents with line and column, write zones.

use serde::Deserialize;

use crate::api::types::{PartnerZone, ZONE_KIND};

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum YamlError {
    #[error("{origin}:{line}:{column}: {message}")]
    At {
        origin: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{origin}: {message}")]
    General { origin: String, message: String },
}

/// Parses every document of `text` as a PartnerZone. `origin` names the
/// source in messages (a file path).
pub fn parse_zones(text: &str, origin: &str) -> Result<Vec<PartnerZone>, YamlError> {
    let mut zones = Vec::new();
    for (index, doc) in serde_yaml_ng::Deserializer::from_str(text).enumerate() {
        let value = match serde_yaml_ng::Value::deserialize(doc) {
            Ok(v) => v,
            Err(e) => return Err(located(origin, &e)),
        };
        if value.is_null() {
            continue; // an empty document, e.g. a trailing `---`
        }
        let kind = value.get("kind").and_then(|k| k.as_str()).unwrap_or("");
        if kind != ZONE_KIND {
            return Err(YamlError::General {
                origin: origin.to_string(),
                message: format!(
                    "document {}: kind is {:?}; pz applies only kind: {ZONE_KIND}",
                    index + 1,
                    kind
                ),
            });
        }
        let zone: PartnerZone =
            serde_yaml_ng::from_value(value).map_err(|e| YamlError::General {
                origin: origin.to_string(),
                message: format!("document {}: {e}", index + 1),
            })?;
        zones.push(zone);
    }
    if zones.is_empty() {
        return Err(YamlError::General {
            origin: origin.to_string(),
            message: "no PartnerZone document found".into(),
        });
    }
    Ok(zones)
}

fn located(origin: &str, e: &serde_yaml_ng::Error) -> YamlError {
    let message = e.to_string();
    // Drop serde_yaml's own " at line X column Y" suffix: we print it first.
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_string();
    match e.location() {
        Some(loc) => YamlError::At {
            origin: origin.to_string(),
            line: loc.line(),
            column: loc.column(),
            message,
        },
        None => YamlError::General {
            origin: origin.to_string(),
            message,
        },
    }
}

/// One zone as vendor-CLI YAML.
pub fn zone_to_yaml(zone: &PartnerZone) -> String {
    serde_yaml_ng::to_string(zone).unwrap_or_else(|e| format!("# cannot render as YAML: {e}\n"))
}

/// Several zones as `---`-separated documents, like `conduktor get`.
pub fn zones_to_yaml(zones: &[PartnerZone]) -> String {
    zones
        .iter()
        .map(|z| format!("---\n{}", zone_to_yaml(z)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_documents() {
        let text = "---\napiVersion: v2\nkind: PartnerZone\nmetadata: {name: a}\nspec: {cluster: c, serviceAccount: s}\n---\napiVersion: v2\nkind: PartnerZone\nmetadata: {name: b}\nspec: {cluster: c, serviceAccount: t}\n---\n";
        let zones = parse_zones(text, "f.yaml").unwrap();
        assert_eq!(zones.len(), 2);
        assert_eq!(zones[1].metadata.name, "b");
        let again = parse_zones(&zones_to_yaml(&zones), "out").unwrap();
        assert_eq!(again, zones);
    }

    #[test]
    fn bad_yaml_has_line_and_column() {
        let text = "apiVersion: v2\nkind: PartnerZone\nmetadata:\n  name: [unclosed\n";
        let err = parse_zones(text, "bad.yaml").unwrap_err();
        match err {
            YamlError::At { line, column, .. } => {
                assert!(line >= 4, "line {line}");
                assert!(column >= 1);
            }
            other => panic!("expected a location, got {other}"),
        }
    }

    #[test]
    fn wrong_kind_is_explained() {
        let err = parse_zones("kind: Topic\n", "t.yaml").unwrap_err();
        assert!(err.to_string().contains("kind is \"Topic\""));
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_any_input(text in "\\PC{0,200}") {
            let _ = parse_zones(&text, "fuzz");
        }

        #[test]
        fn never_panics_on_yamlish_input(text in "(apiVersion: v2\n|kind: PartnerZone\n|metadata:\n|  name: [a-z]{1,5}\n|spec:\n|  topics: \\[\\]\n|---\n|  - \\{|: |\"|\t){0,30}") {
            let _ = parse_zones(&text, "fuzz");
        }
    }
}
