//! The Details step: name, technical ID, service account and how it
//! authenticates, Gateway, URL, description, labels and partner contact;
//! their keys, editor and checks.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::{Deserialize, Serialize};

use super::fields::derive_id;
use super::{Place, Verdict, Wizard, WizardCmd};
use crate::api::{ApiError, KafkaCluster, is_valid_name};
use crate::app::Effect;

/// The Details fields, in `tab` order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Field {
    Name,
    Id,
    Account,
    /// PLAIN, OAUTHBEARER or MTLS (Console 1.34+; 1.32 is PLAIN only).
    Auth,
    Gateway,
    Url,
    Description,
    /// `key=value, key=value`.
    Labels,
    PartnerName,
    PartnerRole,
    PartnerEmail,
    PartnerPhone,
}

impl Field {
    pub const ALL: [Field; 12] = [
        Field::Name,
        Field::Id,
        Field::Account,
        Field::Auth,
        Field::Gateway,
        Field::Url,
        Field::Description,
        Field::Labels,
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
            Field::Auth => "Authentication",
            Field::Gateway => "Gateway",
            Field::Url => "URL",
            Field::Description => "Description",
            Field::Labels => "Labels",
            Field::PartnerName => "Partner name",
            Field::PartnerRole => "Partner role",
            Field::PartnerEmail => "Partner email",
            Field::PartnerPhone => "Partner phone",
        }
    }

    /// Chosen with ↑/↓ rather than typed.
    pub fn is_choice(self) -> bool {
        matches!(self, Field::Gateway | Field::Auth)
    }
}

/// What the partner needs for each authentication type, in one line.
pub fn auth_help(kind: &str) -> &'static str {
    match kind {
        "OAUTHBEARER" => "tokens from the partner's IdP; `sub` must be the account",
        "MTLS" => "the partner's client certificate names the account",
        _ => "pz makes a secret (c); the partner logs in with SASL PLAIN",
    }
}

/// Labels typed as `key=value, key=value`.
pub fn parse_labels(text: &str) -> Result<crate::api::Labels, String> {
    let mut labels = crate::api::Labels::new();
    for item in text.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let Some((k, v)) = item.split_once('=') else {
            return Err(format!("'{item}' is not key=value"));
        };
        let (k, v) = (k.trim(), v.trim());
        if k.is_empty() || k.contains(char::is_whitespace) {
            return Err(format!("'{item}': a label key is one word"));
        }
        if labels.insert(k.to_string(), v.to_string()).is_some() {
            return Err(format!("the label '{k}' is given twice"));
        }
    }
    Ok(labels)
}

/// Labels as the field shows them.
pub fn format_labels(labels: &crate::api::Labels) -> String {
    crate::api::types::labels_text(labels, ", ")
}

impl Wizard {
    pub fn value(&self, f: Field) -> &str {
        self.values.get(&f).map(String::as_str).unwrap_or("")
    }

    pub(super) fn set(&mut self, f: Field, v: String) {
        self.values.insert(f, v);
    }

    pub fn gateways(&self) -> impl Iterator<Item = &KafkaCluster> {
        self.clusters.iter().filter(|c| c.is_gateway())
    }

    /// Whether the focused field takes text (the Gateway is chosen, and
    /// the ID of an existing zone is fixed).
    fn editable(&self) -> bool {
        !(self.field.is_choice() || (self.field == Field::Id && self.editing()))
    }

    /// The authentication type chosen (PLAIN unless another was).
    pub fn auth(&self) -> &str {
        match self.value(Field::Auth) {
            "" => "PLAIN",
            other => other,
        }
    }

