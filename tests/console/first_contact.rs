//! First contact with a Console that is not what pz hoped for: a wrong key,
//! a key that may only read, nothing listening, a hang, a Console without
//! Partner Zones, a page that is not a Console, no zone yet, no Gateway.
//! Each one is a test server on 127.0.0.1; the console's screen (80x24) and
//! `pz get`'s one line on stderr are checked. TLS cases are in `tls.rs`.

use crate::common;

use std::time::Duration;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use common::pty::Session;
use common::*;
use pz::api::diagnosis::Trouble;
use pz::app::Action;

/// `pz ARGS` against `base` with the admin key; exit code and stderr.
fn pz_get(base: &str, key: &str, extra: &[(&str, &str)]) -> (i32, String) {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_pz"));
    cmd.arg("get")
        .env("CDK_BASE_URL", base)
        .env("CDK_API_KEY", key)
        .env("XDG_CONFIG_HOME", home.path())
        .env("XDG_STATE_HOME", home.path())
        .env("XDG_DATA_HOME", home.path());
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A server answering every request with `status`, `content_type` and `body`.
fn serve_fixed(
    rt: &tokio::runtime::Runtime,
    status: StatusCode,
    content_type: &'static str,
    body: &'static str,
) -> String {
    let app = Router::new().fallback(move || async move {
        (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
    });
    serve_router(rt, app)
}

/// The console after its first load failed with what `base` answers,
/// shown as connected to a fixed URL so that the snapshot is stable.
fn console_after_failure(rt: &tokio::runtime::Runtime, base: &str, key: &str) -> pz::app::App {
    let client = client_for(base, key);
    let err = rt.block_on(client.list_zones()).unwrap_err();
    let mut a = console_at("https://console.example");
    a.update(Action::ZonesLoaded(Err(err)));
    a
}

fn assert_one_line(stderr: &str, needle: &str) {
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains(needle), "{needle:?} not in {stderr}");
}

#[test]
fn a_rejected_key_says_so_names_its_source_and_does_not_retry_fast() {
    let rt = runtime();
    let (sb, _) = rt.block_on(start(options()));
    let (code, err) = pz_get(&sb.base_url(), "wrong-key", &[]);
    assert_eq!(code, 1);
    assert_one_line(
        &err,
        &format!(
            "The Console at {} rejected the API key (from CDK_API_KEY)",
            sb.base_url()
        ),
    );
    let a = console_after_failure(&rt, &sb.base_url(), "wrong-key");
    assert_eq!(a.trouble.as_ref().unwrap().trouble, Trouble::KeyRejected);
    // No fast loop: the next try is a minute away.
    assert!(a.retry_in() >= 59, "{}", a.retry_in());
    insta::assert_snapshot!("key_rejected_80x24", draw(&a));
    rt.block_on(sb.shutdown());
}

#[test]
fn refused_connections_retry_with_backoff_and_say_where() {
    let rt = runtime();
    let base = format!("http://127.0.0.1:{}", free_port());
    let (code, err) = pz_get(&base, KEY, &[]);
    assert_eq!(code, 1);
    assert_one_line(
        &err,
        &format!("Nothing answers at {base}: connection refused"),
    );
    let mut a = console_after_failure(&rt, &base, KEY);
    assert_eq!(a.trouble.as_ref().unwrap().trouble, Trouble::Unreachable);
    assert_eq!(a.retry_in(), 1, "the first retry is a second away");
    // And the backoff grows: 1 s, 2 s, 4 s.
    for expected in [2, 4] {
        let err = rt
            .block_on(client_for(&base, KEY).list_zones())
            .unwrap_err();
        a.update(Action::ZonesLoaded(Err(err)));
        assert_eq!(a.retry_in(), expected);
    }
    let a = console_after_failure(&rt, &base, KEY);
    insta::assert_snapshot!("refused_80x24", draw(&a));
}

#[test]
fn a_console_that_never_answers_times_out_with_the_url() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s); // accepted, never answered
        }
    });
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("pz")).unwrap();
    std::fs::write(
        dir.path().join("pz/config.yaml"),
        format!(
            "currentContext: slow\ncontexts:\n  slow:\n    baseUrl: http://127.0.0.1:{port}\n    apiKey: k\n    timeoutSecs: 1\n"
        ),
    )
    .unwrap();
    let started = std::time::Instant::now();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pz"))
        .arg("get")
        .env_remove("CDK_BASE_URL")
        .env_remove("CDK_API_KEY")
        .env("XDG_CONFIG_HOME", dir.path())
        .env("XDG_STATE_HOME", dir.path())
        .output()
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(8));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert_one_line(&err, "did not answer within 1s");
}

#[test]
fn a_console_without_partner_zones_or_not_a_console_at_all() {
    let rt = runtime();
    let old = serve_fixed(
        &rt,
        StatusCode::NOT_FOUND,
        "application/json",
        r#"{"title":"Not Found","msg":"No route"}"#,
    );
    let (code, err) = pz_get(&old, KEY, &[]);
    assert_eq!(code, 1);
    assert_one_line(
        &err,
        "has no Partner Zones API (Console 1.32 or later is needed)",
    );
    let a = console_after_failure(&rt, &old, KEY);
    insta::assert_snapshot!("no_partner_zones_80x24", draw(&a));

    let html = serve_fixed(
        &rt,
        StatusCode::OK,
        "text/html",
        "<!doctype html><html><body>Welcome to nginx</body></html>",
    );
    let (code, err) = pz_get(&html, KEY, &[]);
    assert_eq!(code, 1);
    assert_one_line(
        &err,
        &format!("{html} does not look like a Conduktor Console"),
    );
    let a = console_after_failure(&rt, &html, KEY);
    assert_eq!(a.trouble.as_ref().unwrap().trouble, Trouble::NotAConsole);
    insta::assert_snapshot!("not_a_console_80x24", draw(&a));

    let html404 = serve_fixed(&rt, StatusCode::NOT_FOUND, "text/html", "<html>404</html>");
    let (_, err) = pz_get(&html404, KEY, &[]);
    assert_one_line(&err, "does not look like a Conduktor Console");
}

