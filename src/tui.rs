//! The interactive console on a real terminal: set up (the first frame
//! before any connection), always restored (quit, panic, signals, a lost
//! terminal), and the host of the `event_loop`.

use std::io::Write;
use std::time::Duration;

use chrono::Utc;
use crossterm::event::EventStream;

use crate::app::{Action, App};
use crate::backend;
use crate::cli::Cli;
use crate::clipboard;
use crate::effects::Ctx;

use crate::config::{ConfigFile, Paths, Target, resolve_target};
use crate::theme::Theme;

/// Puts the terminal back: raw mode off, main screen, cursor shown.
/// Safe to call more than once, and when the terminal is gone (a dropped
/// SSH session): every error is ignored, nothing is printed. (ratatui's own
/// `restore` prints its errors, which panics when stderr is gone.)
pub fn restore_terminal() {
    let _ = crossterm::terminal::disable_raw_mode();
    let _ = crossterm::execute!(
        std::io::stdout(),
        crossterm::event::DisableMouseCapture,
        crossterm::terminal::LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}

/// Raw mode, the alternate screen (cleared) and, if wanted, the mouse.
fn take_terminal(mouse: bool) -> std::io::Result<()> {
    crossterm::terminal::enable_raw_mode()?;
    crossterm::execute!(
        std::io::stdout(),
        crossterm::terminal::EnterAlternateScreen,
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All),
        crossterm::cursor::Hide
    )?;
    if mouse {
        crossterm::execute!(std::io::stdout(), MouseClicks)?;
    }
    Ok(())
}

/// The mouse reports pz reads: presses, releases and the wheel (1000), in
/// SGR form (1006). Not crossterm's `EnableMouseCapture`, which also asks
/// for every motion (1003) and drag (1002): a report per cell the pointer
/// crosses, for nothing pz uses. [`restore_terminal`] turns all of them off.
struct MouseClicks;

impl crossterm::Command for MouseClicks {
    fn write_ansi(&self, f: &mut impl std::fmt::Write) -> std::fmt::Result {
        f.write_str("\x1b[?1000h\x1b[?1006h")
    }
}

/// A frame goes out in one write: stdout's own buffer is a line of 1 KiB,
/// which cut a full 120x40 frame into eight writes (and as many packets
/// over SSH). ratatui flushes at the end of every frame.
type Term =
    ratatui::Terminal<ratatui::backend::CrosstermBackend<std::io::BufWriter<std::io::Stdout>>>;

const FRAME_BUFFER: usize = 64 * 1024;

/// Raw mode and the alternate screen, undone by [`restore_terminal`].
fn init_terminal(mouse: bool) -> std::io::Result<Term> {
    let entered = take_terminal(mouse);
    let terminal = entered.and_then(|()| {
        ratatui::Terminal::new(ratatui::backend::CrosstermBackend::new(
            std::io::BufWriter::with_capacity(FRAME_BUFFER, std::io::stdout()),
        ))
    });
    if terminal.is_err() {
        restore_terminal();
    }
    terminal
}

/// On any thread: the terminal back, then the message on the main screen.
/// Release builds abort right after (Cargo.toml's `panic = "abort"`), so
/// a panicking task never leaves the console running on a restored
/// terminal; no core is written (process::harden).
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        tracing::error!("panic: {info}");
        restore_terminal();
        // The message comes after the restore, on the main screen.
        previous(info);
    }));
}

/// The console with its first frame on screen, before any connection.
pub struct Started {
    terminal: Term,
    app: App,
    target: Target,
    paths: Paths,
    clipboard: clipboard::Plan,
    clear_after: Option<Duration>,
    mouse: bool,
}

/// Reads the configuration, takes the terminal and draws the first frame,
/// before the async runtime, the HTTP client, its certificates or the
/// in-process sandbox exist: the header says where pz is connecting.
pub fn start(cli: &Cli) -> anyhow::Result<Started> {
    let paths = Paths::from_env();
    let file = ConfigFile::load(&paths.config_file)?;
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme = Theme::choose(cli.theme.as_deref(), file.theme.as_deref(), no_color)?;
    let mode: clipboard::Mode = cli
        .clipboard
        .as_deref()
        .or(file.clipboard.as_deref())
        .unwrap_or("auto")
        .parse()
        .map_err(anyhow::Error::msg)?;
    let plan = clipboard::plan(mode, &clipboard::Env::current());
    let clear_secs = cli
        .clipboard_clear
        .or(file.clipboard_clear_secs)
        .unwrap_or(clipboard::CLEAR_AFTER_SECS);
    let clear_after = (clear_secs > 0).then(|| Duration::from_secs(clear_secs));
    let target = resolve_target(&file, cli.context.as_deref(), &|k| std::env::var(k).ok())?;
    // The first frame comes before the HTTP client, its certificates and the
    // in-process sandbox: the header says where pz is connecting meanwhile.
    let mut app = App::new(theme, provisional(&target, cli.read_only), Utc::now());
    if let Some(w) = crate::config::key_file_warning(&paths.config_file, &file) {
        app.set_status(crate::app::status::Origin::Config, w);
    }
    install_panic_hook();
    let mouse = !cli.no_mouse && file.mouse.unwrap_or(true);
    let mut terminal = init_terminal(mouse)?;
    let size = terminal.size()?;
    app.update(Action::Resize(size.width, size.height));
    terminal.draw(|f| crate::ui::render(f, &app))?;
    Ok(Started {
        terminal,
        app,
        target,
        paths,
        clipboard: plan,
        clear_after,
        mouse,
    })
}

