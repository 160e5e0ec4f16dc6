//! The create/edit wizard: its state, the step machine and the conversion to
//! a zone. Each step's keys and checks live in the module named after it,
//! mirroring `ui::wizard`. The state is plain data, saved as a draft after
//! every change so that a dropped session loses nothing.

pub mod details;
pub mod draft;
pub mod fields;
pub mod from_zone;
pub mod headers;
pub mod review;
pub mod topics;
pub mod traffic;

use std::collections::BTreeMap;

use compact_str::CompactString;
use crossterm::event::KeyEvent;
use serde::{Deserialize, Serialize};

use super::{Action, App, Effect, Screen, ToastKind};
use crate::api::{
    ApiError, ApplyResult, KafkaCluster, Partner, PartnerZone, Permission, Topic,
    TrafficControlPolicies, UpsertResult, ZoneMetadata, ZoneSpec, ZoneTopic,
};
pub use details::{Editor, Field};
pub use review::Verdict;
pub use topics::Chosen;
pub use traffic::{LIMITS, Limit};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    Details,
    Topics,
    Traffic,
    Review,
}

impl Step {
    pub const ALL: [Step; 4] = [Step::Details, Step::Topics, Step::Traffic, Step::Review];

    pub fn title(self) -> &'static str {
        match self {
            Step::Details => "Details",
            Step::Topics => "Topics",
            Step::Traffic => "Traffic control",
            Step::Review => "Review",
        }
    }

    fn index(self) -> usize {
        Step::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
}

/// Where an error is shown: a Details field, or a whole step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Place {
    Field(Field),
    Topics,
    Traffic(usize),
}

/// The wizard's whole state, UI included; what is saved is its
/// [`draft::Draft`].
#[derive(Clone, Debug, PartialEq)]
pub struct Wizard {
    /// The zone being edited, as the server had it (keeps unknown fields).
    pub original: Option<PartnerZone>,
    /// A zone loaded by `:apply`: sent as it is.
    pub from_file: Option<PartnerZone>,
    pub step: Step,
    pub field: Field,
    pub values: BTreeMap<Field, String>,
    pub id_edited: bool,
    pub account_edited: bool,
    pub cluster: String,
    pub search: crate::app::input::TextInput,
    pub searching: bool,
    pub cursor: usize,
    pub chosen: Vec<Chosen>,
    pub renaming: Option<crate::app::input::TextInput>,
    pub limits: Vec<Limit>,
    pub limit_focus: usize,
    /// The focused limit's text input (which limit, and it).
    pub limit_input: Option<(usize, crate::app::input::TextInput)>,
    pub errors: BTreeMap<Place, String>,
    pub verdict: Verdict,
    pub submitting: bool,
    pub confirm_leave: bool,
    pub notice: Option<String>,
    pub review_scroll: u16,
    /// The editor of the focused Details field.
    pub editor: Editor,
    /// Topics step: the focus is on the list of what is shared.
    pub shared_focus: bool,
    pub shared_cursor: usize,
    /// The entry of `chosen` being renamed.
    pub rename_target: Option<usize>,
    pub clusters: Vec<KafkaCluster>,
    pub topics: Vec<Topic>,
    /// The Console's generation (what it takes), when known.
    pub generation: Option<crate::api::Generation>,
    /// The Traffic step's header rows, as typed (`headers`).
    pub header_add: String,
    pub header_remove: String,
}

/// What the wizard reacts to: keys, and the answers of its requests.
/// What a bound key asks of the wizard (see the key table, `app::keys`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WizardCmd {
    /// Leave (asks first), leave for good, or stay.
    Leave,
    LeaveYes,
    Stay,
    NextStep,
    PrevStep,
    NextField,
    PrevField,
    /// Enter: the next field, a newline in the description, or the
    /// review's check and apply.
    Enter,
    Up,
    Down,
    PageUp,
    PageDown,
    Search,
    SearchDone,
    /// Space: add/remove a topic, remove a shared entry, a limit on/off.
    Toggle,
    AnotherAlias,
    Write,
    Rename,
    RenameDone,
    RenameCancel,
    /// Between the topics and what is shared.
    SwitchFocus,
}

