//! What the wizard derives and parses: the technical ID and service account
//! from the name, and rates typed with units.

use std::collections::HashSet;

/// The technical ID (and default service account) for a display name:
/// lowercase, every run of other characters becomes one `-`, no `-` at the
/// ends; a name of dots only gives nothing (`.` and `..` cannot be zone
/// names). Always a valid name unless empty; stable.
pub fn derive_id(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut dash = false;
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.' {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        } else {
            dash = true;
        }
    }
    if crate::api::types::is_dot_segment(&out) {
        out.clear();
    }
    out
}

/// A rate in bytes per second from text such as `1MB/s`, `500 KiB/s`,
/// `2000000` or `1.5MB`. Decimal units are powers of 1000, binary of 1024.
pub fn parse_rate(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let t = t.strip_suffix("/s").unwrap_or(t).trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("'{text}' is not a rate: try 1MB/s, 500KB/s or 1000000"))?;
    let factor: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "kb" | "k" => 1e3,
        "mb" | "m" => 1e6,
        "gb" | "g" => 1e9,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        other => {
            return Err(format!(
                "unknown unit '{other}': use B, KB, MB, GB, KiB, MiB or GiB"
            ));
        }
    };
    let bytes = (value * factor).round();
    if !(1.0..=1e15).contains(&bytes) {
        return Err(format!("'{text}' must be a positive rate"));
    }
    Ok(bytes as u64)
}

/// A whole positive number (commit requests per minute).
pub fn parse_count(text: &str) -> Result<u64, String> {
    match text.trim().trim_end_matches("/min").trim().parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("'{text}' must be a whole number above 0")),
    }
}

/// The first alias used twice, if any.
pub fn duplicate_alias<'a>(aliases: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut seen = HashSet::new();
    aliases.into_iter().find(|a| !seen.insert(*a))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ids_from_names() {
        assert_eq!(derive_id("External Partner Zone"), "external-partner-zone");
        assert_eq!(derive_id("  ACME  Logistics!! "), "acme-logistics");
        assert_eq!(derive_id("Globex v2.1_beta"), "globex-v2.1_beta");
        assert_eq!(derive_id("Zoë & Co"), "zo-co");
        assert_eq!(derive_id("!!!"), "");
    }

    #[test]
    fn rates_with_units() {
        assert_eq!(parse_rate("1MB/s"), Ok(1_000_000));
        assert_eq!(parse_rate("1.5 MB/s"), Ok(1_500_000));
        assert_eq!(parse_rate("500KB"), Ok(500_000));
        assert_eq!(parse_rate("2MiB/s"), Ok(2 * 1024 * 1024));
        assert_eq!(parse_rate("1000000"), Ok(1_000_000));
        assert!(parse_rate("fast").is_err());
        assert!(parse_rate("1 XB/s").is_err());
        assert!(parse_rate("0").is_err());
        assert!(parse_rate("-5MB").is_err());
        assert_eq!(parse_count("30"), Ok(30));
        assert!(parse_count("0").is_err());
    }

    #[test]
    fn aliases_must_be_unique() {
        assert_eq!(duplicate_alias(["a", "b", "a"]), Some("a"));
        assert_eq!(duplicate_alias(["a", "b"]), None);
    }

    proptest! {
        #[test]
        fn derived_ids_are_always_valid_and_stable(name in "\\PC{0,60}") {
            let id = derive_id(&name);
            prop_assert!(id.is_empty() || crate::api::is_valid_name(&id), "{id:?}");
            prop_assert!(!id.starts_with('-') && !id.ends_with('-'));
            prop_assert_eq!(derive_id(&id), id.clone());
        }

        #[test]
        fn rates_round_trip_through_display(n in 1u64..10_000_000_000) {
            prop_assert_eq!(parse_rate(&n.to_string()), Ok(n));
        }
    }
}
