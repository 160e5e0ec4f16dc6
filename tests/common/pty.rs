//! The real `pz` binary on a pseudo-terminal: start it, type, read the
//! screen (vt100) and the raw bytes it wrote. Every wait is for a condition
//! (text on screen, a key logged as read by pz, the output ended), bounded
//! by `PZ_TEST_TIMEOUT_SECS`; none is a fixed sleep.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, MasterPty, PtySize, native_pty_system};

use super::KEY;

pub struct Session {
    pub master: Box<dyn MasterPty + Send>,
    pub writer: Box<dyn Write + Send>,
    pub child: Box<dyn portable_pty::Child + Send + Sync>,
    pub raw: Arc<Mutex<Vec<u8>>>,
    pub parser: Arc<Mutex<vt100::Parser>>,
    pub home: Option<tempfile::TempDir>,
    /// The reader saw the end of the output (pz and its children are gone).
    pub ended: Arc<std::sync::atomic::AtomicBool>,
    /// One console in a pty at a time per test binary (see [`one_at_a_time`]).
    _turn: Option<std::sync::MutexGuard<'static, ()>>,
}

static TURN: Mutex<()> = Mutex::new(());

thread_local! {
    static HELD: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The pty tests are timed by a person's pace (keystrokes, Esc alone):
/// with the harness's and the sandbox's tests beside them on two cores they
/// were starved, so a test binary runs one pty console at a time (a test
/// holding one already may start another).
fn one_at_a_time() -> Option<std::sync::MutexGuard<'static, ()>> {
    HELD.with(|h| {
        h.set(h.get() + 1);
        (h.get() == 1).then(|| TURN.lock().unwrap_or_else(|p| p.into_inner()))
    })
}

/// A failing test must not leave a console running behind it.
impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.kill();
        HELD.with(|h| h.set(h.get().saturating_sub(1)));
    }
}

/// `pz` on a new 80x24 pty against `base`, with its files under `home`
/// and none of the caller's terminal or clipboard variables.
pub fn spawn_console(
    base: &str,
    extra_env: &[(&str, &str)],
    home: &std::path::Path,
) -> (
    portable_pty::PtyPair,
    Box<dyn portable_pty::Child + Send + Sync>,
) {
    spawn_pz(base, &[], extra_env, home)
}

/// `pz ARGS` on a new 80x24 pty, as [`spawn_console`].
pub fn spawn_pz(
    base: &str,
    args: &[&str],
    extra_env: &[(&str, &str)],
    home: &std::path::Path,
) -> (
    portable_pty::PtyPair,
    Box<dyn portable_pty::Child + Send + Sync>,
) {
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("a pty");
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_pz"));
    cmd.args(args);
    cmd.env("CDK_BASE_URL", base);
    cmd.env("CDK_API_KEY", KEY);
    cmd.env("TERM", "xterm-256color");
    // Each key read is logged (never what it was): `keys` waits for it.
    cmd.env("PZ_LOG", "info,pz::events=debug");
    for var in ["XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"] {
        cmd.env(var, home);
    }
    for var in ["TMUX", "STY", "DISPLAY", "WAYLAND_DISPLAY", "NO_COLOR"] {
        cmd.env_remove(var);
    }
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let child = pty.slave.spawn_command(cmd).expect("pz starts");
    (pty, child)
}

impl Session {
    pub fn start(base: &str, extra_env: &[(&str, &str)]) -> Session {
        Session::start_in(base, extra_env, tempfile::tempdir().unwrap())
    }

    pub fn start_in(base: &str, extra_env: &[(&str, &str)], home: tempfile::TempDir) -> Session {
        Session::run_in(base, &[], extra_env, home)
    }

    /// `pz ARGS` (a subcommand) in a pty.
    pub fn run_in(
        base: &str,
        args: &[&str],
        extra_env: &[(&str, &str)],
        home: tempfile::TempDir,
    ) -> Session {
        let turn = one_at_a_time();
        let (pty, child) = spawn_pz(base, args, extra_env, home.path());
        drop(pty.slave);
        let ended = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut reader = pty.master.try_clone_reader().unwrap();
        let writer = pty.master.take_writer().unwrap();
        let raw = Arc::new(Mutex::new(Vec::new()));
        let parser = Arc::new(Mutex::new(vt100::Parser::new(24, 80, 0)));
        let (r, p, e) = (raw.clone(), parser.clone(), ended.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                r.lock().unwrap().extend_from_slice(&buf[..n]);
                p.lock().unwrap().process(&buf[..n]);
            }
            e.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        Session {
            master: pty.master,
            writer,
            child,
            raw,
            parser,
            home: Some(home),
            ended,
            _turn: turn,
        }
    }

