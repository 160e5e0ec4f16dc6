//! The console's loop, one way: terminal event → action → `App::update` →
//! effects (in tasks, reporting back with messages) → render. Generic over
//! the drawing backend, the event source and the [`Host`] (the clock, the
//! raw terminal, signals), so that the program (`tui`, on crossterm) and the
//! tests (`tests/common/harness.rs`, on ratatui's `TestBackend`) run the
//! very same loop.

use std::time::Duration;

use chrono::{DateTime, Utc};
use crossterm::event::{Event, KeyEventKind};
use futures::{FutureExt, Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc;

use crate::app::editor::EditAction;
use crate::app::{Action, App, Effect, keys};
use crate::effects::{Ctx, Msg, perform, perform_now};
use crate::secret::Secret;

/// What the loop needs of the place it runs in.
pub trait Host {
    /// The time now (tests: a clock they move).
    fn now(&self) -> DateTime<Utc>;
    /// Whether the terminal is still there (a hung-up tty is not).
    fn alive(&mut self) -> bool {
        true
    }
    /// Bytes for the terminal itself (OSC 52), between frames.
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<()>;
    /// Leaves the drawing and prints `text` plainly (`o`/`O`).
    fn plain_out(&mut self, text: &Secret) -> std::io::Result<()>;
    /// Erases the plain text; the loop then redraws everything.
    fn plain_end(&mut self) -> std::io::Result<()>;
    /// Runs the user's editor on `file` with the terminal restored to the
    /// state a shell leaves it in, and takes it back afterwards (the loop
    /// then redraws everything). One clear line when the editor cannot run.
    fn edit(&mut self, file: &std::path::Path) -> Result<(), String>;
    /// Resolves when the session must end (SIGTERM, SIGHUP).
    fn stopped(&mut self) -> impl std::future::Future<Output = ()> + Send;
    /// A frame was drawn; `idle` when no effect is still running (tests
    /// read the screen and the state here).
    fn drawn(&mut self, _app: &App, _frame: &ratatui::buffer::Buffer, _idle: bool) {}
    /// The last effect ended and nothing changed on screen since the last
    /// frame: the console is idle as drawn.
    fn idle(&mut self) {}
}

/// Where terminal events come from. An editor takes the terminal over
/// (`E`): meanwhile nothing may read it, or the editor's first keys would
/// be lost to pz.
pub trait Events: Stream<Item = std::io::Result<Event>> + Unpin {
    /// Stops reading the terminal.
    fn pause(&mut self) {}
    /// Reads it again.
    fn resume(&mut self) {}
}

/// Scripted events (the tests' harness): nothing to pause.
impl Events for futures::channel::mpsc::UnboundedReceiver<std::io::Result<Event>> {}

/// Runs the console until it quits, the terminal goes, or the host stops
/// it; returns the final state.
pub async fn run<B, E, H>(
    terminal: &mut Terminal<B>,
    events: &mut E,
    host: &mut H,
    mut app: App,
    ctx: &Ctx,
) -> anyhow::Result<App>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
    E: Events,
    H: Host,
{
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    // Four ticks a second while something animates, one otherwise: idle
    // costs next to nothing.
    let mut next_tick = tokio::time::Instant::now();
    let size = terminal.size()?;
    app.update(Action::Resize(size.width, size.height));
    let mut dirty = true;
    // What the clock alone changes on the last frame drawn (ui::clock).
    let mut drawn_face = None;
    // Printing plainly (`o`/`O`): no frame until a key ends it.
    let mut plain = false;
    // Effects running in tasks; each ends with `Msg::EffectDone`.
    // The first tick's (the zone list's request) leave before the loop's
    // first frame is drawn, not after it.
    let effects = app.update(Action::Tick(host.now()));
    let mut running = run_effects(effects, ctx, &tx);
    loop {
        if !host.alive() {
            return Ok(app);
        }
        if dirty && !plain {
            let frame = terminal.draw(|f| crate::ui::render(f, &app))?;
            host.drawn(&app, frame.buffer, running == 0);
            app.update(Action::Drawn(host.now()));
            drawn_face = crate::ui::clock::face(&app);
            // A seam for the end-to-end test of the panic path (debug builds only).
            #[cfg(debug_assertions)]
            if app.loaded && std::env::var_os("PZ_DEBUG_PANIC").is_some() {
                panic!("deliberate panic (PZ_DEBUG_PANIC)");
            }
            dirty = false;
        }
        if app.quit {
            return Ok(app);
        }
        tokio::select! {
            event = events.next() => {
                match event {
                    Some(Ok(Event::Key(k))) if plain => {
                        input_read();
                        if k.kind == KeyEventKind::Press {
                            host.plain_end()?;
                            redraw_all(terminal);
                            plain = false;
                            dirty = true;
                        }
                        continue;
                    }
                    Some(Ok(_)) if plain => continue,
                    // Releases and the like: nothing to do, nothing to draw.
                    Some(Ok(Event::Mouse(m))) if !crate::ui::mouse::wanted(&m) => continue,
                    Some(Ok(ev)) => running += handle(&mut app, ev, host.now(), ctx, &tx),
                    // The terminal is gone (e.g. a dropped SSH session).
                    Some(Err(_)) | None => return Ok(app),
                }
                // Keys that arrived in the same burst are handled before
                // the next frame: a modal opened by the first never sees
                // the rest as typed into it.
                for _ in 0..1024 {
                    match events.next().now_or_never() {
                        Some(Some(Ok(ev))) => running += handle(&mut app, ev, host.now(), ctx, &tx),
                        Some(Some(Err(_)) | None) => return Ok(app),
                        None => break,
                    }
                }
                dirty = true;
            }
            Some(msg) = rx.recv() => {
                match msg {
                    Msg::Action(action) => {
                        app.now = host.now();
                        match &action {
                            Action::ZonesLoaded(Ok(zones)) => {
                                tracing::debug!(target: "pz::events", zones = zones.len(), "zones loaded");
                            }
                            // Never the secret: that one arrived.
                            Action::CredentialsDone(_, Ok(_)) => {
                                tracing::debug!(target: "pz::events", "secret arrived");
                            }
                            _ => {}
                        }
                        let effects = app.update(action);
                        running += run_effects(effects, ctx, &tx);
                    }
                    Msg::Terminal(bytes) => {
                        tracing::debug!("terminal bytes");
                        host.write(&bytes)?;
                    }
                    Msg::PlainOut(text) => {
                        host.plain_out(&text)?;
                        plain = true;
                    }
                    Msg::Editor(session) => {
                        events.pause();
                        let ran = host.edit(&session.file);
                        events.resume();
                        redraw_all(terminal);
                        let result = ran.and_then(|()| session.read());
                        app.now = host.now();
                        let effects = app.update(Action::Edit(EditAction::Edited(session, result)));
                        running += run_effects(effects, ctx, &tx);
                    }
                    // Nothing on screen changed (the answer came as its
                    // own message, and was drawn).
                    Msg::EffectDone => {
                        running = running.saturating_sub(1);
                        if running == 0 {
                            host.idle();
                        }
                        continue;
                    }
                }
                dirty = true;
            }
            _ = tokio::time::sleep_until(next_tick) => {
                let effects = app.update(Action::Tick(host.now()));
                let period = if app.animating() { 250 } else { 1000 };
                next_tick = tokio::time::Instant::now() + Duration::from_millis(period);
                // Drawn again only when the clock changed something on
                // screen: an idle list is not redrawn every second.
                dirty |= crate::ui::clock::changed(&drawn_face, &crate::ui::clock::face(&app));
                running += run_effects(effects, ctx, &tx);
            }
            () = host.stopped() => return Ok(app),
        }
    }
}

/// The next frame is drawn in full: the host left the screen blank (after
/// plain text, after an editor), whatever it showed meanwhile. (ratatui's
/// `clear` would ask the terminal where its cursor is, and wait for an
/// answer some terminals never give.)
fn redraw_all<B: Backend>(terminal: &mut Terminal<B>) {
    // Resets the buffer the next frame is compared with.
    terminal.swap_buffers();
}

/// Notes that a key was read, never what it was (`PZ_LOG=pz::events=debug`):
/// the pty and terminal tests wait for it before the next keystroke.
fn input_read() {
    tracing::debug!(target: "pz::events", "key read");
}

/// One terminal event; returns how many effect tasks it started.
fn handle(
    app: &mut App,
    event: Event,
    now: DateTime<Utc>,
    ctx: &Ctx,
    tx: &mpsc::UnboundedSender<Msg>,
) -> usize {
    app.now = now;
    let action = match event {
        Event::Key(key) => {
            input_read();
            keys::action_for(app, key)
        }
        Event::Resize(w, h) => Some(Action::Resize(w, h)),
        Event::Mouse(m) if crate::ui::mouse::wanted(&m) => {
            // Counted with the keys (the pty tests wait for it).
            input_read();
            crate::ui::mouse::action_for(app, m)
        }
        _ => None,
    };
    match action {
        Some(action) => {
            let effects = app.update(action);
            run_effects(effects, ctx, tx)
        }
        None => 0,
    }
}

/// Starts a task per effect; each reports back with messages and ends
/// with `Msg::EffectDone`. Returns how many tasks it started.
fn run_effects(effects: Vec<Effect>, ctx: &Ctx, tx: &mpsc::UnboundedSender<Msg>) -> usize {
    let mut started = 0;
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
        started += 1;
        tokio::spawn(async move {
            for msg in perform(effect, &ctx).await {
                let _ = tx.send(msg);
            }
            let _ = tx.send(Msg::EffectDone);
        });
    }
    started
}
