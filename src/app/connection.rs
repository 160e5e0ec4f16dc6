//! Where the console is connected and what is wrong with it: the trouble of
//! the last load (shown in the list's body and header), a key that may read
//! but not change, a Console with no Gateway, and switching or re-reading
//! the connection without a restart.

use chrono::Duration;

use super::{App, Effect, ToastKind};
use crate::api::diagnosis::{Context, Diagnosis, Trouble};
use crate::api::{ApiError, ConnectionInfo};

/// One context of the config file, for `:ctx`.
#[derive(Clone, Debug, PartialEq)]
pub struct ContextEntry {
    pub name: String,
    pub base_url: String,
    pub read_only: bool,
    /// What it answered (asked when the picker opens).
    pub health: super::everywhere::Health,
}

/// `:ctx`: the contexts to switch to, with a cursor.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContextPicker {
    pub entries: Vec<ContextEntry>,
    pub current: Option<String>,
    pub cursor: usize,
}

/// What the context picker reacts to.
#[derive(Debug)]
pub enum ContextAction {
    Listed(Result<ContextPicker, String>),
    Up,
    Down,
    Choose,
    Close,
}

/// The reason changes are disabled when the key may only read.
pub const READ_ONLY_KEY: &str = "this API key can read but not change zones (403): use an admin API key to create, edit or delete";

/// What `n` says when the Console has no Gateway cluster.
pub const NO_GATEWAY: &str = "No Gateway cluster is configured in this Console: Partner Zones need Conduktor Gateway 3.6.1+ with its Provider credentials set in Console (Settings → Clusters)";

impl App {
    /// What a failed call means here.
    pub fn diagnose(&self, err: &ApiError, listing: bool) -> Diagnosis {
        Diagnosis::of(
            err,
            &Context {
                base_url: &self.connection.base_url,
                key_source: &self.connection.key_source,
                listing,
            },
        )
    }

    /// Whether new/edit/delete/credentials are possible (not read-only by
    /// choice, nor by the key's rights).
    pub fn writable(&self) -> bool {
        !self.connection.read_only && self.forbidden.is_none()
    }

    /// The list could not be loaded: diagnose, and retry soon only when the
    /// trouble may go away by itself.
    pub(super) fn zones_failed(&mut self, e: ApiError) {
        let d = self.diagnose(&e, true);
        match d.retry_after() {
            Some(after) => self.poll.failed_after(
                self.now,
                d.what.clone(),
                Duration::from_std(after).unwrap_or(Duration::seconds(60)),
            ),
            None => self.poll.failed(self.now, d.what.clone()),
        }
        let text = format!("connection: {} (retrying in {}s)", d.what, self.retry_in());
        self.set_status(super::status::Origin::Connection, text);
        self.trouble = Some(d);
    }

    /// The list loaded: the trouble is over; the first time, find out what
    /// the key may do and whether there is a Gateway.
    pub(super) fn zones_arrived(&mut self, zones: &crate::api::ZoneRows) -> Vec<Effect> {
        self.trouble = None;
        let mut fx = Vec::new();
        if !self.probed {
            self.probed = true;
            fx.push(Effect::CountGateways);
            fx.push(Effect::DetectGeneration);
            if !self.connection.read_only
                && let Some(z) = zones.get(0)
            {
                fx.push(Effect::ProbeWrite(z.name().to_string()));
            }
        }
        fx
    }

    /// A change was refused with 403: the key may read only.
    pub(super) fn note_forbidden(&mut self, err: &ApiError) {
        if matches!(err, ApiError::Forbidden(_)) && self.forbidden.is_none() {
            self.forbidden = Some(READ_ONLY_KEY.to_string());
            self.toast(ToastKind::Failure, READ_ONLY_KEY);
        }
    }

    /// `r`: when the trouble is the configuration (a key, a certificate, a
    /// URL), read it again as well as asking again.
    pub(super) fn refresh(&mut self) -> Vec<Effect> {
        self.poll.now();
        self.status = None;
        match &self.trouble {
            Some(d) if d.trouble != Trouble::Unreachable && !self.connection.sandbox => {
                vec![Effect::Reconnect(self.connection.context.clone())]
            }
            _ => Vec::new(),
        }
    }

    /// A new connection (the configuration read again, or another context).
    pub(super) fn reconnected(&mut self, result: Result<ConnectionInfo, String>) {
        match result {
            Ok(info) => {
                let switched = info.label != self.connection.label;
                self.connection = info;
                self.forbidden = None;
                self.probed = false;
                self.poll.now();
                if switched {
                    self.list.set_zones(crate::api::ZoneRows::new());
                    self.loaded = false;
                    self.trouble = None;
                    self.gateways = None;
                    self.screen = super::Screen::List;
                    self.detail = None;
                    self.toast(
                        ToastKind::Info,
                        format!("Connected to {}", self.connection.label),
                    );
                }
            }
            Err(e) => self.set_status(super::status::Origin::Config, e),
        }
    }

    /// `:ctx` and its picker; `:ctx NAME` switches at once.
    pub(super) fn contexts(&mut self, action: ContextAction) -> Vec<Effect> {
        let Some(super::Overlay::Contexts(picker)) = &mut self.overlay else {
            if let ContextAction::Listed(result) = action {
                match result {
                    Ok(p) if p.entries.is_empty() => {
                        self.set_status(
                            super::status::Origin::Config,
                            "no contexts in the config file (see the README: Pointing pz at a real Console)",
                        )
                    }
                    Ok(p) => {
                        self.overlay = Some(super::Overlay::Contexts(p));
                        return vec![Effect::FetchEverywhere];
                    }
                    Err(e) => self.set_status(super::status::Origin::Config, e),
                }
            }
            return Vec::new();
        };
        match action {
            ContextAction::Up => picker.cursor = picker.cursor.saturating_sub(1),
            ContextAction::Down => {
                picker.cursor = (picker.cursor + 1).min(picker.entries.len().saturating_sub(1))
            }
            ContextAction::Choose => {
                let name = picker.entries.get(picker.cursor).map(|e| e.name.clone());
                self.overlay = None;
                if let Some(name) = name {
                    return vec![Effect::Reconnect(Some(name))];
                }
            }
            ContextAction::Close => self.overlay = None,
            ContextAction::Listed(_) => {}
        }
        Vec::new()
    }

    /// Seconds until the next automatic attempt.
    pub fn retry_in(&self) -> i64 {
        self.poll
            .next_at
            .map(|at| (at - self.now).num_seconds().max(0))
            .unwrap_or(0)
    }
}
