//! The key table: every binding declared once, with the mode it works in,
//! its keys, the action, its footer label and priority, its help line and
//! group, and when it is enabled (and why not). [`action_for`], the footer
//! ([`hints`]), the help screen ([`help`]) and the wizard's steps all read
//! it, and one [`mode`] decides what has the keyboard for all of them.
//!
//! Adding a key: one entry in [`BINDINGS`] (and, for a new action, its
//! handling in `update`). Adding a screen: a [`Mode`], its arm in [`mode`],
//! and its entries.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::credentials::{CredentialsAction as C, Phase};
use super::delete::DeleteAction as D;
use super::everywhere::EverywhereAction;
use super::rotation::RotationAction as R;
use super::wizard::{Step, WizardCmd as W};
use super::{Action, App, ContextAction as X, Overlay, Screen, WizardAction};

/// What has the keyboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Help,
    Delete,
    /// The same modal, confirming a rotation (`R`).
    Rotate,
    /// A rotation found unfinished at start.
    Unfinished,
    Credentials,
    /// Typing the path to save to.
    CredentialsSaving,
    /// Typing the recipients of an encrypted hand-over (`E`).
    CredentialsRecipients,
    /// "exists. Overwrite?"
    CredentialsOverwrite,
    Contexts,
    /// The `:` command line.
    Command,
    WizardLeaving,
    WizardDetails,
    WizardChoice,
    WizardTopics,
    WizardSearching,
    WizardRenaming,
    WizardShared,
    WizardTraffic,
    WizardReview,
    /// Typing the list's `/` filter.
    Filter,
    /// `:all`: every context's zones.
    Everywhere,
    List,
    Detail,
}

impl Mode {
    /// Whether keys that no binding takes are typed into a text input.
    pub fn types_text(self) -> bool {
        matches!(
            self,
            Mode::Delete
                | Mode::Rotate
                | Mode::CredentialsSaving
                | Mode::CredentialsRecipients
                | Mode::Command
                | Mode::WizardDetails
                | Mode::WizardChoice
                | Mode::WizardSearching
                | Mode::WizardRenaming
                | Mode::WizardTraffic
                | Mode::Filter
        )
    }

    fn wizard(self) -> bool {
        matches!(
            self,
            Mode::WizardDetails
                | Mode::WizardChoice
                | Mode::WizardTopics
                | Mode::WizardSearching
                | Mode::WizardRenaming
                | Mode::WizardShared
                | Mode::WizardTraffic
                | Mode::WizardReview
        )
    }
}

/// Who has the keyboard, for keys, footer and drawing alike: an overlay
/// first, then the command line, then the screen.
pub fn mode(app: &App) -> Mode {
    match &app.overlay {
        Some(Overlay::Help) => return Mode::Help,
        Some(Overlay::Delete(m)) if m.rotate.is_some() => return Mode::Rotate,
        Some(Overlay::Delete(_)) => return Mode::Delete,
        Some(Overlay::Unfinished(_)) => return Mode::Unfinished,
        Some(Overlay::Contexts(_)) => return Mode::Contexts,
        Some(Overlay::Credentials(v)) if v.typing() => return Mode::CredentialsSaving,
        Some(Overlay::Credentials(v)) if v.typing_recipients() => {
            return Mode::CredentialsRecipients;
        }
        Some(Overlay::Credentials(v)) if v.overwrite.is_some() => {
            return Mode::CredentialsOverwrite;
        }
        Some(Overlay::Credentials(_)) => return Mode::Credentials,
        None => {}
    }
    if app.command.is_some() {
        return Mode::Command;
    }
    match &app.screen {
        Screen::Wizard(w) if w.confirm_leave => Mode::WizardLeaving,
        Screen::Wizard(w) => match w.step {
            Step::Details if w.field.is_choice() => Mode::WizardChoice,
            Step::Details => Mode::WizardDetails,
            Step::Topics if w.renaming.is_some() => Mode::WizardRenaming,
            Step::Topics if w.searching => Mode::WizardSearching,
            Step::Topics if w.shared_focus => Mode::WizardShared,
            Step::Topics => Mode::WizardTopics,
            Step::Traffic => Mode::WizardTraffic,
            Step::Review => Mode::WizardReview,
        },
        Screen::List if app.list.filtering => Mode::Filter,
        Screen::List => Mode::List,
        Screen::Detail { .. } => Mode::Detail,
        Screen::Everywhere(_) => Mode::Everywhere,
    }
}

/// A key as bound: a code and whether ctrl is held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key(pub KeyCode, pub bool);

