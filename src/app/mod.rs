//! The console's state and how actions change it. Terminal events become
//! [`Action`]s (see `keys`), [`App::update`] applies them and returns the
//! [`Effect`]s to run (network calls, clipboard), whose results come back
//! as actions. Rendering (`ui`) only reads this state.

pub mod command;
pub mod connection;
pub mod credentials;
pub mod delete;
pub mod editor;
mod effect;
pub mod everywhere;
pub mod fetch;
pub mod handover;
pub mod input;
pub mod keys;
pub mod poll;
pub mod rotation;
pub mod status;
pub mod wizard;
pub mod zone_list;

use chrono::{DateTime, Duration, Utc};

use crate::api::{ApiError, ConnectionInfo, PartnerZone, ZoneRows, ZoneStatus};
use crate::secret::Secret;
use crate::theme::Theme;
pub use connection::{ContextAction, ContextPicker};
pub use credentials::CredentialsView;
pub use delete::DeleteModal;
pub use effect::Effect;
pub use poll::Poller;
pub use wizard::{Wizard, WizardAction};
pub use zone_list::{SortKey, ZoneList};

#[derive(Clone, Debug, PartialEq)]
pub enum Screen {
    List,
    Detail {
        name: String,
        scroll: u16,
    },
    Wizard(Box<Wizard>),
    /// `:all`: every context's zones, read-only.
    Everywhere(Box<everywhere::Everywhere>),
}

