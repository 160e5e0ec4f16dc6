//! A hostile Console (a test double, not a sandbox mode): escape sequences
//! in every string field, a 1 MB name, 100,000 zones, JSON nested 10,000
//! deep, invalid UTF-8, a body that never ends, a status line with no body.
//! `pz get`, `pz get NAME` and the console must end with a clear error or a
//! bounded display within 10 s, never a panic, a hang or a raw control
//! character on the terminal, in under 200 MB.

use crate::common;

use std::io::{Read, Write};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use common::pty::Session;
use common::*;
use serde_json::{Value, json};

/// Every way a terminal could be made to obey: OSC 52 (clipboard), clear
/// screen, colour, a C1 CSI, a window title, BEL, and a newline + backspace
/// that would forge a line of output.
const EVIL: &str = "Evil\u{1b}]52;c;SElKQUNLRUQ=\u{7}\u{1b}[2JX\u{1b}[31mRED\u{9b}6n\u{1b}]0;PWNED\u{7}\r\n\u{8}FORGED\u{202e}DESREVER";

/// Byte sequences that must never reach a terminal from `EVIL`.
const INJECTED: &[&[u8]] = &[
    b"\x1b]52;c;SElKQUNLRUQ=",
    b"\x1b[2JX",
    b"\x1b[31mRED",
    "\u{9b}6n".as_bytes(),
    b"\x1b]0;PWNED",
    b"\x07",
    b"\x08FORGED",
    // Right-to-left override (Trojan Source): shown as \u{202e}.
    "\u{202e}".as_bytes(),
];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    Controls,
    HugeName,
    ManyZones,
    DeepJson,
    BadUtf8,
    Endless,
}

struct Hostile {
    mode: Mode,
    lists: AtomicUsize,
}

fn evil_zone(name: &str, status: &str) -> Value {
    json!({
        "apiVersion": "v2",
        "kind": "PartnerZone",
        "metadata": {"name": name, "id": EVIL, "updatedAt": EVIL, "status": status, "labels": {EVIL: EVIL}},
        "spec": {
            "cluster": EVIL, "displayName": EVIL, "description": EVIL, "url": EVIL,
            "serviceAccount": EVIL,
            "authenticationMode": {"type": EVIL, "serviceAccount": EVIL},
            "topics": [{"name": EVIL, "backingTopic": EVIL, "permission": EVIL}],
            "partner": {"name": EVIL, "role": EVIL, "email": EVIL, "phone": EVIL},
            "trafficControlPolicies": {"maxProduceRate": EVIL},
            "headers": {"addOnProduce": [{"key": EVIL, "value": EVIL}]},
            EVIL: EVIL
        }
    })
}

