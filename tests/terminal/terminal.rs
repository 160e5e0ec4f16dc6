//! Copying a secret in real terminals: pz in an xterm under Xvfb (typed to
//! through XTEST with xdotool, the clipboard read with xclip), and in tmux.
//! No clipboard manager runs, as on a fresh desktop.
//!
//! The programs come from the distribution (`.ci/run` installs them). Where
//! one is missing the test says so and is skipped; with `PZ_REQUIRE_TOOLS=1`
//! (set by `.ci/run` when it could install them) a missing one fails.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn have(programs: &[&str]) -> bool {
    let missing: Vec<&str> = programs
        .iter()
        .copied()
        .filter(|p| {
            Command::new("sh")
                .args(["-c", &format!("command -v {p}")])
                .stdout(Stdio::null())
                .status()
                .map_or(true, |s| !s.success())
        })
        .collect();
    if missing.is_empty() {
        return true;
    }
    let msg = format!(
        "{} not installed here (`.ci/run` installs them)",
        missing.join(", ")
    );
    if std::env::var_os("PZ_REQUIRE_TOOLS").is_some() {
        panic!("{msg}");
    }
    eprintln!("SKIPPED: {msg}");
    false
}

/// Kills the child when dropped (also when a test fails).
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_until(what: &str, within: Duration, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("timed out waiting for {what}");
}

/// An X server of our own (no window manager, no clipboard manager).
struct Display {
    name: String,
    server: Child,
}

