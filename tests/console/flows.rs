//! Keys in, frames out: the console's real loop (`tests/common/harness.rs`)
//! on a test backend, its effects running for real against the sandbox (or
//! a double) over HTTP, including injected faults.

use crate::common;

use std::time::Duration;

use base64::Engine;
use chrono::Utc;
use common::harness::Harness;
use common::*;
use crossterm::event::KeyCode;
use pz::api::ConnectionInfo;
use pz::app::credentials::Phase;
use pz::app::{Action, App, Effect, Overlay};
use pz::theme::Theme;

fn new_app() -> App {
    App::new(Theme::default(), ConnectionInfo::default(), Utc::now())
}

/// Types the zone's name into its delete modal (armed: a second after it
/// showed) and confirms.
async fn type_delete(h: &mut Harness) {
    h.key(KeyCode::Char('d')).await;
    h.wait_for("DELETE").await;
    h.advance(Duration::from_secs(1));
    h.text("DELETE").await;
    h.key(KeyCode::Enter).await;
}

/// A Console double whose DELETE answers one 409 (the contract's "linked
/// to another resource"), then deletes: the sandbox itself deletes a zone in
/// any status, as the Console does.
fn console_with_one_conflict() -> axum::Router {
    use axum::http::StatusCode;
    use axum::routing::get;
    use std::sync::{Arc, Mutex};
    let zones = Arc::new(Mutex::new(vec![zone("fresh", "gateway-prod")]));
    let tries = Arc::new(Mutex::new(0));
    let list = zones.clone();
    axum::Router::new()
        .route(
            "/public/console/v2/partner-zone",
            get(move || {
                let list = list.lock().unwrap().clone();
                async move { axum::Json(list) }
            }),
        )
        .route(
            "/public/console/v2/partner-zone/{name}",
            get({
                let zones = zones.clone();
                move || {
                    let z = zones.lock().unwrap().first().cloned();
                    async move {
                        match z {
                            Some(z) => axum::Json(z).into_response(),
                            None => StatusCode::NOT_FOUND.into_response(),
                        }
                    }
                }
            })
            .delete(move || {
                let mut n = tries.lock().unwrap();
                *n += 1;
                let first = *n == 1;
                if !first {
                    zones.lock().unwrap().clear();
                }
                async move {
                    if first {
                        (
                            StatusCode::CONFLICT,
                            axum::Json(serde_json::json!({
                                "title": "Resource link to an other resource",
                                "msg": "The Partner Zone 'fresh' is used by an alert"
                            })),
                        )
                            .into_response()
                    } else {
                        StatusCode::OK.into_response()
                    }
                }
            }),
        )
}

use axum::response::IntoResponse;

#[tokio::test]
async fn delete_shows_a_409_then_succeeds() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new().nest("/api", console_with_one_conflict());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let mut h = Harness::on(&base, (100, 30)).await;
    h.wait_for("(fresh)").await;
    type_delete(&mut h).await;
    let error = h.status().unwrap_or_default();
    assert!(
        error.contains("409") && error.contains("used by an alert"),
        "{error}"
    );
    assert!(h.screen().contains("fresh"));
    assert!(
        matches!(h.overlay(), Some(Overlay::Delete(_))),
        "the modal stays"
    );
    h.key(KeyCode::Enter).await;
    h.until(|s| s.overlay.is_none() && s.toasts.iter().any(|t| t.contains("Deleted fresh")))
        .await;
    assert!(h.client.get_zone("fresh").await.is_err());
    h.quit().await;
}

#[tokio::test]
async fn a_pending_zone_deletes_at_once() {
    let mut o = options();
    o.deploy_delay = Duration::from_secs(600);
    let mut h = Harness::start(o, (100, 30)).await;
    h.client
        .apply_zone(&zone("fresh", "gateway-prod"), false)
        .await
        .unwrap();
    h.key(KeyCode::Char('r')).await;
    h.wait_for("(fresh)").await;
    h.select("fresh").await;
    assert_eq!(
        h.client.get_zone("fresh").await.unwrap().metadata.status,
        Some(pz::api::ZoneStatus::Pending)
    );
    type_delete(&mut h).await;
    h.until(|s| s.overlay.is_none() && !s.screen.contains("(fresh)"))
        .await;
    assert!(matches!(
        h.client.get_zone("fresh").await,
        Err(pz::api::ApiError::NotFound(_))
    ));
    h.quit().await;
}

/// The credentials view of the last frame.
fn credentials(h: &Harness) -> pz::app::credentials::CredentialsView {
    match h.overlay() {
        Some(Overlay::Credentials(v)) => *v,
        other => panic!("not the credentials view: {other:?}"),
    }
}