#[derive(Clone, Debug)]
pub enum Overlay {
    Help,
    Delete(Box<DeleteModal>),
    Credentials(Box<CredentialsView>),
    /// `:ctx`: choose the Console to talk to.
    Contexts(ContextPicker),
    /// A rotation found unfinished at start: finish it, or restore.
    Unfinished(rotation::Unfinished),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToastKind {
    Info,
    Success,
    Failure,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Toast {
    pub text: String,
    pub kind: ToastKind,
    pub until: DateTime<Utc>,
}

/// Everything that can happen to the state.
// Actions are built, moved once into `update` and dropped: their size
// does not matter, boxing the network results would only add noise.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Action {
    Quit,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Back,
    Refresh,
    FilterStart,
    /// A key typed into the filter.
    FilterInput(crossterm::event::KeyEvent),
    FilterDone,
    FilterClear,
    SortNext,
    SortReverse,
    ToggleHelp,
    CopyYaml,
    /// A click on the zone shown at this index (a second one soon after
    /// opens it).
    ClickRow(usize),
    /// Time passes (animations, polling, toasts).
    Tick(DateTime<Utc>),
    Resize(u16, u16),
    /// A frame was drawn: overlays that guard against typed-ahead keys arm.
    Drawn(DateTime<Utc>),
    /// The list's rows (`api::rows`).
    ZonesLoaded(Result<ZoneRows, ApiError>),
    /// The list answered exactly as last time (not parsed again).
    ZonesUnchanged,
    ZoneLoaded(String, Result<PartnerZone, ApiError>),
    /// A key pressed while an action waits for its zone: kept, and handled
    /// once the action has run.
    Held(crossterm::event::KeyEvent),
    /// `esc` while an action waits for its zone: it no longer does.
    StopWaiting,
    /// `R`: a rotation's steps and end; the unfinished one's choices.
    Rotation(rotation::RotationAction),
    /// `:all` and the contexts' answers (also `:ctx`'s health).
    Everywhere(everywhere::EverywhereAction),
    /// `E`: the zone in the user's editor, and what came of it.
    Edit(editor::EditAction),
    /// Keys for the delete modal and the credentials view.
    Delete(delete::DeleteAction),
    DeleteDone(String, Result<(), ApiError>),
    Credentials(credentials::CredentialsAction),
    CredentialsDone(String, Result<(Secret, String), ApiError>),
    /// What the sandbox issued for an OAUTHBEARER or MTLS partner.
    SandboxIssued(String, Result<crate::credentials::Issued, ApiError>),
    /// A step of the access check (`t`) ended; then the whole report.
    CheckStep(String, crate::kafka::check::Step),
    CheckDone(String, crate::kafka::check::Report),
    /// The result of a copy or a save, as a message for a toast.
    Notice(Result<String, String>),
    /// What a copy did: confirmed somewhere, or only sent.
    Copied(crate::clipboard::Summary),
    Wizard(WizardAction),
    /// The `:` command line (`:apply PATH`).
    CommandStart,
    CommandInput(crossterm::event::KeyEvent),
    CommandRun,
    CommandCancel,
    /// The dry run that tells whether the key may change zones.
    WriteProbed(Result<(), ApiError>),
    /// How many Gateway clusters the Console has.
    GatewaysCounted(Result<usize, ApiError>),
    /// Which generation the Console speaks (`None`: it did not say).
    /// The Console's generation, and whether it is the pz sandbox.
    GenerationDetected(Option<crate::api::Generation>, bool),
    /// The connection was re-read from the configuration (or switched).
    Reconnected(Result<ConnectionInfo, String>),
    /// `:ctx` and its picker.
    Contexts(ContextAction),
}

pub const MIN_WIDTH: u16 = 60;
/// Two clicks on a zone within this long open it.
pub const DOUBLE_CLICK_MS: i64 = 400;
pub const MIN_HEIGHT: u16 = 15;

pub struct App {
    pub now: DateTime<Utc>,
    pub theme: Theme,
    pub connection: ConnectionInfo,
    pub list: ZoneList,
    pub screen: Screen,
    pub overlay: Option<Overlay>,
    /// The open zone's latest copy (refreshed on its own).
    pub detail: Option<PartnerZone>,
    /// An action that needs the whole zone, waiting for it to be fetched
    /// (`zone_for`).
    pub waiting: Option<fetch::Waiting>,
    /// Keys pressed meanwhile (at most [`fetch::HELD_KEYS`]).
    pub(super) held: Vec<crossterm::event::KeyEvent>,
    /// The zone just fetched for the waiting action, while it runs again.
    pub(super) fetched: Option<PartnerZone>,
    /// The status line's message, with its origin.
    pub status: Option<status::Status>,
    pub toasts: Vec<Toast>,
    pub poll: Poller,
    pub loaded: bool,
    pub size: (u16, u16),
    pub quit: bool,
    /// Animation frame for PENDING badges.
    pub frame: usize,
    /// A wizard saved by an earlier session, offered by `n`.
    pub draft: Option<Wizard>,
    /// The `:` command line while it is open.
    pub command: Option<input::TextInput>,
    /// Orders draft saves and deletes that run in parallel tasks.
    pub draft_seq: u64,
    /// What is wrong with the connection, from the last load.
    pub trouble: Option<crate::api::diagnosis::Diagnosis>,
    /// Why changes are refused by the Console (a key that may only read).
    pub forbidden: Option<String>,
    /// How many Gateway clusters the Console has, once known.
    pub gateways: Option<usize>,
    /// Whether the key's rights and the Gateways were asked for.
    pub probed: bool,
    /// `:all` asked to open this zone once its context's zones are loaded.
    pub open_after_load: Option<(String, String)>,
    /// The last click on a zone and when: a second one soon after opens it.
    pub last_click: Option<(usize, DateTime<Utc>)>,
}

impl App {
    pub fn next_draft_seq(&mut self) -> u64 {
        self.draft_seq += 1;
        self.draft_seq
    }

    pub fn new(theme: Theme, connection: ConnectionInfo, now: DateTime<Utc>) -> App {
        App {
            now,
            theme,
            connection,
            list: ZoneList::default(),
            screen: Screen::List,
            overlay: None,
            detail: None,
            waiting: None,
            held: Vec::new(),
            fetched: None,
            status: None,
            toasts: Vec::new(),
            poll: Poller::default(),
            loaded: false,
            size: (80, 24),
            quit: false,
            frame: 0,
            draft: None,
            command: None,
            draft_seq: 0,
            trouble: None,
            forbidden: None,
            gateways: None,
            probed: false,
            last_click: None,
            open_after_load: None,
        }
    }

