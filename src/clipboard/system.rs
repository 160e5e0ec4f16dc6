//! The system clipboard (X11, or Wayland through data-control, as arboard
//! picks by `WAYLAND_DISPLAY`/`DISPLAY`), held by one owner for the life of
//! pz. On X11 and Wayland a copied text lives only as long as the program
//! that owns it: a clipboard created, set and dropped is empty at once when
//! no clipboard manager takes it over. So one thread keeps one
//! `arboard::Clipboard`, and at quit hands it to a clipboard manager (if
//! one runs) within a bounded time.

use std::sync::OnceLock;
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::{Duration, Instant};

/// How long a call to the owner may take before pz gives up on it.
const CALL: Duration = Duration::from_secs(3);

/// A text's fingerprint: what the owner remembers of a secret to clear it
/// later, instead of the secret.
pub type Digest = [u8; 32];

pub fn digest(text: &str) -> Digest {
    let d = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

enum Cmd {
    /// Set the text (kept out of clipboard managers' history when secret);
    /// answers whether reading it back gave the same text.
    Set {
        text: String,
        secret: bool,
        reply: Sender<Result<bool, String>>,
    },
    /// Empty the clipboard if it still holds the text of this digest;
    /// answers whether it did.
    ClearIfStill(Digest, Sender<Result<bool, String>>),
    /// The text pz last set and when, if the clipboard still holds it.
    StillHeld(Sender<Result<Option<(String, Instant)>, String>>),
    /// Drop the clipboard (arboard hands it to a clipboard manager).
    Release(Sender<()>),
}

static OWNER: OnceLock<Sender<Cmd>> = OnceLock::new();

fn owner() -> Result<&'static Sender<Cmd>, String> {
    if let Some(tx) = OWNER.get() {
        return Ok(tx);
    }
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("clipboard".into())
        .spawn(move || serve(rx))
        .map_err(|e| format!("cannot start the clipboard thread: {e}"))?;
    Ok(OWNER.get_or_init(|| tx))
}

fn describe(e: arboard::Error) -> String {
    match e {
        arboard::Error::ClipboardNotSupported => "no clipboard on this system".into(),
        arboard::Error::ClipboardOccupied => "the clipboard is busy".into(),
        other => other.to_string(),
    }
}

fn serve(rx: Receiver<Cmd>) {
    use arboard::SetExtLinux;
    let mut board: Option<arboard::Clipboard> = None;
    // What was set last, to know whether the clipboard still holds it.
    let mut last: Option<(Digest, Instant)> = None;
    for cmd in rx {
        match cmd {
            Cmd::Set {
                text,
                secret,
                reply,
            } => {
                if board.is_none() {
                    match arboard::Clipboard::new() {
                        Ok(b) => board = Some(b),
                        Err(e) => {
                            let _ = reply.send(Err(describe(e)));
                            continue;
                        }
                    }
                }
                let Some(b) = board.as_mut() else { continue };
                let mut set = b.set();
                if secret {
                    set = set.exclude_from_history();
                }
                let result = set.text(text.as_str()).map_err(describe).map(|()| {
                    // Read back through the display server: the only proof
                    // that another program can paste it.
                    b.get_text().is_ok_and(|back| back == text)
                });
                if result.is_err() {
                    // A display that went away: start afresh next time.
                    board = None;
                }
                last = Some((digest(&text), Instant::now()));
                let _ = reply.send(result);
            }
            Cmd::ClearIfStill(wanted, reply) => {
                let result = match board.as_mut() {
                    None => Ok(false),
                    Some(b) => match b.get_text() {
                        Ok(now) if digest(&now) == wanted => {
                            b.set_text("").map(|()| true).map_err(describe)
                        }
                        Ok(_) | Err(arboard::Error::ContentNotAvailable) => Ok(false),
                        Err(e) => Err(describe(e)),
                    },
                };
                let _ = reply.send(result);
            }
            Cmd::StillHeld(reply) => {
                let held = match (board.as_mut(), last) {
                    (Some(b), Some((wanted, at))) => b
                        .get_text()
                        .ok()
                        .filter(|now| digest(now) == wanted)
                        .map(|text| (text, at)),
                    _ => None,
                };
                let _ = reply.send(Ok(held));
            }
            Cmd::Release(done) => {
                drop(board.take());
                let _ = done.send(());
            }
        }
    }
}

