//! Copying a secret so that it reaches the partner from any terminal: the
//! system clipboard (held for pz's life, `system`), and the terminal's own
//! clipboard through OSC 52 (`terminal`), through tmux or GNU screen when
//! pz runs inside them. What is used depends on the mode and on where pz
//! runs ([`plan`]); the toast says which ways were used and whether any
//! could be confirmed ([`Copied::summary`]).

pub mod system;
pub mod terminal;

/// Seconds after which a copied secret leaves the system clipboard, unless
/// configured otherwise.
pub const CLEAR_AFTER_SECS: u64 = 60;

use crate::secret::Secret;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Auto,
    System,
    Osc52,
    Off,
}

impl std::str::FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Mode, String> {
        match s {
            "auto" => Ok(Mode::Auto),
            "system" => Ok(Mode::System),
            "osc52" => Ok(Mode::Osc52),
            "off" => Ok(Mode::Off),
            other => Err(format!(
                "clipboard mode '{other}': use auto, system, osc52 or off"
            )),
        }
    }
}

/// What the environment says about where pz runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Env {
    pub display: bool,
    pub wayland: bool,
    pub ssh: bool,
    pub tmux: bool,
    pub screen: bool,
}

impl Env {
    pub fn from(var: &dyn Fn(&str) -> Option<String>) -> Env {
        let set = |k: &str| var(k).is_some_and(|v| !v.is_empty());
        Env {
            display: set("DISPLAY"),
            wayland: set("WAYLAND_DISPLAY"),
            ssh: set("SSH_TTY") || set("SSH_CONNECTION"),
            tmux: set("TMUX"),
            screen: set("STY"),
        }
    }

    pub fn current() -> Env {
        Env::from(&|k| std::env::var(k).ok())
    }
}

/// How the terminal is reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Terminal {
    /// OSC 52 written to the terminal.
    Osc52,
    /// OSC 52 wrapped in DCS for GNU screen.
    Screen,
    /// `tmux load-buffer -w -` (a paste buffer, and the outer terminal
    /// through tmux's own OSC 52).
    Tmux,
}

/// The ways a copy takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Plan {
    /// The system clipboard (X11/Wayland).
    pub system: bool,
    /// The terminal, also.
    pub terminal: Option<Terminal>,
    /// The terminal, only if the system clipboard fails.
    pub fallback: Option<Terminal>,
}

impl Plan {
    /// OSC 52 only (tests, and `--clipboard osc52` outside tmux/screen).
    pub fn osc52() -> Plan {
        Plan {
            terminal: Some(Terminal::Osc52),
            ..Plan::default()
        }
    }
}

/// Picks the ways for a mode in an environment.
///
/// `auto` on a local desktop (a display, no SSH) uses both the system
/// clipboard, which pz holds while it runs, and the terminal, whose copy
/// outlives pz; over SSH a display variable is usually a forwarded X server
/// nobody looks at, so only the terminal. `system` uses only the system
/// clipboard (the terminal if it fails), `osc52` only the terminal.
pub fn plan(mode: Mode, env: &Env) -> Plan {
    let terminal = if env.tmux {
        Terminal::Tmux
    } else if env.screen {
        Terminal::Screen
    } else {
        Terminal::Osc52
    };
    let local_desktop = (env.display || env.wayland) && !env.ssh;
    match mode {
        Mode::Off => Plan::default(),
        Mode::System => Plan {
            system: true,
            terminal: None,
            fallback: Some(terminal),
        },
        Mode::Osc52 => Plan {
            terminal: Some(terminal),
            ..Plan::default()
        },
        Mode::Auto if local_desktop => Plan {
            system: true,
            terminal: Some(terminal),
            fallback: None,
        },
        Mode::Auto => Plan {
            terminal: Some(terminal),
            ..Plan::default()
        },
    }
}

/// One way a copy took.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Way {
    System,
    Tmux,
    /// tmux's DCS passthrough, when `load-buffer` failed.
    TmuxPassthrough,
    Osc52,
    Screen,
}

