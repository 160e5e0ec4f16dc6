//! Carrying out an [`Effect`]: network calls, clipboard and files. Each
//! returns the messages that report the result to the event loop.

mod everywhere;
mod handover;
mod rotate;

use crate::api::Client;
use crate::api::yaml::parse_zones;
use crate::app::credentials::CredentialsAction;
use crate::app::editor::EditAction;
use crate::app::{Action, Effect, Wizard, WizardAction};
use crate::clipboard::{self, Plan};
use crate::credentials::{Brought, Issued, Saved, save_private};

/// What a finished effect tells the event loop.
#[allow(clippy::large_enum_variant)] // see `Action`
pub enum Msg {
    Action(Action),
    /// Bytes for the terminal itself (OSC 52), written between frames.
    Terminal(Vec<u8>),
    /// Text to print plainly outside the drawing (`o`/`O`).
    PlainOut(crate::secret::Secret),
    /// Hand the terminal to the user's editor for this file (`E`).
    Editor(Box<crate::editing::Session>),
    /// An effect's task ended (the loop counts what is still running).
    EffectDone,
}

/// How to read the configuration again (with [`Ctx::paths`]).
#[derive(Clone)]
pub struct Reconnector {
    /// `--read-only` on the command line.
    pub read_only: bool,
}

/// What effects need besides the effect itself.
#[derive(Clone)]
pub struct Ctx {
    /// The client in use; replaced when the connection is re-read.
    client: std::sync::Arc<std::sync::Mutex<Client>>,
    pub reconnect: Option<Reconnector>,
    /// pz's files: the configuration, the state (rotations, edits).
    pub paths: Option<crate::config::Paths>,
    /// The digest of the last zone list handed to the console: the same
    /// answer again is neither parsed nor handed over.
    listed: std::sync::Arc<std::sync::Mutex<Option<u64>>>,
    /// The ways a copy takes.
    pub clipboard: Plan,
    /// Secrets are emptied from the system clipboard after this long.
    pub clear_after: Option<std::time::Duration>,
    /// Where the wizard's draft is kept.
    pub draft: std::path::PathBuf,
    /// The number of the last draft save or delete done: older ones that
    /// arrive late are dropped.
    pub draft_done: std::sync::Arc<std::sync::Mutex<u64>>,
    /// Where an effect may report progress before it ends (the event
    /// loop's channel); without it only the final messages count.
    pub progress: Option<tokio::sync::mpsc::UnboundedSender<Msg>>,
}

impl Ctx {
    pub fn new(client: Client, clipboard: Plan, draft: std::path::PathBuf) -> Ctx {
        Ctx {
            client: std::sync::Arc::new(std::sync::Mutex::new(client)),
            reconnect: None,
            paths: None,
            listed: Default::default(),
            clipboard,
            clear_after: None,
            draft,
            draft_done: Default::default(),
            progress: None,
        }
    }

