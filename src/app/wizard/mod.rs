//! The create/edit wizard: Details → Topics → Traffic control → Review.
//! Its state is plain data, saved as a draft after every change so that a
//! dropped session loses nothing.

pub mod fields;

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::{Deserialize, Serialize};

use super::{App, Effect, Screen, ToastKind};
use crate::api::{
    ApiError, ApplyResult, KafkaCluster, Partner, PartnerZone, Permission, Topic,
    TrafficControlPolicies, UpsertResult, ZoneMetadata, ZoneSpec, ZoneTopic, is_valid_name,
};
use fields::{derive_id, duplicate_alias, parse_count, parse_rate};

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

/// The Details fields, in `tab` order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Field {
    Name,
    Id,
    Account,
    Gateway,
    Url,
    Description,
    PartnerName,
    PartnerRole,
    PartnerEmail,
    PartnerPhone,
}

impl Field {
    pub const ALL: [Field; 10] = [
        Field::Name,
        Field::Id,
        Field::Account,
        Field::Gateway,
        Field::Url,
        Field::Description,
        Field::PartnerName,
        Field::PartnerRole,
        Field::PartnerEmail,
        Field::PartnerPhone,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Field::Name => "Name",
            Field::Id => "Technical ID",
            Field::Account => "Service account",
            Field::Gateway => "Gateway",
            Field::Url => "URL",
            Field::Description => "Description",
            Field::PartnerName => "Partner name",
            Field::PartnerRole => "Partner role",
            Field::PartnerEmail => "Partner email",
            Field::PartnerPhone => "Partner phone",
        }
    }
}

