//! The credentials view: confirm, generate a secret, show it masked unless
//! asked, and copy or save what the partner needs.

use super::{Action, App, Effect, Overlay, ToastKind};
use crate::api::ApiError;
use crate::credentials::{Issued, bootstrap_servers, kafka_topics_command, partner_properties};
use crate::kafka::check::{Report, Step};
use crate::secret::Secret;

#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    /// Waiting for `enter`: generating a secret is an audited change.
    Confirm,
    Generating,
    Shown {
        secret: Secret,
        config: String,
    },
    Failed(String),
    /// OAUTHBEARER and MTLS: nothing to generate; what the partner brings.
    /// On the sandbox, `enter` has it issue them (below).
    BroughtByPartner(String),
    /// The sandbox is issuing a client certificate or an OAuth client.
    Issuing,
    /// What the sandbox issued for the partner's side.
    Issued(Box<Issued>),
    /// `R`: the zone re-created under a new account; the steps done so far.
    Rotating(Vec<String>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct CredentialsView {
    pub zone: String,
    pub account: String,
    /// PLAIN, OAUTHBEARER or MTLS.
    pub auth_type: String,
    /// The pz sandbox, whose own endpoints issue what a partner brings.
    pub on_sandbox: bool,
    pub phase: Phase,
    pub revealed: bool,
    /// The path being typed for `s` (save).
    pub save_path: Option<super::input::TextInput>,
    /// A path that exists: waiting for `y` to overwrite.
    pub overwrite: Option<String>,
    /// The zone's topic aliases, which the partner should see, and their
    /// permissions.
    pub aliases: Vec<(String, String)>,
    /// Opened with `t`: check access as soon as the secret exists.
    pub check_after: bool,
    /// The access check (`t`), running or done.
    pub check: Option<AccessCheck>,
    /// `E`: handing the secret over encrypted.
    pub handover: Option<super::handover::Handover>,
}

/// The partner's-eye check of the Gateway, as its steps arrive.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct AccessCheck {
    pub steps: Vec<Step>,
    /// Set when it ended: whether every step passed, and a summary.
    pub result: Option<(bool, String)>,
}