const fn ch(c: char) -> Key {
    Key(KeyCode::Char(c), false)
}
const fn ctrl(c: char) -> Key {
    Key(KeyCode::Char(c), true)
}
const fn code(c: KeyCode) -> Key {
    Key(c, false)
}

const ESC: Key = code(KeyCode::Esc);
const ENTER: Key = code(KeyCode::Enter);
const TAB: Key = code(KeyCode::Tab);
const BACKTAB: Key = code(KeyCode::BackTab);
const UP: Key = code(KeyCode::Up);
const DOWN: Key = code(KeyCode::Down);

/// Where a binding is listed on the help screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    Everywhere,
    List,
    Changes,
    Credentials,
    Wizard,
}

impl Group {
    pub const ALL: [Group; 5] = [
        Group::Everywhere,
        Group::List,
        Group::Changes,
        Group::Credentials,
        Group::Wizard,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Group::Everywhere => "Everywhere",
            Group::List => "Zone list and detail",
            Group::Changes => "Changes",
            Group::Credentials => "Credentials view",
            Group::Wizard => "Wizard",
        }
    }
}

/// One binding of the table.
pub struct Binding {
    pub modes: &'static [Mode],
    pub keys: &'static [Key],
    /// The keys as the footer and help show them.
    pub label: &'static str,
    /// The footer's word for it (empty: not in the footer).
    pub what: &'static str,
    /// The footer drops the lowest priorities first on a narrow terminal:
    /// 10–19 the obvious ones, 20–29 if it must, 99 never.
    pub priority: u8,
    /// The help screen's line, and its group (None: not in help).
    pub help: Option<(Group, &'static str)>,
    /// Whether it is there at all (e.g. not in a read-only console).
    pub shown: fn(&App) -> bool,
    /// Whether it works now; if not, why (shown greyed in the footer).
    pub enabled: fn(&App) -> Result<(), &'static str>,
    pub action: fn(&App) -> Action,
}

fn always(_: &App) -> bool {
    true
}
fn ok(_: &App) -> Result<(), &'static str> {
    Ok(())
}
fn writable(a: &App) -> bool {
    a.writable()
}
/// The Traffic step's focus is on a limit (not a header row, where a
/// space is text).
fn on_limit(a: &App) -> bool {
    matches!(&a.screen, Screen::Wizard(w) if w.limit_focus < super::wizard::LIMITS.len())
}
fn has_zone(a: &App) -> Result<(), &'static str> {
    a.current_name().map(|_| ()).ok_or("no zone selected")
}
fn forbidden(a: &App) -> bool {
    !a.writable() && a.forbidden.is_some()
}
fn shown_secret(a: &App) -> Result<(), &'static str> {
    match &a.overlay {
        Some(Overlay::Credentials(v)) if matches!(v.phase, Phase::Shown { .. }) => Ok(()),
        _ => Err("generate a secret first"),
    }
}
/// A secret, or what the sandbox issued, to hand over.
fn ready(a: &App) -> Result<(), &'static str> {
    match &a.overlay {
        Some(Overlay::Credentials(v)) if v.ready() => Ok(()),
        _ => Err("generate a secret first"),
    }
}
fn not_shown(a: &App) -> Result<(), &'static str> {
    match (&a.overlay, ready(a)) {
        (_, Ok(())) => Err("a secret is shown"),
        (Some(Overlay::Credentials(v)), _) if matches!(v.phase, Phase::Rotating(_)) => {
            Err("rotating")
        }
        (Some(Overlay::Credentials(v)), _)
            if matches!(v.phase, Phase::BroughtByPartner(_)) && !v.on_sandbox =>
        {
            Err("the partner brings its own credentials")
        }
        _ => Ok(()),
    }
}
fn a_gateway(a: &App) -> Result<(), &'static str> {
    match a.gateways {
        Some(0) => Err("no Gateway"),
        _ => Ok(()),
    }
}
fn wizard(a: &App) -> Option<&super::Wizard> {
    match &a.screen {
        Screen::Wizard(w) => Some(w),
        _ => None,
    }
}
fn not_last(a: &App) -> Result<(), &'static str> {
    match wizard(a) {
        Some(w) if w.step != Step::Review => Ok(()),
        _ => Err("last step"),
    }
}
fn back_allowed(a: &App) -> Result<(), &'static str> {
    match wizard(a) {
        Some(w) if w.step != Step::Details && w.from_file.is_none() => Ok(()),
        _ => Err("first step"),
    }
}
fn something_shared(a: &App) -> Result<(), &'static str> {
    match wizard(a) {
        Some(w) if !w.chosen.is_empty() => Ok(()),
        _ => Err("nothing shared yet"),
    }
}
fn on_detail(a: &App) -> bool {
    matches!(a.screen, Screen::Detail { .. })
}