    /// The types this Console takes (all three when it did not say).
    pub fn auth_types(&self) -> &'static [&'static str] {
        self.generation
            .map(|g| g.auth_types())
            .unwrap_or(&crate::api::generation::AUTH_TYPES)
    }

    /// Moves the focus to `f`, with the cursor at the end of its text.
    pub(super) fn focus(&mut self, f: Field) {
        self.mark(self.field);
        self.field = f;
        self.editor = Editor::for_text(f, self.value(f));
    }

    /// Hands a key to the focused field's editor; a change of text is
    /// applied like any other (derived fields follow, errors clear).
    pub(super) fn edit_text(&mut self, key: KeyEvent) {
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
            Field::Id if crate::api::types::is_dot_segment(v) => {
                Some("'.' and '..' cannot be used: a URL drops them".into())
            }
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
            } else if self.gateways().next().is_none() {
                crate::app::connection::NO_GATEWAY.into()
            } else {
                "choose a Gateway cluster".into()
            }),
            Field::Url
                if !(v.is_empty() || v.starts_with("http://") || v.starts_with("https://")) =>
            {
                Some("start with http:// or https://".into())
            }
            Field::Auth if !self.auth_types().contains(&self.auth()) => Some(format!(
                "this Console takes {} only",
                self.auth_types().join(", ")
            )),
            Field::Labels if !v.is_empty() && !self.takes_headers() => {
                Some("Console 1.32 has no zone labels".into())
            }
            Field::Labels => parse_labels(v).err(),
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

    pub(super) fn mark(&mut self, f: Field) {
        match self.check_field(f) {
            Some(e) => {
                self.errors.insert(Place::Field(f), e);
            }
            None => {
                self.errors.remove(&Place::Field(f));
            }
        }
    }

    /// Checks every Details field; errors are marked inline.
    pub(super) fn check_details(&mut self) -> bool {
        for f in Field::ALL {
            self.mark(f);
        }
        !self.errors.keys().any(|p| matches!(p, Place::Field(_)))
    }

    /// The clusters arrived: the first healthy Gateway is preselected.
    pub(super) fn clusters_loaded(
        &mut self,
        result: Result<Vec<KafkaCluster>, ApiError>,
        fx: &mut Vec<Effect>,
    ) {
        match result {
            Ok(clusters) => {
                self.clusters = clusters;
                if self.cluster.is_empty() {
                    let healthy = self
                        .gateways()
                        .find(|c| !c.metadata.labels.contains_key("gateway-status"))
                        .or_else(|| self.gateways().next())
                        .map(|c| c.metadata.name.clone());
                    self.cluster = healthy.unwrap_or_default();
                }
                self.errors.remove(&Place::Field(Field::Gateway));
                if self.gateways().next().is_none() {
                    self.errors.insert(
                        Place::Field(Field::Gateway),
                        crate::app::connection::NO_GATEWAY.into(),
                    );
                }
                if !self.cluster.is_empty() {
                    fx.push(Effect::LoadTopics(self.cluster.clone()));
                }
            }
            Err(e) => {
                self.errors.insert(
                    Place::Field(Field::Gateway),
                    format!("cannot list clusters: {e}"),
                );
            }
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
    pub(super) fn for_text(field: Field, text: &str) -> Editor {
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

/// A bound key on the Details step.
pub(super) fn command(w: &mut Wizard, cmd: WizardCmd, fx: &mut Vec<Effect>) {
    let i = Field::ALL.iter().position(|f| *f == w.field).unwrap_or(0);
    let n = Field::ALL.len();
    match cmd {
        WizardCmd::NextField => w.focus(Field::ALL[(i + 1) % n]),
        WizardCmd::PrevField => w.focus(Field::ALL[(i + n - 1) % n]),
        // A newline in the description; elsewhere the next field.
        WizardCmd::Enter if w.field == Field::Description => {
            w.edit_text(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE))
        }
        WizardCmd::Enter => w.focus(Field::ALL[(i + 1) % n]),
        WizardCmd::Up | WizardCmd::Down if w.field == Field::Auth => {
            let types = w.auth_types();
            let pos = types.iter().position(|t| *t == w.auth()).unwrap_or(0);
            let next = match cmd {
                WizardCmd::Up => (pos + types.len() - 1) % types.len(),
                _ => (pos + 1) % types.len(),
            };
            let chosen = types[next].to_string();
            if chosen != w.auth() {
                w.changed(Field::Auth, chosen);
            }
            w.mark(Field::Auth);
        }
        WizardCmd::Up | WizardCmd::Down if w.field == Field::Gateway => {
            let names: Vec<String> = w.gateways().map(|c| c.metadata.name.clone()).collect();
            if names.is_empty() {
                fx.push(Effect::LoadClusters);
                return;
            }
            let pos = names.iter().position(|n| *n == w.cluster);
            let next = match (pos, cmd) {
                (Some(p), WizardCmd::Up) => (p + names.len() - 1) % names.len(),
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
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ConnectionInfo;
    use crate::app::wizard::WizardAction;
    use crate::app::{Action, App, Screen};
    use crate::theme::Theme;
    use crossterm::event::KeyModifiers;

    /// A key as the console reads it: through the key table.
    fn press(app: &mut App, code: KeyCode, modifiers: KeyModifiers) {
        if let Some(a) = crate::app::keys::action_for(app, KeyEvent::new(code, modifiers)) {
            app.update(a);
        }
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
