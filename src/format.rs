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

#[cfg(test)]
mod tests {
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
