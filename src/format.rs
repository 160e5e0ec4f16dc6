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

/// JSON as `serde_json`'s pretty writer lays it out, from any JSON text,
/// without building its values: one pass from the reader to the writer.
pub fn pretty_json(json: &[u8]) -> serde_json::Result<String> {
    let mut out = Tokens(Vec::with_capacity(json.len() + json.len() / 2));
    let mut from = serde_json::Deserializer::from_slice(json);
    let mut to = serde_json::Serializer::pretty(&mut out);
    serde_transcode::transcode(&mut from, &mut to)?;
    from.end()?;
    // serde_json writes UTF-8 only.
    Ok(String::from_utf8(out.0)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// serde_json writes a token at a time, most a few bytes (`"`, `: `, an
/// indent). In the static build (`opt-level = "z"`) each became a call to
/// musl's `memcpy`, whose `rep movs` is slow on short copies: 29 % of
/// `pz get -o json`. Short ones are stored byte by byte here.
struct Tokens(Vec<u8>);

impl std::io::Write for Tokens {
    #[inline(always)]
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    #[inline(always)]
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if buf.len() <= 16 {
            // One capacity check for the token, then plain stores (a
            // `push` per byte was not inlined at `opt-level = "z"`).
            self.0.extend(buf.iter().copied());
        } else {
            self.0.extend_from_slice(buf);
        }
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::pretty_json;

    #[test]
    fn pretty_json_lays_out_any_json_as_serde_json_does() {
        let compact = br#"[{"b":1,"a":["x\u001b",null,2.5e3,true]},{}]"#;
        let value: serde_json::Value = serde_json::from_slice(compact).unwrap();
        assert_eq!(
            pretty_json(compact).unwrap(),
            serde_json::to_string_pretty(&value).unwrap()
        );
        assert!(pretty_json(b"[1,").is_err());
        assert!(pretty_json(b"[1] [2]").is_err(), "trailing data is refused");
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