#[tokio::test]
async fn t_checks_the_partners_access_from_the_console() {
    let mut h = Harness::start(options(), (100, 30)).await;
    // From the list: `t` opens the view to generate first, then checks.
    h.select("stark-payments").await;
    h.key(KeyCode::Char('t')).await;
    h.key(KeyCode::Enter).await;
    h.until(|s| s.screen.contains("sees exactly its 3 topics"))
        .await;
    let view = credentials(&h);
    let check = view.check.as_ref().expect("a check ran");
    let (ok, summary) = check.result.clone().expect("it ended");
    assert!(ok, "{summary}: {:?}", check.steps);
    let names: Vec<&str> = check.steps.iter().map(|s| s.step.label()).collect();
    assert_eq!(names, ["bootstrap", "tcp", "tls", "sasl", "topics"]);
    assert!(h.screen().contains("✓ sasl"), "{}", h.screen());

    // The Gateway goes down: `t` again says where it fails.
    let base = h.sandbox.as_ref().unwrap().base_url();
    reqwest::Client::new()
        .put(format!("{base}/sandbox/gateway/gateway-prod/down"))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    // (The listener closes as soon as its task sees the change.)
    let mut last = (true, String::new());
    for _ in 0..40 {
        h.key(KeyCode::Char('t')).await;
        h.until(|s| {
            matches!(&s.overlay, Some(Overlay::Credentials(v))
                if v.check.as_ref().is_some_and(|c| c.result.is_some()))
        })
        .await;
        last = credentials(&h).check.unwrap().result.unwrap();
        if !last.0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!last.0);
    assert!(last.1.contains("tcp step failed"), "{}", last.1);
    h.quit().await;
}

#[tokio::test]
async fn credentials_flow_copies_a_complete_config() {
    let mut h = Harness::start(options(), (100, 30)).await;
    h.select("stark-payments").await;
    h.key(KeyCode::Char('c')).await;
    h.key(KeyCode::Enter).await;
    h.until(|s| matches!(&s.overlay, Some(Overlay::Credentials(v)) if matches!(v.phase, Phase::Shown { .. })))
        .await;
    let Phase::Shown { secret, .. } = credentials(&h).phase else {
        unreachable!()
    };
    let secret = secret.expose().to_string();
    // The sandbox names where its Gateway really listens.
    let bootstrap = h
        .sandbox
        .as_ref()
        .unwrap()
        .kafka
        .iter()
        .find(|l| l.cluster == "gateway-prod")
        .unwrap()
        .addr;
    h.take_written();
    h.key(KeyCode::Char('p')).await;
    let text = String::from_utf8(h.take_written()).unwrap();
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
            "bootstrap.servers={bootstrap}\nsecurity.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username='stark-payments' password='{secret}';\n"
        )
    );
    h.until(|s| {
        s.toasts
            .iter()
            .any(|t| t.starts_with("Sent config.properties to the terminal (OSC 52), unconfirmed"))
    })
    .await;

    // Save to a file: 0600, and never over an existing file without asking.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.properties");
    std::fs::write(&path, "keep me").unwrap();
    h.key(KeyCode::Char('s')).await;
    for _ in 0.."config.properties".len() {
        h.key(KeyCode::Backspace).await;
    }
    h.text(path.to_str().unwrap()).await;
    h.key(KeyCode::Enter).await;
    h.wait_for("Overwrite").await;
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "keep me");
    h.key(KeyCode::Char('y')).await;
    h.until(|_| std::fs::read_to_string(&path).unwrap() == copied)
        .await;
    h.quit().await;
}

/// A Console whose list works and whose every change fails with a 500.
fn console_failing_changes() -> axum::Router {
    use axum::http::StatusCode;
    use axum::routing::{get, post};
    let zones: Vec<pz::api::PartnerZone> = pz::sandbox::World::seed(Utc::now())
        .zones
        .into_values()
        .map(|s| s.zone)
        .collect();
    let fail = || async {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            axum::Json(serde_json::json!({"title": "An unexpected error occurred in the server"})),
        )
    };
    let listed = zones.clone();
    // Reads answer; every change fails.
    let one = move |axum::extract::Path(name): axum::extract::Path<String>| {
        let zone = zones.iter().find(|z| z.metadata.name == name).cloned();
        async move { zone.map(axum::Json).ok_or(StatusCode::NOT_FOUND) }
    };
    axum::Router::new()
        .route(
            "/public/console/v2/partner-zone",
            get(move || {
                let zones = listed.clone();
                async move { axum::Json(zones) }
            }),
        )
        .route(
            "/public/console/v2/partner-zone/{name}",
            get(one).delete(fail),
        )
        .route(
            "/public/partner-zone/v2/{name}/generate-credentials",
            post(fail),
        )
}

#[tokio::test]
async fn injected_500s_are_shown_and_change_nothing() {
    // Loading fails: shown, and retried later.
    let mut o = options();
    o.fail_rate = 1.0;
    let (sb, _) = start(o).await;
    let h = Harness::on(&sb.base_url(), (100, 30)).await;
    h.until(|s| s.status.as_deref().is_some_and(|t| t.contains("retrying")))
        .await;
    h.quit().await;
    sb.shutdown().await;

    // Changes fail: shown, and nothing changes.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new().nest("/api", console_failing_changes());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let mut h = Harness::on(&base, (100, 30)).await;
    h.wait_for("acme-logistics").await;
    type_delete(&mut h).await;
    h.until(|s| {
        s.status
            .as_deref()
            .is_some_and(|t| t.contains("Could not delete acme-logistics"))
    })
    .await;
    assert!(h.screen().contains("acme-logistics"));
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Char('c')).await;
    h.key(KeyCode::Enter).await;
    h.until(|s| {
        s.status
            .as_deref()
            .is_some_and(|t| t.contains("Could not generate credentials"))
    })
    .await;
    assert!(matches!(credentials(&h).phase, Phase::Failed(_)));
    h.quit().await;
}

