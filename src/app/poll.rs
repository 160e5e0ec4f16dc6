//! When to refresh: about every 5 s, every second while a zone is PENDING,
//! and with exponential backoff while the API fails.

use chrono::{DateTime, Duration, Utc};

pub const IDLE_INTERVAL_MS: i64 = 5_000;
pub const PENDING_INTERVAL_MS: i64 = 1_000;
pub const MAX_BACKOFF_MS: i64 = 30_000;

#[derive(Clone, Debug, Default)]
pub struct Poller {
    pub in_flight: bool,
    pub next_at: Option<DateTime<Utc>>,
    pub failures: u32,
    pub last_ok: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

impl Poller {
    /// The delay before the next attempt after `failures` failures in a row.
    pub fn backoff(failures: u32) -> Duration {
        let ms = 1_000i64.saturating_mul(1i64 << failures.saturating_sub(1).min(16));
        Duration::milliseconds(ms.min(MAX_BACKOFF_MS))
    }

    pub fn due(&self, now: DateTime<Utc>) -> bool {
        !self.in_flight && self.next_at.is_none_or(|t| t <= now)
    }

    pub fn started(&mut self) {
        self.in_flight = true;
    }

    pub fn succeeded(&mut self, now: DateTime<Utc>, any_pending: bool) {
        self.in_flight = false;
        self.failures = 0;
        self.last_ok = Some(now);
        self.last_error = None;
        let ms = if any_pending {
            PENDING_INTERVAL_MS
        } else {
            IDLE_INTERVAL_MS
        };
        self.next_at = Some(now + Duration::milliseconds(ms));
    }

    pub fn failed(&mut self, now: DateTime<Utc>, error: String) {
        self.in_flight = false;
        self.failures = self.failures.saturating_add(1);
        self.last_error = Some(error);
        self.next_at = Some(now + Poller::backoff(self.failures));
    }

    /// A failure that will not go away by itself soon: ask again after
    /// `delay`, not in a fast loop.
    pub fn failed_after(&mut self, now: DateTime<Utc>, error: String, delay: Duration) {
        self.in_flight = false;
        self.failures = self.failures.saturating_add(1);
        self.last_error = Some(error);
        self.next_at = Some(now + delay);
    }

    /// A manual refresh: poll now.
    pub fn now(&mut self) {
        self.next_at = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn backoff_doubles_up_to_a_cap() {
        let secs: Vec<i64> = (1..=7).map(|f| Poller::backoff(f).num_seconds()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 30, 30]);
    }

    #[test]
    fn schedule_after_success_and_failure() {
        let mut p = Poller::default();
        assert!(p.due(t0()));
        p.started();
        assert!(!p.due(t0()));
        p.succeeded(t0(), true);
        assert!(!p.due(t0() + Duration::milliseconds(999)));
        assert!(p.due(t0() + Duration::milliseconds(1000)));
        p.succeeded(t0(), false);
        assert!(!p.due(t0() + Duration::seconds(4)));
        assert!(p.due(t0() + Duration::seconds(5)));
        for _ in 0..3 {
            p.failed(t0(), "down".into());
        }
        assert_eq!(p.failures, 3);
        assert!(!p.due(t0() + Duration::seconds(3)));
        assert!(p.due(t0() + Duration::seconds(4)));
        p.succeeded(t0(), false);
        assert_eq!(p.failures, 0);
        assert!(p.last_error.is_none());
    }
}