    /// Rows of the zone table: the screen less header, summary, table
    /// header, status bar and footer.
    pub fn table_rows(&self) -> usize {
        self.size.1.saturating_sub(7).max(1) as usize
    }

    pub fn toast(&mut self, kind: ToastKind, text: impl Into<String>) {
        let secs = if kind == ToastKind::Failure { 8 } else { 4 };
        self.toasts.push(Toast {
            text: text.into(),
            kind,
            until: self.now + Duration::seconds(secs),
        });
        if self.toasts.len() > 3 {
            self.toasts.remove(0);
        }
    }

    /// The open zone, once its copy has come.
    pub fn current_zone(&self) -> Option<&PartnerZone> {
        match &self.screen {
            Screen::Detail { name, .. } => {
                self.detail.as_ref().filter(|z| z.metadata.name == *name)
            }
            Screen::List | Screen::Wizard(_) | Screen::Everywhere(_) => None,
        }
    }

    /// The name of the zone the current screen is about: the open one, or
    /// the selected.
    pub fn current_name(&self) -> Option<String> {
        match &self.screen {
            Screen::Detail { name, .. } => Some(name.clone()),
            Screen::List => self.list.selected_name(),
            Screen::Wizard(_) | Screen::Everywhere(_) => None,
        }
    }

    /// Whether a PENDING badge is on screen (and so must animate).
    pub fn animating(&self) -> bool {
        self.list.any_pending() || !self.toasts.is_empty()
    }

    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        let mut effects = Vec::new();
        if let Some(e) = refused_change(&action) {
            self.note_forbidden(e);
        }
        match action {
            Action::Quit => self.quit = true,
            Action::Tick(now) => {
                self.now = now;
                self.frame = self.frame.wrapping_add(1);
                self.toasts.retain(|t| t.until > now);
                self.still_waiting();
                if self.poll.due(now) {
                    self.poll.started();
                    effects.push(Effect::FetchZones);
                    if let Screen::Detail { name, .. } = &self.screen {
                        effects.push(Effect::FetchZone(name.clone()));
                    }
                }
            }
            Action::Drawn(at) => {
                if let Some(Overlay::Delete(modal)) = &mut self.overlay {
                    modal.drawn(at);
                }
            }
            Action::Resize(w, h) => {
                self.size = (w, h);
                let rows = self.table_rows();
                self.list.ensure_visible(rows);
            }
            Action::ZonesLoaded(result) => effects.extend(self.zones_loaded(result)),
            Action::ZonesUnchanged => effects.extend(self.zones_unchanged()),
            Action::WriteProbed(_) => {}
            Action::GatewaysCounted(result) => self.gateways = result.ok(),
            Action::GenerationDetected(g, sandbox) => {
                self.connection.generation = g;
                self.connection.sandbox_endpoints |= sandbox;
                if let Screen::Wizard(w) = &mut self.screen {
                    w.generation = g;
                }
            }
            Action::Reconnected(result) => self.reconnected(result),
            Action::Contexts(a) => effects.extend(self.contexts(a)),
            Action::ZoneLoaded(name, result) => return self.zone_loaded(name, result),
            Action::Held(key) => self.hold(key),
            Action::StopWaiting => self.stop_waiting(),
            Action::Edit(a) => effects.extend(editor::update(self, a)),
            Action::Everywhere(a) => effects.extend(everywhere::update(self, a)),
            Action::Rotation(a) => effects.extend(rotation::update(self, a)),
            Action::Delete(a) => effects.extend(delete::update(self, a)),
            Action::DeleteDone(name, result) => delete::done(self, name, result),
            Action::Credentials(a) => effects.extend(credentials::update(self, a)),
            Action::CredentialsDone(name, result) => {
                return credentials::done(self, name, result).into_iter().collect();
            }
            Action::SandboxIssued(name, result) => {
                return credentials::issued(self, name, result)
                    .into_iter()
                    .collect();
            }
            Action::CheckStep(zone, step) => credentials::check_step(self, &zone, step),
            Action::CheckDone(zone, report) => credentials::check_done(self, &zone, report),
            Action::Notice(Ok(text)) => self.toast(ToastKind::Success, text),
            Action::Copied(summary) => {
                let kind = if summary.confirmed {
                    ToastKind::Success
                } else {
                    ToastKind::Info
                };
                self.toast(kind, summary.text);
            }
            Action::Wizard(a) => effects.extend(wizard::update(self, a)),
            Action::CommandStart => self.command = Some(Default::default()),
            Action::CommandInput(key) => {
                if let Some(cmd) = &mut self.command {
                    cmd.input(key);
                }
            }
            Action::CommandCancel => self.command = None,
            Action::CommandRun => {
                let cmd = self.command.take().map(|c| c.text()).unwrap_or_default();
                effects.extend(command::run(self, cmd.trim()));
            }
            Action::Notice(Err(text)) => {
                self.set_status(status::Origin::File, text.clone());
                self.toast(ToastKind::Failure, text);
            }
            other => self.navigate(other, &mut effects),
        }
        effects
    }