fn call<T>(make: impl FnOnce(Sender<Result<T, String>>) -> Cmd) -> Result<T, String> {
    let (tx, rx) = mpsc::channel();
    owner()?
        .send(make(tx))
        .map_err(|_| "the clipboard thread is gone".to_string())?;
    rx.recv_timeout(CALL)
        .map_err(|_| "the system clipboard did not answer".to_string())?
}

/// Puts `text` on the system clipboard and keeps it there while pz runs.
/// `Ok(true)` when reading it back gave the same text. Blocking.
pub fn set(text: &str, secret: bool) -> Result<bool, String> {
    let text = text.to_string();
    call(|reply| Cmd::Set {
        text,
        secret,
        reply,
    })
}

/// Empties the system clipboard if it still holds the text of `wanted`
/// (never what the user copied since). Blocking.
pub fn clear_if_still(wanted: Digest) -> Result<bool, String> {
    call(|reply| Cmd::ClearIfStill(wanted, reply))
}

/// The text pz last put on the clipboard, if it is still there (not
/// cleared, not replaced by the user since). Blocking.
pub fn still_held() -> Option<(String, Instant)> {
    OWNER.get()?;
    call(Cmd::StillHeld).ok().flatten()
}

/// At quit: lets go of the clipboard, so a clipboard manager can take the
/// text over; waits at most `bound`.
pub fn release(bound: Duration) {
    let Some(tx) = OWNER.get() else { return };
    let (done, wait) = mpsc::channel();
    if tx.send(Cmd::Release(done)).is_ok() {
        let _ = wait.recv_timeout(bound);
    }
}

/// The hidden subcommand that keeps a text on the clipboard after pz quit.
pub const KEEPER: &str = "__clipboard-keeper";

/// At quit: hands what pz still holds to a small process of its own (`pz
/// __clipboard-keeper`), which serves it until someone copies something
/// else or, for a secret, until it is due to be cleared. Without it the
/// text would go with pz when no clipboard manager runs. Returns whether a
/// keeper took it. Blocking, about 300 ms.
pub fn hand_to_keeper(clear_after: Option<Duration>) -> bool {
    use std::io::Write;
    let Some((text, set_at)) = still_held() else {
        return false;
    };
    let secs = match clear_after {
        Some(after) => after.saturating_sub(set_at.elapsed()).as_secs().max(1),
        None => 0,
    };
    let Ok(exe) = std::env::current_exe() else {
        return false;
    };
    let mut cmd = std::process::Command::new(exe);
    crate::process::scrub(&mut cmd)
        .args([KEEPER, &secs.to_string()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    #[cfg(unix)]
    {
        // Its own process group: not hung up with the terminal's.
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let Ok(mut child) = cmd.spawn() else {
        return false;
    };
    let written = child
        .stdin
        .take()
        .is_some_and(|mut stdin| stdin.write_all(text.as_bytes()).is_ok());
    if !written {
        let _ = child.kill();
        return false;
    }
    // Give it the time to take the selection before pz lets go of its own.
    std::thread::sleep(Duration::from_millis(300));
    true
}

/// `pz __clipboard-keeper SECS`: puts standard input on the clipboard and
/// serves it until replaced, or for SECS seconds (0: no limit) after which
/// it empties the clipboard if it still holds the text.
pub fn keep(secs: u64) -> Result<(), String> {
    use arboard::SetExtLinux;
    use std::io::Read;
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| e.to_string())?;
    let mut board = arboard::Clipboard::new().map_err(describe)?;
    let mut set = board.set().exclude_from_history();
    if secs > 0 {
        set = set.wait_until(Instant::now() + Duration::from_secs(secs));
    } else {
        set = set.wait();
    }
    set.text(text.as_str()).map_err(describe)?;
    if secs > 0 && board.get_text().is_ok_and(|now| now == text) {
        board.set_text("").map_err(describe)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_tell_texts_apart() {
        assert_eq!(digest("a"), digest("a"));
        assert_ne!(digest("a"), digest("b"));
    }
}