#[derive(Debug)]
pub enum WizardAction {
    New,
    Edit,
    /// `C`: a new zone with the selected one's topics, limits, labels,
    /// headers and authentication type.
    Clone,
    /// A bound key's command.
    Cmd(WizardCmd),
    /// A key typed into the focused text (a field, the search, an alias, a
    /// limit).
    Key(KeyEvent),
    FromFile(Result<PartnerZone, String>),
    ClustersLoaded(Result<Vec<KafkaCluster>, ApiError>),
    TopicsLoaded(String, Result<Vec<Topic>, ApiError>),
    Checked(Result<ApplyResult, ApiError>),
    Applied(Result<ApplyResult, ApiError>),
}

impl Wizard {
    pub fn new() -> Wizard {
        Wizard {
            original: None,
            from_file: None,
            step: Step::Details,
            field: Field::Name,
            values: BTreeMap::new(),
            id_edited: false,
            account_edited: false,
            cluster: String::new(),
            search: Default::default(),
            searching: false,
            cursor: 0,
            chosen: Vec::new(),
            renaming: None,
            limits: LIMITS
                .iter()
                .map(|_| Limit {
                    enabled: false,
                    text: String::new(),
                })
                .collect(),
            limit_focus: 0,
            limit_input: None,
            errors: BTreeMap::new(),
            verdict: Verdict::Unchecked,
            submitting: false,
            confirm_leave: false,
            notice: None,
            review_scroll: 0,
            editor: Editor::default(),
            shared_focus: false,
            shared_cursor: 0,
            rename_target: None,
            clusters: Vec::new(),
            topics: Vec::new(),
            generation: None,
            header_add: String::new(),
            header_remove: String::new(),
        }
    }

    /// Whether this Console takes headers and zone labels (1.34+, or not
    /// known).
    pub fn takes_headers(&self) -> bool {
        self.generation.is_none_or(|g| g.has_authentication_mode())
    }

    pub fn editing(&self) -> bool {
        self.original.is_some()
    }

    /// Checks a step; errors are marked inline. Returns whether it is valid.
    fn check_step(&mut self, step: Step) -> bool {
        match step {
            Step::Details => self.check_details(),
            Step::Topics => self.check_topics(),
            Step::Traffic => self.check_limits(),
            Step::Review => true,
        }
    }

    /// The zone the wizard describes.
    pub fn to_zone(&self) -> PartnerZone {
        if let Some(z) = &self.from_file {
            return z.clone();
        }
        let mut z = self.original.clone().unwrap_or_else(|| PartnerZone {
            api_version: crate::api::API_VERSION.into(),
            kind: crate::api::ZONE_KIND.into(),
            metadata: ZoneMetadata::default(),
            spec: ZoneSpec::default(),
            extra: Default::default(),
        });
        let opt =
            |f: Field| Some(self.value(f).trim().into()).filter(|s: &CompactString| !s.is_empty());
        z.metadata.name = self.value(Field::Id).trim().into();
        let s = &mut z.spec;
        s.cluster = self.cluster.as_str().into();
        s.display_name = opt(Field::Name);
        s.description = Some(CompactString::from(self.value(Field::Description)))
            .filter(|d| !d.trim().is_empty());
        s.url = opt(Field::Url);
        let account = CompactString::from(self.value(Field::Account).trim());
        let auth = CompactString::from(self.auth());
        match &mut s.authentication_mode {
            Some(mode) => {
                mode.kind = auth;
                mode.service_account = Some(account.clone());
                if s.service_account.is_some() {
                    s.service_account = Some(account);
                }
            }
            None if auth != "PLAIN" => {
                s.service_account = None;
                s.authentication_mode = Some(crate::api::AuthenticationMode {
                    kind: auth,
                    service_account: Some(account),
                    extra: Default::default(),
                });
            }
            None => s.service_account = Some(account),
        }
        s.headers = headers::headers(&self.header_add, &self.header_remove, s.headers.as_deref())
            .map(Box::new);
        let old_topics = std::mem::take(&mut s.topics);
        s.topics = self
            .chosen
            .iter()
            .map(|c| {
                let old = old_topics.iter().find(|t| {
                    t.backing_topic == c.backing
                        && Some(t.name.as_str()) == c.shared_alias.as_deref()
                });
                ZoneTopic {
                    name: c.alias.as_str().into(),
                    backing_topic: c.backing.as_str().into(),
                    permission: if c.write {
                        Permission::Write
                    } else {
                        Permission::Read
                    },
                    extra: old.map(|t| t.extra.clone()).unwrap_or_default(),
                }
            })
            .collect();
        let partner_name = opt(Field::PartnerName);
        s.partner = partner_name.map(|name| Partner {
            name,
            role: opt(Field::PartnerRole),
            email: opt(Field::PartnerEmail),
            phone: opt(Field::PartnerPhone),
            extra: s
                .partner
                .as_ref()
                .map(|p| p.extra.clone())
                .unwrap_or_default(),
        });
        let value = |i: usize| self.limit_value(i);
        let tcp = TrafficControlPolicies {
            max_produce_rate: value(0),
            max_consume_rate: value(1),
            limit_commit_offset: value(2),
            extra: s
                .traffic_control_policies
                .as_ref()
                .map(|t| t.extra.clone())
                .unwrap_or_default(),
        };
        let empty = tcp.max_produce_rate.is_none()
            && tcp.max_consume_rate.is_none()
            && tcp.limit_commit_offset.is_none()
            && tcp.extra.is_empty();
        s.traffic_control_policies = (!empty).then(|| Box::new(tcp));
        if let Ok(labels) = details::parse_labels(self.value(Field::Labels))
            && self.takes_headers()
        {
            z.metadata.labels = labels;
        }
        // A new zone in the shape this Console takes, as it will be sent;
        // an edited one keeps the shape it had.
        if self.original.is_none()
            && let Ok(shaped) = crate::api::generation::write_shape(&z, self.generation)
        {
            return shaped;
        }
        z
    }
}