#[test]
fn effects_are_plain_data() {
    // The state asks; it never does I/O itself.
    let mut app = new_app();
    let fx = app.update(Action::Tick(Utc::now()));
    assert_eq!(fx, vec![Effect::FetchZones]);
}

/// The harness's clock: a zone applied elsewhere shows PENDING, then READY
/// as soon as the console's clock reaches its next poll, without the test
/// waiting the five seconds.
#[tokio::test]
async fn a_pending_zone_turns_ready_when_the_console_clock_moves() {
    let mut h = crate::common::harness::Harness::start(options(), (120, 40)).await;
    h.client
        .apply_zone(&zone("clocked", "gateway-prod"), false)
        .await
        .unwrap();
    h.key(crossterm::event::KeyCode::Char('r')).await;
    h.until(|s| s.screen.contains("clocked") && s.screen.contains("PENDING"))
        .await;
    // Deployed on the sandbox (200 ms); the console sees it at its next poll.
    assert!(
        eventually(
            async || h.client.get_zone("clocked").await.unwrap().metadata.status
                == Some(pz::api::ZoneStatus::Ready),
            Duration::from_secs(5)
        )
        .await
    );
    h.advance(Duration::from_secs(6));
    h.until(|s| {
        s.screen
            .lines()
            .any(|l| l.contains("clocked") && l.contains("READY"))
    })
    .await;
    h.quit().await;
}

mod wizard {
    use super::*;
    use pz::app::wizard::{Field, Place, Step, Verdict};
    use pz::app::{Screen, Wizard};

