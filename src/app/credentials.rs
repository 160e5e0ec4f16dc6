//! The credentials view: confirm, generate a secret, show it masked unless
//! asked, and copy or save what the partner needs.

use super::{App, Effect, Overlay, ToastKind};
use crate::api::ApiError;
use crate::credentials::{bootstrap_servers, kafka_topics_command, partner_properties};
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
    BroughtByPartner(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct CredentialsView {
    pub zone: String,
    pub account: String,
    pub phase: Phase,
    pub revealed: bool,
    /// The path being typed for `s` (save).
    pub save_path: Option<super::input::TextInput>,
    /// A path that exists: waiting for `y` to overwrite.
    pub overwrite: Option<String>,
    /// The zone's topic aliases, which the partner should see.
    pub aliases: Vec<String>,
    /// Opened with `t`: check access as soon as the secret exists.
    pub check_after: bool,
    /// The access check (`t`), running or done.
    pub check: Option<AccessCheck>,
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
    Close,
}

impl CredentialsView {
    pub fn properties(&self) -> Option<Secret> {
        match &self.phase {
            Phase::Shown { secret, config } => Some(Secret::new(partner_properties(
                config,
                &self.account,
                secret,
            ))),
            _ => None,
        }
    }

    pub fn command(&self) -> Option<String> {
        match &self.phase {
            Phase::Shown { config, .. } => Some(kafka_topics_command(
                bootstrap_servers(config).unwrap_or("<bootstrap-servers>"),
            )),
            _ => None,
        }
    }

    /// Whether keys go to the path input.
    pub fn typing(&self) -> bool {
        self.save_path.is_some()
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
        if let Some(z) = app.current_zone() {
            app.overlay = Some(Overlay::Credentials(Box::new(CredentialsView {
                zone: z.metadata.name.clone(),
                account: z
                    .spec
                    .service_account_name()
                    .unwrap_or_default()
                    .to_string(),
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
                aliases: z.spec.topics.iter().map(|t| t.name.clone()).collect(),
                check_after: action == CredentialsAction::OpenToCheck,
                check: None,
            })));
        }
        return Vec::new();
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
        CredentialsAction::Confirm => {
            if matches!(view.phase, Phase::Confirm | Phase::Failed(_)) {
                view.phase = Phase::Generating;
                effects.push(Effect::GenerateCredentials(view.zone.clone()));
            }
        }
        CredentialsAction::Reveal => view.revealed = !view.revealed,
        CredentialsAction::Check => effects.extend(start_check(view)),
        CredentialsAction::PlainSecret => {
            if let Phase::Shown { secret, .. } = &view.phase {
                effects.push(Effect::PlainOut(secret.clone()));
            }
        }
        CredentialsAction::PlainProperties => {
            effects.extend(view.properties().map(Effect::PlainOut))
        }
        CredentialsAction::CopySecret => {
            if let Phase::Shown { secret, .. } = &view.phase {
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
                    what: "the kafka-topics command".into(),
                    secret: false,
                });
            }
        }
        CredentialsAction::SaveStart => {
            if matches!(view.phase, Phase::Shown { .. }) {
                view.save_path = Some(super::input::TextInput::new("config.properties"));
                view.overwrite = None;
            }
        }
        CredentialsAction::SaveInput(key) => {
            if let Some(p) = &mut view.save_path {
                p.input(key);
            }
        }
        CredentialsAction::SaveConfirm => {
            if let (Some(path), Some(text)) =
                (view.save_path.take().map(|p| p.text()), view.properties())
                && !path.trim().is_empty()
            {
                effects.push(Effect::Save {
                    path: path.trim().to_string(),
                    text,
                    overwrite: false,
                });
            }
        }
        CredentialsAction::SaveExists(path) => view.overwrite = Some(path),
        CredentialsAction::SaveCancel => {
            view.save_path = None;
            view.overwrite = None;
        }
        CredentialsAction::OverwriteYes => {
            if let (Some(path), Some(text)) = (view.overwrite.take(), view.properties()) {
                effects.push(Effect::Save {
                    path,
                    text,
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
        aliases: view.aliases.clone(),
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

/// The secret arrived (or did not); returns the check to start if the view
/// was opened with `t`.
pub fn done(
    app: &mut App,
    name: String,
    result: Result<(Secret, String), ApiError>,
) -> Option<Effect> {
    let failed = result.as_ref().err().map(|e| e.to_string());
    let mut check = None;
    if let Some(Overlay::Credentials(view)) = &mut app.overlay
        && view.zone == name
    {
        view.phase = match result {
            Ok((secret, config)) => Phase::Shown { secret, config },
            Err(e) => Phase::Failed(e.to_string()),
        };
        if view.check_after && matches!(view.phase, Phase::Shown { .. }) {
            view.check_after = false;
            check = start_check(view);
        }
    }
    match failed {
        Some(e) => app.set_status(
            super::status::Origin::Request,
            format!("Could not generate credentials for {name}: {e}"),
        ),
        None => app.toast(ToastKind::Success, format!("New credentials for {name}")),
    }
    check
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::Action;
    use crate::app::zone_list::tests::app_with;

    const CONFIG: &str = "bootstrap.servers=gw:9094\nsecurity.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=x required username='a' password='***';\n";

    fn shown() -> App {
        let mut a = app_with(&["a"], chrono::Utc::now());
        a.update(Action::Credentials(CredentialsAction::Open));
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
        a.update(Action::Credentials(CredentialsAction::OpenToCheck));
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
        a.update(Action::Credentials(CredentialsAction::Open));
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
}
