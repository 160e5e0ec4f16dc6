//! Zones as code: `apply --wait`, `wait`, `get --watch`, `diff`, `-f -`,
//! copying zones between Consoles, contexts, completions and the manual,
//! run as the real binary against sandboxes on 127.0.0.1.

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;

fn zone_file(dir: &std::path::Path, name: &str, cluster: &str) -> String {
    let path = dir.join(format!("{name}.yaml"));
    std::fs::write(&path, pz::api::yaml::zone_to_yaml(&zone(name, cluster))).unwrap();
    path.to_string_lossy().into_owned()
}

#[tokio::test]
async fn apply_wait_ends_ready_failed_or_timed_out() {
    let (sb, _) = start(options()).await;
    let base = sb.base_url();
    let dir = tempfile::tempdir().unwrap();

    let ok = zone_file(dir.path(), "waits-ready", "gateway-prod");
    let run = pz(&base, &["apply", "-f", &ok, "--wait"], None).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("PartnerZone/waits-ready: Created"));
    assert!(
        run.stderr.contains("PartnerZone/waits-ready: READY"),
        "{}",
        run.stderr
    );

    let down = zone_file(dir.path(), "on-a-down-gateway", "gateway-dr");
    let run = pz(&base, &["apply", "-f", &down, "--wait"], None).await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        // Console 1.34+ says why (metadata.failedReason).
        run.stderr.contains(
            "PartnerZone/on-a-down-gateway: FAILED: Failed to create service account: the Gateway of cluster 'gateway-dr' does not answer"
        ),
        "{}",
        run.stderr
    );
    sb.shutdown().await;

    let mut slow = options();
    slow.deploy_delay = Duration::from_secs(30);
    let (sb, _) = start(slow).await;
    let late = zone_file(dir.path(), "too-slow", "gateway-prod");
    let started = Instant::now();
    let run = pz(
        &sb.base_url(),
        &["apply", "-f", &late, "--wait", "--timeout", "1s"],
        None,
    )
    .await;
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("timed out after 1s") && run.stderr.contains("too-slow (PENDING)"),
        "{}",
        run.stderr
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn wait_for_deleted_ends_when_the_zone_is_gone() {
    let (sb, client) = start(options()).await;
    client
        .apply_zone(&zone("going-away", "gateway-prod"), false)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await; // READY
    let deleter = client.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(800)).await;
        deleter.delete_zone("going-away").await.unwrap();
    });
    let run = pz(
        &sb.base_url(),
        &["wait", "going-away", "--for", "deleted", "--timeout", "20s"],
        None,
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("PartnerZone/going-away: deleted"));
    let run = pz(
        &sb.base_url(),
        &["wait", "acme-logistics", "--timeout", "5s"],
        None,
    )
    .await;
    assert_eq!(run.code, 0, "an already READY zone: {}", run.stderr);
    sb.shutdown().await;
}

/// `pz get -w` as a child process; its stdout lines arrive on a channel.
fn watch(base: &str, extra: &[&str]) -> (std::process::Child, std::sync::mpsc::Receiver<String>) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pz"))
        .args(["get", "-w"])
        .args(extra)
        .env("CDK_BASE_URL", base)
        .env("CDK_API_KEY", KEY)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

fn wait_line(rx: &std::sync::mpsc::Receiver<String>, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200))
            && line.contains(needle)
        {
            return line;
        }
    }
    panic!("no line with {needle:?}");
}

fn interrupt(mut child: std::process::Child) -> i32 {
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code().unwrap_or(-1);
        }
        assert!(Instant::now() < deadline, "pz get -w did not end on ctrl-c");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_watch_prints_a_line_per_change_made_elsewhere() {
    let (sb, client) = start(options()).await;
    let (child, rx) = watch(&sb.base_url(), &[]);
    wait_line(&rx, "acme-logistics");
    client
        .apply_zone(&zone("seen-live", "gateway-prod"), false)
        .await
        .unwrap();
    // The deployment takes 200 ms and the watch asks every 2 s: the zone
    // may appear PENDING, then READY, or READY at once.
    let mut line = wait_line(&rx, "seen-live");
    if line.contains("PENDING") {
        line = wait_line(&rx, "seen-live");
    }
    assert!(line.contains("READY"), "{line}");
    client.delete_zone("seen-live").await.unwrap();
    let gone = wait_line(&rx, "seen-live");
    assert!(gone.contains("DELETED"), "{gone}");
    assert_eq!(interrupt(child), 0);

    // -o json: one object per line.
    let (child, rx) = watch(&sb.base_url(), &["-o", "json"]);
    let line = wait_line(&rx, "acme-logistics");
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["metadata"]["name"], "acme-logistics");
    client
        .apply_zone(&zone("json-live", "gateway-prod"), false)
        .await
        .unwrap();
    let line = wait_line(&rx, "json-live");
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["metadata"]["name"], "json-live");
    assert_eq!(interrupt(child), 0);
    sb.shutdown().await;
}