    #[tokio::test]
    async fn create_a_zone_with_the_keyboard() {
        // The console's real loop, keys in, frames out.
        let mut kb = Harness::start(options(), (80, 24)).await;
        let client = kb.client.clone();
        kb.key(KeyCode::Char('n')).await;
        assert_eq!(
            kb.wizard().cluster,
            "gateway-prod",
            "the first healthy Gateway"
        );
        kb.until(|s| s.generation.is_some()).await;
        kb.text("Contoso Retail").await;
        assert_eq!(kb.wizard().value(Field::Id), "contoso-retail");
        assert_eq!(kb.wizard().value(Field::Account), "contoso-retail");
        for _ in 0..3 {
            kb.key(KeyCode::Tab).await; // to the authentication
        }
        // Console 1.45 takes PLAIN, OAUTHBEARER and MTLS: the partner's
        // own identity provider, then.
        kb.wait_for("○ OAUTHBEARER").await;
        kb.key(KeyCode::Down).await;
        assert_eq!(kb.wizard().auth(), "OAUTHBEARER");
        kb.wait_for("`sub` must be the account").await;
        kb.key(KeyCode::Tab).await; // Gateway
        kb.key(KeyCode::Tab).await; // URL
        kb.text("https://contoso.example").await;
        kb.key(KeyCode::Tab).await; // description
        kb.key(KeyCode::Tab).await; // labels
        kb.text("project=retail, tier gold").await;
        kb.key(KeyCode::Tab).await; // partner name: the labels are refused
        assert!(
            kb.screen().contains("'tier gold' is not key=value"),
            "{}",
            kb.screen()
        );
        kb.key(KeyCode::BackTab).await;
        for _ in 0.." gold".len() {
            kb.key(KeyCode::Backspace).await;
        }
        kb.text("=gold").await;
        kb.key(KeyCode::Tab).await; // partner name
        kb.text("Jane Roe").await;
        kb.key(KeyCode::Tab).await;
        kb.text("Buyer").await;
        kb.key(KeyCode::Tab).await;
        kb.text("jane@contoso.example").await;
        kb.ctrl('n').await;
        assert_eq!(kb.wizard().step, Step::Topics);
        kb.key(KeyCode::Char('/')).await;
        kb.text("orders.v").await;
        kb.key(KeyCode::Enter).await;
        kb.key(KeyCode::Char(' ')).await; // orders.v1, READ
        kb.key(KeyCode::Down).await;
        kb.key(KeyCode::Char(' ')).await; // orders.v2
        kb.key(KeyCode::Char('w')).await; // WRITE
        kb.key(KeyCode::Char('r')).await;
        for _ in 0.."orders.v2".len() {
            kb.key(KeyCode::Backspace).await;
            kb.presses -= 1;
        }
        kb.text("contoso.orders").await;
        kb.key(KeyCode::Enter).await;
        kb.ctrl('n').await;
        assert_eq!(kb.wizard().step, Step::Traffic);
        kb.text("1MB/s").await;
        kb.key(KeyCode::Down).await;
        kb.text("5MB/s").await;
        kb.key(KeyCode::Down).await;
        kb.text("30").await;
        // The headers: a template, an override, a regex that must compile.
        kb.key(KeyCode::Down).await;
        kb.text("X-Partner=contoso; !X-Client={{clientId}}").await;
        kb.key(KeyCode::Down).await;
        kb.text("x-internal-(").await;
        assert!(
            kb.screen().contains("'x-internal-(' is not a valid"),
            "{}",
            kb.screen()
        );
        kb.key(KeyCode::Backspace).await;
        kb.text(".*").await;
        kb.ctrl('n').await;
        assert_eq!(
            kb.wizard().verdict,
            Verdict::Valid(pz::api::UpsertResult::Created),
            "{:?}",
            kb.wizard().errors
        );
        kb.key(KeyCode::Enter).await;
        let presses = kb.presses;
        println!("keystrokes besides the typed text: {presses}");
        assert!(presses < 40, "{presses}");
        kb.until(
            |s| matches!(&s.view, Some(Screen::Detail { name, .. }) if name == "contoso-retail"),
        )
        .await;

        let z = client.get_zone("contoso-retail").await.unwrap();
        let s = &z.spec;
        assert_eq!(s.display_name.as_deref(), Some("Contoso Retail"));
        assert_eq!(s.cluster, "gateway-prod");
        assert_eq!(s.service_account, None, "Console 1.45's shape");
        let mode = s.authentication_mode.as_ref().unwrap();
        assert_eq!(
            (mode.kind.as_str(), mode.service_account.as_deref()),
            ("OAUTHBEARER", Some("contoso-retail"))
        );
        assert_eq!(&z.metadata.labels["project"], "retail");
        assert_eq!(&z.metadata.labels["tier"], "gold");
        let h = s.headers.as_ref().unwrap();
        assert_eq!(h.add_on_produce[1].value, "{{clientId}}");
        assert_eq!(h.add_on_produce[1].override_if_exists, Some(true));
        assert_eq!(h.remove_on_consume[0].key_regex, "x-internal-.*");
        assert_eq!(s.url.as_deref(), Some("https://contoso.example"));
        let p = s.partner.as_ref().unwrap();
        assert_eq!(
            (p.name.as_str(), p.role.as_deref(), p.email.as_deref()),
            ("Jane Roe", Some("Buyer"), Some("jane@contoso.example"))
        );
        assert_eq!(s.topics.len(), 2);
        assert_eq!(
            (
                s.topics[0].name.as_str(),
                s.topics[0].backing_topic.as_str(),
                s.topics[0].permission.as_str()
            ),
            ("orders.v1", "orders.v1", "READ")
        );
        assert_eq!(
            (
                s.topics[1].name.as_str(),
                s.topics[1].backing_topic.as_str(),
                s.topics[1].permission.as_str()
            ),
            ("contoso.orders", "orders.v2", "WRITE")
        );
        let tcp = s.traffic_control_policies.as_ref().unwrap();
        assert_eq!(tcp.max_produce_rate, Some(1_000_000.into()));
        assert_eq!(tcp.max_consume_rate, Some(5_000_000.into()));
        assert_eq!(tcp.limit_commit_offset, Some(30.into()));
        kb.quit().await;
    }

    /// `C` on a zone: the wizard holds its topics, aliases, permissions,
    /// limits, labels, headers and authentication type, with the name,
    /// account and partner to fill; the clone is created as a new zone and
    /// the source is untouched.
    #[tokio::test]
    async fn clone_a_zone_for_another_partner() {
        let mut kb = Harness::start(options(), (100, 30)).await;
        let client = kb.client.clone();
        let source = r#"
apiVersion: v2
kind: PartnerZone
metadata:
  name: source-co
  labels: {project: retail, tier: gold}
spec:
  cluster: gateway-prod
  displayName: Source Co
  url: https://source.example
  authenticationMode: {type: OAUTHBEARER, serviceAccount: source-sub}
  partner: {name: Sam Source, email: sam@source.example}
  topics:
    - {name: source.orders, backingTopic: orders.v1, permission: READ}
    - {name: source.payments, backingTopic: payments.v1, permission: WRITE}
  trafficControlPolicies: {maxProduceRate: 1000000, maxConsumeRate: 5000000, limitCommitOffset: 30}
  headers:
    addOnProduce: [{key: X-Partner, value: source}]
    removeOnConsume: [{keyRegex: "x-internal-.*"}]
"#;
        let zone = pz::api::yaml::parse_zones(source, "source.yaml")
            .unwrap()
            .remove(0);
        client.apply_zone(&zone, false).await.unwrap();
        kb.key(KeyCode::Char('r')).await;
        kb.wait_for("Source Co").await;
        kb.select("source-co").await;
        kb.key(KeyCode::Char('C')).await;
        let w = kb.wizard();
        assert!(!w.editing(), "a clone is a new zone");
        assert_eq!(w.value(Field::Name), "");
        assert_eq!(w.value(Field::Account), "");
        assert_eq!(w.value(Field::PartnerName), "");
        assert_eq!(w.auth(), "OAUTHBEARER");
        assert_eq!(w.chosen.len(), 2);
        kb.until(|s| s.generation.is_some()).await;
        kb.text("Other Co").await;
        assert_eq!(kb.wizard().value(Field::Id), "other-co");
        assert_eq!(kb.wizard().value(Field::Account), "other-co");
        kb.ctrl('n').await; // topics
        kb.ctrl('n').await; // traffic
        kb.ctrl('n').await; // review
        assert_eq!(
            kb.wizard().verdict,
            Verdict::Valid(pz::api::UpsertResult::Created),
            "{:?}",
            kb.wizard().errors
        );
        kb.key(KeyCode::Enter).await;
        kb.until(|s| matches!(&s.view, Some(Screen::Detail { name, .. }) if name == "other-co"))
            .await;
        let clone = client.get_zone("other-co").await.unwrap();
        let (c, o) = (&clone.spec, &zone.spec);
        assert_eq!(c.display_name.as_deref(), Some("Other Co"));
        assert_eq!(c.service_account_name(), Some("other-co"));
        assert_eq!(c.auth_type(), "OAUTHBEARER");
        assert_eq!(c.url, None);
        assert_eq!(c.partner, None);
        assert_eq!(c.topics, o.topics);
        assert_eq!(c.traffic_control_policies, o.traffic_control_policies);
        assert_eq!(c.headers, o.headers);
        assert_eq!(clone.metadata.labels, zone.metadata.labels);
        let source = client.get_zone("source-co").await.unwrap();
        assert_eq!(source.spec.service_account_name(), Some("source-sub"));
        kb.quit().await;
    }