impl Drop for Display {
    fn drop(&mut self) {
        // SIGTERM, so Xvfb removes its lock and socket (a killed one leaves
        // them behind).
        let pid = nix::unistd::Pid::from_raw(self.server.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.server.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

impl Display {
    fn start() -> Display {
        use std::io::BufRead;
        // Xvfb picks a free display number itself and writes it on fd 1.
        // `-noreset`: by default it resets when its last client leaves, and
        // an xterm connecting meanwhile fails ("Can't open display"), which
        // a test opening a second xterm after the first met about once in
        // three runs.
        let mut server = Command::new("Xvfb")
            .args([
                "-noreset",
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb starts");
        let mut line = String::new();
        let stdout = server.stdout.take().expect("Xvfb's stdout");
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .expect("Xvfb names its display");
        let n: u32 = line.trim().parse().expect("a display number");
        Display {
            name: format!(":{n}"),
            server,
        }
    }

    fn cmd(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("DISPLAY", &self.name)
            .env_remove("WAYLAND_DISPLAY")
            .stdin(Stdio::null());
        c
    }

    /// The CLIPBOARD selection, or None when nobody owns it.
    fn clipboard(&self) -> Option<String> {
        let out = self
            .cmd("xclip")
            .args(["-o", "-selection", "clipboard"])
            .stderr(Stdio::null())
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Someone else copies `text` (xclip stays as its owner).
    fn copy_as_someone_else(&self, text: &str) {
        use std::io::Write;
        let mut child = self
            .cmd("xclip")
            .args(["-i", "-selection", "clipboard"])
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        child.wait().unwrap();
    }

    /// Types through XTEST into the focused window (xterm ignores synthetic
    /// events sent to a window).
    fn keys(&self, keys: &[&str]) {
        for k in keys {
            let ok = self
                .cmd("xdotool")
                .args(["key", "--delay", "30", k])
                .status()
                .unwrap()
                .success();
            assert!(ok, "xdotool key {k}");
            std::thread::sleep(Duration::from_millis(150));
        }
    }
}

/// A home of pz's own: no Console configured, so pz runs the sandbox
/// in-process, and logs to `state/pz/pz.log`.
struct Home(tempfile::TempDir);

impl Home {
    fn new() -> Home {
        Home(tempfile::tempdir().unwrap())
    }
    fn path(&self) -> &Path {
        self.0.path()
    }
    fn log(&self) -> String {
        std::fs::read_to_string(self.path().join("state/pz/pz.log")).unwrap_or_default()
    }
    /// How many keys pz has logged as read.
    fn keys_read(&self) -> usize {
        self.log().matches("key read").count()
    }
    /// Sends a key with `send` and waits until pz has read it: the next key
    /// is then its own read (an Esc is never taken with it as alt+key, also
    /// through tmux, which holds an Escape for 500 ms).
    fn press(&self, what: &str, send: impl FnOnce()) {
        let before = self.keys_read();
        send();
        wait_until(
            &format!("pz to read {what}"),
            Duration::from_secs(15),
            || self.keys_read() > before,
        );
    }
    fn env(&self) -> Vec<(String, String)> {
        let p = |s: &str| self.path().join(s).display().to_string();
        vec![
            ("HOME".into(), p("")),
            ("XDG_CONFIG_HOME".into(), p("config")),
            ("XDG_STATE_HOME".into(), p("state")),
            ("XDG_DATA_HOME".into(), p("data")),
            // Each key read is logged (never what it was): see `press`.
            ("PZ_LOG".into(), "info,pz::events=debug".into()),
            ("TERM".into(), "xterm-256color".into()),
        ]
    }

    /// Whether `text` is a secret this home's sandbox issued for the zone.
    fn issued(&self, text: &str, zone: &str) -> bool {
        let state = std::fs::read(self.path().join("data/pz/sandbox-state.json")).unwrap();
        let world: pz::sandbox::World = serde_json::from_slice(&state).unwrap();
        pz::sandbox::token::verify(&world.signing_key, text.trim())
            .is_ok_and(|claims| claims.zone == zone)
    }
}

/// What a run in a real terminal showed.
struct Copy {
    while_running: Option<String>,
    after_quit: Option<String>,
    took: Duration,
}

/// pz (or `command`) in an xterm of its own, focused, once pz's console is
/// up. The xterm stays open after pz quits (`-hold`); dropping the result
/// closes it.
fn open_xterm(
    x: &Display,
    home: &Home,
    xterm_resources: &[&str],
    extra_env: &[(&str, &str)],
    command: &[&str],
) -> Proc {
    let title = format!("pz-under-test-{}", home.path().display());
    let mut xterm = x.cmd("xterm");
    xterm.args(["-hold", "-geometry", "120x40", "-T", &title]);
    for r in xterm_resources {
        xterm.args(["-xrm", r]);
    }
    for (k, v) in home.env() {
        xterm.env(k, v);
    }
    for k in ["SSH_TTY", "SSH_CONNECTION", "SSH_CLIENT", "TMUX", "STY"] {
        xterm.env_remove(k);
    }
    for (k, v) in extra_env {
        xterm.env(k, v);
    }
    xterm.arg("-e").args(command);
    let term = Proc(xterm.spawn().expect("xterm starts"));
    // Polled (`--sync` would wait for ever if the window never came).
    let mut wid = String::new();
    wait_until("the xterm window", Duration::from_secs(20), || {
        let out = x
            .cmd("xdotool")
            .args(["search", "--onlyvisible", "--name", &title])
            .output()
            .unwrap();
        wid = String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or_default()
            .to_string();
        !wid.is_empty()
    });
    let focused = x
        .cmd("xdotool")
        .args(["windowfocus", "--sync", &wid])
        .status()
        .unwrap();
    assert!(focused.success());
    wait_until("pz's console", Duration::from_secs(20), || {
        home.log().contains("console start")
    });
    // The window settles (xterm, the X server) before keys are typed into
    // it: without this pause the next xterms were slow to map, on 2 cores.
    std::thread::sleep(Duration::from_millis(1500));
    term
}

/// `c`, `enter` on the first zone: a secret is generated and shown.
fn generate_secret(x: &Display, home: &Home) {
    home.press("c", || x.keys(&["c"]));
    home.press("Return", || x.keys(&["Return"]));
    wait_until("a generated secret", Duration::from_secs(10), || {
        home.log().contains("secret arrived")
    });
}

/// `esc`, then `q` once pz has read the Escape (tmux holds an Escape for
/// 500 ms for a key it could start).
fn quit(x: &Display, home: &Home) {
    home.press("Escape", || x.keys(&["Escape"]));
    x.keys(&["q"]);
}

/// pz in an xterm: `c`, `enter`, `y` on the first zone (acme-logistics),
/// the clipboard read while pz runs, then `q`, and read again (xterm stays
/// open: `-hold`).
fn copy_in_xterm(
    x: &Display,
    home: &Home,
    xterm_resources: &[&str],
    extra_env: &[(&str, &str)],
    command: &[&str],
) -> Copy {
    let _term = open_xterm(x, home, xterm_resources, extra_env, command);
    generate_secret(x, home);
    // Timed from the key itself (not through `keys`, which pauses after).
    let started = Instant::now();
    let typed = x.cmd("xdotool").args(["key", "y"]).status().unwrap();
    assert!(typed.success());
    let mut took = Duration::ZERO;
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut while_running = None;
    while Instant::now() < deadline {
        while_running = x.clipboard();
        if while_running
            .as_deref()
            .is_some_and(|t| home.issued(t, "acme-logistics"))
        {
            took = started.elapsed();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // Still there a moment later (not gone with a dropped owner).
    std::thread::sleep(Duration::from_millis(1000));
    if while_running.is_some() {
        while_running = x.clipboard();
    }
    quit(x, home);
    wait_until("pz to quit", Duration::from_secs(10), || {
        home.log().contains("console stop")
    });
    std::thread::sleep(Duration::from_millis(1500));
    Copy {
        while_running,
        after_quit: x.clipboard(),
        took,
    }
}

const PZ: &str = env!("CARGO_BIN_EXE_pz");
/// An xterm that honours OSC 52 (Debian's default refuses `SetSelection`).
const OSC52_ALLOWED: &str = "XTerm*disallowedWindowOps: 20,21,SetXprop";

fn report(label: &str, c: &Copy, home: &Home) {
    let holds = |t: &Option<String>| {
        t.as_deref()
            .is_some_and(|t| home.issued(t, "acme-logistics"))
    };
    eprintln!(
        "MEASURED {label}: while running {}, after quit {}, y -> clipboard {} ms",
        holds(&c.while_running),
        holds(&c.after_quit),
        c.took.as_millis()
    );
}

#[test]
fn auto_on_a_local_desktop_holds_while_pz_runs_and_after_it_quits() {
    if !have(&["Xvfb", "xterm", "xclip", "xdotool"]) {
        return;
    }
    let x = Display::start();
    // Debian's xterm as installed: it ignores OSC 52, so only pz can serve
    // the paste: its own clipboard while it runs, its keeper after.
    let home = Home::new();
    let c = copy_in_xterm(&x, &home, &[], &[], &[PZ, "--clipboard", "auto"]);
    report("xterm (OSC 52 refused), auto", &c, &home);
    let held = c
        .while_running
        .expect("the clipboard holds something while pz runs");
    assert!(home.issued(&held, "acme-logistics"), "{held}");
    let after = c.after_quit.expect("the keeper holds it after pz quit");
    assert!(home.issued(&after, "acme-logistics"), "{after}");

    // An xterm that takes OSC 52 keeps it after pz quits.
    let home = Home::new();
    let c = copy_in_xterm(
        &x,
        &home,
        &[OSC52_ALLOWED],
        &[],
        &[PZ, "--clipboard", "auto"],
    );
    report("xterm (OSC 52 allowed), auto", &c, &home);
    assert!(
        c.while_running
            .as_deref()
            .is_some_and(|t| home.issued(t, "acme-logistics"))
    );
    let after = c
        .after_quit
        .expect("the clipboard holds the secret after pz quit");
    assert!(home.issued(&after, "acme-logistics"), "{after}");
}

#[test]
fn over_ssh_the_terminal_gets_it_by_osc52() {
    if !have(&["Xvfb", "xterm", "xclip", "xdotool"]) {
        return;
    }
    let x = Display::start();
    let home = Home::new();
    let ssh = [
        ("SSH_TTY", "/dev/pts/7"),
        ("SSH_CONNECTION", "10.0.0.2 50000 10.0.0.1 22"),
    ];
    let c = copy_in_xterm(&x, &home, &[OSC52_ALLOWED], &ssh, &[PZ]);
    report("xterm over SSH, auto (OSC 52)", &c, &home);
    assert!(
        c.while_running
            .as_deref()
            .is_some_and(|t| home.issued(t, "acme-logistics"))
    );
    assert!(
        c.after_quit
            .as_deref()
            .is_some_and(|t| home.issued(t, "acme-logistics"))
    );
}

#[test]
fn inside_tmux_with_default_settings() {
    if !have(&["Xvfb", "xterm", "xclip", "xdotool", "tmux"]) {
        return;
    }
    let x = Display::start();
    let home = Home::new();
    let socket = home.path().join("tmux.sock").display().to_string();
    // Killed when the test ends, passed or not.
    let _server = Tmux {
        socket: socket.clone(),
    };
    // `-f /dev/null`: tmux's defaults, not this machine's configuration.
    let env: Vec<String> = home
        .env()
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let mut command = vec![
        "tmux",
        "-S",
        &socket,
        "-f",
        "/dev/null",
        "new-session",
        "env",
    ];
    command.extend(env.iter().map(String::as_str));
    command.push(PZ);
    let c = copy_in_xterm(&x, &home, &[OSC52_ALLOWED], &[], &command);
    report("xterm + tmux (defaults), auto", &c, &home);
    assert!(
        c.while_running
            .as_deref()
            .is_some_and(|t| home.issued(t, "acme-logistics"))
    );
    assert!(
        c.after_quit
            .as_deref()
            .is_some_and(|t| home.issued(t, "acme-logistics"))
    );
}

#[test]
fn the_secret_is_cleared_after_a_while_but_not_what_was_copied_since() {
    if !have(&["Xvfb", "xterm", "xclip", "xdotool"]) {
        return;
    }
    let x = Display::start();
    let home = Home::new();
    // Cleared: 3 s after the copy the clipboard is empty.
    let run = |home: &Home, between: Option<&str>| -> Option<String> {
        let command = [PZ, "--clipboard-clear", "2"];
        let _term = open_xterm(&x, home, &[OSC52_ALLOWED], &[], &command);
        generate_secret(&x, home);
        x.keys(&["y"]);
        wait_until("the copy", Duration::from_secs(5), || {
            x.clipboard()
                .is_some_and(|t| home.issued(&t, "acme-logistics"))
        });
        let copied = Instant::now();
        if let Some(text) = between {
            x.copy_as_someone_else(text);
        }
        std::thread::sleep(Duration::from_secs(3).saturating_sub(copied.elapsed()));
        let left = x.clipboard();
        quit(&x, home);
        // Closing the xterm while pz is still quitting (handing the
        // clipboard over) left a pz spinning on its lost terminal, which
        // starved the next xterm: wait for pz to be done first.
        wait_until("pz to quit", Duration::from_secs(10), || {
            home.log().contains("console stop")
        });
        left
    };
    let left = run(&home, None);
    assert!(
        left.as_deref().is_none_or(str::is_empty),
        "the secret is still in the clipboard: {left:?}"
    );
    let home = Home::new();
    let left = run(&home, Some("the user's own text"));
    assert_eq!(left.as_deref(), Some("the user's own text"));
}

/// tmux as the terminal, driven with send-keys and read with capture-pane.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-S", &self.socket])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-S", &self.socket, "kill-server"])
            .status();
    }
}

#[test]
fn o_prints_the_secret_as_one_line_then_erases_it() {
    if !have(&["tmux"]) {
        return;
    }
    let home = Home::new();
    let tmux = Tmux {
        socket: home.path().join("tmux.sock").display().to_string(),
    };
    let mut command = String::from("env");
    for (k, v) in home.env() {
        command.push_str(&format!(" {k}={v}"));
    }
    // SSH: OSC 52 only, no display involved.
    command.push_str(&format!(" SSH_TTY=/dev/pts/3 {PZ}"));
    tmux.run(&[
        "-f",
        "/dev/null",
        "new-session",
        "-d",
        "-x",
        "80",
        "-y",
        "24",
        &command,
    ]);
    wait_until("pz's console", Duration::from_secs(20), || {
        home.log().contains("console start")
    });
    // The window settles (xterm, the X server) before keys are typed into
    // it: without this pause the next xterms were slow to map, on 2 cores.
    std::thread::sleep(Duration::from_millis(1500));
    home.press("c", || {
        tmux.run(&["send-keys", "c"]);
    });
    home.press("Enter", || {
        tmux.run(&["send-keys", "Enter"]);
    });
    wait_until("a secret", Duration::from_secs(10), || {
        home.log().contains("secret arrived")
    });
    home.press("o", || {
        tmux.run(&["send-keys", "o"]);
    });
    // The secret alone on a logical line (-J joins what the terminal wrapped).
    let mut secret = None;
    wait_until("the secret printed plainly", Duration::from_secs(5), || {
        let screen = tmux.run(&["capture-pane", "-p", "-J"]);
        secret = screen
            .lines()
            .map(str::trim_end)
            .find(|l| home.issued(l, "acme-logistics"))
            .map(str::to_string);
        secret.is_some()
    });
    let secret = secret.unwrap();
    assert!(
        secret.len() > 80,
        "a secret longer than the terminal is wide"
    );
    let unjoined = tmux.run(&["capture-pane", "-p"]);
    assert!(
        !unjoined.lines().any(|l| l.trim_end() == secret),
        "the terminal wrapped it softly (one logical line over several rows)"
    );
    // A key: the console comes back and the secret is gone from the normal
    // screen and its history.
    tmux.run(&["send-keys", "x"]);
    wait_until("the console back", Duration::from_secs(5), || {
        tmux.run(&["capture-pane", "-p"]).contains("Credentials")
    });
    for args in [
        &["capture-pane", "-p", "-J"][..],
        &["capture-pane", "-p", "-J", "-a"][..],
        &["capture-pane", "-p", "-J", "-S", "-", "-E", "-"][..],
    ] {
        let seen = tmux.run(args);
        assert!(!seen.contains(&secret), "{args:?}: {seen}");
    }
    // `O`: config.properties, line by line, with the secret in its JAAS line.
    tmux.run(&["send-keys", "O"]);
    wait_until(
        "config.properties printed plainly",
        Duration::from_secs(5),
        || {
            let screen = tmux.run(&["capture-pane", "-p", "-J"]);
            screen.lines().any(|l| l.starts_with("bootstrap.servers="))
                && screen.lines().any(|l| {
                    l.starts_with("sasl.jaas.config=")
                        && l.trim_end().ends_with(&format!("password='{secret}';"))
                })
        },
    );
    tmux.run(&["send-keys", "x"]);
    wait_until("the console back", Duration::from_secs(5), || {
        tmux.run(&["capture-pane", "-p"]).contains("Credentials")
    });
}