impl AccessCheck {
    pub fn running(&self) -> bool {
        self.result.is_none()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum CredentialsAction {
    Open,
    /// `t` outside the view: open it to generate a secret, then check.
    OpenToCheck,
    /// `t` in the view: check the partner's access with the secret.
    Check,
    /// `o`/`O`: the secret / config.properties printed plainly on the
    /// normal screen, for a mouse or tmux selection.
    PlainSecret,
    PlainProperties,
    Confirm,
    Reveal,
    CopySecret,
    CopyProperties,
    CopyCommand,
    SaveStart,
    /// A key typed into the path.
    SaveInput(crossterm::event::KeyEvent),
    SaveConfirm,
    /// The runtime found the file already there.
    SaveExists(String),
    OverwriteYes,
    /// Leave the path input or the overwrite question.
    SaveCancel,
    /// `E`: encrypt for recipients; they were remembered as this.
    EncryptStart,
    Recalled(String),
    /// A key typed into the recipients.
    RecipientsInput(crossterm::event::KeyEvent),
    RecipientsConfirm,
    Close,
}

/// A zone's topic aliases and their permissions.
pub fn aliases_of(z: &crate::api::PartnerZone) -> Vec<(String, String)> {
    z.spec
        .topics
        .iter()
        .map(|t| (t.name.to_string(), t.permission.as_str().to_string()))
        .collect()
}

impl CredentialsView {
    /// The view of `z`, waiting for `enter` (or explaining what its partner
    /// brings); `check_after`: opened with `t`.
    pub fn of(z: &crate::api::PartnerZone, on_sandbox: bool, check_after: bool) -> CredentialsView {
        CredentialsView {
            zone: z.metadata.name.to_string(),
            account: z
                .spec
                .service_account_name()
                .unwrap_or_default()
                .to_string(),
            auth_type: z.spec.auth_type().to_string(),
            on_sandbox,
            phase: match crate::credentials::brought_by_partner(
                &z.metadata.name,
                z.spec.auth_type(),
                z.spec.service_account_name().unwrap_or_default(),
            ) {
                Some(why) => Phase::BroughtByPartner(why),
                None => Phase::Confirm,
            },
            revealed: false,
            save_path: None,
            overwrite: None,
            aliases: aliases_of(z),
            check_after,
            check: None,
            handover: None,
        }
    }

    /// A credentials view with nothing chosen yet.
    pub fn bare(zone: String, account: String, on_sandbox: bool, phase: Phase) -> CredentialsView {
        CredentialsView {
            zone,
            account,
            auth_type: String::new(),
            on_sandbox,
            phase,
            revealed: false,
            save_path: None,
            overwrite: None,
            aliases: Vec::new(),
            check_after: false,
            check: None,
            handover: None,
        }
    }

    pub fn properties(&self) -> Option<Secret> {
        match &self.phase {
            Phase::Shown { secret, config } => Some(Secret::new(partner_properties(
                config,
                &self.account,
                secret,
            ))),
            Phase::Issued(issued) => Some(issued.properties(&self.zone, "")),
            _ => None,
        }
    }

    /// What stays secret: the generated secret, the OAuth client's secret,
    /// or the client certificate's key.
    pub fn secret(&self) -> Option<&Secret> {
        match &self.phase {
            Phase::Shown { secret, .. } => Some(secret),
            Phase::Issued(issued) => Some(issued.secret()),
            _ => None,
        }
    }

    /// Whether there is something to hand over (a secret, or what the
    /// sandbox issued).
    pub fn ready(&self) -> bool {
        self.secret().is_some()
    }

    pub fn command(&self) -> Option<String> {
        match &self.phase {
            Phase::Shown { config, .. } => Some(kafka_topics_command(
                bootstrap_servers(config).unwrap_or("<bootstrap-servers>"),
            )),
            Phase::Issued(issued) => Some(issued.kcat_command(&self.zone)),
            _ => None,
        }
    }

    /// What `s` writes to `path`: `config.properties`, and for what the
    /// sandbox issued the PEM files beside it that it names.
    fn save_set(&self, path: &str) -> Option<(Secret, Vec<(String, Secret)>)> {
        let Phase::Issued(issued) = &self.phase else {
            return self.properties().map(|p| (p, Vec::new()));
        };
        let dir = std::path::Path::new(path)
            .parent()
            .map(|d| d.to_string_lossy().into_owned())
            .unwrap_or_default();
        let companions = issued
            .files(&self.zone)
            .into_iter()
            .map(|f| {
                let at = std::path::Path::new(&dir).join(&f.name);
                (at.to_string_lossy().into_owned(), f.text)
            })
            .collect();
        Some((issued.properties(&self.zone, &dir), companions))
    }

    /// Whether keys go to the path input.
    pub fn typing(&self) -> bool {
        self.save_path.is_some()
    }

    /// Whether keys go to the recipients input.
    pub fn typing_recipients(&self) -> bool {
        matches!(
            self.handover,
            Some(super::handover::Handover::Recipients(_))
        )
    }
}

pub fn update(app: &mut App, action: CredentialsAction) -> Vec<Effect> {
    if matches!(
        action,
        CredentialsAction::Open | CredentialsAction::OpenToCheck
    ) {
        if app.connection.read_only || app.overlay.is_some() {
            return Vec::new();
        }
        let on_sandbox = app.connection.sandbox || app.connection.sandbox_endpoints;
        return match app.zone_for(Action::Credentials(action.clone())) {
            Ok(z) => {
                let check = action == CredentialsAction::OpenToCheck;
                let view = CredentialsView::of(&z, on_sandbox, check);
                app.overlay = Some(Overlay::Credentials(Box::new(view)));
                Vec::new()
            }
            Err(fetch) => fetch,
        };
    }
    let Some(Overlay::Credentials(view)) = &mut app.overlay else {
        return Vec::new();
    };
    let mut effects = Vec::new();
    match action {
        CredentialsAction::Close => {
            // Dropping the view drops the secret: it cannot be shown again.
            app.overlay = None;
            return effects;
        }
        CredentialsAction::Confirm => match &view.phase {
            Phase::Confirm | Phase::Failed(_)
                if !crate::credentials::brings_own(&view.auth_type) =>
            {
                view.phase = Phase::Generating;
                effects.push(Effect::GenerateCredentials(view.zone.clone()));
            }
            Phase::BroughtByPartner(_) | Phase::Failed(_) if view.on_sandbox => {
                view.phase = Phase::Issuing;
                effects.push(Effect::IssueSandboxCredentials {
                    zone: view.zone.clone(),
                    auth_type: view.auth_type.clone(),
                });
            }
            _ => {}
        },
        CredentialsAction::Reveal => view.revealed = !view.revealed,
        CredentialsAction::Check => effects.extend(start_check(view)),
        CredentialsAction::PlainSecret => {
            effects.extend(view.secret().cloned().map(Effect::PlainOut));
        }
        CredentialsAction::PlainProperties => {
            effects.extend(view.properties().map(Effect::PlainOut))
        }
        CredentialsAction::CopySecret => {
            if let Some(secret) = view.secret() {
                effects.push(Effect::Copy {
                    text: secret.clone(),
                    what: "the secret".into(),
                    secret: true,
                });
            }
        }
        CredentialsAction::CopyProperties => {
            if let Some(text) = view.properties() {
                effects.push(Effect::Copy {
                    text,
                    what: "config.properties".into(),
                    secret: true,
                });
            }
        }
        CredentialsAction::CopyCommand => {
            if let Some(cmd) = view.command() {
                effects.push(Effect::Copy {
                    text: Secret::new(cmd),
                    what: if view.auth_type == "PLAIN" {
                        "the kafka-topics command".into()
                    } else {
                        "the kcat command".into()
                    },
                    secret: false,
                });
            }
        }
        CredentialsAction::SaveStart => {
            if view.ready() {
                view.save_path = Some(super::input::TextInput::new("config.properties"));
                view.overwrite = None;
            }
        }
        CredentialsAction::SaveInput(key) => {
            if let Some(p) = &mut view.save_path {
                p.input(key);
            }
        }
        CredentialsAction::EncryptStart => effects.extend(super::handover::start(view)),
        CredentialsAction::Recalled(text) => super::handover::recalled(view, text),
        CredentialsAction::RecipientsInput(key) => {
            if let Some(super::handover::Handover::Recipients(input)) = &mut view.handover {
                input.input(key);
            }
        }
        CredentialsAction::RecipientsConfirm => super::handover::recipients_given(view),
        CredentialsAction::SaveConfirm if view.handover.is_some() => {
            let path = view.save_path.take().map(|p| p.text().trim().to_string());
            let view = view.clone();
            if let Some(path) = path.filter(|p| !p.is_empty()) {
                effects.extend(super::handover::save(app, &view, path, false));
            }
        }
        CredentialsAction::OverwriteYes if view.handover.is_some() => {
            let path = view.overwrite.take();
            let view = view.clone();
            if let Some(path) = path {
                effects.extend(super::handover::save(app, &view, path, true));
            }
        }
        CredentialsAction::SaveConfirm => {
            if let Some(path) = view.save_path.take().map(|p| p.text().trim().to_string())
                && !path.is_empty()
                && let Some((text, companions)) = view.save_set(&path)
            {
                effects.push(Effect::Save {
                    path,
                    text,
                    companions,
                    overwrite: false,
                });
            }
        }
        CredentialsAction::SaveExists(path) => view.overwrite = Some(path),
        CredentialsAction::SaveCancel => {
            view.save_path = None;
            view.overwrite = None;
            view.handover = None;
        }
        CredentialsAction::OverwriteYes => {
            if let Some(path) = view.overwrite.take()
                && let Some((text, companions)) = view.save_set(&path)
            {
                effects.push(Effect::Save {
                    path,
                    text,
                    companions,
                    overwrite: true,
                });
            }
        }
        CredentialsAction::Open | CredentialsAction::OpenToCheck => {}
    }
    effects
}

fn start_check(view: &mut CredentialsView) -> Option<Effect> {
    if view.check.as_ref().is_some_and(AccessCheck::running) {
        return None;
    }
    let properties = view.properties()?;
    view.check = Some(AccessCheck::default());
    Some(Effect::CheckAccess {
        zone: view.zone.clone(),
        properties,
        aliases: view
            .aliases
            .iter()
            .map(|(alias, _)| alias.clone())
            .collect(),
        issued: match &view.phase {
            Phase::Issued(issued) => Some(issued.clone()),
            _ => None,
        },
    })
}

/// A step of the access check ended.
pub fn check_step(app: &mut App, zone: &str, step: Step) {
    if let Some(Overlay::Credentials(view)) = &mut app.overlay
        && view.zone == zone
        && let Some(check) = &mut view.check
        && check.running()
    {
        check.steps.push(step);
    }
}

/// The access check ended (its report has every step).
pub fn check_done(app: &mut App, zone: &str, report: Report) {
    let summary = report.summary();
    if let Some(Overlay::Credentials(view)) = &mut app.overlay
        && view.zone == zone
        && let Some(check) = &mut view.check
    {
        check.steps = report.steps;
        check.result = Some((report.ok, summary.clone()));
    }
    let kind = if report.ok {
        ToastKind::Success
    } else {
        ToastKind::Failure
    };
    app.toast(kind, format!("{zone}: {summary}"));
}

/// What the sandbox issued arrived (or did not); returns the check to
/// start if the view was opened with `t`.
pub fn issued(app: &mut App, name: String, result: Result<Issued, ApiError>) -> Option<Effect> {
    let done = result.map(|i| Phase::Issued(Box::new(i)));
    arrived(
        app,
        name.clone(),
        done,
        format!("The sandbox issued {name}'s partner credentials"),
        format!("The sandbox could not issue {name}'s partner credentials"),
    )
}

/// The secret arrived (or did not); returns the check to start if the view
/// was opened with `t`.
pub fn done(
    app: &mut App,
    name: String,
    result: Result<(Secret, String), ApiError>,
) -> Option<Effect> {
    let done = result.map(|(secret, config)| Phase::Shown { secret, config });
    arrived(
        app,
        name.clone(),
        done,
        format!("New credentials for {name}"),
        format!("Could not generate credentials for {name}"),
    )
}

/// What the view waited for arrived as `phase` (or failed): shown, said,
/// and checked at once when the view was opened with `t`.
fn arrived(
    app: &mut App,
    name: String,
    phase: Result<Phase, ApiError>,
    success: String,
    failure: String,
) -> Option<Effect> {
    let failed = phase.as_ref().err().map(|e| e.to_string());
    let mut check = None;
    if let Some(Overlay::Credentials(view)) = &mut app.overlay
        && view.zone == name
    {
        view.phase = phase.unwrap_or_else(|e| Phase::Failed(e.to_string()));
        if view.check_after && view.ready() {
            view.check_after = false;
            check = start_check(view);
        }
    }
    match failed {
        Some(e) => app.set_status(super::status::Origin::Request, format!("{failure}: {e}")),
        None => app.toast(ToastKind::Success, success),
    }
    check
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::Action;
    use crate::app::zone_list::tests::{app_with, served, serving};

    const CONFIG: &str = "bootstrap.servers=gw:9094\nsecurity.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=x required username='a' password='***';\n";

    fn shown() -> App {
        let mut a = app_with(&["a"], chrono::Utc::now());
        served(&mut a, Action::Credentials(CredentialsAction::Open));
        let fx = a.update(Action::Credentials(CredentialsAction::Confirm));
        assert_eq!(fx, vec![Effect::GenerateCredentials("a".into())]);
        a.update(Action::CredentialsDone(
            "a".into(),
            Ok((Secret::new("tok.en.sig"), CONFIG.into())),
        ));
        a
    }

    #[test]
    fn copies_each_thing_on_its_own_key() {
        let mut a = shown();
        let secret = a.update(Action::Credentials(CredentialsAction::CopySecret));
        assert!(
            matches!(&secret[..], [Effect::Copy { text, .. }] if text.expose() == "tok.en.sig")
        );
        let props = a.update(Action::Credentials(CredentialsAction::CopyProperties));
        assert!(matches!(&props[..], [Effect::Copy { text, .. }]
            if text.expose().contains("username='a' password='tok.en.sig';")));
        let cmd = a.update(Action::Credentials(CredentialsAction::CopyCommand));
        assert!(matches!(&cmd[..], [Effect::Copy { text, .. }]
            if text.expose() == "kafka-topics --bootstrap-server gw:9094 --list --command-config config.properties"));
    }

    #[test]
    fn save_asks_before_overwriting() {
        let mut a = shown();
        a.update(Action::Credentials(CredentialsAction::SaveStart));
        for _ in 0.."config.properties".len() {
            a.update(Action::Credentials(CredentialsAction::SaveInput(
                crate::app::input::backspace(),
            )));
        }
        for c in "/tmp/p.properties".chars() {
            a.update(Action::Credentials(CredentialsAction::SaveInput(
                crate::app::input::char_key(c),
            )));
        }
        let fx = a.update(Action::Credentials(CredentialsAction::SaveConfirm));
        assert!(
            matches!(&fx[..], [Effect::Save { path, overwrite: false, .. }] if path == "/tmp/p.properties")
        );
        a.update(Action::Credentials(CredentialsAction::SaveExists(
            "/tmp/p.properties".into(),
        )));
        let fx = a.update(Action::Credentials(CredentialsAction::OverwriteYes));
        assert!(matches!(
            &fx[..],
            [Effect::Save {
                overwrite: true,
                ..
            }]
        ));
    }

    #[test]
    fn t_checks_with_the_secret_and_collects_the_steps() {
        use crate::kafka::check::{Outcome, StepKind};
        let mut a = shown();
        let fx = a.update(Action::Credentials(CredentialsAction::Check));
        assert!(
            matches!(&fx[..], [Effect::CheckAccess { zone, properties, .. }]
            if zone == "a" && properties.expose().contains("password='tok.en.sig'"))
        );
        // A second `t` while it runs starts nothing.
        assert!(
            a.update(Action::Credentials(CredentialsAction::Check))
                .is_empty()
        );
        let step = Step {
            step: StepKind::Tcp,
            outcome: Outcome::Fail,
            detail: "connection refused".into(),
            ms: 1,
        };
        a.update(Action::CheckStep("a".into(), step.clone()));
        let report = Report {
            zone: "a".into(),
            ok: false,
            steps: vec![step],
            topics: None,
        };
        a.update(Action::CheckDone("a".into(), report));
        let Some(Overlay::Credentials(v)) = &a.overlay else {
            panic!()
        };
        let check = v.check.as_ref().unwrap();
        assert_eq!(check.steps.len(), 1);
        assert_eq!(check.result.as_ref().map(|r| r.0), Some(false));
        assert!(a.toasts.iter().any(|t| t.text.contains("tcp step failed")));
    }

    #[test]
    fn t_outside_generates_first_then_checks() {
        let mut a = app_with(&["a"], chrono::Utc::now());
        served(&mut a, Action::Credentials(CredentialsAction::OpenToCheck));
        let fx = a.update(Action::Credentials(CredentialsAction::Confirm));
        assert_eq!(fx, vec![Effect::GenerateCredentials("a".into())]);
        let fx = a.update(Action::CredentialsDone(
            "a".into(),
            Ok((Secret::new("tok.en.sig"), CONFIG.into())),
        ));
        assert!(matches!(&fx[..], [Effect::CheckAccess { .. }]), "{fx:?}");
    }

    #[test]
    fn a_failure_can_be_retried() {
        let mut a = app_with(&["a"], chrono::Utc::now());
        served(&mut a, Action::Credentials(CredentialsAction::Open));
        a.update(Action::Credentials(CredentialsAction::Confirm));
        let err = ApiError::Server {
            status: 500,
            body: crate::api::ErrorBody::new("boom", "injected"),
        };
        a.update(Action::CredentialsDone("a".into(), Err(err)));
        assert!(a.status_text().unwrap().contains("injected"));
        let fx = a.update(Action::Credentials(CredentialsAction::Confirm));
        assert_eq!(fx, vec![Effect::GenerateCredentials("a".into())]);
    }

    /// An MTLS zone in the list, on a Console (`sandbox`: false) or not.
    fn mtls(sandbox: bool) -> App {
        let mut a = app_with(&[], chrono::Utc::now());
        a.connection.sandbox_endpoints = sandbox;
        let mut z = crate::app::zone_list::tests::zone("m", crate::api::ZoneStatus::Ready, 1, "g");
        z.spec.authentication_mode = Some(crate::api::AuthenticationMode {
            kind: "MTLS".into(),
            service_account: Some("m-sa".into()),
            extra: Default::default(),
        });
        a.update(Action::ZonesLoaded(Ok(vec![z.clone()].into())));
        serving(
            &mut a,
            Action::Credentials(CredentialsAction::OpenToCheck),
            &[z],
        );
        a
    }

    #[test]
    fn a_real_console_issues_nothing_for_a_partner_who_brings_its_own() {
        let mut a = mtls(false);
        assert!(
            a.update(Action::Credentials(CredentialsAction::Confirm))
                .is_empty()
        );
        let Some(Overlay::Credentials(v)) = &a.overlay else {
            panic!()
        };
        assert!(matches!(v.phase, Phase::BroughtByPartner(_)));
    }

    #[test]
    fn the_sandbox_issues_then_t_checks_with_what_it_issued() {
        use crate::credentials::{Brought, Issued};
        let mut a = mtls(true);
        let fx = a.update(Action::Credentials(CredentialsAction::Confirm));
        assert_eq!(
            fx,
            vec![Effect::IssueSandboxCredentials {
                zone: "m".into(),
                auth_type: "MTLS".into()
            }]
        );
        let issued = Issued {
            config: "bootstrap.servers=gw:1\nsecurity.protocol=SSL\n".into(),
            ca: Some("CA".into()),
            brought: Brought::Certificate {
                certificate: "CERT".into(),
                key: Secret::new("KEY"),
            },
        };
        // Opened with `t`: the check starts as soon as it arrives.
        let fx = a.update(Action::SandboxIssued("m".into(), Ok(issued.clone())));
        assert!(
            matches!(&fx[..], [Effect::CheckAccess { issued: Some(i), .. }] if **i == issued),
            "{fx:?}"
        );
        // `s` writes config.properties and both PEM files beside it.
        a.update(Action::Credentials(CredentialsAction::SaveStart));
        let fx = a.update(Action::Credentials(CredentialsAction::SaveConfirm));
        assert!(
            matches!(&fx[..], [Effect::Save { companions, .. }] if companions.len() == 2),
            "{fx:?}"
        );
    }
}