    fn navigate(&mut self, action: Action, effects: &mut Vec<Effect>) {
        let rows = self.table_rows();
        let on_list = self.screen == Screen::List;
        if matches!(self.screen, Screen::Wizard(_)) {
            return;
        }
        match action {
            Action::ToggleHelp => {
                self.overlay = match self.overlay {
                    Some(Overlay::Help) => None,
                    _ => Some(Overlay::Help),
                }
            }
            Action::Back => {
                if self.overlay.is_some() {
                    self.overlay = None;
                } else if !on_list {
                    self.screen = Screen::List;
                    self.detail = None;
                } else if !self.list.filter.is_empty() {
                    self.list.set_filter(String::new());
                }
                self.status = None;
            }
            Action::Refresh => effects.extend(self.refresh()),
            Action::ClickRow(index) if on_list && self.overlay.is_none() => {
                let double = self.last_click.is_some_and(|(i, at)| {
                    i == index && self.now - at <= Duration::milliseconds(DOUBLE_CLICK_MS)
                });
                self.list.select_index(index, rows);
                if double {
                    self.last_click = None;
                    self.navigate(Action::Open, effects);
                } else {
                    self.last_click = Some((index, self.now));
                }
            }
            Action::Up | Action::Down | Action::PageUp | Action::PageDown if !on_list => {
                if let Screen::Detail { scroll, .. } = &mut self.screen {
                    let page = rows as i32;
                    let delta = match action {
                        Action::Up => -1,
                        Action::Down => 1,
                        Action::PageUp => -page,
                        _ => page,
                    };
                    *scroll = (*scroll as i32 + delta).clamp(0, 500) as u16;
                }
            }
            Action::Top | Action::Bottom if !on_list => {
                if let Screen::Detail { scroll, .. } = &mut self.screen {
                    *scroll = if matches!(action, Action::Top) {
                        0
                    } else {
                        500
                    };
                }
            }
            Action::Up => self.list.move_by(-1),
            Action::Down => self.list.move_by(1),
            Action::PageUp => self.list.move_by(-(rows as isize)),
            Action::PageDown => self.list.move_by(rows as isize),
            Action::Top => self.list.top(),
            Action::Bottom => self.list.bottom(),
            Action::Open => {
                if let Some(name) = self.list.selected_name().filter(|_| on_list) {
                    // Shown when its copy comes ("Loading…" until then).
                    self.detail = None;
                    effects.push(Effect::FetchZone(name.clone()));
                    self.screen = Screen::Detail { name, scroll: 0 };
                }
            }
            Action::FilterStart => {
                self.list.filtering = true;
                self.list.prepare_filter();
                self.list.input = input::TextInput::new(&self.list.filter);
            }
            Action::FilterInput(key) if self.list.input.input(key) => {
                let f = self.list.input.text();
                self.list.set_filter(f);
            }
            Action::FilterInput(_) => {}
            Action::FilterDone => self.list.filtering = false,
            Action::FilterClear => {
                self.list.filtering = false;
                self.list.set_filter(String::new());
            }
            Action::SortNext => {
                let (s, d) = (self.list.sort.next(), self.list.descending);
                self.list.set_sort(s, d);
            }
            Action::SortReverse => {
                let (s, d) = (self.list.sort, !self.list.descending);
                self.list.set_sort(s, d);
            }
            Action::CopyYaml => match self.zone_for(Action::CopyYaml) {
                Ok(z) => effects.push(Effect::Copy {
                    text: Secret::new(crate::api::yaml::zone_to_yaml(&z)),
                    what: format!("{} as YAML", z.metadata.name),
                    secret: false,
                }),
                Err(fetch) => effects.extend(fetch),
            },
            _ => {}
        }
        self.list.ensure_visible(rows);
    }