impl Way {
    fn name(self) -> &'static str {
        match self {
            Way::System => "system clipboard",
            Way::Tmux => "tmux buffer (and the terminal, through tmux)",
            Way::TmuxPassthrough => "terminal (OSC 52 through tmux)",
            Way::Osc52 => "terminal (OSC 52)",
            Way::Screen => "terminal (OSC 52 through screen)",
        }
    }
}

/// How a way went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// The text is known to be there (read back, or tmux took it).
    Confirmed,
    /// Sent; the terminal does not answer, so nobody knows.
    Sent,
    Failed(String),
}

/// What a copy did: each way and how it went, and the bytes the caller must
/// write to the terminal between frames.
#[derive(Debug, Default)]
pub struct Copied {
    pub ways: Vec<(Way, Status)>,
    pub terminal_bytes: Option<Vec<u8>>,
}

/// The toast for a copy: whether it could be confirmed, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub confirmed: bool,
    pub text: String,
}

impl Copied {
    /// Whether the system clipboard holds the text (so clearing it later
    /// makes sense).
    pub fn system_holds(&self) -> bool {
        self.ways.contains(&(Way::System, Status::Confirmed))
    }

    /// Names every way used; says plainly when none could be confirmed.
    /// `clear_in`: seconds until the system clipboard is cleared.
    pub fn summary(&self, what: &str, clear_in: Option<u64>) -> Summary {
        let names = |want: &dyn Fn(&Status) -> bool| -> Vec<&str> {
            self.ways
                .iter()
                .filter(|(_, s)| want(s))
                .map(|(w, _)| w.name())
                .collect()
        };
        let confirmed = names(&|s| *s == Status::Confirmed);
        let sent = names(&|s| *s == Status::Sent);
        let failed: Vec<String> = self
            .ways
            .iter()
            .filter_map(|(w, s)| match s {
                Status::Failed(e) => Some(format!("{}: {e}", w.name())),
                _ => None,
            })
            .collect();
        let mut text = if !confirmed.is_empty() {
            let ways: Vec<String> = confirmed
                .iter()
                .map(|w| format!("{w} ✓"))
                .chain(sent.iter().map(|w| w.to_string()))
                .collect();
            format!("Copied {what}: {}", ways.join(" + "))
        } else if !sent.is_empty() {
            format!(
                "Sent {what} to the {}, unconfirmed: paste to check",
                sent.join(" and ")
            )
        } else if failed.is_empty() {
            format!("Could not copy {what}: the clipboard is off (--clipboard off)")
        } else {
            format!("Could not copy {what}")
        };
        if !failed.is_empty() {
            text.push_str(&format!(" ({})", failed.join("; ")));
        }
        if let Some(secs) = clear_in
            && self.system_holds()
        {
            text.push_str(&format!(" · clears in {secs} s"));
        }
        Summary {
            confirmed: !confirmed.is_empty(),
            text,
        }
    }
}

/// At quit: what pz holds on the system clipboard goes to its keeper
/// process, or else to the terminal (which outlives pz); then pz lets go,
/// so a clipboard manager can take it. Bounded: a quit never waits more
/// than about a second. Blocking.
pub fn hand_over_at_quit(plan: Plan, clear_after: Option<std::time::Duration>) {
    use std::io::Write;
    use std::time::Duration;
    if !system::hand_to_keeper(clear_after)
        && let Some(bytes) = hand_to_terminal(plan)
    {
        let mut out = std::io::stdout();
        let _ = out.write_all(&bytes).and_then(|()| out.flush());
        // Let the terminal take the selection before pz's own lets go.
        std::thread::sleep(Duration::from_millis(200));
    }
    system::release(Duration::from_secs(1));
}

/// At quit, when both the system clipboard and the terminal are used: the
/// terminal is asked again to take what pz still holds. On X11 a selection
/// goes to the newest request, and the terminal's first OSC 52 lost to pz's
/// own (later) ownership; asked now, with the quit key's time, the terminal
/// becomes the owner and keeps the text after pz is gone. Returns bytes to
/// write to the terminal (none for tmux, done here), or None when there was
/// nothing to hand over. Blocking.
fn hand_to_terminal(plan: Plan) -> Option<Vec<u8>> {
    let terminal = plan.terminal.filter(|_| plan.system)?;
    let (text, _) = system::still_held()?;
    match terminal {
        Terminal::Osc52 => Some(terminal::osc52(&text).into_bytes()),
        Terminal::Screen => Some(terminal::osc52_screen(&text).into_bytes()),
        Terminal::Tmux => terminal::tmux_load_buffer(&text).ok().map(|()| Vec::new()),
    }
}

