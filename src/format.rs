//! Small text formats shared by the CLI and the TUI.

use chrono::{DateTime, Utc};

/// Parses an RFC 3339 `updatedAt`.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// "just now", "3m ago", "5h ago", "12d ago" (or the date past a year).
pub fn relative(then: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    let Some(then) = then else {
        return "-".into();
    };
    let secs = (now - then).num_seconds();
    match secs {
        s if s < 0 => "just now".into(),
        0..=9 => "just now".into(),
        10..=59 => format!("{secs}s ago"),
        60..=3599 => format!("{}m ago", secs / 60),
        3600..=86_399 => format!("{}h ago", secs / 3600),
        86_400..=31_535_999 => format!("{}d ago", secs / 86_400),
        _ => then.format("%Y-%m-%d").to_string(),
    }
}

/// A rate in bytes/s for display: "1 MB/s", "512 B/s".
pub fn bytes_per_second(n: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1_000_000_000, "GB"), (1_000_000, "MB"), (1_000, "KB")];
    for (size, unit) in UNITS {
        if n >= size && n.is_multiple_of(size / 1000) {
            let whole = n as f64 / size as f64;
            return if whole.fract() == 0.0 {
                format!("{} {unit}/s", whole as u64)
            } else {
                format!("{whole:.2} {unit}/s")
            };
        }
    }
    format!("{n} B/s")
}

/// JSON laid out as `serde_json`'s pretty writer does (two spaces, `": "`,
/// an empty `[]` or `{}` on one line), its strings and numbers kept as
/// they came: serde_json checks the text (the parse builds no value), then
/// one pass over the bytes lays it out.
pub fn pretty_json(json: &[u8]) -> serde_json::Result<String> {
    let mut check = serde_json::Deserializer::from_slice(json);
    serde::de::IgnoredAny::deserialize(&mut check)?;
    check.end()?;
    // The check skips strings without reading them as UTF-8: the text laid
    // out (strings kept as they came, ASCII added) is read as UTF-8 here.
    String::from_utf8(lay_out(json)).map_err(|_| serde::de::Error::custom("the text is not UTF-8"))
}

use serde::Deserialize as _;

/// The layout of JSON text known to be valid.
fn lay_out(json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(json.len() + json.len() / 2);
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&c) = json.get(i) {
        i += 1;
        match c {
            b'"' => {
                let start = i - 1;
                // To the closing quote, past every escaped character.
                while let Some(n) = memchr::memchr2(b'"', b'\\', &json[i.min(json.len())..]) {
                    i += n + 1;
                    if json[i - 1] == b'"' {
                        break;
                    }
                    i += 1;
                }
                put(&mut out, &json[start..i.min(json.len())]);
            }
            b'{' | b'[' => {
                let close = if c == b'{' { b'}' } else { b']' };
                let next = json[i..]
                    .iter()
                    .position(|b| !b.is_ascii_whitespace())
                    .map(|n| i + n);
                if next.is_some_and(|n| json[n] == close) {
                    put(&mut out, &[c, close]);
                    i = next.map_or(i, |n| n + 1);
                } else {
                    depth += 1;
                    out.push(c);
                    new_line(&mut out, depth);
                }
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                new_line(&mut out, depth);
                out.push(c);
            }
            b',' => {
                out.push(b',');
                new_line(&mut out, depth);
            }
            b':' => put(&mut out, b": "),
            b' ' | b'\n' | b'\r' | b'\t' => {}
            // Numbers, true, false, null.
            _ => out.push(c),
        }
    }
    out
}

fn new_line(out: &mut Vec<u8>, depth: usize) {
    out.push(b'\n');
    out.resize(out.len() + 2 * depth, b' ');
}

/// Appends `bytes`. Most are a few bytes (a quote, `": "`, a short
/// string): in the static build (`opt-level = "z"`) a copy is a call to
/// musl's `memcpy`, whose `rep movs` is slow on short copies (29 % of
/// `pz get -o json` once), so short ones are stored byte by byte.
#[inline(always)]
fn put(out: &mut Vec<u8>, bytes: &[u8]) {
    if bytes.len() <= 16 {
        out.extend(bytes.iter().copied());
    } else {
        out.extend_from_slice(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::pretty_json;

    #[test]
    fn pretty_json_lays_out_any_json_as_serde_json_does() {
        let value = serde_json::json!([{"b": 1, "a": ["x\u{1b}\"\\", null, 2500.0, true, [], {}]}, {}, [[]]]);
        let compact = serde_json::to_vec(&value).unwrap();
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        assert_eq!(pretty_json(&compact).unwrap(), pretty);
        assert_eq!(
            pretty_json(pretty.as_bytes()).unwrap(),
            pretty,
            "already laid out"
        );
        assert_eq!(
            pretty_json(b" \r\n[ 1 ,\t{ \"k\" :[ ] } ] ").unwrap(),
            "[\n  1,\n  {\n    \"k\": []\n  }\n]"
        );
        assert_eq!(pretty_json(b"\"top\"").unwrap(), "\"top\"");
        assert!(pretty_json(b"[1,").is_err());
        assert!(pretty_json(b"[1] [2]").is_err(), "trailing data is refused");
        assert!(pretty_json(b"[\"\xff\"]").is_err(), "not UTF-8");
        assert!(
            pretty_json(b"[\"a\x1bb\"]").is_err(),
            "a raw control in a string"
        );
    }

    #[test]
    fn pretty_json_keeps_numbers_and_escapes_as_they_came() {
        let text = br#"[1.0e2,-0,12345678901234567890123,"\u00e9\/\"",{"a\\":"\\"}]"#;
        assert_eq!(
            pretty_json(text).unwrap(),
            "[\n  1.0e2,\n  -0,\n  12345678901234567890123,\n  \"\\u00e9\\/\\\"\",\n  {\n    \"a\\\\\": \"\\\\\"\n  }\n]"
        );
    }

    fn json_value() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        use serde_json::Value;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            "\\PC*|[\"\\\\\\x00-\\x1f\\u{7f}-\\u{9f}\\u{202e}a-z{}\\[\\],: ]*"
                .prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::btree_map("[a-z\"\\\\{}:,]{0,6}", inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn the_layout_is_serde_json_s(value in json_value()) {
            let compact = serde_json::to_vec(&value).unwrap();
            let pretty = serde_json::to_string_pretty(&value).unwrap();
            proptest::prop_assert_eq!(&pretty_json(&compact).unwrap(), &pretty);
            proptest::prop_assert_eq!(&pretty_json(pretty.as_bytes()).unwrap(), &pretty);
        }
    }

    use super::*;

    #[test]
    fn relative_times() {
        let now = parse_time("2026-01-10T12:00:00Z").unwrap();
        let ago = |s: i64| relative(Some(now - chrono::Duration::seconds(s)), now);
        assert_eq!(ago(3), "just now");
        assert_eq!(ago(42), "42s ago");
        assert_eq!(ago(180), "3m ago");
        assert_eq!(ago(7200), "2h ago");
        assert_eq!(ago(86_400 * 3), "3d ago");
        assert_eq!(ago(86_400 * 400), "2024-12-06");
        assert_eq!(relative(None, now), "-");
    }

    #[test]
    fn rates() {
        assert_eq!(bytes_per_second(1_000_000), "1 MB/s");
        assert_eq!(bytes_per_second(1_500_000), "1.50 MB/s");
        assert_eq!(bytes_per_second(512), "512 B/s");
        assert_eq!(bytes_per_second(2_000), "2 KB/s");
    }
}