    /// The client in use now.
    pub fn client(&self) -> Client {
        match self.client.lock() {
            Ok(c) => c.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn set_client(&self, client: Client) {
        match self.client.lock() {
            Ok(mut c) => *c = client,
            Err(poisoned) => *poisoned.into_inner() = client,
        }
        // Another Console: its first answer is news.
        self.set_listed(None);
    }

    fn listed(&self) -> Option<u64> {
        *self.listed.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn set_listed(&self, digest: Option<u64>) {
        *self.listed.lock().unwrap_or_else(|p| p.into_inner()) = digest;
    }

    /// Runs `f` on the draft file unless a later save or delete ran.
    fn draft_op(
        &self,
        seq: u64,
        f: impl FnOnce(&std::path::Path) -> Result<(), String>,
    ) -> Result<(), String> {
        let mut done = self
            .draft_done
            .lock()
            .map_err(|_| "draft lock poisoned".to_string())?;
        if seq <= *done {
            return Ok(());
        }
        *done = seq;
        f(&self.draft)
    }
}

/// Effects done at once on the event loop, before the next frame: the
/// draft, so that what is on screen is also on disk (a small write, with no
/// fsync: a killed process loses nothing, only a power cut could).
/// Gives back the effects that run in tasks.
pub fn perform_now(effect: Effect, ctx: &Ctx) -> Result<Vec<Msg>, Effect> {
    let result = match effect {
        Effect::SaveDraft(wizard, seq) => ctx.draft_op(seq, |p| save_draft(p, &wizard)),
        Effect::DeleteDraft(seq) => ctx.draft_op(seq, |p| match std::fs::remove_file(p) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.to_string()),
            _ => Ok(()),
        }),
        Effect::PlainOut(text) => return Ok(vec![Msg::PlainOut(text)]),
        Effect::OpenEditor(session) => return Ok(vec![open_editor(session)]),
        Effect::EndEdit(session) => {
            session.remove();
            return Ok(Vec::new());
        }
        other => return Err(other),
    };
    Ok(match result {
        Ok(()) => Vec::new(),
        Err(e) => vec![Msg::Action(Action::Notice(Err(format!(
            "Could not save the draft: {e}"
        ))))],
    })
}

/// The session's file written, then the terminal handed to the editor.
fn open_editor(session: Box<crate::editing::Session>) -> Msg {
    match session.write() {
        Ok(()) => Msg::Editor(session),
        Err(e) => Msg::Action(Action::Notice(Err(format!(
            "Cannot write {}: {e}",
            session.origin()
        )))),
    }
}

pub async fn perform(effect: Effect, ctx: &Ctx) -> Vec<Msg> {
    let client = &ctx.client();
    let plan = ctx.clipboard;
    let action = match effect {
        Effect::CountGateways => Action::GatewaysCounted(
            client
                .list_clusters()
                .await
                .map(|cs| cs.iter().filter(|c| c.is_gateway()).count()),
        ),
        Effect::DetectGeneration => {
            Action::GenerationDetected(client.generation().await, client.is_sandbox().await)
        }
        // A dry run of the zone as it is: refused when the key may only read.
        Effect::ProbeWrite(name) => Action::WriteProbed(match client.get_zone(&name).await {
            Ok(zone) => client.apply_zone(&zone, true).await.map(|_| ()),
            Err(e) => Err(e),
        }),
        Effect::ListContexts(current) => {
            let (Some(_), Some(paths)) = (&ctx.reconnect, ctx.paths.clone()) else {
                return Vec::new();
            };
            let listed = blocking(move || {
                let file = crate::config::ConfigFile::load(&paths.config_file)
                    .map_err(|e| e.to_string())?;
                let entries = file
                    .contexts
                    .iter()
                    .map(|(name, c)| crate::app::connection::ContextEntry {
                        name: name.clone(),
                        base_url: c.base_url.clone(),
                        read_only: c.read_only,
                        health: crate::app::everywhere::Health::Checking,
                    })
                    .collect::<Vec<_>>();
                Ok((entries, file.current_context))
            })
            .await;
            Action::Contexts(crate::app::ContextAction::Listed(listed.map(
                |(entries, file_current)| {
                    let current = current.or(file_current);
                    let cursor = entries
                        .iter()
                        .position(|e| Some(&e.name) == current.as_ref())
                        .unwrap_or(0);
                    crate::app::ContextPicker {
                        entries,
                        current,
                        cursor,
                    }
                },
            )))
        }
        Effect::Reconnect(context) => {
            let (Some(r), Some(paths)) = (ctx.reconnect.clone(), ctx.paths.clone()) else {
                return vec![Msg::Action(Action::Reconnected(Err(
                    "pz runs on its own sandbox: there is no configuration to read again".into(),
                )))];
            };
            let result = blocking(move || {
                crate::backend::reconnect(&paths, context.as_deref(), r.read_only)
            })
            .await;
            Action::Reconnected(result.map(|(client, info)| {
                ctx.set_client(client);
                info
            }))
        }
        Effect::LoadClusters => {
            Action::Wizard(WizardAction::ClustersLoaded(client.list_clusters().await))
        }
        Effect::LoadTopics(cluster) => {
            let result = client.list_topics(&cluster).await;
            Action::Wizard(WizardAction::TopicsLoaded(cluster, result))
        }
        Effect::DryRun(zone) => {
            Action::Wizard(WizardAction::Checked(client.apply_zone(&zone, true).await))
        }
        Effect::Apply(zone) => {
            Action::Wizard(WizardAction::Applied(client.apply_zone(&zone, false).await))
        }
        Effect::SaveDraft(..) | Effect::DeleteDraft(_) => {
            return perform_now(effect, ctx).unwrap_or_default();
        }
        Effect::LoadFile(path) => {
            let loaded = tokio::fs::read_to_string(&path)
                .await
                .map_err(|e| format!("cannot read {path}: {e}"))
                .and_then(|text| parse_zones(&text, &path).map_err(|e| e.to_string()))
                .and_then(|mut zones| {
                    if zones.len() == 1 {
                        Ok(zones.remove(0))
                    } else {
                        Err(format!("{path} holds {} zones; :apply takes one (use `pz apply -f` for several)", zones.len()))
                    }
                });
            Action::Wizard(WizardAction::FromFile(loaded))
        }
        Effect::Rotate { zone, account } => rotate::rotate(ctx, &zone, account).await,
        Effect::RestoreRotation(zone) => rotate::restore(ctx, &zone).await,
        Effect::FetchEverywhere => return everywhere::ask(ctx).await,
        Effect::RecallRecipients(zone) => handover::recall(ctx, zone).await,
        effect @ Effect::SaveEncrypted { .. } => handover::save(ctx, effect).await,
        Effect::StartEdit(name) => {
            let Some(paths) = &ctx.paths else {
                return Vec::new();
            };
            match client.get_zone(&name).await {
                Ok(zone) => {
                    let session = crate::editing::Session::new(paths, zone);
                    return vec![open_editor(Box::new(session))];
                }
                Err(e) => Action::Notice(Err(format!("Cannot edit {name}: {e}"))),
            }
        }
        Effect::ApplyEdit(session, zone) => {
            let result = client.apply_zone(&zone, false).await;
            Action::Edit(EditAction::Applied(session, Box::new(result)))
        }
        Effect::OpenEditor(..) | Effect::EndEdit(_) => {
            return perform_now(effect, ctx).unwrap_or_default();
        }
        Effect::FetchZones => {
            let seen = ctx.listed();
            match client.list_rows_unless(seen).await {
                Ok(None) => Action::ZonesUnchanged,
                Ok(Some((zones, digest))) => {
                    ctx.set_listed(Some(digest));
                    Action::ZonesLoaded(Ok(zones))
                }
                Err(e) => Action::ZonesLoaded(Err(e)),
            }
        }
        Effect::FetchZone(name) => {
            let result = client.get_zone(&name).await;
            Action::ZoneLoaded(name, result)
        }
        Effect::DeleteZone(name) => {
            let result = client.delete_zone(&name).await;
            Action::DeleteDone(name, result)
        }
        Effect::GenerateCredentials(name) => {
            // The configuration first: a failure there must not waste a
            // secret nobody will see.
            let result = async {
                let config = client.kafka_configuration(&name).await?;
                let secret = client.generate_credentials(&name).await?;
                Ok((secret, config))
            }
            .await;
            Action::CredentialsDone(name, result)
        }
        Effect::PlainOut(text) => return vec![Msg::PlainOut(text)],
        Effect::IssueSandboxCredentials { zone, auth_type } => {
            let result = sandbox_issue(client, &zone, &auth_type).await;
            Action::SandboxIssued(zone, result)
        }
        Effect::CheckAccess {
            zone,
            properties,
            aliases,
            issued,
        } => {
            let settings = match crate::kafka::properties::parse(properties.expose()) {
                Ok(s) => s,
                Err(e) => {
                    return vec![Msg::Action(Action::Notice(Err(format!(
                        "Cannot check {zone}: the Console's kafka-configuration: {e}"
                    ))))];
                }
            };
            let tls = settings.uses_tls();
            // The sandbox's Gateways speak TLS under its own CA.
            let cacert = match issued.as_ref().and_then(|i| i.ca.clone()) {
                Some(ca) => Some(ca),
                None if tls && client.is_sandbox().await => client.sandbox_ca().await.ok(),
                None => None,
            };
            let (client_cert, bearer) = match issued.map(|i| i.brought) {
                Some(Brought::Certificate { certificate, key }) => (
                    Some((certificate.into_bytes(), key.expose().as_bytes().to_vec())),
                    None,
                ),
                Some(Brought::OAuthClient {
                    client_id,
                    client_secret,
                    token_endpoint,
                }) => {
                    // As the partner's client does: a token first.
                    match crate::kafka::oauth::client_credentials(
                        &token_endpoint,
                        &client_id,
                        &client_secret,
                        cacert.as_deref().map(str::as_bytes),
                        crate::kafka::check::STEP_TIMEOUT,
                    )
                    .await
                    {
                        Ok(token) => (None, Some(token)),
                        Err(e) => {
                            return vec![Msg::Action(Action::CheckDone(
                                zone.clone(),
                                crate::kafka::check::Report::failed_before(
                                    &zone,
                                    crate::kafka::check::StepKind::Sasl,
                                    e,
                                ),
                            ))];
                        }
                    }
                }
                None => (None, None),
            };
            let plan = crate::kafka::check::Plan {
                zone: zone.clone(),
                settings,
                source: "the Console's kafka-configuration".into(),
                expected: aliases,
                cacert: cacert.map(String::into_bytes),
                client_cert,
                bearer,
                step_timeout: crate::kafka::check::STEP_TIMEOUT,
            };
            let progress = ctx.progress.clone();
            let report = crate::kafka::check::run(plan, |step| {
                if let Some(tx) = &progress {
                    let _ = tx.send(Msg::Action(Action::CheckStep(zone.clone(), step.clone())));
                }
            })
            .await;
            Action::CheckDone(zone, report)
        }
        Effect::Copy { text, what, secret } => {
            tracing::debug!("copy: start");
            let clear_after = ctx.clear_after.filter(|_| secret);
            let digest = clear_after.map(|_| clipboard::system::digest(text.expose()));
            let copied = match blocking(move || Ok(clipboard::copy(&text, plan, secret))).await {
                Ok(c) => c,
                Err(e) => {
                    return vec![Msg::Action(Action::Notice(Err(format!(
                        "Could not copy {what}: {e}"
                    ))))];
                }
            };
            let summary = copied.summary(&what, clear_after.map(|d| d.as_secs()));
            if let (Some(after), Some(digest)) = (clear_after, digest)
                && copied.system_holds()
            {
                clear_later(after, digest, ctx.progress.clone());
            }
            let mut out = Vec::new();
            if let Some(bytes) = copied.terminal_bytes {
                out.push(Msg::Terminal(bytes));
            }
            tracing::debug!("copy: done");
            out.push(Msg::Action(Action::Copied(summary)));
            return out;
        }
        Effect::Save {
            path,
            text,
            companions,
            overwrite,
        } => {
            let p = path.clone();
            let saved = blocking(move || {
                // The files it names first: a config.properties is never
                // left pointing at files that are not there.
                for (at, text) in &companions {
                    match save_private(std::path::Path::new(at), text, overwrite) {
                        Ok(Saved::Written) => {}
                        Ok(Saved::Exists) => return Ok(Saved::Exists),
                        Err(e) => return Err(format!("{at}: {e}")),
                    }
                }
                save_private(std::path::Path::new(&p), &text, overwrite).map_err(|e| e.to_string())
            })
            .await;
            match saved {
                Ok(Saved::Written) => Action::Notice(Ok(format!("Saved {path} (mode 0600)"))),
                Ok(Saved::Exists) => Action::Credentials(CredentialsAction::SaveExists(path)),
                Err(e) => Action::Notice(Err(format!("Could not save {path}: {e}"))),
            }
        }
    };
    vec![Msg::Action(action)]
}

/// After `after`, empties the system clipboard if it still holds the text
/// of `digest` (never a text copied since), and says so.
fn clear_later(
    after: std::time::Duration,
    digest: clipboard::system::Digest,
    progress: Option<tokio::sync::mpsc::UnboundedSender<Msg>>,
) {
    tokio::spawn(async move {
        tokio::time::sleep(after).await;
        let cleared = blocking(move || clipboard::system::clear_if_still(digest)).await;
        tracing::info!("clipboard clear after {after:?}: {cleared:?}");
        if let (Ok(true), Some(tx)) = (cleared, progress) {
            let _ = tx.send(Msg::Action(Action::Notice(Ok(
                "Cleared the secret from the system clipboard".into(),
            ))));
        }
    });
}

/// Runs blocking work (clipboard, files) off the async threads; a task
/// that could not finish is an error like the work's own.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| e.to_string())
        .and_then(|r| r)
}