    pub fn home(&self) -> &std::path::Path {
        self.home.as_ref().expect("a home").path()
    }

    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    pub fn wait_for(&self, text: &str) {
        self.wait_within(text, super::harness::timeout().as_secs());
    }

    pub fn wait_within(&self, text: &str, secs: u64) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            if self.screen().contains(text) {
                return;
            }
            std::thread::sleep(Duration::from_millis(30));
        }
        panic!("{text:?} never appeared on screen:\n{}", self.screen());
    }

    /// Types one key (or one escape sequence) and waits until pz has read
    /// it, so that each keystroke is its own read as when a person types
    /// (an Esc read with the next key would be alt+key).
    pub fn keys(&mut self, bytes: &str) {
        let before = self.keys_read();
        self.writer.write_all(bytes.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        let deadline = Instant::now() + super::harness::timeout();
        while self.keys_read() <= before {
            if self.child.try_wait().ok().flatten().is_some() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "pz never read {bytes:?}:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// How many keys pz has logged as read.
    fn keys_read(&self) -> usize {
        let log = self.home.as_ref().map(|h| h.path().join("pz/pz.log"));
        log.and_then(|p| std::fs::read_to_string(p).ok())
            .map_or(0, |t| t.matches("key read").count())
    }

    /// Waits until `text` is no longer on screen (e.g. a modal closed).
    pub fn wait_gone(&self, text: &str) {
        let deadline = Instant::now() + super::harness::timeout();
        while Instant::now() < deadline {
            if !self.screen().contains(text) {
                return;
            }
            std::thread::sleep(Duration::from_millis(30));
        }
        panic!("{text:?} stayed on screen:\n{}", self.screen());
    }

    /// Esc alone: the next key goes only once pz has read it.
    pub fn esc(&mut self) {
        self.keys("\x1b");
    }

    pub fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + super::harness::timeout();
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                // The reader drains the last bytes until the output ends
                // (a keeper process left behind may hold it open: bounded).
                let drained = Instant::now() + Duration::from_secs(2);
                while !self.ended.load(std::sync::atomic::Ordering::SeqCst)
                    && Instant::now() < drained
                {
                    std::thread::sleep(Duration::from_millis(5));
                }
                return status;
            }
            std::thread::sleep(Duration::from_millis(30));
        }
        let _ = self.child.kill();
        panic!("pz did not exit:\n{}", self.screen());
    }

    /// The terminal is back on the main screen in cooked mode.
    pub fn assert_restored(&self) {
        let raw = self.raw.lock().unwrap();
        let text = String::from_utf8_lossy(&raw);
        let entered = text
            .rfind("\x1b[?1049h")
            .expect("pz used the alternate screen");
        let left = text
            .rfind("\x1b[?1049l")
            .expect("pz left the alternate screen");
        assert!(
            left > entered,
            "the last alternate-screen switch is back to the main screen"
        );
        assert!(!self.parser.lock().unwrap().screen().alternate_screen());
        let cursor_shown = text.rfind("\x1b[?25h").expect("cursor shown again");
        assert!(cursor_shown > entered);
        let termios = self.master.get_termios().expect("termios of the pty");
        use nix::sys::termios::LocalFlags;
        assert!(
            termios
                .local_flags
                .contains(LocalFlags::ICANON | LocalFlags::ECHO),
            "raw mode was left on: {:?}",
            termios.local_flags
        );
    }
}

impl Session {
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.keys(&c.to_string());
        }
    }

    /// Presses `key` every `pause` until `done` is on screen.
    pub fn retry_until(&mut self, key: &str, done: &str, tries: usize) -> usize {
        for attempt in 0..tries {
            if self.screen().contains(done) {
                return attempt;
            }
            self.keys(key);
            let deadline = Instant::now() + Duration::from_millis(2500);
            while Instant::now() < deadline && !self.screen().contains(done) {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        panic!(
            "{done:?} never appeared after {tries} tries:\n{}",
            self.screen()
        );
    }
}
