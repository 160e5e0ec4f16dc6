//! End to end: the real `pz` binary in a pseudo-terminal against a sandbox
//! on 127.0.0.1. Checks what a person sees, and that the terminal is put
//! back (main screen, cooked mode) after quit and after SIGHUP.

use crate::common;

use std::io::Write;
use std::time::{Duration, Instant};

use base64::Engine;
use common::pty::{Session, spawn_console};
use common::*;
use portable_pty::PtySize;

/// A sandbox on 127.0.0.1, and the console showing its zones.
fn console_on_sandbox() -> (
    tokio::runtime::Runtime,
    pz::sandbox::RunningSandbox,
    pz::api::Client,
    Session,
) {
    let rt = runtime();
    let (sb, client) = rt.block_on(start(options()));
    let s = Session::start(&sb.base_url(), &[]);
    s.wait_for("acme-logistics");
    (rt, sb, client, s)
}

#[test]
fn list_detail_quit_restores_the_terminal() {
    let (rt, sb, _, mut s) = console_on_sandbox();
    s.wait_for("5 zones");
    s.keys("j");
    s.keys("\r");
    s.wait_for("Technical ID");
    s.wait_for("globex-analytics");
    s.wait_for("Grace Hopper");
    s.esc();
    s.wait_for("sorted by name");
    s.keys("q");
    let status = s.wait_exit();
    assert!(status.success(), "{status:?}");
    s.assert_restored();
    rt.block_on(sb.shutdown());
}

fn signal_restores_the_terminal(signal: nix::sys::signal::Signal) {
    let (rt, sb, _, mut s) = console_on_sandbox();
    let pid = s.child.process_id().expect("a pid") as i32;
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), signal).unwrap();
    s.wait_exit();
    s.assert_restored();
    rt.block_on(sb.shutdown());
}

#[test]
fn sighup_restores_the_terminal() {
    signal_restores_the_terminal(nix::sys::signal::Signal::SIGHUP);
}

#[test]
fn sigterm_restores_the_terminal() {
    signal_restores_the_terminal(nix::sys::signal::Signal::SIGTERM);
}

#[test]
fn credentials_copy_sends_osc52_with_the_secret() {
    let rt = runtime();
    let (sb, _) = rt.block_on(start(options()));
    let mut s = Session::start(
        &sb.base_url(),
        &[("SSH_TTY", "/dev/pts/9"), ("PZ_LOG", "trace")],
    );
    s.wait_for("acme-logistics");
    s.keys("c");
    s.wait_for("Generate a new secret");
    s.keys("\r");
    s.wait_for("v reveals");
    s.keys("y");
    s.wait_for("terminal (OSC 52), unconfirmed");
    let raw = String::from_utf8_lossy(&s.raw.lock().unwrap()).to_string();
    let start = raw.find("\x1b]52;c;").expect("an OSC 52 sequence") + 7;
    let end = start + raw[start..].find('\x07').expect("BEL-terminated");
    let copied = base64::engine::general_purpose::STANDARD
        .decode(&raw[start..end])
        .unwrap();
    let secret = String::from_utf8(copied).unwrap();
    assert_eq!(
        secret.split('.').count(),
        3,
        "a JWT-shaped secret: {secret}"
    );
    assert!(!s.screen().contains(&secret[..20]), "masked on screen");
    s.keys("v");
    // The revealed secret wraps; its head is enough to compare.
    s.wait_for(&secret[..30]);
    s.esc();
    s.keys("q");
    s.wait_exit();
    s.assert_restored();
    // A full flow at the most verbose level logs neither secret nor key.
    let log = std::fs::read_to_string(s.home().join("pz/pz.log")).expect("a log file");
    assert!(log.contains("console start"), "the log is written");
    assert!(!log.contains(&secret), "the secret reached the log");
    assert!(!log.contains(secret.split('.').nth(2).unwrap()));
    assert!(!log.contains(KEY), "the API key reached the log");
    rt.block_on(sb.shutdown());
}