/// Connects and runs the console until the user quits or the session ends.
pub async fn run(cli: &Cli, started: Started) -> anyhow::Result<()> {
    let Started {
        mut terminal,
        mut app,
        target,
        paths,
        clipboard,
        clear_after,
        mouse,
    } = started;
    let backend = match backend::connect(target, &paths).await {
        Ok(b) => b,
        Err(e) => {
            restore_terminal();
            std::mem::forget(terminal);
            return Err(e);
        }
    };
    app.connection = backend.info(cli.read_only);
    tracing::info!(console = %app.connection.label, read_only = app.connection.read_only, "console start");
    match crate::effects::load_draft(&paths.draft_file()) {
        Ok(d) => app.draft = d,
        Err(set_aside) => {
            tracing::warn!("{}", set_aside.message());
            app.toast(crate::app::ToastKind::Failure, set_aside.message());
        }
    }
    if let Some(d) = &app.draft {
        let name = d.value(crate::app::wizard::Field::Name);
        app.toast(
            crate::app::ToastKind::Info,
            format!("A draft zone '{name}' was saved: press n to resume it"),
        );
        app.toasts
            .iter_mut()
            .for_each(|t| t.until += chrono::Duration::seconds(30));
    }
    offer_unfinished(&mut app, &paths);
    let mut ctx = Ctx::new(backend.client.clone(), clipboard, paths.draft_file());
    ctx.clear_after = clear_after;
    // Also on the sandbox: `:ctx NAME` may switch to a Console.
    ctx.reconnect = Some(crate::effects::Reconnector {
        read_only: cli.read_only,
    });
    ctx.paths = Some(paths.clone());

    let result = match Signals::new() {
        Ok(signals) => {
            let mut host = TerminalHost { signals, mouse };
            let mut events = TerminalEvents(Some(EventStream::new()));
            crate::event_loop::run(&mut terminal, &mut events, &mut host, app, &ctx)
                .await
                .map(|_| ())
        }
        Err(e) => Err(e.into()),
    };
    restore_terminal();
    // Blocking (the display server, a child process): off the async threads.
    let (plan, clear_after) = (ctx.clipboard, ctx.clear_after);
    let _ =
        tokio::task::spawn_blocking(move || clipboard::hand_over_at_quit(plan, clear_after)).await;
    tracing::info!("console stop");
    // ratatui's Terminal prints to stderr when it cannot show the cursor on
    // drop, and printing to a terminal that is gone (a dropped SSH session)
    // panics. The cursor is already shown by restore_terminal: skip the drop.
    std::mem::forget(terminal);
    if let Some(s) = backend.sandbox {
        s.shutdown().await;
    }
    result
}

/// A rotation that did not finish (pz killed, the session dropped) is
/// offered at start: finish it or put the zone back (one at a time; the
/// others are named).
fn offer_unfinished(app: &mut App, paths: &Paths) {
    let mut found = Vec::new();
    for r in crate::rotation::unfinished(paths) {
        match r {
            Ok(r) => found.push(crate::app::rotation::Unfinished {
                zone: r.name().to_string(),
                account: r.account,
            }),
            Err(e) => app.toast(crate::app::ToastKind::Failure, e),
        }
    }
    if found.len() > 1 {
        let others: Vec<_> = found[1..].iter().map(|u| u.zone.as_str()).collect();
        app.toast(
            crate::app::ToastKind::Info,
            format!(
                "Also unfinished: rotations of {} (pz rotate NAME --resume)",
                others.join(", ")
            ),
        );
    }
    if let Some(first) = found.into_iter().next() {
        if app.connection.read_only {
            app.toast(
                crate::app::ToastKind::Failure,
                format!(
                    "A rotation of {} did not finish; this key may only read",
                    first.zone
                ),
            );
        } else {
            app.overlay = Some(crate::app::Overlay::Unfinished(first));
        }
    }
}