fn wz(cmd: W) -> Action {
    Action::Wizard(WizardAction::Cmd(cmd))
}

const LIST_MODES: &[Mode] = &[Mode::List, Mode::Detail];
const MAIN: &[Mode] = &[Mode::List];
const ALL_STEPS: &[Mode] = &[
    Mode::WizardDetails,
    Mode::WizardChoice,
    Mode::WizardTopics,
    Mode::WizardShared,
    Mode::WizardTraffic,
    Mode::WizardReview,
];

macro_rules! bind {
    ($modes:expr, [$($k:expr),+], $label:literal, $what:literal, $prio:literal, $help:expr,
     $shown:expr, $enabled:expr, $action:expr) => {
        Binding {
            modes: $modes,
            keys: &[$($k),+],
            label: $label,
            what: $what,
            priority: $prio,
            help: $help,
            shown: $shown,
            enabled: $enabled,
            action: $action,
        }
    };
}

/// Every binding, in footer order within a mode: one line each.
#[rustfmt::skip]
pub static BINDINGS: &[Binding] = &[
    // The zone list and detail.
    bind!(MAIN, [ch('j'), ch('k'), UP, DOWN], "j/k", "move", 10, Some((Group::List, "move; PgUp/PgDn ctrl-u/d, g/G: page, ends")), always, has_zone, |_| Action::Down),
    bind!(MAIN, [ENTER], "enter", "open", 29, Some((Group::List, "open the zone")), always, has_zone, |_| Action::Open),
    bind!(MAIN, [ch('/')], "/", "filter", 28, Some((Group::List, "filter: name, ID, URL, gateway, partner")), always, ok, |_| Action::FilterStart),
    bind!(MAIN, [ch('s'), ch('S')], "s/S", "sort", 11, Some((Group::List, "sort by the next column / reverse")), always, ok, |_| Action::SortNext),
    bind!(&[Mode::Detail], [ch('j'), ch('k'), UP, DOWN], "j/k", "scroll", 13, Some((Group::List, "detail: scroll")), always, ok, |_| Action::Down),
    bind!(&[Mode::Detail], [ESC], "esc", "back", 99, Some((Group::Everywhere, "back, close, or clear the filter")), always, ok, |_| Action::Back),
    bind!(LIST_MODES, [ch('y')], "y", "yaml", 18, Some((Group::Everywhere, "copy the zone as vendor-CLI YAML")), always, has_zone, |_| Action::CopyYaml),
    bind!(LIST_MODES, [ch('n')], "n", "new", 27, Some((Group::Changes, "new zone (wizard)")), writable, a_gateway, |_| Action::Wizard(WizardAction::New)),
    bind!(LIST_MODES, [ch('e')], "e", "edit", 26, Some((Group::Changes, "edit the zone (wizard)")), writable, has_zone, |_| Action::Wizard(WizardAction::Edit)),
    bind!(LIST_MODES, [ch('E')], "E", "$EDITOR", 11, Some((Group::Changes, "edit the YAML in $EDITOR (kubectl edit)")), writable, has_zone, |_| Action::Edit(super::editor::EditAction::Start)),
    bind!(LIST_MODES, [ch('C')], "C", "clone", 12, Some((Group::Changes, "clone: a new zone with its topics, limits, labels")), writable, has_zone, |_| Action::Wizard(WizardAction::Clone)),
    bind!(LIST_MODES, [ch('c')], "c", "credentials", 26, Some((Group::Changes, "generate credentials for the partner")), writable, has_zone, |_| Action::Credentials(C::Open)),
    bind!(LIST_MODES, [ch('t')], "t", "check access", 17, Some((Group::Changes, "check the partner's access (pz check)")), |a| writable(a) && on_detail(a), has_zone, |_| Action::Credentials(C::OpenToCheck)),
    bind!(LIST_MODES, [ch('t')], "", "", 0, None, |a| writable(a) && !on_detail(a), has_zone, |_| Action::Credentials(C::OpenToCheck)),
    bind!(LIST_MODES, [ch('R')], "R", "rotate", 10, Some((Group::Changes, "rotate: revoke, re-issue (type the name)")), writable, has_zone, |_| Action::Delete(D::OpenRotate)),
    bind!(LIST_MODES, [ch('d')], "d", "delete", 25, Some((Group::Changes, "delete (type DELETE to confirm)")), writable, has_zone, |_| Action::Delete(D::Open)),
    bind!(LIST_MODES, [ch('n')], "n e c d", "need an admin key (403)", 24, None, forbidden, |_| Err("the key may only read"), |_| Action::Wizard(WizardAction::New)),
    bind!(LIST_MODES, [ch(':')], ":", "", 0, Some((Group::Everywhere, ":apply FILE · :ctx [NAME] · :all (every Console)")), always, ok, |_| Action::CommandStart),
    bind!(LIST_MODES, [ch('r')], "r", "refresh", 12, Some((Group::Everywhere, "refresh now")), always, ok, |_| Action::Refresh),
    bind!(LIST_MODES, [ch('?')], "?", "help", 99, Some((Group::Everywhere, "this help")), always, ok, |_| Action::ToggleHelp),
    bind!(LIST_MODES, [ch('q')], "q", "quit", 99, Some((Group::Everywhere, "quit (also ctrl-c)")), always, ok, |_| Action::Quit),
    // `:all`: every context's zones, read-only.
    bind!(&[Mode::Everywhere], [ch('j'), ch('k'), UP, DOWN], "j/k", "move", 10, None, always, ok, |_| Action::Everywhere(EverywhereAction::Down)),
    bind!(&[Mode::Everywhere], [ENTER], "enter", "open in its context", 99, None, always, ok, |_| Action::Everywhere(EverywhereAction::OpenZone)),
    bind!(&[Mode::Everywhere], [ch('r')], "r", "ask again", 20, None, always, ok, |_| Action::Everywhere(EverywhereAction::Open)),
    bind!(&[Mode::Everywhere], [ESC], "esc", "back", 99, None, always, ok, |_| Action::Everywhere(EverywhereAction::Back)),
    bind!(&[Mode::Everywhere], [ch('q')], "q", "quit", 99, None, always, ok, |_| Action::Quit),
    // The list's filter.
    bind!(&[Mode::Filter], [ENTER], "enter", "keep", 99, None, always, ok, |_| Action::FilterDone),
    bind!(&[Mode::Filter], [ESC], "esc", "clear", 99, None, always, ok, |_| Action::FilterClear),
    bind!(&[Mode::Filter], [UP], "", "", 0, None, always, ok, |_| { Action::Up }),
    bind!(&[Mode::Filter], [DOWN], "", "", 0, None, always, ok, |_| { Action::Down }),
    // The command line.
    bind!(&[Mode::Command], [ENTER], "enter", "run", 99, None, always, ok, |_| Action::CommandRun),
    bind!(&[Mode::Command], [ESC], "esc", "cancel", 99, None, always, ok, |_| Action::CommandCancel),
    // Help.
    bind!(&[Mode::Help], [ESC, ch('?'), ch('q')], "esc", "close help", 99, None, always, ok, |_| Action::ToggleHelp),
    // The delete modal (the word is typed into its input).
    bind!(&[Mode::Delete], [ENTER], "enter", "delete", 99, None, always, ok, |_| Action::Delete(D::Confirm)),
    bind!(&[Mode::Delete], [ESC], "esc", "cancel", 99, None, always, ok, |_| Action::Delete(D::Cancel)),
    // The rotation's confirmation (the zone's name is typed into it).
    bind!(&[Mode::Rotate], [ENTER], "enter", "rotate", 99, None, always, ok, |_| Action::Delete(D::Confirm)),
    bind!(&[Mode::Rotate], [ESC], "esc", "cancel", 99, None, always, ok, |_| Action::Delete(D::Cancel)),
    // A rotation found unfinished at start.
    bind!(&[Mode::Unfinished], [ENTER], "enter", "finish it", 99, None, always, ok, |_| Action::Rotation(R::Resume)),
    bind!(&[Mode::Unfinished], [ch('u')], "u", "restore as it was", 99, None, always, ok, |_| Action::Rotation(R::Restore)),
    bind!(&[Mode::Unfinished], [ESC], "esc", "later", 99, None, always, ok, |_| Action::Rotation(R::Later)),
    // The contexts picker.
    bind!(&[Mode::Contexts], [ch('j'), ch('k'), UP, DOWN], "j/k", "move", 10, None, always, ok, |_| Action::Contexts(X::Down)),
    bind!(&[Mode::Contexts], [ENTER], "enter", "switch", 99, None, always, ok, |_| Action::Contexts(X::Choose)),
    bind!(&[Mode::Contexts], [ESC, ch('q')], "esc", "cancel", 99, None, always, ok, |_| Action::Contexts(X::Close)),
    // The credentials view.
    bind!(&[Mode::Credentials], [ENTER], "enter", "generate", 99, Some((Group::Credentials, "generate a secret (earlier ones stay valid)")), always, not_shown, |_| Action::Credentials(C::Confirm)),
    bind!(&[Mode::Credentials], [ch('v')], "v", "reveal", 27, Some((Group::Credentials, "reveal or mask the secret")), always, shown_secret, |_| Action::Credentials(C::Reveal)),
    bind!(&[Mode::Credentials], [ch('y')], "y", "copy secret", 28, Some((Group::Credentials, "copy the secret")), always, shown_secret, |_| Action::Credentials(C::CopySecret)),
    bind!(&[Mode::Credentials], [ch('p')], "p", "copy config", 27, Some((Group::Credentials, "copy config.properties")), always, ready, |_| Action::Credentials(C::CopyProperties)),
    bind!(&[Mode::Credentials], [ch('k')], "k", "copy command", 24, Some((Group::Credentials, "copy the kafka-topics command")), always, ready, |_| Action::Credentials(C::CopyCommand)),
    bind!(&[Mode::Credentials], [ch('s')], "s", "save", 99, Some((Group::Credentials, "save config.properties (0600)")), always, ready, |_| Action::Credentials(C::SaveStart)),
    bind!(&[Mode::Credentials], [ch('o'), ch('O')], "o/O", "plain", 25, Some((Group::Credentials, "secret / config plainly, to select")), always, ready, |_| Action::Credentials(C::PlainSecret)),
    bind!(&[Mode::Credentials], [ch('t')], "t", "check access", 17, Some((Group::Credentials, "check the partner's access with it")), always, ready, |_| Action::Credentials(C::Check)),
    bind!(&[Mode::Credentials], [ch('E')], "E", "encrypt", 16, Some((Group::Credentials, "save age-encrypted for the partner's key")), always, shown_secret, |_| Action::Credentials(C::EncryptStart)),
    bind!(&[Mode::Credentials], [ESC, ch('q')], "esc", "close", 99, Some((Group::Credentials, "close (the secret is dropped)")), always, ok, |_| Action::Credentials(C::Close)),
    bind!(&[Mode::CredentialsRecipients], [ENTER], "enter", "then the file", 99, None, always, ok, |_| Action::Credentials(C::RecipientsConfirm)),
    bind!(&[Mode::CredentialsRecipients], [ESC], "esc", "cancel", 99, None, always, ok, |_| Action::Credentials(C::SaveCancel)),
    bind!(&[Mode::CredentialsSaving], [ENTER], "enter", "save", 99, None, always, ok, |_| Action::Credentials(C::SaveConfirm)),
    bind!(&[Mode::CredentialsSaving], [ESC], "esc", "cancel", 99, None, always, ok, |_| Action::Credentials(C::SaveCancel)),
    bind!(&[Mode::CredentialsOverwrite], [ch('y')], "y", "overwrite", 99, None, always, ok, |_| Action::Credentials(C::OverwriteYes)),
    bind!(&[Mode::CredentialsOverwrite], [ch('n'), ESC], "n", "keep it", 99, None, always, ok, |_| Action::Credentials(C::SaveCancel)),
    // The wizard: leaving.
    bind!(&[Mode::WizardLeaving], [ch('y')], "y", "leave, discarding the draft", 99, None, always, ok, |_| wz(W::LeaveYes)),
    // The wizard: Details.
    bind!(&[Mode::WizardChoice], [UP, DOWN], "↑/↓", "choose", 99, Some((Group::Wizard, "Details: choose the Gateway or the authentication")), always, ok, |_| wz(W::Down)),
    bind!(&[Mode::WizardChoice], [TAB, BACKTAB], "tab", "next field", 99, None, always, ok, |_| wz(W::NextField)),
    bind!(&[Mode::WizardDetails], [TAB, BACKTAB], "tab/S-tab", "fields", 99, Some((Group::Wizard, "fields (←/→ Home/End ctrl-w, ctrl-u undo)")), always, ok, |_| wz(W::NextField)),
    bind!(&[Mode::WizardDetails, Mode::WizardChoice], [ENTER], "", "", 0, None, always, ok, |_| wz(W::Enter)),
    // The wizard: Topics.
    bind!(&[Mode::WizardTopics], [ch('/')], "/", "search", 27, Some((Group::Wizard, "Topics: search name or key=value")), always, ok, |_| wz(W::Search)),
    bind!(&[Mode::WizardTopics], [ch('j'), ch('k'), UP, DOWN], "", "", 0, None, always, ok, |_| wz(W::Down)),
    bind!(&[Mode::WizardShared], [ch('j'), ch('k'), UP, DOWN], "j/k", "entry", 27, None, always, ok, |_| wz(W::Down)),
    bind!(&[Mode::WizardTopics], [ch(' ')], "space", "add/remove", 99, Some((Group::Wizard, "Topics: add or remove the topic")), always, ok, |_| wz(W::Toggle)),
    bind!(&[Mode::WizardTopics], [ch('a')], "a", "another alias", 16, Some((Group::Wizard, "Topics: the topic again, another alias")), always, ok, |_| wz(W::AnotherAlias)),
    bind!(&[Mode::WizardTopics, Mode::WizardShared], [ch('w')], "w", "WRITE", 26, Some((Group::Wizard, "Topics: READ or WRITE (read + write)")), always, ok, |_| wz(W::Write)),
    bind!(&[Mode::WizardTopics, Mode::WizardShared], [ch('r')], "r", "rename", 99, Some((Group::Wizard, "Topics: rename the partner's alias")), always, ok, |_| wz(W::Rename)),
    bind!(&[Mode::WizardShared], [ch(' '), ch('x'), code(KeyCode::Delete)], "space", "remove", 99, None, always, ok, |_| wz(W::Toggle)),
    bind!(&[Mode::WizardTopics], [TAB, BACKTAB], "tab", "shared", 15, Some((Group::Wizard, "Topics: topics ↔ what is shared")), always, something_shared, |_| wz(W::SwitchFocus)),
    bind!(&[Mode::WizardShared], [TAB, BACKTAB], "tab", "topics", 24, None, always, ok, |_| wz(W::SwitchFocus)),
    bind!(&[Mode::WizardSearching], [ENTER, ESC], "enter/esc", "back to list", 99, None, always, ok, |_| wz(W::SearchDone)),
    bind!(&[Mode::WizardSearching], [UP, DOWN], "", "", 0, None, always, ok, |_| wz(W::Down)),
    bind!(&[Mode::WizardRenaming], [ENTER], "enter", "rename", 99, None, always, ok, |_| wz(W::RenameDone)),
    bind!(&[Mode::WizardRenaming], [ESC], "esc", "cancel", 99, None, always, ok, |_| wz(W::RenameCancel)),
    // The wizard: Traffic control and Review.
    bind!(&[Mode::WizardTraffic], [UP, DOWN, TAB, BACKTAB], "↑/↓", "limit", 99, Some((Group::Wizard, "Traffic: next limit or header row (typing enables a limit)")), always, ok, |_| wz(W::Down)),
    bind!(&[Mode::WizardTraffic], [ch(' ')], "space", "on/off", 99, Some((Group::Wizard, "Traffic: a limit on or off")), on_limit, ok, |_| wz(W::Toggle)),
    bind!(&[Mode::WizardReview], [ENTER], "enter", "create", 99, Some((Group::Wizard, "Review: dry run, then create/update")), always, ok, |_| wz(W::Enter)),
    bind!(&[Mode::WizardReview], [ch('j'), ch('k'), UP, DOWN], "j/k", "scroll", 13, None, always, ok, |_| wz(W::Down)),
    bind!(&[Mode::WizardReview], [code(KeyCode::PageUp), code(KeyCode::PageDown)], "", "", 0, None, always, ok, |_| wz(W::PageDown)),
    // The wizard: every step.
    bind!(ALL_STEPS, [ctrl('n')], "^n", "next step", 27, Some((Group::Wizard, "next step (checked first)")), always, not_last, |_| wz(W::NextStep)),
    bind!(ALL_STEPS, [ctrl('p')], "^p", "previous", 14, Some((Group::Wizard, "previous step")), always, back_allowed, |_| wz(W::PrevStep)),
    bind!(ALL_STEPS, [ESC], "esc", "leave", 99, Some((Group::Wizard, "leave (asks; the draft is kept)")), always, ok, |_| wz(W::Leave)),
];