fn plain_zone(name: &str, display: &str) -> Value {
    json!({"apiVersion": "v2", "kind": "PartnerZone",
        "metadata": {"name": name, "status": "READY"},
        "spec": {"cluster": "gw", "displayName": display, "serviceAccount": name, "topics": []}})
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn hostile_error(status: StatusCode) -> Response {
    let body = json!({"title": EVIL, "msg": EVIL, "cause": EVIL});
    json_response(status, body.to_string().into_bytes())
}

/// The list (`one` = false) or one zone, as this mode breaks it.
fn zones_body(h: &Hostile, one: bool) -> Response {
    match h.mode {
        Mode::Controls => {
            // PENDING first, FAILED afterwards: the console raises a toast.
            let status = if h.lists.fetch_add(1, Ordering::SeqCst) == 0 {
                "PENDING"
            } else {
                "FAILED"
            };
            let zone = evil_zone("evil-zone", status);
            let body = if one {
                zone
            } else {
                json!([zone, evil_zone(EVIL, EVIL)])
            };
            json_response(StatusCode::OK, body.to_string().into_bytes())
        }
        Mode::HugeName => {
            let zone = plain_zone("huge", &"H".repeat(1_000_000));
            let body = if one { zone } else { json!([zone]) };
            json_response(StatusCode::OK, body.to_string().into_bytes())
        }
        Mode::ManyZones => {
            if one {
                let body = plain_zone("z000001", "one of many").to_string();
                return json_response(StatusCode::OK, body.into_bytes());
            }
            let mut body = String::with_capacity(12_000_000);
            body.push('[');
            for i in 0..100_000 {
                if i > 0 {
                    body.push(',');
                }
                body.push_str(&format!(
                    r#"{{"apiVersion":"v2","kind":"PartnerZone","metadata":{{"name":"z{i:06}","status":"READY"}},"spec":{{"cluster":"gw","serviceAccount":"s{i}","topics":[]}}}}"#
                ));
            }
            body.push(']');
            json_response(StatusCode::OK, body.into_bytes())
        }
        Mode::DeepJson => {
            let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
            let zone = format!(
                r#"{{"apiVersion":"v2","kind":"PartnerZone","metadata":{{"name":"deep"}},"spec":{{"cluster":"c","topics":[],"x":{deep}}}}}"#
            );
            let body = if one { zone } else { format!("[{zone}]") };
            json_response(StatusCode::OK, body.into_bytes())
        }
        Mode::BadUtf8 => {
            let mut body = br#"{"apiVersion":"v2","kind":"PartnerZone","metadata":{"name":"bad"},"spec":{"cluster":""#.to_vec();
            body.extend_from_slice(b"\xff\xfe\x1b[2J");
            body.extend_from_slice(br#"","topics":[]}}"#);
            if !one {
                body.insert(0, b'[');
                body.push(b']');
            }
            json_response(StatusCode::OK, body)
        }
        Mode::Endless => {
            let chunk = axum::body::Bytes::from(vec![b' '; 64 * 1024]);
            let stream = futures::stream::repeat_with(move || {
                Ok::<_, std::convert::Infallible>(chunk.clone())
            });
            (
                [(header::CONTENT_TYPE, "application/json")],
                Body::from_stream(stream),
            )
                .into_response()
        }
    }
}

async fn list(State(h): State<Arc<Hostile>>) -> Response {
    zones_body(&h, false)
}

async fn one(State(h): State<Arc<Hostile>>) -> Response {
    zones_body(&h, true)
}

async fn apply() -> Response {
    hostile_error(StatusCode::BAD_REQUEST)
}

async fn delete() -> Response {
    hostile_error(StatusCode::CONFLICT)
}

async fn secret() -> Response {
    json_response(StatusCode::OK, Value::from(EVIL).to_string().into_bytes())
}

async fn clusters() -> Response {
    let body = json!([{"apiVersion": "v2", "kind": "KafkaCluster",
        "metadata": {"name": "gw", "labels": {EVIL: EVIL}},
        "spec": {"displayName": EVIL, "bootstrapServers": EVIL, "kafkaFlavor": {"type": "Gateway"}}}]);
    json_response(StatusCode::OK, body.to_string().into_bytes())
}

async fn topics() -> Response {
    let body = json!([{"apiVersion": "v2", "kind": "Topic",
        "metadata": {"name": EVIL, "cluster": "gw", "labels": {EVIL: EVIL}, "description": EVIL},
        "spec": {"partitions": 3, "replicationFactor": 3}}]);
    json_response(StatusCode::OK, body.to_string().into_bytes())
}

/// Serves the hostile Console in `mode` on a free loopback port.
fn serve(rt: &tokio::runtime::Runtime, mode: Mode) -> String {
    let state = Arc::new(Hostile {
        mode,
        lists: AtomicUsize::new(0),
    });
    let app = Router::new()
        .route("/public/console/v2/partner-zone", get(list).put(apply))
        .route(
            "/public/console/v2/partner-zone/{name}",
            get(one).delete(delete),
        )
        .route(
            "/public/console/v2/partner-zone/{name}/kafka-configuration",
            get(secret),
        )
        .route(
            "/public/partner-zone/v2/{name}/generate-credentials",
            post(secret),
        )
        .route("/public/console/v2/kafka-cluster", get(clusters))
        .route("/public/kafka/v2/cluster/{c}/topic", get(topics))
        .with_state(state);
    // Where a Console serves its API (and pz, as the vendor CLI, calls).
    serve_router(rt, Router::new().nest("/api", app))
}

/// A server that answers every request with a status line and no body.
fn serve_no_body() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
        }
    });
    format!("http://{addr}")
}