impl Default for Wizard {
    fn default() -> Self {
        Wizard::new()
    }
}

fn wizard_mut(app: &mut App) -> Option<&mut Wizard> {
    match &mut app.screen {
        Screen::Wizard(w) => Some(w),
        _ => None,
    }
}

/// Applies a wizard action; returns the effects, always with the draft.
pub fn update(app: &mut App, action: WizardAction) -> Vec<Effect> {
    let mut fx = Vec::new();
    match action {
        WizardAction::New | WizardAction::Edit | WizardAction::FromFile(_) if !app.writable() => {
            if let Some(why) = app.forbidden.clone() {
                app.set_status(crate::app::status::Origin::Refused, why);
            }
        }
        WizardAction::New if app.gateways == Some(0) => {
            app.set_status(
                crate::app::status::Origin::Refused,
                crate::app::connection::NO_GATEWAY,
            );
        }
        WizardAction::New => {
            let w = match app.draft.take() {
                Some(d) => {
                    app.toast(ToastKind::Info, "Resumed your draft");
                    d
                }
                None => Wizard::new(),
            };
            open(app, w, &mut fx);
        }
        WizardAction::Edit => match app.zone_for(Action::Wizard(WizardAction::Edit)) {
            Ok(z) => open(app, Wizard::edit(&z), &mut fx),
            Err(fetch) => fx.extend(fetch),
        },
        WizardAction::Clone => match app.zone_for(Action::Wizard(WizardAction::Clone)) {
            Ok(z) => open(app, Wizard::clone_of(&z), &mut fx),
            Err(fetch) => fx.extend(fetch),
        },
        WizardAction::FromFile(Err(e)) => {
            app.set_status(crate::app::status::Origin::File, e);
        }
        WizardAction::FromFile(Ok(zone)) => {
            // A zone the Console has: the wizard edits its current copy.
            let existing = match app.list.zones().find(&zone.metadata.name) {
                None => None,
                Some(_) => {
                    let name = zone.metadata.name.to_string();
                    let then = Action::Wizard(WizardAction::FromFile(Ok(zone.clone())));
                    match app.zone_named(&name, then) {
                        Ok(z) => Some(z),
                        Err(fetch) => return fetch,
                    }
                }
            };
            let mut w = match &existing {
                Some(z) => Wizard::edit(z),
                None => Wizard::edit(&zone),
            };
            if existing.is_none() {
                w.original = None;
            }
            w.from_file = Some(zone);
            w.generation = app.connection.generation;
            w.step = Step::Review;
            w.verdict = Verdict::Checking;
            fx.push(Effect::DryRun(Box::new(w.to_zone())));
            app.screen = Screen::Wizard(Box::new(w));
            return fx;
        }
        WizardAction::ClustersLoaded(result) => {
            if let Some(w) = wizard_mut(app) {
                w.clusters_loaded(result, &mut fx);
            }
            return fx;
        }
        WizardAction::TopicsLoaded(cluster, result) => {
            if let Some(w) = wizard_mut(app) {
                w.topics_loaded(&cluster, result);
            }
            return fx;
        }
        WizardAction::Checked(result) => {
            if let Some(w) = wizard_mut(app) {
                w.checked(result);
            }
            return fx;
        }
        WizardAction::Applied(result) => {
            applied(app, result, &mut fx);
            return fx;
        }
        WizardAction::Cmd(cmd) => command(app, cmd, &mut fx),
        WizardAction::Key(key) => typed(app, key),
    }
    let draft = match &app.screen {
        Screen::Wizard(w) if w.from_file.is_none() => Some(w.clone()),
        _ => None,
    };
    if let Some(w) = draft {
        let seq = app.next_draft_seq();
        fx.push(Effect::SaveDraft(w, seq));
    }
    fx
}