    #[tokio::test]
    async fn edit_a_zone_shows_a_diff_and_updates() {
        // The console's real loop, keys in, frames out.
        let mut kb = Harness::start(options(), (80, 24)).await;
        let client = kb.client.clone();
        kb.key(KeyCode::Char('/')).await; // one topic
        kb.text("initech").await;
        kb.key(KeyCode::Enter).await;
        kb.presses = 0;
        kb.key(KeyCode::Char('e')).await;
        assert!(kb.wizard().editing());
        kb.key(KeyCode::Tab).await; // Technical ID: fixed
        kb.text("zzz").await;
        assert_eq!(kb.wizard().value(Field::Id), "initech-billing");
        kb.ctrl('n').await;
        // The only topic is invoices.v1: find it and try to remove it.
        kb.key(KeyCode::Char('/')).await;
        kb.text("invoices.v1").await;
        kb.key(KeyCode::Enter).await;
        kb.key(KeyCode::Char(' ')).await;
        assert!(
            kb.wizard()
                .notice
                .as_deref()
                .unwrap()
                .contains("cannot be removed")
        );
        assert_eq!(kb.wizard().chosen.len(), 1);
        kb.key(KeyCode::Char('r')).await;
        kb.text("-renamed").await;
        kb.key(KeyCode::Enter).await;
        assert!(
            kb.wizard()
                .notice
                .as_deref()
                .unwrap()
                .contains("no longer find it")
        );
        kb.ctrl('n').await;
        kb.ctrl('n').await;
        let diff = kb.wizard().review_lines();
        assert!(
            diff.contains(&('-', "  - name: invoices".into())),
            "{diff:?}"
        );
        assert!(
            diff.contains(&('+', "  - name: invoices-renamed".into())),
            "{diff:?}"
        );
        assert_eq!(
            kb.wizard().verdict,
            Verdict::Valid(pz::api::UpsertResult::Updated)
        );
        kb.key(KeyCode::Enter).await;
        let z = client.get_zone("initech-billing").await.unwrap();
        assert_eq!(z.spec.topics[0].name, "invoices-renamed");
        assert_eq!(z.metadata.status, Some(pz::api::ZoneStatus::Pending));
        kb.quit().await;
    }

    #[tokio::test]
    async fn a_server_409_is_shown_next_to_its_field_and_nothing_is_lost() {
        // The console's real loop, keys in, frames out. Console 1.32
        // refuses a service account of another zone with a 409.
        let mut o = options();
        o.generation = pz::api::Generation::LEGACY;
        let mut kb = Harness::start(o, (80, 24)).await;
        let client = kb.client.clone();
        kb.key(KeyCode::Char('n')).await;
        kb.text("Copycat").await;
        kb.key(KeyCode::Tab).await;
        kb.key(KeyCode::Tab).await;
        for _ in 0.."copycat".len() {
            kb.key(KeyCode::Backspace).await;
        }
        kb.text("acme-logistics").await; // used by another zone
        kb.ctrl('n').await;
        kb.key(KeyCode::Char(' ')).await;
        kb.ctrl('n').await;
        kb.ctrl('n').await;
        let w = kb.wizard();
        assert!(
            matches!(&w.verdict, Verdict::Invalid(e) if e.starts_with("409")),
            "{:?}",
            w.verdict
        );
        assert!(w.errors[&Place::Field(Field::Account)].contains("already used"));
        assert_eq!(w.value(Field::Name), "Copycat", "typed input is kept");
        // Fix it and create.
        kb.ctrl('p').await;
        kb.ctrl('p').await;
        kb.ctrl('p').await;
        assert_eq!(kb.wizard().field, Field::Account, "focus is where it was");
        kb.text("-2").await;
        kb.ctrl('n').await;
        kb.ctrl('n').await;
        kb.ctrl('n').await;
        kb.key(KeyCode::Enter).await;
        assert!(client.get_zone("copycat").await.is_ok());
        kb.quit().await;
    }