struct Run {
    code: i32,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    took: Duration,
    /// Its largest resident size, in KB.
    rss_kb: i64,
}

/// Runs `pz` and reports its own largest resident size on its last stderr
/// line. A child spawned from this (large, multi-threaded) test process
/// would carry the test's own memory in its `ru_maxrss` (vfork shares the
/// parent's mm until exec); spawned from a small Python, pz's peak is its
/// own.
const MEASURE: &str = "import resource,subprocess,sys\nr=subprocess.run(sys.argv[1:])\nsys.stderr.write('\\nPZ_TEST_MAXRSS_KB=%d\\n' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\nsys.exit(r.returncode if r.returncode >= 0 else 99)\n";

/// `pz ARGS` against `base`, output to pipes, killed after 20 s.
fn pz(base: &str, args: &[&str], home: &std::path::Path) -> Run {
    use std::os::unix::process::CommandExt;
    let started = Instant::now();
    let mut cmd = std::process::Command::new("python3");
    cmd.arg("-c").arg(MEASURE).arg(env!("CARGO_BIN_EXE_pz"));
    let mut child = cmd
        .args(args)
        .env("CDK_BASE_URL", base)
        .env("CDK_API_KEY", KEY)
        .env("PZ_LOG", "trace")
        .env("XDG_CONFIG_HOME", home)
        .env("XDG_STATE_HOME", home)
        .env("XDG_DATA_HOME", home)
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 (it measures pz's memory)");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut o = Vec::new();
        let _ = out.read_to_end(&mut o);
        o
    });
    let pid = child.id() as i32;
    let watchdog = std::thread::spawn(move || {
        while started.elapsed() < Duration::from_secs(20) {
            std::thread::sleep(Duration::from_millis(50));
            // SAFETY: signal 0 only asks whether the group still exists.
            if unsafe { nix::libc::kill(-pid, 0) } != 0 {
                return false;
            }
        }
        // SAFETY: ends the group this test started (python and pz).
        unsafe { nix::libc::kill(-pid, nix::libc::SIGKILL) };
        true
    });
    let mut stderr = Vec::new();
    let _ = err.read_to_end(&mut stderr);
    let status = child.wait().unwrap();
    let hung = watchdog.join().unwrap();
    assert!(!hung, "pz {args:?} hung");
    let text = String::from_utf8_lossy(&stderr).into_owned();
    let (rest, rss) = text
        .rsplit_once("\nPZ_TEST_MAXRSS_KB=")
        .expect("the measure line");
    let rss_kb: i64 = rss.trim().parse().unwrap();
    Run {
        code: status.code().unwrap_or(-1),
        stdout: reader.join().unwrap(),
        stderr: rest.as_bytes().to_vec(),
        took: started.elapsed(),
        rss_kb,
    }
}

/// No control character at all but newline: what a terminal may receive
/// from the subcommands.
fn assert_no_raw_control(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    if let Some(c) = text.chars().find(|c| c.is_control() && *c != '\n') {
        panic!(
            "{what} holds a raw control character {c:?}:\n{}",
            &text[..text.len().min(2000)]
        );
    }
}