fn open(app: &mut App, mut w: Wizard, fx: &mut Vec<Effect>) {
    w.generation = app.connection.generation;
    let cluster = w.cluster.clone();
    app.overlay = None;
    app.screen = Screen::Wizard(Box::new(w));
    fx.push(Effect::LoadClusters);
    if !cluster.is_empty() {
        fx.push(Effect::LoadTopics(cluster));
    }
}

fn applied(app: &mut App, result: Result<ApplyResult, ApiError>, fx: &mut Vec<Effect>) {
    let Some(w) = wizard_mut(app) else { return };
    w.submitting = false;
    match result {
        Ok(r) => {
            let name = r.resource.metadata.name.clone();
            let verb = match r.upsert_result {
                UpsertResult::Created => "Created",
                UpsertResult::Updated => "Updated",
                _ => "No change to",
            };
            app.detail = Some(r.resource);
            app.screen = Screen::Detail {
                name: name.to_string(),
                scroll: 0,
            };
            app.poll.now();
            app.toast(
                ToastKind::Success,
                format!("{verb} {name}: deploying (follow it here; c for credentials)"),
            );
            let seq = app.next_draft_seq();
            fx.push(Effect::DeleteDraft(seq));
        }
        Err(e) => {
            // Everything typed stays; the user fixes it or retries.
            let text = e.to_string();
            w.place_server_error(&text);
            w.verdict = Verdict::Invalid(text.clone());
            app.set_status(crate::app::status::Origin::Request, text);
        }
    }
}

fn go_to(w: &mut Wizard, step: Step, fx: &mut Vec<Effect>) {
    w.step = step;
    w.notice = None;
    w.review_scroll = 0;
    if step == Step::Review {
        w.verdict = Verdict::Checking;
        fx.push(Effect::DryRun(Box::new(w.to_zone())));
    }
    // A list that failed to load is asked for again on the way in.
    if step == Step::Topics && w.topics.is_empty() && !w.cluster.is_empty() {
        w.errors.remove(&Place::Topics);
        fx.push(Effect::LoadTopics(w.cluster.clone()));
    }
    if step == Step::Details && w.clusters.is_empty() {
        fx.push(Effect::LoadClusters);
    }
}

fn command(app: &mut App, cmd: WizardCmd, fx: &mut Vec<Effect>) {
    let Some(w) = wizard_mut(app) else { return };
    match cmd {
        WizardCmd::LeaveYes => {
            app.screen = Screen::List;
            let seq = app.next_draft_seq();
            fx.push(Effect::DeleteDraft(seq));
        }
        WizardCmd::Stay => w.confirm_leave = false,
        _ if w.submitting => {}
        WizardCmd::Leave => w.confirm_leave = true,
        WizardCmd::NextStep => {
            let i = w.step.index();
            if i + 1 < Step::ALL.len() && w.check_step(w.step) {
                go_to(w, Step::ALL[i + 1], fx);
            }
        }
        WizardCmd::PrevStep => {
            let i = w.step.index();
            if i > 0 && w.from_file.is_none() {
                go_to(w, Step::ALL[i - 1], fx);
            }
        }
        other => match w.step {
            Step::Details => details::command(w, other, fx),
            Step::Topics => topics::command(w, other),
            Step::Traffic => traffic::command(w, other),
            Step::Review => review::command(w, other, fx),
        },
    }
}

/// A key typed into what has the focus.
fn typed(app: &mut App, key: KeyEvent) {
    let Some(w) = wizard_mut(app) else { return };
    if w.submitting || w.confirm_leave {
        return;
    }
    match w.step {
        Step::Details => w.edit_text(key),
        Step::Topics => topics::typed(w, key),
        Step::Traffic => traffic::typed(w, key),
        Step::Review => {}
    }
}
