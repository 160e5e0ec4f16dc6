//! The interactive console's runtime: the terminal (always restored), the
//! event loop, and the tasks that run effects and report back.

use std::io::Write;
use std::time::Duration;

use chrono::Utc;
use crossterm::event::{Event, EventStream};
use futures::{FutureExt, StreamExt};
use tokio::sync::mpsc;

use crate::app::{Action, App, Effect, keys};
use crate::backend;
use crate::cli::Cli;
use crate::clipboard;
use crate::effects::{Ctx, Msg, perform, perform_now};

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
        crossterm::terminal::LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}

type Term = ratatui::Terminal<ratatui::backend::CrosstermBackend<std::io::Stdout>>;

/// Raw mode and the alternate screen, undone by [`restore_terminal`].
fn init_terminal() -> std::io::Result<Term> {
    crossterm::terminal::enable_raw_mode()?;
    let entered = crossterm::execute!(std::io::stdout(), crossterm::terminal::EnterAlternateScreen);
    let terminal = entered.and_then(|()| {
        ratatui::Terminal::new(ratatui::backend::CrosstermBackend::new(std::io::stdout()))
    });
    if terminal.is_err() {
        restore_terminal();
    }
    terminal
}

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
    let mut terminal = init_terminal()?;
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
    let mut ctx = Ctx::new(backend.client.clone(), clipboard, paths.draft_file());
    ctx.clear_after = clear_after;
    // Also on the sandbox: `:ctx NAME` may switch to a Console.
    ctx.reconnect = Some(crate::effects::Reconnector {
        paths: paths.clone(),
        read_only: cli.read_only,
    });

    let result = event_loop(&mut terminal, app, &ctx).await;
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

async fn event_loop(terminal: &mut Term, mut app: App, ctx: &Ctx) -> anyhow::Result<()> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let mut events = EventStream::new();
    // Four ticks a second while something animates, one otherwise: idle
    // costs next to nothing.
    let mut next_tick = tokio::time::Instant::now();
    let mut signals = Signals::new()?;
    let size = terminal.size()?;
    app.update(Action::Resize(size.width, size.height));
    let mut dirty = true;
    // Printing plainly (`o`/`O`): no frame until a key ends it.
    let mut plain = false;
    loop {
        // A terminal that hung up ends pz even if no SIGHUP reached it: a
        // hung-up tty keeps reporting itself readable with nothing to read,
        // which would otherwise spin this loop.
        if crossterm::terminal::size().is_err() {
            return Ok(());
        }
        if dirty && !plain {
            terminal.draw(|f| crate::ui::render(f, &app))?;
            app.update(Action::Drawn(Utc::now()));
            // A seam for the end-to-end test of the panic path (debug builds only).
            #[cfg(debug_assertions)]
            if app.loaded && std::env::var_os("PZ_DEBUG_PANIC").is_some() {
                panic!("deliberate panic (PZ_DEBUG_PANIC)");
            }
        }
        if app.quit {
            return Ok(());
        }
        tokio::select! {
            event = events.next() => {
                match event {
                    Some(Ok(Event::Key(k))) if plain => {
                        if k.kind == crossterm::event::KeyEventKind::Press {
                            plain_out_end(terminal)?;
                            plain = false;
                            dirty = true;
                        }
                        continue;
                    }
                    Some(Ok(_)) if plain => continue,
                    Some(Ok(ev)) => handle_event(&mut app, ev, ctx, &tx),
                    // The terminal is gone (e.g. a dropped SSH session).
                    Some(Err(_)) | None => return Ok(()),
                }
                // Keys that arrived in the same burst are handled before
                // the next frame: a modal opened by the first never sees
                // the rest as typed into it.
                for _ in 0..1024 {
                    match events.next().now_or_never() {
                        Some(Some(Ok(ev))) => handle_event(&mut app, ev, ctx, &tx),
                        Some(Some(Err(_)) | None) => return Ok(()),
                        None => break,
                    }
                }
                dirty = true;
            }
            Some(msg) = rx.recv() => {
                match msg {
                    Msg::Action(action) => {
                        app.now = Utc::now();
                        let effects = app.update(action);
                        run_effects(effects, ctx, &tx);
                    }
                    Msg::Terminal(bytes) => {
                        tracing::debug!("terminal bytes");
                        let mut out = std::io::stdout();
                        out.write_all(&bytes)?;
                        out.flush()?;
                    }
                    Msg::PlainOut(text) => {
                        plain_out(&text)?;
                        plain = true;
                    }
                }
                dirty = true;
            }
            _ = tokio::time::sleep_until(next_tick) => {
                let effects = app.update(Action::Tick(Utc::now()));
                let period = if app.animating() { 250 } else { 1000 };
                next_tick = tokio::time::Instant::now() + Duration::from_millis(period);
                dirty = true;
                run_effects(effects, ctx, &tx);
            }
            _ = signals.next() => return Ok(()),
        }
    }
}

fn handle_event(app: &mut App, event: Event, ctx: &Ctx, tx: &mpsc::UnboundedSender<Msg>) {
    app.now = Utc::now();
    let action = match event {
        Event::Key(key) => keys::action_for(app, key),
        Event::Resize(w, h) => Some(Action::Resize(w, h)),
        _ => None,
    };
    if let Some(action) = action {
        let effects = app.update(action);
        run_effects(effects, ctx, tx);
    }
}

/// `o`/`O`: leaves the alternate screen and prints `text` on the normal
/// screen (a secret as one unbroken line the terminal wraps softly, so a
/// triple-click or tmux's copy mode takes it whole). The loop then draws
/// nothing until a key, and [`plain_out_end`] erases it.
fn plain_out(text: &crate::secret::Secret) -> std::io::Result<()> {
    let mut out = std::io::stdout();
    crossterm::execute!(out, crossterm::terminal::LeaveAlternateScreen)?;
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
/// goes back to the console's drawing.
fn plain_out_end(terminal: &mut Term) -> std::io::Result<()> {
    let mut out = std::io::stdout();
    write!(out, "\x1b[2J\x1b[3J\x1b[H")?;
    out.flush()?;
    crossterm::execute!(out, crossterm::terminal::EnterAlternateScreen)?;
    terminal.clear()
}

/// Starts a task per effect; each reports back with messages.
fn run_effects(effects: Vec<Effect>, ctx: &Ctx, tx: &mpsc::UnboundedSender<Msg>) {
    for effect in effects {
        let effect = match perform_now(effect, ctx) {
            Ok(msgs) => {
                for msg in msgs {
                    let _ = tx.send(msg);
                }
                continue;
            }
            Err(effect) => effect,
        };
        let mut ctx = ctx.clone();
        ctx.progress = Some(tx.clone());
        let tx = tx.clone();
        tokio::spawn(async move {
            for msg in perform(effect, &ctx).await {
                let _ = tx.send(msg);
            }
        });
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