/// Where an error is shown: a Details field, or a whole step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Place {
    Field(Field),
    Topics,
    Traffic(usize),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Chosen {
    pub backing: String,
    pub alias: String,
    pub write: bool,
    /// The alias the partner already uses (editing a shared topic).
    pub shared_alias: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Limit {
    pub enabled: bool,
    pub text: String,
}

pub const LIMITS: [(&str, &str); 3] = [
    ("Max produce rate", "bytes/s, e.g. 1MB/s"),
    ("Max consume rate", "bytes/s, e.g. 5MB/s"),
    ("Commit offsets", "requests per minute, e.g. 30"),
];

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Verdict {
    Unchecked,
    Checking,
    Valid(UpsertResult),
    Invalid(String),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    pub search: String,
    pub searching: bool,
    pub cursor: usize,
    pub chosen: Vec<Chosen>,
    pub renaming: Option<String>,
    pub limits: Vec<Limit>,
    pub limit_focus: usize,
    pub errors: BTreeMap<Place, String>,
    pub verdict: Verdict,
    pub submitting: bool,
    pub confirm_leave: bool,
    pub notice: Option<String>,
    #[serde(default)]
    pub review_scroll: u16,
    /// The editor of the focused Details field.
    #[serde(skip)]
    pub editor: Editor,
    /// Topics step: the focus is on the list of what is shared.
    #[serde(default)]
    pub shared_focus: bool,
    #[serde(default)]
    pub shared_cursor: usize,
    /// The entry of `chosen` being renamed.
    #[serde(default)]
    pub rename_target: Option<usize>,
    #[serde(skip)]
    pub clusters: Vec<KafkaCluster>,
    #[serde(skip)]
    pub topics: Vec<Topic>,
}

/// What the wizard reacts to: keys, and the answers of its requests.
#[derive(Debug)]
pub enum WizardAction {
    New,
    Edit,
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
            search: String::new(),
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
        }
    }

    /// The wizard filled from an existing zone; its technical ID is fixed.
    pub fn edit(zone: &PartnerZone) -> Wizard {
        let mut w = Wizard::new();
        let s = &zone.spec;
        let p = s.partner.clone().unwrap_or_default();
        for (f, v) in [
            (Field::Name, s.display_name.clone().unwrap_or_default()),
            (Field::Id, zone.metadata.name.clone()),
            (
                Field::Account,
                s.service_account_name().unwrap_or_default().to_string(),
            ),
            (Field::Url, s.url.clone().unwrap_or_default()),
            (
                Field::Description,
                s.description.clone().unwrap_or_default(),
            ),
            (Field::PartnerName, p.name),
            (Field::PartnerRole, p.role.unwrap_or_default()),
            (Field::PartnerEmail, p.email.unwrap_or_default()),
            (Field::PartnerPhone, p.phone.unwrap_or_default()),
        ] {
            w.values.insert(f, v);
        }
        w.id_edited = true;
        w.account_edited = true;
        w.editor = Editor::for_text(Field::Name, w.value(Field::Name));
        w.cluster = s.cluster.clone();
        w.chosen = s
            .topics
            .iter()
            .map(|t| Chosen {
                backing: t.backing_topic.clone(),
                alias: t.name.clone(),
                write: t.permission == Permission::Write,
                shared_alias: Some(t.name.clone()),
            })
            .collect();
        if let Some(tcp) = &s.traffic_control_policies {
            for (i, v) in [
                &tcp.max_produce_rate,
                &tcp.max_consume_rate,
                &tcp.limit_commit_offset,
            ]
            .into_iter()
            .enumerate()
            {
                if let Some(v) = v {
                    w.limits[i] = Limit {
                        enabled: true,
                        text: v.to_string(),
                    };
                }
            }
        }
        let mut original = zone.clone();
        original.metadata.status = None;
        original.metadata.updated_at = None;
        original.metadata.id = None;
        w.original = Some(original);
        w
    }

    pub fn editing(&self) -> bool {
        self.original.is_some()
    }

    pub fn value(&self, f: Field) -> &str {
        self.values.get(&f).map(String::as_str).unwrap_or("")
    }

    fn set(&mut self, f: Field, v: String) {
        self.values.insert(f, v);
    }

    pub fn gateways(&self) -> impl Iterator<Item = &KafkaCluster> {
        self.clusters.iter().filter(|c| c.is_gateway())
    }

    /// Topics of the gateway that match the search (name, or a label as
    /// `key=value`).
    pub fn visible_topics(&self) -> Vec<&Topic> {
        let needle = self.search.to_lowercase();
        self.topics
            .iter()
            .filter(|t| {
                needle.is_empty()
                    || t.metadata.name.to_lowercase().contains(&needle)
                    || t.metadata
                        .labels
                        .iter()
                        .any(|(k, v)| format!("{k}={v}").to_lowercase().contains(&needle))
            })
            .collect()
    }

    /// Whether the focused field takes text (the Gateway is chosen, and
    /// the ID of an existing zone is fixed).
    fn editable(&self) -> bool {
        !(self.field == Field::Gateway || (self.field == Field::Id && self.editing()))
    }

    /// Moves the focus to `f`, with the cursor at the end of its text.
    fn focus(&mut self, f: Field) {
        self.mark(self.field);
        self.field = f;
        self.editor = Editor::for_text(f, self.value(f));
    }

    /// Hands a key to the focused field's editor; a change of text is
    /// applied like any other (derived fields follow, errors clear).
    fn edit_text(&mut self, key: KeyEvent) {
        if !self.editable() {
            return;
        }
        let f = self.field;
        if self.editor.field != Some(f) {
            self.editor = Editor::for_text(f, self.value(f));
        }
        if let Some(text) = self.editor.input(key)
            && text != self.value(f)
        {
            self.changed(f, text);
        }
    }

    /// The cursor of the focused field, as a character index into its text.
    pub fn cursor(&self) -> usize {
        match (&self.editor.area, self.editor.field) {
            (Some(area), Some(f)) if f == self.field => {
                let ratatui_textarea::DataCursor(row, col) = area.cursor();
                area.lines()
                    .iter()
                    .take(row)
                    .map(|l| l.chars().count() + 1)
                    .sum::<usize>()
                    + col
            }
            _ => self.value(self.field).chars().count(),
        }
    }

    /// A field changed: the ID and account follow the name until edited.
    fn changed(&mut self, f: Field, v: String) {
        match f {
            Field::Name => {
                if !self.id_edited {
                    self.set(Field::Id, derive_id(&v));
                }
                if !self.account_edited {
                    self.set(Field::Account, derive_id(&v));
                }
            }
            Field::Id => self.id_edited = true,
            Field::Account => self.account_edited = true,
            _ => {}
        }
        self.set(f, v);
        self.errors.remove(&Place::Field(f));
        self.verdict = Verdict::Unchecked;
    }

    /// The reason a field is invalid, if it is.
    pub fn check_field(&self, f: Field) -> Option<String> {
        let v = self.value(f).trim();
        match f {
            Field::Name if v.is_empty() => Some("a name is required".into()),
            Field::Id if v.is_empty() => Some("a technical ID is required".into()),
            Field::Id if !is_valid_name(v) => {
                Some("lowercase letters, digits, '_', '-' and '.' only".into())
            }
            Field::Account if v.is_empty() => Some("a service account is required".into()),
            Field::Account
                if !v
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')) =>
            {
                Some("letters, digits, '_', '-' and '.' only".into())
            }
            Field::Gateway if self.cluster.is_empty() => Some(if self.clusters.is_empty() {
                "loading the clusters…".into()
            } else {
                "choose a Gateway cluster".into()
            }),
            Field::Url
                if !(v.is_empty() || v.starts_with("http://") || v.starts_with("https://")) =>
            {
                Some("start with http:// or https://".into())
            }
            Field::PartnerEmail if !v.is_empty() && !v.contains('@') => {
                Some("not an email address".into())
            }
            Field::PartnerName
                if v.is_empty()
                    && [Field::PartnerRole, Field::PartnerEmail, Field::PartnerPhone]
                        .iter()
                        .any(|f| !self.value(*f).trim().is_empty()) =>
            {
                Some("a contact needs a name".into())
            }
            _ => None,
        }
    }

    fn mark(&mut self, f: Field) {
        match self.check_field(f) {
            Some(e) => {
                self.errors.insert(Place::Field(f), e);
            }
            None => {
                self.errors.remove(&Place::Field(f));
            }
        }
    }

    fn check_topics(&mut self) -> bool {
        self.errors.remove(&Place::Topics);
        let problem = if self.chosen.is_empty() {
            Some("choose at least one topic (space)".to_string())
        } else if let Some(a) = duplicate_alias(self.chosen.iter().map(|c| c.alias.as_str())) {
            Some(format!("the alias '{a}' is used twice; rename one (r)"))
        } else {
            self.chosen
                .iter()
                .find(|c| {
                    c.alias.is_empty()
                        || !c
                            .alias
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
                })
                .map(|c| format!("'{}' is not a valid topic alias", c.alias))
        };
        match problem {
            Some(p) => {
                self.errors.insert(Place::Topics, p);
                false
            }
            None => true,
        }
    }

    fn check_limits(&mut self) -> bool {
        let mut ok = true;
        for i in 0..self.limits.len() {
            self.errors.remove(&Place::Traffic(i));
            let l = &self.limits[i];
            if !l.enabled {
                continue;
            }
            let parsed = if i == 2 {
                parse_count(&l.text)
            } else {
                parse_rate(&l.text)
            };
            if let Err(e) = parsed {
                self.errors.insert(Place::Traffic(i), e);
                ok = false;
            }
        }
        ok
    }

    /// Checks a step; errors are marked inline. Returns whether it is valid.
    fn check_step(&mut self, step: Step) -> bool {
        match step {
            Step::Details => {
                for f in Field::ALL {
                    self.mark(f);
                }
                !self.errors.keys().any(|p| matches!(p, Place::Field(_)))
            }
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
        let opt = |f: Field| Some(self.value(f).trim().to_string()).filter(|s| !s.is_empty());
        z.metadata.name = self.value(Field::Id).trim().to_string();
        let s = &mut z.spec;
        s.cluster = self.cluster.clone();
        s.display_name = opt(Field::Name);
        s.description =
            Some(self.value(Field::Description).to_string()).filter(|d| !d.trim().is_empty());
        s.url = opt(Field::Url);
        let account = self.value(Field::Account).trim().to_string();
        match &mut s.authentication_mode {
            Some(mode) => {
                mode.service_account = Some(account.clone());
                if s.service_account.is_some() {
                    s.service_account = Some(account);
                }
            }
            None => s.service_account = Some(account),
        }
        let old_topics = std::mem::take(&mut s.topics);
        s.topics = self
            .chosen
            .iter()
            .map(|c| {
                let old = old_topics.iter().find(|t| {
                    t.backing_topic == c.backing && Some(&t.name) == c.shared_alias.as_ref()
                });
                ZoneTopic {
                    name: c.alias.clone(),
                    backing_topic: c.backing.clone(),
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
        let value = |i: usize| -> Option<serde_json::Value> {
            let l = &self.limits[i];
            if !l.enabled {
                return None;
            }
            let n = if i == 2 {
                parse_count(&l.text)
            } else {
                parse_rate(&l.text)
            };
            n.ok().map(serde_json::Value::from)
        };
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
        s.traffic_control_policies = (!empty).then_some(tcp);
        z
    }

    /// The review text: the YAML of a new zone, or a diff for an update.
    pub fn review_lines(&self) -> Vec<(char, String)> {
        let new = crate::cli::yaml::zone_to_yaml(&self.to_zone());
        let Some(original) = &self.original else {
            return new.lines().map(|l| (' ', l.to_string())).collect();
        };
        let old = crate::cli::yaml::zone_to_yaml(original);
        let diff = similar::TextDiff::from_lines(&old, &new);
        diff.iter_all_changes()
            .map(|c| {
                let sign = match c.tag() {
                    similar::ChangeTag::Delete => '-',
                    similar::ChangeTag::Insert => '+',
                    similar::ChangeTag::Equal => ' ',
                };
                (sign, c.value().trim_end_matches('\n').to_string())
            })
            .collect()
    }

    /// Attaches a server error to the place it concerns, where it says.
    fn place_server_error(&mut self, msg: &str) {
        let place = if msg.contains("metadata.name") {
            Some(Place::Field(Field::Id))
        } else if msg.contains("spec.cluster") {
            Some(Place::Field(Field::Gateway))
        } else if msg.contains("ervice account") || msg.contains("serviceAccount") {
            Some(Place::Field(Field::Account))
        } else if msg.contains("spec.topics") {
            Some(Place::Topics)
        } else if msg.contains("maxProduceRate") {
            Some(Place::Traffic(0))
        } else if msg.contains("maxConsumeRate") {
            Some(Place::Traffic(1))
        } else if msg.contains("limitCommitOffset") {
            Some(Place::Traffic(2))
        } else if msg.contains("spec.partner") {
            Some(Place::Field(Field::PartnerName))
        } else {
            None
        };
        if let Some(p) = place {
            self.errors.insert(p, msg.to_string());
        }
    }
}

/// The editor of the focused text field: ratatui-textarea, for cursor
/// movement, word jumps, kill and undo. The text itself lives in
/// `Wizard::values`; the editor is rebuilt from it on focus.
#[derive(Clone, Debug, Default)]
pub struct Editor {
    pub field: Option<Field>,
    pub area: Option<ratatui_textarea::TextArea<'static>>,
}

impl Editor {
    fn for_text(field: Field, text: &str) -> Editor {
        let mut area =
            ratatui_textarea::TextArea::new(text.split('\n').map(str::to_string).collect());
        area.move_cursor(ratatui_textarea::CursorMove::Bottom);
        area.move_cursor(ratatui_textarea::CursorMove::End);
        Editor {
            field: Some(field),
            area: Some(area),
        }
    }

    /// Applies a key; returns the text afterwards.
    fn input(&mut self, key: KeyEvent) -> Option<String> {
        let area = self.area.as_mut()?;
        area.input(key);
        Some(area.lines().join("\n"))
    }
}

impl PartialEq for Editor {
    fn eq(&self, other: &Editor) -> bool {
        let view = |e: &Editor| {
            e.area.as_ref().map(|a| {
                let ratatui_textarea::DataCursor(row, col) = a.cursor();
                (a.lines().to_vec(), row, col)
            })
        };
        self.field == other.field && view(self) == view(other)
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
        WizardAction::New | WizardAction::Edit | WizardAction::FromFile(_)
            if app.connection.read_only => {}
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
        WizardAction::Edit => {
            if let Some(z) = app.current_zone() {
                let w = Wizard::edit(z);
                open(app, w, &mut fx);
            }
        }
        WizardAction::FromFile(Err(e)) => {
            app.error = Some(e);
        }
        WizardAction::FromFile(Ok(zone)) => {
            let existing = app
                .list
                .zones()
                .iter()
                .find(|z| z.metadata.name == zone.metadata.name)
                .cloned();
            let mut w = match &existing {
                Some(z) => Wizard::edit(z),
                None => Wizard::edit(&zone),
            };
            if existing.is_none() {
                w.original = None;
            }
            w.from_file = Some(zone);
            w.step = Step::Review;
            w.verdict = Verdict::Checking;
            fx.push(Effect::DryRun(Box::new(w.to_zone())));
            app.screen = Screen::Wizard(Box::new(w));
            return fx;
        }
        WizardAction::ClustersLoaded(result) => {
            if let Some(w) = wizard_mut(app) {
                match result {
                    Ok(clusters) => {
                        w.clusters = clusters;
                        if w.cluster.is_empty() {
                            // The first healthy Gateway is preselected.
                            let healthy = w
                                .gateways()
                                .find(|c| !c.metadata.labels.contains_key("gateway-status"))
                                .or_else(|| w.gateways().next())
                                .map(|c| c.metadata.name.clone());
                            w.cluster = healthy.unwrap_or_default();
                        }
                        w.errors.remove(&Place::Field(Field::Gateway));
                        if !w.cluster.is_empty() {
                            fx.push(Effect::LoadTopics(w.cluster.clone()));
                        }
                    }
                    Err(e) => {
                        w.errors.insert(
                            Place::Field(Field::Gateway),
                            format!("cannot list clusters: {e}"),
                        );
                    }
                }
            }
            return fx;
        }
        WizardAction::TopicsLoaded(cluster, result) => {
            if let Some(w) = wizard_mut(app)
                && w.cluster == cluster
            {
                match result {
                    Ok(topics) => w.topics = topics,
                    Err(e) => {
                        w.errors
                            .insert(Place::Topics, format!("cannot list topics: {e}"));
                    }
                }
            }
            return fx;
        }
        WizardAction::Checked(result) => {
            if let Some(w) = wizard_mut(app) {
                w.verdict = match result {
                    Ok(r) => Verdict::Valid(r.upsert_result),
                    Err(e) => {
                        let text = e.to_string();
                        w.place_server_error(&text);
                        Verdict::Invalid(text)
                    }
                };
            }
            return fx;
        }
        WizardAction::Applied(result) => {
            applied(app, result, &mut fx);
            return fx;
        }
        WizardAction::Key(key) => key_pressed(app, key, &mut fx),
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

fn open(app: &mut App, w: Wizard, fx: &mut Vec<Effect>) {
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
                name: name.clone(),
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
            app.error = Some(text);
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

fn key_pressed(app: &mut App, key: KeyEvent, fx: &mut Vec<Effect>) {
    let Some(w) = wizard_mut(app) else { return };
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if w.confirm_leave {
        match key.code {
            KeyCode::Char('y') => {
                app.screen = Screen::List;
                let seq = app.next_draft_seq();
                fx.push(Effect::DeleteDraft(seq));
            }
            _ => w.confirm_leave = false,
        }
        return;
    }
    if w.submitting {
        return;
    }
    // Steps, the same on every step.
    if ctrl && matches!(key.code, KeyCode::Char('n') | KeyCode::Char('p')) {
        let i = w.step.index();
        if key.code == KeyCode::Char('n') {
            if i + 1 < Step::ALL.len() && w.check_step(w.step) {
                go_to(w, Step::ALL[i + 1], fx);
            }
        } else if i > 0 && w.from_file.is_none() {
            go_to(w, Step::ALL[i - 1], fx);
        }
        return;
    }
    match w.step {
        Step::Details => details_key(w, key, fx),
        Step::Topics => topics_key(w, key, fx),
        Step::Traffic => traffic_key(w, key),
        Step::Review => match key.code {
            KeyCode::Esc => w.confirm_leave = true,
            KeyCode::Up | KeyCode::Char('k') => w.review_scroll = w.review_scroll.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => {
                w.review_scroll = w.review_scroll.saturating_add(1).min(200)
            }
            KeyCode::PageUp => w.review_scroll = w.review_scroll.saturating_sub(10),
            KeyCode::PageDown => w.review_scroll = w.review_scroll.saturating_add(10).min(200),
            KeyCode::Enter => match w.verdict {
                Verdict::Valid(_) => {
                    w.submitting = true;
                    fx.push(Effect::Apply(Box::new(w.to_zone())));
                }
                Verdict::Checking => {}
                _ => {
                    w.verdict = Verdict::Checking;
                    fx.push(Effect::DryRun(Box::new(w.to_zone())));
                }
            },
            _ => {}
        },
    }
}

fn details_key(w: &mut Wizard, key: KeyEvent, fx: &mut Vec<Effect>) {
    let i = Field::ALL.iter().position(|f| *f == w.field).unwrap_or(0);
    match key.code {
        KeyCode::Esc => w.confirm_leave = true,
        KeyCode::Tab => w.focus(Field::ALL[(i + 1) % Field::ALL.len()]),
        KeyCode::BackTab => w.focus(Field::ALL[(i + Field::ALL.len() - 1) % Field::ALL.len()]),
        KeyCode::Up | KeyCode::Down if w.field == Field::Gateway => {
            let names: Vec<String> = w.gateways().map(|c| c.metadata.name.clone()).collect();
            if names.is_empty() {
                fx.push(Effect::LoadClusters);
                return;
            }
            let pos = names.iter().position(|n| *n == w.cluster);
            let next = match (pos, key.code) {
                (Some(p), KeyCode::Up) => (p + names.len() - 1) % names.len(),
                (Some(p), _) => (p + 1) % names.len(),
                (None, _) => 0,
            };
            if names[next] != w.cluster {
                w.cluster = names[next].clone();
                w.topics.clear();
                w.chosen.retain(|c| c.shared_alias.is_some());
                w.verdict = Verdict::Unchecked;
                fx.push(Effect::LoadTopics(w.cluster.clone()));
            }
            w.errors.remove(&Place::Field(Field::Gateway));
        }
        KeyCode::Enter if w.field != Field::Description => {
            w.focus(Field::ALL[(i + 1) % Field::ALL.len()])
        }
        // Everything else edits the field: characters, ←/→, Home/End,
        // Delete, ctrl-w, ctrl-k, undo (ctrl-u) and redo (ctrl-r).
        _ => w.edit_text(key),
    }
}

fn topics_key(w: &mut Wizard, key: KeyEvent, _fx: &mut Vec<Effect>) {
    if let Some(buf) = &mut w.renaming {
        match key.code {
            KeyCode::Esc => w.renaming = None,
            KeyCode::Backspace => {
                buf.pop();
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => buf.clear(),
            KeyCode::Char(_) if key.modifiers.contains(KeyModifiers::CONTROL) => {}
            KeyCode::Char(c) => buf.push(c),
            KeyCode::Enter => {
                let alias = buf.trim().to_string();
                w.renaming = None;
                if let Some(c) = w.rename_target.and_then(|i| w.chosen.get_mut(i)) {
                    c.alias = alias;
                    w.notice = c
                        .shared_alias
                        .as_ref()
                        .filter(|shared| **shared != c.alias)
                        .map(|shared| {
                            format!(
                                "'{shared}' is already shared: after this change the partner will no longer find it under that name"
                            )
                        });
                }
                w.check_topics();
                w.verdict = Verdict::Unchecked;
            }
            _ => {}
        }
        return;
    }
    if w.searching {
        match key.code {
            KeyCode::Enter | KeyCode::Esc => w.searching = false,
            KeyCode::Backspace => {
                w.search.pop();
                w.cursor = 0;
            }
            KeyCode::Char(c) => {
                w.search.push(c);
                w.cursor = 0;
            }
            KeyCode::Up => w.cursor = w.cursor.saturating_sub(1),
            KeyCode::Down => w.cursor += 1,
            _ => {}
        }
        let n = w.visible_topics().len();
        w.cursor = w.cursor.min(n.saturating_sub(1));
        return;
    }
    if key.code == KeyCode::Tab || key.code == KeyCode::BackTab {
        w.shared_focus = !w.shared_focus && !w.chosen.is_empty();
        w.shared_cursor = w.shared_cursor.min(w.chosen.len().saturating_sub(1));
        return;
    }
    if w.shared_focus {
        shared_key(w, key);
        return;
    }
    let visible: Vec<String> = w
        .visible_topics()
        .iter()
        .map(|t| t.metadata.name.clone())
        .collect();
    let current = visible.get(w.cursor).cloned();
    // The first entry sharing the topic under the cursor.
    let entry = current
        .as_ref()
        .and_then(|name| w.chosen.iter().position(|c| &c.backing == name));
    match key.code {
        KeyCode::Esc => w.confirm_leave = true,
        KeyCode::Char('/') => w.searching = true,
        KeyCode::Up | KeyCode::Char('k') => w.cursor = w.cursor.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => {
            w.cursor = (w.cursor + 1).min(visible.len().saturating_sub(1))
        }
        KeyCode::Char(' ') => match (entry, current) {
            (Some(i), _) => remove_entry(w, i),
            (None, Some(name)) => add_entry(w, name, false),
            (None, None) => {}
        },
        // Another alias of the same topic (the vendor's example shares one
        // topic twice).
        KeyCode::Char('a') => {
            if let Some(name) = current {
                add_entry(w, name, true);
            }
        }
        KeyCode::Char('w') => match entry {
            Some(i) => toggle_write(w, i),
            None => w.notice = Some("Add the topic first (space).".into()),
        },
        KeyCode::Char('r') => match entry {
            Some(i) => start_rename(w, i),
            None => w.notice = Some("Add the topic first (space), then rename it.".into()),
        },
        _ => {}
    }
}

/// Keys on the list of what is shared (after `tab`): each entry on its own.
fn shared_key(w: &mut Wizard, key: KeyEvent) {
    let i = w.shared_cursor;
    match key.code {
        KeyCode::Esc => w.confirm_leave = true,
        KeyCode::Up | KeyCode::Char('k') => w.shared_cursor = i.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => {
            w.shared_cursor = (i + 1).min(w.chosen.len().saturating_sub(1))
        }
        KeyCode::Char(' ') | KeyCode::Char('x') | KeyCode::Delete => remove_entry(w, i),
        KeyCode::Char('w') => toggle_write(w, i),
        KeyCode::Char('r') => start_rename(w, i),
        _ => {}
    }
    if w.chosen.is_empty() {
        w.shared_focus = false;
    }
    w.shared_cursor = w.shared_cursor.min(w.chosen.len().saturating_sub(1));
}

fn add_entry(w: &mut Wizard, backing: String, rename: bool) {
    // The backing name, or the first free `name-N` when it is taken.
    let mut alias = backing.clone();
    let mut n = 2;
    while w.chosen.iter().any(|c| c.alias == alias) {
        alias = format!("{backing}-{n}");
        n += 1;
    }
    w.chosen.push(Chosen {
        alias,
        backing,
        write: false,
        shared_alias: None,
    });
    w.notice = None;
    w.verdict = Verdict::Unchecked;
    w.check_topics();
    if rename {
        start_rename(w, w.chosen.len() - 1);
    }
}

fn remove_entry(w: &mut Wizard, i: usize) {
    if i >= w.chosen.len() {
        return;
    }
    if w.editing() && w.chosen.len() == 1 {
        w.notice = Some(
            "The last topic cannot be removed: a zone shares at least one topic. Delete the zone instead (d on the list)."
                .into(),
        );
        return;
    }
    w.chosen.remove(i);
    w.notice = None;
    w.verdict = Verdict::Unchecked;
    w.check_topics();
}

fn toggle_write(w: &mut Wizard, i: usize) {
    if let Some(c) = w.chosen.get_mut(i) {
        c.write = !c.write;
        w.verdict = Verdict::Unchecked;
    }
}

fn start_rename(w: &mut Wizard, i: usize) {
    if let Some(c) = w.chosen.get(i) {
        w.renaming = Some(c.alias.clone());
        w.rename_target = Some(i);
    }
}

fn traffic_key(w: &mut Wizard, key: KeyEvent) {
    let i = w.limit_focus;
    match key.code {
        KeyCode::Esc => w.confirm_leave = true,
        KeyCode::Tab | KeyCode::Down => w.limit_focus = (i + 1) % LIMITS.len(),
        KeyCode::BackTab | KeyCode::Up => w.limit_focus = (i + LIMITS.len() - 1) % LIMITS.len(),
        KeyCode::Char(' ') => w.limits[i].enabled = !w.limits[i].enabled,
        KeyCode::Backspace => {
            w.limits[i].text.pop();
        }
        KeyCode::Char(c) => {
            w.limits[i].text.push(c);
            w.limits[i].enabled = true;
        }
        _ => return,
    }
    w.verdict = Verdict::Unchecked;
    w.check_limits();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{Action, ConnectionInfo};
    use crate::theme::Theme;

    fn press(app: &mut App, code: KeyCode, modifiers: KeyModifiers) {
        app.update(Action::Wizard(WizardAction::Key(KeyEvent::new(
            code, modifiers,
        ))));
    }

    fn typed(app: &mut App, text: &str) {
        for c in text.chars() {
            press(app, KeyCode::Char(c), KeyModifiers::NONE);
        }
    }

    fn wizard(app: &App) -> &Wizard {
        match &app.screen {
            Screen::Wizard(w) => w,
            _ => panic!("not in the wizard"),
        }
    }

    #[test]
    fn fields_edit_at_the_cursor_and_derive_the_id() {
        let mut app = App::new(
            Theme::default(),
            ConnectionInfo::default(),
            chrono::Utc::now(),
        );
        app.update(Action::Wizard(WizardAction::New));
        typed(&mut app, "Contso Retail");
        for _ in 0.."so Retail".len() {
            press(&mut app, KeyCode::Left, KeyModifiers::NONE);
        }
        typed(&mut app, "o");
        assert_eq!(wizard(&app).value(Field::Name), "Contoso Retail");
        assert_eq!(wizard(&app).value(Field::Id), "contoso-retail");
        press(&mut app, KeyCode::End, KeyModifiers::NONE);
        press(&mut app, KeyCode::Backspace, KeyModifiers::NONE);
        press(&mut app, KeyCode::Home, KeyModifiers::NONE);
        press(&mut app, KeyCode::Delete, KeyModifiers::NONE);
        assert_eq!(wizard(&app).value(Field::Name), "ontoso Retai");
        // The ID stops following the name once edited.
        press(&mut app, KeyCode::Tab, KeyModifiers::NONE);
        press(&mut app, KeyCode::Char('w'), KeyModifiers::CONTROL);
        press(&mut app, KeyCode::Char('w'), KeyModifiers::CONTROL);
        press(&mut app, KeyCode::Char('w'), KeyModifiers::CONTROL);
        assert_eq!(wizard(&app).value(Field::Id), "");
        typed(&mut app, "custom.id");
        press(&mut app, KeyCode::BackTab, KeyModifiers::NONE);
        typed(&mut app, "!");
        assert_eq!(wizard(&app).value(Field::Id), "custom.id");
        assert_eq!(wizard(&app).value(Field::Account), "ontoso-retai");
    }
}
