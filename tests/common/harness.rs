//! The console's own event loop (`pz::event_loop::run`, the program's) on
//! ratatui's `TestBackend`: keys go in as terminal events, the screen and
//! the state come out at every frame. Against an in-process sandbox with
//! its own state directory, a seeded fault rate and a clock the test moves.
//! Every wait is for a condition, bounded by `PZ_TEST_TIMEOUT_SECS`
//! (default 15 s).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use pz::api::{Client, ConnectionInfo};
use pz::app::{App, Screen, Wizard};
use pz::sandbox::{RunningSandbox, SandboxOptions};
use pz::secret::Secret;

/// How long a wait may take before the test fails.
pub fn timeout() -> Duration {
    let secs = std::env::var("PZ_TEST_TIMEOUT_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(15);
    Duration::from_secs(secs)
}

/// The fault seed: `PZ_TEST_SEED` to replay, else a random one; printed
/// either way (cargo shows it when the test fails).
pub fn seed() -> u64 {
    let seed = std::env::var("PZ_TEST_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(rand::random);
    println!("fault seed {seed} (replay: PZ_TEST_SEED={seed})");
    seed
}

/// What the last frame showed.
#[derive(Default)]
pub struct Seen {
    pub screen: String,
    pub frames: u64,
    /// No effect was running when it was drawn.
    pub idle: bool,
    pub view: Option<Screen>,
    pub status: Option<String>,
    pub toasts: Vec<String>,
    /// The Console generation the console detected.
    pub generation: Option<pz::api::Generation>,
    /// The modal or view over the screen (delete, credentials, …).
    pub overlay: Option<pz::app::Overlay>,
    /// Whether the zones have loaded once.
    pub loaded: bool,
}

struct TestHost {
    clock: Arc<Mutex<DateTime<Utc>>>,
    seen: Arc<Mutex<Seen>>,
    written: Arc<Mutex<Vec<u8>>>,
}

impl pz::event_loop::Host for TestHost {
    fn now(&self) -> DateTime<Utc> {
        *self.clock.lock().unwrap()
    }

    fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.written.lock().unwrap().extend_from_slice(bytes);
        Ok(())
    }

    fn plain_out(&mut self, text: &Secret) -> std::io::Result<()> {
        self.written
            .lock()
            .unwrap()
            .extend_from_slice(text.expose().as_bytes());
        Ok(())
    }

    fn plain_end(&mut self) -> std::io::Result<()> {
        Ok(())
    }

    fn edit(&mut self, file: &std::path::Path) -> Result<(), String> {
        pz::editing::run_editor(file)
    }

    fn stopped(&mut self) -> impl std::future::Future<Output = ()> + Send {
        std::future::pending()
    }

    fn idle(&mut self) {
        self.seen.lock().unwrap().idle = true;
    }

    fn drawn(&mut self, app: &App, frame: &ratatui::buffer::Buffer, idle: bool) {
        let mut text = String::new();
        for y in 0..frame.area.height {
            let line: String = (0..frame.area.width)
                .map(|x| frame[(x, y)].symbol().to_string())
                .collect();
            text.push_str(line.trim_end());
            text.push('\n');
        }
        let mut seen = self.seen.lock().unwrap();
        seen.screen = text;
        seen.frames += 1;
        seen.idle = idle;
        seen.view = Some(app.screen.clone());
        seen.status = app.status_text().map(str::to_string);
        seen.toasts = app.toasts.iter().map(|t| t.text.clone()).collect();
        seen.generation = app.connection.generation;
        seen.overlay = app.overlay.clone();
        seen.loaded = app.loaded;
    }
}

/// The console running its real loop in a task.
pub struct Harness {
    events: futures::channel::mpsc::UnboundedSender<std::io::Result<Event>>,
    seen: Arc<Mutex<Seen>>,
    pub clock: Arc<Mutex<DateTime<Utc>>>,
    pub written: Arc<Mutex<Vec<u8>>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<App>>>,
    /// The sandbox it talks to (none for a test's own double).
    pub sandbox: Option<RunningSandbox>,
    pub client: Client,
    pub dir: tempfile::TempDir,
    /// Keys pressed that were not typed text.
    pub presses: usize,
}

impl Harness {
    /// The console at `size` on a sandbox started with `opts` (its state
    /// and the console's draft under a new temporary directory).
    pub async fn start(mut opts: SandboxOptions, size: (u16, u16)) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        opts.state = Some(dir.path().join("state.json"));
        if opts.fail_rate > 0.0 && opts.fail_seed.is_none() {
            opts.fail_seed = Some(seed());
        }
        let (sandbox, _) = super::start(opts).await;
        let h = Harness::start_on(&sandbox.base_url(), size, dir, Some(sandbox)).await;
        h.until(|s| s.idle && s.screen.contains("zones")).await;
        h
    }

    /// The console at `size` on a Console double at `base` (the test's own
    /// server); nothing is awaited.
    pub async fn on(base: &str, size: (u16, u16)) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        Harness::start_on(base, size, dir, None).await
    }

    async fn start_on(
        base: &str,
        size: (u16, u16),
        dir: tempfile::TempDir,
        sandbox: Option<RunningSandbox>,
    ) -> Harness {
        let client = super::client_for(base, super::KEY);
        let connection = ConnectionInfo {
            label: format!("sandbox {base}"),
            sandbox: sandbox.is_some(),
            base_url: base.to_string(),
            ..Default::default()
        };
        let clock = Arc::new(Mutex::new(Utc::now()));
        let app = App::new(
            pz::theme::Theme::default(),
            connection,
            *clock.lock().unwrap(),
        );
        let mut ctx = pz::effects::Ctx::new(
            client.clone(),
            pz::clipboard::Plan::osc52(),
            dir.path().join("draft.json"),
        );
        ctx.reconnect = Some(pz::effects::Reconnector { read_only: false });
        ctx.paths = Some(pz::config::Paths {
            config_file: dir.path().join("config.yaml"),
            data_dir: dir.path().join("data"),
            state_dir: dir.path().join("state"),
        });
        let (tx, mut rx) = futures::channel::mpsc::unbounded();
        let seen = Arc::new(Mutex::new(Seen::default()));
        let written = Arc::new(Mutex::new(Vec::new()));
        let mut host = TestHost {
            clock: clock.clone(),
            seen: seen.clone(),
            written: written.clone(),
        };
        let task = tokio::spawn(async move {
            let backend = ratatui::backend::TestBackend::new(size.0, size.1);
            let mut terminal = ratatui::Terminal::new(backend)?;
            pz::event_loop::run(&mut terminal, &mut rx, &mut host, app, &ctx).await
        });
        Harness {
            events: tx,
            seen,
            clock,
            written,
            task: Some(task),
            sandbox,
            client,
            dir,
            presses: 0,
        }
    }

    /// Whether `f` holds for the last frame (without waiting).
    pub fn seen(&self, f: impl Fn(&Seen) -> bool) -> bool {
        f(&self.seen.lock().unwrap())
    }

    /// The overlay the last frame showed.
    pub fn overlay(&self) -> Option<pz::app::Overlay> {
        self.seen.lock().unwrap().overlay.clone()
    }

    /// Selects the zone `name` with the list's filter (`/NAME⏎`).
    pub async fn select(&mut self, name: &str) {
        self.key(KeyCode::Char('/')).await;
        self.text(name).await;
        self.key(KeyCode::Enter).await;
    }

    /// What was written to the terminal besides frames (OSC 52), taken.
    pub fn take_written(&self) -> Vec<u8> {
        std::mem::take(&mut *self.written.lock().unwrap())
    }

    /// Waits until `f` holds for the last frame; fails with the screen.
    pub async fn until(&self, f: impl Fn(&Seen) -> bool) {
        let deadline = tokio::time::Instant::now() + timeout();
        loop {
            {
                let seen = self.seen.lock().unwrap();
                if f(&seen) {
                    return;
                }
                if tokio::time::Instant::now() > deadline {
                    panic!("the condition never held; the screen:\n{}", seen.screen);
                }
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    pub async fn wait_for(&self, text: &str) {
        self.until(|s| s.screen.contains(text)).await;
    }

    /// Presses a key and waits until it and everything it started are done.
    pub async fn press(&mut self, code: KeyCode, modifiers: KeyModifiers) {
        self.presses += 1;
        let before = self.seen.lock().unwrap().frames;
        self.events
            .unbounded_send(Ok(Event::Key(KeyEvent::new(code, modifiers))))
            .unwrap();
        self.until(|s| s.frames > before && s.idle).await;
    }

    pub async fn key(&mut self, code: KeyCode) {
        self.press(code, KeyModifiers::NONE).await;
    }

    pub async fn ctrl(&mut self, c: char) {
        self.press(KeyCode::Char(c), KeyModifiers::CONTROL).await;
    }

    /// Typed text does not count as keystrokes.
    pub async fn text(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c)).await;
            self.presses -= 1;
        }
    }

    /// Moves the console's clock.
    pub fn advance(&self, by: Duration) {
        let mut c = self.clock.lock().unwrap();
        *c += chrono::Duration::from_std(by).unwrap();
    }

    pub fn screen(&self) -> String {
        self.seen.lock().unwrap().screen.clone()
    }

    pub fn status(&self) -> Option<String> {
        self.seen.lock().unwrap().status.clone()
    }

    /// The screen (list, detail, wizard) the last frame showed.
    pub fn view(&self) -> Screen {
        self.seen
            .lock()
            .unwrap()
            .view
            .clone()
            .expect("a frame was drawn")
    }

    /// The wizard as the last frame showed it.
    pub fn wizard(&self) -> Wizard {
        match &self.seen.lock().unwrap().view {
            Some(Screen::Wizard(w)) => (**w).clone(),
            other => panic!("not in the wizard: {other:?}"),
        }
    }

    /// Quits with ctrl-c (which quits from anywhere, the wizard too) and
    /// returns the final state.
    pub async fn quit(mut self) -> App {
        self.events
            .unbounded_send(Ok(Event::Key(KeyEvent::new(
                KeyCode::Char('c'),
                KeyModifiers::CONTROL,
            ))))
            .unwrap();
        let app = tokio::time::timeout(timeout(), self.task.take().unwrap())
            .await
            .expect("the loop ended")
            .unwrap()
            .unwrap();
        if let Some(sb) = self.sandbox.take() {
            sb.shutdown().await;
        }
        app
    }
}