/// What `pz get` and `pz get NAME` must do against each hostile Console.
#[test]
fn subcommands_stay_safe_and_bounded_against_every_hostile_answer() {
    let rt = runtime();
    let cases: Vec<(Mode, String, i32, &str)> = vec![
        (Mode::Controls, serve(&rt, Mode::Controls), 0, "Evil\\e]52"),
        (Mode::HugeName, serve(&rt, Mode::HugeName), 0, "…"),
        (Mode::ManyZones, serve(&rt, Mode::ManyZones), 0, "z099999"),
        (Mode::DeepJson, serve(&rt, Mode::DeepJson), 1, "cannot read"),
        (Mode::BadUtf8, serve(&rt, Mode::BadUtf8), 1, "cannot read"),
        (
            Mode::Endless,
            serve(&rt, Mode::Endless),
            1,
            "larger than 128 MiB",
        ),
        (Mode::Controls, serve_no_body(), 1, "cannot read"),
    ];
    let mut largest_kb = 0;
    for (mode, base, code, needle) in cases {
        for args in [&["get"][..], &["get", "evil-zone"][..]] {
            let home = tempfile::tempdir().unwrap();
            let run = pz(&base, args, home.path());
            largest_kb = largest_kb.max(run.rss_kb);
            let what = format!("{mode:?} {base} pz {args:?}");
            eprintln!(
                "{what}: exit {} in {:?}, {} MB",
                run.code,
                run.took,
                run.rss_kb / 1024
            );
            let both = [run.stdout.as_slice(), run.stderr.as_slice()].concat();
            let text = String::from_utf8_lossy(&both);
            assert!(!text.contains("panicked"), "{what}: {text}");
            assert!(
                run.took < Duration::from_secs(10),
                "{what} took {:?}",
                run.took
            );
            assert_no_raw_control(&format!("{what} stdout"), &run.stdout);
            assert_no_raw_control(&format!("{what} stderr"), &run.stderr);
            for line in String::from_utf8_lossy(&run.stdout).lines() {
                assert!(line.chars().count() < 400, "{what}: an unbounded line");
            }
            let one = args.len() == 2;
            if !(one && mode == Mode::ManyZones && needle == "z099999") {
                assert_eq!(run.code, code, "{what}: {text}");
                assert!(text.contains(needle), "{what}: no {needle:?} in {text}");
            }
            if run.code != 0 {
                let err = String::from_utf8_lossy(&run.stderr);
                assert_eq!(err.trim_end().lines().count(), 1, "{what}: one line: {err}");
            }
            // The log holds one record per line, none of them forged.
            let log = std::fs::read(home.path().join("pz/pz.log")).unwrap_or_default();
            assert_no_raw_control(&format!("{what} log"), &log);
            for line in String::from_utf8_lossy(&log).lines() {
                assert!(line.starts_with("20"), "{what}: a forged log line {line:?}");
            }
        }
    }
    let rss = largest_kb / 1024;
    eprintln!("largest pz process: {rss} MB");
    assert!(rss < 200, "a pz process used {rss} MB");
}

#[test]
fn json_and_yaml_output_stay_exact_and_safe() {
    let rt = runtime();
    let base = serve(&rt, Mode::Controls);
    let home = tempfile::tempdir().unwrap();
    let run = pz(&base, &["get", "evil-zone", "-o", "json"], home.path());
    assert_eq!(run.code, 0);
    assert_no_raw_control("json", &run.stdout);
    let value: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(value["spec"]["displayName"], EVIL);
    let run = pz(&base, &["get", "evil-zone", "-o", "yaml"], home.path());
    assert_eq!(run.code, 0);
    assert_no_raw_control("yaml", &run.stdout);
    let value: Value = serde_yaml_ng::from_slice(&run.stdout).unwrap();
    assert_eq!(value["spec"]["partner"]["name"], EVIL);
}