    fn zones_loaded(&mut self, result: Result<ZoneRows, ApiError>) -> Vec<Effect> {
        match result {
            Ok(zones) => {
                let fx = self.zones_arrived(&zones);
                if self.loaded {
                    self.announce_transitions(&zones);
                }
                self.list.set_zones(zones);
                self.list.ensure_visible(self.table_rows());
                self.loaded = true;
                self.poll.succeeded(self.now, self.list.any_pending());
                self.clear_status_from(status::Origin::Connection);
                let mut fx = fx;
                fx.extend(everywhere::opened_after_load(self));
                fx
            }
            Err(e) => {
                self.zones_failed(e);
                Vec::new()
            }
        }
    }

    /// The same list as last time: only the connection's news.
    fn zones_unchanged(&mut self) -> Vec<Effect> {
        self.trouble = None;
        self.poll.succeeded(self.now, self.list.any_pending());
        self.clear_status_from(status::Origin::Connection);
        everywhere::opened_after_load(self)
    }

    /// Toasts for zones that turned READY or FAILED since the last refresh.
    fn announce_transitions(&mut self, zones: &ZoneRows) {
        if !self.list.any_pending() {
            return;
        }
        // Looked up by name, not searched for: a long list is not walked
        // once per zone.
        let pending: std::collections::HashSet<&str> = self
            .list
            .zones()
            .iter()
            .filter(|o| o.status() == Some(ZoneStatus::Pending))
            .map(|o| o.name())
            .collect();
        let mut messages = Vec::new();
        for z in zones.iter().filter(|z| pending.contains(z.name())) {
            let name = z.name();
            match z.status() {
                Some(ZoneStatus::Ready) => {
                    messages.push((ToastKind::Success, format!("{name} is READY")))
                }
                Some(ZoneStatus::Failed) => messages.push((
                    ToastKind::Failure,
                    match z.failed_reason() {
                        Some(reason) => format!("{name} FAILED: {reason}"),
                        None => format!(
                            "{name} FAILED: check that the Gateway of {} is active",
                            z.cluster()
                        ),
                    },
                )),
                _ => {}
            }
        }
        for (kind, text) in messages {
            self.toast(kind, text);
        }
    }
}

