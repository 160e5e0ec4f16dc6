//! Keys in, state out: the console's state driven by actions whose effects
//! run for real against the sandbox over HTTP, including injected faults.

mod common;

use std::time::Duration;

use base64::Engine;
use chrono::Utc;
use common::*;
use pz::api::Client;
use pz::app::credentials::{CredentialsAction as C, Phase};
use pz::app::delete::DeleteAction as D;
use pz::app::{Action, App, ConnectionInfo, Effect, Overlay};
use pz::clipboard::Method;
use pz::effects::{Msg, perform};
use pz::theme::Theme;

/// Applies `action`, runs every effect it causes (and theirs) to the end,
/// and returns what was written to the terminal.
async fn drive(app: &mut App, action: Action, client: &Client) -> Vec<u8> {
    let mut terminal = Vec::new();
    let mut queue = vec![action];
    while let Some(action) = queue.pop() {
        app.now = Utc::now();
        for effect in app.update(action) {
            for msg in perform(effect, client.clone(), Method::Osc52).await {
                match msg {
                    Msg::Action(a) => queue.push(a),
                    Msg::Terminal(bytes) => terminal.extend(bytes),
                }
            }
        }
    }
    terminal
}

fn new_app() -> App {
    App::new(Theme::default(), ConnectionInfo::default(), Utc::now())
}

async fn load(app: &mut App, client: &Client) {
    app.poll.next_at = None;
    drive(app, Action::Tick(Utc::now()), client).await;
    assert!(app.loaded, "zones loaded: {:?}", app.error);
}

async fn type_delete(app: &mut App, client: &Client) {
    drive(app, Action::Delete(D::Open), client).await;
    app.update(Action::Drawn(Utc::now() - chrono::Duration::seconds(1)));
    for c in "DELETE".chars() {
        drive(app, Action::Delete(D::Char(c)), client).await;
    }
    drive(app, Action::Delete(D::Confirm), client).await;
}

#[tokio::test]
async fn delete_shows_a_409_then_succeeds() {
    let (sb, client) = start(options()).await;
    client
        .apply_zone(&zone("fresh", "gateway-prod"), false)
        .await
        .unwrap();
    let mut app = new_app();
    load(&mut app, &client).await;
    app.list.select_name("fresh");
    type_delete(&mut app, &client).await;
    let error = app.error.clone().unwrap_or_default();
    assert!(
        error.contains("409") && error.contains("being deployed"),
        "{error}"
    );
    assert!(app.list.zones().iter().any(|z| z.metadata.name == "fresh"));
    assert!(
        matches!(app.overlay, Some(Overlay::Delete(_))),
        "the modal stays"
    );

    assert!(
        eventually(
            async || client.get_zone("fresh").await.unwrap().metadata.status
                == Some(pz::api::ZoneStatus::Ready),
            Duration::from_secs(5)
        )
        .await
    );
    drive(&mut app, Action::Delete(D::Confirm), &client).await;
    assert!(app.overlay.is_none());
    assert!(!app.list.zones().iter().any(|z| z.metadata.name == "fresh"));
    assert!(client.get_zone("fresh").await.is_err());
    assert!(app.toasts.iter().any(|t| t.text.contains("Deleted fresh")));
    sb.shutdown().await;
}

#[tokio::test]
async fn credentials_flow_copies_a_complete_config() {
    let (sb, client) = start(options()).await;
    let mut app = new_app();
    load(&mut app, &client).await;
    app.list.select_name("stark-payments");
    drive(&mut app, Action::Credentials(C::Open), &client).await;
    drive(&mut app, Action::Credentials(C::Confirm), &client).await;
    let Some(Overlay::Credentials(view)) = &app.overlay else {
        panic!("credentials view")
    };
    let Phase::Shown { secret, .. } = &view.phase else {
        panic!("{:?}", view.phase)
    };
    let secret = secret.expose().to_string();
    let bytes = drive(&mut app, Action::Credentials(C::CopyProperties), &client).await;
    let text = String::from_utf8(bytes).unwrap();
    let b64 = text
        .strip_prefix("\x1b]52;c;")
        .and_then(|t| t.strip_suffix('\x07'))
        .expect("a plain OSC 52 sequence");
    let copied = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        copied,
        format!(
            "bootstrap.servers=gateway-prod.sandbox.local:9094\nsecurity.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username='stark-payments' password='{secret}';\n"
        )
    );
    assert!(
        app.toasts
            .iter()
            .any(|t| t.text.contains("via terminal (OSC 52)"))
    );

    // Save to a file: 0600, and never over an existing file without asking.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.properties");
    std::fs::write(&path, "keep me").unwrap();
    drive(&mut app, Action::Credentials(C::SaveStart), &client).await;
    for _ in 0.."config.properties".len() {
        app.update(Action::Credentials(C::SaveBackspace));
    }
    for c in path.to_str().unwrap().chars() {
        app.update(Action::Credentials(C::SaveChar(c)));
    }
    drive(&mut app, Action::Credentials(C::SaveConfirm), &client).await;
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "keep me");
    drive(&mut app, Action::Credentials(C::OverwriteYes), &client).await;
    assert_eq!(std::fs::read_to_string(&path).unwrap(), copied);
    sb.shutdown().await;
}

#[tokio::test]
async fn injected_500s_are_shown_and_change_nothing() {
    let mut o = options();
    o.fail_rate = 1.0;
    let (sb, client) = start(o).await;
    let mut app = new_app();
    // Loading fails: shown, and retried later.
    drive(&mut app, Action::Tick(Utc::now()), &client).await;
    assert!(
        app.error.as_deref().unwrap().contains("retrying"),
        "{:?}",
        app.error
    );
    assert_eq!(app.poll.failures, 1);
    // Seed the list from a working copy of the world to act on a zone.
    let zones = pz::sandbox::World::seed(Utc::now())
        .zones
        .into_values()
        .map(|s| s.zone)
        .collect();
    app.update(Action::ZonesLoaded(Ok(zones)));
    app.list.select_name("acme-logistics");
    type_delete(&mut app, &client).await;
    assert!(
        app.error
            .as_deref()
            .unwrap()
            .contains("Could not delete acme-logistics")
    );
    assert!(
        app.list
            .zones()
            .iter()
            .any(|z| z.metadata.name == "acme-logistics")
    );
    drive(&mut app, Action::Delete(D::Cancel), &client).await;
    drive(&mut app, Action::Credentials(C::Open), &client).await;
    drive(&mut app, Action::Credentials(C::Confirm), &client).await;
    let Some(Overlay::Credentials(view)) = &app.overlay else {
        panic!()
    };
    assert!(matches!(view.phase, Phase::Failed(_)), "{:?}", view.phase);
    assert!(
        app.error
            .as_deref()
            .unwrap()
            .contains("Could not generate credentials")
    );
    sb.shutdown().await;
}

#[test]
fn effects_are_plain_data() {
    // The state asks; it never does I/O itself.
    let mut app = new_app();
    let fx = app.update(Action::Tick(Utc::now()));
    assert_eq!(fx, vec![Effect::FetchZones]);
}
