//! The sandbox's time: the system clock, or one a test moves, so that
//! deployments finishing and secrets expiring are tested without waiting.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

/// Where the sandbox reads the time.
#[derive(Clone, Default)]
pub struct Clock(Option<Arc<Mutex<DateTime<Utc>>>>);

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Clock(None)
    }

    /// A clock that stands at `start` until moved with [`Clock::advance`].
    pub fn manual(start: DateTime<Utc>) -> Self {
        Clock(Some(Arc::new(Mutex::new(start))))
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.0 {
            Some(t) => *t.lock().unwrap_or_else(|p| p.into_inner()),
            None => Utc::now(),
        }
    }

    /// Moves a manual clock on (a system clock moves by itself).
    pub fn advance(&self, by: std::time::Duration) {
        if let Some(t) = &self.0 {
            let mut t = t.lock().unwrap_or_else(|p| p.into_inner());
            *t += chrono::Duration::from_std(by).unwrap_or_default();
        }
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some(_) => write!(f, "Clock(manual, {})", self.now()),
            None => f.write_str("Clock(system)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told() {
        let start = Utc::now();
        let c = Clock::manual(start);
        let copy = c.clone();
        assert_eq!(c.now(), start);
        copy.advance(std::time::Duration::from_secs(60));
        assert_eq!(c.now(), start + chrono::Duration::seconds(60));
        assert!(Clock::system().now() >= start);
    }
}