#[test]
fn the_table_on_a_pseudo_terminal_carries_no_injected_sequence() {
    let rt = runtime();
    let base = serve(&rt, Mode::Controls);
    let pty = portable_pty::native_pty_system()
        .openpty(portable_pty::PtySize {
            rows: 24,
            cols: 200,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    let mut cmd = portable_pty::CommandBuilder::new(env!("CARGO_BIN_EXE_pz"));
    cmd.args(["get"]);
    cmd.env("CDK_BASE_URL", &base);
    cmd.env("CDK_API_KEY", KEY);
    for var in ["XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"] {
        cmd.env(var, home.path());
    }
    let mut child = pty.slave.spawn_command(cmd).unwrap();
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().unwrap();
    let collected = std::thread::spawn(move || {
        let mut all = Vec::new();
        let _ = reader.read_to_end(&mut all);
        all
    });
    let status = child.wait().unwrap();
    drop(pty.master);
    let bytes = collected.join().unwrap();
    assert!(status.success(), "{}", String::from_utf8_lossy(&bytes));
    for seq in INJECTED {
        assert!(
            !bytes.windows(seq.len()).any(|w| w == *seq),
            "{seq:?} reached the terminal"
        );
    }
    // The pty turns \n into \r\n; nothing else is a control.
    let text = String::from_utf8_lossy(&bytes).replace("\r\n", "\n");
    assert_no_raw_control("pty", text.as_bytes());
    assert!(text.contains("Evil\\e]52"), "{text}");
}

#[test]
fn apply_of_a_file_with_escapes_in_its_name_shows_the_server_message_safely() {
    let rt = runtime();
    let (sb, _client) = rt.block_on(start(options()));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("evil.yaml");
    let zone = zone("placeholder", "gateway-prod");
    let mut text = pz::api::yaml::zone_to_yaml(&zone);
    text = text.replace("name: placeholder", "name: \"evil\\e[2J\\e]0;PWNED\\a\"");
    std::fs::write(&file, text).unwrap();
    let run = pz(
        &sb.base_url(),
        &["apply", "-f", file.to_str().unwrap()],
        dir.path(),
    );
    assert_eq!(run.code, 1);
    assert_no_raw_control("apply stdout", &run.stdout);
    assert_no_raw_control("apply stderr", &run.stderr);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("evil\\e[2J\\e]0;PWNED\\a"), "{err}");
    assert!(err.contains("metadata.name"), "{err}");
    rt.block_on(sb.shutdown());
}

/// Every console screen fed with hostile text: list, detail, toasts, delete
/// modal, status bar, credentials (revealed), help, the wizard, and the
/// review of `:apply` with its diff and the server's hostile error.
#[test]
fn every_console_screen_shows_hostile_text_without_obeying_it() {
    let rt = runtime();
    let base = serve(&rt, Mode::Controls);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("z.yaml");
    let zone: pz::api::PartnerZone =
        serde_json::from_value(evil_zone("evil-zone", "READY")).unwrap();
    std::fs::write(&file, pz::api::yaml::zone_to_yaml(&zone)).unwrap();

    let mut s = Session::start(&base, &[]);
    s.wait_within("Evil\\e]52", 10);
    // The zone goes PENDING -> FAILED: a toast.
    s.wait_within("FAILED", 10);
    // The last row: the zone with a valid name, every other field hostile.
    s.keys("G");
    s.keys("\r");
    s.wait_for("Technical ID");
    s.esc();
    s.wait_gone("Technical ID");
    s.keys("d");
    std::thread::sleep(Duration::from_millis(300));
    s.type_text("DELETE");
    s.keys("\r");
    s.wait_for("409");
    s.esc();
    // A busy console may read the next key with the Esc (alt+c): wait.
    s.wait_gone("Delete zone");
    s.keys("c");
    s.wait_for("Generate a new secret");
    s.keys("\r");
    s.wait_for("Secret");
    s.keys("v");
    // The hostile secret, revealed: its text shows, its escapes do nothing.
    s.wait_for("PWNED");
    s.esc();
    s.wait_gone("Credentials");
    s.keys("?");
    s.wait_for("Help");
    s.esc();
    s.wait_gone("Help");
    s.keys("e");
    s.wait_for("Edit");
    s.esc();
    s.wait_for("leave, discarding");
    s.keys("y");
    s.keys(":");
    s.type_text(&format!("apply {}", file.display()));
    s.keys("\r");
    s.wait_for("Review");
    s.esc();
    s.wait_for("leave, discarding");
    s.keys("y");
    s.keys("q");
    s.wait_exit();
    let raw = s.raw.lock().unwrap().clone();
    for seq in INJECTED {
        assert!(
            !raw.windows(seq.len()).any(|w| w == *seq),
            "{:?} reached the terminal",
            String::from_utf8_lossy(seq)
        );
    }
    s.assert_restored();
}

/// The console against each broken Console: an error or a bounded list
/// within 10 s, still answering keys, under 200 MB.
#[test]
fn the_console_survives_every_hostile_answer() {
    let rt = runtime();
    let cases = [
        (serve(&rt, Mode::HugeName), "HHHHHHHH"),
        (serve(&rt, Mode::ManyZones), "100000 zones"),
        // The list reads only what it shows: the deep unknown field is
        // skipped without recursing (opening the zone says it cannot be
        // read, see the single-zone cases).
        (serve(&rt, Mode::DeepJson), "deep"),
        (serve(&rt, Mode::BadUtf8), "cannot read"),
        (serve(&rt, Mode::Endless), "cannot read"),
        (serve_no_body(), "cannot read"),
    ];
    for (base, shown) in cases {
        let mut s = Session::start(&base, &[]);
        s.wait_within(shown, 10);
        if shown == "deep" {
            s.keys("\r");
            s.wait_within("cannot read", 10);
        }
        let pid = s.child.process_id().unwrap();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        let hwm_kb: i64 = status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse().ok())
            .unwrap();
        assert!(hwm_kb / 1024 < 200, "{base}: {} MB", hwm_kb / 1024);
        s.keys("q");
        s.wait_exit();
        s.assert_restored();
    }
}