/// The action a key means now, or None.
pub fn action_for(app: &App, key: KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let m = mode(app);
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        return Some(Action::Quit);
    }
    if let Some(action) = super::fetch::while_waiting(app, key) {
        return Some(action);
    }
    // A held-down key repeating never types the delete modal's word.
    if matches!(m, Mode::Delete | Mode::Rotate) && key.kind == KeyEventKind::Repeat {
        return None;
    }
    let ctrl_held = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt_held = key.modifiers.contains(KeyModifiers::ALT);
    // Text modes: a plain character is text, unless a binding takes it
    // where no text is expected (none of the text modes binds one).
    let found = BINDINGS.iter().find(|b| {
        b.modes.contains(&m)
            && (b.shown)(app)
            && !alt_held
            && b.keys.iter().any(|k| matches_key(*k, key, ctrl_held))
    });
    if let Some(b) = found {
        if (b.enabled)(app).is_err() {
            return None;
        }
        return Some(directed(key, (b.action)(app)));
    }
    if m.types_text() {
        return text_action(m, key);
    }
    if m == Mode::WizardLeaving {
        return Some(wz(W::Stay));
    }
    // Movement the footer does not list: pages, ends, the detail's ctrl-u/d.
    if matches!(m, Mode::List | Mode::Detail) {
        return match (key.code, ctrl_held) {
            (KeyCode::PageDown, _) | (KeyCode::Char('d'), true) => Some(Action::PageDown),
            (KeyCode::PageUp, _) | (KeyCode::Char('u'), true) => Some(Action::PageUp),
            (KeyCode::Char('g') | KeyCode::Home, false) => Some(Action::Top),
            (KeyCode::Char('G') | KeyCode::End, false) => Some(Action::Bottom),
            (KeyCode::Esc, _) => Some(Action::Back),
            _ => None,
        };
    }
    None
}