#[tokio::test]
async fn diff_detects_drift_with_exit_codes() {
    let (sb, client) = start(options()).await;
    let base = sb.base_url();
    let dir = tempfile::tempdir().unwrap();
    let file = zone_file(dir.path(), "drifty", "gateway-prod");
    let run = pz(&base, &["apply", "-f", &file], None).await;
    assert_eq!(run.code, 0, "{}", run.stderr);

    let run = pz(&base, &["diff", "-f", &file], None).await;
    assert_eq!(run.code, 0, "no change: {}{}", run.stdout, run.stderr);
    assert!(run.stdout.is_empty());

    let mut changed = client.get_zone("drifty").await.unwrap();
    changed.spec.description = Some("changed in the Console".into());
    client.apply_zone(&changed, false).await.unwrap();
    let run = pz(&base, &["diff", "-f", &file], None).await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains("--- console/drifty"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("-  description: changed in the Console"),
        "{}",
        run.stdout
    );

    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "kind: PartnerZone\nmetadata: [oops\n").unwrap();
    let run = pz(&base, &["diff", "-f", bad.to_str().unwrap()], None).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    let run = pz("http://127.0.0.1:9", &["diff", "-f", &file], None).await;
    assert_eq!(run.code, 2, "an error is 2, not 'differs': {}", run.stderr);

    // From standard input.
    let text = std::fs::read_to_string(&file).unwrap();
    let run = pz(&base, &["diff", "-f", "-"], Some(&text)).await;
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("+++ stdin/drifty"), "{}", run.stdout);
    sb.shutdown().await;
}

/// Writes `text` as the config file under `home`.
fn write_config(home: &std::path::Path, text: &str) {
    let config = home.join("pz/config.yaml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(&config, text).unwrap();
}

/// Two sandboxes, the second with one more zone, `only`.
async fn two_sandboxes(
    only: &str,
) -> (
    pz::sandbox::RunningSandbox,
    pz::sandbox::RunningSandbox,
    pz::api::Client,
) {
    let (a, _) = start(options()).await;
    let (b, b_client) = start(options()).await;
    b_client
        .apply_zone(&zone(only, "gateway-prod"), false)
        .await
        .unwrap();
    (a, b, b_client)
}

#[tokio::test]
async fn get_yaml_piped_into_apply_copies_zones_between_consoles() {
    let (staging, prod, prod_client) = two_sandboxes("only-in-prod").await;
    let yaml = pz(&staging.base_url(), &["get", "-o", "yaml"], None).await;
    assert_eq!(yaml.code, 0);
    assert_eq!(yaml.stdout.matches("---\n").count(), 5, "{}", yaml.stdout);
    // Into itself: nothing changes.
    let run = pz(
        &staging.base_url(),
        &["apply", "-f", "-"],
        Some(&yaml.stdout),
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout.matches(": NotChanged").count(),
        5,
        "{}",
        run.stdout
    );
    // Into another Console: the same zones, then NotChanged the second time.
    let mut prod_zones = prod_client.list_zones().await.unwrap();
    for z in &mut prod_zones {
        if z.metadata.name != "only-in-prod" {
            prod_client.delete_zone(&z.metadata.name).await.ok();
        }
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let run = pz(&prod.base_url(), &["apply", "-f", "-"], Some(&yaml.stdout)).await;
    // The PENDING seed zone cannot be deleted in time; every other was
    // created or kept.
    assert!(run.stdout.contains(": Created"), "{}", run.stdout);
    let again = pz(&prod.base_url(), &["apply", "-f", "-"], Some(&yaml.stdout)).await;
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(
        again.stdout.matches(": NotChanged").count(),
        5,
        "{}",
        again.stdout
    );
    staging.shutdown().await;
    prod.shutdown().await;
}

#[tokio::test]
async fn contexts_are_listed_and_switched_keeping_the_file() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("pz/config.yaml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    let text = "# Consoles of the platform team\ncurrentContext: staging # default\ncontexts:\n  # careful\n  prod:\n    baseUrl: https://console.prod.example\n    apiKeyEnv: PROD_KEY\n    readOnly: true\n  staging:\n    baseUrl: https://console.staging.example\n    apiKeyEnv: STAGING_KEY\n";
    std::fs::write(&config, text).unwrap();
    let run = pz_in("", &["config", "get-contexts"], None, home.path()).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let staging_line = run.stdout.lines().find(|l| l.contains("staging")).unwrap();
    assert!(staging_line.starts_with('*'), "{}", run.stdout);
    assert!(run.stdout.contains("(read-only)"));
    let run = pz_in("", &["config", "current-context"], None, home.path()).await;
    assert_eq!(run.stdout.trim(), "staging");
    let run = pz_in("", &["config", "use-context", "prod"], None, home.path()).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        text.replace("currentContext: staging", "currentContext: prod")
    );
    let run = pz_in("", &["config", "use-context", "nope"], None, home.path()).await;
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no context named 'nope'"),
        "{}",
        run.stderr
    );
}