/// Copies `text` the planned ways. `secret`: kept out of clipboard
/// managers' history. Blocking (the display server, tmux): run it off the
/// UI thread.
pub fn copy(text: &Secret, plan: Plan, secret: bool) -> Copied {
    let value = text.expose();
    let mut copied = Copied::default();
    let mut terminal = plan.terminal;
    if plan.system {
        let status = match system::set(value, secret) {
            Ok(true) => Status::Confirmed,
            Ok(false) => Status::Failed("it did not read back the same".into()),
            Err(e) => Status::Failed(e),
        };
        if status != Status::Confirmed {
            tracing::info!("system clipboard: {status:?}");
            terminal = terminal.or(plan.fallback);
        }
        copied.ways.push((Way::System, status));
    }
    match terminal {
        None => {}
        Some(Terminal::Tmux) => match terminal::tmux_load_buffer(value) {
            Ok(()) => copied.ways.push((Way::Tmux, Status::Confirmed)),
            Err(e) => {
                tracing::info!("tmux load-buffer failed ({e}); using DCS passthrough");
                copied.ways.push((Way::TmuxPassthrough, Status::Sent));
                copied.terminal_bytes = Some(terminal::osc52_tmux(value).into_bytes());
            }
        },
        Some(Terminal::Osc52) => {
            copied.ways.push((Way::Osc52, Status::Sent));
            copied.terminal_bytes = Some(terminal::osc52(value).into_bytes());
        }
        Some(Terminal::Screen) => {
            copied.ways.push((Way::Screen, Status::Sent));
            copied.terminal_bytes = Some(terminal::osc52_screen(value).into_bytes());
        }
    }
    copied
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(display: bool, wayland: bool, ssh: bool, tmux: bool, screen: bool) -> Env {
        Env {
            display,
            wayland,
            ssh,
            tmux,
            screen,
        }
    }

    const X11: Env = Env {
        display: true,
        wayland: false,
        ssh: false,
        tmux: false,
        screen: false,
    };

    fn p(system: bool, terminal: Option<Terminal>, fallback: Option<Terminal>) -> Plan {
        Plan {
            system,
            terminal,
            fallback,
        }
    }

    #[test]
    fn the_ways_for_each_mode_and_place() {
        use Terminal::*;
        let x11 = X11;
        let wayland = env(false, true, false, false, false);
        let ssh = env(true, false, true, false, false);
        let bare_ssh = env(false, false, true, false, false);
        let tmux_local = env(true, false, false, true, false);
        let tmux_ssh = env(false, false, true, true, false);
        let screen_ssh = env(false, false, true, false, true);
        let console = env(false, false, false, false, false);
        let cases = [
            // auto: a local desktop gets both; elsewhere the terminal.
            (Mode::Auto, &x11, p(true, Some(Osc52), None)),
            (Mode::Auto, &wayland, p(true, Some(Osc52), None)),
            (Mode::Auto, &ssh, p(false, Some(Osc52), None)),
            (Mode::Auto, &bare_ssh, p(false, Some(Osc52), None)),
            (Mode::Auto, &tmux_local, p(true, Some(Tmux), None)),
            (Mode::Auto, &tmux_ssh, p(false, Some(Tmux), None)),
            (Mode::Auto, &screen_ssh, p(false, Some(Screen), None)),
            (Mode::Auto, &console, p(false, Some(Osc52), None)),
            // system: only the system clipboard, the terminal if it fails.
            (Mode::System, &x11, p(true, None, Some(Osc52))),
            (Mode::System, &wayland, p(true, None, Some(Osc52))),
            (Mode::System, &ssh, p(true, None, Some(Osc52))),
            (Mode::System, &tmux_ssh, p(true, None, Some(Tmux))),
            (Mode::System, &screen_ssh, p(true, None, Some(Screen))),
            // osc52: only the terminal, however it is reached.
            (Mode::Osc52, &x11, p(false, Some(Osc52), None)),
            (Mode::Osc52, &wayland, p(false, Some(Osc52), None)),
            (Mode::Osc52, &ssh, p(false, Some(Osc52), None)),
            (Mode::Osc52, &tmux_local, p(false, Some(Tmux), None)),
            (Mode::Osc52, &screen_ssh, p(false, Some(Screen), None)),
        ];
        for (mode, e, want) in cases {
            assert_eq!(plan(mode, e), want, "{mode:?} {e:?}");
        }
        for e in [&x11, &wayland, &ssh, &tmux_ssh, &screen_ssh] {
            assert_eq!(plan(Mode::Off, e), Plan::default());
        }
    }

    fn copied(ways: &[(Way, Status)]) -> Copied {
        Copied {
            ways: ways.to_vec(),
            terminal_bytes: None,
        }
    }

    #[test]
    fn the_toast_names_every_way_and_what_is_unconfirmed() {
        use Status::*;
        // auto on a local desktop.
        let s =
            copied(&[(Way::System, Confirmed), (Way::Osc52, Sent)]).summary("the secret", Some(60));
        assert!(s.confirmed);
        assert_eq!(
            s.text,
            "Copied the secret: system clipboard ✓ + terminal (OSC 52) · clears in 60 s"
        );
        // SSH: only the terminal, which never answers.
        let s = copied(&[(Way::Osc52, Sent)]).summary("the secret", Some(60));
        assert!(!s.confirmed);
        assert_eq!(
            s.text,
            "Sent the secret to the terminal (OSC 52), unconfirmed: paste to check"
        );
        // tmux.
        let s = copied(&[(Way::Tmux, Confirmed)]).summary("the secret", Some(60));
        assert!(s.confirmed);
        assert_eq!(
            s.text,
            "Copied the secret: tmux buffer (and the terminal, through tmux) ✓"
        );
        assert!(!s.text.contains("clears"), "tmux cannot be cleared");
        // screen.
        let s = copied(&[(Way::Screen, Sent)]).summary("config.properties", None);
        assert!(s.text.contains("through screen), unconfirmed") && !s.confirmed);
        // system chosen, no display: the terminal took over, and it says so.
        let s = copied(&[
            (Way::System, Failed("no clipboard on this system".into())),
            (Way::Osc52, Sent),
        ])
        .summary("the secret", Some(60));
        assert!(!s.confirmed);
        assert_eq!(
            s.text,
            "Sent the secret to the terminal (OSC 52), unconfirmed: paste to check (system clipboard: no clipboard on this system)"
        );
        // off.
        let s = copied(&[]).summary("the secret", Some(60));
        assert_eq!(
            s.text,
            "Could not copy the secret: the clipboard is off (--clipboard off)"
        );
    }

    #[test]
    fn copying_to_the_terminal_gives_the_bytes() {
        let c = copy(&Secret::new("s3cret"), Plan::osc52(), true);
        assert_eq!(c.ways, [(Way::Osc52, Status::Sent)]);
        assert_eq!(
            c.terminal_bytes.unwrap(),
            terminal::osc52("s3cret").into_bytes()
        );
        let c = copy(
            &Secret::new("s3cret"),
            Plan {
                terminal: Some(Terminal::Screen),
                ..Plan::default()
            },
            true,
        );
        assert_eq!(
            c.terminal_bytes.unwrap(),
            terminal::osc52_screen("s3cret").into_bytes()
        );
        assert!(
            copy(&Secret::new("x"), Plan::default(), true)
                .ways
                .is_empty()
        );
    }

    #[test]
    fn env_detection() {
        let e = Env::from(&|k| match k {
            "SSH_CONNECTION" => Some("1.2.3.4 5 6.7.8.9 22".into()),
            "TMUX" => Some("/tmp/tmux-0/default,1,0".into()),
            "DISPLAY" => Some(String::new()),
            _ => None,
        });
        assert_eq!(
            e,
            Env {
                ssh: true,
                tmux: true,
                ..Env::default()
            }
        );
    }
}