#[test]
fn a_key_that_may_only_read_disables_changes_with_the_reason() {
    let rt = runtime();
    let (sb, _) = rt.block_on(start(options()));
    let viewer = client_for(&sb.base_url(), VIEWER);
    let zones = rt.block_on(viewer.list_zones()).unwrap();
    let mut a = console_at("https://console.example");
    // The sandbox seeded its zones' times from the real clock: the console
    // runs on it too, or the ages in the snapshot change with the day.
    a.now = chrono::Utc::now();
    let fx = a.update(Action::ZonesLoaded(Ok(zones.clone().into())));
    // The first load asks, with a dry run, whether the key may change.
    let probe = fx
        .iter()
        .find_map(|e| match e {
            pz::app::Effect::ProbeWrite(z) => Some(z.clone()),
            _ => None,
        })
        .expect("a write probe");
    let probe = rt.block_on(viewer.get_zone(&probe)).unwrap();
    let answer = rt.block_on(viewer.apply_zone(&probe, true)).map(|_| ());
    assert!(answer.is_err());
    a.update(Action::WriteProbed(answer));
    assert!(!a.writable());
    // `d` and `c` do nothing; `n` says why.
    let key = |c| crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char(c));
    assert!(pz::app::keys::action_for(&a, key('d')).is_none());
    a.toasts.clear();
    let screen = draw(&a);
    assert!(screen.contains("READ-ONLY KEY"), "{screen}");
    assert!(screen.contains("need an admin key (403)"), "{screen}");
    insta::assert_snapshot!("read_only_key_80x24", screen);
    // The same key with pz apply: one line that says what the key may do.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("z.yaml");
    std::fs::write(
        &file,
        pz::api::yaml::zone_to_yaml(&zone("viewer-made", "gateway-prod")),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pz"))
        .args(["apply", "-f", file.to_str().unwrap()])
        .env("CDK_BASE_URL", sb.base_url())
        .env("CDK_API_KEY", VIEWER)
        .env("XDG_CONFIG_HOME", dir.path())
        .env("XDG_STATE_HOME", dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("can read the Console"), "{err}");
    rt.block_on(sb.shutdown());
}

#[test]
fn no_zones_and_no_gateway_say_what_to_do() {
    let mut a = console_at("https://console.example");
    a.update(Action::ZonesLoaded(Ok(vec![].into())));
    assert!(draw(&a).contains("No Partner Zones yet — press n to create one"));
    a.connection.read_only = true;
    assert!(draw(&a).contains("This console is read-only"));
    a.connection.read_only = false;

    // A Console with only plain Kafka clusters.
    let rt = runtime();
    let base = serve_fixed(
        &rt,
        StatusCode::OK,
        "application/json",
        r#"[{"apiVersion":"v2","kind":"KafkaCluster","metadata":{"name":"kafka-main"},"spec":{"displayName":"Kafka","bootstrapServers":"k:9092"}}]"#,
    );
    let clusters = rt.block_on(client_for(&base, KEY).list_clusters()).unwrap();
    let gateways = clusters.iter().filter(|c| c.is_gateway()).count();
    a.update(Action::GatewaysCounted(Ok(gateways)));
    let screen = draw(&a);
    assert!(screen.contains("No Gateway cluster"), "{screen}");
    insta::assert_snapshot!("no_gateway_80x24", screen);
    // `n` does not open the wizard; it says why.
    a.update(Action::Wizard(pz::app::WizardAction::New));
    assert!(matches!(a.screen, pz::app::Screen::List));
    assert!(a.status_text().unwrap().contains("Gateway 3.6.1+"));
    // The wizard, opened before the clusters were known, says it on its field.
    a.gateways = None;
    a.update(Action::Wizard(pz::app::WizardAction::New));
    a.update(Action::Wizard(pz::app::WizardAction::ClustersLoaded(Ok(
        clusters,
    ))));
    let screen = draw(&a);
    assert!(
        screen.contains("No Gateway cluster is configured"),
        "{screen}"
    );
    insta::assert_snapshot!("wizard_no_gateway_80x24", screen);
}

#[test]
fn the_list_recovers_when_the_key_is_fixed_and_r_pressed() {
    let rt = runtime();
    let (sb, _) = rt.block_on(start(options()));
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("pz/config.yaml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    let write_config = |key: &str| {
        std::fs::write(
            &config,
            format!(
                "currentContext: lab\ncontexts:\n  lab:\n    baseUrl: {}\n    apiKey: {key}\n",
                sb.base_url()
            ),
        )
        .unwrap();
    };
    write_config("a-wrong-key");
    let mut s = Session::start_in("", &[("CDK_BASE_URL", ""), ("CDK_API_KEY", "")], home);
    s.wait_for("API key rejected");
    s.wait_for("lab's");
    write_config(KEY);
    s.keys("r");
    s.wait_for("acme-logistics");
    s.keys("q");
    s.wait_exit();
    rt.block_on(sb.shutdown());
}