#[test]
fn delete_typed_ahead_in_one_burst_does_not_delete() {
    let (rt, sb, client, mut s) = console_on_sandbox();
    // `d` and the word and enter in one write: nothing may be deleted.
    s.writer.write_all(b"dDELETE\r").unwrap();
    s.writer.flush().unwrap();
    s.wait_for("Type DELETE to confirm");
    std::thread::sleep(Duration::from_millis(500));
    assert!(rt.block_on(client.get_zone("acme-logistics")).is_ok());
    // Typed by a person, after the modal is on screen: deleted.
    for c in "DELETE".chars() {
        s.keys(&c.to_string());
    }
    s.keys("\r");
    s.wait_for("Deleted acme-logistics");
    assert!(rt.block_on(client.get_zone("acme-logistics")).is_err());
    s.keys("q");
    s.wait_exit();
    s.assert_restored();
    rt.block_on(sb.shutdown());
}

#[test]
fn a_panic_restores_the_terminal_then_prints_the_message() {
    let rt = runtime();
    let (sb, _) = rt.block_on(start(options()));
    let mut s = Session::start(&sb.base_url(), &[("PZ_DEBUG_PANIC", "1")]);
    let status = s.wait_exit();
    assert!(!status.success());
    s.assert_restored();
    let raw = String::from_utf8_lossy(&s.raw.lock().unwrap()).to_string();
    let left = raw.rfind("\x1b[?1049l").unwrap();
    let message = raw
        .find("deliberate panic")
        .expect("the panic message is printed");
    assert!(
        message > left,
        "printed after the restore, on the main screen"
    );
    rt.block_on(sb.shutdown());
}

#[test]
fn a_wizard_killed_midway_is_resumed_from_its_draft() {
    let (rt, sb, _, mut s) = console_on_sandbox();
    s.keys("n");
    s.wait_for("New Partner Zone");
    for c in "Resume Me".chars() {
        s.keys(&c.to_string());
    }
    s.wait_for("resume-me");
    let pid = s.child.process_id().expect("a pid") as i32;
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    s.wait_exit();
    let home = s.home.take().expect("a home");
    drop(s);
    assert!(
        home.path().join("pz/draft.json").exists(),
        "the draft was saved as typed"
    );

    let mut s = Session::start_in(&sb.base_url(), &[], home);
    s.wait_for("press n to resume it");
    s.keys("n");
    s.wait_for("Resume Me");
    s.wait_for("resume-me");
    // Leaving on purpose discards the draft.
    s.esc();
    s.wait_for("Leave the wizard?");
    s.keys("y");
    s.wait_for("sorted by name");
    std::thread::sleep(Duration::from_millis(300));
    assert!(!s.home().join("pz/draft.json").exists());
    s.keys("q");
    s.wait_exit();
    s.assert_restored();
    rt.block_on(sb.shutdown());
}

#[test]
fn reconnects_by_itself_when_the_sandbox_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let (mut sandbox, port) = spawn_sandbox_free(&state, &[]);
    let mut s = Session::start(&format!("http://127.0.0.1:{port}"), &[]);
    s.wait_for("acme-logistics");
    sandbox.kill().unwrap();
    sandbox.wait().unwrap();
    s.wait_for("offline");
    s.wait_for("refused");
    let mut sandbox = spawn_sandbox(port, &state, &[]);
    s.wait_for("updated");
    assert!(!s.screen().contains("offline"));
    assert!(s.screen().contains("acme-logistics"));
    s.keys("q");
    assert!(s.wait_exit().success());
    s.assert_restored();
    sandbox.kill().unwrap();
    let _ = sandbox.wait();
}