    /// Presses `key` until `done` holds for the frame, at most `tries` times.
    async fn until(
        kb: &mut Harness,
        code: KeyCode,
        tries: usize,
        done: impl Fn(&crate::common::harness::Seen) -> bool,
    ) -> usize {
        for attempt in 1..=tries {
            if kb.seen(&done) {
                return attempt - 1;
            }
            kb.key(code).await;
        }
        assert!(
            kb.seen(&done),
            "still failing after {tries} tries: {:?}",
            kb.status()
        );
        tries
    }

    #[tokio::test]
    async fn a_user_gets_everything_done_through_faults() {
        let mut o = options();
        o.fail_rate = 0.3;
        // Printed, and replayed with PZ_TEST_SEED.
        o.fail_seed = Some(crate::common::harness::seed());
        o.latency = Duration::from_millis(500);
        let (sb, client) = start(o).await;
        let mut kb = Harness::on(&sb.base_url(), (80, 24)).await;
        let mut failures_seen = 0;

        // List: retried by the poller until it works; each failure is shown.
        for _ in 0..20 {
            kb.until(|s| s.loaded || s.status.as_deref().is_some_and(|t| t.contains("retrying")))
                .await;
            if kb.seen(|s| s.loaded) {
                break;
            }
            failures_seen += 1;
            kb.key(KeyCode::Char('r')).await;
        }
        assert!(kb.seen(|s| s.loaded));

        // Create.
        kb.key(KeyCode::Char('n')).await;
        kb.text("Faulty Partner").await;
        // If the cluster list failed, ↑/↓ on the Gateway field asks again.
        for _ in 0..4 {
            kb.key(KeyCode::Tab).await;
        }
        for _ in 0..20 {
            if !kb.wizard().cluster.is_empty() {
                break;
            }
            kb.key(KeyCode::Down).await;
        }
        assert_eq!(kb.wizard().cluster, "gateway-prod");
        kb.ctrl('n').await;
        // If the topics failed, going back and forth asks again.
        for _ in 0..20 {
            if !kb.wizard().topics.is_empty() {
                break;
            }
            kb.ctrl('p').await;
            kb.ctrl('n').await;
        }
        kb.key(KeyCode::Char(' ')).await;
        kb.ctrl('n').await;
        kb.ctrl('n').await;
        let in_detail =
            |s: &crate::common::harness::Seen| matches!(s.view, Some(Screen::Detail { .. }));
        failures_seen += until(&mut kb, KeyCode::Enter, 40, in_detail).await;
        let mut created = None;
        for _ in 0..20 {
            if let Ok(z) = client.get_zone("faulty-partner").await {
                created = Some(z);
                break;
            }
        }
        let created = created.expect("the zone exists");
        assert_eq!(
            created.spec.display_name.as_deref(),
            Some("Faulty Partner"),
            "typed input arrived intact"
        );

        // Edit.
        kb.key(KeyCode::Char('e')).await;
        kb.text(" Ltd").await;
        assert_eq!(kb.wizard().value(Field::Name), "Faulty Partner Ltd");
        kb.ctrl('n').await;
        kb.ctrl('n').await;
        kb.ctrl('n').await;
        failures_seen += until(&mut kb, KeyCode::Enter, 40, in_detail).await;

        // Delete (an injected failure counts as a retry).
        kb.key(KeyCode::Char('d')).await;
        kb.advance(Duration::from_secs(1));
        kb.text("DELETE").await;
        for _ in 0..60 {
            kb.key(KeyCode::Enter).await;
            if kb.overlay().is_none() {
                break;
            }
            failures_seen += 1;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(
            kb.overlay().is_none(),
            "deleted in the end: {:?}",
            kb.status()
        );
        kb.until(|s| {
            s.toasts
                .iter()
                .any(|t| t.contains("Deleted faulty-partner"))
        })
        .await;
        println!("failures met and retried: {failures_seen}");
        kb.quit().await;
        sb.shutdown().await;
    }

    #[tokio::test]
    async fn apply_a_file_from_the_console() {
        let mut kb = Harness::start(options(), (100, 30)).await;
        let client = kb.client.clone();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stark.yaml");
        // The served zone, edited in a file: a new description and a label.
        let mut zone = client.get_zone("stark-payments").await.unwrap();
        zone.spec.description = Some("Settlements only".into());
        zone.metadata.labels.insert("owner", "treasury");
        std::fs::write(&path, pz::api::yaml::zone_to_yaml(&zone)).unwrap();

        kb.key(KeyCode::Char(':')).await;
        kb.text(&format!("apply {}", path.display())).await;
        kb.key(KeyCode::Enter).await;
        let w = kb.wizard();
        assert_eq!(w.step, Step::Review);
        assert_eq!(w.verdict, Verdict::Valid(pz::api::UpsertResult::Updated));
        let diff = w.review_lines();
        assert!(
            diff.contains(&('+', "  description: Settlements only".into())),
            "{diff:?}"
        );
        assert!(
            diff.contains(&('+', "    owner: treasury".into())),
            "{diff:?}"
        );
        kb.key(KeyCode::Enter).await;
        let served = client.get_zone("stark-payments").await.unwrap();
        assert_eq!(served.spec.description.as_deref(), Some("Settlements only"));
        assert_eq!(&served.metadata.labels["owner"], "treasury");

        // A bad file is a clear error, not a wizard.
        std::fs::write(&path, "kind: PartnerZone\nmetadata: [\n").unwrap();
        kb.key(KeyCode::Esc).await;
        kb.key(KeyCode::Char(':')).await;
        kb.text(&format!("apply {}", path.display())).await;
        kb.key(KeyCode::Enter).await;
        assert!(
            kb.status().unwrap_or_default().contains("stark.yaml:"),
            "{:?}",
            kb.status()
        );
        kb.quit().await;
    }

    /// The product documentation's example: one topic shared under two
    /// aliases, one of them WRITE, with a partner contact.
    #[tokio::test]
    async fn the_documented_example_with_two_aliases_of_one_topic() {
        // The console's real loop, keys in, frames out, on a Console 1.32
        // (the product documentation's generation).
        let mut o = options();
        o.generation = pz::api::Generation::LEGACY;
        let mut kb = Harness::start(o, (80, 24)).await;
        let client = kb.client.clone();
        kb.until(|s| s.generation.is_some()).await;
        kb.key(KeyCode::Char('n')).await;
        kb.text("External Partner Zone").await;
        kb.key(KeyCode::Tab).await;
        kb.key(KeyCode::Tab).await; // service account: replace the derived one
        kb.key(KeyCode::Home).await;
        kb.ctrl('k').await;
        kb.text("johndoe").await;
        kb.key(KeyCode::Tab).await; // authentication: 1.32 has one
        kb.wait_for("(this Console: PLAIN only)").await;
        kb.key(KeyCode::Down).await;
        assert_eq!(kb.wizard().auth(), "PLAIN");
        kb.key(KeyCode::Tab).await;
        kb.key(KeyCode::Tab).await; // URL
        kb.text("https://partner1.com").await;
        kb.key(KeyCode::Tab).await;
        kb.key(KeyCode::Tab).await;
        kb.key(KeyCode::Tab).await; // partner name
        kb.text("John Doe").await;
        kb.key(KeyCode::Tab).await;
        kb.text("Data analyst").await;
        kb.key(KeyCode::Tab).await;
        kb.text("johndoe@company.io").await;
        kb.key(KeyCode::Tab).await;
        kb.text("07827 837 177").await;
        kb.ctrl('n').await;
        kb.key(KeyCode::Char('/')).await;
        kb.text("orders.v1").await;
        kb.key(KeyCode::Enter).await;
        for (alias, write) in [("topic-a", true), ("topic-b", false)] {
            kb.key(KeyCode::Char('a')).await; // add an alias, and name it
            kb.ctrl('a').await; // the same editing keys as every field:
            kb.ctrl('k').await; // start of line, delete to the end
            kb.text(alias).await;
            kb.key(KeyCode::Enter).await;
            if write {
                kb.key(KeyCode::Char('w')).await;
            }
        }
        kb.ctrl('n').await;
        kb.ctrl('n').await;
        assert_eq!(
            kb.wizard().verdict,
            Verdict::Valid(pz::api::UpsertResult::Created),
            "{:?}",
            kb.wizard().errors
        );
        kb.key(KeyCode::Enter).await;
        let presses = kb.presses;
        println!("keystrokes for the documented example besides the typed text: {presses}");
        assert!(presses < 40, "{presses}");
        let z = client.get_zone("external-partner-zone").await.unwrap();
        let topics: Vec<(&str, &str, &str)> = z
            .spec
            .topics
            .iter()
            .map(|t| {
                (
                    t.name.as_str(),
                    t.backing_topic.as_str(),
                    t.permission.as_str(),
                )
            })
            .collect();
        assert_eq!(
            topics,
            [
                ("topic-a", "orders.v1", "WRITE"),
                ("topic-b", "orders.v1", "READ")
            ]
        );
        // The 1.32 shape: spec.serviceAccount, no authenticationMode.
        assert_eq!(z.spec.service_account.as_deref(), Some("johndoe"));
        assert_eq!(z.spec.authentication_mode, None);
        let p = z.spec.partner.unwrap();
        assert_eq!(p.phone.as_deref(), Some("07827 837 177"));
        kb.quit().await;
    }

    #[tokio::test]
    async fn each_shared_entry_is_edited_on_its_own() {
        // The console's real loop, keys in, frames out.
        let mut kb = Harness::start(options(), (80, 24)).await;
        kb.key(KeyCode::Char('n')).await;
        kb.text("Twice").await;
        kb.ctrl('n').await;
        kb.key(KeyCode::Char(' ')).await; // first topic, alias = its name
        kb.key(KeyCode::Char('a')).await; // a second alias, name-2
        kb.key(KeyCode::Enter).await;
        let aliases: Vec<String> = kb.wizard().chosen.iter().map(|c| c.alias.clone()).collect();
        assert_eq!(aliases[1], format!("{}-2", aliases[0]));
        kb.key(KeyCode::Tab).await; // to the shared list
        kb.key(KeyCode::Down).await;
        kb.key(KeyCode::Char('w')).await;
        assert!(!kb.wizard().chosen[0].write && kb.wizard().chosen[1].write);
        kb.key(KeyCode::Up).await;
        kb.key(KeyCode::Char(' ')).await; // remove the first
        assert_eq!(kb.wizard().chosen.len(), 1);
        assert!(kb.wizard().chosen[0].write);
        kb.quit().await;
    }

    #[test]
    fn a_draft_survives_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("draft.json");
        let mut w = Wizard::new();
        w.values.insert(Field::Name, "Half done".into());
        w.step = Step::Topics;
        pz::effects::save_draft(&path, &w).unwrap();
        let back = pz::effects::load_draft(&path).unwrap().expect("a draft");
        assert_eq!(back.value(Field::Name), "Half done");
        assert_eq!(back.step, Step::Topics);
        let mut app = new_app();
        app.draft = Some(back);
        app.update(Action::Wizard(pz::app::WizardAction::New));
        assert!(matches!(&app.screen, Screen::Wizard(w) if w.value(Field::Name) == "Half done"));
    }
}

