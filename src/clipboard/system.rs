//! The system clipboard (X11, or Wayland through data-control, as arboard
//! picks by `WAYLAND_DISPLAY`/`DISPLAY`), held by one owner for the life of
//! pz. On X11 and Wayland a copied text lives only as long as the program
//! that owns it: a clipboard created, set and dropped is empty at once when
//! no clipboard manager takes it over. So one thread keeps one
//! `arboard::Clipboard`, and at quit hands it to a clipboard manager (if
//! one runs) within a bounded time.

use std::sync::OnceLock;
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;

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

/// At quit: lets go of the clipboard, so a clipboard manager can take the
/// text over; waits at most `bound`.
pub fn release(bound: Duration) {
    let Some(tx) = OWNER.get() else { return };
    let (done, wait) = mpsc::channel();
    if tx.send(Cmd::Release(done)).is_ok() {
        let _ = wait.recv_timeout(bound);
    }
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