#[test]
fn a_resize_storm_does_not_crash() {
    let (rt, sb, _, mut s) = console_on_sandbox();
    s.keys("\r"); // a detail, which wraps text
    s.wait_for("Technical ID");
    for i in 0..300u16 {
        let size = PtySize {
            rows: 1 + (i * 7) % 100,
            cols: 1 + (i * 13) % 300,
            pixel_width: 0,
            pixel_height: 0,
        };
        s.master.resize(size).unwrap();
    }
    s.master
        .resize(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    // A fresh view of the screen: one more resize makes pz redraw it all.
    *s.parser.lock().unwrap() = vt100::Parser::new(24, 81, 0);
    s.master
        .resize(PtySize {
            rows: 24,
            cols: 81,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    s.wait_for("Technical ID");
    s.esc();
    s.wait_for("sorted by name");
    s.keys("q");
    assert!(
        s.wait_exit().success(),
        "pz survived the storm and quit cleanly"
    );
    s.assert_restored();
    rt.block_on(sb.shutdown());
}

#[test]
fn list_create_edit_delete_through_faults() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let (mut sandbox, port) =
        spawn_sandbox_free(&state, &["--fail-rate", "0.3", "--latency-ms", "500"]);
    let mut s = Session::start(&format!("http://127.0.0.1:{port}"), &[]);
    s.wait_within("acme-logistics", 60);

    // Create.
    s.keys("n");
    s.wait_for("New Partner Zone");
    s.type_text("Fault Line");
    s.wait_for("fault-line");
    if !s.screen().contains("gateway-prod (") {
        // The cluster list failed: ↑/↓ on the Gateway field asks again.
        for _ in 0..4 {
            s.keys("\t");
        }
        s.retry_until("\x1b[B", "gateway-prod (", 20);
    }
    s.keys("\x0e"); // ctrl-n: Topics
    // A failed topic list is asked for again on the way back in.
    s.retry_until("\x10\x0e", "orders.v1  team", 20);
    s.keys(" ");
    s.keys("\x0e");
    s.keys("\x0e");
    let create_retries = s.retry_until("\r", "Technical ID", 30);
    s.wait_for("Fault Line");

    // Edit: the name gets a suffix.
    s.keys("e");
    s.wait_for("Edit fault-line");
    s.type_text(" v2");
    s.keys("\x0e");
    s.keys("\x0e");
    s.keys("\x0e");
    s.wait_for("4 Review");
    let edit_retries = s.retry_until("\r", "Fault Line v2 ─", 30);

    // Delete (an injected failure is one more retry).
    s.keys("d");
    s.wait_for("Type DELETE");
    std::thread::sleep(Duration::from_millis(300));
    s.type_text("DELETE");
    let delete_retries = s.retry_until("\r", "Deleted fault-line", 30);

    let raw = String::from_utf8_lossy(&s.raw.lock().unwrap()).to_string();
    // How a failure shows (the status bar may cut the rest of the line).
    let shown = [
        "500 An unexpected",
        "cannot reach",
        "409",
        "offline",
        "Could not",
    ];
    assert!(
        shown.iter().any(|s| raw.contains(s)),
        "failures were shown (retries: create {create_retries}, edit {edit_retries}, delete {delete_retries})"
    );
    s.keys("q");
    assert!(s.wait_exit().success(), "pz never crashed");
    s.assert_restored();

    // The zone is really gone (ask until the faulty sandbox gives a clear answer).
    let rt = runtime();
    let client = client_for(&format!("http://127.0.0.1:{port}"), KEY);
    let gone = (0..30).any(|_| {
        matches!(
            rt.block_on(client.get_zone("fault-line")),
            Err(pz::api::ApiError::NotFound(_))
        )
    });
    assert!(gone);
    sandbox.kill().unwrap();
    let _ = sandbox.wait();
}

/// The terminal goes away without a word (a dropped SSH connection closes
/// the pty): pz ends cleanly, without a panic.
#[test]
fn a_vanished_terminal_ends_pz_cleanly() {
    let rt = runtime();
    let (sb, _) = rt.block_on(start(options()));
    let home = tempfile::tempdir().unwrap();
    let (pty, mut child) = spawn_console(&sb.base_url(), &[], home.path());
    drop(pty.slave);
    let log = home.path().join("pz/pz.log");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !std::fs::read_to_string(&log)
        .unwrap_or_default()
        .contains("console start")
    {
        assert!(Instant::now() < deadline, "pz did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    drop(pty.master); // the only handle on the master: the terminal is gone
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "pz kept running without a terminal"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(!log.contains("panic"), "{log}");
    rt.block_on(sb.shutdown());
}

/// Waits until `f` holds, bounded by the tests' timeout.
fn wait_until(what: &str, f: impl Fn() -> bool) {
    let deadline = Instant::now() + common::harness::timeout();
    while !f() {
        assert!(Instant::now() < deadline, "{what} never happened");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// An editor that notes each opening (the file, the terminal's mode), then
/// reads a line from the terminal as a person's editor would: the first
/// time it breaks the YAML, the second it mends it and puts the line typed
/// as the description.
fn tty_editor(dir: &std::path::Path) -> std::path::PathBuf {
    let editor = dir.join("editor.sh");
    std::fs::write(
        &editor,
        r#"#!/bin/sh
d=$(dirname "$0")
n=$(cat "$d/runs" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$d/runs"
cp "$1" "$d/opened-$n.yaml"
stty -a > "$d/stty-$n.txt"
printf 'EDITOR-%s-WAITING\n' "$n"
read typed
case $n in
1) printf 'spec: [unclosed\n' >> "$1" ;;
*) sed -i -e '/^spec: \[unclosed/d' -e "s/^  description: .*/  description: $typed/" "$1" ;;
esac
"#,
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();
    editor
}

/// Types `typed` to the editor waiting on its `n`th opening.
fn answer_editor(s: &mut Session, dir: &std::path::Path, n: usize, typed: &str) {
    s.wait_for(&format!("EDITOR-{n}-WAITING"));
    let stty = std::fs::read_to_string(dir.join(format!("stty-{n}.txt"))).unwrap();
    assert!(stty.contains(" icanon") && stty.contains(" echo"), "{stty}");
    s.writer.write_all(format!("{typed}\r").as_bytes()).unwrap();
    s.writer.flush().unwrap();
}

#[test]
fn pz_edit_in_a_terminal_reopens_with_the_error_then_applies() {
    let rt = runtime();
    let (sb, client) = rt.block_on(start(options()));
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let editor = tty_editor(dir);
    let mut s = Session::run_in(
        &sb.base_url(),
        &["edit", "acme-logistics"],
        &[("EDITOR", editor.to_str().unwrap()), ("VISUAL", "")],
        tempfile::tempdir().unwrap(),
    );
    answer_editor(&mut s, dir, 1, "x");
    answer_editor(&mut s, dir, 2, "Edited at a terminal");
    let status = s.wait_exit();
    assert!(status.success(), "{}", s.screen());
    let out = s.screen();
    assert!(out.contains("PartnerZone/acme-logistics: Updated"), "{out}");
    assert!(
        out.contains("+  description: Edited at a terminal"),
        "{out}"
    );
    let reopened = std::fs::read_to_string(dir.join("opened-2.yaml")).unwrap();
    assert!(
        reopened.contains("# The edit could not be applied:"),
        "{reopened}"
    );
    let zone = rt.block_on(client.get_zone("acme-logistics")).unwrap();
    assert_eq!(
        zone.spec.description.as_deref(),
        Some("Edited at a terminal")
    );
    rt.block_on(sb.shutdown());
}

#[test]
fn e_hands_the_terminal_to_the_editor_and_takes_it_back() {
    let rt = runtime();
    let (sb, client) = rt.block_on(start(options()));
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let editor = tty_editor(dir);
    let mut s = Session::start(
        &sb.base_url(),
        &[("EDITOR", editor.to_str().unwrap()), ("VISUAL", "")],
    );
    s.wait_for("acme-logistics");
    s.keys("E");
    for (n, typed) in [(1, "x"), (2, "Edited in the editor")] {
        s.wait_for(&format!("EDITOR-{n}-WAITING"));
        // While the editor runs: the main screen, and a cooked terminal;
        // what is typed goes to the editor, none of it to pz.
        assert!(!s.parser.lock().unwrap().screen().alternate_screen());
        answer_editor(&mut s, dir, n, typed);
    }
    s.wait_for("Updated");
    let reopened = std::fs::read_to_string(dir.join("opened-2.yaml")).unwrap();
    assert!(
        reopened.starts_with("# Please edit")
            && reopened.contains("# The edit could not be applied:"),
        "{reopened}"
    );
    assert!(
        reopened.contains("spec: [unclosed"),
        "the user's text is kept: {reopened}"
    );
    // Back: the alternate screen redrawn in full, raw mode again.
    assert!(s.parser.lock().unwrap().screen().alternate_screen());
    s.wait_for("acme-logistics");
    use nix::sys::termios::LocalFlags;
    let termios = s.master.get_termios().unwrap();
    assert!(!termios.local_flags.contains(LocalFlags::ICANON));
    let zone = rt.block_on(client.get_zone("acme-logistics")).unwrap();
    assert_eq!(
        zone.spec.description.as_deref(),
        Some("Edited in the editor")
    );
    // The edit's private file is gone.
    wait_until("the edit's file removed", || {
        std::fs::read_dir(s.home().join("pz"))
            .map(|d| {
                d.flatten()
                    .all(|e| !e.file_name().to_string_lossy().starts_with("edit-"))
            })
            .unwrap_or(true)
    });
    s.keys("q");
    assert!(s.wait_exit().success());
    s.assert_restored();
    rt.block_on(sb.shutdown());
}

/// `pz rotate ZONE --yes` with pz's files under `home`, aborted (as by
/// kill -9) right after `step`.
fn crashed_rotation(base: &str, home: &std::path::Path, zone: &str, step: &str) {
    let crashed = std::process::Command::new(env!("CARGO_BIN_EXE_pz"))
        .args(["rotate", zone, "--yes"])
        .env("CDK_BASE_URL", base)
        .env("CDK_API_KEY", KEY)
        .env("XDG_STATE_HOME", home)
        .env("XDG_CONFIG_HOME", home)
        .env("XDG_DATA_HOME", home)
        .env("PZ_TEST_CRASH_AFTER", step)
        .output()
        .unwrap();
    assert!(!crashed.status.success());
}

#[test]
fn r_rotates_from_the_console_and_an_interrupted_one_is_finished_at_start() {
    let (rt, sb, client, mut s) = console_on_sandbox();
    s.keys("R");
    s.wait_for("Rotate credentials");
    s.wait_for("acme-logistics-r2");
    // The typed name is the confirmation: a part of it does nothing. (Keys
    // in the modal's first 150 ms are dropped as typed ahead.)
    s.retry_until("a", "confirm: a▏", 10);
    s.type_text("cme");
    s.keys("\r");
    s.wait_for("keep typing");
    s.type_text("-logistics");
    s.keys("\r");
    s.wait_for("Secret");
    s.wait_for("acme-logistics-r2");
    let zone = rt.block_on(client.get_zone("acme-logistics")).unwrap();
    assert_eq!(zone.spec.service_account_name(), Some("acme-logistics-r2"));
    assert_eq!(
        zone.metadata.status,
        Some(pz::api::ZoneStatus::Ready),
        "the secret comes once the zone is READY"
    );
    let rotations = s.home().join("pz/rotations");
    assert!(
        std::fs::read_dir(&rotations).unwrap().next().is_none(),
        "the recovery file is removed once READY"
    );
    s.esc();
    s.keys("q");
    assert!(s.wait_exit().success());
    s.assert_restored();

    // A rotation killed right after the delete, by the command line.
    let home = s.home.take().unwrap();
    drop(s);
    crashed_rotation(&sb.base_url(), home.path(), "globex-analytics", "deleted");
    assert!(matches!(
        rt.block_on(client.get_zone("globex-analytics")),
        Err(pz::api::ApiError::NotFound(_))
    ));
    // The console finds it at start and finishes it.
    let mut s = Session::start_in(&sb.base_url(), &[], home);
    s.wait_for("Unfinished rotation");
    s.wait_for("globex-analytics");
    s.keys("\r");
    s.wait_for("rotated: the partner now connects as");
    let zone = rt.block_on(client.get_zone("globex-analytics")).unwrap();
    assert_eq!(zone.metadata.status, Some(pz::api::ZoneStatus::Ready));
    assert!(
        zone.spec
            .service_account_name()
            .is_some_and(|a| a.ends_with("-r2")),
        "{:?}",
        zone.spec.service_account_name()
    );
    assert!(
        std::fs::read_dir(s.home().join("pz/rotations"))
            .unwrap()
            .next()
            .is_none()
    );
    s.esc();
    s.keys("q");
    assert!(s.wait_exit().success());

    // Killed right after creating the new zone; `u` at the next start puts
    // the zone back as it was.
    let home = s.home.take().unwrap();
    drop(s);
    let before = rt.block_on(client.get_zone("stark-payments")).unwrap();
    let old = before.spec.service_account_name().unwrap().to_string();
    crashed_rotation(&sb.base_url(), home.path(), "stark-payments", "created");
    let mut s = Session::start_in(&sb.base_url(), &[], home);
    s.wait_for("Unfinished rotation");
    s.wait_for("stark-payments");
    s.keys("u");
    s.wait_for("restored as it was");
    let zone = rt.block_on(client.get_zone("stark-payments")).unwrap();
    assert_eq!(zone.spec.service_account_name(), Some(old.as_str()));
    assert_eq!(zone.metadata.status, Some(pz::api::ZoneStatus::Ready));
    let left = std::fs::read_dir(s.home().join("pz/rotations"))
        .unwrap()
        .count();
    assert_eq!(left, 0, "the recovery file is removed once restored");
    s.keys("q");
    assert!(s.wait_exit().success());
    rt.block_on(sb.shutdown());
}

/// An SGR mouse report (1-based cell), as xterm sends it.
fn sgr(button: u8, column: u16, row: u16, press: bool) -> String {
    format!(
        "\x1b[<{button};{column};{row}{}",
        if press { 'M' } else { 'm' }
    )
}

/// A left click (press and release) on the 0-based cell.
fn click(column: u16, row: u16) -> String {
    sgr(0, column + 1, row + 1, true) + &sgr(0, column + 1, row + 1, false)
}

#[test]
fn the_mouse_scrolls_selects_opens_and_runs_a_hint() {
    let (rt, sb, client, mut s) = console_on_sandbox();
    let mut names: Vec<String> = rt
        .block_on(client.list_zones())
        .unwrap()
        .into_iter()
        .map(|z| z.metadata.name.to_string())
        .collect();
    names.sort();
    s.wait_for("5 zones");
    assert!(
        String::from_utf8_lossy(&s.raw.lock().unwrap()).contains("\x1b[?1006h"),
        "SGR mouse reports asked for"
    );
    assert!(
        !String::from_utf8_lossy(&s.raw.lock().unwrap()).contains("\x1b[?1003h"),
        "no report for every motion of the pointer"
    );
    // The wheel moves the selection as the arrows do.
    s.keys(&sgr(65, 10, 6, true));
    s.keys("\r");
    s.wait_for("Technical ID");
    s.wait_for(&names[1]);
    s.esc();
    s.wait_for("sorted by name");
    // A click selects (enter opens the one clicked); the zones start on row 4.
    s.keys(&click(10, 4 + 2));
    s.keys("\r");
    s.wait_for("Technical ID");
    assert!(s.screen().contains(&names[2]), "{}", s.screen());
    s.esc();
    s.wait_for("sorted by name");
    // A double-click opens.
    s.keys(&(click(10, 4 + 3) + &click(10, 4 + 3)));
    s.wait_for("Technical ID");
    assert!(s.screen().contains(&names[3]), "{}", s.screen());
    s.esc();
    s.wait_for("sorted by name");
    // A click on a footer hint runs it (the list's footer read once it is
    // whole on screen: the frame may still be arriving).
    let footer_row = |s: &Session| -> String {
        s.parser
            .lock()
            .unwrap()
            .screen()
            .rows(0, 80)
            .nth(23)
            .unwrap_or_default()
    };
    wait_until("the list's footer", || {
        let f = footer_row(&s);
        f.contains("enter open") && f.contains("? help")
    });
    let footer = footer_row(&s);
    let at = footer[..footer.find("? help").unwrap()].chars().count() as u16;
    s.keys(&click(at + 1, 23));
    s.wait_for("Everywhere");
    s.esc();
    s.wait_gone("Everywhere");
    // Mouse reports never become typed text.
    s.keys("/");
    s.wait_for("filter: /");
    s.keys(&sgr(64, 10, 6, true));
    s.keys(&click(10, 5));
    s.keys(&click(at + 1, 23));
    s.type_text("acme");
    s.wait_for("/acme▏  (1 of 5)");
    s.esc();
    s.keys("q");
    assert!(s.wait_exit().success());
    s.assert_restored();
    let raw = String::from_utf8_lossy(&s.raw.lock().unwrap()).into_owned();
    assert!(
        raw.rfind("\x1b[?1006l") > raw.rfind("\x1b[?1006h"),
        "the mouse is given back at quit"
    );

    // `mouse: false` in the config file: pz never asks for the mouse.
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join("pz")).unwrap();
    std::fs::write(home.path().join("pz/config.yaml"), "mouse: false\n").unwrap();
    let mut s = Session::start_in(&sb.base_url(), &[], home);
    s.wait_for("5 zones");
    s.keys("q");
    assert!(s.wait_exit().success());
    assert!(!String::from_utf8_lossy(&s.raw.lock().unwrap()).contains("\x1b[?1000h"));
    drop(s);
    // Nor with --no-mouse.
    let mut s = Session::run_in(
        &sb.base_url(),
        &["--no-mouse"],
        &[],
        tempfile::tempdir().unwrap(),
    );
    s.wait_for("5 zones");
    s.keys("q");
    assert!(s.wait_exit().success());
    assert!(!String::from_utf8_lossy(&s.raw.lock().unwrap()).contains("\x1b[?1000h"));
    rt.block_on(sb.shutdown());
}
