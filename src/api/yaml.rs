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
        let mut zone: PartnerZone =
            serde_yaml_ng::from_value(value).map_err(|e| YamlError::General {
                origin: origin.to_string(),
                message: format!("document {}: {e}", index + 1),
            })?;
        whole_limits(&mut zone, text, origin)?;
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

/// The traffic limits as integers, whatever their notation (`1e+06`, as
/// the vendor's resource reference writes it, or `1000000.0`); a fraction
/// or a negative number is refused here, naming the file, line and field.
fn whole_limits(zone: &mut PartnerZone, text: &str, origin: &str) -> Result<(), YamlError> {
    let Some(tcp) = zone.spec.traffic_control_policies.as_mut() else {
        return Ok(());
    };
    for (field, value) in tcp.limits_mut() {
        let Some(v) = value.as_ref().filter(|v| v.is_number()) else {
            continue; // a string or null: the Console explains it
        };
        match crate::api::types::whole_number(v) {
            Some(n) => *value = Some(serde_json::Value::from(n)),
            None => {
                let message = format!(
                    "spec.trafficControlPolicies.{field} must be a positive whole number, not {v}"
                );
                return Err(match line_of(text, field, v.as_f64()) {
                    Some((line, column)) => YamlError::At {
                        origin: origin.to_string(),
                        line,
                        column,
                        message,
                    },
                    None => YamlError::General {
                        origin: origin.to_string(),
                        message,
                    },
                });
            }
        }
    }
    Ok(())
}

/// The line and column (from 1) of `field: value` in `text`.
fn line_of(text: &str, field: &str, value: Option<f64>) -> Option<(usize, usize)> {
    let key = format!("{field}:");
    text.lines().enumerate().find_map(|(i, l)| {
        let at = l.find(&key)?;
        let rest = l[at + key.len()..].trim().trim_end_matches([',', '}']);
        let parsed: Option<f64> = rest.split([',', '}', ' ', '#']).next()?.parse().ok();
        (value.is_none() || parsed == value).then_some((i + 1, at + 1))
    })
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
    fn whole_numbers_in_any_notation_become_integers() {
        let text = "apiVersion: console/v2\nkind: PartnerZone\nmetadata: {name: a}\nspec:\n  cluster: c\n  trafficControlPolicies:\n    maxProduceRate: 1e+06\n    maxConsumeRate: 2000000.0\n    limitCommitOffset: 30\n";
        let zones = parse_zones(text, "z.yaml").unwrap();
        let json = serde_json::to_string(&zones[0]).unwrap();
        assert!(
            json.contains(
                r#""maxProduceRate":1000000,"maxConsumeRate":2000000,"limitCommitOffset":30"#
            ),
            "{json}"
        );
    }

    #[test]
    fn a_fractional_or_negative_limit_names_file_line_and_field() {
        let text = "kind: PartnerZone\nmetadata: {name: a}\nspec:\n  cluster: c\n  trafficControlPolicies:\n    maxProduceRate: 1000\n    maxConsumeRate: 1.5\n";
        let err = parse_zones(text, "z.yaml").unwrap_err().to_string();
        assert_eq!(
            err,
            "z.yaml:7:5: spec.trafficControlPolicies.maxConsumeRate must be a positive whole number, not 1.5"
        );
        let text = "kind: PartnerZone\nmetadata: {name: a}\nspec:\n  cluster: c\n  trafficControlPolicies: {limitCommitOffset: -3}\n";
        let err = parse_zones(text, "n.yaml").unwrap_err().to_string();
        assert!(err.starts_with("n.yaml:5:"), "{err}");
        assert!(
            err.contains("limitCommitOffset must be a positive whole number, not -3"),
            "{err}"
        );
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