fn matches_key(k: Key, key: KeyEvent, ctrl_held: bool) -> bool {
    k.0 == key.code && k.1 == ctrl_held
}

/// One binding may stand for a pair (j/k, s/S, o/O, tab/shift-tab, ↑/↓):
/// the key pressed picks which.
fn directed(key: KeyEvent, action: Action) -> Action {
    let back = matches!(
        key.code,
        KeyCode::Char('k') | KeyCode::Up | KeyCode::BackTab | KeyCode::PageUp
    );
    match action {
        Action::Down if back => Action::Up,
        Action::SortNext if key.code == KeyCode::Char('S') => Action::SortReverse,
        Action::Credentials(C::PlainSecret) if key.code == KeyCode::Char('O') => {
            Action::Credentials(C::PlainProperties)
        }
        Action::Contexts(X::Down) if back => Action::Contexts(X::Up),
        Action::Everywhere(EverywhereAction::Down) if back => {
            Action::Everywhere(EverywhereAction::Up)
        }
        Action::Wizard(WizardAction::Cmd(W::Down)) if back => wz(W::Up),
        Action::Wizard(WizardAction::Cmd(W::NextField)) if back => wz(W::PrevField),
        Action::Wizard(WizardAction::Cmd(W::PageDown)) if back => wz(W::PageUp),
        other => other,
    }
}