#[tokio::test]
async fn completions_and_manual_come_from_the_definitions() {
    let run = pz("", &["completions", "bash"], None).await;
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("use-context"));
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("pz.bash");
    std::fs::write(&script, &run.stdout).unwrap();
    let check = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .expect("bash is installed");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    for shell in ["zsh", "fish"] {
        let run = pz("", &["completions", shell], None).await;
        assert_eq!(run.code, 0);
        assert!(run.stdout.contains("pz"));
    }
    let man = pz("", &["man"], None).await;
    assert_eq!(man.code, 0);
    assert!(
        man.stdout.contains(".TH pz"),
        "{}",
        &man.stdout[..200.min(man.stdout.len())]
    );
    assert!(man.stdout.contains("Exit codes"));
    let help = pz("", &["--help"], None).await;
    assert!(help.stdout.contains("2  usage or configuration error"));
}

#[test]
fn ctx_in_the_console_switches_to_another_console() {
    let rt = runtime();
    let (a, _) = rt.block_on(start(options()));
    let (b, b_client) = rt.block_on(start(options()));
    rt.block_on(b_client.apply_zone(&zone("only-in-b", "gateway-prod"), false))
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        &format!(
            "currentContext: first\ncontexts:\n  first:\n    baseUrl: {}\n    apiKey: {KEY}\n  second:\n    baseUrl: {}\n    apiKey: {KEY}\n    readOnly: true\n",
            a.base_url(),
            b.base_url()
        ),
    );
    let mut s =
        common::pty::Session::start_in("", &[("CDK_BASE_URL", ""), ("CDK_API_KEY", "")], home);
    s.wait_for("acme-logistics");
    assert!(!s.screen().contains("only-in-b"));
    s.type_text(":ctx");
    s.keys("\r");
    s.wait_for("Switch Console");
    s.keys("j");
    s.keys("\r");
    s.wait_for("only-in-b");
    let screen = s.screen();
    let header = screen.lines().next().unwrap_or_default().to_string();
    assert!(header.contains("second http://"), "{header}");
    // The second context is read-only, and stays so.
    assert!(header.contains("READ-ONLY"), "{header}");
    s.keys("q");
    s.wait_exit();
    rt.block_on(a.shutdown());
    rt.block_on(b.shutdown());
}

/// `pz get --all-contexts`: two sandboxes and a context pointing nowhere;
/// the two list with a CONTEXT column, the third is one line on stderr
/// naming it, exit 1; the CDK_* variables do not override the contexts.
#[tokio::test]
async fn all_contexts_list_together_and_a_dead_one_is_named() {
    let (a, b, _) = two_sandboxes("only-in-b").await;
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let nowhere = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    let home = tempfile::tempdir().unwrap();
    write_config(
        home.path(),
        &format!(
            "currentContext: first\ncontexts:\n  first:\n    baseUrl: {}\n    apiKey: {KEY}\n  second:\n    baseUrl: {}\n    apiKey: {KEY}\n  gone:\n    baseUrl: {nowhere}\n    apiKey: {KEY}\n",
            a.base_url(),
            b.base_url()
        ),
    );
    // CDK_BASE_URL points at the first: it must not stand in for every one.
    let run = pz_env(
        &a.base_url(),
        &["get", "--all-contexts"],
        None,
        home.path(),
        &[("CDK_API_KEY", KEY)],
    )
    .await;
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines[0].starts_with("CONTEXT"), "{}", run.stdout);
    let b_rows: Vec<&&str> = lines.iter().filter(|l| l.starts_with("second ")).collect();
    let a_rows: Vec<&&str> = lines.iter().filter(|l| l.starts_with("first ")).collect();
    assert!(
        b_rows.iter().any(|l| l.contains("only-in-b")),
        "{}",
        run.stdout
    );
    assert!(
        !a_rows.iter().any(|l| l.contains("only-in-b")),
        "{}",
        run.stdout
    );
    assert_eq!(b_rows.len(), a_rows.len() + 1, "{}", run.stdout);
    assert!(run.stderr.contains("pz: context gone:"), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    a.shutdown().await;
    b.shutdown().await;
}