/// The error of a change the Console refused, if this action reports one.
fn refused_change(action: &Action) -> Option<&ApiError> {
    match action {
        Action::DeleteDone(_, Err(e))
        | Action::CredentialsDone(_, Err(e))
        | Action::SandboxIssued(_, Err(e))
        | Action::WriteProbed(Err(e))
        | Action::Wizard(WizardAction::Checked(Err(e)))
        | Action::Wizard(WizardAction::Applied(Err(e))) => Some(e),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::zone_list::tests::zone;
    use super::*;

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            + Duration::seconds(secs)
    }

    fn app() -> App {
        App::new(Theme::default(), ConnectionInfo::default(), t(0))
    }

    #[test]
    fn tick_polls_and_errors_back_off() {
        let mut a = app();
        assert_eq!(a.update(Action::Tick(t(0))), vec![Effect::FetchZones]);
        assert!(
            a.update(Action::Tick(t(0))).is_empty(),
            "one request at a time"
        );
        a.update(Action::ZonesLoaded(Err(ApiError::ConnectionRefused {
            url: "http://x".into(),
        })));
        assert!(a.status_text().unwrap().contains("retrying in 1s"));
        assert!(a.update(Action::Tick(t(0))).is_empty());
        assert_eq!(a.update(Action::Tick(t(1))), vec![Effect::FetchZones]);
        a.update(Action::ZonesLoaded(Err(ApiError::ConnectionRefused {
            url: "http://x".into(),
        })));
        assert!(a.status_text().unwrap().contains("retrying in 2s"));
        assert!(a.update(Action::Tick(t(2))).is_empty());
        assert_eq!(a.update(Action::Tick(t(3))), vec![Effect::FetchZones]);
        a.update(Action::ZonesLoaded(Ok(vec![zone(
            "a",
            ZoneStatus::Ready,
            1,
            "g",
        )]
        .into())));
        assert!(a.status.is_none(), "recovered");
        assert!(a.loaded);
    }

    #[test]
    fn transitions_raise_toasts() {
        let mut a = app();
        a.update(Action::ZonesLoaded(Ok(vec![
            zone("a", ZoneStatus::Pending, 1, "g1"),
            zone("b", ZoneStatus::Pending, 1, "g2"),
        ]
        .into())));
        a.update(Action::ZonesLoaded(Ok(vec![
            zone("a", ZoneStatus::Ready, 1, "g1"),
            zone("b", ZoneStatus::Failed, 1, "g2"),
        ]
        .into())));
        let texts: Vec<_> = a.toasts.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts[0], "a is READY");
        assert!(texts[1].contains("check that the Gateway of g2 is active"));
        a.update(Action::Tick(t(30)));
        assert!(a.toasts.is_empty(), "toasts expire");
        // Console 1.34+ says why: the toast does.
        a.update(Action::ZonesLoaded(Ok(vec![zone(
            "c",
            ZoneStatus::Pending,
            1,
            "g1",
        )]
        .into())));
        let mut failed = zone("c", ZoneStatus::Failed, 1, "g1");
        failed.metadata.failed_reason = Some("Failed to map topic 't'".into());
        a.update(Action::ZonesLoaded(Ok(vec![failed].into())));
        assert_eq!(a.toasts[0].text, "c FAILED: Failed to map topic 't'");
    }

    #[test]
    fn open_detail_and_back_and_filter() {
        let mut a = app();
        a.update(Action::ZonesLoaded(Ok(vec![
            zone("a", ZoneStatus::Ready, 1, "g"),
            zone("b", ZoneStatus::Ready, 1, "g"),
        ]
        .into())));
        a.update(Action::Down);
        let fx = a.update(Action::Open);
        assert_eq!(fx, vec![Effect::FetchZone("b".into())]);
        assert!(a.current_zone().is_none(), "loading until its copy comes");
        assert_eq!(a.current_name().as_deref(), Some("b"));
        a.update(Action::ZoneLoaded(
            "b".into(),
            Ok(zone("b", ZoneStatus::Ready, 1, "g")),
        ));
        assert_eq!(a.current_zone().unwrap().metadata.name, "b");
        assert_eq!(a.update(Action::Tick(t(10))).len(), 2, "list and open zone");
        a.update(Action::Back);
        assert_eq!(a.screen, Screen::List);
        a.update(Action::FilterStart);
        a.update(Action::FilterInput(input::char_key('b')));
        assert_eq!(a.list.visible_len(), 1);
        a.update(Action::FilterDone);
        assert!(!a.list.filtering);
        a.update(Action::Back);
        assert_eq!(a.list.visible_len(), 2, "esc clears the filter");
    }

    #[test]
    fn copy_yaml_copies_the_zone_as_the_console_has_it_now() {
        let mut a = app();
        a.update(Action::ZonesLoaded(Ok(vec![zone(
            "a",
            ZoneStatus::Ready,
            1,
            "g",
        )]
        .into())));
        // The list keeps a row, not the zone: it is fetched first.
        let fx = a.update(Action::CopyYaml);
        assert_eq!(fx, vec![Effect::FetchZone("a".into())]);
        let mut now = zone("a", ZoneStatus::Ready, 1, "g");
        now.spec.description = Some("changed since the list".into());
        let fx = a.update(Action::ZoneLoaded("a".into(), Ok(now)));
        match &fx[..] {
            [Effect::Copy { text, what, .. }] => {
                assert!(text.expose().contains("kind: PartnerZone"));
                assert!(text.expose().contains("changed since the list"));
                assert!(what.contains("YAML"));
            }
            other => panic!("{other:?}"),
        }
        assert!(a.waiting.is_none() && a.fetched.is_none());
    }

    #[test]
    fn a_fetch_for_an_action_follows_the_selection_and_the_console() {
        let mut a = app();
        a.update(Action::ZonesLoaded(Ok(vec![
            zone("a", ZoneStatus::Ready, 1, "g"),
            zone("b", ZoneStatus::Ready, 1, "g"),
        ]
        .into())));
        // The selection moved while the zone was on its way: nothing is
        // done to either zone.
        assert_eq!(
            a.update(Action::CopyYaml),
            vec![Effect::FetchZone("a".into())]
        );
        a.update(Action::Down);
        let a_now = zone("a", ZoneStatus::Ready, 1, "g");
        assert!(
            a.update(Action::ZoneLoaded("a".into(), Ok(a_now)))
                .is_empty()
        );
        assert!(a.fetched.is_none());
        // Gone meanwhile: said so.
        assert_eq!(
            a.update(Action::CopyYaml),
            vec![Effect::FetchZone("b".into())]
        );
        let gone = ApiError::NotFound(crate::api::ErrorBody::new("gone", "b"));
        assert!(
            a.update(Action::ZoneLoaded("b".into(), Err(gone)))
                .is_empty()
        );
        assert!(a.toasts.iter().any(|t| t.text == "b no longer exists"));
        // Opened, before its copy came: the action waits for it; then the
        // open zone's copy serves at once.
        a.update(Action::Open);
        assert_eq!(
            a.update(Action::CopyYaml),
            vec![Effect::FetchZone("b".into())]
        );
        let fx = a.update(Action::ZoneLoaded(
            "b".into(),
            Ok(zone("b", ZoneStatus::Ready, 1, "g")),
        ));
        assert!(matches!(&fx[..], [Effect::Copy { .. }]), "{fx:?}");
        assert!(a.current_zone().is_some());
        assert!(matches!(
            &a.update(Action::CopyYaml)[..],
            [Effect::Copy { .. }]
        ));
        // Back on the list, `esc` stops a wait: the late answer does nothing.
        a.update(Action::Back);
        assert_eq!(
            a.update(Action::CopyYaml),
            vec![Effect::FetchZone("b".into())]
        );
        let esc = crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Esc);
        let held = keys::action_for(&a, esc).unwrap();
        assert!(matches!(held, Action::StopWaiting));
        a.update(held);
        assert!(a.waiting.is_none());
        let late = zone("b", ZoneStatus::Ready, 1, "g");
        assert!(
            a.update(Action::ZoneLoaded("b".into(), Ok(late)))
                .is_empty()
        );
    }
}