/// A key typed into the text input of `m`.
fn text_action(m: Mode, key: KeyEvent) -> Option<Action> {
    Some(match m {
        Mode::Delete | Mode::Rotate => Action::Delete(D::Input(key)),
        Mode::CredentialsSaving => Action::Credentials(C::SaveInput(key)),
        Mode::CredentialsRecipients => Action::Credentials(C::RecipientsInput(key)),
        Mode::Command => Action::CommandInput(key),
        Mode::Filter => Action::FilterInput(key),
        m if m.wizard() => Action::Wizard(WizardAction::Key(key)),
        _ => return None,
    })
}

/// Reasons worth saying in the footer beside a greyed key (the others,
/// like "no zone selected", are plain from the greying).
const SAID: &[&str] = &["no Gateway"];

/// One entry of the footer.
#[derive(Clone, Debug)]
pub struct KeyHint {
    pub keys: &'static str,
    pub what: String,
    /// Greyed out when false (e.g. nothing selected).
    pub enabled: bool,
    pub priority: u8,
    /// What a click on it does (an enabled binding's action).
    pub action: Option<fn(&App) -> Action>,
}

/// The footer's entries for what has the keyboard now, in table order.
pub fn hints(app: &App) -> Vec<KeyHint> {
    let m = mode(app);
    let review_word = match wizard(app) {
        Some(w) if w.editing() => "update",
        _ => "create",
    };
    let mut out: Vec<KeyHint> = BINDINGS
        .iter()
        .filter(|b| b.modes.contains(&m) && !b.what.is_empty() && (b.shown)(app))
        .map(|b| {
            let enabled = (b.enabled)(app);
            let what = match enabled {
                _ if m == Mode::WizardReview && b.what == "create" => review_word.to_string(),
                Err(why) if SAID.contains(&why) => format!("{}: {why}", b.what),
                _ => b.what.to_string(),
            };
            KeyHint {
                keys: b.label,
                what,
                enabled: enabled.is_ok(),
                priority: b.priority,
                action: enabled.is_ok().then_some(b.action),
            }
        })
        .collect();
    if m == Mode::WizardLeaving {
        out.push(KeyHint {
            keys: "any key",
            what: "stay".into(),
            enabled: true,
            priority: 99,
            action: None,
        });
    }
    if m.types_text() && matches!(m, Mode::Filter | Mode::Delete | Mode::Rotate) {
        out.insert(
            0,
            KeyHint {
                keys: match m {
                    Mode::Delete => "DELETE",
                    Mode::Rotate => "the name",
                    _ => "type",
                },
                what: if m == Mode::Filter {
                    "filter".into()
                } else {
                    "type to confirm".into()
                },
                enabled: true,
                priority: 99,
                action: None,
            },
        );
    }
    if m == Mode::WizardSearching {
        out.insert(
            0,
            KeyHint {
                keys: "type",
                what: "search".into(),
                enabled: true,
                priority: 99,
                action: None,
            },
        );
    }
    out
}