/// Saves the wizard's draft (0600, by rename, never through a link).
pub fn save_draft(path: &std::path::Path, wizard: &Wizard) -> Result<(), String> {
    let json = serde_json::to_vec_pretty(&wizard.draft()).map_err(|e| e.to_string())?;
    let how = crate::files::How {
        durable: false,
        ..crate::files::PRIVATE
    };
    crate::files::write(path, &json, how)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// The draft left by an earlier session: `Ok(None)` when there is none; a
/// draft that cannot be read or is of another version is moved aside
/// beside it and reported.
pub fn load_draft(
    path: &std::path::Path,
) -> Result<Option<Wizard>, crate::app::wizard::draft::SetAside> {
    let bytes = match crate::files::read(path) {
        Ok(Some(b)) => b,
        Ok(None) => return Ok(None),
        Err(e) => {
            return Err(crate::app::wizard::draft::SetAside {
                kept_at: path.to_path_buf(),
                why: e.to_string(),
            });
        }
    };
    let why = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Err(e) => format!("not JSON: {e}"),
        Ok(v) => match v.get("version").and_then(serde_json::Value::as_u64) {
            Some(n) if n == u64::from(crate::app::wizard::draft::VERSION) => {
                match serde_json::from_value::<crate::app::wizard::draft::Draft>(v) {
                    Ok(d) => return Ok(Some(Wizard::from_draft(d))),
                    Err(e) => format!("unreadable: {e}"),
                }
            }
            Some(n) => format!("written by another version of pz (draft version {n})"),
            None => "written by an older pz (no version)".to_string(),
        },
    };
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S");
    let kept_at = path.with_file_name(format!(
        "{}.set-aside-{stamp}",
        path.file_name().unwrap_or_default().to_string_lossy()
    ));
    match std::fs::rename(path, &kept_at) {
        Ok(()) => Err(crate::app::wizard::draft::SetAside { kept_at, why }),
        Err(e) => Err(crate::app::wizard::draft::SetAside {
            kept_at: path.to_path_buf(),
            why: format!("{why}; could not move it aside: {e}"),
        }),
    }
}

/// What the sandbox issues for the partner of `zone`: a client certificate
/// (MTLS) or an OAuth client (OAUTHBEARER), with the zone's
/// kafka-configuration and, when the Gateways speak TLS, their CA.
async fn sandbox_issue(
    client: &crate::api::Client,
    zone: &str,
    auth_type: &str,
) -> Result<Issued, crate::api::ApiError> {
    let config = client.kafka_configuration(zone).await?;
    let brought = match auth_type {
        "MTLS" => {
            let c = client.sandbox_certificate(zone).await?;
            Brought::Certificate {
                certificate: c.certificate,
                key: c.private_key,
            }
        }
        _ => {
            let c = client.sandbox_oauth_client(zone).await?;
            Brought::OAuthClient {
                client_id: c.client_id,
                client_secret: c.client_secret,
                token_endpoint: c.token_endpoint,
            }
        }
    };
    let tls = crate::kafka::properties::get(&config, "security.protocol")
        .is_some_and(crate::kafka::properties::speaks_tls);
    let ca = match tls {
        true => Some(client.sandbox_ca().await?),
        false => None,
    };
    Ok(Issued {
        config,
        ca,
        brought,
    })
}