/// A Console that redirects elsewhere never gets the key sent there.
#[test]
fn the_api_key_does_not_follow_a_redirect_to_another_host() {
    let rt = runtime();
    let seen: Arc<std::sync::Mutex<Vec<Option<String>>>> = Arc::default();
    let seen2 = seen.clone();
    let other = Router::new().fallback(move |headers: HeaderMap| {
        let seen = seen2.clone();
        async move {
            let auth = headers
                .get(header::AUTHORIZATION)
                .map(|v| v.to_str().unwrap_or("?").to_string());
            seen.lock().unwrap().push(auth);
            json_response(StatusCode::OK, b"[]".to_vec())
        }
    });
    let other_listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let other_addr = other_listener.local_addr().unwrap();
    rt.spawn(async move { axum::serve(other_listener, other).await });
    let target = format!("http://{other_addr}/api/public/console/v2/partner-zone");
    let redirecting = Router::new()
        .route(
            "/public/console/v2/partner-zone",
            get(move || {
                let target = target.clone();
                async move { (StatusCode::FOUND, [(header::LOCATION, target)]).into_response() }
            }),
        )
        // A redirect within the same Console is followed.
        .route(
            "/public/console/v2/kafka-cluster",
            get(|| async {
                (
                    StatusCode::TEMPORARY_REDIRECT,
                    [(header::LOCATION, "/api/moved")],
                )
                    .into_response()
            }),
        )
        .route(
            "/moved",
            get(|headers: HeaderMap| async move {
                assert!(headers.get(header::AUTHORIZATION).is_some());
                json_response(StatusCode::OK, b"[]".to_vec())
            }),
        );
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let redirecting = Router::new().nest("/api", redirecting);
    rt.spawn(async move { axum::serve(listener, redirecting).await });
    let client = client_for(&format!("http://{addr}"), KEY);
    let err = rt.block_on(client.list_zones()).unwrap_err();
    assert!(matches!(err, pz::api::ApiError::Redirected { .. }), "{err}");
    assert!(err.to_string().contains(&other_addr.to_string()), "{err}");
    let clusters = rt.block_on(client.list_clusters()).unwrap();
    assert!(clusters.is_empty());
    let seen = seen.lock().unwrap();
    assert!(
        seen.iter().all(|auth| auth.is_none()),
        "the other host saw a key: {seen:?}"
    );
}

#[test]
fn plaintext_and_unverified_connections_are_warned_about() {
    let home = tempfile::tempdir().unwrap();
    // 0.0.0.0 is not loopback by address: nothing listens on port 9 here.
    let run = pz("http://0.0.0.0:9", &["get"], home.path());
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.code, 1);
    assert!(err.contains("unencrypted"), "{err}");
    let run = pz("http://127.0.0.1:9", &["get"], home.path());
    assert!(!String::from_utf8_lossy(&run.stderr).contains("unencrypted"));
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_pz"));
    let out = cmd
        .args(["get"])
        .env("CDK_BASE_URL", "https://127.0.0.1:9")
        .env("CDK_API_KEY", KEY)
        .env("CDK_INSECURE", "true")
        .env("XDG_STATE_HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not verified"), "{err}");
}