/// `:ctx` shows each context's health as it answers (a dead one named),
/// `:all` every context's zones in one list, and `enter` there opens a
/// zone in its own context.
#[tokio::test]
async fn every_console_at_a_glance_and_a_zone_opened_in_its_context() {
    use pz::app::Screen;
    use pz::app::everywhere::Health;
    let mut h = Harness::start(options(), (120, 40)).await;
    let (b, b_client) = start(options()).await;
    b_client
        .apply_zone(&zone("only-in-b", "gateway-prod"), false)
        .await
        .unwrap();
    // A Console that takes the connection and never answers (kept bound:
    // a port let go could be another test's sandbox a moment later).
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let nowhere = format!("http://{}", dead.local_addr().unwrap());
    std::fs::write(
        h.dir.path().join("config.yaml"),
        format!(
            "contexts:\n  first:\n    baseUrl: {}\n    apiKey: {KEY}\n  second:\n    baseUrl: {}\n    apiKey: {KEY}\n  gone:\n    baseUrl: {nowhere}\n    apiKey: {KEY}\n",
            h.client.base_url(),
            b.base_url()
        ),
    )
    .unwrap();
    h.key(KeyCode::Char(':')).await;
    h.text("ctx").await;
    h.key(KeyCode::Enter).await;
    h.until(|s| {
        matches!(&s.overlay, Some(Overlay::Contexts(p))
            if p.entries.len() == 3 && p.entries.iter().all(|e| e.health != Health::Checking))
    })
    .await;
    let Some(Overlay::Contexts(picker)) = h.overlay() else {
        panic!()
    };
    let health = |name: &str| {
        picker
            .entries
            .iter()
            .find(|e| e.name == name)
            .unwrap()
            .health
            .clone()
    };
    assert_eq!(
        health("first"),
        Health::Up {
            zones: 5,
            pending: 1,
            failed: 1
        }
    );
    assert!(matches!(health("second"), Health::Up { zones: 6, .. }));
    assert!(matches!(health("gone"), Health::Down(_)));
    h.wait_for("✓ 6 zones, ").await;
    h.key(KeyCode::Esc).await;

    h.key(KeyCode::Char(':')).await;
    h.text("all").await;
    h.key(KeyCode::Enter).await;
    h.until(|s| matches!(&s.view, Some(Screen::Everywhere(all)) if all.waiting.is_empty() && all.rows.len() == 11))
        .await;
    h.wait_for("Every Console · 11 zones in 2 contexts · read-only")
        .await;
    h.wait_for("✖ gone:").await;
    let Screen::Everywhere(all) = h.view() else {
        panic!()
    };
    let at = all
        .rows
        .iter()
        .position(|(c, z)| c == "second" && z.metadata.name == "only-in-b")
        .unwrap();
    // Read-only here: no key that changes anything.
    h.key(KeyCode::Char('d')).await;
    assert!(h.overlay().is_none());
    for _ in 0..at {
        h.key(KeyCode::Char('j')).await;
    }
    h.key(KeyCode::Enter).await;
    h.until(|s| matches!(&s.view, Some(Screen::Detail { name, .. }) if name == "only-in-b"))
        .await;
    h.wait_for("second").await;
    let app = h.quit().await;
    assert_eq!(app.connection.context.as_deref(), Some("second"));
    drop(dead);
    b.shutdown().await;
}