/// What the header shows before the connection is made.
fn provisional(target: &Target, read_only: bool) -> crate::api::ConnectionInfo {
    match target {
        Target::Console {
            connection,
            context,
            read_only: ctx_read_only,
        } => crate::api::ConnectionInfo {
            label: backend::label(&connection.base_url, context.as_deref(), false),
            read_only: read_only || *ctx_read_only,
            base_url: connection.base_url.clone(),
            context: context.clone(),
            ..Default::default()
        },
        Target::Sandbox => crate::api::ConnectionInfo {
            label: "sandbox (starting)".into(),
            sandbox: true,
            read_only,
            ..Default::default()
        },
    }
}

/// `o`/`O`: leaves the alternate screen and prints `text` on the normal
/// screen (a secret as one unbroken line the terminal wraps softly, so a
/// triple-click or tmux's copy mode takes it whole). The loop then draws
/// nothing until a key, and [`plain_out_end`] erases it (and takes the
/// mouse back).
fn plain_out(text: &crate::secret::Secret) -> std::io::Result<()> {
    let mut out = std::io::stdout();
    // The mouse is the terminal's again: a triple-click selects.
    crossterm::execute!(
        out,
        crossterm::event::DisableMouseCapture,
        crossterm::terminal::LeaveAlternateScreen
    )?;
    // Raw mode: a line ends with CR LF. The text is pz's own (a secret the
    // sandbox or Console issued, or the properties built from it), but it
    // still goes through the sanitiser: no control reaches the terminal.
    let body: Vec<String> = text
        .expose()
        .lines()
        .map(|l| crate::sanitize::line(l).into_owned())
        .collect();
    write!(
        out,
        "\x1b[2J\x1b[H{}\r\n\r\n(pz) Select the text above (a triple-click, or tmux copy mode). Any key erases it and returns.\r\n",
        body.join("\r\n")
    )?;
    out.flush()
}

/// Erases the screen and, where the terminal allows, its scrollback, then
/// goes back to the alternate screen (the loop redraws everything).
fn plain_out_end(mouse: bool) -> std::io::Result<()> {
    let mut out = std::io::stdout();
    write!(out, "\x1b[2J\x1b[3J\x1b[H")?;
    out.flush()?;
    crossterm::execute!(out, crossterm::terminal::EnterAlternateScreen)?;
    if mouse {
        crossterm::execute!(out, MouseClicks)?;
    }
    Ok(())
}

/// The real terminal as the loop's host: the system clock, stdout for
/// raw bytes, and the signals that end a session.
struct TerminalHost {
    signals: Signals,
    /// Whether pz reads the mouse (taken again after an editor).
    mouse: bool,
}

impl crate::event_loop::Host for TerminalHost {
    fn now(&self) -> chrono::DateTime<Utc> {
        Utc::now()
    }

    /// A terminal that hung up ends pz even if no SIGHUP reached it: a
    /// hung-up tty keeps reporting itself readable with nothing to read,
    /// which would otherwise spin the loop.
    fn alive(&mut self) -> bool {
        crossterm::terminal::size().is_ok()
    }

    fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        let mut out = std::io::stdout();
        out.write_all(bytes)?;
        out.flush()
    }

    fn plain_out(&mut self, text: &crate::secret::Secret) -> std::io::Result<()> {
        plain_out(text)
    }

    fn plain_end(&mut self) -> std::io::Result<()> {
        plain_out_end(self.mouse)
    }

    fn edit(&mut self, file: &std::path::Path) -> Result<(), String> {
        restore_terminal();
        let ran = crate::editing::run_editor(file);
        let back = take_terminal(self.mouse);
        match (ran, back) {
            (ran, Ok(())) => ran,
            (_, Err(e)) => Err(format!("cannot take the terminal back: {e}")),
        }
    }

    fn stopped(&mut self) -> impl std::future::Future<Output = ()> + Send {
        self.signals.next()
    }
}

/// The terminal's events; paused (crossterm's reader stopped by dropping
/// its stream) while an editor has the terminal.
struct TerminalEvents(Option<EventStream>);

impl futures::Stream for TerminalEvents {
    type Item = std::io::Result<crossterm::event::Event>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        match &mut self.0 {
            Some(stream) => std::pin::Pin::new(stream).poll_next(cx),
            None => std::task::Poll::Pending,
        }
    }
}

impl crate::event_loop::Events for TerminalEvents {
    fn pause(&mut self) {
        self.0 = None;
    }

    fn resume(&mut self) {
        self.0 = Some(EventStream::new());
    }
}

/// SIGTERM and SIGHUP (a dropped SSH session) end the loop, so the
/// terminal is restored on the way out.
struct Signals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    hup: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> std::io::Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Signals {
                term: signal(SignalKind::terminate())?,
                hup: signal(SignalKind::hangup())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    async fn next(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.hup.recv() => {}
        }
        #[cfg(not(unix))]
        std::future::pending::<()>().await
    }
}