/// The help screen: each group's lines (keys, what), for what this console
/// may do (a read-only one has no Changes, Credentials or Wizard).
pub fn help(app: &App) -> Vec<(Group, Vec<(&'static str, &'static str)>)> {
    Group::ALL
        .iter()
        .filter(|g| app.writable() || matches!(g, Group::Everywhere | Group::List))
        .map(|g| {
            let mut lines: Vec<(&'static str, &'static str)> = Vec::new();
            for b in BINDINGS {
                if let Some((group, line)) = b.help
                    && group == *g
                    && !lines.iter().any(|(_, l)| *l == line)
                {
                    lines.push((b.label, line));
                }
            }
            (*g, lines)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ConnectionInfo;
    use crate::theme::Theme;

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    fn app(read_only: bool) -> App {
        App::new(
            Theme::default(),
            ConnectionInfo {
                read_only,
                ..Default::default()
            },
            chrono::Utc::now(),
        )
    }

    #[test]
    fn read_only_hides_mutations() {
        let ro = app(true);
        assert!(action_for(&ro, key('d')).is_none());
        assert!(action_for(&ro, key('c')).is_none());
        // `:ctx` still switches away from a read-only Console.
        assert!(matches!(
            action_for(&ro, key(':')),
            Some(Action::CommandStart)
        ));
        assert!(
            !hints(&ro)
                .iter()
                .any(|h| h.what == "delete" || h.what == "credentials")
        );
        let mut rw = crate::demo::loaded(Theme::default(), (80, 24));
        rw.connection.read_only = false;
        assert!(matches!(
            action_for(&rw, key('d')),
            Some(Action::Delete(D::Open))
        ));
    }

    #[test]
    fn every_binding_with_help_is_in_help_and_every_hint_is_a_binding() {
        let a = crate::demo::loaded(Theme::default(), (120, 40));
        let lines: Vec<&str> = help(&a)
            .into_iter()
            .flat_map(|(_, l)| l.into_iter().map(|(_, what)| what))
            .collect();
        for b in BINDINGS {
            if let Some((_, line)) = b.help {
                assert!(lines.contains(&line), "{line} not in help");
            }
        }
        // `t` (check access) is in help: it was missing once.
        assert!(lines.iter().any(|l| l.contains("partner's access")));
        for h in hints(&a) {
            assert!(
                BINDINGS
                    .iter()
                    .any(|b| b.label == h.keys && b.what == h.what)
                    || ["type", "DELETE", "any key"].contains(&h.keys),
                "{h:?} is not a binding"
            );
        }
    }

    #[test]
    fn one_mode_for_keys_and_hints_a_picker_over_the_wizard_gets_its_keys() {
        let mut a = crate::demo::loaded(Theme::default(), (80, 24));
        a.screen = Screen::Wizard(Box::new(crate::demo::wizard(Step::Topics)));
        a.overlay = Some(Overlay::Contexts(crate::app::ContextPicker::default()));
        assert_eq!(mode(&a), Mode::Contexts);
        assert!(hints(&a).iter().any(|h| h.what == "switch"));
        assert!(matches!(
            action_for(&a, key('j')),
            Some(Action::Contexts(X::Down))
        ));
        assert!(matches!(
            action_for(&a, KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
            Some(Action::Contexts(X::Choose))
        ));
    }

    #[test]
    fn repeats_never_type_in_the_delete_modal() {
        let mut a = app(false);
        a.overlay = Some(Overlay::Delete(Box::new(crate::app::DeleteModal {
            zone: "z".into(),
            display_name: String::new(),
            partner: None,
            topics: vec![],
            typed: Default::default(),
            armed_at: None,
            busy: false,
            hint: None,
            rotate: None,
        })));
        let mut repeat = key('D');
        repeat.kind = KeyEventKind::Repeat;
        assert!(action_for(&a, repeat).is_none());
        assert!(matches!(
            action_for(&a, key('q')),
            Some(Action::Delete(D::Input(_)))
        ));
    }
}
