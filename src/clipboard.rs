//! Copying over SSH: the system clipboard where a display is reachable,
//! otherwise OSC 52 through the terminal; inside tmux through
//! `tmux load-buffer -w -` (a paste buffer, and the outer clipboard via
//! tmux's own OSC 52), wrapped for GNU screen when `STY` says so.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

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

/// The way a copy is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// arboard (X11/Wayland), falling back to the terminal if it fails.
    System,
    /// `tmux load-buffer -w -`.
    Tmux,
    /// OSC 52 written to the terminal.
    Osc52,
    /// OSC 52 wrapped in DCS for GNU screen.
    Osc52Screen,
    Off,
}

impl Method {
    pub fn describe(self) -> &'static str {
        match self {
            Method::System => "the system clipboard",
            Method::Tmux => "tmux (paste buffer and terminal clipboard)",
            Method::Osc52 => "terminal (OSC 52)",
            Method::Osc52Screen => "terminal through screen (OSC 52)",
            Method::Off => "nothing (clipboard off)",
        }
    }
}

/// Picks the method for a mode in an environment.
pub fn choose(mode: Mode, env: &Env) -> Method {
    let terminal = if env.tmux {
        Method::Tmux
    } else if env.screen {
        Method::Osc52Screen
    } else {
        Method::Osc52
    };
    match mode {
        Mode::Off => Method::Off,
        Mode::System => Method::System,
        Mode::Osc52 => terminal,
        // Over SSH a display variable is usually a forwarded X server the
        // user is not looking at: the terminal is the clipboard they see.
        Mode::Auto if env.ssh => terminal,
        Mode::Auto if env.display || env.wayland => Method::System,
        Mode::Auto => terminal,
    }
}

/// The plain OSC 52 sequence for `text` (BEL-terminated, which every
/// terminal that supports OSC 52 accepts).
pub fn osc52(text: &str) -> String {
    format!("\x1b]52;c;{}\x07", STANDARD.encode(text))
}

/// OSC 52 inside tmux's DCS passthrough (needs `allow-passthrough on`);
/// used only when `tmux load-buffer` is not available.
pub fn osc52_tmux(text: &str) -> String {
    format!(
        "\x1bPtmux;{}\x1b\\",
        osc52(text).replace('\x1b', "\x1b\x1b")
    )
}

/// OSC 52 for GNU screen: its DCS strings are limited in length, so the
/// sequence is cut into chunks, each wrapped in `ESC P … ESC \`.
pub fn osc52_screen(text: &str) -> String {
    let seq = osc52(text);
    let mut out = String::with_capacity(seq.len() + seq.len() / 76 * 4 + 8);
    let bytes = seq.as_bytes();
    for chunk in bytes.chunks(76) {
        out.push_str("\x1bP");
        // The sequence is ASCII (base64 and escapes), so chunks are valid UTF-8.
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push_str("\x1b\\");
    }
    out
}

/// The result of a copy: how it went, and bytes the caller must write to
/// the terminal (between frames).
#[derive(Debug)]
pub struct Outcome {
    pub method: Method,
    pub terminal_bytes: Option<Vec<u8>>,
}

/// Copies `text`. Blocking (arboard, tmux): run it off the UI thread.
pub fn copy(text: &Secret, method: Method) -> Result<Outcome, String> {
    let value = text.expose();
    match method {
        Method::Off => Err("the clipboard is off (--clipboard off)".into()),
        Method::System => match arboard::Clipboard::new().and_then(|mut c| c.set_text(value)) {
            Ok(()) => Ok(Outcome {
                method,
                terminal_bytes: None,
            }),
            Err(e) => {
                tracing::info!("system clipboard unavailable ({e}); using OSC 52");
                let env = Env::current();
                let fallback = choose(Mode::Osc52, &env);
                copy(text, fallback)
            }
        },
        Method::Tmux => match tmux_load_buffer(value) {
            Ok(()) => Ok(Outcome {
                method,
                terminal_bytes: None,
            }),
            Err(e) => {
                tracing::info!("tmux load-buffer failed ({e}); using DCS passthrough");
                Ok(Outcome {
                    method: Method::Osc52,
                    terminal_bytes: Some(osc52_tmux(value).into_bytes()),
                })
            }
        },
        Method::Osc52 => Ok(Outcome {
            method,
            terminal_bytes: Some(osc52(value).into_bytes()),
        }),
        Method::Osc52Screen => Ok(Outcome {
            method,
            terminal_bytes: Some(osc52_screen(value).into_bytes()),
        }),
    }
}

fn tmux_load_buffer(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("tmux")
        .args(["load-buffer", "-w", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(text.as_bytes())?;
    }
    let status = child.wait()?;
    if status.success() {
        Ok(())
    } else {
        Err(std::io::Error::other(format!("tmux exited with {status}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJqb2huIn0.c2ln";
    const B64: &str = "ZXlKaGJHY2lPaUpJVXpJMU5pSjkuZXlKemRXSWlPaUpxYjJodUluMC5jMmxu";

    #[test]
    fn osc52_bytes_are_exact() {
        assert_eq!(STANDARD.encode(SECRET), B64);
        assert_eq!(osc52(SECRET), format!("\x1b]52;c;{B64}\x07"));
        assert_eq!(
            osc52_tmux(SECRET),
            format!("\x1bPtmux;\x1b\x1b]52;c;{B64}\x07\x1b\\")
        );
    }

    #[test]
    fn screen_wrapping_chunks_the_sequence() {
        let short = osc52_screen("hi");
        assert_eq!(short, "\x1bP\x1b]52;c;aGk=\x07\x1b\\");
        let long = osc52_screen(&"x".repeat(300));
        let inner: String = long
            .split("\x1b\\")
            .filter(|s| !s.is_empty())
            .map(|s| s.strip_prefix("\x1bP").unwrap())
            .collect();
        assert_eq!(inner, osc52(&"x".repeat(300)));
        assert!(long.split("\x1b\\").all(|c| c.len() <= 78));
    }

    #[test]
    fn the_method_for_each_environment() {
        let env = |display, wayland, ssh, tmux| Env {
            display,
            wayland,
            ssh,
            tmux,
            screen: false,
        };
        // (DISPLAY, WAYLAND_DISPLAY, SSH_TTY, TMUX) -> auto
        let cases = [
            (env(false, false, false, false), Method::Osc52),
            (env(true, false, false, false), Method::System),
            (env(false, true, false, false), Method::System),
            (env(true, true, false, false), Method::System),
            (env(true, false, true, false), Method::Osc52),
            (env(false, false, true, false), Method::Osc52),
            (env(false, false, false, true), Method::Tmux),
            (env(true, false, false, true), Method::System),
            (env(false, false, true, true), Method::Tmux),
            (env(true, true, true, true), Method::Tmux),
        ];
        for (e, want) in cases {
            assert_eq!(choose(Mode::Auto, &e), want, "{e:?}");
        }
        let screen = Env {
            screen: true,
            ssh: true,
            ..Env::default()
        };
        assert_eq!(choose(Mode::Auto, &screen), Method::Osc52Screen);
        assert_eq!(choose(Mode::Off, &screen), Method::Off);
        assert_eq!(choose(Mode::System, &screen), Method::System);
        assert_eq!(
            choose(Mode::Osc52, &env(true, false, false, false)),
            Method::Osc52
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
